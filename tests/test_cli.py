"""The command line as users meet it: usage errors, list, check, broken archives."""
from __future__ import annotations

import json
import os
import zipfile
from pathlib import Path

import pytest

from conftest import ROOT, SUBMISSIONS, failed_kinds

CORRECT = ROOT / "assignments" / "mnist_mlp" / "examples" / "correct"


@pytest.mark.parametrize("args, phrase", [
    (["grade", "no-such-assignment", CORRECT, "--out", "{tmp}"], "unknown assignment 'no-such-assignment'"),
    (["grade", "mnist-mlp", "{tmp}/nowhere", "--out", "{tmp}"], "submission not found"),
    (["grade", "mnist-mlp", CORRECT, "--out", "{tmp}", "--device", "tpu"], "--device must be"),
    (["grade", "mnist-mlp", CORRECT, "--out", "{tmp}", "--device", "cuda"], "no CUDA device"),
    (["grade", "mnist-mlp", CORRECT, "--out", "{tmp}", "--time-budget", "0"], "--time-budget must be"),
    (["grade", "mnist-mlp", CORRECT, "--out", "{tmp}", "--data", "{tmp}/none"], "no such folder"),
    (["grade", "mnist-mlp", CORRECT], "Missing option '--out'"),
    (["grade", "mnist-mlp", CORRECT, "--out", "{tmp}/a-file/out"], "--out {tmp}/a-file/out: cannot create this folder"),
    (["batch", "mnist-mlp", "{tmp}", "--out", "{tmp}/a-file/out"], "--out {tmp}/a-file/out: cannot create this folder"),
])
def test_bad_usage_is_one_line_and_exit_2(run_cli, tmp_path, args, phrase):
    (tmp_path / "a-file").write_text("not a folder")
    proc = run_cli(*[str(a).replace("{tmp}", str(tmp_path)) for a in args])
    assert proc.returncode == 2
    assert phrase.replace("{tmp}", str(tmp_path)) in " ".join(proc.stderr.split())
    assert "Traceback" not in proc.stderr
    assert not (tmp_path / "results.json").exists()


def test_list_shows_assignments_and_plugins_with_their_origin(run_cli):
    proc = run_cli("list")
    assert proc.returncode == 0
    assert "mnist-mlp" in proc.stdout and "grader.assignments.mnist_mlp" in proc.stdout
    assert "built-in" in proc.stdout
    assert "grader.plugins.report_html" in proc.stdout and "grader_write_outputs" in proc.stdout


def test_blocked_plugin_is_gone(run_cli, tmp_path):
    proc = run_cli("grade", "mnist-mlp", CORRECT, "--out", tmp_path,
                   env={"GRADER_BLOCK_PLUGINS": "grader.plugins.report_html"}, timeout=300)
    assert proc.returncode == 0
    assert (tmp_path / "results.json").exists() and not (tmp_path / "report.html").exists()


def test_check_exits_0_when_all_fast_checks_pass_and_runs_no_training(run_cli, tmp_path):
    proc = run_cli("check", "mnist-mlp", CORRECT, "--out", tmp_path)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    results = json.loads((tmp_path / "results.json").read_text())
    assert {t["tags"][0] for t in results["tests"]} == {"import", "interface", "parameters", "architecture"}
    assert results["extra_data"]["data"] is None and results["extra_data"]["mode"] == "check"
    assert "All fast checks pass" in proc.stdout


def test_check_prints_the_failure_a_student_reads_and_exits_1(run_cli):
    proc = run_cli("check", "mnist-mlp", SUBMISSIONS / "mnist_mlp" / "wrong_class_name")
    assert proc.returncode == 1
    assert "model.py defines Net, not Network" in proc.stdout


def test_an_out_folder_that_cannot_take_results_json_is_the_graders_failure(run_cli, tmp_path):
    (tmp_path / "out" / "results.json").mkdir(parents=True)  # results.json cannot be written
    proc = run_cli("check", "mnist-mlp", SUBMISSIONS / "mnist_mlp" / "syntax_error", "--out", tmp_path / "out")
    assert proc.returncode == 1, "check: its exit status says whether the checks passed"
    proc = run_cli("grade", "mnist-mlp", SUBMISSIONS / "mnist_mlp" / "syntax_error", "--out", tmp_path / "out")
    assert proc.returncode == 3 and "Score: 0 / 10" in proc.stdout
    assert "a writer failed: grader.plugins.results_json" in " ".join(proc.stderr.split())
    assert f"results.json could not be written to {tmp_path / 'out'}" in " ".join(proc.stderr.split())
    assert "Traceback" not in proc.stderr


def test_corrupt_zip_is_a_grade_with_the_reason(grade, tmp_path):
    broken = tmp_path / "broken.zip"
    broken.write_bytes(b"PK\x03\x04 this is not really a zip")
    results, _ = grade("mnist-mlp", broken)
    assert results["score"] == 0 and results["max_score"] == 10
    assert "could not be opened" in results["tests"][0]["output"]
    assert "not a readable .zip" in results["tests"][0]["output"]


