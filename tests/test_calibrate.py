"""``grader calibrate``: the reference over seeds, a stored band per data fingerprint, thresholds from it.

These tests use a cache folder of their own: a band stored for mnist-mlp on
the stand-in would change the thresholds every other test grades with.
"""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from conftest import ROOT
from grader import data

CORRECT = ROOT / "assignments" / "mnist_mlp" / "examples" / "correct"


def grade_json(run_cli, env, out, *options) -> dict:
    proc = run_cli("grade", "mnist-mlp", CORRECT, "--out", out, "--threads", "1", *options, env=env)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return json.loads((out / "results.json").read_text())


def test_calibrate_stores_a_band_that_grading_on_the_same_data_uses(run_cli, tmp_path):
    env = {"GRADER_CACHE_DIR": str(tmp_path / "cache")}
    proc = run_cli("calibrate", "mnist-mlp", "--seeds", "2", "--threads", "1", env=env)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    stored = list((tmp_path / "cache" / "calibration").glob("mnist-mlp-v1-*-cpu-*.json"))
    assert len(stored) == 1 and str(stored[0]) in "".join(proc.stdout.split())
    band = json.loads(stored[0].read_text())
    values = [run["value"] for run in band["runs"]]
    assert band["seeds"] == [0, 1] and band["count"] == 2 and band["metric"] == "accuracy"
    assert band["mean"] == round(float(np.mean(values)), 4) and band["std"] == round(float(np.std(values, ddof=1)), 4)
    assert band["data"]["standin"] is True and band["budget"] == 120.0
    assert f"seed 0: accuracy {values[0]:.2f}" in proc.stdout and f"seed 1: accuracy {values[1]:.2f}" in proc.stdout

    results = grade_json(run_cli, env, tmp_path / "graded")
    thresholds = results["extra_data"]["thresholds"]
    margin = max(2.0, 2 * band["std"])
    assert thresholds["basis"] == "calibration"
    assert thresholds["full"] == round(band["mean"] - margin, 2)
    assert thresholds["zero"] == round(band["mean"] - 15.0 - (margin - 2.0), 2)
    assert thresholds["band"]["count"] == 2 and thresholds["band"]["fingerprint"] == band["fingerprint"]
    accuracy = next(t for t in results["tests"] if t["tags"] == ["accuracy"])
    value = results["extra_data"]["metrics"]["accuracy"]
    side = "above" if value >= band["mean"] else "below"
    assert f"The reference trained from 2 seeds scored {band['mean']:.2f} ± {band['std']:.2f}" in accuracy["output"]
    assert f"yours is {abs(value - band['mean']):.2f} points {side} that mean" in accuracy["output"]
    report = (tmp_path / "graded" / "report.html").read_text()
    assert '<p class="band">The reference trained from 2 seeds' in report
    assert "reference over 2 seeds" in report  # the band drawn on the threshold bar

    # other data (a part of the stand-in: quick to train on) has another fingerprint: no band for it
    other = tmp_path / "other" / "MNIST" / "raw"
    standin = data.MNIST.read(tmp_path / "cache" / "standin" / "MNIST-v1")
    for name, array in zip(data.IDX_FILES, (standin.train_x[:300], standin.train_y[:300], standin.test_x[:200],
                                            standin.test_y[:200])):
        data.write_idx(other / name, array)
    results = grade_json(run_cli, env, tmp_path / "other-graded", "--data", tmp_path / "other")
    assert results["extra_data"]["thresholds"]["basis"] == "reference"
    assert "band" not in results["extra_data"]["thresholds"]


def test_calibrate_refuses_fewer_than_one_seed(run_cli, tmp_path):
    proc = run_cli("calibrate", "mnist-mlp", "--seeds", "0", env={"GRADER_CACHE_DIR": str(tmp_path)})
    assert proc.returncode == 2 and "--seeds must be at least 1" in proc.stderr
    assert not (tmp_path / "calibration").exists()


def test_calibrate_refuses_a_band_of_runs_cut_short_by_the_budget(run_cli, tmp_path):
    proc = run_cli("calibrate", "mnist-mlp-short", "--seeds", "1", "--threads", "1",
                   env={"GRADER_CACHE_DIR": str(tmp_path),
                        "GRADER_PLUGINS": str(Path(__file__).parent / "hook_plugins" / "short_budget.py")})
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert "cut short by the 0.3 s time budget from seed(s) 0" in " ".join(proc.stderr.split())
    assert not list(tmp_path.glob("calibration/*.json"))
