"""fashion-mlp graded through the CLI: the student's own train_loop and test_loop, judged by behaviour.

Correct loops in two spellings get full marks; each typical loop mistake
fails the loop check it belongs to, with the notes' words for the cause.
Mistakes in the loops are graded with a short budget: the end-to-end
training is not what they test.
"""
from __future__ import annotations

import pytest

from conftest import ROOT, SUBMISSIONS, by_kind, failed_kinds

FASHION = SUBMISSIONS / "fashion_mlp"
EXAMPLES = ROOT / "assignments" / "fashion_mlp" / "examples"
SHORT = ("--time-budget", "4")


def named(results: dict, start: str) -> dict:
    return next(t for t in results["tests"] if t["name"].startswith(start))


@pytest.mark.parametrize("folder", [EXAMPLES / "correct", FASHION / "correct_variant"])
def test_correct_loops_get_full_marks(grade, folder):
    results, proc = grade("fashion-mlp", folder)
    assert results["score"] == results["max_score"] == 15, proc.stdout
    assert named(results, "trainable parameter count")["output"] == "669,706 trainable parameters, as the reference."
    assert "as the reference loop did" in named(results, "train_loop")["output"]
    data = results["extra_data"]["data"]
    assert data["name"] == "FashionMNIST" and data["standin"] is True and "synthetic" in data["note"]
    assert "synthetic" in results["output"]


def test_missing_zero_grad_is_named(grade):
    results, _ = grade("fashion-mlp", EXAMPLES / "mistake", *SHORT)
    loop = named(results, "train_loop")
    assert loop["status"] == "failed" and loop["tags"] == ["training"]
    assert "never calls optimizer.zero_grad()" in loop["output"]
    assert named(results, "test_loop returns")["status"] == "passed"
    assert not {"import", "interface", "parameters", "architecture"} & failed_kinds(results)


@pytest.mark.parametrize("case, words", [
    ("step_before_backward", "calls optimizer.step() before loss.backward()"),
    ("no_train_mode", "never puts the model in training mode"),
])
def test_train_loop_mistakes_are_named(grade, case, words):
    results, _ = grade("fashion-mlp", FASHION / case, *SHORT)
    loop = named(results, "train_loop")
    assert loop["status"] == "failed" and words in loop["output"], loop["output"]
    assert "Expected:" in loop["output"] and "Hint:" in loop["output"]
    assert named(results, "test_loop evaluates")["status"] == "passed"


def test_test_loop_without_eval_or_no_grad(grade):
    results, _ = grade("fashion-mlp", FASHION / "test_loop_no_eval", *SHORT)
    mode = named(results, "test_loop evaluates")
    assert mode["status"] == "failed"
    assert "model.eval()" in mode["output"] and "torch.no_grad()" in mode["output"]
    numbers = named(results, "test_loop returns")
    assert numbers["status"] == "failed" and numbers["output"].startswith("Not checked")  # reported once
    assert named(results, "train_loop")["status"] == "passed"


def test_test_loop_that_calls_backward_leaves_gradients(grade):
    results, _ = grade("fashion-mlp", FASHION / "test_loop_backward", *SHORT)
    mode = named(results, "test_loop evaluates")
    assert mode["status"] == "failed"
    assert "it leaves gradients in" in mode["output"] and "test_loop must not call backward()" in mode["output"]
    assert "gradient tracking on" in mode["output"] and "training mode" not in mode["output"]  # it does call eval()


def test_test_loop_returning_loss_then_accuracy_is_told_the_order(grade):
    results, _ = grade("fashion-mlp", FASHION / "test_loop_swapped", *SHORT)
    numbers = named(results, "test_loop returns")
    assert numbers["status"] == "failed"
    assert "the right numbers in the wrong order: (average loss, accuracy)" in numbers["output"]
    assert "`return correct, test_loss`" in numbers["output"]
    assert named(results, "test_loop evaluates")["status"] == "passed"


def test_test_loop_that_only_prints(grade):
    results, _ = grade("fashion-mlp", FASHION / "test_loop_prints_only", *SHORT)
    numbers = named(results, "test_loop returns")
    assert numbers["status"] == "failed" and "returned NoneType" in numbers["output"]
    assert "return correct, test_loss" in numbers["output"]
    assert named(results, "train_loop")["status"] == "passed"
    assert named(results, "test_loop evaluates")["status"] == "passed"


def test_the_notes_whole_script_as_train_py_is_told_to_guard_it(run_cli):
    """The notes' train.py downloads FashionMNIST and trains at import: the import fails, with what to do."""
    proc = run_cli("check", "fashion-mlp", FASHION / "notes_script")
    assert proc.returncode == 1, proc.stdout + proc.stderr
    text = " ".join(proc.stdout.split())
    assert "FAIL train.py defines train_loop and test_loop import 0/1" in text
    assert "Importing your code failed at train.py line 10" in text and "download=True" in text
    assert "The grader imports train.py only to use the classes and functions it defines" in text
    assert "Put that part under `if __name__ == '__main__':`" in text


def test_missing_train_py(grade):
    results, _ = grade("fashion-mlp", FASHION / "missing_train_py", *SHORT)
    loops = named(results, "train.py defines")
    assert loops["status"] == "failed" and loops["tags"] == ["import"]
    assert "train.py is missing" in loops["output"]
    skipped = [t for t in by_kind(results)["training"] if t["output"].startswith("Not checked")]
    assert len(skipped) == 3  # the three loop checks wait for train.py
    assert named(results, "model.py imports")["status"] == "passed"
