"""Writes ``report.html``: one self-contained page per submission, offline.

Templates are Jinja2 with autoescape on. They are looked up in the folders
plugins return from ``grader_template_dirs`` first, then in the built-in
``templates/`` folder, so a course can override ``report.html.j2`` or add a
partial ``details/<view>.html.j2`` for its own kind of test details.
Pictures are inline: the loss curve and the threshold bar are SVG made here,
test images are PNG data URIs.
"""
from __future__ import annotations

from pathlib import Path

import jinja2
from markupsafe import Markup

from grader import hookimpl



def _builtin_dir() -> Path:
    import grader.templates

    return Path(grader.templates.__file__).parent


def environment(pm) -> jinja2.Environment:
    dirs = [Path(d) for group in pm.hook.grader_template_dirs() if group for d in group]
    loader = jinja2.ChoiceLoader([jinja2.FileSystemLoader([str(d) for d in dirs]),
                                  jinja2.FileSystemLoader(str(_builtin_dir()))])
    env = jinja2.Environment(loader=loader, autoescape=True, trim_blocks=True, lstrip_blocks=True)
    env.globals.update(loss_svg=loss_svg, threshold_svg=threshold_svg, cell_colour=cell_colour)
    env.filters["seconds"] = seconds
    return env


def loss_svg(curve: list, width: int = 560, height: int = 220) -> Markup:
    """The training loss curve as an inline SVG polyline with labelled axes."""
    if not curve:
        return Markup("<p>No loss was recorded.</p>")
    pad_l, pad_b, pad_t, pad_r = 52, 30, 10, 10
    steps = [float(p[0]) for p in curve]
    losses = [float(p[1]) for p in curve]
    x0, x1 = 0.0, max(steps) or 1.0
    y0, y1 = 0.0, max(losses) * 1.05 or 1.0

    def sx(v):
        return pad_l + (width - pad_l - pad_r) * (v - x0) / (x1 - x0)

    def sy(v):
        return pad_t + (height - pad_t - pad_b) * (1 - (v - y0) / (y1 - y0))

    points = " ".join(f"{sx(s):.1f},{sy(l):.1f}" for s, l in zip(steps, losses))
    ticks = "".join(
        f'<line x1="{pad_l}" x2="{width - pad_r}" y1="{sy(v):.1f}" y2="{sy(v):.1f}" class="grid"/>'
        f'<text x="{pad_l - 6}" y="{sy(v) + 4:.1f}" text-anchor="end">{v:.2f}</text>'
        for v in (y1 * k / 4 for k in range(5)))
    svg = (f'<svg class="chart" viewBox="0 0 {width} {height}" width="{width}" height="{height}" role="img" '
           f'aria-label="training loss per step">{ticks}'
           f'<polyline fill="none" stroke="#2563eb" stroke-width="2" points="{points}"/>'
           f'<text x="{width / 2:.0f}" y="{height - 6}" text-anchor="middle">step (of {int(x1)})</text>'
           f'<text x="12" y="{height / 2:.0f}" transform="rotate(-90 12 {height / 2:.0f})" '
           f'text-anchor="middle">loss</text></svg>')
    return Markup(svg)


