"""Grading one submission: stage it, run the plan in the runner, check, write.

The steps, in order:

1. stage the submission (folder or .zip) into a private folder;
2. load the dataset (unless ``grader check``), keeping the test labels here;
3. run each stage of the assignment's plan in a fresh runner child;
4. get the reference's observations (cached) through the same plan;
5. run every check contributed by plugins for this assignment;
6. hand the grade to ``grader_grade_finished``; the CLI then calls the writers.

A broken submission never stops this: what could not be observed becomes
failed or skipped tests with a sentence that says why.
"""
from __future__ import annotations

import platform
import sys
import tempfile
import time
from pathlib import Path

from grader import __version__, calibration, checks as checks_mod, launcher, plugin_manager
from grader.errors import SubmissionError
from grader.results import Grade, TestResult
from grader import submission as submissions


def resolve_device(device: str) -> str:
    """``auto`` becomes ``cuda`` where a GPU is usable, else ``cpu``."""
    from grader.errors import UsageError
    import torch

    if device == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    if device.startswith("cuda"):
        if not torch.cuda.is_available():
            raise UsageError(f"--device {device}: no CUDA device is available on this machine")
        index = device.partition(":")[2]
        if index and (not index.isdigit() or int(index) >= torch.cuda.device_count()):
            raise UsageError(f"--device {device}: this machine has {torch.cuda.device_count()} CUDA device(s)")
        return device
    if device != "cpu":
        raise UsageError(f"--device must be auto, cpu, cuda or cuda:N, not {device!r}")
    return device


def execute_plan(assignment, options, submission_dir: Path, dataset, stages=None) -> tuple[dict, dict]:
    """Run the plan's stages (``stages``, or the plan built anew) for one submission folder.

    :returns: the observations by call id and the runs by stage name.
    """
    observations: dict = {}
    runs: dict = {}
    budget = assignment.budget(options)
    for stage in stages if stages is not None else assignment.plan(assignment, options):
        if options.fast and not stage.fast:
            continue
        unmet = [c for c in stage.requires if not (c in observations and observations[c].ok)]
        if unmet:
            runs[stage.name] = "Not run, because an earlier step failed (see the tests above)."
            continue
        inputs = assignment.staged_inputs(dataset) if stage.needs_data and dataset is not None else {}
        timeout = stage.timeout if stage.timeout is not None else budget + assignment.grace
        result = launcher.run_job(stage.calls, submission_dir=submission_dir, inputs=inputs,
                                  runner_modules=assignment.runner_modules, device=options.device,
                                  seed=options.seed, threads=options.threads, timeout=timeout,
                                  sandbox=options.sandbox, fixtures=stage.fixtures,
                                  limits=assignment.run_limits(options), slot=options.slot)
        runs[stage.name] = result
        observations.update(result.observations)
    return observations, runs


def _environment(options) -> dict:
    import torch
    import torchvision

    return {"grader": __version__, "torch": torch.__version__, "torchvision": torchvision.__version__,
            "python": platform.python_version(), "platform": platform.platform(terse=True),
            "device": options.device, "seed": options.seed, "threads": options.threads,
            "executable": sys.executable}


def _references(pm) -> list[Path]:
    """Every registered assignment's reference folder (the sandbox hides them all)."""
    from grader.errors import GraderError
    from grader.plugin_manager import assignments

    try:
        return [Path(a.reference) for a in assignments(pm).values()]
    except GraderError:  # a broken plugin is reported where the assignment is looked up
        return []


