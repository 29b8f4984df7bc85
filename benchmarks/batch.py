"""How fast ``grader batch`` grades a class with 1 and with 2 workers: submissions per minute and speed-up.

Usage: python benchmarks/batch.py [--workers 1 2] [--time-budget 15] [--repeat 1] [--no-hang]

Grades the class the tests generate (tests/test_batch.py: 21 mnist-mlp
submissions, correct, wrong, broken and malicious, one of which hangs in
training until its time limit) with the real command line, on the offline
data, one thread per worker, into a fresh folder each time. The cache
(stand-in data, the reference run) is warmed first, so each timing is the
batch alone, interpreter start included. Prints the wall time, submissions
per minute, the speed-up over the first worker count, and the machine's
load average (other work on the machine slows every figure).
"""
from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from test_batch import make_class  # noqa: E402  (the class is defined once, with the tests)


def batch(submissions: Path, out: Path, env: dict, workers: int, budget: str, *extra: str) -> float:
    started = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "grader.cli", "batch", "mnist-mlp", str(submissions), "--out",
                           str(out), "--workers", str(workers), "--threads", "1", "--time-budget", budget, *extra],
                          env=env, capture_output=True, text=True)
    elapsed = time.perf_counter() - started
    if proc.returncode != 0:
        sys.exit(f"grader batch failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--time-budget", default="15")
    parser.add_argument("--repeat", type=int, default=1,
                        help="timings per worker count, interleaved (the best is kept)")
    parser.add_argument("--no-hang", action="store_true", help="leave out the submission that hangs in training")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="grader-bench-") as tmp:
        tmp = Path(tmp)
        submissions = make_class(tmp / "class")
        if args.no_hang:
            shutil.rmtree(submissions / "m_hang")
        count = sum(1 for _ in submissions.iterdir())
        env = dict(os.environ, GRADER_CACHE_DIR=str(tmp / "cache"), GRADER_OFFLINE="1")
        batch(submissions, tmp / "warm", env, 1, args.time_budget, "--only", "b_syntax")  # data + reference
        print(f"machine: {len(os.sched_getaffinity(0))} CPUs; load average {os.getloadavg()[0]:.1f} at the start")
        print(f"class: {count} mnist-mlp submissions, --threads 1, --time-budget {args.time_budget}")
        times: dict[int, list[float]] = {w: [] for w in args.workers}
        for i in range(args.repeat):  # interleaved, so a change in the machine's load hits every count alike
            for workers in args.workers:
                times[workers].append(batch(submissions, tmp / f"out-{workers}-{i}", env, workers, args.time_budget))
        first = min(times[args.workers[0]])
        for workers in args.workers:
            best = min(times[workers])
            print(f"workers {workers}: {best:.1f} s, {count / best * 60:.1f} submissions/minute, "
                  f"speed-up {first / best:.2f}x" + (f" (runs: {', '.join(f'{t:.1f}' for t in times[workers])})"
                                                     if args.repeat > 1 else ""))
        print(f"load average {os.getloadavg()[0]:.1f} at the end")


if __name__ == "__main__":
    main()
