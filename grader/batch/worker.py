"""A batch worker: one slot's long-lived process, grading the jobs it is sent.

Started by :class:`grader.batch.executor.LocalPool` as
``python -m grader.batch.worker --slot N --assignment ID --device D --threads T``.
It reads one JSON job per line on stdin and answers one JSON line per job
on its original stdout (anything else printing to stdout lands in the
slot's log instead). Each job is graded exactly as ``grader grade`` grades:
:func:`grader.grading.grade` with ``Options.slot`` set to this slot, then
every ``grader_write_outputs`` writer into the job's staging folder.

The worker dies with the batch: the kernel sends it SIGTERM when its parent
dies (``PR_SET_PDEATHSIG``), and on SIGTERM it kills the process groups of
its runner children before it exits, so no student code outlives a batch.
"""
from __future__ import annotations

import argparse
import ctypes
import json
import os
import signal
import sys
import time
from pathlib import Path

PR_SET_PDEATHSIG = 1


def _children() -> list[int]:
    """Pids of this process's children (each runner child leads its own process group)."""
    me, found = os.getpid(), []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[-1].split()
        if len(fields) > 1 and int(fields[1]) == me:
            found.append(int(entry))
    return found


def _stop(signum, frame) -> None:
    for pid in _children():
        for kill in (os.killpg, os.kill):
            try:
                kill(pid, signal.SIGKILL)
                break
            except (ProcessLookupError, PermissionError):
                continue
    os._exit(128 + signum)


def _die_with_parent(parent: int) -> None:
    try:
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
    except (OSError, AttributeError):
        pass
    if os.getppid() != parent:  # the batch died before prctl took effect
        os._exit(1)


def runner_problems(grade) -> str | None:
    """What went wrong in the runner itself (a timeout, a killed or crashed child), in a sentence."""
    problems = []
    for stage, log in grade.logs.items():
        if "note" in log:
            continue
        if log.get("timed_out"):
            problems.append(f"the {stage} stage was stopped at its time limit after {log.get('seconds', 0):.0f} s")
        elif isinstance(log.get("returncode"), int) and log["returncode"] < 0:
            problems.append(f"the {stage} stage's runner was killed by signal {-log['returncode']}")
        elif isinstance(log.get("returncode"), int) and log["returncode"] > 128:  # a sandbox reports 128 + signal
            problems.append(f"the {stage} stage's runner exited with status {log['returncode']} "
                            f"(killed by signal {log['returncode'] - 128}?)")
        elif isinstance(log.get("returncode"), int) and log["returncode"] > 0:
            problems.append(f"the {stage} stage's runner exited with status {log['returncode']}")
        if log.get("problems"):
            problems.append(f"the {stage} stage's output was partly refused ({'; '.join(log['problems'][:2])})")
    return "; ".join(problems) or None


def training_seconds(grade) -> float | None:
    for test in grade.tests:
        if test.details.get("view") == "training":
            seconds = (test.details.get("train") or {}).get("seconds")
            return float(seconds) if isinstance(seconds, (int, float)) else None
    return None


_sandboxes: dict = {}


def _sandbox(mode: str | None, device: str):
    """One sandbox per mode for the worker's life: its canaries run once, not once per student."""
    from grader import sandbox as sandboxes

    if mode not in _sandboxes:
        _sandboxes[mode] = sandboxes.create(mode, device) if mode else sandboxes.default(device)
    return _sandboxes[mode]


def grade_job(pm, assignment, job: dict, slot: int, device: str, threads: int) -> dict:
    """Grade one job; the answer is JSON-able. Never raises for a submission's fault."""
    from grader.assignment import Options
    from grader.errors import GraderError
    from grader.grading import grade, write_outputs

    opts = job["options"]
    options = Options(device=device, seed=int(opts.get("seed", 0)), time_budget=opts.get("time_budget"),
                      threads=threads, data_root=Path(opts["data_root"]) if opts.get("data_root") else None,
                      slot=slot, limits=opts.get("limits") or {}, sandbox=_sandbox(opts.get("sandbox"), device))
    started = time.monotonic()
    try:
        result = grade(pm, assignment, Path(job["source"]), options)
        written, failures = write_outputs(pm, result, Path(job["staging"]))
    except GraderError as exc:  # the grader or its environment is broken (the sandbox cannot start, say)
        return {"run_id": job["run_id"], "ok": False, "grader_error": True, "reason": f"the grader failed: {exc}"}
    except Exception as exc:  # the grader failed on this submission: record it, grade the next
        return {"run_id": job["run_id"], "ok": False,
                "reason": f"the grader failed on this submission: {type(exc).__name__}: {exc}"}
    return {"run_id": job["run_id"], "ok": True, "results": result.gradescope(), "reason": runner_problems(result),
            "seconds": round(time.monotonic() - started, 3), "training_seconds": training_seconds(result),
            "written": [Path(p).name for p in written], "writer_failures": failures}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="grader.batch.worker")
    parser.add_argument("--slot", type=int, required=True)
    parser.add_argument("--assignment", required=True)
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--parent", type=int, default=None)
    args = parser.parse_args(argv)

    answers = os.fdopen(os.dup(1), "w", buffering=1, encoding="utf-8")
    os.dup2(2, 1)  # stray prints go to the slot's log, not into the answers
    signal.signal(signal.SIGTERM, _stop)
    if args.parent:
        _die_with_parent(args.parent)

    def answer(message: dict) -> None:
        answers.write(json.dumps(message, allow_nan=False, default=str) + "\n")

    try:
        import torch

        torch.set_num_threads(1)  # the worker only computes metrics; its runner has the slot's threads
        from grader.plugin_manager import assignments, get_manager

        pm = get_manager()
        assignment = assignments(pm)[args.assignment]
    except Exception as exc:
        answer({"fatal": f"{type(exc).__name__}: {exc}"})
        sys.exit(1)
    answer({"ready": True, "slot": args.slot, "pid": os.getpid()})
    for line in sys.stdin:
        try:
            job = json.loads(line)["job"]
        except (ValueError, KeyError, TypeError):
            continue
        print(f"worker {args.slot}: grading {job.get('student')} (run {job.get('run_id')})", file=sys.stderr)
        try:
            answer(grade_job(pm, assignment, job, args.slot, args.device, args.threads))
        except ValueError as exc:  # a result that is not JSON (NaN in a metric): say so, keep going
            answer({"run_id": job["run_id"], "ok": False, "reason": f"the grade could not be recorded: {exc}"})


if __name__ == "__main__":
    main()
