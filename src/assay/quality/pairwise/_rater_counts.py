"""Leaderboard fit on folded counts: per-rater count cells, rater gradients, rater bootstrap.

Without covariates a vote is fully described by its (pair, outcome) cell, so the votes of
each rater fold into a sparse matrix ``cells`` (pairs * 3 x raters). A bootstrap round that
gives rater ``r`` the weight ``w_r`` sees the counts ``cells @ w``: many rounds are one
sparse-times-dense product, whatever the number of votes, and are refitted together:
small boards by a batched exact Newton (every round its own Hessian, one stacked solve), which
stays quick when a resample drops a heavy rater and lands far from the full-data fit; boards
with more than a few hundred items by chord Newton (see ``_newton``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from assay.quality._encoding import FloatArray
from assay.quality.pairwise._board_input import BoardVotes
from assay.quality.pairwise._newton import (
    Factor,
    Objective,
    PairDesign,
    PairModel,
    PairTerms,
    chord_fit,
    newton_fit,
)
from assay.quality.pairwise._votes import PairCounts, fold_pairs
from assay.quality.pairwise.bradley_terry import BradleyTerryLikelihood
from assay.quality.pairwise.davidson import DavidsonLikelihood

_ROUNDS_PER_CHUNK = 250
_CHUNK_CELLS = 20_000_000  # raters x rounds drawn at once
_BATCHED_LIMIT = 300  # parameters up to which rounds get their own Hessian
_MAX_STEP = 2.0  # largest move of one parameter in one batched Newton step


def likelihood(ties: str) -> PairModel:
    """The pair likelihood of a tie model: Davidson, or Bradley-Terry with half wins."""
    return DavidsonLikelihood() if ties == "davidson" else BradleyTerryLikelihood(0.5)


@dataclass(frozen=True)
class CountsFit:
    """A pairwise model fitted on folded counts, with what its intervals need.

    Attributes:
        pairs: The folded (weighted) counts.
        model: The pair likelihood.
        objective: Its log posterior over the compared pairs.
        params: Fitted scores then extra parameters, (params, 1).
        curvature: Minus the Hessian of the log posterior at ``params``.
        cells: Weighted counts per (pair, outcome) cell (rows ``pair * 3 + outcome``) and
            rater (columns).

    """

    pairs: PairCounts
    model: PairModel
    objective: Objective
    params: FloatArray
    curvature: FloatArray | sp.csr_array
    cells: sp.csr_array


def fit_counts(board: BoardVotes, ties: str, prior: float, with_cells: bool = True) -> CountsFit:
    """Fold the votes and fit the tie model by damped Newton (``cells`` empty if not asked)."""
    pairs = fold_pairs(board.votes, board.weights)
    model = likelihood(ties)
    objective = Objective(PairDesign(pairs), model, prior)
    counts = model.prepare(tuple(pairs.counts[:, k : k + 1] for k in range(3)))
    start = np.zeros((pairs.n_items + model.n_extra, 1))
    params, curvature, _ = newton_fit(objective, counts, start)
    rows = pairs.pair_of_vote * 3 + pairs.outcome_of_vote
    cells = sp.csr_array((pairs.n_pairs * 3, board.n_raters))
    if with_cells:
        cells = sp.csr_array(
            (board.weights, (rows, board.votes.worker_idx)),
            shape=(pairs.n_pairs * 3, board.n_raters),
        )
    return CountsFit(pairs, model, objective, params, curvature, cells)


def unit_gradients(fit: CountsFit, params: FloatArray) -> tuple[FloatArray, FloatArray | None]:
    """Log-likelihood gradient of one vote in each (pair, outcome) cell at ``params``.

    Returns:
        The gradient in the score difference (pairs, 3) and in the extra parameter
        (pairs, 3), or None without one.

    """
    n_pairs, n = fit.pairs.n_pairs, fit.pairs.n_items
    d = np.repeat(fit.objective.design.differences(params[:n]), 3, axis=1)
    extra = np.repeat(params[n:], 3, axis=1)
    unit = np.eye(3)
    counts = fit.model.prepare(tuple(np.tile(unit[k], (n_pairs, 1)) for k in range(3)))
    terms = fit.model.terms(d, extra, counts, with_loglik=False)
    return terms.grad_d, terms.grad_x


def cell_gradients(fit: CountsFit) -> sp.csr_array:
    """Gradient of one vote of each cell, as a sparse (cells x params) matrix."""
    grad_d, grad_x = unit_gradients(fit, fit.params)
    n_pairs, n = fit.pairs.n_pairs, fit.pairs.n_items
    rows = np.arange(n_pairs * 3)
    first = np.repeat(fit.pairs.first, 3)
    second = np.repeat(fit.pairs.second, 3)
    data = [grad_d.ravel(), -grad_d.ravel()]
    cols = [first, second]
    row_list = [rows, rows]
    if grad_x is not None:
        data.append(grad_x.ravel())
        cols.append(np.full(rows.size, n))
        row_list.append(rows)
    size = n + fit.model.n_extra
    return sp.csr_array(
        (np.concatenate(data), (np.concatenate(row_list), np.concatenate(cols))),
        shape=(n_pairs * 3, size),
    )


def rater_gradients(fit: CountsFit) -> sp.csr_array:
    """Log-likelihood gradient of each rater's votes at the fit, (raters x params)."""
    return sp.csr_array(fit.cells.T @ cell_gradients(fit))


