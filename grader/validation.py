"""``grader validate``: is an assignment ready to give to students?

Each finding is one claim about the assignment, checked for real rather than
taken on trust:

* **descriptions**: every check has a student-facing description (its
  docstring), a known kind, positive points, and dependencies that resolve;
* **runner modules** import only what the runner child may use (the standard
  library, numpy, torch, torchvision, PIL, ``graderrunner.*`` and each
  other);
* **hidden data**: no array staged for the runner, nor any fixture file,
  holds the test labels (as an array, a column, one-hot rows or one class's
  indicator);
* **reference**: the reference folder, graded as a submission, gets full
  marks from the assignment's own checks;
* **examples**: the ``correct`` example gets full marks and every other
  example (a mistake) fails at least one check;
* **budgets**: on the assignment's declared device, every stage of the
  reference's grading ran within :data:`FIT_SHARE` of its time limit, so a
  correct submission somewhat slower than the reference still fits.

A finding passes, fails, or is skipped with the reason (a CUDA budget cannot
be measured on a machine without a GPU).
"""
from __future__ import annotations

import ast
import csv
import dataclasses
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from grader import KINDS, checks as checks_mod
from grader.errors import GraderError
from grader.plugin_manager import collect_checks

FIT_SHARE = 0.5
"""The share of a stage's time limit the reference may use on the declared device."""

RUNNER_IMPORTS = {"numpy", "torch", "torchvision", "PIL", "graderrunner"}
"""Top-level packages the runner child provides besides the standard library."""


@dataclass
class Finding:
    item: str  # what was checked, in a few words
    status: str  # "pass", "fail" or "skip"
    message: str


def _finding(item: str, problems: list[str], ok_message: str) -> Finding:
    if problems:
        return Finding(item, "fail", "; ".join(problems))
    return Finding(item, "pass", ok_message)


# --------------------------------------------------------------------------
# Static findings: checks, runner modules, staged inputs
# --------------------------------------------------------------------------


def check_descriptions(checks: list) -> Finding:
    problems = []
    for c in checks:
        words = len(c.description.split())
        if words < 4:
            problems.append(f"check {c.id}: its description {c.description!r} is too short to tell a student "
                            "what is checked (write the docstring as a sentence)")
        if c.kind not in KINDS:
            problems.append(f"check {c.id}: kind {c.kind!r} is not one of {', '.join(KINDS)}")
        if not c.points > 0:
            problems.append(f"check {c.id}: it is worth {c.points:g} points")
    if not checks:
        problems.append("no plugin contributes a check (implement grader_collect_checks)")
    try:
        checks_mod.order(checks)
    except ValueError as exc:
        problems.append(str(exc))
    return _finding("every check has a student-facing description", problems,
                    f"{len(checks)} checks, each with a description, a kind, points and resolvable dependencies")


def _imported_roots(path: Path) -> list[tuple[str, int]]:
    tree = ast.parse(Path(path).read_text(encoding="utf-8"), filename=str(path))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(alias.name.split(".")[0], node.lineno) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            found.append(("." * node.level + (node.module or "").split(".")[0], node.lineno))
    return found


def check_runner_modules(assignment) -> Finding:
    own = {Path(m).stem for m in assignment.runner_modules}
    allowed = set(sys.stdlib_module_names) | RUNNER_IMPORTS | own
    problems = []
    for module in assignment.runner_modules:
        try:
            roots = _imported_roots(Path(module))
        except SyntaxError as exc:
            problems.append(f"{Path(module).name} has a syntax error: {exc}")
            continue
        for root, line in roots:
            if root not in allowed:
                problems.append(f"{Path(module).name} line {line} imports {root!r}, which the runner child does "
                                "not have (it is a top-level module: no relative imports, no grader.*)")
    return _finding("runner modules import only what the runner has", problems,
                    f"{len(assignment.runner_modules)} runner module(s), imports allowed")


def holds_labels(array: np.ndarray, labels: np.ndarray) -> bool:
    """Whether ``array`` carries ``labels``: equal, as a column, one-hot, or one class's indicator."""
    a = np.asarray(array)
    n = len(labels)
    if a.dtype.kind not in "biuf" or a.ndim == 0 or n == 0:
        return False
    if a.shape[0] != n and a.shape[-1] == n:
        a = np.moveaxis(a, -1, 0)
    if a.shape[0] != n:
        return False
    rows = a.reshape(n, -1)
    if rows.shape[1] > 1024:  # images and other wide rows are not labels
        return False
    targets = [labels] + [(labels == k) for k in np.unique(labels)]
    for column in rows.T:
        if any(np.array_equal(column, t) for t in targets):
            return True
    return rows.shape[1] > 1 and np.array_equal(rows.argmax(axis=1), labels) and np.isin(rows, (0, 1)).all()


def _csv_columns(path: Path) -> list[np.ndarray]:
    try:
        with open(path, newline="", encoding="utf-8", errors="replace") as handle:
            rows = list(csv.reader(handle))
    except OSError:
        return []
    columns = []
    for column in zip(*rows):
        try:
            columns.append(np.array([float(v) for v in column[1:]]))  # the first row may be a header
        except ValueError:
            continue
    return columns