def grade(pm, assignment, source: Path, options) -> Grade:
    """Grade the submission at ``source``; never raises for a broken submission."""
    from grader import sandbox as sandboxes

    started = time.monotonic()
    timings: dict = {}
    options.sandbox = options.sandbox or sandboxes.default(options.device)
    options.sandbox.hide([assignment.reference, *_references(pm)])
    options.sandbox.prepare(assignment.run_limits(options))  # canaries; refuses if the sandbox cannot start
    notes: list[str] = []
    dataset = None
    if not options.fast and assignment.data is not None:
        t = time.monotonic()
        dataset = assignment.data.load(options.data_root)
        timings["data"] = round(time.monotonic() - t, 3)
        if dataset.standin:
            notes.append(f"Data: {dataset.note}. Scores on it are not scores on the real {dataset.name}.")
    with tempfile.TemporaryDirectory(prefix="grader-") as tmp:
        blocker = None
        try:
            sub = submissions.stage(Path(source), Path(tmp) / "submission")
            submission_info = {"source": str(source), "sha256": sub.sha256, "files": sub.files,
                               "skipped": sub.skipped}
        except SubmissionError as exc:
            blocker = f"Your submission could not be opened: {exc}."
            submission_info = {"source": str(source), "sha256": None, "files": [], "skipped": []}
        pm.hook.grader_grade_started(assignment=assignment, submission_dir=Path(tmp) / "submission",
                                     options=vars(options))
        t = time.monotonic()
        stages = assignment.plan(assignment, options)
        if blocker is None:
            observations, runs = execute_plan(assignment, options, sub.files_dir, dataset, stages)
        else:
            observations, runs = {}, {s.name: blocker for s in stages}
        timings["submission"] = round(time.monotonic() - t, 3)
    t = time.monotonic()
    ref = calibration.run(assignment, options, dataset,
                        lambda folder: execute_plan(assignment, options, folder, dataset, stages))
    timings["reference"] = round(time.monotonic() - t, 3)
    timings["reference_cached"] = ref.cached
    cut = next((d for d in ref.observations.values() if isinstance(d, dict) and d.get("stopped_by_budget")), None)
    if cut is not None:  # the budget, not the submission, is at fault: say so where students and TAs read
        notes.append(f"The reference implementation did not finish training within the "
                     f"{assignment.budget(options):g} s time budget either ({cut.get('epochs_done', 0):g} of "
                     f"{cut.get('epochs_planned', '?')} epochs): the budget is too small for this machine, so the "
                     "training, budget and accuracy marks say little. Grade again with a larger --time-budget.")

    call_stage = {c.id: s.name for s in stages for c in s.calls}
    ctx = checks_mod.CheckContext(assignment=assignment, options=options, observations=observations,
                                  runs=runs, reference_run=ref, dataset=dataset, call_stage=call_stage)
    all_checks = plugin_manager.collect_checks(pm, assignment)
    if options.fast:
        from grader import FAST_KINDS

        all_checks = [c for c in all_checks if c.kind in FAST_KINDS]
    t = time.monotonic()
    results = checks_mod.run_checks(all_checks, ctx)
    timings["checks"] = round(time.monotonic() - t, 3)
    timings["total"] = round(time.monotonic() - started, 3)
    tests = [TestResult(name=r.check.name, kind=r.check.kind, score=r.score, max_score=r.check.points,
                        passed=r.passed, output=r.output, check_id=r.check.id, description=r.check.description,
                        skipped=r.skipped, visibility=r.check.visibility, details=r.details) for r in results]
    logs = {name: ({"note": run} if isinstance(run, str) else
                   {"stdout": run.stdout, "stderr": run.stderr, "problems": run.problems,
                    "seconds": run.seconds, "timed_out": run.timed_out, "returncode": run.returncode})
            for name, run in runs.items()}
    for name, run in runs.items():
        if not isinstance(run, str):
            timings[f"stage_{name}"] = run.seconds
    thresholds = ctx.metrics.pop("_thresholds", None)
    grade_ = Grade(
        assignment={"id": assignment.id, "title": assignment.title, "version": assignment.version,
                    "plugin": assignment.plugin},
        submission=submission_info, tests=tests, metrics=ctx.metrics,
        data=dataset.source() if dataset is not None else None, environment=_environment(options),
        sandbox={**options.sandbox.describe(), "limits": assignment.run_limits(options).describe()},
        timings=timings, thresholds=thresholds,
        reference={"metrics": ref.metrics, "cached": ref.cached}, logs=logs, notes=notes, fast=options.fast)
    pm.hook.grader_grade_finished(grade=grade_)
    return grade_


def call_writers(hook, **kwargs) -> tuple[list[Path], list[str]]:
    """Call every implementation of a writer hook; one that fails is reported and the others still run."""
    written: list[Path] = []
    failures: list[str] = []
    for impl in reversed(hook.get_hookimpls()):
        try:
            paths = impl.function(*[kwargs[name] for name in impl.argnames])
        except Exception as exc:  # one broken writer must not lose the others' files
            failures.append(f"{impl.plugin_name}: {type(exc).__name__}: {exc}")
            continue
        written.extend(paths or [])
    return written, failures


def write_outputs(pm, grade_: Grade, out_dir: Path) -> tuple[list[Path], list[str]]:
    """Call every writer; a writer that fails is reported and the others still run."""
    out_dir.mkdir(parents=True, exist_ok=True)
    return call_writers(pm.hook.grader_write_outputs, grade=grade_, out_dir=out_dir)
