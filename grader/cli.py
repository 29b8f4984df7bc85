"""The ``grader`` command line.

Exit status: 0 when the command did its job (``grader grade`` produced a
grade, however broken the submission); 1 when ``grader check`` found a
failing check or ``grader demo`` saw an example graded unlike its label;
2 for bad usage; 3 when the grader itself failed. Errors are one line on
stderr, never a traceback (``GRADER_DEBUG=1`` shows it).
"""
from __future__ import annotations

import os
import sys
from pathlib import Path

import click
from rich.console import Console
from rich.markup import escape as rich_escape
from rich.table import Table

from grader import __version__
from grader.errors import GraderError, UsageError

console = Console(highlight=False)
err_console = Console(stderr=True, highlight=False)


def _assignment(pm, assignment_id: str):
    from grader.plugin_manager import assignments

    found = assignments(pm)
    if assignment_id not in found:
        known = ", ".join(sorted(found)) or "none"
        raise UsageError(f"unknown assignment {assignment_id!r} (registered: {known}; see 'grader list')")
    return found[assignment_id]


def _options(device: str, seed: int, time_budget, data, threads, fast: bool):
    from grader.assignment import Options
    from grader.grading import resolve_device

    if time_budget is not None and time_budget <= 0:
        raise UsageError("--time-budget must be a positive number of seconds")
    if data is not None and not Path(data).is_dir():
        raise UsageError(f"--data {data}: no such folder")
    threads = threads or max(1, min(4, os.cpu_count() or 1))
    device = resolve_device(device)
    sandbox, limits = _sandbox_choice(device)
    return Options(device=device, seed=seed, time_budget=time_budget, fast=fast,
                   threads=threads, data_root=Path(data) if data else None, sandbox=sandbox, limits=limits)


def _remember(ctx, param, value):
    ctx.meta[f"grader.{param.name}"] = value
    return value


_sandbox_options = [
    click.option("--sandbox", type=click.Choice(["bwrap", "rlimits"]), default="bwrap", show_default=True,
                 expose_value=False, callback=_remember,
                 help="How student code is isolated: bwrap (namespaces, seccomp, limits, its own uid) or "
                      "rlimits (degraded: limits only; the host's files stay readable)."),
    click.option("--limit", "limits", multiple=True, metavar="NAME=VALUE", expose_value=False, callback=_remember,
                 help="Override one of the assignment's limits (repeatable): memory=2GiB, wall_seconds=30, "
                      "cpu_seconds, file_size, output_bytes, processes, open_files; VALUE none lifts it."),
]


def sandboxed(func):
    """Add ``--sandbox`` and ``--limit`` to a command that runs student code."""
    for option in reversed(_sandbox_options):
        func = option(func)
    return func


def _sandbox_choice(device: str):
    """The sandbox and limit overrides the command line asked for; says loudly when degraded."""
    from grader import sandbox as sandboxes
    from grader.limits import parse_overrides

    meta = click.get_current_context().meta
    mode = meta.get("grader.sandbox") or "bwrap"
    if mode != "bwrap":
        err_console.print(f"[bold yellow]grader: WARNING: --sandbox {mode} is a degraded sandbox: student code "
                          "runs with resource limits but can read the host's files (and reach the network "
                          "where the kernel does not allow a private one). Use it only where bwrap cannot "
                          "start; results.json records it.[/]")
    return sandboxes.create(mode, device), parse_overrides(meta.get("grader.limits") or ())


def _print_grade(grade, verbose: bool) -> None:
    table = Table(show_header=True, header_style="bold", box=None, pad_edge=False)
    table.add_column("")
    table.add_column("test")
    table.add_column("kind")
    table.add_column("score", justify="right")
    for test in grade.tests:
        mark = "[green]PASS[/]" if test.passed else ("[dim]SKIP[/]" if test.skipped else "[red]FAIL[/]")
        table.add_row(mark, test.name, test.kind, f"{test.score:g}/{test.max_score:g}")
    console.print(f"[bold]{grade.assignment['id']}[/]: {grade.assignment['title']}")
    console.print(table)
    if verbose:
        for test in grade.tests:
            if not test.passed and not test.skipped and test.output:
                console.print(f"\n[bold]{test.name}[/] ({test.kind})")
                console.print(test.output, markup=False)
    for note in grade.notes:
        console.print(f"[yellow]{note}[/]", markup=True)
    if grade.left_out:
        console.print(grade.left_out, style="yellow", markup=False)
    if grade.sandbox.get("degraded"):
        console.print(f"[yellow]Sandbox: {grade.sandbox['mode']} (degraded; not active: "
                      f"{', '.join(grade.sandbox.get('missing', []))})[/]")
    console.print(f"[bold]Score: {grade.score:g} / {grade.max_score:g}[/]")


