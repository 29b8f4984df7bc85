"""``grader export gradescope``: the bundle's files, and its run_autograder run as Gradescope runs it."""
from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from conftest import SUBMISSIONS, by_kind

MLP = SUBMISSIONS / "mnist_mlp"
GRADER = Path(sys.executable).parent / "grader"


@pytest.fixture(scope="module")
def bundle(run_cli, tmp_path_factory) -> Path:
    """The bundle built once and unzipped where Gradescope puts it: ROOT/source."""
    tmp = tmp_path_factory.mktemp("bundle")
    proc = run_cli("export", "gradescope", "mnist-mlp", "--out", tmp / "autograder.zip", "--time-budget", "15",
                   "--threads", "1")
    assert proc.returncode == 0, proc.stderr
    assert f"wrote {tmp / 'autograder.zip'}" in proc.stdout
    with zipfile.ZipFile(tmp / "autograder.zip") as archive:
        archive.extractall(tmp / "autograder" / "source")
        modes = {i.filename: i.external_attr >> 16 for i in archive.infolist()}
    assert modes["setup.sh"] & stat.S_IXUSR and modes["run_autograder"] & stat.S_IXUSR
    return tmp / "autograder"


def run_autograder(root: Path, submission: Path, grader_env: dict, grader: str) -> subprocess.CompletedProcess:
    shutil.rmtree(root / "submission", ignore_errors=True)
    shutil.rmtree(root / "results", ignore_errors=True)
    shutil.copytree(submission, root / "submission")
    # The bundle's script, run from where Gradescope copies it, against this venv's grader.
    return subprocess.run(["bash", str(root / "source" / "run_autograder")], capture_output=True, text=True,
                          env=dict(grader_env, AUTOGRADER_ROOT=str(root), GRADER=grader), timeout=600)


def test_the_bundle_holds_setup_run_autograder_and_the_grader(bundle):
    source = bundle / "source"
    setup = (source / "setup.sh").read_text()
    assert subprocess.run(["bash", "-n", str(source / "setup.sh")]).returncode == 0
    assert subprocess.run(["bash", "-n", str(source / "run_autograder")]).returncode == 0
    assert "download.pytorch.org/whl/cpu" in setup and "grader-source" in setup
    assert "grader demo --assignment mnist-mlp" in setup and "--time-budget 15" in setup
    run = (source / "run_autograder").read_text()
    assert "grade mnist-mlp" in run and "--device cpu" in run and "--threads 1" in run and "GRADER_OFFLINE=1" in run
    assert (source / "grader-source" / "pyproject.toml").is_file()
    for package in ("grader/grading.py", "grader/batch/pipeline.py", "grader/runner/child.py",
                    "assignments/mnist_mlp/__init__.py", "reference/mnist_mlp/model.py", "templates/report.html.j2",
                    "plugins/results_json.py"):
        assert (source / "grader-source" / package).is_file(), package
    assert not list((source / "grader-source").rglob("__pycache__"))
    meta = json.loads((source / "bundle.json").read_text())
    assert meta["assignment"] == "mnist-mlp" and meta["settings"]["time_budget"] == 15


def test_run_autograder_writes_gradescope_results(bundle, grader_env):
    proc = run_autograder(bundle, MLP / "syntax_error", grader_env, str(GRADER))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    results = json.loads((bundle / "results" / "results.json").read_text())
    assert results["score"] == 0 and results["max_score"] == 10
    assert "syntax error" in by_kind(results)["import"][0]["output"]
    assert (bundle / "results" / "report.html").is_file()


def test_run_autograder_still_writes_results_when_the_grader_fails(bundle, grader_env, tmp_path):
    broken = tmp_path / "grader"
    broken.write_text("#!/bin/sh\necho 'Traceback: something broke' >&2\nexit 3\n")
    broken.chmod(0o755)
    proc = run_autograder(bundle, MLP / "correct_sequential", grader_env, str(broken))
    assert proc.returncode == 0
    results = json.loads((bundle / "results" / "results.json").read_text())
    assert results["score"] == 0 and "The autograder itself failed (exit status 3)" in results["output"]
    assert "something broke" in results["output"]


def test_export_refuses_an_unknown_exporter_and_an_existing_path(run_cli, tmp_path):
    proc = run_cli("export", "canvas", "mnist-mlp", "--out", tmp_path / "x.zip")
    assert proc.returncode == 2 and "unknown exporter 'canvas'" in proc.stderr and "gradescope" in proc.stderr
    (tmp_path / "taken.zip").write_text("")
    proc = run_cli("export", "gradescope", "mnist-mlp", "--out", tmp_path / "taken.zip")
    assert proc.returncode == 2 and "already exists" in proc.stderr
    proc = run_cli("export", "gradescope", "mnist-mlp", "--out", tmp_path / "folder")
    assert proc.returncode == 0 and os.access(tmp_path / "folder" / "run_autograder", os.X_OK)


TAKEOVER_PLUGIN = '''
from grader import hookimpl


@hookimpl
def grader_register_exporters(register):
    register("gradescope", lambda assignment, out, settings: [], "another gradescope")
'''


def test_an_exporter_name_registered_twice_is_refused_naming_both_plugins(run_cli, tmp_path):
    (tmp_path / "takeover.py").write_text(TAKEOVER_PLUGIN)
    proc = run_cli("export", "gradescope", "mnist-mlp", "--out", tmp_path / "x.zip",
                   env={"GRADER_PLUGINS": str(tmp_path / "takeover.py")})
    assert proc.returncode == 3 and not (tmp_path / "x.zip").exists()
    assert "exporter 'gradescope' is registered twice: by grader.plugins.gradescope_bundle and by takeover" in proc.stderr
