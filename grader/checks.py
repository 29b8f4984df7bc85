"""Checks: what an instructor writes to turn observations into marks.

A check is a function decorated with :func:`check`. Its docstring is the
sentence students see; it receives a :class:`CheckContext` and

* returns ``None`` (full marks) or a string (full marks, with a message),
* returns :class:`Partial` for a fraction of the marks, or
* raises :class:`CheckFailed` with the expected and actual values and a hint.

A check that names others in ``depends`` is skipped (no marks, and a short
note saying why) when any of them did not pass, so one mistake is reported
once, where it happens, rather than by every check after it::

    @check(kind="parameters", points=1, depends=["loads"])
    def parameter_count(ctx):
        '''The network has as many trainable parameters as the reference.'''
        mine, ref = ctx.observe("params")["trainable"], ctx.reference("params")["trainable"]
        if mine != ref:
            raise CheckFailed("wrong number of parameters", expected=ref, actual=mine,
                              hint="compare the layer widths with the assignment")
"""
from __future__ import annotations

import inspect
from dataclasses import dataclass, field
from typing import Any, Callable

from grader import KINDS, explain


class CheckFailed(Exception):
    """A check did not pass. The message is a sentence for the student."""

    def __init__(self, message: str, *, expected: Any = None, actual: Any = None, hint: str | None = None,
                 score: float = 0.0):
        super().__init__(message)
        self.message, self.expected, self.actual, self.hint, self.score = message, expected, actual, hint, score


class ProbeFailed(CheckFailed):
    """What the check needed from the runner is missing; the message says why."""


@dataclass
class Partial:
    """Part of a check's marks: ``fraction`` in [0, 1] and a sentence."""

    fraction: float
    message: str


@dataclass
class Check:
    id: str
    name: str
    kind: str
    points: float
    func: Callable
    description: str
    depends: tuple[str, ...] = ()
    visibility: str = "visible"

    def __post_init__(self):
        if self.kind not in KINDS:
            raise ValueError(f"check {self.id}: kind {self.kind!r} is not one of {', '.join(KINDS)}")
        if not self.description:
            raise ValueError(f"check {self.id} needs a docstring: it is the sentence students read")


def check(*, kind: str, points: float, name: str | None = None, depends=(), visibility: str = "visible"):
    """Make a :class:`Check` from a function; its docstring is what students read."""

    def decorate(func):
        doc = inspect.cleandoc(func.__doc__ or "")
        return Check(id=func.__name__, name=name or doc.split("\n")[0].rstrip("."), kind=kind,
                     points=float(points), func=func, description=doc, depends=tuple(depends),
                     visibility=visibility)

    return decorate


@dataclass
class CheckContext:
    """What a check can see: the runner's observations, the reference's, the data."""

    assignment: Any
    options: Any
    observations: dict  # call id -> launcher.Observation
    runs: dict  # stage name -> launcher.RunResult, or a sentence why it did not run
    reference_run: Any  # grader.reference.ReferenceRun
    dataset: Any = None  # grader.data.Dataset; None for ``grader check``
    metrics: dict = field(default_factory=dict)  # goes to extra_data.metrics
    details: dict = field(default_factory=dict)  # the current check's details for the report
    call_stage: dict = field(default_factory=dict)  # call id -> stage name

    def observe(self, call: str) -> dict:
        """The data a call returned, or :class:`ProbeFailed` with the reason it is missing."""
        obs = self.observations.get(call)
        if obs is not None and obs.ok:
            return obs.data
        if obs is not None:
            raise ProbeFailed(explain.error(obs.error), hint=explain.import_hint(obs.error))
        raise ProbeFailed(explain.missing(call, self.runs.get(self.call_stage.get(call))))

    def array(self, call: str, name: str):
        self.observe(call)
        arrays = self.observations[call].arrays
        if name not in arrays:
            raise ProbeFailed(f"the runner did not return its {name} (or returned an unreadable file)")
        return arrays[name]

    def reference(self, call: str) -> dict:
        """The data the reference implementation returned for the same call."""
        return self.reference_run.data(call)

    def reference_array(self, call: str, name: str):
        """An array the reference implementation saved for the same call."""
        return self.reference_run.array(call, name)

    def thresholds(self) -> dict:
        """The assignment's thresholds for this grading, resolved.

        From the band ``grader calibrate`` stored for this data when there is
        one, else from the reference's run (or the fixed numbers); ``basis``
        says which, and the dict goes to ``extra_data.thresholds`` when a
        check stores it as ``ctx.metrics["_thresholds"]``.
        """
        from grader import calibration

        return calibration.thresholds(self.assignment, self.options, self.dataset, self.reference_run)


@dataclass
class CheckResult:
    check: Check
    score: float
    passed: bool
    output: str
    skipped: bool = False
    details: dict = field(default_factory=dict)


def _format(exc: CheckFailed) -> str:
    lines = [exc.message]
    if exc.expected is not None:
        lines.append(f"Expected: {exc.expected}")
    if exc.actual is not None:
        lines.append(f"Actual:   {exc.actual}")
    if exc.hint:
        lines.append(f"Hint: {exc.hint}")
    return "\n".join(lines)


def order(checks: list[Check]) -> list[Check]:
    """Checks in declared order, each after the checks it depends on."""
    by_id = {c.id: c for c in checks}
    done: list[Check] = []
    seen: set[str] = set()

    def visit(c: Check, stack: tuple = ()):
        if c.id in seen:
            return
        if c.id in stack:
            raise ValueError(f"checks depend on each other in a cycle: {' -> '.join(stack + (c.id,))}")
        for dep in c.depends:
            if dep not in by_id:
                raise ValueError(f"check {c.id} depends on {dep!r}, which no plugin provides")
            visit(by_id[dep], stack + (c.id,))
        seen.add(c.id)
        done.append(c)

    for c in checks:
        visit(c)
    return done


def run_checks(checks: list[Check], ctx: CheckContext) -> list[CheckResult]:
    results: dict[str, CheckResult] = {}
    for c in order(checks):
        failed = [d for d in c.depends if not results[d].passed]
        if failed:
            names = ", ".join(f"'{results[d].check.name}'" for d in failed)
            results[c.id] = CheckResult(c, 0.0, False, f"Not checked: this needs {names} to pass first.",
                                        skipped=True)
            continue
        ctx.details = {}
        try:
            outcome = c.func(ctx)
            if isinstance(outcome, Partial):
                fraction = min(1.0, max(0.0, float(outcome.fraction)))
                result = CheckResult(c, round(c.points * fraction, 4), fraction >= 1.0, outcome.message)
            else:
                result = CheckResult(c, c.points, True, outcome if isinstance(outcome, str) else "")
        except CheckFailed as exc:
            result = CheckResult(c, round(c.points * exc.score, 4), False, _format(exc))
        except Exception as exc:  # a bug in the check itself: grade on, and say so
            result = CheckResult(c, 0.0, False, f"The grader could not run this check ({type(exc).__name__}: "
                                               f"{exc}). This is the grader's fault: tell your TA.")
        result.details = ctx.details
        results[c.id] = result
    return [results[c.id] for c in checks if c.id in results]
