"""The charts of the class summary and the student report: labels readable, never drawn over one another."""
from __future__ import annotations

import re

from grader.batch.summary import TICK_CHAR_PX, _place_markers, bars_svg, histogram
from grader.plugins.report_html import seconds, threshold_svg


def spans(svg: str, css_class: str = "") -> list[tuple[float, float, float]]:
    """(left, right, baseline y) of every text (of ``css_class``), from its anchor and an estimated width."""
    found = []
    pattern = rf'<text ([^>]*class="{css_class}"[^>]*)>([^<]*)</text>' if css_class else r'<text ([^>]*)>([^<]*)</text>'
    for attrs, text in re.findall(pattern, svg):
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


def test_report_accuracy_bar_keeps_close_thresholds_and_a_high_score_readable():
    svg = str(threshold_svg(99.6, {"zero": 83.65, "full": 96.65}))
    texts = spans(svg)
    assert [t for t in ("99.60%", "0 marks 83.7%", "full 96.7%") if f">{t}</text>" not in svg] == []
    assert overlapping(texts) == []
    width = int(re.search(r'width="(\d+)" height', svg).group(1))
    assert all(0 <= left and right <= width for left, right, _ in texts), texts


def test_report_accuracy_bar_stacks_thresholds_too_close_for_one_row():
    svg = str(threshold_svg(50.0, {"zero": 2.0, "full": 4.0}))  # "0 marks" cannot go left of its tick
    assert overlapping(spans(svg)) == []
    assert 'y="70"' in svg and 'height="78"' in svg


def test_report_timings_show_seconds_and_flags_as_words():
    assert seconds(1.234) == "1.2 s" and seconds(3) == "3.0 s"
    assert seconds(True) == "yes" and seconds(False) == "no"
