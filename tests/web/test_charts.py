"""Server-side SVG charts: escaped labels, tidy axes, bars proportional to values."""

from __future__ import annotations

import re

from assay.web.charts import _nice_ceiling, bar_chart, stacked_bar


def test_axis_maximum_is_a_tidy_number_at_or_above_the_data() -> None:
    assert [_nice_ceiling(v) for v in (0, 0.4, 1, 3, 7, 11, 37, 120, 999)] == [
        1,
        1,
        1,
        5,
        10,
        20,
        50,
        200,
        1000,
    ]


def test_bars_are_proportional_and_labels_escaped() -> None:
    svg = str(bar_chart([("<b>", 5), ("b&c", 10)], title="Pay <script>", height=240))
    heights = [float(h) for h in re.findall(r'class="bar"[^>]*height="([0-9.]+)"', svg)]
    assert heights[1] == 2 * heights[0]
    assert "<script>" not in svg and "&lt;script&gt;" in svg
    assert "&lt;b&gt;" in svg and "b&amp;c" in svg


def test_an_empty_chart_still_draws_its_axis() -> None:
    svg = str(bar_chart([], title="Nothing yet"))
    assert svg.startswith("<svg") and 'class="bar"' not in svg and "Nothing yet" in svg


def test_stacked_bar_splits_the_width_by_share() -> None:
    svg = str(
        stacked_bar(
            [("open", 1, "open"), ("done", 3, "complete"), ("gone", 0, "x")], title="t", width=400
        )
    )
    widths = [float(w) for w in re.findall(r'class="seg [a-z]+"[^>]*width="([0-9.]+)"', svg)]
    assert widths == [100.0, 300.0]
