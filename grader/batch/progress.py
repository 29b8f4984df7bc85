"""What a TA watches while a class is graded: done / running / queued, each slot, elapsed and ETA.

On a terminal it is a rich live panel: one line of counts and times, and a
row per slot with the student it is grading and for how long; each finished
submission is printed above it. Off a terminal (CI, a log file, ``nohup``)
it is one plain line per finished submission, with the same counts.
"""
from __future__ import annotations

import time

from rich.console import Console, Group
from rich.live import Live
from rich.table import Table
from rich.text import Text


def clock(seconds: float | None) -> str:
    if seconds is None:
        return "--"
    seconds = int(round(seconds))
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}h{minutes:02d}m{secs:02d}s" if hours else f"{minutes}m{secs:02d}s"


class Progress:
    """Counts and times of a batch, shown live or as plain lines."""

    def __init__(self, console: Console, total: int, live: bool | None = None):
        self.console, self.total = console, total
        self.live = console.is_terminal if live is None else live
        self.done = 0
        self.started = time.monotonic()
        self.running: list = []
        self.queued = total
        self._live: Live | None = None

    def __enter__(self):
        if self.live:
            self._live = Live(self._render(), console=self.console, refresh_per_second=4, transient=True)
            self._live.__enter__()
        return self

    def __exit__(self, *exc):
        if self._live is not None:
            self._live.__exit__(*exc)
        return False

    def eta(self) -> float | None:
        elapsed = time.monotonic() - self.started
        if not self.done:
            return None
        return (self.total - self.done) * elapsed / self.done

    def counts(self) -> str:
        return (f"done {self.done}/{self.total}, running {len(self.running)}, queued {self.queued}; "
                f"elapsed {clock(time.monotonic() - self.started)}, ETA {clock(self.eta())}")

    def update(self, running: list, queued: int) -> None:
        """``running``: (slot, job, seconds) for each busy slot."""
        self.running, self.queued = running, queued
        if self._live is not None:
            self._live.update(self._render())

    def finished(self, student: str, status: str, score, max_score, seconds: float, note: str | None = None) -> None:
        self.done += 1
        marks = f"{score:g}/{max_score:g}" if score is not None and max_score is not None else "-"
        line = f"[{self.done:>{len(str(self.total))}}/{self.total}] {student}  {marks}  {status}  {seconds:.1f} s"
        if note:
            line += f"  ({note})"
        if self._live is not None:
            self.console.print(line, markup=False, highlight=False)
            self._live.update(self._render())
        else:
            self.console.print(f"{line}  -- {self.counts()}", markup=False, highlight=False, soft_wrap=True)

    def _render(self):
        table = Table(box=None, header_style="bold", pad_edge=False)
        for column in ("slot", "device", "grading", "for"):
            table.add_column(column)
        for slot, job, seconds in sorted(self.running, key=lambda r: r[0].index):
            table.add_row(str(slot.index), slot.device, job.student, clock(seconds))
        return Group(Text(self.counts(), style="bold"), table)