def _out_dir(out) -> Path:
    """``--out``, created now: a folder that cannot be made is bad usage, said before any grading."""
    path = Path(out)
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UsageError(f"--out {out}: cannot create this folder ({exc.strerror or exc})") from None
    return path


def _write(pm, grade, out: Path) -> list[Path]:
    from grader.grading import write_outputs

    written, failures = write_outputs(pm, grade, out)
    for failure in failures:
        err_console.print(f"grader: a writer failed: {failure}", markup=False)
    return written


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="grader")
def cli():
    """Grade PyTorch course submissions against reference implementations."""


_common = [
    click.option("--data", type=click.Path(file_okay=False), default=None,
                 help="torchvision dataset root (ROOT/MNIST/raw/...). Default: the cache, else the offline stand-in."),
    click.option("--time-budget", type=float, default=None, help="Seconds of training allowed (default: the assignment's)."),
    click.option("--device", default="auto", show_default=True, help="auto, cpu, cuda or cuda:N."),
    click.option("--seed", type=int, default=0, show_default=True, help="Seed for initialisation and data order."),
    click.option("--threads", type=int, default=None, help="CPU threads for the runner (default: up to 4)."),
]


def common(func):
    for option in reversed(_common):
        func = option(func)
    return func


@cli.command()
@click.argument("assignment")
@click.argument("submission", type=click.Path())
@click.option("--out", type=click.Path(file_okay=False), required=True, help="Folder for results.json and report.html.")
@common
@sandboxed
@click.option("-v", "--verbose", is_flag=True, help="Also print the message of every failed test.")
def grade(assignment, submission, out, data, time_budget, device, seed, threads, verbose):
    """Grade SUBMISSION (a folder or .zip) for ASSIGNMENT; write results.json and report.html."""
    from grader.grading import grade as run_grade
    from grader.plugin_manager import get_manager

    pm = get_manager()
    spec = _assignment(pm, assignment)
    if not Path(submission).exists():
        raise UsageError(f"submission not found: {submission}")
    options = _options(device, seed, time_budget, data, threads, fast=False)
    out = _out_dir(out)
    result = run_grade(pm, spec, Path(submission), options)
    written = _write(pm, result, out)
    _print_grade(result, verbose)
    for path in written:
        console.print(f"wrote {path}", markup=False)
    if not any(path.name == "results.json" for path in written):
        raise GraderError(f"results.json could not be written to {out} (the writer's error is above)")


@cli.command()
@click.argument("assignment")
@click.argument("submission", type=click.Path())
@click.option("--out", type=click.Path(file_okay=False), default=None, help="Also write results.json and report.html here.")
@click.option("--device", default="cpu", show_default=True, help="auto, cpu, cuda or cuda:N.")
@sandboxed
def check(assignment, submission, out, device):
    """Run the fast checks (import, interface, parameters, architecture, ...) on SUBMISSION.

    No training and no hidden data: a quick test before you submit. Exits 0
    when every check passes, 1 otherwise.
    """
    from grader.grading import grade as run_grade
    from grader.plugin_manager import get_manager

    pm = get_manager()
    spec = _assignment(pm, assignment)
    if not Path(submission).exists():
        raise UsageError(f"submission not found: {submission}")
    options = _options(device, 0, None, None, None, fast=True)
    out = _out_dir(out) if out else None
    result = run_grade(pm, spec, Path(submission), options)
    if out:
        for path in _write(pm, result, out):
            console.print(f"wrote {path}", markup=False)
    _print_grade(result, verbose=True)
    if result.all_passed:
        console.print("[green]All fast checks pass.[/] Training and the hidden test data are graded after you submit.")
    sys.exit(0 if result.all_passed else 1)


@cli.command("list")
def list_assignments():
    """Show the registered assignments and the plugins they come from."""
    from grader.plugin_manager import assignments, get_manager, origin

    pm = get_manager()
    table = Table(box=None, header_style="bold")
    for column in ("assignment", "title", "version", "plugin", "from"):
        table.add_column(column)
    for spec in sorted(assignments(pm).values(), key=lambda a: a.id):
        table.add_row(spec.id, spec.title, spec.version, spec.plugin, origin(pm, pm.get_plugin(spec.plugin)))
    console.print(table)
    _print_plugins(pm)


