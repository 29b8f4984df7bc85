"""Checks for a student's own ``train_loop`` and ``test_loop``, graded by what they do.

The runner (:mod:`grader.runner.probes_loops`) calls the student's loops and
the reference's the same way: the same seed, data in the same order, the
same starting weights. A correct ``train_loop`` changes the weights exactly
as the reference's does; a correct ``test_loop`` returns the reference's
numbers, in evaluation mode, without gradients. When they differ, what the
loop did (the order of forward, backward, step and zero_grad; the mode the
model was in) says why, in the words of the notes.

:func:`loops_calls` gives the calls, :func:`loop_checks` the checks.
"""
from __future__ import annotations

import math

from grader.checks import Check, CheckFailed
from grader.launcher import Call

PROBES = "graderrunner.probes_loops"


def loops_calls(recipe: dict, module: str = "train") -> tuple[Call, list[Call]]:
    """The fast call that imports the loops, and the calls that run them on training data."""
    return (Call("loops", f"{PROBES}:load_loops", {"module": module}),
            [Call("train_loop", f"{PROBES}:train_loop_once", {"recipe": recipe, "module": module}),
             Call("test_loop", f"{PROBES}:test_loop_once", {"recipe": recipe, "module": module})])


def _check(id, kind, points, name, description, func, depends=()) -> Check:
    return Check(id=id, name=name, kind=kind, points=points, func=func, description=description,
                 depends=tuple(depends))


def loops_check(module: str = "train", points: float = 1) -> Check:
    def loops(ctx):
        functions = ctx.observe("loops")["functions"]
        return f"{module}.py defines {' and '.join(functions.values())}."

    return _check("loops", "import", points, f"{module}.py defines train_loop and test_loop",
                  f"{module}.py imports without errors and defines train_loop(dataloader, model, loss_fn, "
                  "optimizer) and test_loop(dataloader, model, loss_fn), as the notes write them.", loops)


def _batches(events: list[str]) -> list[list[str]]:
    """The recorded events cut at each forward pass: one list per batch (the last may be cut short)."""
    out: list[list[str]] = []
    for event in events:
        if event == "forward" or not out:
            out.append([])
        out[-1].append(event)
    return [batch for batch in out if batch and batch[0] == "forward"][:3]


def diagnose(mine: dict) -> list[str]:
    """What a train_loop did differently from the notes' loop, most telling first."""
    counts, modes, batches = mine["counts"], mine["modes"], mine["batches"]
    causes = []
    if counts["forward"] and not modes["train"]:
        causes.append("it never puts the model in training mode: call model.train() at its start (the grader "
                      "hands the model over in evaluation mode, as test_loop leaves it; dropout and batch-norm "
                      "layers behave differently in the two modes)")
    if counts["backward"] == 0:
        causes.append("it never calls loss.backward(), so no gradient is computed")
    if counts["step"] == 0:
        causes.append("it never calls optimizer.step(), so the weights never change")
    if counts["zero_grad"] == 0:
        causes.append("it never calls optimizer.zero_grad(), so each batch's gradients are added to those of "
                      "all the batches before it")
    for batch in _batches(mine["events"]):
        if "backward" in batch and "step" in batch:
            backward, step = batch.index("backward"), batch.index("step")
            if step < backward:
                causes.append("it calls optimizer.step() before loss.backward(), so each step uses the gradients "
                              "of the batch before (or none at all)")
                break
            if "zero_grad" in batch[backward:step]:
                causes.append("it calls zero_grad() between loss.backward() and optimizer.step(), which throws "
                              "the gradients away before the step uses them")
                break
    if counts["forward"] != batches and counts["forward"]:
        causes.append(f"it runs the model {counts['forward']} times for {batches} batches")
    if counts["step"] not in (0, batches):
        causes.append(f"it makes {counts['step']} optimizer steps for {batches} batches (one per batch is right)")
    if not causes and mine["change"] == 0:
        causes.append("the weights did not change at all")
    return causes


def _relative(a: list[float], b: list[float]) -> float:
    norm = math.sqrt(sum(y * y for y in b))
    return math.sqrt(sum((x - y) ** 2 for x, y in zip(a, b))) / max(norm, 1e-12)


def train_loop_check(points: float = 2, tolerance: float = 1e-3) -> Check:
    def train_loop_matches(ctx):
        mine, ref = ctx.observe("train_loop"), ctx.reference("train_loop")
        difference = _relative(mine["sketch"], ref["sketch"]) if mine["finite"] else math.inf
        ctx.details = {"view": "generic", "mine": {k: mine[k] for k in ("change", "counts", "modes", "events")},
                       "reference": {k: ref[k] for k in ("change", "counts", "modes", "events")},
                       "relative_difference": difference}
        if difference <= tolerance:
            return (f"After one epoch ({mine['batches']} batches) your loop changed the weights as the reference "
                    f"loop did (relative difference {difference:.1e}).")
        causes = diagnose(mine)
        why = (f" Your loop differs from the notes' loop: {'; '.join(causes)}." if causes else
               " Its forward passes, backward passes, steps and zero_grads look like the notes' loop, so compare "
               "what it computes (the loss on pred and y, the batches it uses) with the notes line by line.")
        raise CheckFailed(
            f"After one epoch of your train_loop ({mine['batches']} batches of {mine['images']} images, in the same "
            f"order, from the same starting weights and seed as the reference loop), the weights are not the "
            f"reference loop's.{why}",
            expected=f"the weights change by {ref['change']:.4g} (the reference loop: "
                     f"{', '.join(ref['events'][:4])} for each batch)",
            actual=f"they change by {mine['change']:.4g}, and the two changes differ by {difference:.3g} times the "
                   f"reference's (your loop: {', '.join(mine['events'][:8])}, ...)",
            hint="In each batch: pred = model(X); loss = loss_fn(pred, y); loss.backward(); optimizer.step(); "
                 "optimizer.zero_grad(), with model.train() before the loop.")

    return _check("train_loop", "training", points, "train_loop changes the weights as the notes' loop does",
                  "One epoch of your train_loop, given the same data in the same order, the same starting "
                  "weights, loss, optimizer and seed as the reference loop, leaves the same weights: it puts the "
                  "model in training mode, and for each batch computes the loss, calls backward, steps and zeroes "
                  "the gradients.", train_loop_matches, depends=["loops"])