def check_hidden_data(assignment, dataset, options) -> Finding:
    if dataset is None:
        return Finding("hidden data stays out of the runner", "skip", "the assignment declares no data")
    labels = np.asarray(dataset.test_y)
    problems = []
    for name, array in assignment.staged_inputs(dataset).items():
        if holds_labels(array, labels):
            problems.append(f"the staged input {name!r} holds the test labels: the runner (the student's code) "
                            "would see them; stage only unlabeled test inputs")
    fixture_files = 0
    for stage in assignment.plan(assignment, options):
        if stage.fixtures is None:
            continue
        with tempfile.TemporaryDirectory(prefix="grader-validate-") as tmp:
            stage.fixtures(Path(tmp))
            for path in sorted(Path(tmp).rglob("*")):
                fixture_files += path.is_file()
                if path.suffix == ".npy":
                    arrays = [np.load(path, allow_pickle=False)]
                elif path.suffix in (".csv", ".txt", ".tsv"):
                    arrays = _csv_columns(path)
                else:
                    continue
                if any(holds_labels(a, labels) for a in arrays):
                    problems.append(f"the fixture file {path.name} of stage {stage.name!r} holds the test labels")
    staged = ", ".join(assignment.staged_inputs(dataset)) or "nothing"
    return _finding("hidden data stays out of the runner", problems,
                    f"staged inputs ({staged}) and {fixture_files} fixture file(s) hold no test labels")


# --------------------------------------------------------------------------
# Findings from grading: the reference, the examples, the budgets
# --------------------------------------------------------------------------


def _failures(grade) -> list[str]:
    return [f"{t.name} ({t.kind}, {t.score:g}/{t.max_score:g}): {t.output.splitlines()[0] if t.output else ''}"
            for t in grade.tests if not t.passed]


def check_full_marks(grade, item: str = "the reference gets full marks") -> Finding:
    if grade.score >= grade.max_score and grade.all_passed:
        return Finding(item, "pass", f"{grade.score:g} / {grade.max_score:g} from {len(grade.tests)} checks")
    return Finding(item, "fail", f"{grade.score:g} / {grade.max_score:g}; failed: " + "; ".join(_failures(grade)))


def check_example(label: str, grade) -> Finding:
    if label == "correct":
        return check_full_marks(grade, "the correct example gets full marks")
    failed = [t for t in grade.tests if not t.passed and not t.skipped]
    if failed:
        names = ", ".join(f"{t.name} ({t.kind})" for t in failed)
        return Finding(f"the example {label!r} fails a check", "pass",
                       f"{grade.score:g} / {grade.max_score:g}; fails: {names}")
    return Finding(f"the example {label!r} fails a check", "fail",
                   f"it passes every check ({grade.score:g} / {grade.max_score:g}): either it is not a mistake, "
                   "or no check catches it")


def check_budgets(assignment, options, grade, declared_available: bool) -> Finding:
    item = f"budgets fit the declared device ({assignment.device})"
    if not declared_available:
        return Finding(item, "skip", f"no {assignment.device} device here: run grader validate where there is one")
    budget = assignment.budget(options)
    problems, measured = [], []
    for stage in assignment.plan(assignment, options):
        log = grade.logs.get(stage.name) or {}
        if "seconds" not in log:
            continue
        limit = stage.timeout if stage.timeout is not None else budget
        what = "time budget" if stage.timeout is None else "timeout"
        share = log["seconds"] / limit
        measured.append(f"{stage.name} {log['seconds']:.1f} s of its {limit:g} s {what} ({share:.0%})")
        if share > FIT_SHARE or log.get("timed_out"):
            problems.append(f"stage {stage.name!r} took {log['seconds']:.1f} s of its {limit:g} s {what} "
                            f"({share:.0%}; at most {FIT_SHARE:.0%} leaves room for a slower correct "
                            "submission): raise time_budget or shorten the recipe")
    if not measured:
        return Finding(item, "fail", "the reference's grading ran no stage")
    return _finding(item, problems, f"on {options.device}: " + ", ".join(measured))


def validate(pm, assignment, options, progress=lambda text: None) -> tuple[list[Finding], dict]:
    """Every finding for ``assignment``, and the grades it made (``reference`` and each example's label).

    ``options`` say the device, data and budget to grade with.
    """
    from grader.grading import grade

    collected = collect_checks(pm, assignment)
    findings = [check_descriptions(collected), check_runner_modules(assignment)]
    dataset = assignment.data.load(options.data_root) if assignment.data is not None else None
    findings.append(check_hidden_data(assignment, dataset, options))
    grades = {}
    for label, folder in {"reference": assignment.reference, **assignment.examples}.items():
        progress(f"grading {'the reference as a submission' if label == 'reference' else 'the example ' + label}")
        try:
            grades[label] = grade(pm, assignment, Path(folder), dataclasses.replace(options))
        except GraderError as exc:  # the reference itself failed in the runner: nothing else can be graded
            findings.append(Finding("the reference gets full marks", "fail", str(exc)))
            return findings, grades
        if label == "reference":
            findings.append(check_full_marks(grades[label]))
        else:
            findings.append(check_example(label, grades[label]))
    if "correct" not in assignment.examples or len(assignment.examples) < 2:
        findings.append(Finding("the examples", "fail", "declare examples={'correct': folder, 'mistake': folder} "
                                                        "so that validate (and grader demo) can grade them"))
    declared_available = options.device.startswith(assignment.device)
    findings.append(check_budgets(assignment, options, grades["reference"], declared_available))
    return findings, grades
