"""Building blocks for checks of data code: datasets, transforms, small tensor functions.

The runner describes every value a submission returned as plain facts (see
``grader/runner/probes_data.py``: its kind, type, dtype, shape, mode, a
digest, and the saved array). The helpers here compare one such value with
the reference's value for the same call and raise :class:`CheckFailed` with
the expected and actual values and a hint, in the order a student would fix
things: the kind of value first, then its shape, its dtype, and its numbers.
"""
from __future__ import annotations

import numpy as np

from grader.checks import Check, CheckFailed, ProbeFailed

_ARTICLE = {"int": "an int", "float": "a float", "bool": "a bool", "str": "a str", "none": "None",
            "tensor": "a tensor", "ndarray": "a numpy array", "pil": "a PIL image"}


def shape_text(shape) -> str:
    return "(" + ", ".join(str(d) for d in shape) + (",)" if len(shape) == 1 else ")")


def phrase(facts: dict) -> str:
    """What a described value is, in words: ``a str ('3')``, ``a tensor of shape (1, 28, 28), float32``."""
    kind = facts.get("kind")
    text = _ARTICLE.get(kind, f"a {facts.get('type', 'value')}")
    if kind in ("int", "float", "bool", "str"):
        return f"{text} ({facts['value']!r})"
    if kind == "pil":
        width, height = facts["size"]
        return f"{text} of {width}x{height} pixels, mode {facts['mode']}"
    if kind in ("tensor", "ndarray"):
        return f"{text} of shape {shape_text(facts['shape'])}, {facts['dtype']}"
    if kind == "other" and facts.get("repr"):
        return f"{text} ({facts['repr']})"
    return text


def observed(ctx, call: str, facts: dict, reference: bool = False) -> np.ndarray:
    """The array saved with a described value, the submission's or the reference's."""
    if "array" not in facts:
        raise ProbeFailed(f"the runner could not keep this value ({facts.get('unsaved', 'no array was saved')})")
    return ctx.reference_array(call, facts["array"]) if reference else ctx.array(call, facts["array"])


def _where(index) -> str:
    return "[" + ", ".join(str(int(i)) for i in index) + "]"


def expect_same(ctx, what: str, call: str, mine: dict, ref: dict, *, ref_call: str | None = None,
                tol: float = 0.0, dtype: bool = True, hints: dict | None = None) -> None:
    """Raise :class:`CheckFailed` unless ``mine`` matches the reference's ``ref``.

    :param what: the value, as the start of a sentence (``"mnist_transform's output for digit.png"``).
    :param call: the call whose arrays hold ``mine`` (and ``ref``, unless ``ref_call`` is given).
    :param tol: the largest absolute difference allowed between values.
    :param dtype: whether the dtype must match too (``False`` compares numbers only).
    :param hints: a hint per kind of difference: ``kind``, ``shape``, ``dtype``, ``mode``, ``values``.
    """
    hints = hints or {}
    if mine.get("kind") != ref.get("kind"):
        raise CheckFailed(f"{what} is {phrase(mine)}, not {_ARTICLE.get(ref['kind'], ref['kind'])}.",
                          expected=phrase(ref), actual=phrase(mine), hint=hints.get("kind"))
    if ref.get("kind") in ("int", "float", "bool", "str"):
        if mine["value"] != ref["value"]:
            raise CheckFailed(f"{what} is {mine['value']!r}; the reference gives {ref['value']!r}.",
                              expected=repr(ref["value"]), actual=repr(mine["value"]), hint=hints.get("values"))
        return
    if mine.get("shape") != ref.get("shape"):
        raise CheckFailed(f"{what} has the wrong shape.", expected=shape_text(ref["shape"]),
                          actual=shape_text(mine["shape"]), hint=hints.get("shape"))
    if ref.get("kind") == "pil" and mine.get("mode") != ref.get("mode"):
        raise CheckFailed(f"{what} is a PIL image of mode {mine['mode']}, not {ref['mode']}.", expected=ref["mode"],
                          actual=mine["mode"], hint=hints.get("mode"))
    if dtype and mine.get("dtype") != ref.get("dtype"):
        raise CheckFailed(f"{what} has dtype {mine['dtype']}, not {ref['dtype']}.", expected=ref["dtype"],
                          actual=mine["dtype"], hint=hints.get("dtype"))
    if tol == 0.0 and mine.get("sha256") and mine.get("sha256") == ref.get("sha256"):
        return
    a = observed(ctx, call, mine).astype(np.float64)
    b = observed(ctx, ref_call or call, ref, reference=True).astype(np.float64)
    diff = np.abs(a - b)
    bad = ~(diff <= tol)  # NaN counts as different
    if bad.any():
        first = np.argwhere(bad)[0]
        worst = float(np.nanmax(diff)) if np.isfinite(diff).any() else float("nan")
        raise CheckFailed(f"{what} has the right shape but different values: {int(bad.sum())} of {bad.size} "
                          f"differ from the reference's, by up to {worst:.4g}.",
                          expected=f"{b[tuple(first)]:.6g} at {_where(first)}",
                          actual=f"{a[tuple(first)]:.6g} at {_where(first)}", hint=hints.get("values"))


def imports_check(module: str, names: list[str], points: float = 1) -> Check:
    """The import check every data assignment starts with: ``module.py`` imports; the rest depend on it.

    A missing name does not fail this check: the checks that need it say
    what is missing, so one absent function costs only its own tests.
    """

    def imports(ctx):
        found = ctx.observe("load")["names"]
        missing = [name for name in names if found.get(name) is None]
        text = f"{module}.py imports."
        if missing:
            text += f" It does not define {', '.join(missing)}; the tests that need them fail."
        return text

    listing = ", ".join(names)
    return Check(id="imports", name=f"{module}.py imports", kind="import", points=points, func=imports,
                 description=f"{module}.py imports without errors (it should define {listing}).")
