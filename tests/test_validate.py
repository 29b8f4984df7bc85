"""``grader validate``: an assignment that is not ready is told why, finding by finding.

A ready assignment passing every finding is in test_scaffold.py (the
scaffold's, validated right after pip installs it); the assignment in
tests/hook_plugins/leaky_assignment.py has every problem validate exists to
catch, and each must be reported.
"""
from __future__ import annotations

import json
from pathlib import Path

import pytest

HOOK_PLUGINS = Path(__file__).parent / "hook_plugins"


@pytest.fixture(scope="module")
def leaky(run_cli, tmp_path_factory):
    out = tmp_path_factory.mktemp("leaky")
    proc = run_cli("validate", "leaky-labels", "--threads", "1", "--out", out,
                   env={"GRADER_PLUGINS": str(HOOK_PLUGINS / "leaky_assignment.py")})
    return proc, " ".join(proc.stdout.split()), out


def test_validate_exits_1_and_names_each_failed_finding(leaky):
    proc, text, _ = leaky
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "5 of 7 findings failed: fix them before release." in text


def test_validate_finds_the_test_labels_staged_for_the_runner(leaky):
    assert ("FAIL hidden data stays out of the runner the staged input 'test_y' holds the test labels: the runner "
            "(the student's code) would see them") in leaky[1]


def test_validate_finds_a_check_description_that_tells_students_nothing(leaky):
    assert ("FAIL every check has a student-facing description check vague: its description 'Checks it.' is too "
            "short") in leaky[1]


def test_validate_finds_runner_imports_the_runner_does_not_have(leaky):
    assert "leaky_probes.py line 2 imports 'requests', which the runner child does not have" in leaky[1]
    assert "leaky_probes.py line 3 imports 'grader'" in leaky[1]


def test_validate_finds_a_mistake_example_that_no_check_catches(leaky):
    assert ("FAIL the example 'mistake' fails a check it passes every check (3 / 3): either it is not a mistake, "
            "or no check catches it") in leaky[1]


def test_validate_finds_a_budget_the_reference_does_not_fit(leaky):
    assert "FAIL budgets fit the declared device (cpu) stage 'inspect' took" in leaky[1]
    assert "s of its 0.5 s time budget" in leaky[1] and "raise time_budget or shorten the recipe" in leaky[1]


def test_validate_grades_the_reference_and_the_examples_and_writes_them(leaky):
    _, text, out = leaky
    assert "PASS the reference gets full marks 3 / 3 from 3 checks" in text
    assert "PASS the correct example gets full marks 3 / 3" in text
    for label in ("reference", "correct", "mistake"):
        results = json.loads((out / label / "results.json").read_text())
        assert results["score"] == results["max_score"] == 3
        assert (out / label / "report.html").is_file()


def test_validate_of_an_unknown_assignment_is_a_usage_error(run_cli):
    proc = run_cli("validate", "no-such-assignment")
    assert proc.returncode == 2 and "unknown assignment 'no-such-assignment'" in proc.stderr


def test_validate_of_a_reference_that_fails_in_the_runner_names_it(run_cli):
    plugin = HOOK_PLUGINS / "broken_reference.py"
    proc = run_cli("validate", "broken-reference", "--threads", "1", env={"GRADER_PLUGINS": str(plugin)})
    assert proc.returncode == 1, proc.stdout + proc.stderr
    text = " ".join(proc.stdout.split())
    assert "FAIL the reference gets full marks the reference implementation of broken-reference failed" in text
    assert "load: SyntaxError" in text
    assert "the reference folder " in text and "syntax_error or the grader's environment is broken" in text
    assert "1 of 4 findings failed" in text  # nothing is graded against a reference that does not run


@pytest.mark.parametrize("assignment", ["conv-basics", "custom-dataset", "transforms", "vgg16-cifar"])
def test_built_in_assignments_that_train_nothing_are_ready_to_release(run_cli, assignment):
    """The course's own assignments pass the checks a third-party one must (those that train are graded at length
    by their own tests)."""
    proc = run_cli("validate", assignment, "--threads", "1")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    text = " ".join(proc.stdout.split())
    assert f"{assignment} is ready to release." in text and "FAIL" not in text
    assert "PASS the example 'mistake' fails a check" in text
