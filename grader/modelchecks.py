"""Building blocks for assignments whose submission is an ``nn.Module``.

:func:`model_plan` lays out the runner stages (load, interface, parameters,
trace; then train and predict) and :func:`model_checks` returns the checks
that read them. The course's model assignments are made from these, and so
can any third-party assignment: nothing here is private to the built-ins.
"""
from __future__ import annotations

import base64
import difflib
import io
import math

import numpy as np

from grader import calibration
from grader.assignment import Stage
from grader.checks import Check, CheckFailed, Partial
from grader.launcher import Call

PROBES = "graderrunner.probes_model"


def model_plan(module: str = "model", attr: str = "Network", shapes=((1, 28, 28),), recipe: dict | None = None):
    """A plan: a fast stage that inspects the model and, with a recipe, a training stage.

    :param shapes: input shapes without the batch dimension, tried in order
        (the first that works is used for the trace and for training).
    :param recipe: the training recipe (see :mod:`grader.runner.training`);
        ``None`` for assignments that train nothing.
    """
    shapes = [list(s) for s in shapes]
    load_args = {"module": module, "attr": attr}

    def plan(assignment, options):
        stages = [Stage("inspect", [
            Call("load", f"{PROBES}:load", load_args),
            Call("interface", f"{PROBES}:interface", {"shapes": shapes}),
            Call("params", f"{PROBES}:parameters"),
            Call("trace", f"{PROBES}:trace", {"fallback": shapes[0]}),
        ], fast=True, timeout=60 + assignment.grace)]
        if recipe is not None:
            stages.append(Stage("train", [
                Call("train_load", f"{PROBES}:load", load_args),
                Call("train_interface", f"{PROBES}:interface", {"shapes": shapes}),
                Call("train", f"{PROBES}:train", {"recipe": recipe, "budget": assignment.budget(options)}),
                Call("predict", f"{PROBES}:predict", {"recipe": recipe}),
            ], fast=False, needs_data=True, timeout=None, requires=("load",)))
        return stages

    return plan


def _check(id, kind, points, name, description, func, depends=()) -> Check:
    return Check(id=id, name=name, kind=kind, points=points, func=func, description=description,
                 depends=tuple(depends))


def _reference(ctx, call: str, reference=None) -> dict:
    """The reference's data for ``call``: ``reference(ctx, call)`` where an assignment has several references."""
    return reference(ctx, call) if reference is not None else ctx.reference(call)


def _shape(shape, batch: int) -> str:
    dims = ["N" if i == 0 and d == batch else str(d) for i, d in enumerate(shape)]
    return "(" + ", ".join(dims) + ("," if len(dims) == 1 else "") + ")"


# --------------------------------------------------------------------------
# import, interface
# --------------------------------------------------------------------------


def loads_check(module: str, attr: str, points: float = 1) -> Check:
    def loads(ctx):
        data = ctx.observe("load")
        return f"{module}.py imports and {attr}() builds a {data['class']}."

    return _check("loads", "import", points, f"{module}.py imports and {attr}() builds the model",
                  f"{module}.py imports without errors and {attr}() creates your network.", loads)


