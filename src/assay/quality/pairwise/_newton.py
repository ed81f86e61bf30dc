"""Newton fits of pairwise models on pair counts, one data set or many bootstrap rounds at once.

A model gives, per pair, the derivatives of its log-likelihood in the score difference
``d = theta_first - theta_second`` (and in at most one extra global parameter, e.g. the
Davidson tie rate). The incidence matrix ``E`` (pairs x items, +1 / -1) turns those into the
gradient ``E.T @ g`` and the Hessian ``E.T diag(h) E`` (a weighted graph Laplacian).

Arrays of many rounds are laid out (pairs or items) x rounds, so every step is one sparse
product for all rounds. Bootstrap rounds use chord Newton: the full-data Hessian is factored
once and reused, which converges in a few steps because the rounds sit close to the fit.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

import numpy as np
import scipy.linalg as la
import scipy.sparse as sp
import scipy.sparse.linalg as spla
from scipy.special import expit

from assay.quality._encoding import FloatArray
from assay.quality.errors import QualityInputError
from assay.quality.pairwise._votes import PairCounts

_DENSE_LIMIT = 2000
_EINSUM_LIMIT = 400


@dataclass
class PairTerms:
    """Per-pair log-likelihood pieces; arrays are (pairs, rounds)."""

    loglik: FloatArray
    grad_d: FloatArray
    curv_dd: FloatArray  # minus the second derivative in d (>= 0)
    grad_x: FloatArray | None = None
    curv_dx: FloatArray | None = None
    curv_xx: FloatArray | None = None


class PairModel(Protocol):
    """What a pairwise likelihood supplies to the solver."""

    n_extra: int

    def prepare(self, counts: tuple[FloatArray, ...]) -> tuple[FloatArray, ...]:
        """Turn (first wins, second wins, ties) counts into what ``terms`` reads, once."""
        ...

    def terms(
        self, d: FloatArray, extra: FloatArray, counts: tuple[FloatArray, ...], with_loglik: bool
    ) -> PairTerms:
        """Log-likelihood pieces for differences ``d`` (pairs x rounds).

        With ``with_loglik=False`` only ``grad_d`` and ``grad_x`` need to be filled.
        """
        ...

    def gradient(
        self,
        design: PairDesign,
        theta: FloatArray,
        extra: FloatArray,
        counts: tuple[FloatArray, ...],
    ) -> tuple[FloatArray, FloatArray | None]:
        """``grad_d`` and ``grad_x`` (pairs x rounds) at scores ``theta`` (items x rounds).

        The chord steps of the bootstrap need nothing else, so a model may compute them
        faster than :meth:`terms`. ``theta`` may be one column shared by all rounds of
        ``counts`` (elementwise numpy broadcasts it).
        """
        ...

    def extra_prior(self, extra: FloatArray) -> tuple[FloatArray, float]:
        """Gradient (rounds,) and curvature of the extra parameter's log prior."""
        ...


class PairDesign:
    """The signed incidence matrix of the compared pairs."""

    def __init__(self, pairs: PairCounts) -> None:
        p, n = pairs.n_pairs, pairs.n_items
        rows = np.repeat(np.arange(p), 2)
        cols = np.column_stack([pairs.first, pairs.second]).ravel()
        signs = np.tile([1.0, -1.0], p)
        self.incidence = sp.csr_array((signs, (rows, cols)), shape=(p, n))
        self.first, self.second = pairs.first, pairs.second
        self.n_items = n

    def differences(self, theta: FloatArray) -> FloatArray:
        """Score differences per pair, (pairs, rounds)."""
        return np.asarray(self.incidence @ theta)

    def win_probability(self, theta: FloatArray) -> FloatArray:
        """``sigmoid(theta_first - theta_second)`` per pair, (pairs, rounds).

        As ``s_first / (s_first + s_second)`` with ``s = exp(theta - max theta)``: one
        exponential per item instead of one per pair (exact while a round's scores span
        less than 700, which the prior's virtual games guarantee in practice).
        """
        strength = np.exp(theta - theta.max(axis=0))
        first = np.take(strength, self.first, axis=0)
        total = np.take(strength, self.second, axis=0)
        total += first
        return np.asarray(np.divide(first, total, out=first), dtype=np.float64)

    def gather(self, per_pair: FloatArray) -> FloatArray:
        """Sum signed per-pair terms onto items, (items, rounds)."""
        return np.asarray(self.incidence.T @ per_pair)

    def laplacian(self, weights: FloatArray) -> sp.csr_array:
        """``E.T diag(weights) E`` as a sparse matrix."""
        weighted = sp.csr_array(self.incidence.multiply(weights[:, None]))
        return sp.csr_array(self.incidence.T @ weighted)


