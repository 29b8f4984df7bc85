"""Runner probes for conv-basics: call the student's tensor functions from ``conv.py``.

Runs in the runner child (imported there as a top-level module, next to
``graderrunner``). The probes call ``conv_outputs()`` and ``pool_outputs()``,
``to_nchw`` on tensors of several shapes, and ``conv_output_size`` on a table
of cases chosen by the grader, and describe every result; tensors are saved
as arrays for the parent, which compares them with the reference's.
"""
from __future__ import annotations

from graderrunner.probes_data import call, describe, load as load_names, lookup, outcome

MODULE = "conv"
NAMES = ["conv_outputs", "pool_outputs", "to_nchw", "conv_output_size"]


def load(ctx) -> dict:
    return load_names(ctx, MODULE, NAMES)


def outputs(ctx, function: str, keys: list) -> dict:
    """``function()`` is expected to return a dict of tensors with ``keys``; describe each one found."""
    result = call("call", lookup(ctx, MODULE, function))
    if not isinstance(result, dict):
        return {"type": type(result).__name__, "keys": None, "values": {}}
    return {"type": "dict", "keys": sorted(str(k) for k in result)[:20],
            "values": {key: describe(ctx, key, result[key]) for key in keys if key in result}}


def nchw(ctx, inputs: list) -> dict:
    """``to_nchw(t)`` for 2-D tensors ``t`` of the given shapes and dtypes (distinct values, row by row)."""
    import torch

    function = lookup(ctx, MODULE, "to_nchw")
    results = []
    for number, given in enumerate(inputs):
        height, width = given["shape"]
        t = (torch.arange(height * width) * 3 % 101).reshape(height, width).to(getattr(torch, given["dtype"]))
        results.append(outcome(ctx, f"out{number}", function, t, **given))
    return {"results": results}


def sizes(ctx, cases: list) -> dict:
    """``conv_output_size(n, kernel, stride, padding)`` for each case of the grader's table."""
    function = lookup(ctx, MODULE, "conv_output_size")
    return {"results": [outcome(ctx, "size", function, *case, save=False, case=case) for case in cases]}
