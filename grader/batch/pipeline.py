"""Grading a class: find the students, decide who needs grading, grade them in slots, export.

The steps of ``grader batch``, in order:

1. find the submissions (:mod:`grader.batch.layouts`);
2. lock ``DIR`` (one batch writes a gradebook at a time), open the
   gradebook, mark runs a dead batch left ``running`` as ``interrupted`` and
   finish installing results it had already committed;
3. fingerprint every submission and keep each student's current result
   when nothing it depends on changed (files, assignment version, grader
   version, data, seed, time budget, kind of device); ``--regrade`` forces,
   ``--only`` narrows;
4. compute the reference once (cached) so that a broken reference stops
   the batch before any student is graded;
5. hand each submission to a free slot; as each one ends, commit its result
   (one transaction), then move its ``results.json`` and ``report.html`` into
   ``DIR/{student}/``;
6. call every ``grader_write_batch_outputs`` exporter (gradebook.csv,
   results.jsonl, summary.html, ...) with the class's current results.

The gradebook is the truth and the student folders follow it: a folder
holds a ``.run`` file naming the run its files come from, and a batch that
finds a folder behind the gradebook installs the staged files the dead
batch left, or regrades the student.
"""
from __future__ import annotations

import fcntl
import os
import shutil
import signal
import time
from dataclasses import dataclass, field
from pathlib import Path

from grader import __version__
from grader.batch import fingerprints, layouts
from grader.batch.executor import Job, LocalPool, Outcome, Slot
from grader.batch.exports import write_batch_outputs
from grader.batch.gradebook import FILE_NAME, KEY_FIELDS, Gradebook, now
from grader.batch.progress import Progress
from grader.errors import GraderError, UsageError
from grader.results import write_json

WORK_DIR = ".batch"  # under --out: the lock, staged results, worker logs
RUN_MARKER = ".run"  # in DIR/{student}/: the gradebook run its files come from
JOB_SLACK = 120.0  # seconds a job may take beyond its stages' limits (data, checks, writing)
GRADER_ERRORS_IN_A_ROW = 3  # the grader itself failing this often stops the batch


@dataclass
class Planned:
    """What the batch does with one student's submission, and why."""

    entry: layouts.Entry
    fingerprint: fingerprints.Fingerprint
    submission_id: int
    grade: bool
    why: str


@dataclass
class BatchReport:
    layout: layouts.Layout
    planned: list[Planned]
    graded: int = 0
    failed: int = 0
    interrupted_earlier: int = 0
    seconds: float = 0.0
    written: list[Path] = field(default_factory=list)
    writer_failures: list[str] = field(default_factory=list)
    slots: list[Slot] = field(default_factory=list)

    @property
    def kept(self) -> int:
        return sum(1 for p in self.planned if not p.grade)


def grading_key(assignment, options, dataset) -> dict:
    """Everything besides the files that a grade depends on (see ``KEY_FIELDS``)."""
    return {"grader_version": __version__, "assignment_version": assignment.version,
            "data_fingerprint": dataset.fingerprint if dataset is not None else None,
            "seed": options.seed, "time_budget": assignment.budget(options),
            "device_kind": "cuda" if str(options.device).startswith("cuda") else "cpu"}


def _why_regrade(current, sha256: str, key: dict, folder_ok: bool) -> str | None:
    if current is None:
        return "new"
    if current["sha256"] != sha256:
        return "files changed"
    for name in KEY_FIELDS:
        if current[name] != key[name]:
            return f"{name.replace('_', ' ')} changed ({current[name]} -> {key[name]})"
    if not folder_ok:
        return "its results folder is missing"
    return None


