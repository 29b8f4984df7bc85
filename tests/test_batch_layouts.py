"""The layouts ``grader batch`` reads: a folder or .zip per student, a Gradescope export, nbgrader.

Most of these are ``--dry-run`` (the plan is printed and nothing is graded),
so they are quick; one Gradescope export is graded for real, with two quick
submissions, to follow its student ids into the exports.
"""
from __future__ import annotations

import csv
import json
import os
import shutil
import zipfile
from pathlib import Path

from conftest import SUBMISSIONS

MLP = SUBMISSIONS / "mnist_mlp"

METADATA = """submission_111:
  :submitters:
  - :name: Solo Student
    :sid: '100'
    :email: solo@example.edu
  :created_at: 2026-01-10 10:00:00.000000000 -08:00
  :score: 0.0
submission_222:
  :submitters:
  - :name: Pair One
    :sid: '200'
    :email: one@example.edu
  - :name: Pair Two
    :sid: '201'
    :email: two@example.edu
  :created_at: 2026-01-10 11:00:00.000000000 -08:00
submission_444:
  :submitters:
  - :name: No Folder
    :sid: '400'
"""


def plan_rows(stdout: str) -> dict[str, list[str]]:
    """The dry-run table: student -> [action, why, sha256, source]."""
    rows = {}
    for line in stdout.splitlines()[1:]:
        parts = line.split()
        if len(parts) >= 4 and parts[1] in ("grade", "keep"):
            rows[parts[0]] = parts[1:]
    return rows


def gradescope_export(root: Path) -> Path:
    root.mkdir(parents=True)
    (root / "submission_metadata.yml").write_text(METADATA)
    shutil.copytree(MLP / "syntax_error", root / "submission_111")
    shutil.copytree(MLP / "wrong_class_name", root / "submission_222")
    shutil.copytree(MLP / "wrong_width", root / "submission_333")  # not in the metadata
    return root


def test_folders_and_zips_one_per_student(run_cli, tmp_path):
    root = tmp_path / "class"
    shutil.copytree(MLP / "syntax_error", root / "alice")
    with zipfile.ZipFile(root / "bob.zip", "w") as archive:
        archive.write(MLP / "wrong_width" / "model.py", "model.py")
    with zipfile.ZipFile(root / "alice.zip", "w") as archive:  # alice/ wins over alice.zip
        archive.write(MLP / "wrong_width" / "model.py", "model.py")
    (root / "notes.txt").write_text("not a submission")
    (root / ".DS_Store").write_text("")
    shutil.copytree(MLP / "wrong_width", root / "carol d'arc")
    proc = run_cli("batch", "mnist-mlp", root, "--out", tmp_path / "out", "--dry-run")
    assert proc.returncode == 0, proc.stderr
    rows = plan_rows(proc.stdout)
    assert set(rows) == {"alice", "bob", "carol_d_arc"}
    assert all(r[0] == "grade" and r[1] == "new" for r in rows.values())
    assert rows["alice"][3].endswith("/alice") and rows["bob"][3].endswith("bob.zip")
    assert "alice.zip ignored: the folder alice/ is graded instead" in proc.stdout
    assert "notes.txt ignored" in proc.stdout and ".DS_Store" not in proc.stdout
    assert "3 to grade, 0 kept (folders layout)" in proc.stdout
    assert not (tmp_path / "out" / "alice").exists(), "a dry run grades nothing"


def test_a_gradescope_export_is_read_from_its_metadata(run_cli, tmp_path):
    export = gradescope_export(tmp_path / "assignment_123_export")
    proc = run_cli("batch", "mnist-mlp", tmp_path, "--out", tmp_path / "out", "--dry-run")  # one level up
    assert proc.returncode == 0, proc.stderr
    rows = plan_rows(proc.stdout)
    assert set(rows) == {"100", "200+201"}
    assert rows["100"][3] == str(export / "submission_111")
    assert "submission_444 is in submission_metadata.yml but has no folder" in proc.stdout
    assert "submission_333/ ignored: it is not listed in submission_metadata.yml" in proc.stdout
    assert "(gradescope layout)" in proc.stdout


def test_nbgrader_submitted_student_assignment(run_cli, tmp_path):
    course = tmp_path / "course"
    shutil.copytree(MLP / "syntax_error", course / "submitted" / "alice" / "mnist_mlp")
    shutil.copytree(MLP / "wrong_width", course / "submitted" / "bob" / "mnist-mlp")
    shutil.copytree(MLP / "wrong_width", course / "submitted" / "bob" / "ps2")
    shutil.copytree(MLP / "wrong_width", course / "submitted" / "carol" / "ps2")
    for root in (course, course / "submitted"):
        proc = run_cli("batch", "mnist-mlp", root, "--out", tmp_path / "out", "--dry-run")
        assert proc.returncode == 0, proc.stderr
        rows = plan_rows(proc.stdout)
        assert set(rows) == {"alice", "bob"}
        assert rows["bob"][3].endswith("submitted/bob/mnist-mlp")
        assert "carol/ ignored: no mnist-mlp folder inside" in proc.stdout and "(nbgrader layout)" in proc.stdout


