"""How long `grader grade` of one correct mnist-mlp submission takes, interpreter start included.

Usage: python benchmarks/grade_one.py [--runs 3] [--assignment mnist-mlp] [--submission PATH]

Runs the real command line in a subprocess on the offline data: once with an
empty cache (the stand-in data and the reference run are made first), then
``--runs`` times with the cache warm. Prints each wall time and the median.
"""
from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def grade_once(assignment: str, submission: Path, env: dict, extra: list[str]) -> float:
    with tempfile.TemporaryDirectory() as out:
        started = time.perf_counter()
        proc = subprocess.run([sys.executable, "-m", "grader.cli", "grade", assignment, str(submission),
                               "--out", out, *extra], env=env, capture_output=True, text=True)
        elapsed = time.perf_counter() - started
    if proc.returncode != 0:
        sys.exit(f"grade failed ({proc.returncode}): {proc.stderr}")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--assignment", default="mnist-mlp")
    parser.add_argument("--submission", type=Path, default=ROOT / "assignments" / "mnist_mlp" / "examples" / "correct")
    parser.add_argument("extra", nargs="*", help="extra options for grader grade, after --")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as cache:
        env = dict(os.environ, GRADER_CACHE_DIR=cache, GRADER_OFFLINE="1")
        cold = grade_once(args.assignment, args.submission, env, args.extra)
        warm = [grade_once(args.assignment, args.submission, env, args.extra) for _ in range(args.runs)]
    print(f"machine: {os.cpu_count()} CPUs; python {sys.version.split()[0]}")
    print(f"{args.assignment}: cold cache (stand-in data + reference run made): {cold:.1f} s")
    print(f"{args.assignment}: warm cache, {args.runs} runs: " + ", ".join(f"{w:.1f} s" for w in warm)
          + f"; median {statistics.median(warm):.1f} s")


if __name__ == "__main__":
    main()
