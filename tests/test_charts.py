"""The class summary's bar charts: labels a TA can read, never drawn over one another."""
from __future__ import annotations

import re

from grader.batch.summary import TICK_CHAR_PX, _place_markers, bars_svg, histogram


def spans(svg: str, css_class: str) -> list[tuple[float, float, float]]:
    """(left, right, baseline y) of every text of ``css_class``, from its anchor and an estimated width."""
    found = []
    for attrs, text in re.findall(rf'<text ([^>]*class="{css_class}"[^>]*)>([^<]*)</text>', svg):
        x = float(re.search(r'\bx="([\d.]+)"', attrs).group(1))
        y = float(re.search(r'\by="([\d.]+)"', attrs).group(1))
        anchor = re.search(r'text-anchor="(\w+)"', attrs).group(1)
        w = len(text) * TICK_CHAR_PX
        left = {"start": x, "middle": x - w / 2, "end": x - w}[anchor]
        found.append((left, left + w, y))
    return found


def overlapping(boxes) -> list:
    return [(a, b) for i, a in enumerate(boxes) for b in boxes[i + 1:]
            if a[2] == b[2] and a[0] < b[1] and b[0] < a[1]]


def test_twenty_accuracy_bins_label_only_as_many_ticks_as_fit():
    svg = str(bars_svg(histogram([97.0, 98.5], 0, 100, 20), label="accuracy"))
    ticks = spans(svg, "tick")
    assert 2 <= len(ticks) < 20
    assert overlapping(ticks) == []
    assert '>0-5</text>' in svg  # the first bin is always named


def test_close_threshold_markers_do_not_write_over_each_other():
    markers = [(0.8365, "0 marks 83.7%"), (0.9665, "full 96.7%")]
    svg = str(bars_svg(histogram([97.0], 0, 100, 20), markers=markers, label="accuracy"))
    texts = spans(svg, "marker")
    assert len(texts) == 2 and overlapping(texts) == []
    # neither text runs over the other marker's line
    lines = [float(x) for x in re.findall(r'<line x1="([\d.]+)" x2="\1"', svg)]
    for left, right, _ in texts:
        assert sum(left < x < right for x in lines) == 0


def test_markers_that_cannot_share_a_row_are_stacked_and_the_chart_grows():
    markers = [(0.50, "first threshold"), (0.51, "second threshold"), (0.52, "third threshold")]
    rows = {row for *_, row in _place_markers(markers, 640)}
    assert len(rows) >= 2
    plain = str(bars_svg([("a", 1)]))
    stacked = str(bars_svg([("a", 1)], markers=markers))
    height = lambda svg: int(re.search(r'height="(\d+)" role', svg).group(1))  # noqa: E731
    assert height(stacked) > height(plain)