def interface_check(points: float = 1, *, hint: str | None = None, reference=None) -> Check:
    """:param hint: said when the forward pass fails; :param reference: see :func:`_reference`."""

    def forward(ctx):
        attempts = ctx.observe("interface")["attempts"]
        expected = next(a for a in _reference(ctx, "interface", reference)["attempts"] if a["ok"])
        ok = [a for a in attempts if a["ok"]]
        batch = expected["shape"][0]
        want = _shape(expected["out_shape"], batch)
        if not ok:
            tried = "; ".join(f"{_shape(a['shape'], batch)}: {a['error']}" for a in attempts)
            raise CheckFailed("Your model's forward pass fails on a batch of images.",
                              expected=f"input {_shape(expected['shape'], batch)} -> output {want}",
                              actual=tried,
                              hint=hint or "Run your model on torch.zeros of the input shape and read the error.")
        got = ok[0]
        if got["out_shape"] != expected["out_shape"]:
            shape_hint = "Check the size of your last layer and how you flatten the input."
            if math.prod(got["out_shape"]) == math.prod(expected["out_shape"]) and got["out_shape"][:1] == [batch]:
                shape_hint = (f"Your output holds the right number of values, but in the shape "
                              f"{_shape(got['out_shape'], batch)}: return the last layer's output as it is, {want}, "
                              "without squeeze(), view(-1) or flatten() (the loss compares it with targets of that "
                              "shape).")
            raise CheckFailed("Your model's output has the wrong shape.", expected=want,
                              actual=_shape(got["out_shape"], batch), hint=shape_hint)
        if not got["floating"]:
            raise CheckFailed("Your model's output is not a float tensor.", expected="float32",
                              actual=got["dtype"], hint="Return the last layer's output (the logits) directly.")
        if not got["finite"]:
            raise CheckFailed("Your model's output contains NaN or infinite values on a random batch.",
                              hint="Look for divisions, logs or exp in forward.")
        message = f"input {_shape(got['shape'], batch)} -> output {want}, {got['dtype']}."
        if got["shape"] != expected["shape"]:
            message += (f" Note: it does not accept {_shape(expected['shape'], batch)}, the shape a DataLoader "
                        f"gives; it was graded with {_shape(got['shape'], batch)}.")
        return message

    return _check("forward", "interface", points, "forward returns logits of the right shape",
                  "A forward pass on a batch of images returns a finite float tensor with one row of "
                  "outputs per image.", forward, depends=["loads"])


# --------------------------------------------------------------------------
# parameters, architecture
# --------------------------------------------------------------------------


def parameter_table(data: dict) -> str:
    """The course's ``print_parameters`` layout."""
    lines = []
    for layer in data["layers"]:
        lines.append(f"layer({layer['name']}) parameters:")
        for p in layer["params"]:
            lines.append(f"\t torch.Size({p['shape']}) has {p['numel']} parameters")
    lines.append(f"The model has {data['trainable']} trainable parameters")
    return "\n".join(lines)


def parameters_check(points: float = 1, *, reference=None) -> Check:
    def parameter_count(ctx):
        mine, ref = ctx.observe("params"), _reference(ctx, "params", reference)
        ctx.details = {"view": "parameters", "mine": mine, "reference": ref}
        if mine["trainable"] != ref["trainable"]:
            diff = mine["trainable"] - ref["trainable"]
            raise CheckFailed(
                f"Your network has {abs(diff):,} {'more' if diff > 0 else 'fewer'} trainable parameters "
                f"than the reference.", expected=f"{ref['trainable']:,}", actual=f"{mine['trainable']:,}",
                hint="Compare the layers below: a wrong width, a missing or extra layer, or bias=False changes "
                     "the count.\n\nYours:\n" + parameter_table(mine) + "\n\nReference:\n" + parameter_table(ref))
        return f"{mine['trainable']:,} trainable parameters, as the reference."

    return _check("parameter_count", "parameters", points, "trainable parameter count matches the reference",
                  "Your network has exactly as many trainable parameters as the reference implementation.",
                  parameter_count, depends=["loads"])


def _rows(trace: dict) -> list[str]:
    batch = trace.get("batch", 5)
    return [f"{r['op']} -> {_shape(r['shape'], batch)}" for r in trace["rows"]]


def trace_diff(mine: list[str], ref: list[str]) -> list[dict]:
    """Side-by-side rows: ``{"status": equal|changed|missing|extra, "mine", "reference"}``."""
    rows = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(a=ref, b=mine, autojunk=False).get_opcodes():
        if tag == "equal":
            rows += [{"status": "equal", "reference": ref[i], "mine": mine[j1 + k]} for k, i in enumerate(range(i1, i2))]
            continue
        left, right = ref[i1:i2], mine[j1:j2]
        for k in range(max(len(left), len(right))):
            a = left[k] if k < len(left) else None
            b = right[k] if k < len(right) else None
            status = "changed" if a and b else ("missing" if a else "extra")
            rows.append({"status": status, "reference": a, "mine": b})
    return rows


