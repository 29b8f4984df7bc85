"""conv-basics graded through the CLI: conv2d stride and padding, max-pool ceil_mode, (N, C, H, W), the formula.

Correct submissions in the notes' functional style and with nn layers get
full marks; each typical mistake fails exactly its own test with a sentence
that names what the student's value equals and what to write instead.
"""
from __future__ import annotations

import json

from conftest import SUBMISSIONS, by_kind, failures

CASES = SUBMISSIONS / "conv_basics"
FULL = 8


def test_nn_layers_style_passes_grader_check(run_cli, tmp_path):
    """nn.Conv2d with the kernel copied into its weight (float outputs), nn.MaxPool2d, unsqueeze, math.floor."""
    proc = run_cli("check", "conv-basics", CASES / "correct_modules", "--out", tmp_path)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    results = json.loads((tmp_path / "results.json").read_text())
    assert results["score"] == FULL
    kinds = by_kind(results)
    assert set(kinds) == {"import", "architecture", "interface"}
    assert [t["name"] for t in kinds["interface"]] == ["to_nchw: (H, W) becomes (1, 1, H, W)"]
    formula = next(t for t in kinds["architecture"] if t["name"].startswith("conv_output_size"))
    assert "All 12 cases are right, 8 of them beyond the notes'" in formula["output"]


def test_padding_mistaken_for_stride_is_named(grade):
    results, _ = grade("conv-basics", CASES / "padding_as_stride")
    failed = failures(results)
    assert list(failed) == ["conv_outputs: stride 1, padding 1"]
    text = failed["conv_outputs: stride 1, padding 1"]
    assert "Expected: (1, 1, 5, 5)" in text and "Actual:   (1, 1, 3, 3)" in text
    assert "Your padding1 equals what F.conv2d(input, kernel, stride=1) gives" in text
    assert "Pass stride and padding by name" in text


def test_float_division_in_the_formula_fails_it(grade):
    results, _ = grade("conv-basics", CASES / "float_division")
    failed = failures(results)
    assert list(failed) == ["conv_output_size: the output size formula"]
    text = failed["conv_output_size: the output size formula"]
    assert "12 of 12 cases are wrong" in text and "Actual:   a float (3.0)" in text
    assert "divide with // (floor division)" in text


def test_a_hardcoded_reshape_fails_to_nchw_on_other_sizes(grade):
    results, _ = grade("conv-basics", CASES / "to_nchw_hardcoded")
    failed = failures(results)
    assert "to_nchw: (H, W) becomes (1, 1, H, W)" in failed
    text = failed["to_nchw: (H, W) becomes (1, 1, H, W)"]
    assert "to_nchw of a (3, 7) float32 tensor failed" in text and "conv.py line" in text
    assert "Use the tensor's own size" in text
    # conv_outputs calls the same to_nchw on the 3x3 kernel, so the convolutions fail with its line too
    assert all("conv.py line 16" in failed[name] for name in failed if name.startswith("conv_outputs"))
    assert all(t["status"] == "passed" for t in results["tests"] if t["name"].startswith("pool_outputs"))


def test_demo_grades_the_examples_as_labelled(run_cli, tmp_path):
    proc = run_cli("demo", "--assignment", "conv-basics", "--out", tmp_path, "--threads", "1")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    correct = json.loads((tmp_path / "conv-basics" / "correct" / "results.json").read_text())
    mistake = json.loads((tmp_path / "conv-basics" / "mistake" / "results.json").read_text())
    assert correct["score"] == FULL
    assert list(failures(mistake)) == ["conv_outputs: stride 1, padding 1"]