def _prior_terms(theta: FloatArray, strength: float) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Virtual games: each item plays ``strength`` games, half won, against a score of 0."""
    p = expit(theta)
    grad = strength * (0.5 - p)
    curv = strength * p * (1.0 - p)
    loglik = strength * 0.5 * (np.log(p) + np.log1p(-p))
    return loglik, grad, curv


def _prior_gradient(theta: FloatArray, strength: float) -> FloatArray:
    """The gradient of :func:`_prior_terms` alone."""
    return np.asarray(strength * (0.5 - expit(theta)), dtype=np.float64)


class Objective:
    """Log posterior, gradient and curvature of a pairwise model over (items + extra) x rounds."""

    def __init__(self, design: PairDesign, model: PairModel, prior: float) -> None:
        self.design, self.model, self.prior = design, model, prior

    def split(self, params: FloatArray) -> tuple[FloatArray, FloatArray]:
        """Scores (items, rounds) and extra parameters (extra, rounds)."""
        n = self.design.n_items
        return params[:n], params[n:]

    def evaluate(
        self, params: FloatArray, counts: tuple[FloatArray, ...]
    ) -> tuple[FloatArray, FloatArray, PairTerms, FloatArray]:
        """Log posterior (rounds,), gradient (params, rounds), the pair terms, prior curvature."""
        theta, extra = self.split(params)
        d = self.design.differences(theta)
        terms = self.model.terms(d, extra, counts, with_loglik=True)
        p_ll, p_grad, p_curv = _prior_terms(theta, self.prior)
        grad_theta = self.design.gather(terms.grad_d) + p_grad
        loglik = terms.loglik.sum(axis=0) + p_ll.sum(axis=0)
        if not self.model.n_extra:
            return loglik, grad_theta, terms, p_curv
        assert terms.grad_x is not None
        x_grad, x_curv = self.model.extra_prior(extra[0])
        loglik = loglik - 0.5 * x_curv * extra[0] ** 2  # the extra priors are Gaussian
        grad = np.vstack([grad_theta, (terms.grad_x.sum(axis=0) + x_grad)[None, :]])
        return loglik, grad, terms, p_curv

    def gradient(self, params: FloatArray, counts: tuple[FloatArray, ...]) -> FloatArray:
        """Gradient of the log posterior only, (params, rounds): what a chord step needs.

        ``params`` may be one column shared by all rounds of ``counts``.
        """
        theta, extra = self.split(params)
        grad_d, grad_x = self.model.gradient(self.design, theta, extra, counts)
        grad_theta = self.design.gather(grad_d) + _prior_gradient(theta, self.prior)
        if not self.model.n_extra:
            return grad_theta
        assert grad_x is not None
        x_grad, _ = self.model.extra_prior(extra[0])
        return np.vstack([grad_theta, (grad_x.sum(axis=0) + x_grad)[None, :]])

    def curvature(
        self, terms: PairTerms, prior_curv: FloatArray, extra: FloatArray
    ) -> FloatArray | sp.csr_array:
        """Minus the Hessian for one round, dense (small) or sparse (large)."""
        lap = self.design.laplacian(terms.curv_dd[:, 0])
        lap = sp.csr_array(lap + sp.diags_array(prior_curv[:, 0]))
        if self.model.n_extra:
            assert terms.curv_dx is not None and terms.curv_xx is not None
            cross = self.design.gather(terms.curv_dx)[:, :1]
            _, x_curv = self.model.extra_prior(extra[0])
            corner = np.array([[float(terms.curv_xx.sum()) + x_curv]])
            lap = sp.csr_array(sp.block_array([[lap, cross], [cross.T, corner]]))
        if lap.shape[0] <= _DENSE_LIMIT:
            return np.asarray(lap.toarray(), dtype=np.float64)
        return lap


class Factor:
    """A (minus) Hessian that solves one or many right-hand sides, factored on first use.

    Dense systems are Cholesky-factored. Many right-hand sides on a small system multiply
    by the explicit inverse with ``np.einsum`` (no BLAS threads to wake for a 100 x 100
    system: on a busy machine a threaded BLAS call can stall for tens of milliseconds). The
    inverse is formed once, when first needed, so a fit's single-column Newton steps never
    pay for it. Large sparse systems use sparse LU.
    """

    def __init__(self, curvature: FloatArray | sp.csr_array) -> None:
        self._curvature = curvature
        self._cholesky: tuple[FloatArray, bool] | None = None
        self._inverse: FloatArray | None = None
        self._sparse: spla.SuperLU | None = None

    def inverse(self) -> FloatArray | None:
        """The inverse of a dense system (formed once), None for a sparse one."""
        if not isinstance(self._curvature, np.ndarray):
            return None
        return self._dense_inverse()

    def solve(self, rhs: FloatArray) -> FloatArray:
        """Solve for every column of ``rhs``."""
        if isinstance(self._curvature, np.ndarray):
            if rhs.shape[1] > 1 and self._curvature.shape[0] <= _EINSUM_LIMIT:
                inverse = self._dense_inverse()
                return np.asarray(np.einsum("ij,jk->ik", inverse, rhs), dtype=np.float64)
            return np.asarray(la.cho_solve(self._dense_factor(), rhs))
        if self._sparse is None:
            self._sparse = spla.splu(sp.csc_matrix(self._curvature))
        return np.asarray(self._sparse.solve(rhs))

    def _dense_factor(self) -> tuple[FloatArray, bool]:
        if self._cholesky is None:
            self._cholesky = la.cho_factor(self._curvature)
        return self._cholesky

    def _dense_inverse(self) -> FloatArray:
        if self._inverse is None:
            size = self._curvature.shape[0]
            self._inverse = la.cho_solve(self._dense_factor(), np.eye(size))
        return self._inverse


def newton_fit(
    objective: Objective,
    counts: tuple[FloatArray, ...],
    start: FloatArray,
    max_iter: int = 100,
    tol: float = 1e-9,
) -> tuple[FloatArray, FloatArray | sp.csr_array, int]:
    """Damped Newton for one data set (a (params, 1) column).

    Args:
        objective: The model's log posterior.
        counts: Prepared counts (see ``PairModel.prepare``), each (pairs, 1).
        start: Starting parameters.
        max_iter: Maximum number of Newton steps.
        tol: Stop when no parameter moves more than this.

    Returns:
        The fitted parameters, minus the Hessian there, and the number of steps taken.

    """
    params = start.copy()
    loglik, grad, terms, p_curv = objective.evaluate(params, counts)
    step_count = 0
    for _ in range(max_iter):
        step_count += 1
        curvature = objective.curvature(terms, p_curv, objective.split(params)[1])
        step = Factor(curvature).solve(grad)
        scale = 1.0
        for _ in range(30):
            trial = params + scale * step
            t_loglik, t_grad, t_terms, t_curv = objective.evaluate(trial, counts)
            if t_loglik[0] >= loglik[0] - 1e-12 * abs(loglik[0]):
                break
            scale /= 2.0
        params, loglik, grad, terms, p_curv = trial, t_loglik, t_grad, t_terms, t_curv
        if float(np.abs(scale * step).max()) < tol:
            break
    if not np.isfinite(params).all():
        raise QualityInputError("the pairwise fit diverged; check the comparisons")
    curvature = objective.curvature(terms, p_curv, objective.split(params)[1])
    return params, curvature, step_count


def chord_fit(
    objective: Objective,
    counts: tuple[FloatArray, ...],
    start: FloatArray,
    factor: Factor,
    max_iter: int = 60,
    tol: float = 1e-5,
) -> FloatArray:
    """Fit many rounds at once with one fixed, pre-factored Hessian (chord Newton).

    ``counts`` are prepared counts, each (pairs, rounds). Every round starts at ``start``,
    so the first gradient evaluates the model there once, as one column against all the
    rounds' counts. Rounds still moving after ``max_iter`` steps finish with their own
    damped Newton.
    """
    params = np.repeat(start, counts[0].shape[1], axis=1)
    moving = np.ones(params.shape[1], dtype=bool)
    point = start
    for _ in range(max_iter):
        step = factor.solve(objective.gradient(point, counts))
        params += step
        point = params
        moving = np.abs(step).max(axis=0) >= tol
        if not moving.any():
            return params
    for column in np.flatnonzero(moving | ~np.isfinite(params).all(axis=0)):
        single = tuple(c[:, column : column + 1] for c in counts)
        params[:, column : column + 1], _, _ = newton_fit(objective, single, start)
    return params