def seconds(value) -> str:
    """A timing as the report shows it: ``1.2 s``; a flag (``reference_cached``) as yes or no."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    return f"{float(value):.1f} s" if isinstance(value, (int, float)) else str(value)


def threshold_svg(value: float, thresholds: dict, width: int = 560, height: int = 64) -> Markup:
    """A 0-100 % bar with the zero and full-marks thresholds and the submission's value."""
    if thresholds.get("full") is None:
        return Markup("")

    def sx(v):
        return 10 + (width - 20) * max(0.0, min(100.0, v)) / 100

    zero, full = thresholds["zero"], thresholds["full"]
    zero_text, full_text, value_text = f"0 marks {zero:.1f}%", f"full {full:.1f}%", f"{value:.2f}%"
    # texts kept inside the picture and off each other: "0 marks" left of its tick, "full" right of its
    # tick, each flipped where it would leave the picture, and "full" on a second row if they still meet
    zero_anchor, zero_span = label_anchor(sx(zero), zero_text, "end", width)
    full_anchor, full_span = label_anchor(sx(full), full_text, "start", width)
    full_y = 70 if zero_span[1] > full_span[0] and full_span[1] > zero_span[0] else 56
    height = max(height, full_y + 8)
    value_anchor, _ = label_anchor(sx(value), value_text, "middle", width)
    parts = [
        f'<rect x="{sx(0):.1f}" y="20" width="{sx(zero) - sx(0):.1f}" height="14" fill="#fecaca"/>',
        f'<rect x="{sx(zero):.1f}" y="20" width="{sx(full) - sx(zero):.1f}" height="14" fill="#fde68a"/>',
        f'<rect x="{sx(full):.1f}" y="20" width="{sx(100) - sx(full):.1f}" height="14" fill="#bbf7d0"/>',
        f'<line x1="{sx(zero):.1f}" x2="{sx(zero):.1f}" y1="20" y2="45" stroke="#6b7280"/>',
        f'<line x1="{sx(full):.1f}" x2="{sx(full):.1f}" y1="20" y2="{full_y - 11}" stroke="#6b7280"/>',
        f'<line x1="{sx(value):.1f}" x2="{sx(value):.1f}" y1="12" y2="42" stroke="#111" stroke-width="3"/>',
        f'<text x="{sx(value):.1f}" y="10" text-anchor="{value_anchor}" font-weight="bold">{value_text}</text>',
        f'<text x="{sx(zero):.1f}" y="56" text-anchor="{zero_anchor}">{zero_text}</text>',
        f'<text x="{sx(full):.1f}" y="{full_y}" text-anchor="{full_anchor}">{full_text}</text>',
    ]
    band = thresholds.get("band")
    if band:  # the calibrated reference's range, from ``grader calibrate``
        left, right = sx(band["min"]), sx(band["max"])
        parts.append(f'<rect x="{left:.1f}" y="36" width="{max(2.0, right - left):.1f}" '
                     f'height="5" fill="#2563eb" opacity="0.6"><title>reference over {band["count"]} seeds: '
                     f'{band["min"]:.2f} to {band["max"]:.2f}%</title></rect>')
    if thresholds.get("reference") is not None:
        ref = thresholds["reference"]
        parts.append(f'<line x1="{sx(ref):.1f}" x2="{sx(ref):.1f}" y1="18" y2="36" stroke="#2563eb" '
                     f'stroke-dasharray="3 2" stroke-width="2"><title>reference {ref:.2f}%</title></line>')
    return Markup(f'<svg class="chart" viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
                  f'role="img" aria-label="accuracy against thresholds">{"".join(parts)}</svg>')


LABEL_CHAR_PX = 6.5
"""Roughly how wide one character of an 11 px label is."""


def label_anchor(x: float, text: str, anchor: str, width: int, *, char_px: float = LABEL_CHAR_PX,
                 pad: float = 0.0) -> tuple[str, tuple[float, float]]:
    """The text-anchor to draw ``text`` at ``x`` with (``anchor`` preferred, flipped where it would
    leave the 0..width picture) and the span it covers, ``pad`` pixels included. Shared by the
    report's and the class summary's charts."""
    w = len(text) * char_px + pad
    spans = {"start": (x, x + w), "middle": (x - w / 2, x + w / 2), "end": (x - w, x)}
    for choice in (anchor, "start" if anchor == "end" else "end", "start", "end"):
        left, right = spans[choice]
        if left >= 0 and right <= width:
            return choice, spans[choice]
    return "start" if x < width / 2 else "end", spans["start" if x < width / 2 else "end"]


def cell_colour(count: int, row_total: int, diagonal: bool) -> str:
    """Background for a confusion-matrix cell: green on the diagonal, red off it."""
    if not row_total or not count:
        return "#ffffff"
    share = count / row_total
    if diagonal:
        return f"rgba(22, 163, 74, {0.15 + 0.6 * share:.2f})"
    return f"rgba(220, 38, 38, {0.15 + 0.6 * min(1.0, share * 3):.2f})"


def render(pm, grade) -> str:
    return environment(pm).get_template("report.html.j2").render(grade=grade)


@hookimpl
def grader_write_outputs(grade, out_dir: Path):
    from grader.plugin_manager import get_manager

    path = out_dir / "report.html"
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(render(get_manager(), grade), encoding="utf-8")
    tmp.replace(path)
    return [path]
