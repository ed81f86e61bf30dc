"""Leaderboard charts as inline SVG: ratings with interval bars, and the win-rate heat map."""

from __future__ import annotations

import math
from collections.abc import Sequence
from html import escape

from markupsafe import Markup

from assay.web.quality_charts import PALETTE

_CELL, _LABEL_WIDTH, _HEADER = 56, 150, 120
# Diverging scale: red where the row variant loses, white at even, blue where it wins.
_LOSE, _EVEN, _WIN = (185, 49, 49), (246, 246, 246), (63, 91, 216)


def _ticks(low: float, high: float) -> list[float]:
    """Round rating ticks (multiples of 25, 50, 100 or 200) spanning [low, high]."""
    step = next((s for s in (25.0, 50.0, 100.0, 200.0, 400.0) if (high - low) / s <= 5), 800.0)
    first = math.floor(low / step) * step
    return [first + step * k for k in range(int((high - first) // step) + 2)]


def ratings_chart(
    rows: Sequence[tuple[str, float, float, float]], *, title: str, width: int = 640
) -> Markup:
    """One row per variant, best first: its rating as a dot and its interval as a bar."""
    if not rows:
        return Markup("")
    ticks = _ticks(min(r[2] for r in rows), max(r[3] for r in rows))
    low, high = ticks[0], ticks[-1]
    left, right, top, row_height = 150, 24, 10, 34
    height = top + row_height * len(rows) + 30

    def x_of(value: float) -> float:
        return left + (width - left - right) * (value - low) / (high - low)

    parts = [
        f'<svg class="chart quality-chart ratings-chart" viewBox="0 0 {width} {height}" '
        f'role="img" aria-label="{escape(title)}"><title>{escape(title)}</title>'
    ]
    for tick in ticks:
        x = x_of(tick)
        parts.append(
            f'<line class="grid" x1="{x:.1f}" x2="{x:.1f}" y1="{top}" y2="{height - 24}"/>'
            f'<text class="axis" x="{x:.1f}" y="{height - 6}" text-anchor="middle">'
            f"{tick:.0f}</text>"
        )
    for index, (label, value, lo, hi) in enumerate(rows):
        y = top + row_height * index + row_height / 2
        colour = PALETTE[index % len(PALETTE)]
        parts.append(
            f'<text class="axis" x="{left - 10}" y="{y + 4:.1f}" text-anchor="end">'
            f"{escape(_short(label, 22))}</text>"
            f'<line x1="{x_of(lo):.1f}" x2="{x_of(hi):.1f}" y1="{y:.1f}" y2="{y:.1f}" '
            f'stroke="{colour}" stroke-width="4" stroke-linecap="round"/>'
            f'<circle cx="{x_of(value):.1f}" cy="{y:.1f}" r="6" fill="{colour}">'
            f"<title>{escape(label)}: {value:.0f} ({lo:.0f} to {hi:.0f})</title></circle>"
        )
    parts.append("</svg>")
    return Markup("".join(parts))


def _blend(share: float) -> str:
    target, weight = (_WIN, (share - 0.5) * 2) if share >= 0.5 else (_LOSE, (0.5 - share) * 2)
    mixed = (round(e + (t - e) * weight) for e, t in zip(_EVEN, target, strict=True))
    return "#{:02x}{:02x}{:02x}".format(*mixed)


def _short(label: str, limit: int = 18) -> str:
    return label if len(label) <= limit else label[: limit - 1] + "…"


def win_rate_heat_map(
    labels: Sequence[str],
    win_rates: Sequence[Sequence[float | None]],
    games: Sequence[Sequence[int]],
    *,
    title: str,
) -> Markup:
    """A cell per (row, column) pair: the row variant's share of points against the column's.

    Cells are coloured from red (row loses every game) through white (even) to blue (row wins
    every game); a pair that never met is left grey. Each cell's tooltip gives the games.
    """
    n = len(labels)
    width = _LABEL_WIDTH + _CELL * n + 100  # room for the last rotated column label
    height = _HEADER + _CELL * n + 10
    parts = [
        f'<svg class="chart quality-chart heat-map" viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="{escape(title)}"><title>{escape(title)}</title>'
    ]
    for j, label in enumerate(labels):
        x = _LABEL_WIDTH + _CELL * j + _CELL / 2
        parts.append(
            f'<text class="axis" x="{x:.1f}" y="{_HEADER - 8}" text-anchor="start" '
            f'transform="rotate(-45 {x:.1f} {_HEADER - 8})">{escape(_short(label))}</text>'
        )
    for i, label in enumerate(labels):
        y = _HEADER + _CELL * i
        parts.append(
            f'<text class="axis" x="{_LABEL_WIDTH - 8}" y="{y + _CELL / 2 + 4:.1f}" '
            f'text-anchor="end">{escape(_short(label))}</text>'
        )
        for j in range(n):
            x = _LABEL_WIDTH + _CELL * j
            share, played = win_rates[i][j], games[i][j]
            fill = "#d5d5d5" if share is None else _blend(share)
            text = "" if share is None else f"{share * 100:.0f}%"
            ink = "#ffffff" if share is not None and abs(share - 0.5) > 0.25 else "#1f2937"
            tip = (
                f"{labels[i]} vs {labels[j]}: no games"
                if share is None
                else f"{labels[i]} vs {labels[j]}: {text} of points over {played} games"
            )
            parts.append(
                f'<g><rect x="{x}" y="{y}" width="{_CELL - 2}" height="{_CELL - 2}" '
                f'fill="{fill}"><title>{escape(tip)}</title></rect>'
                f'<text class="cell" x="{x + _CELL / 2 - 1:.1f}" y="{y + _CELL / 2 + 4:.1f}" '
                f'text-anchor="middle" fill="{ink}">{escape(text)}</text></g>'
            )
    parts.append("</svg>")
    return Markup("".join(parts))
