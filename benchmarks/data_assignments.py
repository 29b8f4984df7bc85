"""How long the data assignments (custom-dataset, transforms, conv-basics) take to grade, and what they move.

Usage: python benchmarks/data_assignments.py [--runs 3] [--mode grade|check]

For each assignment, runs the real command line on its bundled correct
example: once with an empty cache (the reference runs first), then ``--runs``
times warm. Prints the wall time (interpreter start included), the time the
runner child took (fixtures, student code, arrays written), the reference's
time when cold, and the size of the reference's cached arrays. The load
average is printed too: on a shared machine it explains slow figures.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ASSIGNMENTS = {"custom-dataset": "custom_dataset", "transforms": "transforms", "conv-basics": "conv_basics"}


def run_once(mode: str, assignment: str, env: dict) -> tuple[float, dict]:
    submission = ROOT / "assignments" / ASSIGNMENTS[assignment] / "examples" / "correct"
    with tempfile.TemporaryDirectory() as out:
        started = time.perf_counter()
        proc = subprocess.run([sys.executable, "-m", "grader.cli", mode, assignment, str(submission), "--out", out,
                               *(["--threads", "1"] if mode == "grade" else [])],
                              env=env, capture_output=True, text=True)
        elapsed = time.perf_counter() - started
        if proc.returncode != 0:
            sys.exit(f"{mode} {assignment} failed ({proc.returncode}): {proc.stderr or proc.stdout}")
        results = json.loads((Path(out) / "results.json").read_text())
    if results["score"] != results["max_score"]:
        sys.exit(f"{assignment}: the correct example scored {results['score']} / {results['max_score']}")
    return elapsed, results["extra_data"]["timings"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--mode", choices=["grade", "check"], default="grade")
    args = parser.parse_args()
    print(f"machine: {os.cpu_count()} CPUs; load average {os.getloadavg()[0]:.1f}; python {sys.version.split()[0]}")
    for assignment in ASSIGNMENTS:
        with tempfile.TemporaryDirectory() as cache:
            env = dict(os.environ, GRADER_CACHE_DIR=cache, GRADER_OFFLINE="1")
            cold, cold_timings = run_once(args.mode, assignment, env)
            warm = [run_once(args.mode, assignment, env) for _ in range(args.runs)]
            arrays = sum(p.stat().st_size for p in (Path(cache) / "reference").glob("*.npz"))
        stages = [t for _, timings in warm for k, t in timings.items() if k.startswith("stage_")]
        print(f"{assignment} ({args.mode}): cold {cold:.1f} s (reference {cold_timings['reference']:.1f} s); "
              f"warm median {statistics.median(w for w, _ in warm):.1f} s, runner child median "
              f"{statistics.median(stages):.2f} s; reference arrays cached: {arrays / 1024:.0f} KiB")
    print(f"load average after: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
