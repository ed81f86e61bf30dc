"""Small charts drawn server-side as inline SVG (no chart library, nothing to download)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from html import escape

from markupsafe import Markup

_PAD_LEFT, _PAD_BOTTOM, _PAD_TOP = 44, 26, 12


def _nice_ceiling(value: float) -> float:
    """Return the smallest of 1, 2, 2.5, 5 x 10^k at or above ``value`` (a tidy axis top)."""
    if value <= 0:
        return 1.0
    scale = 10 ** len(str(int(value))) / 10 if value >= 1 else 1.0
    for step in (1, 2, 2.5, 5, 10):
        if step * scale >= value:
            return step * scale
    return 10 * scale


def bar_chart(
    points: Sequence[tuple[str, float]],
    *,
    title: str,
    width: int = 960,
    height: int = 240,
    value_label: Callable[[float], str] = lambda v: f"{v:g}",
) -> Markup:
    """Vertical bars, one per (label, value), with a labelled axis; an accessible title."""
    top = _nice_ceiling(max((v for _, v in points), default=0.0))
    plot_w = width - _PAD_LEFT - 8
    plot_h = height - _PAD_BOTTOM - _PAD_TOP
    slot = plot_w / max(len(points), 1)
    every = max(1, round(len(points) / 8))  # at most ~8 x labels
    parts = [
        f'<svg class="chart" viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="{escape(title)}"><title>{escape(title)}</title>'
    ]
    for fraction in (0.0, 0.5, 1.0):
        y = _PAD_TOP + plot_h * (1 - fraction)
        parts.append(
            f'<line class="grid" x1="{_PAD_LEFT}" x2="{width - 8}" y1="{y:.1f}" y2="{y:.1f}"/>'
            f'<text class="axis" x="{_PAD_LEFT - 6}" y="{y + 4:.1f}" text-anchor="end">'
            f"{escape(value_label(top * fraction))}</text>"
        )
    for index, (label, value) in enumerate(points):
        bar_h = plot_h * (value / top) if top else 0.0
        x = _PAD_LEFT + index * slot + slot * 0.15
        y = _PAD_TOP + plot_h - bar_h
        parts.append(
            f'<rect class="bar" x="{x:.1f}" y="{y:.1f}" width="{slot * 0.7:.1f}" '
            f'height="{bar_h:.1f}" rx="2"><title>{escape(label)}: '
            f"{escape(value_label(value))}</title></rect>"
        )
        if index % every == 0:
            parts.append(
                f'<text class="axis" x="{x + slot * 0.35:.1f}" y="{height - 8}" '
                f'text-anchor="middle">{escape(label)}</text>'
            )
    parts.append("</svg>")
    return Markup("".join(parts))


def stacked_bar(
    parts: Sequence[tuple[str, int, str]], *, title: str, width: int = 640, height: int = 28
) -> Markup:
    """One horizontal bar split into (label, count, css class) segments, e.g. task states."""
    total = sum(count for _, count, _ in parts)
    svg = [
        f'<svg class="chart stacked" viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="{escape(title)}" preserveAspectRatio="none"><title>{escape(title)}</title>'
        f'<rect class="track" x="0" y="0" width="{width}" height="{height}" rx="6"/>'
    ]
    x = 0.0
    for label, count, css in parts:
        if not count or not total:
            continue
        w = width * count / total
        svg.append(
            f'<rect class="seg {escape(css)}" x="{x:.1f}" y="0" width="{w:.1f}" '
            f'height="{height}"><title>{escape(label)}: {count}</title></rect>'
        )
        x += w
    svg.append("</svg>")
    return Markup("".join(svg))