def test_zip_with_parent_paths_is_refused_before_extraction(grade, tmp_path):
    evil = tmp_path / "evil.zip"
    with zipfile.ZipFile(evil, "w") as zf:
        zf.write(CORRECT / "model.py", "model.py")
        zf.writestr("../../escaped.py", "print('out')")
    results, _ = grade("mnist-mlp", evil)
    assert failed_kinds(results) >= {"import"}
    assert "points outside the submission" in results["tests"][0]["output"]
    assert not (tmp_path.parent / "escaped.py").exists()


def test_a_file_left_out_of_the_submission_is_said_where_students_read(run_cli, tmp_path):
    # model.py as a link to the real file: staging leaves links out, so the import fails; the
    # student must read why on the terminal, in results.json and in the report, not just "missing"
    submission = tmp_path / "submission"
    submission.mkdir()
    (submission / "model.py").symlink_to(CORRECT / "model.py")
    proc = run_cli("check", "mnist-mlp", submission, "--out", tmp_path / "out")
    assert proc.returncode == 1
    said = "Left out of your submission: model.py (a symbolic link)"
    assert said in " ".join(proc.stdout.split())
    results = json.loads((tmp_path / "out" / "results.json").read_text())
    assert said in results["output"] and "not links" in results["output"]
    assert said in (tmp_path / "out" / "report.html").read_text()


def test_what_student_code_says_is_shown_without_escapes_or_broken_text(run_cli, tmp_path):
    # an exception message with terminal escapes and a lone surrogate, and a file whose name is not
    # UTF-8: the terminal, results.json and the report show them neutralised, and the report is written
    submission = tmp_path / "submission"
    submission.mkdir()
    (submission / "model.py").write_text('raise RuntimeError("\\x1b[2J\\x1b]0;pwned\\x07\\x1b[31mgrade 100%\\x1b[0m '
                                         '\\udcff")\n')
    Path(os.fsdecode(bytes(submission) + b"/notes-\xff.txt")).write_text("x")
    proc = run_cli("check", "mnist-mlp", submission, "--out", tmp_path / "out")
    assert proc.returncode == 1, proc.stderr
    assert "\x1b" not in proc.stdout + proc.stderr and "a writer failed" not in proc.stderr
    results = json.loads((tmp_path / "out" / "results.json").read_text())
    message = results["tests"][0]["output"]
    assert "with RuntimeError: grade 100% ?" in message and "\x1b" not in message and "\udcff" not in message
    assert "notes-?.txt (a file name that is not valid UTF-8" in results["output"]
    report = (tmp_path / "out" / "report.html").read_text()
    assert "grade 100%" in report and "\x1b" not in report


def test_what_a_forward_pass_raises_is_shown_without_escapes(run_cli, tmp_path):
    # the interface check reports the forward pass's exception from the runner's results, not its errors
    submission = tmp_path / "submission"
    submission.mkdir()
    (submission / "model.py").write_text(
        "from torch import nn\n\n\nclass Network(nn.Module):\n    def __init__(self):\n        super().__init__()\n"
        "        self.layer = nn.Linear(784, 10)\n\n    def forward(self, x):\n"
        "        raise RuntimeError('\\x1b[2J\\x1b[31mall tests passed\\x1b[0m \\udcff')\n")
    proc = run_cli("check", "mnist-mlp", submission, "--out", tmp_path / "out")
    assert proc.returncode == 1, proc.stderr
    assert "\x1b" not in proc.stdout + proc.stderr and "a writer failed" not in proc.stderr
    interface = json.loads((tmp_path / "out" / "results.json").read_text())["tests"][1]
    assert interface["tags"] == ["interface"] and "RuntimeError: all tests passed ?" in interface["output"]
    assert "all tests passed" in (tmp_path / "out" / "report.html").read_text()


def _damaged_zip(path, damage: str) -> None:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as archive:
        archive.write(CORRECT / "model.py", "model.py")
        if damage == "clash":  # data, then data/ as a folder
            archive.writestr("data", "x")
            archive.writestr("data/inner.txt", "y")
    raw = bytearray(path.read_bytes())
    if damage == "encrypted":  # the "encrypted" flag bit in the local and the central header
        for signature, offset in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
            raw[raw.index(signature) + offset] |= 0x1
    elif damage == "bad_crc":  # the stored bytes change, their CRC does not
        raw[raw.index(b"class Network") + 6] ^= 0x20
    path.write_bytes(bytes(raw))


@pytest.mark.parametrize("damage, phrase", [
    ("encrypted", "is password-protected (model.py is encrypted); zip your files again without a password"),
    ("bad_crc", "could not be unpacked: model.py is damaged or packed in a way the grader cannot read"),
    ("clash", "uses a name both for a file and for a folder (data/inner.txt)"),
])
def test_a_zip_that_cannot_be_unpacked_is_a_grade_with_the_reason(run_cli, tmp_path, damage, phrase):
    archive = tmp_path / "handin.zip"
    _damaged_zip(archive, damage)
    proc = run_cli("check", "mnist-mlp", archive, "--out", tmp_path / "out")
    assert proc.returncode == 1, proc.stderr
    results = json.loads((tmp_path / "out" / "results.json").read_text())
    assert phrase in results["tests"][0]["output"]
