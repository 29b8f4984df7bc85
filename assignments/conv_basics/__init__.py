"""conv-basics: convolution and pooling by hand, from course notes 003.

``conv.py`` defines

* ``conv_outputs()``: a dict ``stride1``, ``stride2``, ``padding1`` of
  ``F.conv2d`` of the notes' 5x5 input with their 3x3 kernel, at stride 1,
  stride 2, and stride 1 with padding 1;
* ``pool_outputs()``: a dict ``ceil_true``, ``ceil_false`` of a 3x3 max-pool
  of the same input (as float), with ceil_mode True and False;
* ``to_nchw(t)``: a 2-D tensor (H, W) reshaped to (1, 1, H, W);
* ``conv_output_size(n, kernel, stride, padding)``: the output size formula,
  ``floor((n + 2 * padding - kernel) / stride) + 1``.

Why these kind tags: the convolution, pooling and output-size checks are
tagged ``architecture``, because stride, padding, kernel and ceil_mode are
what decide the shape of every layer's output in a network, which is what
the architecture (trace) checks of the model assignments compare; the
``to_nchw`` check is tagged ``interface``, because (N, C, H, W) is the input
layout a layer's forward accepts. Both kinds are fast and need no data, so
``grader check`` runs all of them.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np

from grader import explain, hookimpl, reference
from grader.assignment import Assignment, Stage
from grader.checks import Check, CheckFailed, check
from grader.datachecks import expect_same, imports_check, observed, phrase, shape_text
from grader.launcher import Call

HERE = Path(__file__).parent
PROBES = "probes_conv_basics"

SETTINGS = {
    "stride1": "F.conv2d(input, kernel, stride=1)",
    "stride2": "F.conv2d(input, kernel, stride=2)",
    "padding1": "F.conv2d(input, kernel, stride=1, padding=1)",
    "ceil_true": "F.max_pool2d(input, kernel_size=3, ceil_mode=True)",
    "ceil_false": "F.max_pool2d(input, kernel_size=3, ceil_mode=False)",
}
CONV_KEYS, POOL_KEYS = ["stride1", "stride2", "padding1"], ["ceil_true", "ceil_false"]
SETTINGS_KEYS = {"conv": CONV_KEYS, "pool": POOL_KEYS}
NCHW_INPUTS = [{"shape": [5, 5], "dtype": "int64"}, {"shape": [3, 7], "dtype": "float32"},
               {"shape": [1, 4], "dtype": "float32"}, {"shape": [28, 28], "dtype": "float32"}]
# (n, kernel, stride, padding): the notes' cases first, then ones they don't show.
SIZE_CASES = [(5, 3, 1, 0), (5, 3, 2, 0), (5, 3, 1, 1), (32, 3, 1, 0),
              (28, 5, 1, 2), (6, 3, 2, 0), (7, 3, 2, 1), (224, 11, 4, 2), (64, 3, 2, 1), (10, 4, 3, 0),
              (9, 2, 2, 0), (1, 1, 1, 0)]
NOTES_CASES = 4


def plan(assignment, options):
    return [Stage("conv", [
        Call("load", f"{PROBES}:load"),
        Call("conv", f"{PROBES}:outputs", {"function": "conv_outputs", "keys": CONV_KEYS}),
        Call("pool", f"{PROBES}:outputs", {"function": "pool_outputs", "keys": POOL_KEYS}),
        Call("nchw", f"{PROBES}:nchw", {"inputs": NCHW_INPUTS}),
        Call("sizes", f"{PROBES}:sizes", {"cases": [list(c) for c in SIZE_CASES]}),
    ], fast=True, timeout=60 + assignment.grace)]


ASSIGNMENT = Assignment(
    id="conv-basics",
    title="Convolution and pooling by hand: stride, padding, ceil_mode, (N, C, H, W)",
    version="1",
    description=(
        "Submit conv.py defining conv_outputs() (F.conv2d of the notes' 5x5 input and 3x3 kernel at stride 1, "
        "stride 2, and padding 1), pool_outputs() (3x3 max-pool with ceil_mode True and False), to_nchw(t) "
        "((H, W) -> (1, 1, H, W)) and conv_output_size(n, kernel, stride, padding)."
    ),
    files=["conv.py"],
    reference=reference.folder("conv_basics"),
    plan=plan,
    time_budget=30.0,
    examples={"correct": HERE / "examples" / "correct", "mistake": HERE / "examples" / "mistake"},
    runner_modules=[HERE / f"{PROBES}.py"],
)


def _same_numbers(a: np.ndarray, b: np.ndarray) -> bool:
    return a.shape == b.shape and np.array_equal(a.astype(np.float64), b.astype(np.float64))


def _output_check(call: str, function: str, key: str, name: str, description: str) -> Check:
    """The check of one entry of ``conv_outputs()`` or ``pool_outputs()``: shape and numbers."""

    def output(ctx):
        data = ctx.observe(call)
        if data["type"] != "dict":
            raise CheckFailed(f"{function}() returned a {data['type']}, not a dict.",
                              expected=f"a dict with the keys {', '.join(SETTINGS_KEYS[call])}", actual=data["type"],
                              hint="Return {" + ", ".join(f'"{k}": ...' for k in SETTINGS_KEYS[call]) + "}.")
        if key not in data["values"]:
            raise CheckFailed(f"{function}() has no {key!r} entry.", expected=repr(key),
                              actual=", ".join(map(repr, data["keys"])) or "no keys",
                              hint=f"Add \"{key}\": {SETTINGS[key]}.")
        mine, ref = data["values"][key], ctx.reference(call)["values"][key]
        hint = f"Compute it as {SETTINGS[key]}, with the input and kernel reshaped to (1, 1, H, W)."
        if mine.get("kind") in ("tensor", "ndarray") and "array" in mine:
            yours = observed(ctx, call, mine)
            others = [k for k in SETTINGS_KEYS[call]
                      if k != key and _same_numbers(yours, ctx.reference_array(call, k))]
            if others:
                hint = f"Your {key} equals what {SETTINGS[others[0]]} gives; {key} is {SETTINGS[key]}."
                if call == "conv":
                    hint += " Pass stride and padding by name (F.conv2d's third positional argument is bias)."
            elif yours.size == np.prod(ref["shape"]) and np.array_equal(
                    yours.reshape(-1).astype(np.float64), ctx.reference_array(call, key).reshape(-1)):
                hint = ("The numbers are right but the shape is not: reshape the input (and kernel) to "
                        "(1, 1, H, W) before the call, and return the output as it comes.")
        expect_same(ctx, f"{function}()[{key!r}]", call, mine, ref, dtype=False,
                    hints={"kind": f"Return the tensor {SETTINGS[key]} gives.", "shape": hint, "values": hint})
        return f"{shape_text(mine['shape'])}, the same numbers as {SETTINGS[key]}."

    return Check(id=f"{call}_{key}", name=name, kind="architecture", points=1, func=output,
                 description=description, depends=("imports",))


conv_stride1 = _output_check(
    "conv", "conv_outputs", "stride1", "conv_outputs: stride 1",
    "conv_outputs()['stride1'] is F.conv2d of the notes' 5x5 input with their 3x3 kernel at stride 1: a "
    "(1, 1, 3, 3) tensor equal to the reference's.")
conv_stride2 = _output_check(
    "conv", "conv_outputs", "stride2", "conv_outputs: stride 2",
    "conv_outputs()['stride2'] is the same convolution at stride 2: a (1, 1, 2, 2) tensor equal to the "
    "reference's.")
conv_padding1 = _output_check(
    "conv", "conv_outputs", "padding1", "conv_outputs: stride 1, padding 1",
    "conv_outputs()['padding1'] is the same convolution at stride 1 with padding 1 (a border of zeros): a "
    "(1, 1, 5, 5) tensor equal to the reference's.")
pool_ceil_true = _output_check(
    "pool", "pool_outputs", "ceil_true", "pool_outputs: ceil_mode=True",
    "pool_outputs()['ceil_true'] is a 3x3 max-pool of the input (as float) with ceil_mode=True, which keeps "
    "the partial windows at the edges: a (1, 1, 2, 2) tensor equal to the reference's.")
pool_ceil_false = _output_check(
    "pool", "pool_outputs", "ceil_false", "pool_outputs: ceil_mode=False",
    "pool_outputs()['ceil_false'] is the same max-pool with ceil_mode=False, which drops the partial windows: "
    "a (1, 1, 1, 1) tensor equal to the reference's.")


@check(kind="interface", points=1, name="to_nchw: (H, W) becomes (1, 1, H, W)", depends=["imports"])
def to_nchw(ctx):
    """to_nchw(t) turns a 2-D tensor (H, W), of any size and dtype, into (1, 1, H, W) with the same values in the
    same order and the same dtype: the batch of one single-channel image that conv2d and max_pool2d take."""
    mine, ref = ctx.observe("nchw")["results"], ctx.reference("nchw")["results"]
    for m, r in zip(mine, ref):
        height, width = m["shape"]
        what = f"to_nchw of a ({height}, {width}) {m['dtype']} tensor"
        hint = "Use the tensor's own size: torch.reshape(t, (1, 1, t.shape[0], t.shape[1])), or t[None, None]."
        if "error" in m:
            raise CheckFailed(f"{what} failed: {explain.error(m['error'])}", hint=hint)
        expect_same(ctx, what, "nchw", m["output"], r["output"], hints={
            "kind": "Return a tensor.", "shape": hint, "dtype": "Reshaping keeps the dtype; don't convert.",
            "values": "Reshape only: the values keep their row-by-row order (no transpose or permute)."})
    shapes = ", ".join(f"({m['shape'][0]}, {m['shape'][1]})" for m in mine)
    return f"{shapes} all become (1, 1, H, W) with their values and dtype."


@check(kind="architecture", points=1, name="conv_output_size: the output size formula", depends=["imports"])
def conv_output_size(ctx):
    """conv_output_size(n, kernel, stride, padding) is floor((n + 2 * padding - kernel) / stride) + 1, an int,
    on a table of cases: the notes' and others, where the division does not come out even."""
    mine, ref = ctx.observe("sizes")["results"], ctx.reference("sizes")["results"]
    wrong = []
    for number, (m, r) in enumerate(zip(mine, ref)):
        case = "conv_output_size(" + ", ".join(map(str, m["case"])) + ")"
        if "error" in m:
            raise CheckFailed(f"{case} failed: {explain.error(m['error'])}")
        out, expected = m["output"], r["output"]
        if out["kind"] != "int" or out["value"] != expected["value"]:
            source = "a case from the notes" if number < NOTES_CASES else "a case the notes don't show"
            wrong.append((case, source, out, expected))
    if wrong:
        case, source, out, expected = wrong[0]
        hint = "n + 2 * padding - kernel, divided by stride rounded down (//), plus 1."
        if out["kind"] == "float":
            hint = "Return an int: divide with // (floor division), not /."
        raise CheckFailed(f"{len(wrong)} of {len(mine)} cases are wrong; the first is {case}, {source}.",
                          expected=phrase(expected), actual=phrase(out), hint=hint)
    return f"All {len(mine)} cases are right, {len(mine) - NOTES_CASES} of them beyond the notes'."


CHECKS = [imports_check("conv", ["conv_outputs", "pool_outputs", "to_nchw", "conv_output_size"]),
          conv_stride1, conv_stride2, conv_padding1, pool_ceil_true, pool_ceil_false, to_nchw, conv_output_size]


@hookimpl
def grader_register_assignments(register):
    register(ASSIGNMENT)


@hookimpl
def grader_collect_checks(assignment):
    if assignment is ASSIGNMENT:
        return CHECKS