def _print_plugins(pm) -> None:
    from grader.plugin_manager import origin

    table = Table(box=None, header_style="bold")
    for column in ("plugin", "from", "hooks"):
        table.add_column(column)
    for name, plugin in sorted(pm.list_name_plugin(), key=lambda item: item[0]):
        if plugin is None:
            continue
        hooks = sorted(h.name for h in pm.get_hookcallers(plugin) or [])
        table.add_row(name, origin(pm, plugin), ", ".join(hooks))
    console.print(table)


@cli.command()
def plugins():
    """Show every registered plugin, where it comes from and the hooks it implements."""
    from grader.plugin_manager import BLOCK_ENV, blocked_names, get_manager

    _print_plugins(get_manager())
    if blocked_names():
        console.print(f"blocked by {BLOCK_ENV}: {', '.join(sorted(blocked_names()))}", markup=False)


@cli.command()
@click.option("--out", type=click.Path(file_okay=False), default="grader-demo", show_default=True)
@click.option("--assignment", "only", multiple=True, help="Only these assignments (repeatable).")
@common
@sandboxed
def demo(out, only, data, time_budget, device, seed, threads):
    """Grade every assignment's bundled example submissions (a correct one, a typical mistake)."""
    from grader.grading import grade as run_grade
    from grader.plugin_manager import assignments, get_manager

    pm = get_manager()
    found = assignments(pm)
    for name in only:
        _assignment(pm, name)
    options = _options(device, seed, time_budget, data, threads, fast=False)
    table = Table(box=None, header_style="bold")
    for column in ("assignment", "example", "score", "report"):
        table.add_column(column)
    surprises = []
    said: set[str] = set()  # each data note once, not once per example
    for spec in sorted(found.values(), key=lambda a: a.id):
        if only and spec.id not in only:
            continue
        for label, folder in spec.examples.items():
            console.print(f"grading {spec.id} / {label} ...", markup=False)
            result = run_grade(pm, spec, Path(folder), options)
            target = Path(out) / spec.id / label
            written = _write(pm, result, target)
            report = next((p for p in written if p.name == "report.html"), target)
            table.add_row(spec.id, label, f"{result.score:g} / {result.max_score:g}", str(report))
            full = result.score >= result.max_score
            if (label == "correct") != full:
                surprises.append(f"{spec.id}/{label} scored {result.score:g} / {result.max_score:g}")
            for note in result.notes:
                if note not in said:
                    said.add(note)
                    console.print(f"[yellow]{note}[/]")
    console.print(table)
    console.print(f"Reports are under {Path(out).resolve()}", markup=False)
    if surprises:
        err_console.print("grader: the examples were not graded as labelled: " + "; ".join(surprises), markup=False)
        sys.exit(1)



# --------------------------------------------------------------------------
# Instructors: a new assignment, validated and calibrated before release
# --------------------------------------------------------------------------


@cli.command("new")
@click.argument("assignment_id")
@click.option("--dir", "directory", type=click.Path(file_okay=False), required=True,
              help="The folder to create the plugin package in (new or empty).")
@click.option("--title", default=None, help="One line for humans (default: the scaffold's).")
def new_assignment(assignment_id, directory, title):
    """Create an installable plugin package for a new assignment ASSIGNMENT_ID.

    It works out of the box (a small MNIST convolutional network, with a
    reference, a correct example, a mistake and tests): pip install -e the
    folder, then grader validate ASSIGNMENT_ID. The guide "Writing an
    assignment" explains every hook it implements.
    """
    from grader import scaffold
    from grader.plugin_manager import assignments, get_manager

    existing = assignments(get_manager())
    if assignment_id in existing:
        raise UsageError(f"assignment {assignment_id!r} is already registered by plugin "
                         f"{existing[assignment_id].plugin}; choose another id")
    written = scaffold.create(assignment_id, Path(directory), title)
    console.print(f"created {Path(directory)} ({len(written)} files), the plugin package "
                  f"{scaffold.package_name(assignment_id)}:", markup=False)
    for path in written:
        console.print(f"  {path}", markup=False)
    console.print(f"next: pip install -e {directory} && grader validate {assignment_id}", markup=False)


def _print_findings(findings) -> None:
    table = Table(box=None, header_style="bold")
    for column in ("", "finding", "details"):
        table.add_column(column)
    marks = {"pass": "[green]PASS[/]", "fail": "[red]FAIL[/]", "skip": "[dim]SKIP[/]"}
    for finding in findings:
        table.add_row(marks[finding.status], finding.item, rich_escape(finding.message))
    console.print(table)


@cli.command()
@click.argument("assignment")
@click.option("--data", type=click.Path(file_okay=False), default=None,
              help="torchvision dataset root (ROOT/MNIST/raw/...). Default: the cache, else the offline stand-in.")
