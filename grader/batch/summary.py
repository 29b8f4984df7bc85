"""Writes ``summary.html``, the class report: one self-contained page a TA reads after a batch.

What it shows, from every student's current result: the score
distribution; each test's pass rate, worst first, with the most common
failure messages grouped (numbers in a message are ignored when grouping);
the accuracy distribution against the thresholds; training time per
submission; the slowest submissions and those that could not be graded or
were stopped by the runner; identical submissions (the same files, or the
same normalised source); and a sortable table of students linking to each
report. Charts are inline SVG made here; the page needs no network.

The template is ``summary.html.j2`` with partials under ``summary/``, looked
up plugin-first like the student report, so a course can override them.
"""
from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from pathlib import Path

from markupsafe import Markup, escape

from grader import hookimpl
from grader.batch.exports import write_atomic

FILE_NAME = "summary.html"
MESSAGES_PER_TEST = 3
SLOWEST = 5


TICK_CHAR_PX = 6.0
"""Roughly how wide one character of a chart label is, for keeping labels apart."""
PAD_LEFT, PAD_RIGHT = 30, 10


def bars_svg(bins: list[tuple[str, int]], *, width: int = 640, height: int = 180, markers=(),
             label: str = "", colour: str = "#2563eb") -> Markup:
    """Vertical bars with their counts; ``markers`` are (fraction of the width, text) lines.

    Bin labels are thinned so that no two overlap, and marker texts that would
    collide are put on rows of their own above the chart.
    """
    if not bins:
        return Markup("<p>Nothing to show.</p>")
    placed = _place_markers(markers, width)
    rows = max((row for _, _, _, row in placed), default=0) + 1
    pad_b, pad_t = 34, 18 + 12 * (rows if placed else 0)
    height += pad_t - 18
    top = max(c for _, c in bins) or 1
    step = (width - PAD_LEFT - PAD_RIGHT) / len(bins)
    widest = max(len(name) for name, _ in bins) * TICK_CHAR_PX + 6
    every = max(1, math.ceil(widest / step))
    parts = []
    for i, (name, count) in enumerate(bins):
        h = (height - pad_b - pad_t) * count / top
        x = PAD_LEFT + i * step
        y = height - pad_b - h
        parts.append(f'<rect x="{x + 1:.1f}" y="{y:.1f}" width="{max(step - 2, 1):.1f}" height="{h:.1f}" '
                     f'fill="{colour}"><title>{escape(name)}: {count}</title></rect>')
        if count and step >= 14:
            parts.append(f'<text x="{x + step / 2:.1f}" y="{y - 3:.1f}" text-anchor="middle">{count}</text>')
        if i % every == 0:
            parts.append(f'<text x="{x + step / 2:.1f}" y="{height - pad_b + 14}" text-anchor="middle" '
                         f'class="tick">{escape(name)}</text>')
    for fraction, text, anchor, row in placed:
        x = _x(fraction, width)
        text_x = x + 4 if anchor == "start" else x - 4
        parts.append(f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{pad_t - 16 - 12 * row}" y2="{height - pad_b}" '
                     f'stroke="#b91c1c" stroke-dasharray="4 3" stroke-width="2"/><text x="{text_x:.1f}" '
                     f'y="{pad_t - 16 - 12 * row + 9}" text-anchor="{anchor}" class="marker">{escape(text)}</text>')
    parts.append(f'<line x1="{PAD_LEFT}" x2="{width - PAD_RIGHT}" y1="{height - pad_b}" y2="{height - pad_b}" '
                 'stroke="#9ca3af"/>')
    parts.append(f'<text x="{width / 2:.0f}" y="{height - 4}" text-anchor="middle">{escape(label)}</text>')
    return Markup(f'<svg class="chart" viewBox="0 0 {width} {height}" width="{width}" height="{height}" role="img" '
                  f'aria-label="{escape(label)}">{"".join(parts)}</svg>')


def _x(fraction: float, width: int) -> float:
    """Where a fraction of the plot's width lies in a :func:`bars_svg` picture ``width`` wide."""
    return PAD_LEFT + (width - PAD_LEFT - PAD_RIGHT) * fraction


def _place_markers(markers, width: int) -> list[tuple[float, str, str, int]]:
    """(fraction, text, text-anchor, row) per marker, so that texts cross neither each other nor lines.

    A text sits right of its line, or left of it where the next marker's line
    (or the chart's edge) is in the way; texts that still collide go on rows
    above one another.
    """
    from grader.plugins.report_html import label_anchor

    ordered = sorted((max(0.0, min(1.0, f)), t) for f, t in markers)
    xs = [_x(f, width) for f, _ in ordered]
    rows: list[list[tuple[float, float]]] = []
    placed = []
    for i, ((fraction, text), x) in enumerate(zip(ordered, xs)):
        fit = dict(char_px=TICK_CHAR_PX, pad=8)  # the 4 px between a line and its text, and as much beyond
        anchor, span = label_anchor(x, text, "start", width, **fit)
        if anchor == "start" and any(x < other <= span[1] for other in xs[i + 1:]):
            anchor, span = label_anchor(x, text, "end", width, **fit)
        row = next((r for r, taken in enumerate(rows)
                    if all(span[1] <= a or span[0] >= b for a, b in taken)), len(rows))
        if row == len(rows):
            rows.append([])
        rows[row].append(span)
        placed.append((fraction, text, anchor, row))
    return placed


def histogram(values: list[float], lo: float, hi: float, count: int, fmt: str = "{:g}") -> list[tuple[str, int]]:
    """``count`` equal bins over [lo, hi], the last one closed."""
    if hi <= lo:
        hi = lo + 1
    width = (hi - lo) / count
    bins = [0] * count
    for v in values:
        bins[min(count - 1, max(0, int((v - lo) / width)))] += 1
    return [(f"{fmt.format(lo + i * width)}-{fmt.format(lo + (i + 1) * width)}", n) for i, n in enumerate(bins)]


