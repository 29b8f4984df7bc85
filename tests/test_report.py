"""report.html: every section the issue names, offline, and escaped."""
from __future__ import annotations

import re

import pytest

from conftest import ROOT, SUBMISSIONS
from grader import hookimpl
from grader.plugin_manager import make_manager

EXAMPLES = ROOT / "assignments" / "mnist_mlp" / "examples"


@pytest.fixture(scope="module")
def mistake_report(run_cli, tmp_path_factory):
    out = tmp_path_factory.mktemp("report")
    proc = run_cli("grade", "mnist-mlp", EXAMPLES / "mistake", "--out", out, "--threads", "1")
    assert proc.returncode == 0, proc.stderr
    return (out / "report.html").read_text()


def test_report_has_every_section(mistake_report):
    html = mistake_report
    assert "8 / 10" in html
    # both parameter tables
    assert "Yours: 203,530 trainable parameters" in html and "Reference: 203,530 trainable parameters" in html
    # the architecture diff, side by side, with the missing activation marked
    assert 'class="missing"' in html and "missing in yours" in html and "ReLU -&gt; (N, 256)" in html
    # loss curve and accuracy against thresholds, as inline SVG
    assert 'aria-label="training loss per step"' in html and "<polyline" in html
    assert 'aria-label="accuracy against thresholds"' in html
    # confusion matrix and misclassified images as inline PNGs
    assert 'class="confusion"' in html
    assert len(re.findall(r'src="data:image/png;base64,', html)) >= 1
    # environment, seed, timings, and the data named as a stand-in
    for phrase in ("torch / torchvision", "seed", "timings", "stand-in", "sha256"):
        assert phrase in html


def test_report_is_self_contained(mistake_report):
    assert not re.search(r'(src|href)="(https?:)?//', mistake_report)
    assert "<script" not in mistake_report


def test_student_output_is_escaped(run_cli, tmp_path):
    sub = tmp_path / "sub"
    sub.mkdir()
    code = (SUBMISSIONS / "mnist_mlp" / "correct_sequential" / "model.py").read_text()
    (sub / "model.py").write_text("print('<script>alert(1)</script>\\x1b[31mred')\n" + code)
    proc = run_cli("check", "mnist-mlp", sub, "--out", tmp_path / "out")
    html = (tmp_path / "out" / "report.html").read_text()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<script>alert" not in html and "\x1b" not in html
    assert proc.returncode == 0


class BrokenWriter:
    @hookimpl
    def grader_write_outputs(self, grade, out_dir):
        raise OSError("disk full")


def test_a_failing_writer_does_not_lose_the_others(tmp_path, cache_dir, monkeypatch):
    from grader.assignment import Options
    from grader.grading import grade, write_outputs
    from grader.plugin_manager import assignments

    monkeypatch.setenv("GRADER_CACHE_DIR", str(cache_dir))
    pm = make_manager(extra_plugins=[BrokenWriter()])
    spec = assignments(pm)["mnist-mlp"]
    result = grade(pm, spec, EXAMPLES / "correct", Options(fast=True, threads=1))
    written, failures = write_outputs(pm, result, tmp_path)
    assert {p.name for p in written} == {"results.json", "report.html"}
    assert len(failures) == 1 and "disk full" in failures[0]