def test_loop_mode_check(points: float = 1) -> Check:
    def test_loop_eval(ctx):
        mine = ctx.observe("test_loop")
        problems = []
        if mine["modes"]["train"]:
            problems.append("it runs the model in training mode: call model.eval() first (in training mode "
                            "dropout is active, so the numbers change from run to run)")
        if mine["grad_enabled_forwards"]:
            problems.append("it runs the model with gradient tracking on: put the loop inside "
                            "`with torch.no_grad():` (testing needs no gradients; tracking them costs memory and "
                            "time)")
        if mine["grads_left"]:
            problems.append(f"it leaves gradients in {mine['grads_left']} of the model's parameters (their .grad "
                            "is set): test_loop must not call backward()")
        if mine["weights_changed"]:
            problems.append("it changes the model's weights: testing must only read them")
        if problems:
            raise CheckFailed("Your test_loop does not test the model as the notes do: " + "; ".join(problems) + ".",
                              hint="The notes' test_loop starts with model.eval() and runs every batch inside "
                                   "with torch.no_grad().")
        return f"{mine['counts']['forward']} forward passes in evaluation mode, without gradients."

    return _check("test_loop_eval", "training", points, "test_loop evaluates in eval mode without gradients",
                  "Your test_loop puts the model in evaluation mode, computes without gradient tracking "
                  "(torch.no_grad()), and leaves no gradients and unchanged weights behind.", test_loop_eval,
                  depends=["loops"])


def _close(a: float, b: float, tolerance: float = 1e-4) -> bool:
    return abs(a - b) <= tolerance * max(1.0, abs(b))


def test_loop_check(points: float = 1) -> Check:
    def test_loop_numbers(ctx):
        mine, ref = ctx.observe("test_loop"), ctx.reference("test_loop")
        if mine["values"] is None:
            returned = mine["returned"] if mine["length"] is None else f"a {mine['returned']} of {mine['length']}"
            raise CheckFailed(f"Your test_loop returned {returned}, not (accuracy, average loss).",
                              expected="a pair of numbers, e.g. `return correct, test_loss`", actual=returned,
                              hint="The notes' test_loop only prints its results; end it with "
                                   "`return correct, test_loss`.")
        (accuracy, loss), (ref_accuracy, ref_loss) = mine["values"], ref["values"]
        images, batches = mine["images"], mine["batches"]
        if _close(accuracy, ref_loss, 1e-3) and (_close(loss, ref_accuracy) or _close(loss, 100 * ref_accuracy)):
            raise CheckFailed("Your test_loop returns the right numbers in the wrong order: (average loss, accuracy).",
                              expected=f"(accuracy, average loss) = ({ref_accuracy:.6g}, {ref_loss:.6g})",
                              actual=f"({accuracy:.6g}, {loss:.6g})",
                              hint="Return the accuracy first: `return correct, test_loss`.")
        problems = []
        percent = _close(accuracy, 100 * ref_accuracy)
        if not (_close(accuracy, ref_accuracy) or percent):
            why = ""
            if _close(accuracy, ref_accuracy * images):
                why = " (the number of correct predictions: divide it by len(dataloader.dataset))"
            elif _close(accuracy, ref_accuracy * images / batches):
                why = " (divided by the number of batches: divide by the number of images, len(dataloader.dataset))"
            problems.append(f"its accuracy is {accuracy:.6g}, the reference's {ref_accuracy:.6g}{why}")
        if not _close(loss, ref_loss, 1e-3):
            why = ""
            if _close(loss, ref_loss * batches, 1e-3):
                why = " (the sum over batches: divide it by the number of batches, len(dataloader))"
            elif _close(loss, ref_loss * batches / images, 1e-3):
                why = (" (divided by the number of images: the loss of a batch is already its mean, so divide "
                       "the sum by the number of batches, len(dataloader))")
            problems.append(f"its average loss is {loss:.6g}, the reference's {ref_loss:.6g}{why}")
        if problems:
            raise CheckFailed(f"On {images} images with known labels ({batches} batches), your test_loop's numbers "
                              "are not the reference's: " + "; ".join(problems) + ".",
                              expected=f"({ref_accuracy:.6g}, {ref_loss:.6g})", actual=f"({accuracy:.6g}, {loss:.6g})",
                              hint="Accuracy is correct predictions / number of images; the average loss is the "
                                   "sum of the batches' losses / number of batches.")
        unit = " (as a percentage)" if percent and not _close(accuracy, ref_accuracy) else ""
        return f"accuracy {accuracy:.4g}{unit} and average loss {loss:.4g}, as the reference's."

    return _check("test_loop_numbers", "training", points, "test_loop returns the reference's accuracy and loss",
                  "On a fixed model and images with known labels, your test_loop returns (accuracy, average "
                  "loss) equal to the reference's: accuracy as a fraction of the images (a percentage is "
                  "accepted too), the loss averaged over batches.", test_loop_numbers, depends=["test_loop_eval"])


def loop_checks(module: str = "train") -> list[Check]:
    """The loop checks, with the course's default points (5 in all)."""
    return [loops_check(module), train_loop_check(), test_loop_mode_check(), test_loop_check()]
