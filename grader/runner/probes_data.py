"""Helpers for probes of data code: Dataset classes, transforms, small tensor functions.

Assignment probe modules (listed in ``Assignment.runner_modules``) build on
these. They look a name up in the submission, call student code so that a
failure carries its phase and the line it happened on, and turn whatever
came back (a tensor, a numpy array, a PIL image, a number, a string) into
plain facts, with pixels and values saved as ``.npy`` arrays for the parent
to compare. Nothing here decides a grade.
"""
from __future__ import annotations

import hashlib
import numbers

from .child import StudentCodeError
from .probes_model import _defined_names, import_module

MAX_SAVED_BYTES = 16 * 1024 * 1024  # one value
MAX_RUN_BYTES = 48 * 1024 * 1024  # all values of one run; the parent reads at most 64 MiB of arrays
_SAVED = {"float16": "float32", "bfloat16": "float32", "int8": "int64", "int16": "int64", "uint16": "int64",
          "uint32": "int64", "uint64": "int64"}


def load(ctx, module: str, names: list) -> dict:
    """Import ``module``.py from the submission; say which of ``names`` it defines, and as what."""
    mod = import_module(ctx, module)
    found = {}
    for name in names:
        obj = getattr(mod, name, None)
        found[name] = None if obj is None else ("class" if isinstance(obj, type) else
                                                 "function" if callable(obj) else type(obj).__name__)
    return {"names": found, "defined": _defined_names(ctx.submission_dir / f"{module}.py", variables=True)}


def lookup(ctx, module: str, name: str):
    """``module.name`` from the submission, or a ``lookup`` failure listing what the file defines."""
    mod = import_module(ctx, module)
    obj = getattr(mod, name, None)
    if obj is None:
        raise StudentCodeError("lookup", f"{module}.py has no {name}", file=f"{module}.py", expected=name,
                               defined=_defined_names(ctx.submission_dir / f"{module}.py", variables=True))
    return obj


def call(phase: str, function, *args, **kwargs):
    """Call student code; anything it raises becomes a :class:`StudentCodeError` of ``phase``."""
    try:
        return function(*args, **kwargs)
    except BaseException as exc:  # student code may raise anything, SystemExit included
        raise StudentCodeError(phase, cause=exc) from exc


def error_of(exc: BaseException, ctx) -> dict:
    """The student-facing description of a failure, for a probe that records it and goes on."""
    from .child import describe_exception

    return describe_exception(exc, ctx.submission_dir)


def outcome(ctx, name: str, function, *args, save: bool = True, **given) -> dict:
    """``{**given, "output": facts}`` for ``function(*args)``, or ``{**given, "error": ...}`` if it raised.

    For probes that try student code on several inputs and report each one,
    so that one failing input does not hide the others.
    """
    try:
        result = function(*args)
    except BaseException as exc:  # student code may raise anything
        return {**given, "error": error_of(exc, ctx)}
    return {**given, "output": describe(ctx, name, result, save=save)}


def _array(value):
    """``(kind, facts, numpy array or None)`` for tensors, arrays and PIL images."""
    import numpy as np
    import torch

    if isinstance(value, torch.Tensor):
        t = value.detach().cpu()
        if t.is_complex() or t.layout != torch.strided:
            return "tensor", {"dtype": str(t.dtype).replace("torch.", ""), "shape": list(t.shape)}, None
        facts = {"dtype": str(t.dtype).replace("torch.", ""), "shape": list(t.shape)}
        if t.dtype == torch.bfloat16:
            t = t.float()
        return "tensor", facts, t.numpy()
    if isinstance(value, np.ndarray):
        return "ndarray", {"dtype": value.dtype.name, "shape": list(value.shape)}, value
    try:
        from PIL import Image
    except ImportError:  # pragma: no cover - PIL ships with torchvision
        Image = None
    if Image is not None and isinstance(value, Image.Image):
        pixels = np.asarray(value)
        return "pil", {"mode": value.mode, "size": list(value.size), "shape": list(pixels.shape)}, pixels
    return None, {}, None


def describe(ctx, name: str, value, save: bool = True) -> dict:
    """Plain facts about ``value``; arrays, tensors and images are saved as ``CALL.name.npy``.

    :returns: ``{"kind", "type", ...}`` where kind is tensor, ndarray, pil,
        int, float, bool, str, none or other; arrays add ``dtype``, ``shape``,
        ``sha256`` and ``array`` (the name it was saved under), scalars add ``value``.
    """
    import numpy as np

    kind, facts, array = _array(value)
    facts = {"kind": kind, "type": type(value).__name__, **facts}
    if kind is None:
        if value is None:
            facts["kind"] = "none"
        elif isinstance(value, bool):
            facts.update(kind="bool", value=value)
        elif isinstance(value, numbers.Integral):  # int, numpy integers
            facts.update(kind="int", value=int(value))
        elif isinstance(value, numbers.Real):
            facts.update(kind="float", value=float(value))
        elif isinstance(value, str):
            facts.update(kind="str", value=value[:200])
        else:
            facts["kind"] = "other"
            try:
                facts["repr"] = repr(value)[:200]
            except Exception:  # a student's __repr__ may raise
                facts["repr"] = f"<{type(value).__name__}>"
        return facts
    if array.dtype.kind not in "biuf":
        facts["unsaved"] = f"values of dtype {array.dtype} cannot be compared"
        return facts
    array = np.ascontiguousarray(array.astype(_SAVED.get(array.dtype.name, array.dtype.name), copy=False))
    digest = hashlib.sha256(f"{array.dtype.name}{array.shape}".encode())
    digest.update(array.tobytes())
    facts["sha256"] = digest.hexdigest()
    saved = ctx.state.get("saved_bytes", 0)
    if save and array.nbytes <= MAX_SAVED_BYTES and saved + array.nbytes <= MAX_RUN_BYTES:
        ctx.save_array(name, array)
        ctx.state["saved_bytes"] = saved + array.nbytes
        facts["array"] = name  # read back as ctx.array(call, name)
    elif save:
        facts["unsaved"] = (f"{array.nbytes} bytes, more than the grader keeps ({MAX_SAVED_BYTES} per value, "
                            f"{MAX_RUN_BYTES} per run)")
    return facts
