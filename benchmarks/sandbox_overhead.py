"""What the sandbox costs: start-up overhead per child, and its share of grading one submission.

Usage: GRADER_OFFLINE=1 python benchmarks/sandbox_overhead.py [--runs 7] [--grades 3]

1. Start-up: the median wall time of a child that does nothing (``python -I
   -c pass``) and of one that imports torch, started through
   ``launcher.run_command`` with no sandbox (a plain child process, the
   baseline), with ``--sandbox rlimits`` and with ``--sandbox bwrap`` (limits,
   uid switch, seccomp filter and the end-of-run sweep included). The
   difference to the baseline is the sandbox's overhead per child.
2. Grading: the median wall time of ``grader grade mnist-mlp`` on the
   bundled correct example (warm cache) with each sandbox. One grade runs
   the canaries once (timed separately) and one child per stage (two for
   mnist-mlp), so the sandbox's cost per submission is the canaries plus two
   start-up overheads; the script prints that as a share of the grade's wall
   time. (``--sandbox rlimits`` also checks once per grading, by importing
   torch as the slot's uid, that the interpreter is usable by it.)

Figures depend on the machine and its load: run it on an idle machine.
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
sys.path.insert(0, str(ROOT))

from grader import launcher, limits, sandbox as sandboxes  # noqa: E402
from grader.runner import protocol  # noqa: E402


class PlainChild(sandboxes.Sandbox):
    """The baseline: the child as an ordinary process, no limits, no isolation."""

    name = "none"

    def launch(self, argv, job_dir, env, limits, timeout, threads=1, slot=0):
        return sandboxes.Launch(list(argv), env)


def child_seconds(sandbox, code: str, runs: int) -> list[float]:
    times = []
    for _ in range(runs):
        job = Path(tempfile.mkdtemp(prefix="grader-bench-"))
        (job / protocol.OUT_DIR).mkdir()
        started = time.perf_counter()
        done = launcher.run_command([sys.executable, "-I", "-c", code], job, sandbox=sandbox,
                                    limits=limits.Limits(), timeout=120)
        times.append(time.perf_counter() - started)
        if done.returncode != 0:
            sys.exit(f"{sandbox.name}: the child failed ({done.returncode}): {done.stderr[-500:]}")
        subprocess.run(["rm", "-rf", str(job)], check=False)
    return times


def grade_seconds(mode: str, runs: int) -> list[float]:
    submission = ROOT / "assignments" / "mnist_mlp" / "examples" / "correct"
    times = []
    for _ in range(runs + 1):  # the first run warms the cache (data, reference)
        with tempfile.TemporaryDirectory() as out:
            started = time.perf_counter()
            proc = subprocess.run([sys.executable, "-m", "grader.cli", "grade", "mnist-mlp", str(submission),
                                   "--out", out, "--threads", "1", "--sandbox", mode],
                                  capture_output=True, text=True, cwd=ROOT)
            times.append(time.perf_counter() - started)
        if proc.returncode != 0:
            sys.exit(f"grade with --sandbox {mode} failed: {proc.stderr[-500:]}")
    return times[1:]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7, help="children per sandbox and program")
    parser.add_argument("--grades", type=int, default=3, help="warm grades per sandbox")
    args = parser.parse_args()
    os.environ.setdefault("GRADER_OFFLINE", "1")
    print(f"machine: {os.cpu_count()} CPUs, load {os.getloadavg()[0]:.2f}; python {sys.version.split()[0]}")
    boxes = [PlainChild(), sandboxes.create("rlimits"), sandboxes.create("bwrap")]
    medians: dict = {}
    for label, code in (("python -c pass", "pass"), ("import torch", "import torch")):
        for box in boxes:
            medians[box.name, label] = statistics.median(child_seconds(box, code, args.runs))
        base = medians["none", label]
        for box in boxes:
            value = medians[box.name, label]
            print(f"start-up  {label:15s} {box.name:8s} median {value * 1000:7.0f} ms"
                  f"   overhead {(value - base) * 1000:+6.0f} ms")
    overhead = medians["bwrap", "python -c pass"] - medians["none", "python -c pass"]
    canary_times = []
    for _ in range(args.runs):
        box = sandboxes.create("bwrap")
        started = time.perf_counter()
        box.prepare(limits.Limits())
        canary_times.append(time.perf_counter() - started)
    canary = statistics.median(canary_times)
    print(f"canaries  once per grading     bwrap    median {canary * 1000:7.0f} ms   "
          f"(forks {limits.Limits().processes + 16} processes to test the limit)")
    for mode in ("rlimits", "bwrap"):
        times = grade_seconds(mode, args.grades)
        median = statistics.median(times)
        print(f"grade     mnist-mlp correct  {mode:8s} median {median:6.2f} s  "
              f"({', '.join(f'{t:.2f}' for t in times)})")
        if mode == "bwrap":
            cost = 2 * overhead + canary
            print(f"sandbox cost per submission: canaries {canary * 1000:.0f} ms + 2 stage children x "
                  f"{overhead * 1000:.0f} ms = {cost:.2f} s, {100 * cost / median:.1f}% of one grade")


if __name__ == "__main__":
    main()
