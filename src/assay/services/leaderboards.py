"""Leaderboards from human votes: ratings with confidence intervals, style control, stability.

A board rates every model variant that answered in a comparison or live chat project, from
the votes that count (see :mod:`assay.services.leaderboard_votes`). The maths is
:func:`assay.quality.pairwise.fit_board`: a Bradley-Terry model (ties as Davidson's, or half a
win), intervals from a bootstrap that resamples raters, not votes (one rater's votes are not
independent), beside the cluster-robust sandwich interval. With style control the same fit
holds answer length, markdown and emoji differences as covariates, so style cannot buy rank;
both rankings are returned. Ratings are on the familiar Elo-like scale: 1000 plus 400 per
factor of ten in the odds of winning.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from dataclasses import dataclass, replace
from typing import Literal

import numpy as np

from assay.domain.enums import Role
from assay.errors import InvalidInput
from assay.quality.pairwise import (
    STYLE_FEATURES,
    BoardFit,
    fit_board,
    style_covariates,
    top_rank_stability,
    win_matrix,
)
from assay.quality.pairwise.confounding import style_confounding
from assay.services.actor import Actor
from assay.services.leaderboard_votes import (
    Vote,
    VoteFilter,
    VoteSet,
    chat_votes,
    comparison_votes,
    select_votes,
)
from assay.services.model_projects import load_model_project
from assay.store import Session
from assay.store import model_endpoints as endpoint_store
from assay.store import model_variants as variant_store
from assay.store.models.rlhf import ModelVariant

ELO_BASE, ELO_PER_LOG_ODDS = 1000.0, 400.0 / math.log(10.0)
MODES = ("comparison", "chat")
METHOD_VERSION = "leaderboard-1"


@dataclass(frozen=True)
class BoardOptions:
    """How to build a board: which votes count and how the ratings are fitted."""

    style_control: bool = True
    ties: Literal["davidson", "half"] = "davidson"
    category: str | None = None
    category_key: str = "category"
    min_rater_accuracy: float | None = None
    exclude_low_effort: bool = True
    bootstrap_rounds: int = 500
    level: float = 0.95
    seed: int = 0


@dataclass(frozen=True)
class Standing:
    """One variant's place on a board (ratings on the Elo-like scale)."""

    variant_id: str
    rating: float
    ci_low: float
    ci_high: float
    sandwich_low: float
    sandwich_high: float
    rank: int  # 1 + how many variants are better beyond doubt (their CI is above this one's)
    votes: int
    wins: float  # ties count half


@dataclass(frozen=True)
class StyleEffect:
    """How much one style feature sways voters (log-odds per standard deviation)."""

    feature: str
    coefficient: float
    ci_low: float
    ci_high: float
    se_sandwich: float
    # Share of the feature's variance explained by which models met (R²); near 1, style
    # control cannot tell this style from the models that have it.
    explained_by_models: float


@dataclass(frozen=True)
class Stability:
    """How many votes must be dropped for another variant to rank first."""

    leader: str
    challenger: str | None
    votes_to_flip: int | None
    share: float | None


@dataclass(frozen=True)
class Leaderboard:
    """A project's board: standings (style-controlled and not), diagnostics and counts."""

    project_id: str
    options: BoardOptions
    variants: list[ModelVariant]
    standings: list[Standing]
    uncontrolled: list[Standing] | None
    style_effects: list[StyleEffect]
    tie_param: float | None
    win_rates: list[list[float | None]]
    games: list[list[int]]
    order: list[str]  # variant ids in the order of win_rates / games rows
    stability: Stability | None
    votes_used: int
    raters: int
    set_aside: dict[str, int]
    categories: dict[str, int]
    method: str


def _check(options: BoardOptions) -> None:
    if not 0 <= options.bootstrap_rounds <= 5000:
        raise InvalidInput("bootstrap_rounds must be between 0 and 5000.")
    if not 0.5 <= options.level < 1.0:
        raise InvalidInput("level must be at least 0.5 and below 1.")
    floor = options.min_rater_accuracy
    if floor is not None and not 0.0 <= floor <= 1.0:
        raise InvalidInput("min_rater_accuracy must be between 0 and 1.")


def build_leaderboard(
    session: Session, actor: Actor, project_id: str, options: BoardOptions
) -> Leaderboard:
    """Rate the variants of a comparison or live chat project from its votes (requesters)."""
    actor.require(Role.REQUESTER)
    _check(options)
    project, setup = load_model_project(session, actor, project_id, *MODES)
    variants = variant_store.list_variants(session, actor.org_id, project.id)
    set_aside: Counter[str] = Counter()
    if setup.mode == "chat":
        raw = list(chat_votes(session, project))
    else:
        raw = list(comparison_votes(session, project, setup, options.category_key, set_aside))
    rules = VoteFilter(
        exclude_low_effort=options.exclude_low_effort,
        min_rater_accuracy=options.min_rater_accuracy,
        category=options.category,
    )
    kept = select_votes(session, project, raw, variants, rules, set_aside)
    session.rollback()  # reads only; the fit below holds no transaction
    return _board(project.id, options, variants, kept)


