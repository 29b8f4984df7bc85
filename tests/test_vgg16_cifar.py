"""vgg16-cifar graded through the CLI: both of the notes' ways, each against its own reference; no downloads."""
from __future__ import annotations

import pytest

from conftest import ROOT, SUBMISSIONS, by_kind, failed_kinds

VGG = SUBMISSIONS / "vgg16_cifar"
EXAMPLES = ROOT / "assignments" / "vgg16_cifar" / "examples"


def output_of(results: dict, kind: str) -> str:
    return "\n".join(t["output"] for t in by_kind(results)[kind])


@pytest.mark.parametrize("folder, parameters, way", [
    (EXAMPLES / "correct", "134,301,514", "classifier[6] replaced by Linear(4096, 10)"),
    (VGG / "correct_append", "138,367,554", "Linear(1000, 10) appended as classifier.add_Linear"),
])
def test_both_ways_get_full_marks_against_their_own_reference(grade, folder, parameters, way):
    results, proc = grade("vgg16-cifar", folder)
    assert results["score"] == results["max_score"] == 6, proc.stdout
    assert f"{parameters} trainable parameters" in output_of(results, "parameters")
    assert way in output_of(results, "architecture")
    assert "(N, 3, 224, 224) -> output (N, 10)" in output_of(results, "interface")


@pytest.mark.parametrize("case, asked", [("pretrained_true", "VGG16_Weights.IMAGENET1K_V1"),
                                         ("weights_imagenet", "weights=IMAGENET1K_V1")])
def test_pretrained_weights_get_a_sentence_and_nothing_is_downloaded(grade, case, asked):
    results, _ = grade("vgg16-cifar", VGG / case)
    (weights,) = [t for t in results["tests"] if t["name"].startswith("build_model() asks for no pretrained")]
    assert weights["status"] == "failed" and weights["tags"] == ["parameters"]
    assert "Nothing is downloaded during grading" in weights["output"]
    assert asked in weights["output"]
    # the architecture is still graded, with random weights
    assert results["score"] == results["max_score"] - 1


def test_mixed_up_head_fails_forward_and_classifier(grade):
    results, _ = grade("vgg16-cifar", EXAMPLES / "mistake")
    assert {"interface", "architecture", "parameters"} <= failed_kinds(results)
    assert "mat1 and mat2 shapes cannot be multiplied (2x1000 and 4096x10)" in output_of(results, "interface")
    classifier = output_of(results, "architecture")
    assert "classifier[7]" in classifier and "Expected: Linear(1000, 10)" in classifier


def test_a_new_attribute_outside_the_classifier(grade):
    results, _ = grade("vgg16-cifar", VGG / "fc_attribute")
    assert "Expected: (N, 10)" in output_of(results, "interface")
    assert "outside the classifier (fc)" in output_of(results, "architecture")
