"""Shared fixtures: the CLI run as a user runs it, on the offline data.

Every test runs ``grader`` in a subprocess (the installed console script's
module) with ``GRADER_OFFLINE=1`` and one cache folder shared by the whole
session, so the stand-in data and the reference runs are made once.
"""
from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SUBMISSIONS = Path(__file__).resolve().parent / "submissions"


@pytest.fixture(scope="session")
def cache_dir(tmp_path_factory) -> Path:
    # Shared by xdist workers too (their base temps share a parent); writes are atomic.
    path = tmp_path_factory.getbasetemp().parent / "grader-cache"
    path.mkdir(exist_ok=True)
    return path


@pytest.fixture(scope="session")
def grader_env(cache_dir) -> dict:
    env = dict(os.environ)
    env.update(GRADER_CACHE_DIR=str(cache_dir), GRADER_OFFLINE="1", COLUMNS="200", NO_COLOR="1")
    env.pop("GRADER_BLOCK_PLUGINS", None)
    return env


@pytest.fixture(scope="session")
def run_cli(grader_env):
    """``run_cli("grade", ...)`` -> CompletedProcess with text stdout/stderr."""

    def run(*args, env: dict | None = None, timeout: float = 600, cwd: Path | None = None):
        merged = dict(grader_env, **(env or {}))
        return subprocess.run([sys.executable, "-m", "grader.cli", *map(str, args)], capture_output=True,
                              text=True, env=merged, timeout=timeout, cwd=cwd or ROOT)

    return run


@pytest.fixture(scope="session")
def grade(run_cli, tmp_path_factory):
    """``grade("mnist-mlp", folder, *options)`` -> (results.json as a dict, CompletedProcess)."""

    def run(assignment: str, submission: Path, *options, env: dict | None = None):
        out = tmp_path_factory.mktemp("out")
        proc = run_cli("grade", assignment, submission, "--out", out, "--threads", "1", *options, env=env)
        assert proc.returncode == 0, proc.stderr + proc.stdout
        results = json.loads((out / "results.json").read_text())
        return results, proc

    return run


def by_kind(results: dict) -> dict[str, list[dict]]:
    """Tests grouped by their kind tag."""
    groups: dict[str, list[dict]] = {}
    for test in results["tests"]:
        assert len(test["tags"]) == 1
        groups.setdefault(test["tags"][0], []).append(test)
    return groups


def failed_kinds(results: dict) -> set[str]:
    return {t["tags"][0] for t in results["tests"] if t["status"] == "failed"}


@contextlib.contextmanager
def pip_installed(folder: Path, target: Path):
    """``folder`` installed with pip into ``target``; yields the env that puts it on ``sys.path``.

    Offline (no index, no build isolation, no dependencies): the folder's
    ``pyproject.toml`` is built with the venv's own setuptools. The package
    goes into a private folder seen only by the subprocesses given the
    yielded ``PYTHONPATH``, never into the shared venv: xdist workers grading
    at the same time must not see one test's plugin appear and disappear.
    """
    proc = subprocess.run([sys.executable, "-m", "pip", "--disable-pip-version-check", "-q", "install",
                           "--no-deps", "--no-build-isolation", "--no-index", "--target", str(target),
                           str(folder)], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    yield {"PYTHONPATH": str(target)}


def failures(results: dict) -> dict[str, str]:
    """Failed tests that ran, by name, with their output (tests skipped for a failed dependency left out)."""
    return {t["name"]: t["output"] for t in results["tests"]
            if t["status"] == "failed" and not t["output"].startswith("Not checked")}