def _board(
    project_id: str, options: BoardOptions, variants: list[ModelVariant], kept: VoteSet
) -> Leaderboard:
    order = sorted({v.left for v in kept.votes} | {v.right for v in kept.votes})
    empty = Leaderboard(
        project_id=project_id,
        options=options,
        variants=variants,
        standings=[],
        uncontrolled=None,
        style_effects=[],
        tie_param=None,
        win_rates=[],
        games=[],
        order=order,
        stability=None,
        votes_used=len(kept.votes),
        raters=len({v.rater for v in kept.votes}),
        set_aside=dict(kept.set_aside),
        categories=dict(kept.categories),
        method=METHOD_VERSION,
    )
    if len(order) < 2:
        return empty  # nothing to rank until two variants have met
    index = {variant: i for i, variant in enumerate(order)}
    arrays = _arrays(kept.votes, index)
    weights = np.asarray(kept.weights, dtype=np.float64)
    plain = _fit(arrays, weights, options, covariates=None, n_items=len(order))
    controlled, confounding = None, None
    if options.style_control:
        covariates = style_covariates(
            [v.left_text for v in kept.votes], [v.right_text for v in kept.votes]
        )
        controlled = _fit(arrays, weights, options, covariates=covariates, n_items=len(order))
        confounding = style_confounding(arrays[0], arrays[1], covariates, n_items=len(order))
    main = controlled or plain
    matrix = win_matrix(arrays[0], arrays[1], arrays[2], n_items=len(order), weights=weights)
    best_first = np.argsort(-main.scores, kind="stable")  # the matrix reads best model first
    wins = matrix.wins[np.ix_(best_first, best_first)]
    games = matrix.games[np.ix_(best_first, best_first)]
    stability = top_rank_stability(
        arrays[0], arrays[1], arrays[2], n_items=len(order), weights=weights, ties=options.ties
    )
    return replace(
        empty,
        standings=_standings(main, order, kept.votes, index),
        uncontrolled=_standings(plain, order, kept.votes, index) if controlled else None,
        style_effects=_style_effects(controlled, confounding),
        tie_param=main.tie_param,
        order=[order[i] for i in best_first],
        win_rates=[[None if math.isnan(x) else round(float(x), 4) for x in row] for row in wins],
        games=[[int(x) for x in row] for row in games],
        stability=Stability(
            leader=order[stability.top],
            challenger=None if stability.challenger is None else order[stability.challenger],
            votes_to_flip=stability.votes_to_flip,
            share=stability.share,
        ),
    )


def _arrays(votes: list[Vote], index: dict[str, int]) -> tuple[np.ndarray, ...]:
    raters = {rater: i for i, rater in enumerate(sorted({v.rater for v in votes}))}
    return (
        np.fromiter((index[v.left] for v in votes), dtype=np.int64, count=len(votes)),
        np.fromiter((index[v.right] for v in votes), dtype=np.int64, count=len(votes)),
        np.fromiter((v.outcome for v in votes), dtype=np.int64, count=len(votes)),
        np.fromiter((raters[v.rater] for v in votes), dtype=np.int64, count=len(votes)),
    )


def _fit(
    arrays: tuple[np.ndarray, ...],
    weights: np.ndarray,
    options: BoardOptions,
    *,
    covariates: np.ndarray | None,
    n_items: int,
) -> BoardFit:
    left, right, outcome, rater = arrays
    return fit_board(
        left,
        right,
        outcome,
        rater,
        n_items=n_items,
        covariates=covariates,
        weights=weights,
        ties=options.ties,
        bootstrap_rounds=options.bootstrap_rounds,
        level=options.level,
        seed=options.seed,
        coef_names=STYLE_FEATURES if covariates is not None else None,
    )


def _elo(score: float) -> float:
    return round(ELO_BASE + ELO_PER_LOG_ODDS * float(score), 1)


def _standings(
    fit: BoardFit, order: list[str], votes: list[Vote], index: dict[str, int]
) -> list[Standing]:
    counts: Counter[int] = Counter()
    wins: defaultdict[int, float] = defaultdict(float)
    for vote in votes:
        left, right = index[vote.left], index[vote.right]
        counts[left] += 1
        counts[right] += 1
        share = {0: (1.0, 0.0), 1: (0.0, 1.0)}.get(vote.outcome, (0.5, 0.5))
        wins[left] += share[0]
        wins[right] += share[1]
    rows = []
    for i, variant in enumerate(order):
        better = sum(1 for j in range(len(order)) if fit.ci_low[j] > fit.ci_high[i])
        rows.append(
            Standing(
                variant_id=variant,
                rating=_elo(fit.scores[i]),
                ci_low=_elo(fit.ci_low[i]),
                ci_high=_elo(fit.ci_high[i]),
                sandwich_low=_elo(fit.sandwich_low[i]),
                sandwich_high=_elo(fit.sandwich_high[i]),
                rank=1 + better,
                votes=counts[i],
                wins=wins[i],
            )
        )
    return sorted(rows, key=lambda s: (-s.rating, s.variant_id))


def _style_effects(fit: BoardFit | None, confounding: np.ndarray | None) -> list[StyleEffect]:
    if fit is None or confounding is None or fit.coefficients.size == 0:
        return []
    names = list(fit.coef_names)
    return [
        StyleEffect(
            feature=names[k],
            coefficient=round(float(fit.coefficients[k]), 4),
            ci_low=round(float(fit.coef_ci_low[k]), 4),
            ci_high=round(float(fit.coef_ci_high[k]), 4),
            se_sandwich=round(float(fit.coef_se_sandwich[k]), 4),
            explained_by_models=round(float(confounding[k]), 4),
        )
        for k in range(len(names))
    ]


def list_board_variants(session: Session, actor: Actor, project_id: str) -> list[ModelVariant]:
    """Every variant ever submitted to a project's board, oldest first (requesters)."""
    actor.require(Role.REQUESTER)
    project, _setup = load_model_project(session, actor, project_id, *MODES)
    return variant_store.list_variants(session, actor.org_id, project.id)


def board_mode(session: Session, actor: Actor, project_id: str) -> str | None:
    """The mode of a project with a leaderboard (``comparison`` or ``chat``), else None."""
    setup = endpoint_store.get_setup(session, actor.org_id, project_id)
    return setup.mode if setup is not None and setup.mode in MODES else None