def _explain_first(row: dict, last: bool = False) -> str:
    ref, mine = row["reference"], row["mine"]
    activations = ("ReLU", "Sigmoid", "Tanh", "GELU", "LeakyReLU", "Softmax", "LogSoftmax")
    if row["status"] == "missing":
        what = ref.split(" ->")[0]
        if what in activations:
            return f"the reference applies {what} here and your network does not (a missing activation?)"
        return f"the reference has {ref} here and your network has nothing in its place (a missing layer?)"
    if row["status"] == "extra":
        if mine.split(" ->")[0] in ("Softmax", "LogSoftmax", "Sigmoid") and last:
            return (f"your network ends with {mine.split(' ->')[0]} and the reference returns raw logits: the "
                    "loss (CrossEntropyLoss, BCEWithLogitsLoss) applies softmax or sigmoid itself")
        return f"your network has {mine} here and the reference has nothing (an extra layer?)"
    ref_op, mine_op = ref.split(" ->")[0], mine.split(" ->")[0]
    if ref_op.split("(")[0] == mine_op.split("(")[0]:
        return f"the reference has {ref} and yours has {mine} (a wrong size?)"
    return f"the reference has {ref} and yours has {mine}"


def _differing_steps(rows: list[dict], bad: list[dict], most: int = 6) -> str:
    """The steps that differ, reference | yours, readable without the report (``grader check`` writes none)."""
    lines = [f"  step {rows.index(r) + 1}: {r['reference'] or '(nothing)'} | {r['mine'] or '(nothing)'}"
             for r in bad[:most]]
    if len(bad) > most:
        lines.append(f"  ... and {len(bad) - most} more")
    return (f"{len(bad)} step(s) differ (reference | yours):\n" + "\n".join(lines)
            + "\nreport.html shows both traces side by side (grader check --out DIR writes one).")


def architecture_check(points: float = 2, *, reference=None) -> Check:
    def architecture(ctx):
        mine, ref = ctx.observe("trace"), _reference(ctx, "trace", reference)
        if mine.get("error"):
            from grader import explain

            ctx.details = {"view": "trace", "rows": trace_diff(_rows(mine), _rows(ref))}
            raise CheckFailed("Your forward pass raised an error while it was traced: "
                              + explain.error({**mine["error"], "phase": "trace"}))
        rows = trace_diff(_rows(mine), _rows(ref))
        ctx.details = {"view": "trace", "rows": rows, "input": _shape(ref["input"], ref.get("batch", 5))}
        bad = [r for r in rows if r["status"] != "equal"]
        if not mine["rows"]:
            raise CheckFailed("No layers could be traced in your forward pass, so its architecture cannot be "
                              "compared.", hint="Use torch.nn layers or torch / torch.nn.functional calls.")
        if bad:
            position = rows.index(bad[0]) + 1
            raise CheckFailed(f"Your layer-by-layer trace differs from the reference at step {position}: "
                              f"{_explain_first(bad[0], last=bad[0] is rows[-1])}.",
                              hint=_differing_steps(rows, bad))
        return f"{len(rows)} steps, the same as the reference."

    return _check("architecture", "architecture", points, "layer-by-layer trace matches the reference",
                  "Your forward pass applies the same layers, activations included, with the same output "
                  "shapes, in the same order as the reference (however the code spells them).",
                  architecture, depends=["loads"])


# --------------------------------------------------------------------------
# training, budget, accuracy
# --------------------------------------------------------------------------


def training_check(points: float = 1) -> Check:
    def trains(ctx):
        data = ctx.observe("train")
        ctx.details = {"view": "training", "train": data, "budget": ctx.assignment.budget(ctx.options)}
        if data["steps"] == 0:
            raise CheckFailed("Training made no step at all before the time budget ran out.",
                              hint="Your forward pass may be extremely slow.")
        if data["diverged"]:
            raise CheckFailed(f"The training loss became NaN or infinite at step {data['steps']}.",
                              hint="Return raw logits (no softmax before the loss) and avoid log(0) in forward.")
        curve = data["curve"]
        if len(curve) >= 2 and not curve[-1][1] < curve[0][1]:
            raise CheckFailed("The training loss did not go down.", expected=f"below {curve[0][1]:.4f}",
                              actual=f"{curve[-1][1]:.4f}",
                              hint="Check that forward uses every layer and returns raw logits.")
        return f"loss {curve[0][1]:.3f} -> {curve[-1][1]:.3f} in {data['steps']} steps, {data['seconds']:.1f} s."

    return _check("trains", "training", points, "the model trains with the course's recipe",
                  "Trained by the grader with the assignment's recipe, your model's loss goes down without "
                  "becoming NaN.", trains, depends=["forward"])


