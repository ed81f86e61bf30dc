"""Quality charts as inline SVG: lines with confidence bands, reliability diagrams, intervals.

Colours are SVG presentation attributes (allowed by the page's Content-Security-Policy, which
forbids inline styles); text reuses the shared ``svg.chart .axis`` class.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from html import escape

from markupsafe import Markup

PALETTE = ("#3f5bd8", "#d9822b", "#1d7f55", "#b93131", "#7a4fd1")
_LEFT, _RIGHT, _TOP, _BOTTOM = 48, 14, 14, 28


@dataclass(frozen=True)
class BandPoint:
    """One x position: its label, value and band (None where there is no data)."""

    label: str
    value: float | None
    low: float | None = None
    high: float | None = None
    n: int = 0


@dataclass(frozen=True)
class Series:
    """A named line with its band."""

    name: str
    points: Sequence[BandPoint]


def _percent(value: float) -> str:
    return f"{value * 100:.0f}%"


def _open(width: int, height: int, title: str) -> list[str]:
    return [
        f'<svg class="chart quality-chart" viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="{escape(title)}"><title>{escape(title)}</title>'
    ]


def _y_axis(
    parts: list[str],
    scale: Callable[[float], float],
    ticks: Sequence[float],
    width: int,
    fmt: Callable[[float], str],
) -> None:
    for tick in ticks:
        y = scale(tick)
        parts.append(
            f'<line class="grid" x1="{_LEFT}" x2="{width - _RIGHT}" y1="{y:.1f}" y2="{y:.1f}"/>'
            f'<text class="axis" x="{_LEFT - 6}" y="{y + 4:.1f}" text-anchor="end">'
            f"{escape(fmt(tick))}</text>"
        )


def _band(series: Series, xs: list[float], scale: Callable[[float], float], colour: str) -> str:
    """The band as polygons over each run of consecutive points that have one."""
    shapes = []
    run: list[int] = []
    for index, point in enumerate([*series.points, BandPoint("", None)]):
        if point.low is not None and point.high is not None:
            run.append(index)
            continue
        if len(run) >= 1:
            upper = [f"{xs[i]:.1f},{scale(series.points[i].high or 0):.1f}" for i in run]
            lower = [f"{xs[i]:.1f},{scale(series.points[i].low or 0):.1f}" for i in reversed(run)]
            if len(run) == 1:  # a lone point: a short bar instead of a polygon
                i = run[0]
                upper = [
                    f"{xs[i] - 4:.1f},{scale(series.points[i].high or 0):.1f}",
                    f"{xs[i] + 4:.1f},{scale(series.points[i].high or 0):.1f}",
                ]
                lower = [
                    f"{xs[i] + 4:.1f},{scale(series.points[i].low or 0):.1f}",
                    f"{xs[i] - 4:.1f},{scale(series.points[i].low or 0):.1f}",
                ]
            shapes.append(
                f'<polygon class="band" points="{" ".join(upper + lower)}" '
                f'fill="{colour}" fill-opacity="0.16" stroke="none"/>'
            )
        run = []
    return "".join(shapes)


def _line(
    series: Series,
    xs: list[float],
    scale: Callable[[float], float],
    colour: str,
    fmt: Callable[[float], str],
) -> str:
    parts = []
    path: list[str] = []
    for index, point in enumerate(series.points):
        if point.value is None:
            path.append("")
            continue
        command = "M" if not path or path[-1] == "" else "L"
        path.append(f"{command}{xs[index]:.1f},{scale(point.value):.1f}")
    drawn = " ".join(p for p in path if p)
    if drawn:
        parts.append(
            f'<path class="line" d="{drawn}" fill="none" stroke="{colour}" stroke-width="2"/>'
        )
    for index, point in enumerate(series.points):
        if point.value is None:
            continue
        band = "" if point.low is None else f" ({fmt(point.low)}-{fmt(point.high or 0)})"
        parts.append(
            f'<circle class="dot" cx="{xs[index]:.1f}" cy="{scale(point.value):.1f}" r="3.5" '
            f'fill="{colour}"><title>{escape(series.name)} {escape(point.label)}: '
            f"{escape(fmt(point.value))}{escape(band)}, n = {point.n}</title></circle>"
        )
    return "".join(parts)


def band_chart(
    series: Sequence[Series],
    *,
    title: str,
    y_range: tuple[float, float] = (0.0, 1.0),
    percent: bool = True,
    target: float | None = None,
    width: int = 640,
    height: int = 260,
) -> Markup:
    """Lines with shaded confidence bands over shared x labels; gaps where there is no data."""
    fmt = _percent if percent else (lambda v: f"{v:.2f}")
    low, high = y_range
    span = (high - low) or 1.0
    plot_h = height - _TOP - _BOTTOM

    def scale(value: float) -> float:
        clipped = min(max(value, low), high)
        return _TOP + plot_h * (1 - (clipped - low) / span)

    labels = [p.label for p in series[0].points] if series else []
    slot = (width - _LEFT - _RIGHT) / max(len(labels), 1)
    xs = [_LEFT + slot * (i + 0.5) for i in range(len(labels))]
    parts = _open(width, height, title)
    _y_axis(parts, scale, [low, low + span / 2, high], width, fmt)
    if target is not None:
        y = scale(target)
        parts.append(
            f'<line class="target" x1="{_LEFT}" x2="{width - _RIGHT}" y1="{y:.1f}" '
            f'y2="{y:.1f}" stroke="#b93131" stroke-dasharray="5 4"/>'
            f'<text class="axis" x="{width - _RIGHT}" y="{y - 4:.1f}" text-anchor="end">'
            f"target {escape(fmt(target))}</text>"
        )
    for index, item in enumerate(series):
        colour = PALETTE[index % len(PALETTE)]
        parts.append(_band(item, xs, scale, colour))
        parts.append(_line(item, xs, scale, colour, fmt))
    if len(series) > 1:
        parts.append(_legend(series, width))
    every = max(1, round(len(labels) / 8))
    for index, label in enumerate(labels):
        if index % every == 0:
            parts.append(
                f'<text class="axis" x="{xs[index]:.1f}" y="{height - 8}" '
                f'text-anchor="middle">{escape(label[5:] if len(label) == 10 else label)}</text>'
            )
    parts.append("</svg>")
    return Markup("".join(parts))


def _legend(series: Sequence[Series], width: int) -> str:
    """Name each line, top right, in its colour."""
    parts = []
    x = float(width - _RIGHT)
    for index in range(len(series) - 1, -1, -1):
        name = series[index].name
        colour = PALETTE[index % len(PALETTE)]
        x -= 22 + 8.5 * len(name)
        parts.append(
            f'<circle cx="{x:.1f}" cy="{_TOP + 2}" r="5" fill="{colour}"/>'
            f'<text class="axis legend-label" x="{x + 9:.1f}" y="{_TOP + 6}">{escape(name)}</text>'
        )
    return "".join(parts)


def reliability_chart(bins: Sequence[dict[str, float]], *, title: str, size: int = 320) -> Markup:
    """Stated confidence (x) against accuracy on gold (y), with each bin's interval."""
    width, height = size + _LEFT, size

    def x_of(value: float) -> float:
        return _LEFT + (size - _RIGHT - 6) * value

    def y_of(value: float) -> float:
        return _TOP + (height - _TOP - _BOTTOM) * (1 - value)

    parts = _open(width, height, title)
    _y_axis(parts, y_of, [0.0, 0.5, 1.0], width, _percent)
    parts.append(
        f'<line x1="{x_of(0):.1f}" y1="{y_of(0):.1f}" x2="{x_of(1):.1f}" y2="{y_of(1):.1f}" '
        f'stroke="#9aa3b2" stroke-dasharray="4 4"/>'
    )
    for tick in (0.0, 0.5, 1.0):
        parts.append(
            f'<text class="axis" x="{x_of(tick):.1f}" y="{height - 8}" '
            f'text-anchor="middle">{_percent(tick)}</text>'
        )
    for item in bins:
        x, y = x_of(item["mean_confidence"]), y_of(item["accuracy"])
        parts.append(
            f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{y_of(item["ci_low"]):.1f}" '
            f'y2="{y_of(item["ci_high"]):.1f}" stroke="{PALETTE[0]}" stroke-width="2"/>'
            f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{3 + min(item["count"], 400) ** 0.5 / 4:.1f}" '
            f'fill="{PALETTE[0]}" fill-opacity="0.75">'
            f"<title>stated {_percent(item['mean_confidence'])}"
            f", right {_percent(item['accuracy'])} of {int(item['count'])}</title></circle>"
        )
    parts.append("</svg>")
    return Markup("".join(parts))