class _Lock:
    """An exclusive lock on ``DIR``: two batches never write one gradebook."""

    def __init__(self, path: Path):
        path.parent.mkdir(parents=True, exist_ok=True)
        self.handle = open(path, "a+")
        try:
            fcntl.flock(self.handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            self.handle.close()
            raise UsageError(f"another batch is grading into {path.parent.parent} right now; wait for it to "
                             "finish (or stop it) and run this again") from None

    def release(self) -> None:
        self.handle.close()


# --------------------------------------------------------------------------
# Student folders follow the gradebook
# --------------------------------------------------------------------------


def _folder_run(folder: Path) -> str | None:
    try:
        return (folder / RUN_MARKER).read_text().strip()
    except OSError:
        return None


def install(staging: Path, target: Path, run_id: int, work: Path) -> None:
    """Replace ``target`` by the staged folder of ``run_id`` (two renames)."""
    (staging / RUN_MARKER).write_text(str(run_id))
    old = work / "old" / f"{target.name}-{run_id}"
    old.parent.mkdir(parents=True, exist_ok=True)
    shutil.rmtree(old, ignore_errors=True)
    if target.exists():
        os.replace(target, old)
    os.replace(staging, target)
    shutil.rmtree(old, ignore_errors=True)


def recover(gradebook: Gradebook, assignment_id: str, out_dir: Path, work: Path) -> None:
    """Install results a dead batch committed but had not moved yet; drop the rest of its staging."""
    staging_root = work / "staging"
    for row in gradebook.db.execute("SELECT id, student FROM runs WHERE assignment = ? AND current = 1",
                                    (assignment_id,)).fetchall():
        target = out_dir / row["student"]
        staged = staging_root / f"run-{row['id']}"
        if _folder_run(target) != str(row["id"]) and staged.is_dir():
            install(staged, target, row["id"], work)
    shutil.rmtree(staging_root, ignore_errors=True)
    shutil.rmtree(work / "old", ignore_errors=True)


def failure_results(assignment, reason: str, sha256: str) -> dict:
    """The results.json of a submission no grade could be produced for."""
    return {"score": 0.0, "output": f"This submission could not be graded: {reason}. Your TA has been told.",
            "tests": [], "extra_data": {"status": "failed", "reason": reason, "submission_sha256": sha256,
                                        "assignment": {"id": assignment.id, "version": assignment.version}}}


# --------------------------------------------------------------------------
# The batch
# --------------------------------------------------------------------------


def plan(gradebook: Gradebook, layout: layouts.Layout, assignment, key: dict, out_dir: Path, *,
         regrade: bool, only: set[str]) -> list[Planned]:
    planned = []
    for entry in layout.entries:
        if only and entry.student not in only:
            continue
        fp = fingerprints.fingerprint(entry.source)
        submission_id = gradebook.see(entry.student, assignment.id, fp.sha256, fp.source_sha256,
                                      str(Path(entry.source).resolve()), entry.members)
        current = gradebook.current(entry.student, assignment.id)
        folder_ok = current is not None and _folder_run(out_dir / entry.student) == str(current["id"])
        why = _why_regrade(current, fp.sha256, key, folder_ok)
        if why is None and regrade:
            why = "--regrade"
        if why is None:
            status = "failed to grade earlier (--regrade to retry)" if current["status"] == "failed" else "up to date"
            planned.append(Planned(entry, fp, submission_id, False, status))
        else:
            planned.append(Planned(entry, fp, submission_id, True, why))
    return planned


def job_timeout(assignment, options) -> float:
    """The most a submission's stages may take, plus :data:`JOB_SLACK`."""
    budget, limits = assignment.budget(options), assignment.run_limits(options)
    stages = assignment.plan(assignment, options)
    return sum(limits.timeout(s.timeout if s.timeout is not None else budget + assignment.grace)
               for s in stages) + JOB_SLACK


def memory_per_slot(assignment, options) -> int:
    """What a slot may need: the submission's memory limit (4 GiB when unlimited) and the worker's share."""
    from grader.batch.executor import WORKER_MEMORY

    return (assignment.run_limits(options).memory or 4 * 2**30) + WORKER_MEMORY


def warm_reference(assignment, options, dataset) -> None:
    """The reference's run, computed once here (through the runner, sandboxed as grading does) and cached
    for every slot; a sandbox that cannot start stops the batch here, before any student."""
    from grader import calibration, sandbox as sandboxes
    from grader.grading import execute_plan

    options.sandbox = options.sandbox or sandboxes.default(options.device)
    options.sandbox.hide([assignment.reference])
    options.sandbox.prepare(assignment.run_limits(options))

    calibration.run(assignment, options, dataset, lambda folder: execute_plan(assignment, options, folder, dataset))


def _record(gradebook: Gradebook, assignment, outcome: Outcome, planned: Planned, out_dir: Path,
            work: Path) -> tuple[str, dict | None, str | None]:
    staging = Path(outcome.job.staging)
    payload = outcome.payload
    if outcome.ok:
        status, results, reason = "graded", payload.get("results"), payload.get("reason")
        if payload.get("writer_failures"):
            reason = "; ".join(filter(None, [reason, "a writer failed: " + "; ".join(payload["writer_failures"])]))
    else:
        status, reason = "failed", outcome.reason or "no reason was given"
        results = failure_results(assignment, reason, planned.fingerprint.sha256)
        shutil.rmtree(staging, ignore_errors=True)
        staging.mkdir(parents=True)
        write_json(staging / "results.json", results)
    gradebook.finish_run(outcome.job.run_id, status=status, reason=reason, results=results,
                         seconds=payload.get("seconds", outcome.seconds), training_seconds=payload.get("training_seconds"))
    install(staging, out_dir / planned.entry.student, outcome.job.run_id, work)
    return status, results, reason


def grade_class(pm, assignment, submissions_dir: Path, out_dir: Path, options, *, console,
                workers: int | None = None, threads: int | None = None, regrade: bool = False,
                only: tuple[str, ...] = (), dry_run: bool = False, live: bool | None = None) -> BatchReport:
    """Grade every submission under ``submissions_dir`` into ``out_dir``; see the module docstring.

    :param workers: slots; default: what the machine carries (:func:`plan_slots`).
    :param threads: CPU threads per slot; default: the cores shared out between the slots.
    """
    from grader.batch.executor import plan_slots

    started = time.monotonic()
    layout = layouts.discover(Path(submissions_dir), assignment.id, out_dir)
    for entry in layout.entries:  # DIR/{student} is replaced by the results: never a submission's own folder
        target, source = (Path(out_dir) / entry.student).resolve(), Path(entry.source).resolve()
        if source == target or target in source.parents:
            raise UsageError(f"--out {out_dir} would replace {entry.source} with {entry.student}'s results; "
                             f"choose an --out folder outside {submissions_dir}")
    known = {e.student for e in layout.entries}
    unknown = sorted(set(only) - known)
    if unknown:
        raise UsageError(f"--only {', '.join(unknown)}: no such student in {submissions_dir} "
                         f"(found {len(known)}: {', '.join(sorted(known)[:10])}{', ...' if len(known) > 10 else ''})")
    out_dir = Path(out_dir)
    work = out_dir / WORK_DIR
    lock = _Lock(work / "lock")
    gradebook = Gradebook(out_dir / FILE_NAME)
    try:
        others = [a for a in gradebook.assignments() if a != assignment.id]
        if others:
            raise UsageError(f"{out_dir} holds the gradebook of {', '.join(others)}; grade {assignment.id} "
                             "into another --out folder")
        report = BatchReport(layout=layout, planned=[])
        report.interrupted_earlier = gradebook.interrupt_stale()
        recover(gradebook, assignment.id, out_dir, work)
        dataset = assignment.data.load(options.data_root) if assignment.data is not None else None
        key = grading_key(assignment, options, dataset)
        report.planned = plan(gradebook, layout, assignment, key, out_dir, regrade=regrade, only=set(only))
        queue = [p for p in report.planned if p.grade]
        if dry_run:
            return report
        if queue:
            report.slots = plan_slots(options.device, workers, threads,
                                      memory_per_slot(assignment, options))[:len(queue)]  # no idle workers
            options.threads = report.slots[0].threads  # the reference runs with a slot's threads
            console.print(f"{assignment.id}: {len(queue)} to grade, {report.kept} up to date ({layout.name} layout) "
                          f"in {len(report.slots)} slot(s) of {options.threads} thread(s); the reference runs "
                          "first (once, then cached)", markup=False, highlight=False)
            warm_reference(assignment, options, dataset)
            _run(gradebook, assignment, options, key, queue, out_dir, work, report, console, live)
        snapshot = gradebook.snapshot({"id": assignment.id, "title": assignment.title, "version": assignment.version},
                                      out_dir, students=sorted(known))
        report.written, report.writer_failures = write_batch_outputs(pm, snapshot, out_dir)
    finally:
        gradebook.close()
        lock.release()
    report.seconds = round(time.monotonic() - started, 3)
    return report


def _run(gradebook, assignment, options, key: dict, queue: list[Planned], out_dir: Path, work: Path,
         report: BatchReport, console, live) -> None:
    timeout = job_timeout(assignment, options)
    job_options = {"seed": options.seed, "time_budget": options.time_budget,
                   "data_root": str(options.data_root) if options.data_root else None,
                   "sandbox": getattr(options.sandbox, "name", None), "limits": options.limits}
    by_run: dict[int, Planned] = {}
    grader_errors = 0
    executor = LocalPool(assignment.id, report.slots, work / "logs")
    previous = signal.signal(signal.SIGTERM, _interrupt)
    try:
        with Progress(console, total=len(queue), live=live) as progress:
            while queue or executor.running():
                while queue and (slot := executor.free_slot()) is not None:
                    item = queue.pop(0)
                    run_id = gradebook.start_run(item.submission_id, item.entry.student, assignment.id, key,
                                                 slot.device, slot.index)
                    staging = work / "staging" / f"run-{run_id}"
                    shutil.rmtree(staging, ignore_errors=True)
                    staging.mkdir(parents=True)
                    by_run[run_id] = item
                    executor.submit(Job(run_id=run_id, student=item.entry.student, source=str(item.entry.source),
                                        staging=str(staging), options=job_options, timeout=timeout), slot)
                progress.update(executor.running(), len(queue))
                for outcome in executor.wait(0.5):
                    item = by_run.pop(outcome.job.run_id)
                    if outcome.payload.get("grader_error"):  # the grader's fault: no result, graded next time
                        gradebook.interrupt([outcome.job.run_id], outcome.reason)
                        shutil.rmtree(outcome.job.staging, ignore_errors=True)
                        progress.update(executor.running(), len(queue))
                        progress.finished(item.entry.student, "not graded", None, None, outcome.seconds,
                                          outcome.reason)
                        grader_errors += 1
                        if grader_errors >= GRADER_ERRORS_IN_A_ROW:
                            raise GraderError(f"{outcome.reason} ({grader_errors} submissions in a row); fix it "
                                              "and run the same command again to grade the rest")
                        continue
                    grader_errors = 0
                    status, results, reason = _record(gradebook, assignment, outcome, item, out_dir, work)
                    report.graded += status == "graded"
                    report.failed += status == "failed"
                    progress.update(executor.running(), len(queue))  # the line below counts it as done
                    progress.finished(item.entry.student, status, (results or {}).get("score"),
                                      (results or {}).get("max_score"), outcome.seconds, reason)
    except (KeyboardInterrupt, GraderError) as exc:
        gradebook.interrupt(list(by_run), "the batch was interrupted before this submission finished grading"
                            if isinstance(exc, KeyboardInterrupt) else f"the batch stopped: {exc}")
        raise
    finally:
        signal.signal(signal.SIGTERM, previous)
        executor.close()


def _interrupt(signum, frame):
    raise KeyboardInterrupt
