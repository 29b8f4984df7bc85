"""How long an instructor's first afternoon takes: ``grader new``, validate, calibrate, grade, per step.

Usage: python benchmarks/instructor_workflow.py [--seeds 3] [--threads 1] [--data ROOT]

Makes a new assignment with ``grader new`` in a temporary folder and loads
it from its path (``GRADER_PLUGINS=.../assignment.py``, so nothing is
installed into the environment), then times each command as an instructor
runs it, with a fresh, empty cache: ``grader list``, ``grader validate``
(which grades the reference and both examples; the first run of the
reference is included), ``grader calibrate --seeds N`` (seed 0 is already
cached by validate), and ``grader grade`` of each example with the
calibrated thresholds. Offline, on the stand-in unless ``--data`` is given.
Prints the wall time of each step, interpreter start included, and the
machine's load average (other work on the machine slows every figure).
"""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ID = "bench-cnn"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--threads", default="1")
    parser.add_argument("--data", default=None, help="a torchvision dataset root (default: the stand-in)")
    args = parser.parse_args()
    data = ["--data", args.data] if args.data else []
    with tempfile.TemporaryDirectory(prefix="grader-bench-") as tmp:
        tmp = Path(tmp)
        folder = tmp / ID
        env = dict(os.environ, GRADER_OFFLINE="1", GRADER_CACHE_DIR=str(tmp / "cache"),
                   GRADER_PLUGINS=str(folder / "assignment.py"))
        steps = [
            ("new", ["new", ID, "--dir", str(folder)]),
            ("list", ["list"]),
            ("validate (reference + 2 examples)", ["validate", ID, "--threads", args.threads, *data]),
            (f"calibrate --seeds {args.seeds}", ["calibrate", ID, "--seeds", str(args.seeds), "--threads",
                                                  args.threads, *data]),
            ("grade correct", ["grade", ID, str(folder / "examples" / "correct"), "--out", str(tmp / "correct"),
                               "--threads", args.threads, *data]),
            ("grade mistake", ["grade", ID, str(folder / "examples" / "mistake"), "--out", str(tmp / "mistake"),
                               "--threads", args.threads, *data]),
        ]
        total = 0.0
        print(f"{'step':<36} {'seconds':>8}")
        for name, argv in steps:
            started = time.perf_counter()
            step_env = env if name != "new" else {k: v for k, v in env.items() if k != "GRADER_PLUGINS"}
            proc = subprocess.run([sys.executable, "-m", "grader.cli", *argv], env=step_env, capture_output=True,
                                  text=True)
            elapsed = time.perf_counter() - started
            if proc.returncode != 0:
                sys.exit(f"grader {' '.join(argv)} failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}")
            total += elapsed
            print(f"{name:<36} {elapsed:8.1f}")
        print(f"{'total':<36} {total:8.1f}")
    print(f"load average: {' '.join(f'{v:.2f}' for v in os.getloadavg())} on {os.cpu_count()} CPUs")


if __name__ == "__main__":
    main()
