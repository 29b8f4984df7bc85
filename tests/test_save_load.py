"""save-load graded through the CLI: a state_dict loaded with weights_only=True in the runner, then tested.

The weights checks are fast checks, so most cases run as ``grader check``;
the accuracy needs ``grader grade``. How each weights file was made:
tests/submissions/save_load/make_files.py.
"""
from __future__ import annotations

import ast

import pytest

from conftest import ROOT, SUBMISSIONS, by_kind, failed_kinds

SAVE = SUBMISSIONS / "save_load"
EXAMPLES = ROOT / "assignments" / "save_load" / "examples"


def output_of(results: dict, kind: str) -> str:
    return "\n".join(t["output"] for t in by_kind(results)[kind])


@pytest.mark.parametrize("folder", [EXAMPLES / "correct", SAVE / "correct_relu_module", SAVE / "legacy_format"])
def test_state_dicts_get_full_marks(grade, folder):
    results, proc = grade("save-load", folder)
    assert results["score"] == results["max_score"] == 9, proc.stdout
    assert "state_dict of 4 tensors" in output_of(results, "import")
    assert results["extra_data"]["metrics"]["accuracy"] > 90
    assert results["extra_data"]["data"]["name"] == "MNIST"


def test_whole_pickled_model_is_refused_with_the_notes_reason(grade):
    results, _ = grade("save-load", EXAMPLES / "mistake")
    (weights,) = [t for t in results["tests"] if t["name"].startswith("weights.pth is a state_dict")]
    assert weights["status"] == "failed" and weights["tags"] == ["import"]
    text = " ".join(weights["output"].split())
    assert "whole pickled model" in text and "model.Network" in text
    assert "weights_only=False, which runs whatever code the file names" in text
    assert "torch.save(model.state_dict(), 'weights.pth')" in text
    accuracy = by_kind(results)["accuracy"][0]
    assert accuracy["output"].startswith("Not checked")  # skipped, not failed a second time


def test_untrained_weights_load_but_fail_the_accuracy(grade):
    results, _ = grade("save-load", SAVE / "untrained_zeros")
    assert failed_kinds(results) == {"accuracy"}
    assert results["extra_data"]["metrics"]["accuracy"] < 30


@pytest.mark.parametrize("case, kind, words", [
    ("wrong_shapes", "parameters", "layer1.weight: (32, 784) in the file, (256, 784) in your model"),
    ("renamed_layers", "parameters", "missing from the file: fc1.weight, fc1.bias, fc2.weight, fc2.bias"),
    ("checkpoint_dict", "import", "holds a checkpoint dict (keys: epoch, model_state_dict, loss)"),
    ("not_a_torch_file", "import", "refuses the file"),
    ("missing_weights", "import", "weights.pth is missing from your submission"),
])
def test_check_names_what_is_wrong_with_the_file(run_cli, case, kind, words):
    proc = run_cli("check", "save-load", SAVE / case)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    failed = {line.split()[-2] for line in proc.stdout.splitlines() if line.startswith("FAIL")}
    assert failed == {kind}, proc.stdout
    assert words in " ".join(proc.stdout.split()), proc.stdout


def test_a_hostile_pickle_is_refused_and_never_run(run_cli):
    proc = run_cli("check", "save-load", SAVE / "hostile_pickle")
    assert proc.returncode == 1
    text = " ".join(proc.stdout.split())
    assert "weights_only=True) refuses the file: Unsupported global: GLOBAL exec" in text
    assert "PWNED" not in proc.stdout + proc.stderr  # its code ran nowhere: not in the runner, not here


def _unpickling_calls(path):
    """``(line, source)`` of each call to torch.load, pickle.load(s) or an Unpickler in a file (by its syntax tree)."""
    tree = ast.parse(path.read_text())
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            owner = node.func.value.id if isinstance(node.func.value, ast.Name) else None
            if (owner, node.func.attr) in {("torch", "load"), ("pickle", "load"), ("pickle", "loads"),
                                           ("pickle", "Unpickler")}:
                yield node.lineno, ast.get_source_segment(path.read_text(), node)


def test_the_grader_never_unpickles_outside_the_runner():
    """The grader's own code loads no pickle; the runner loads torch files only with weights_only=True."""
    calls = []
    for path in [*ROOT.glob("grader/**/*.py"), *ROOT.glob("plugins/**/*.py"), *ROOT.glob("assignments/**/*.py")]:
        if "examples" not in path.parts:
            calls += [(path.relative_to(ROOT).as_posix(), source) for _, source in _unpickling_calls(path)]
    outside = [c for c in calls if not c[0].startswith("grader/runner/")]
    assert outside == [], outside
    assert calls and all("weights_only=True" in source for _, source in calls), calls
