"""transforms graded through the CLI: Normalize, one-hot, Resize and RandomCrop on generated images.

Correct submissions written with v1 Compose, v2 and plain functions get full
marks; each typical mistake fails exactly its own test with the sentence and
hint the student reads; a missing function costs only its own tests.
"""
from __future__ import annotations

import json

import pytest

from conftest import SUBMISSIONS, by_kind, failures

CASES = SUBMISSIONS / "transforms"
FULL = 8


def test_v2_style_gets_full_marks_with_tags(grade):
    results, proc = grade("transforms", CASES / "correct_v2")
    assert results["score"] == results["max_score"] == FULL, proc.stdout
    kinds = by_kind(results)
    assert set(kinds) == {"import", "transform"} and len(kinds["transform"]) == 7
    crops = next(t for t in results["tests"] if t["name"].endswith("same window as the reference under the same seed"))
    assert "9 crops under 3 seeds per image" in crops["output"]


def test_plain_functions_pass_grader_check(run_cli, tmp_path):
    """TF.to_tensor with hand-written normalisation, indexing for one-hot, RandomCrop.get_params + TF.crop."""
    proc = run_cli("check", "transforms", CASES / "correct_functions", "--out", tmp_path)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    results = json.loads((tmp_path / "results.json").read_text())
    assert results["score"] == FULL and results["extra_data"]["mode"] == "check"


@pytest.mark.parametrize("case, failing, phrases", [
    ("wrong_mean", "mnist_transform: ToTensor, then Normalize((0.1307,), (0.3081,))",
     ["digit_a.png (grayscale, 28x28) has the right shape but different values",
      "Normalize with mean 0.5 and std 0.3081; use mean 0.1307 and std 0.3081"]),
    ("normalize_three_channels", "half_transform: ToTensor, then Normalize((0.5,), (0.5,))",
     ["Applying it to digit_a.png failed: Your code failed with RuntimeError: output with shape [1, 28, 28]",
      "Your Normalize has a mean and a std for each of 3 channels, and this image has 1"]),
    ("one_hot_wrong_length", "one_hot: an int label becomes a float one-hot of 10",
     ["one_hot(0) has the wrong shape", "Expected: (10,)", "Actual:   (1,)", "num_classes=10"]),
    ("crop_wrong_size", "random_crop_32: the crop is 32x32",
     ["is 28x28; the crop must be 32x32", "Expected: 32x32"]),
    ("resize_keeps_aspect", "resize_512: Resize((512, 512)), then ToTensor",
     ["Expected: (3, 512, 512)", "Actual:   (3, 512, 614)", "give both sides: Resize((512, 512))"]),
])
def test_typical_mistakes_fail_the_right_test(grade, case, failing, phrases):
    results, _ = grade("transforms", CASES / case)
    failed = failures(results)
    assert list(failed) == [failing], failed
    for phrase in phrases:
        assert phrase in failed[failing]


def test_a_missing_function_costs_only_its_tests(grade):
    results, _ = grade("transforms", CASES / "missing_crop")
    failed = failures(results)
    assert list(failed) == ["random_crop_32: the crop is 32x32"]
    # what the file does define, transforms bound by assignment included, not only its one function
    assert ("transforms.py defines mnist_transform, half_transform, one_hot, resize_512, not random_crop_32"
            in " ".join(failed["random_crop_32: the crop is 32x32"].split()))
    imports = next(t for t in results["tests"] if t["tags"] == ["import"])
    assert imports["status"] == "passed" and "does not define random_crop_32" in imports["output"]
    assert results["score"] == FULL - 3  # the size test fails, the window and seed tests are skipped


def test_demo_grades_the_examples_as_labelled(run_cli, tmp_path):
    proc = run_cli("demo", "--assignment", "transforms", "--out", tmp_path, "--threads", "1")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    correct = json.loads((tmp_path / "transforms" / "correct" / "results.json").read_text())
    mistake = json.loads((tmp_path / "transforms" / "mistake" / "results.json").read_text())
    assert correct["score"] == FULL
    failed = failures(mistake)
    assert list(failed) == ["mnist_transform: ToTensor, then Normalize((0.1307,), (0.3081,))"]
    assert "mean 0.3081 and std 0.1307" in next(iter(failed.values()))  # the swapped arguments, named