@click.option("--device", default=None, help="Default: the device the assignment declares its budget for.")
@click.option("--threads", type=int, default=None, help="CPU threads for the runner (default: up to 4).")
@click.option("--out", type=click.Path(file_okay=False), default=None,
              help="Also write the reference's and each example's results.json and report.html here.")
def validate(assignment, data, device, threads, out):
    """Check ASSIGNMENT before it is released to students.

    The reference gets full marks from its own checks, the correct example
    too, each example mistake fails at least one check, every check has a
    student-facing description, the budgets fit the declared device, and no
    staged input holds the hidden test labels. Exits 0 when nothing fails,
    1 otherwise.
    """
    from grader.plugin_manager import get_manager
    from grader.validation import validate as run_validate

    pm = get_manager()
    spec = _assignment(pm, assignment)
    if device is None:
        import torch

        device = "cpu" if spec.device == "cuda" and not torch.cuda.is_available() else spec.device
    options = _options(device, 0, None, data, threads, fast=False)
    findings, grades = run_validate(pm, spec, options,
                                    progress=lambda text: console.print(f"validate: {text} ...", markup=False))
    if out:
        for label, result in grades.items():
            _write(pm, result, Path(out) / label)
    _print_findings(findings)
    for note in grades["reference"].notes if "reference" in grades else []:
        console.print(f"[yellow]{rich_escape(note)}[/]")
    failed = [f for f in findings if f.status == "fail"]
    if failed:
        console.print(f"[red]{len(failed)} of {len(findings)} findings failed[/]: fix them before release.")
        sys.exit(1)
    console.print(f"[green]{spec.id} is ready to release.[/]")


@cli.command()
@click.argument("assignment")
@click.option("--seeds", type=int, default=3, show_default=True, help="How many seeds to train the reference from.")
@common
def calibrate(assignment, seeds, data, time_budget, device, seed, threads):
    """Train the reference of ASSIGNMENT from N seeds (--seed on) and store its band for this data.

    The band (mean, spread and range of the assignment's metric) and the
    thresholds derived from it are stored in the grader's cache for the
    data's fingerprint; grading on the same data then uses them, and each
    report shows where the student's value sits in the band.
    """
    from grader import calibration
    from grader.grading import execute_plan
    from grader.plugin_manager import get_manager

    spec = _assignment(get_manager(), assignment)
    options = _options(device, seed, time_budget, data, threads, fast=False)

    def progress(run_seed, value, seconds, cached):
        how = "cached" if cached else f"{seconds:.1f} s"
        console.print(f"seed {run_seed}: {spec.thresholds.metric} {value:.2f} ({how})", markup=False)

    band, path = calibration.calibrate(spec, options, seeds, execute_plan, progress)
    data_note = " (the offline stand-in)" if band["data"]["standin"] else ""
    console.print(f"band over {band['count']} seeds: {band['metric']} {band['mean']:.2f} ± {band['std']:.2f} "
                  f"(from {band['min']:.2f} to {band['max']:.2f}) on {band['data']['name']}{data_note}, "
                  f"fingerprint {band['fingerprint']}", markup=False)
    thresholds = band["thresholds"]
    console.print(f"thresholds: full marks from {thresholds['full']:.2f}, none from {thresholds['zero']:.2f}",
                  markup=False)
    console.print(f"stored {path}; grading {spec.id} on this data now uses it", markup=False)


# --------------------------------------------------------------------------
# TAs: a whole class (grader batch), a student's history, exports
# --------------------------------------------------------------------------


@cli.command()
@click.argument("assignment")
@click.argument("submissions_dir", type=click.Path())
@click.option("--out", type=click.Path(file_okay=False), required=True,
              help="Folder for each student's results, gradebook.csv, summary.html and gradebook.sqlite.")
@common
@click.option("--workers", type=int, default=None,
              help="Submissions graded at once (default: what this machine carries: cores, memory, GPUs).")
