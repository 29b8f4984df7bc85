"""What the batch commands print, read at the width of a pipe or a narrow terminal (80 columns)."""
from __future__ import annotations

import io

from rich.console import Console

from grader.batch import show


def _run(run_id: int, status: str, score, current: bool, reason: str | None = None, device: str = "cuda:0") -> dict:
    return {"id": run_id, "assignment": "mnist-mlp", "started": "2026-11-22T04:38:26Z", "status": status,
            "score": score, "max_score": 10.0, "sha256": "6ed41f0c" * 8, "grader_version": "0.1.0",
            "assignment_version": "1", "data_fingerprint": "01ded962" * 8, "device": device,
            "current": current, "reason": reason}


def test_history_fits_80_columns_without_cutting_a_value():
    runs = [_run(1, "interrupted", None, False, "the batch was interrupted before this submission finished grading"),
            _run(12, "failed", None, False, "the worker died while grading (signal SIGKILL)"),
            _run(1234, "graded", 7.0, True)]
    out = io.StringIO()
    show.history(Console(file=out, width=80, color_system=None), "carol", runs, lambda run_id: [], verbose=False)
    lines = out.getvalue().splitlines()
    assert "…" not in out.getvalue()
    assert all(len(line.rstrip()) <= 80 for line in lines)
    header = next(line for line in lines if line.startswith("run"))
    for column in ("started (UTC)", "status", "score", "sha256", "grader", "version", "data", "device"):
        assert column in header
    assert any(line.startswith("*1234 ") and " graded " in line and "7/10" in line for line in lines)
    assert any(line.startswith(" 1 ") and " interrupted " in line and "cuda:0" in line for line in lines)
    words = " ".join(out.getvalue().split())  # a long reason wraps onto the next line
    assert "run 1 (interrupted): the batch was interrupted before this submission finished grading" in words
    assert "run 12 (failed): the worker died while grading (signal SIGKILL)" in words