def test_bad_input_is_a_clear_error(run_cli, tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    proc = run_cli("batch", "mnist-mlp", empty, "--out", tmp_path / "out")
    assert proc.returncode == 2 and "no submissions found" in proc.stderr
    proc = run_cli("batch", "mnist-mlp", tmp_path / "nowhere", "--out", tmp_path / "out")
    assert proc.returncode == 2 and "is not a folder" in proc.stderr
    shutil.copytree(MLP / "syntax_error", tmp_path / "class" / "alice")
    proc = run_cli("batch", "mnist-mlp", tmp_path / "class", "--out", tmp_path / "out", "--only", "zed")
    assert proc.returncode == 2 and "--only zed: no such student" in proc.stderr and "alice" in proc.stderr
    proc = run_cli("batch", "mnist-mlp", tmp_path / "class", "--out", tmp_path / "out", "--workers", "0")
    assert proc.returncode == 2 and "--workers must be at least 1" in proc.stderr
    proc = run_cli("batch", "no-such-assignment", tmp_path / "class", "--out", tmp_path / "out")
    assert proc.returncode == 2 and "unknown assignment" in proc.stderr
    proc = run_cli("history", "alice", "--out", tmp_path / "nothing-here")
    assert proc.returncode == 2 and "no gradebook" in proc.stderr


def test_a_graded_gradescope_export_keeps_its_ids_in_every_export(run_cli, tmp_path):
    gradescope_export(tmp_path / "export")
    out = tmp_path / "out"
    proc = run_cli("batch", "mnist-mlp", tmp_path / "export", "--out", out, "--workers", "2", "--threads", "1",
                   "--time-budget", "15", env={"GRADER_BLOCK_PLUGINS": "grader.plugins.results_jsonl"})
    assert proc.returncode == 0, proc.stdout + proc.stderr
    with open(out / "gradebook.csv", newline="") as handle:
        rows = {row["id"]: row for row in csv.DictReader(handle)}
    assert set(rows) == {"100", "200+201"} and rows["100"]["score"] == "0" and rows["100"]["status"] == "graded"
    assert json.loads((out / "200+201" / "results.json").read_text())["score"] == 0
    assert "Pair" not in (out / "summary.html").read_text() and "200, 201" in (out / "summary.html").read_text()
    assert not (out / "results.jsonl").exists(), "a blocked exporter writes nothing"
    assert "wrote" in proc.stdout and "results.jsonl" not in proc.stdout


def test_names_that_are_not_utf8_are_said_and_do_not_stop_the_batch(run_cli, tmp_path):
    # a TA's download may hold names in another encoding (or with control characters): Python sees
    # them as lone surrogates, which no terminal, gradebook or report can take
    root = tmp_path / "class"
    shutil.copytree(MLP / "syntax_error", root / "alice")
    shutil.copytree(MLP / "wrong_width", os.fsdecode(bytes(root) + b"/jos\xe9"))
    Path(os.fsdecode(bytes(root) + b"/\xff\x1b[2Jstray.txt")).write_text("not a submission")
    proc = run_cli("batch", "mnist-mlp", root, "--out", tmp_path / "out", "--dry-run")
    assert proc.returncode == 0, proc.stderr
    assert set(plan_rows(proc.stdout)) == {"alice"} and "\x1b" not in proc.stdout
    said = " ".join(proc.stdout.split())
    assert "jos? ignored: its path is not valid UTF-8 or holds control characters; rename it" in said
    assert "?stray.txt ignored: a submission is a folder or a .zip" in said


def test_an_out_folder_inside_the_submissions_is_not_a_student(run_cli, tmp_path):
    root = tmp_path / "class"
    shutil.copytree(MLP / "syntax_error", root / "alice")
    proc = run_cli("batch", "mnist-mlp", root, "--out", root / "graded", "--dry-run")
    assert proc.returncode == 0, proc.stderr
    assert set(plan_rows(proc.stdout)) == {"alice"} and "graded/ ignored: it is the --out folder" in proc.stdout


def test_an_out_folder_that_would_replace_a_submission_is_refused(run_cli, tmp_path):
    root = tmp_path / "class"
    shutil.copytree(MLP / "syntax_error", root / "alice")
    course = tmp_path / "course"
    shutil.copytree(MLP / "syntax_error", course / "submitted" / "bob" / "mnist-mlp")
    for submissions, out in ((root, root), (course, course / "submitted")):
        proc = run_cli("batch", "mnist-mlp", submissions, "--out", out)
        assert proc.returncode == 2, proc.stdout + proc.stderr
        assert f"--out {out} would replace" in " ".join(proc.stderr.split())
    assert (root / "alice" / "model.py").is_file()
    assert (course / "submitted" / "bob" / "mnist-mlp" / "model.py").is_file()
    assert not (root / "gradebook.sqlite").exists()
