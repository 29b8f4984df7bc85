"""How long grading the course takes: each assignment's correct example, cold and warm, and `grader demo`.

Usage: python benchmarks/grade_course.py [--assignment ID ...] [--threads N] [--demo] [-- extra grade options]

On the offline data, through the real command line in subprocesses, with a
fresh cache: for each assignment, ``grader grade`` of its bundled correct
example once cold (the stand-in data and the reference run are made first)
and once warm (the reference comes from the cache), with the seconds
results.json gives for the submission's own stages and the reference.
``--demo`` then times ``grader demo`` (every assignment's correct and
mistaken examples) cold, in a second fresh cache. Prints the machine's CPU
count and load average too: timings on a shared machine are only as quiet
as the machine.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def run(args: list[str], env: dict) -> tuple[float, subprocess.CompletedProcess]:
    started = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "grader.cli", *args], env=env, capture_output=True, text=True)
    return time.perf_counter() - started, proc


def grade(assignment: str, submission: Path, env: dict, extra: list[str]) -> tuple[float, dict]:
    with tempfile.TemporaryDirectory() as out:
        seconds, proc = run(["grade", assignment, str(submission), "--out", out, *extra], env)
        if proc.returncode != 0:
            sys.exit(f"grading {assignment} failed ({proc.returncode}): {proc.stderr}")
        results = json.loads((Path(out) / "results.json").read_text())
    return seconds, results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--assignment", action="append", help="only these (repeatable); default: all registered")
    parser.add_argument("--threads", type=int, default=None, help="--threads for grader (default: grader's)")
    parser.add_argument("--demo", action="store_true", help="also time `grader demo` with a cold cache")
    parser.add_argument("--demo-only", action="store_true", help="time `grader demo` only")
    parser.add_argument("extra", nargs="*", help="extra options for grader grade, after --")
    args = parser.parse_args()

    from grader.plugin_manager import assignments, get_manager

    found = assignments(get_manager())
    chosen = sorted(args.assignment or [a for a in found if "correct" in found[a].examples])
    extra = [*(["--threads", str(args.threads)] if args.threads else []), *args.extra]
    print(f"machine: {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f} at the start; "
          f"python {sys.version.split()[0]}; grade options: {' '.join(extra) or '(defaults)'}")
    print(f"{'assignment':<16} {'cold s':>7} {'warm s':>7}  {'score':>7}  warm: submission stages / reference")
    total_cold = total_warm = 0.0
    with tempfile.TemporaryDirectory() as cache:
        env = dict(os.environ, GRADER_CACHE_DIR=cache, GRADER_OFFLINE="1")
        for name in [] if args.demo_only else chosen:
            example = found[name].examples["correct"]
            cold, _ = grade(name, example, env, extra)
            warm, results = grade(name, example, env, extra)
            timings = results["extra_data"]["timings"]
            stages = ", ".join(f"{k[6:]} {v:.1f}" for k, v in timings.items() if k.startswith("stage_"))
            print(f"{name:<16} {cold:7.1f} {warm:7.1f}  {results['score']:g}/{results['max_score']:g}  "
                  f"{stages} / {timings.get('reference', 0):.1f} (cached: {timings.get('reference_cached')})")
            total_cold, total_warm = total_cold + cold, total_warm + warm
    print(f"{'all':<16} {total_cold:7.1f} {total_warm:7.1f}")
    if args.demo or args.demo_only:
        with tempfile.TemporaryDirectory() as cache, tempfile.TemporaryDirectory() as out:
            env = dict(os.environ, GRADER_CACHE_DIR=cache, GRADER_OFFLINE="1")
            demo = ["demo", "--out", out, *(["--threads", str(args.threads)] if args.threads else [])]
            for name in args.assignment or []:
                demo += ["--assignment", name]
            seconds, proc = run(demo, env)
        print(f"grader demo, cold cache: {seconds:.1f} s (exit status {proc.returncode})")
        rows = [line for line in proc.stdout.splitlines() if " / " in line and ("correct" in line or "mistake" in line)]
        print("\n".join(f"  {line.strip()}" for line in rows))
        if proc.stderr.strip():
            print(f"  {proc.stderr.strip()}")
    print(f"load average at the end: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
