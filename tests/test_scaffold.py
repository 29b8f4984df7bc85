"""``grader new``: a new assignment, made, installed with pip, listed, validated, calibrated and graded.

The whole instructor's afternoon runs in one test (one pip install, so that
xdist workers never install the same package twice): the package the
scaffold writes must work as written, its own tests included.
"""
from __future__ import annotations

import json
import subprocess
import sys
import tomllib

from conftest import failed_kinds, pip_installed

ID = "digits-cnn"


def test_new_writes_a_plugin_package_with_an_entry_point(run_cli, tmp_path):
    folder = tmp_path / ID
    proc = run_cli("new", ID, "--dir", folder, "--title", "Digits, convolved")
    assert proc.returncode == 0, proc.stderr
    assert f"next: pip install -e {folder} && grader validate {ID}" in proc.stdout
    files = sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file())
    assert files == [".gitignore", "README.md", "__init__.py", "assignment.py", "examples/correct/model.py",
                     "examples/mistake/model.py", "pyproject.toml", "reference/model.py", "tests/test_assignment.py"]
    project = tomllib.loads((folder / "pyproject.toml").read_text())
    assert project["project"]["entry-points"]["grader"] == {ID: "grader_digits_cnn.assignment"}
    assert project["tool"]["setuptools"]["package-dir"] == {"grader_digits_cnn": "."}
    assert 'title="Digits, convolved"' in (folder / "assignment.py").read_text()
    for path in folder.rglob("*.py"):
        compile(path.read_text(), str(path), "exec")


def test_new_refuses_a_bad_id_a_taken_id_and_a_folder_with_files(run_cli, tmp_path):
    bad = run_cli("new", "Digits_CNN", "--dir", tmp_path / "a")
    assert bad.returncode == 2 and "must be 2 to 41 lowercase letters, digits and dashes" in bad.stderr
    taken = run_cli("new", "mnist-mlp", "--dir", tmp_path / "b")
    assert taken.returncode == 2
    assert "'mnist-mlp' is already registered by plugin grader.assignments.mnist_mlp" in taken.stderr
    (tmp_path / "c").mkdir()
    (tmp_path / "c" / "notes.txt").write_text("mine")
    full = run_cli("new", ID, "--dir", tmp_path / "c")
    assert full.returncode == 2 and "already exists and is not an empty folder" in full.stderr
    assert (tmp_path / "c" / "notes.txt").read_text() == "mine"
    assert not (tmp_path / "a").exists() and not (tmp_path / "b").exists()


def test_a_new_assignment_is_installed_listed_calibrated_validated_and_graded(run_cli, grader_env, tmp_path):
    """The instructor's commands in order; the examples are graded by validate and by the package's own tests.

    Calibration comes first so that validate's grades (written with --out)
    show the calibrated thresholds; the package's own tests then run
    ``grader grade`` on both examples, as an instructor would.
    """
    folder = tmp_path / ID
    assert run_cli("new", ID, "--dir", folder).returncode == 0
    with pip_installed(folder, tmp_path / "site") as installed:
        listed = run_cli("list", env=installed)
        assert listed.returncode == 0, listed.stderr
        row = next(line for line in listed.stdout.splitlines() if line.startswith(f" {ID}"))
        assert f"entry point (grader-{ID} 0.1.0)" in row

        calibrated = run_cli("calibrate", ID, "--seeds", "2", "--threads", "1", env=installed)
        assert calibrated.returncode == 0, calibrated.stdout + calibrated.stderr
        assert "seed 0: accuracy" in calibrated.stdout and "seed 1: accuracy" in calibrated.stdout
        assert "band over 2 seeds" in calibrated.stdout

        validated = run_cli("validate", ID, "--threads", "1", "--out", tmp_path / "validated", env=installed)
        assert validated.returncode == 0, validated.stdout + validated.stderr
        assert validated.stdout.count("PASS") == 7 and f"{ID} is ready to release." in validated.stdout
        assert "9 / 11; fails: layer-by-layer trace matches the reference (architecture)" in validated.stdout

        correct = json.loads((tmp_path / "validated" / "correct" / "results.json").read_text())
        assert correct["score"] == correct["max_score"] == 11
        thresholds = correct["extra_data"]["thresholds"]
        assert thresholds["basis"] == "calibration" and thresholds["band"]["count"] == 2
        accuracy = next(t for t in correct["tests"] if t["tags"] == ["accuracy"])
        assert "The reference trained from 2 seeds scored" in accuracy["output"]
        mistake = json.loads((tmp_path / "validated" / "mistake" / "results.json").read_text())
        assert mistake["score"] == 9 and failed_kinds(mistake) == {"architecture"}

        # the package's own tests, as the instructor runs them: grader grade on both examples
        own = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(folder / "tests")],
                             capture_output=True, text=True, env=dict(grader_env, **installed), cwd=folder, timeout=900)
        assert own.returncode == 0, own.stdout + own.stderr
        assert "3 passed" in own.stdout
    assert ID not in run_cli("list").stdout
