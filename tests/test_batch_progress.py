"""The live display of ``grader batch``: on a terminal, and as plain lines off one."""
from __future__ import annotations

import io
import re

from rich.console import Console

from grader.batch.executor import Job, Slot
from grader.batch.progress import Progress


def _job(student: str) -> Job:
    return Job(run_id=1, student=student, source=f"/class/{student}", staging="/tmp/x", options={}, timeout=60)


def test_on_a_terminal_each_slot_shows_its_student_with_the_counts_and_eta():
    screen = io.StringIO()
    console = Console(file=screen, force_terminal=True, width=100, color_system=None)
    with Progress(console, total=3) as progress:
        assert progress.live, "a terminal gets the live panel"
        progress.update([(Slot(0, "cuda:0", 1), _job("alice"), 75.0), (Slot(1, "cuda:1", 1), _job("bob"), 3.0)], 1)
        progress._live.refresh()
        progress.update([(Slot(1, "cuda:1", 1), _job("bob"), 4.0)], 1)
        progress.finished("alice", "graded", 10.0, 10.0, 75.0)
        progress._live.refresh()
    shown = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", screen.getvalue())
    assert "done 0/3, running 2, queued 1" in shown and "ETA --" in shown
    assert re.search(r"0\s+cuda:0\s+alice\s+1m15s", shown) and re.search(r"1\s+cuda:1\s+bob\s+0m03s", shown)
    assert "[1/3] alice  10/10  graded  75.0 s" in shown, "each finished submission is printed above the panel"
    assert "done 1/3, running 1, queued 1" in shown


def test_off_a_terminal_one_plain_line_per_finished_submission():
    log = io.StringIO()
    with Progress(Console(file=log, width=80), total=2) as progress:
        assert not progress.live
        progress.update([(Slot(0, "cpu", 1), _job("alice"), 1.0)], 1)
        progress.update([], 1)
        progress.finished("alice", "failed", None, None, 2.0, "the worker died")
    lines = log.getvalue().splitlines()
    assert len(lines) == 1 and "\x1b" not in lines[0]
    assert lines[0].startswith("[1/2] alice  -  failed  2.0 s  (the worker died)  -- done 1/2, running 0, queued 1;")
    assert "ETA" in lines[0]