def message_key(output: str) -> str:
    """A failure's first sentence with its numbers blanked, so alike failures group."""
    first = (output or "").strip().splitlines()[0] if (output or "").strip() else "(no message)"
    return re.sub(r"\d[\d,.]*", "#", first)[:300]


def test_rates(students) -> list[dict]:
    """Per test: how many passed, failed, were skipped; the commonest failure messages. Worst first."""
    rows: dict[str, dict] = {}
    for student in students:
        for test in student.tests:
            row = rows.setdefault(test["name"], {"name": test["name"], "kind": test["kind"], "passed": 0,
                                                 "failed": 0, "skipped": 0, "messages": Counter(), "examples": {}})
            if test["status"] == "passed":
                row["passed"] += 1
            elif (test["output"] or "").startswith("Not checked:"):
                row["skipped"] += 1
            else:
                row["failed"] += 1
                key = message_key(test["output"])
                row["messages"][key] += 1
                row["examples"].setdefault(key, (student.student, test["output"].strip().splitlines()[0]
                                                 if test["output"].strip() else ""))
    result = []
    for row in rows.values():
        total = row["passed"] + row["failed"] + row["skipped"]
        row["total"] = total
        row["rate"] = row["passed"] / total if total else 0.0
        row["common"] = [{"count": n, "student": row["examples"][k][0], "example": row["examples"][k][1]}
                         for k, n in row["messages"].most_common(MESSAGES_PER_TEST)]
        result.append(row)
    return sorted(result, key=lambda r: (r["rate"], r["name"]))


def identical_groups(students) -> list[dict]:
    """Students whose submissions are the same files, or the same normalised source."""
    groups = []
    by_sha: dict[str, list[str]] = defaultdict(list)
    by_source: dict[str, list] = defaultdict(list)
    for s in students:
        by_sha[s.sha256].append(s.student)
        if s.source_sha256:
            by_source[s.source_sha256].append(s)
    for sha, names in sorted(by_sha.items()):
        if len(names) > 1:
            groups.append({"how": "the same files", "hash": sha, "students": sorted(names)})
    for sha, members in sorted(by_source.items()):
        if len(members) > 1 and len({m.sha256 for m in members}) > 1:
            groups.append({"how": "the same source once comments, docstrings and layout are ignored",
                           "hash": sha, "students": sorted(m.student for m in members)})
    return groups


def thresholds_of(students) -> dict | None:
    found = Counter()
    for s in students:
        t = ((s.results or {}).get("extra_data") or {}).get("thresholds")
        if t and t.get("full") is not None:
            found[(t["full"], t["zero"], t.get("reference"))] += 1
    if not found:
        return None
    full, zero, reference = found.most_common(1)[0][0]
    return {"full": full, "zero": zero, "reference": reference}


def context(results) -> dict:
    students = results.students
    graded = [s for s in students if s.status == "graded" and s.score is not None]
    max_score = max((s.max_score or 0 for s in graded), default=0)
    scores = [s.score for s in graded]
    if 0 < max_score <= 20 and float(max_score).is_integer():  # one bar per mark
        score_bins = [(str(i), sum(1 for v in scores if round(v) == i)) for i in range(int(max_score) + 1)]
    else:
        score_bins = histogram(scores, 0, max_score, 10) if graded else []
    accuracies = [s.accuracy for s in students if s.accuracy is not None]
    thresholds = thresholds_of(students)
    markers = []
    if thresholds:
        markers = [(thresholds["zero"] / 100, f"0 marks {thresholds['zero']:.1f}%"),
                   (thresholds["full"] / 100, f"full {thresholds['full']:.1f}%")]
    trained = sorted((s for s in students if s.training_seconds is not None),
                     key=lambda s: -s.training_seconds)
    groups = identical_groups(students)
    flagged = {name: i + 1 for i, g in enumerate(groups) for name in g["students"]}
    reports = {s.student: f"{s.student}/report.html" for s in students
               if (results.out_dir / s.student / "report.html").is_file()}
    return {
        "assignment": results.assignment, "generated": results.generated, "students": students,
        "graded": graded, "failed": [s for s in students if s.status == "failed"],
        "stopped": [s for s in graded if s.reason], "max_score": max_score,
        "mean": sum(scores) / len(scores) if scores else None,
        "median": sorted(scores)[len(scores) // 2] if scores else None,
        "full_marks": sum(1 for s in graded if s.score >= s.max_score),
        "score_chart": bars_svg(score_bins, label="score"),
        "accuracy_chart": bars_svg(histogram(accuracies, 0, 100, 20), markers=markers,
                                   label="accuracy on the test split (%)", colour="#16a34a") if accuracies else None,
        "accuracies": accuracies, "thresholds": thresholds,
        "training_chart": bars_svg([(s.student, round(s.training_seconds, 1)) for s in trained],
                                   label="training seconds per submission (slowest first)",
                                   colour="#7c3aed") if trained else None,
        "slowest": sorted((s for s in students if s.seconds is not None), key=lambda s: -s.seconds)[:SLOWEST],
        "tests": test_rates(students), "groups": groups, "flagged": flagged, "reports": reports,
    }


def render(pm, results) -> str:
    from grader.plugins.report_html import environment

    return environment(pm).get_template("summary.html.j2").render(**context(results))


@hookimpl
def grader_write_batch_outputs(results, out_dir: Path):
    from grader.plugin_manager import get_manager

    return [write_atomic(Path(out_dir) / FILE_NAME, render(get_manager(), results))]
