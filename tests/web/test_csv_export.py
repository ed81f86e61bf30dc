"""CSV downloads: cells a spreadsheet would evaluate are quoted; numbers stay numbers."""

from __future__ import annotations

from assay.web.csv_export import csv_response, safe_cell


def test_formula_like_cells_are_neutralised() -> None:
    assert [safe_cell(v) for v in ("=SUM(A1)", "+1+2", "@cmd", "-x", "\tx")] == [
        "'=SUM(A1)",
        "'+1+2",
        "'@cmd",
        "'-x",
        "'\tx",
    ]
    assert [safe_cell(v) for v in (-1.5, "-2", "plain", None, 3)] == [
        "-1.5",
        "-2",
        "plain",
        "",
        "3",
    ]


def test_csv_response_is_an_attachment() -> None:
    response = csv_response("x.csv", ["a", "b"], [["=1", 2]])
    assert response.headers["content-disposition"] == 'attachment; filename="x.csv"'
    assert bytes(response.body).decode().splitlines() == ["a,b", "'=1,2"]
