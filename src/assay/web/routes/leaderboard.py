"""The leaderboard page: ratings with intervals, style control, win rates and how it was made."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request, Response

from assay.errors import InvalidInput
from assay.services import leaderboards, projects
from assay.services.leaderboards import BoardOptions, Leaderboard, Standing
from assay.web.deps import DbDep, IdentityDep
from assay.web.errors import WebRoute
from assay.web.leaderboard_charts import ratings_chart, win_rate_heat_map
from assay.web.render import render

router = APIRouter(route_class=WebRoute, include_in_schema=False)

SET_ASIDE_LABELS = {
    "identity_revealed": "answer named its model or maker",
    "low_effort": "cast faster than the answers can be read",
    "low_quality_rater": "rater below the gold-accuracy floor",
    "weight_zero": "rater weighted to zero by quality operations",
    "not_accepted": "response rejected in review or excluded",
    "no_pair": "task without two model answers (e.g. gold)",
}


def _names(board: Leaderboard) -> dict[str, str]:
    """Display names: the endpoint's name, with the variant's order when it has several."""
    names: dict[str, str] = {}
    seen: dict[str, int] = {}
    for variant in board.variants:
        seen[variant.endpoint_id] = seen.get(variant.endpoint_id, 0) + 1
        count = seen[variant.endpoint_id]
        names[variant.id] = variant.name if count == 1 else f"{variant.name} (v{count})"
    return names


def _chart(rows: list[Standing], names: dict[str, str], title: str) -> object:
    return ratings_chart(
        [(names.get(r.variant_id, r.variant_id), r.rating, r.ci_low, r.ci_high) for r in rows],
        title=title,
    )


def _fraction(text: str) -> float | None:
    """Read the form's optional accuracy floor (an empty box means none)."""
    if not text.strip():
        return None
    try:
        return float(text)
    except ValueError:
        raise InvalidInput("The rater accuracy floor must be a number from 0 to 1.") from None


@router.get("/ops/projects/{project_id}/leaderboard")
def leaderboard_page(
    request: Request,
    project_id: str,
    db: DbDep,
    identity: IdentityDep,
    style_control: bool = True,
    ties: Literal["davidson", "half"] = "davidson",
    category: Annotated[str | None, Query(max_length=200)] = None,
    min_rater_accuracy: Annotated[str, Query(max_length=20)] = "",
    exclude_low_effort: bool = True,
) -> Response:
    """A project's board with its charts, diagnostics and a plain account of the method."""
    options = BoardOptions(
        style_control=style_control,
        ties=ties,
        category=category or None,
        min_rater_accuracy=_fraction(min_rater_accuracy),
        exclude_low_effort=exclude_low_effort,
    )
    board = leaderboards.build_leaderboard(db, identity.actor, project_id, options)
    project = projects.load_project(db, identity.actor, project_id)
    names = _names(board)
    context = {
        "title": f"Leaderboard · {project.name}",
        "project": project,
        "board": board,
        "names": names,
        "set_aside_labels": SET_ASIDE_LABELS,
        "ratings_svg": _chart(
            board.standings,
            names,
            "Ratings with style control" if board.uncontrolled else "Ratings",
        )
        if board.standings
        else None,
        "uncontrolled_svg": _chart(board.uncontrolled, names, "Ratings without style control")
        if board.uncontrolled
        else None,
        "heat_map_svg": win_rate_heat_map(
            [names.get(v, v) for v in board.order],
            board.win_rates,
            board.games,
            title="Win rate of the row variant against the column variant",
        )
        if board.win_rates
        else None,
    }
    return render(request, "ops/leaderboard.html", context)