def budget_check(points: float = 1) -> Check:
    def within_budget(ctx):
        budget = ctx.assignment.budget(ctx.options)
        data = ctx.observe("train")
        if data["stopped_by_budget"]:
            raise CheckFailed(f"Training stopped when the {budget:g} s time budget ran out, after "
                              f"{data['epochs_done']:g} of {data['epochs_planned']} epochs ({data['steps']} steps); "
                              "the model was evaluated as it was.",
                              hint="A correct model trains within the budget; look for needless work in forward.")
        return f"{data['epochs_planned']} epochs in {data['seconds']:.1f} s of the {budget:g} s budget."

    return _check("within_budget", "budget", points, "training finishes within the time budget",
                  "All epochs of training finish within the assignment's time budget.",
                  within_budget, depends=["loads"])


def png_data_uri(image: np.ndarray, scale: int = 3) -> str:
    from PIL import Image

    img = Image.fromarray(np.ascontiguousarray(image))
    img = img.resize((img.width * scale, img.height * scale), Image.NEAREST)
    buffer = io.BytesIO()
    img.save(buffer, format="PNG")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()


def classification_metrics(outputs: np.ndarray, dataset) -> dict:
    """Accuracy (percent) and the confusion matrix from logits and the hidden labels.

    Keys starting with ``_`` (the predictions) are for the checks only and
    are not recorded.
    """
    from sklearn.metrics import accuracy_score, confusion_matrix

    labels = list(range(max(len(dataset.classes), int(dataset.test_y.max()) + 1)))
    predicted = outputs.argmax(axis=1)
    return {"accuracy": round(100 * float(accuracy_score(dataset.test_y, predicted)), 3),
            "confusion_matrix": confusion_matrix(dataset.test_y, predicted, labels=labels).tolist(),
            "labels": labels, "_predicted": predicted}


def binary_metrics(positive: int, names: tuple[str, str] = ("no", "yes")):
    """``evaluate`` for a one-logit yes/no task (is this digit an 8?): balanced accuracy first.

    Accuracy misleads when one answer is rare: a model that always says "no"
    scores about 90 % on "is it an 8". Balanced accuracy, the mean of the
    recall on each answer, gives that model 50 %, so it is the metric to
    mark; accuracy, precision, recall and F1 of the "yes" answer (percent)
    and the confusion matrix ``[[TN, FP], [FN, TP]]`` are reported beside it.
    A logit above 0 (sigmoid above 0.5) means "yes".
    """

    def evaluate(outputs: np.ndarray, dataset) -> dict:
        from sklearn.metrics import (accuracy_score, balanced_accuracy_score, confusion_matrix, f1_score,
                                     precision_score, recall_score)

        truth = (dataset.test_y == positive).astype(np.int64)
        predicted = (outputs[:, 0] > 0).astype(np.int64)
        percent = lambda value: round(100 * float(value), 3)  # noqa: E731
        return {"balanced_accuracy": percent(balanced_accuracy_score(truth, predicted)),
                "accuracy": percent(accuracy_score(truth, predicted)),
                "precision": percent(precision_score(truth, predicted, zero_division=0)),
                "recall": percent(recall_score(truth, predicted, zero_division=0)),
                "f1": percent(f1_score(truth, predicted, zero_division=0)),
                "confusion_matrix": confusion_matrix(truth, predicted, labels=[0, 1]).tolist(),
                "labels": list(names), "_predicted": predicted, "_truth": truth}

    return evaluate


