"""Leaderboards: rate a comparison or live chat project's model variants from human votes."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from assay.api.deps import ActorDep, SessionDep
from assay.api.schemas.leaderboards import (
    BoardQuery,
    LeaderboardPublic,
    StabilityPublic,
    StandingPublic,
    StyleEffectPublic,
    VariantPublic,
)
from assay.services import leaderboards as service
from assay.services.leaderboards import BoardOptions, Leaderboard, Standing

router = APIRouter(prefix="/v1/projects", tags=["leaderboards"])


def _standings(board: Leaderboard, rows: list[Standing]) -> list[StandingPublic]:
    variants = {v.id: v for v in board.variants}
    return [
        StandingPublic(
            **vars(row),
            name=variants[row.variant_id].name if row.variant_id in variants else row.variant_id,
            model=variants[row.variant_id].model if row.variant_id in variants else "",
        )
        for row in rows
    ]


@router.get("/{project_id}/leaderboard", response_model=LeaderboardPublic)
def leaderboard(
    project_id: str,
    query: Annotated[BoardQuery, Query()],
    actor: ActorDep,
    session: SessionDep,
) -> LeaderboardPublic:
    """Ratings of the project's model variants with intervals, style control and diagnostics.

    Bradley-Terry (ties: Davidson, or half a win) fitted on the votes that count; intervals
    from a bootstrap over raters (their votes are not independent) beside the cluster-robust
    sandwich interval. Votes revealing a model's identity, cast faster than the answers can
    be read, or from raters below ``min_rater_accuracy`` are set aside and counted. Requesters
    only: the board names the models.
    """
    options = BoardOptions(**query.model_dump())
    board = service.build_leaderboard(session, actor, project_id, options)
    return LeaderboardPublic(
        project_id=board.project_id,
        query=query,
        standings=_standings(board, board.standings),
        uncontrolled=None if board.uncontrolled is None else _standings(board, board.uncontrolled),
        style_effects=[StyleEffectPublic(**vars(e)) for e in board.style_effects],
        tie_param=board.tie_param,
        order=board.order,
        win_rates=board.win_rates,
        games=board.games,
        stability=None if board.stability is None else StabilityPublic(**vars(board.stability)),
        votes_used=board.votes_used,
        raters=board.raters,
        set_aside=board.set_aside,
        categories=board.categories,
        variants=[VariantPublic.model_validate(v) for v in board.variants],
        method=board.method,
    )


@router.get("/{project_id}/leaderboard/variants", response_model=list[VariantPublic])
def variants(project_id: str, actor: ActorDep, session: SessionDep) -> list[VariantPublic]:
    """Every model variant ever submitted to the project's board, oldest first (append-only)."""
    return [
        VariantPublic.model_validate(v)
        for v in service.list_board_variants(session, actor, project_id)
    ]
