"""Leaderboard fit on vote rows with covariates: ``d = theta_l - theta_r + x^T beta`` per vote.

Covariates differ from vote to vote, so votes cannot be folded into pair counts. The pair
likelihoods of ``_newton`` (Bradley-Terry with half ties, Davidson) are evaluated per vote
instead, and the (dense, items + covariates + extra square) Hessian is assembled with
``np.bincount`` in O(votes), never through a sparse design product.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.linalg as la
import scipy.sparse as sp

from assay.quality._encoding import FloatArray, IntArray
from assay.quality.errors import QualityInputError
from assay.quality.pairwise._board_input import BoardVotes
from assay.quality.pairwise._newton import PairModel, PairTerms, _prior_terms
from assay.quality.pairwise._votes import LEFT, RIGHT, TIE

RIDGE = 1e-3  # on the covariate coefficients: keeps a constant or collinear column finite


@dataclass(frozen=True)
class VoteObjective:
    """Log posterior of a pairwise model with vote covariates.

    Parameters are laid out as scores (``n_items``), coefficients (``n_features``), then
    the model's extra parameter (Davidson's log nu) if any.
    """

    board: BoardVotes
    model: PairModel
    prior: float
    counts: tuple[FloatArray, ...]

    @classmethod
    def build(cls, board: BoardVotes, model: PairModel, prior: float) -> VoteObjective:
        """Prepare the per-vote (weighted) outcome counts once."""
        outcome, weight = board.votes.outcome, board.weights
        raw = tuple(np.where(outcome == code, weight, 0.0)[:, None] for code in (LEFT, RIGHT, TIE))
        return cls(board, model, prior, model.prepare(raw))

    @property
    def sizes(self) -> tuple[int, int, int]:
        """Numbers of items, covariates and extra parameters."""
        assert self.board.covariates is not None
        return self.board.votes.n_items, self.board.covariates.shape[1], self.model.n_extra

    def terms(self, params: FloatArray, with_loglik: bool = True) -> PairTerms:
        """Per-vote likelihood pieces at ``params`` (arrays are votes x 1)."""
        n, k, _ = self.sizes
        votes, features = self.board.votes, self.board.covariates
        assert features is not None
        theta = params[:n]
        d = theta[votes.left_idx] - theta[votes.right_idx] + features @ params[n : n + k]
        extra = params[n + k :, None]
        return self.model.terms(d[:, None], extra, self.counts, with_loglik)

    def gradient(self, params: FloatArray, terms: PairTerms) -> FloatArray:
        """Gradient of the log posterior, (params,)."""
        n, k, e = self.sizes
        votes, features = self.board.votes, self.board.covariates
        assert features is not None
        g = terms.grad_d[:, 0]
        grad = np.empty(n + k + e)
        grad[:n] = np.bincount(votes.left_idx, g, n) - np.bincount(votes.right_idx, g, n)
        grad[n : n + k] = features.T @ g
        if e:
            assert terms.grad_x is not None
            grad[n + k :] = terms.grad_x.sum()
        return grad + self.prior_gradient(params)

    def prior_gradient(self, params: FloatArray) -> FloatArray:
        """Gradient of the priors: virtual games on scores, ridge on coefficients, extra's."""
        n, k, e = self.sizes
        _, grad_theta, _ = _prior_terms(params[:n], self.prior)
        parts = [grad_theta, -RIDGE * params[n : n + k]]
        if e:
            parts.append(self.model.extra_prior(params[n + k :])[0])
        return np.concatenate(parts)

    def prior_curvature(self, params: FloatArray) -> FloatArray:
        """Minus the Hessian of the priors (diagonal), (params,)."""
        n, k, e = self.sizes
        _, _, curv_theta = _prior_terms(params[:n], self.prior)
        parts = [curv_theta, np.full(k, RIDGE)]
        if e:
            parts.append(np.full(e, self.model.extra_prior(params[n + k :])[1]))
        return np.concatenate(parts)

    def log_posterior(self, params: FloatArray, terms: PairTerms) -> float:
        """Log-likelihood plus log priors (up to constants)."""
        n, k, e = self.sizes
        prior_ll, _, _ = _prior_terms(params[:n], self.prior)
        total = float(terms.loglik.sum() + prior_ll.sum())
        total -= 0.5 * RIDGE * float(params[n : n + k] @ params[n : n + k])
        if e:
            x_grad, _ = self.model.extra_prior(params[n + k :])
            total += 0.5 * float(x_grad @ params[n + k :])
        return total

    def curvature(self, params: FloatArray, terms: PairTerms) -> FloatArray:
        """Minus the Hessian of the log posterior, dense (params x params)."""
        n, k, e = self.sizes
        votes, features = self.board.votes, self.board.covariates
        assert features is not None
        left, right = votes.left_idx, votes.right_idx
        h = terms.curv_dd[:, 0]
        off = np.bincount(left * n + right, h, n * n).reshape(n, n)
        off += off.T
        size = n + k + e
        curv = np.zeros((size, size))
        curv[:n, :n] = np.diag(off.sum(axis=1)) - off
        weighted = features * h[:, None]
        cross = _signed_rows(left, right, weighted, n)
        curv[:n, n : n + k] = cross
        curv[n : n + k, :n] = cross.T
        curv[n : n + k, n : n + k] = features.T @ weighted
        if e:
            assert terms.curv_dx is not None and terms.curv_xx is not None
            cdx = terms.curv_dx[:, 0]
            column = _signed_rows(left, right, cdx[:, None], n)[:, 0]
            curv[:n, n + k] = curv[n + k, :n] = column
            curv[n : n + k, n + k] = curv[n + k, n : n + k] = features.T @ cdx
            curv[n + k, n + k] = float(terms.curv_xx.sum())
        curv[np.diag_indices(size)] += self.prior_curvature(params)
        return curv


