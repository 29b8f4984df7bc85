"""mnist-eight graded through the CLI on the offline data: a binary "is it an 8" CNN.

The mark is balanced accuracy, so a model that answers "not 8" everywhere
(about 90 % accuracy) earns nothing for accuracy; the other metrics and the
confusion matrix are reported beside it.
"""
from __future__ import annotations

from pathlib import Path

import pytest

from conftest import ROOT, SUBMISSIONS, by_kind, failed_kinds

EIGHT = SUBMISSIONS / "mnist_eight"
EXAMPLES = ROOT / "assignments" / "mnist_eight" / "examples"


def output_of(results: dict, kind: str) -> str:
    return "\n".join(t["output"] for t in by_kind(results)[kind])


@pytest.mark.parametrize("folder", [EXAMPLES / "correct", EIGHT / "correct_sequential"])
def test_correct_spellings_get_full_marks(grade, folder):
    results, proc = grade("mnist-eight", folder)
    assert results["score"] == results["max_score"] == 10, proc.stdout
    # the reference's count, as the reference code gives it (the notes' prose says conv1 has 896; it has 320)
    assert output_of(results, "parameters") == "420,481 trainable parameters, as the reference."
    metrics = results["extra_data"]["metrics"]
    assert set(metrics) >= {"balanced_accuracy", "accuracy", "precision", "recall", "f1", "confusion_matrix"}
    assert metrics["labels"] == ["not 8", "8"]
    (tn, fp), (fn, tp) = metrics["confusion_matrix"]
    assert tn + fp + fn + tp == results["extra_data"]["data"]["test"]
    assert results["extra_data"]["thresholds"]["metric"] == "balanced_accuracy"
    accuracy = output_of(results, "accuracy")
    assert "balanced accuracy" in accuracy and "precision" in accuracy and "f1" in accuracy
    report = next(line.split(" ", 1)[1] for line in proc.stdout.splitlines() if line.startswith("wrote ")
                  and line.endswith("report.html"))
    html = Path(report).read_text()
    assert "Confusion matrix" in html and "not 8" in html


def test_always_not_eight_scores_high_accuracy_and_no_marks(grade):
    results, _ = grade("mnist-eight", EIGHT / "never_eight")
    metrics = results["extra_data"]["metrics"]
    assert metrics["accuracy"] > 85  # most digits are not 8s...
    assert metrics["balanced_accuracy"] < 55  # ...but it finds (almost) no 8
    (test,) = by_kind(results)["accuracy"]
    assert test["status"] == "failed" and test["score"] == 0
    assert "balanced accuracy" in test["output"] and "confusion matrix" in test["output"]
    assert not {"import", "interface", "parameters", "architecture"} & failed_kinds(results)


def test_softmax_before_bce_fails_architecture_training_and_accuracy(grade):
    results, proc = grade("mnist-eight", EXAMPLES / "mistake")
    assert {"architecture", "training", "accuracy"} <= failed_kinds(results)
    assert not {"import", "interface", "parameters"} & failed_kinds(results)
    assert "raw logits" in output_of(results, "architecture")
    assert "did not go down" in output_of(results, "training")
    assert results["extra_data"]["metrics"]["balanced_accuracy"] == 50.0


@pytest.mark.parametrize("case, kind, words", [
    ("padding_zero", "interface", "(5x1600 and 3136x128) Hint: Both convolutions need padding=1"),
    ("sigmoid_output", "architecture", "ends with Sigmoid"),
    ("no_relu_fc1", "architecture", "missing activation"),
    ("squeezed_output", "interface", "Actual: (N,) Hint: Your output holds the right number of values, but in the "
                                     "shape (N,): return the last layer's output as it is, (N, 1), without squeeze()"),
])
def test_check_names_the_mistake(run_cli, case, kind, words):
    proc = run_cli("check", "mnist-eight", EIGHT / case)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    failed = [line for line in proc.stdout.splitlines() if line.startswith("FAIL")]
    assert any(kind in line for line in failed), proc.stdout
    assert words in " ".join(proc.stdout.split()), proc.stdout
