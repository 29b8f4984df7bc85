"""What the batch commands print: the plan, the end of a batch, a student's history."""
from __future__ import annotations

from rich.console import Console
from rich.markup import escape
from rich.table import Table


def _short(sha: str | None) -> str:
    return (sha or "")[:12]


def plan(console: Console, report) -> None:
    """``grader batch --dry-run``: who would be graded, and why."""
    table = Table(box=None, header_style="bold", pad_edge=False)
    for column in ("student", "action", "why", "sha256", "source"):
        table.add_column(column)
    for item in report.planned:
        table.add_row(escape(item.entry.student), "grade" if item.grade else "keep", escape(item.why),
                      _short(item.fingerprint.sha256), escape(str(item.entry.source)))
    console.print(table)
    for note in report.layout.notes:
        console.print(f"  note: {note}", markup=False)
    console.print(f"{sum(p.grade for p in report.planned)} to grade, {report.kept} kept "
                  f"({report.layout.name} layout); nothing was graded (--dry-run)", markup=False)


def finished(console: Console, report, assignment_id: str, out_dir) -> None:
    """The end of ``grader batch``: counts, slots, what could not be graded, the files written."""
    layout = report.layout
    console.print(f"{assignment_id}: {len(layout.entries)} submissions ({layout.name} layout) -> {out_dir}",
                  markup=False)
    for note in layout.notes:
        console.print(f"  note: {note}", markup=False)
    if report.interrupted_earlier:
        console.print(f"{report.interrupted_earlier} submission(s) an earlier batch did not finish were graded "
                      "again", markup=False)
    if report.slots:
        devices = sorted({s.device for s in report.slots})
        console.print(f"slots: {len(report.slots)} x {report.slots[0].threads} thread(s) on {', '.join(devices)}",
                      markup=False)
    console.print(f"graded {report.graded}, could not be graded {report.failed}, unchanged {report.kept}; "
                  f"{report.seconds:.1f} s", markup=False)
    earlier = [p.entry.student for p in report.planned if not p.grade and p.why.startswith("failed")]
    if earlier:
        console.print(f"could not be graded earlier: {', '.join(earlier)} (add --regrade --only STUDENT to retry)",
                      markup=False)
    for failure in report.writer_failures:
        console.print(f"an exporter failed: {failure}", markup=False)
    for path in report.written:
        console.print(f"wrote {path}", markup=False)


def history(console: Console, student: str, runs: list, tests_of, verbose: bool) -> None:
    """Every run of a student, oldest first; ``*`` marks the current one.

    The table fits 80 columns (a pipe, a log, a narrow terminal) without
    cutting a value: one space between columns, and each run's reason on a
    line of its own below it.
    """
    table = Table(box=None, header_style="bold", pad_edge=False, padding=(0, 1, 0, 0))
    for column in ("run", "started (UTC)", "status", "score", "sha256", "grader", "version", "data", "device"):
        table.add_column(column, no_wrap=True)
    reasons = []
    for run in runs:
        score = f"{run['score']:g}/{run['max_score']:g}" if run["score"] is not None and run["max_score"] else "-"
        table.add_row(("*" if run["current"] else " ") + str(run["id"]), run["started"][:16].replace("T", " "),
                      run["status"], score, _short(run["sha256"])[:8], run["grader_version"],
                      run["assignment_version"], (run["data_fingerprint"] or "-")[:8], run["device"])
        if run["reason"]:
            reasons.append(f"run {run['id']} ({run['status']}): {run['reason']}")
    assignments = sorted({run["assignment"] for run in runs})
    console.print(f"history of {escape(student)} in {', '.join(assignments)} ({len(runs)} run(s); "
                  "* is the current result)")
    console.print(table)
    for reason in reasons:
        console.print(reason, markup=False)
    if verbose:
        for run in runs:
            console.print(f"\n[bold]run {run['id']}[/] ({run['status']}, {run['started']})")
            for test in tests_of(run["id"]):
                console.print(f"  {test['status']:<7} {test['score']:g}/{test['max_score']:g}  {escape(test['name'])}")