def interval_chart(
    rows: Sequence[tuple[str, float, float, float]],
    *,
    title: str,
    percent: bool = True,
    width: int = 640,
) -> Markup:
    """One row per item: a dot at the value and a whisker over its interval (e.g. variants)."""
    fmt = _percent if percent else (lambda v: f"{v:.2f}")
    height = _TOP + _BOTTOM + 44 * len(rows)
    lows = [r[2] for r in rows] or [0.0]
    highs = [r[3] for r in rows] or [1.0]
    low, high = (0.0, 1.0) if percent else (min(lows), max(highs))
    span = (high - low) or 1.0
    left = 120

    def x_of(value: float) -> float:
        return left + (width - left - _RIGHT) * (min(max(value, low), high) - low) / span

    parts = _open(width, height, title)
    for tick in (low, low + span / 2, high):
        parts.append(
            f'<line class="grid" x1="{x_of(tick):.1f}" x2="{x_of(tick):.1f}" '
            f'y1="{_TOP}" y2="{height - _BOTTOM}"/><text class="axis" x="{x_of(tick):.1f}" '
            f'y="{height - 8}" text-anchor="middle">{escape(fmt(tick))}</text>'
        )
    for index, (label, value, lo, hi) in enumerate(rows):
        y = _TOP + 44 * index + 22
        colour = PALETTE[index % len(PALETTE)]
        parts.append(
            f'<text class="axis" x="{left - 10}" y="{y + 4}" text-anchor="end">'
            f"{escape(label)}</text>"
            f'<line x1="{x_of(lo):.1f}" x2="{x_of(hi):.1f}" y1="{y}" y2="{y}" stroke="{colour}" '
            f'stroke-width="3"/><circle cx="{x_of(value):.1f}" cy="{y}" r="6" fill="{colour}">'
            f"<title>{escape(label)}: {escape(fmt(value))} ({escape(fmt(lo))}-{escape(fmt(hi))})"
            f"</title></circle>"
        )
    parts.append("</svg>")
    return Markup("".join(parts))