@click.option("--regrade", is_flag=True, help="Grade again even what is up to date.")
@click.option("--only", multiple=True, metavar="STUDENT", help="Only this student (repeatable, or comma-separated).")
@click.option("--dry-run", is_flag=True, help="Show who would be graded and why; grade nothing.")
@sandboxed
def batch(assignment, submissions_dir, out, data, time_budget, device, seed, threads, workers, regrade, only,
          dry_run):
    """Grade every submission in SUBMISSIONS_DIR for ASSIGNMENT, in parallel; resumable.

    SUBMISSIONS_DIR holds a folder or .zip per student, a Gradescope export
    (submission_metadata.yml) or nbgrader's submitted/STUDENT/ASSIGNMENT/.
    A rerun grades only what changed (files, assignment, grader, data); a
    batch stopped at any moment finishes when run again. Exits 0 when every
    submission has a result, even those that could not be graded.
    """
    from grader.batch import pipeline, show
    from grader.plugin_manager import get_manager

    pm = get_manager()
    spec = _assignment(pm, assignment)
    if workers is not None and workers < 1:
        raise UsageError("--workers must be at least 1")
    if threads is not None and threads < 1:
        raise UsageError("--threads must be at least 1")
    options = _options(device, seed, time_budget, data, threads or 1, fast=False)
    out = _out_dir(out)
    students = tuple(s.strip() for item in only for s in item.split(",") if s.strip())
    try:
        report = pipeline.grade_class(pm, spec, Path(submissions_dir), Path(out), options, console=console,
                                      workers=workers, threads=threads, regrade=regrade, only=students,
                                      dry_run=dry_run)
    except KeyboardInterrupt:
        err_console.print("grader: interrupted; what finished is saved: run the same command again to grade "
                          "the rest", markup=False)
        sys.exit(130)
    if dry_run:
        show.plan(console, report)
    else:
        show.finished(console, report, spec.id, Path(out))


@cli.command()
@click.argument("student")
@click.option("--out", type=click.Path(file_okay=False), default=".", show_default=True,
              help="The --out folder of the batch (it holds gradebook.sqlite).")
@click.option("--assignment", default=None, help="Only this assignment's runs.")
@click.option("-v", "--verbose", is_flag=True, help="Also show every test of every run.")
def history(student, out, assignment, verbose):
    """Show every grading of STUDENT's submissions: scores, files, versions; old scores are kept."""
    import difflib

    from grader.batch import show
    from grader.batch.gradebook import FILE_NAME, Gradebook

    path = Path(out) / FILE_NAME
    if not path.is_file():
        raise UsageError(f"no gradebook at {path}: pass the --out folder of a 'grader batch'")
    gradebook = Gradebook(path)
    try:
        runs = gradebook.history(student, assignment)
        if not runs:
            close = difflib.get_close_matches(student, gradebook.students(), n=3)
            raise UsageError(f"no runs for {student!r} in {path}"
                             + (f" (did you mean {', '.join(close)}?)" if close else ""))
        show.history(console, student, runs, gradebook.tests, verbose)
    finally:
        gradebook.close()


@cli.command("export")
@click.argument("name")
@click.argument("assignment")
@click.option("--out", type=click.Path(), required=True, help="Where to write the bundle (a .zip, or a folder).")
@click.option("--time-budget", type=float, default=None, help="Seconds of training allowed (default: the assignment's).")
@click.option("--threads", type=int, default=None, help="CPU threads for the runner where the bundle runs.")
@click.option("--seed", type=int, default=0, show_default=True, help="Seed for initialisation and data order.")
def export(name, assignment, out, time_budget, threads, seed):
    """Build the bundle NAME for ASSIGNMENT (gradescope: an autograder zip with setup.sh and run_autograder).

    Exporters are plugins (the grader_register_exporters hook); 'grader
    plugins' lists them.
    """
    from grader.batch.exports import exporters
    from grader.plugin_manager import get_manager

    pm = get_manager()
    found = exporters(pm)
    if name not in found:
        raise UsageError(f"unknown exporter {name!r} (registered: {', '.join(sorted(found)) or 'none'})")
    spec = _assignment(pm, assignment)
    if time_budget is not None and time_budget <= 0:
        raise UsageError("--time-budget must be a positive number of seconds")
    written = found[name].build(spec, Path(out), {"time_budget": time_budget, "threads": threads, "seed": seed})
    for path in written:
        console.print(f"wrote {path}", markup=False)


def main() -> None:
    try:
        cli.main(standalone_mode=False)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except click.Abort:
        err_console.print("grader: interrupted", markup=False)
        sys.exit(130)
    except click.ClickException as exc:
        exc.show()
        sys.exit(2)
    except UsageError as exc:
        err_console.print(f"grader: error: {exc}", markup=False)
        sys.exit(2)
    except GraderError as exc:
        err_console.print(f"grader: the grader failed: {exc}", markup=False)
        sys.exit(3)
    except KeyboardInterrupt:
        err_console.print("grader: interrupted", markup=False)
        sys.exit(130)
    except Exception as exc:
        if os.environ.get("GRADER_DEBUG"):
            raise
        err_console.print(f"grader: internal error: {type(exc).__name__}: {exc} "
                          "(set GRADER_DEBUG=1 for the traceback)", markup=False)
        sys.exit(3)


if __name__ == "__main__":
    main()
