"""Charts drawn on the server as inline SVG: vertical bars, lines, paired horizontal bars and a heat map.

Every chart carries <title> and <desc> (named by aria-labelledby), and the page shows the same figures in a
table beside it. Colours come from the page's style sheet (classes `series-a`, `heat-3`…), so the palette
checked for contrast in the tests is the one the charts use. No inline style (the pages' CSP forbids it).
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence

from markupsafe import Markup, escape

WIDTH = 640
_ids = itertools.count(1)


def _fmt(value: float) -> str:
    return f"{value:.0f}" if float(value).is_integer() else f"{value:.1f}".replace(".", ",")


def _nice_max(value: float) -> float:
    """The top of the axis: 1, 2, 2.5 or 5 × a power of ten, at least the largest value."""
    if value <= 2:
        return 2.0  # small counts: ticks at 0, 1, 2 rather than halves of a person
    step = 10 ** (len(str(int(value))) - 1)
    for factor in (1, 2, 2.5, 5, 10):
        if factor * step >= value:
            return float(factor * step)
    return float(10 * step)


def _open(title: str, desc: str, height: int) -> tuple[str, list[str]]:
    n = next(_ids)
    head = (
        f'<svg class="chart" viewBox="0 0 {WIDTH} {height}" role="img" '
        f'aria-labelledby="chart-{n}-title chart-{n}-desc" xmlns="http://www.w3.org/2000/svg">'
        f'<title id="chart-{n}-title">{escape(title)}</title><desc id="chart-{n}-desc">{escape(desc)}</desc>'
    )
    return head, []


def _tick(index: int) -> str:
    """Every other axis label is `minor`: a phone hides those and shows the others larger."""
    return "tick minor" if index % 2 else "tick"


def _axis(parts: list[str], top: float, left: int, bottom: int, height: int) -> None:
    for fraction in (0, 0.5, 1):
        y = bottom - fraction * height
        parts.append(f'<line class="grid" x1="{left}" x2="{WIDTH - 10}" y1="{y:.1f}" y2="{y:.1f}"/>')
        parts.append(
            f'<text class="tick" x="{left - 6}" y="{y + 5:.1f}" text-anchor="end">'
            f"{_fmt(top * fraction)}</text>"
        )


def bar_chart(title: str, desc: str, labels: Sequence[str], values: Sequence[float]) -> Markup:
    """Vertical bars, one per label (months), with the axis from 0 to a round number."""
    height, left, bottom, plot = 260, 48, 220, 190
    head, parts = _open(title, desc, height)
    top = _nice_max(max(values, default=0))
    _axis(parts, top, left, bottom, plot)
    slot = (WIDTH - 10 - left) / max(len(values), 1)
    for i, (label, value) in enumerate(zip(labels, values, strict=True)):
        bar = plot * value / top
        x = left + i * slot + slot * 0.15
        parts.append(
            f'<rect class="series-a" x="{x:.1f}" y="{bottom - bar:.1f}" width="{slot * 0.7:.1f}" '
            f'height="{bar:.1f}"><title>{escape(label)} : {_fmt(value)}</title></rect>'
        )
        parts.append(
            f'<text class="{_tick(i)}" x="{x + slot * 0.35:.1f}" y="{bottom + 20}" text-anchor="middle">'
            f"{escape(label)}</text>"
        )
    return Markup(head + "".join(parts) + "</svg>")


def line_chart(
    title: str, desc: str, labels: Sequence[str], series: Sequence[tuple[str, Sequence[float]]]
) -> Markup:
    """One line per series (at most three: classes series-a, -b, -c), points marked, legend on top."""
    height, left, bottom, plot = 280, 48, 240, 190
    head, parts = _open(title, desc, height)
    top = _nice_max(max((v for _, values in series for v in values), default=0))
    _axis(parts, top, left, bottom, plot)
    slot = (WIDTH - 10 - left) / max(len(labels), 1)
    for i, label in enumerate(labels):
        x = left + (i + 0.5) * slot
        parts.append(
            f'<text class="{_tick(i)}" x="{x:.1f}" y="{bottom + 20}" text-anchor="middle">'
            f"{escape(label)}</text>"
        )
    for k, (name, values) in enumerate(series):
        css = "series-" + "abc"[k]
        points = [(left + (i + 0.5) * slot, bottom - plot * v / top) for i, v in enumerate(values)]
        path = " ".join(f"{x:.1f},{y:.1f}" for x, y in points)
        parts.append(f'<polyline class="line {css}" points="{path}"/>')
        for (x, y), label, value in zip(points, labels, values, strict=True):
            parts.append(
                f'<circle class="{css}" cx="{x:.1f}" cy="{y:.1f}" r="4">'
                f"<title>{escape(name)}, {escape(label)} : {_fmt(value)}</title></circle>"
            )
        lx = left + k * 190
        parts.append(f'<rect class="{css}" x="{lx}" y="8" width="14" height="14"/>')
        parts.append(f'<text class="legend" x="{lx + 20}" y="20">{escape(name)}</text>')
    return Markup(head + "".join(parts) + "</svg>")


def paired_bars(
    title: str, desc: str, labels: Sequence[str], pairs: Sequence[tuple[float, float]], names: tuple[str, str]
) -> Markup:
    """Two horizontal bars per label (offers and requests per theme), legend on top."""
    row, left, first = 44, 200, 36
    height = first + row * max(len(labels), 1) + 8
    head, parts = _open(title, desc, height)
    top = _nice_max(max((v for pair in pairs for v in pair), default=0))
    span = WIDTH - 50 - left
    for k, name in enumerate(names):
        css = "series-" + "ab"[k]
        parts.append(f'<rect class="{css}" x="{left + k * 180}" y="6" width="14" height="14"/>')
        parts.append(f'<text class="legend" x="{left + k * 180 + 20}" y="18">{escape(name)}</text>')
    for i, (label, pair) in enumerate(zip(labels, pairs, strict=True)):
        y = first + i * row
        short = label if len(label) <= 26 else label[:25] + "…"
        parts.append(
            f'<text class="tick" x="{left - 8}" y="{y + 24}" text-anchor="end">{escape(short)}</text>'
        )
        for k, value in enumerate(pair):
            width = span * value / top
            css = "series-" + "ab"[k]
            by = y + 4 + k * 18
            parts.append(
                f'<rect class="{css}" x="{left}" y="{by}" width="{width:.1f}" height="16">'
                f"<title>{escape(label)}, {escape(names[k])} : {_fmt(value)}</title></rect>"
            )
            parts.append(f'<text class="value" x="{left + width + 6:.1f}" y="{by + 13}">{_fmt(value)}</text>')
    return Markup(head + "".join(parts) + "</svg>")


HEAT_LEVELS = 5


def heat_level(value: int, top: int) -> int:
    """0 for nothing, then 1..4 by quarters of the busiest cell."""
    if value <= 0 or top <= 0:
        return 0
    return min(HEAT_LEVELS - 1, 1 + (value * (HEAT_LEVELS - 1) - 1) // top)


def heat_map(
    title: str, desc: str, rows: Sequence[str], columns: Sequence[str], grid: Sequence[Sequence[int]]
) -> Markup:
    """Rows (weekdays) × columns (hours), the cell's shade by quarters of the busiest cell, with a key."""
    left, first, cell_w, cell_h = 44, 24, (WIDTH - 54) / max(len(columns), 1), 26
    height = first + cell_h * len(rows) + 44
    head, parts = _open(title, desc, height)
    top = max((v for line in grid for v in line), default=0)
    for j, column in enumerate(columns):
        if j % 3 == 0:
            parts.append(
                f'<text class="tick" x="{left + (j + 0.5) * cell_w:.1f}" y="16" text-anchor="middle">'
                f"{escape(column)}</text>"
            )
    for i, (label, line) in enumerate(zip(rows, grid, strict=True)):
        y = first + i * cell_h
        parts.append(
            f'<text class="tick" x="{left - 6}" y="{y + 18}" text-anchor="end">{escape(label)}</text>'
        )
        for j, value in enumerate(line):
            parts.append(
                f'<rect class="heat-{heat_level(value, top)}" x="{left + j * cell_w:.1f}" y="{y}" '
                f'width="{cell_w - 2:.1f}" height="{cell_h - 2}">'
                f"<title>{escape(label)} {escape(columns[j])} : {value}</title></rect>"
            )
    key_y = first + cell_h * len(rows) + 14
    parts.append(f'<text class="legend" x="{left}" y="{key_y + 13}">Moins</text>')
    for level in range(HEAT_LEVELS):
        parts.append(
            f'<rect class="heat-{level}" x="{left + 60 + level * 24}" y="{key_y}" width="20" height="16"/>'
        )
    parts.append(f'<text class="legend" x="{left + 66 + HEAT_LEVELS * 24}" y="{key_y + 13}">Plus</text>')
    return Markup(head + "".join(parts) + "</svg>")