def bootstrap_counts(fit: CountsFit, rounds: int, rng: np.random.Generator) -> FloatArray:
    """Refit ``rounds`` rater-weighted resamples (Poisson(1) weight per rater).

    Returns:
        Parameters of every round, (params, rounds); scores not yet centred.

    """
    n_raters = fit.cells.shape[1]
    chunk = max(1, min(_ROUNDS_PER_CHUNK, _CHUNK_CELLS // max(n_raters, 1)))
    factor = Factor(fit.curvature)
    draws = np.empty((fit.params.shape[0], rounds))
    n_pairs = fit.pairs.n_pairs
    for begin in range(0, rounds, chunk):
        size = min(chunk, rounds - begin)
        weights = rng.poisson(1.0, (n_raters, size)).astype(np.float64)
        resampled = np.asarray(fit.cells @ weights).reshape(n_pairs, 3, size)
        counts = fit.model.prepare(tuple(resampled[:, k, :] for k in range(3)))
        if fit.params.shape[0] <= _BATCHED_LIMIT:
            draws[:, begin : begin + size] = batched_newton(fit, counts)
        else:
            draws[:, begin : begin + size] = chord_fit(fit.objective, counts, fit.params, factor)
    return draws


def batched_newton(
    fit: CountsFit, counts: tuple[FloatArray, ...], max_iter: int = 40, tol: float = 1e-7
) -> FloatArray:
    """Newton for many rounds at once from the full-data fit; (params, rounds).

    Steps are clipped to move no parameter more than ``_MAX_STEP``; the (concave) log
    posterior then converges quadratically from the fit. Rounds still moving after
    ``max_iter`` steps finish with the damped single-round Newton.
    """
    objective, n = fit.objective, fit.pairs.n_items
    params = np.repeat(fit.params, counts[0].shape[1], axis=1)
    moving = np.ones(params.shape[1], dtype=bool)
    for _ in range(max_iter):
        active = tuple(c[:, moving] for c in counts)
        _, grad, terms, p_curv = objective.evaluate(params[:, moving], active)
        curvature = _stacked_curvature(fit, terms, p_curv, params[n:, moving])
        step = np.linalg.solve(curvature, grad.T[:, :, None])[:, :, 0].T
        biggest = np.abs(step).max(axis=0)
        step *= np.minimum(1.0, _MAX_STEP / np.maximum(biggest, 1e-300))
        params[:, moving] += step
        still = np.flatnonzero(moving)[biggest >= tol]
        moving[:] = False
        moving[still] = True
        if not moving.any():
            return params
    for column in np.flatnonzero(moving | ~np.isfinite(params).all(axis=0)):
        single = tuple(c[:, column : column + 1] for c in counts)
        params[:, column : column + 1], _, _ = newton_fit(objective, single, fit.params)
    return params


def _stacked_curvature(
    fit: CountsFit, terms: PairTerms, prior_curv: FloatArray, extra: FloatArray
) -> FloatArray:
    """Minus the Hessian of every round, (rounds, params, params)."""
    n, size = fit.pairs.n_items, fit.params.shape[0]
    first, second = fit.pairs.first, fit.pairs.second
    h = terms.curv_dd.T  # (rounds, pairs)
    curv = np.zeros((h.shape[0], size, size))
    flat = curv.reshape(h.shape[0], size * size)
    flat[:, first * size + second] = -h  # pairs are distinct, first < second
    curv += curv.transpose(0, 2, 1)
    diag = np.arange(n)
    curv[:, diag, diag] = prior_curv.T - curv[:, :n, :n].sum(axis=2)
    if fit.model.n_extra:
        assert terms.curv_dx is not None and terms.curv_xx is not None
        cross = fit.objective.design.gather(terms.curv_dx).T
        curv[:, :n, n] = curv[:, n, :n] = cross
        _, x_curv = fit.model.extra_prior(extra[0])
        curv[:, n, n] = terms.curv_xx.sum(axis=0) + x_curv
    return curv