def _signed_rows(left: IntArray, right: IntArray, values: FloatArray, n: int) -> FloatArray:
    """``E.T @ values`` for the vote incidence ``E`` (+1 left, -1 right): (n, columns)."""
    return np.column_stack(
        [np.bincount(left, col, n) - np.bincount(right, col, n) for col in values.T]
    )


def fit_votes(
    objective: VoteObjective, max_iter: int = 100, tol: float = 1e-9
) -> tuple[FloatArray, FloatArray, PairTerms]:
    """Damped Newton from zero; returns the parameters, minus the Hessian and the terms."""
    n, k, e = objective.sizes
    params = np.zeros(n + k + e)
    terms = objective.terms(params)
    value = objective.log_posterior(params, terms)
    for _ in range(max_iter):
        curv = objective.curvature(params, terms)
        step = la.cho_solve(la.cho_factor(curv), objective.gradient(params, terms))
        scale = 1.0
        for _ in range(30):
            trial = params + scale * step
            trial_terms = objective.terms(trial)
            trial_value = objective.log_posterior(trial, trial_terms)
            if trial_value >= value - 1e-12 * abs(value):
                break
            scale /= 2.0
        params, terms, value = trial, trial_terms, trial_value
        if float(np.abs(scale * step).max()) < tol:
            break
    if not np.isfinite(params).all():
        raise QualityInputError("the pairwise fit diverged; check the comparisons")
    return params, objective.curvature(params, terms), terms


def rater_gradients(objective: VoteObjective, terms: PairTerms) -> sp.csr_array:
    """Log-likelihood gradient of each rater's votes at the fit, (raters x params)."""
    n, k, e = objective.sizes
    votes, features = objective.board.votes, objective.board.covariates
    assert features is not None
    g = terms.grad_d[:, 0]
    rater = votes.worker_idx
    data = [g, -g, *(features * g[:, None]).T]
    cols = [votes.left_idx, votes.right_idx, *(np.full(g.size, n + j) for j in range(k))]
    if e:
        assert terms.grad_x is not None
        data.append(terms.grad_x[:, 0])
        cols.append(np.full(g.size, n + k))
    rows = np.tile(rater, len(data))
    return sp.csr_array(
        (np.concatenate(data), (rows, np.concatenate(cols))),
        shape=(objective.board.n_raters, n + k + e),
    )