def validate_outputs(outputs: np.ndarray, count: int, width: int) -> None:
    if outputs.ndim != 2 or outputs.shape != (count, width):
        raise CheckFailed("Your model's outputs on the test images have the wrong shape.",
                          expected=f"({count}, {width})", actual=str(tuple(outputs.shape)))
    if not np.isfinite(outputs).all():
        raise CheckFailed(f"Your model's outputs on the test images contain {int((~np.isfinite(outputs)).sum())} "
                          "NaN or infinite values.", hint="Check for divisions or logs in forward.")


def mark(value: float, thresholds: dict) -> float:
    """Linear marks: 0 at ``zero``, 1 at ``full``."""
    full, zero = thresholds["full"], thresholds["zero"]
    if full is None:
        return 1.0
    if value >= full:
        return 1.0
    if value <= zero:
        return 0.0
    return (value - zero) / (full - zero)


def accuracy_check(points: float = 3, misclassified: int = 8, *, name: str = "accuracy on the hidden test split",
                   description: str = "Trained with the course's recipe, your model's predictions on the hidden "
                                      "test images reach the accuracy thresholds (marks rise linearly between them).",
                   hint: str = "Compare your architecture with the reference; the grader trains it with the "
                               "course's recipe and seed.",
                   depends=("loads",)) -> Check:
    """The metric the assignment's thresholds name, marked between them.

    ``evaluate`` may return ``_truth`` (what the predictions are compared
    with, when that is not the test labels themselves) and string ``labels``
    (names for the report); numbers other than the marked metric are
    reported beside it.
    """

    def test_accuracy(ctx):
        outputs = ctx.array("predict", "outputs")
        dataset, thresholds_spec = ctx.dataset, ctx.assignment.thresholds
        width = ctx.reference("predict")["shape"][1]
        validate_outputs(outputs, len(dataset.test_y), width)
        metrics = ctx.assignment.evaluate(outputs, dataset)
        predicted = metrics.pop("_predicted", None)
        truth = metrics.pop("_truth", dataset.test_y)
        names = metrics.get("labels") or []
        ref_metrics = ctx.reference_run.metrics
        metric = thresholds_spec.metric
        thresholds = ctx.thresholds()
        value = metrics[metric]
        ctx.metrics.update({k: v for k, v in metrics.items()})
        ctx.metrics["_thresholds"] = thresholds
        wrong = []
        if predicted is not None:
            shown = lambda i: names[i] if i < len(names) else i  # noqa: E731
            for index in np.flatnonzero(predicted != truth)[:misclassified]:
                wrong.append({"index": int(index), "label": shown(int(truth[index])),
                              "predicted": shown(int(predicted[index])), "png": png_data_uri(dataset.test_x[index])})
        ctx.details = {"view": "accuracy", "metrics": metrics, "metric": metric, "value": value,
                       "thresholds": thresholds, "misclassified": wrong, "classes": dataset.classes,
                       "reference": ref_metrics}
        fraction = mark(value, thresholds)
        label = metric.replace("_", " ")
        text = (f"{label} {value:.2f}% on {len(dataset.test_y)} test images; full marks from "
                f"{thresholds['full']:.2f}%, none below {thresholds['zero']:.2f}%.")
        beside = [f"{k.replace('_', ' ')} {v:.2f}%" for k, v in metrics.items()
                  if k != metric and isinstance(v, (int, float)) and not isinstance(v, bool)]
        if beside:
            text += " Also: " + ", ".join(beside) + "."
        band = calibration.where(value, thresholds)  # where the value sits in a calibrated band
        if band:
            text += " " + band
            ctx.details["band"] = band
        if fraction < 1.0:
            raise CheckFailed(f"Your model's {text}", score=fraction, hint=hint)
        return text

    return _check("test_accuracy", "accuracy", points, name, description, test_accuracy, depends=depends)


def model_checks(module: str = "model", attr: str = "Network", *, train: bool = True) -> list[Check]:
    """The standard checks of a model assignment, with the course's default points."""
    checks = [loads_check(module, attr), interface_check(), parameters_check(), architecture_check()]
    if train:
        checks += [training_check(), budget_check(), accuracy_check()]
    return checks
