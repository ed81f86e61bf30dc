"""Style covariates for pairwise votes (length, markdown, emoji) and style-controlled BT."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Self

import numpy as np
import scipy.sparse as sp
from numpy.typing import ArrayLike
from scipy.special import expit

from assay.quality._encoding import FloatArray
from assay.quality.errors import QualityInputError
from assay.quality.pairwise._votes import LEFT, RIGHT, PairwiseVotes, check_votes
from assay.quality.pairwise.bootstrap import percentile_interval

STYLE_FEATURES = ("length", "headers", "list_items", "bold", "emoji")
_HEADER = re.compile(r"^\s{0,3}#{1,6}\s", re.MULTILINE)
_LIST_ITEM = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s", re.MULTILINE)
_BOLD = re.compile(r"\*\*[^*\n]+\*\*|__[^_\n]+__")
_EMOJI = re.compile("[\U0001f300-\U0001faff\U00002600-\U000027bf\U0001f1e6-\U0001f1ff]")


def style_counts(texts: Sequence[str]) -> FloatArray:
    """Per text: length in characters and counts of markdown headers, list items, bold, emoji.

    Returns:
        Shape (len(texts), 5), columns in :data:`STYLE_FEATURES` order.

    """
    rows = [
        (
            len(text),
            len(_HEADER.findall(text)),
            len(_LIST_ITEM.findall(text)),
            len(_BOLD.findall(text)),
            len(_EMOJI.findall(text)),
        )
        for text in texts
    ]
    return np.asarray(rows, dtype=np.float64).reshape(len(rows), len(STYLE_FEATURES))


def style_covariates(left_texts: Sequence[str], right_texts: Sequence[str]) -> FloatArray:
    """Left-minus-right style differences, normalised as in style-controlled arenas.

    Each feature difference is divided by the sum of both sides (so a 10% longer answer
    weighs the same at any length), then by the difference's standard deviation.

    Returns:
        Shape (n_votes, 5).

    """
    if len(left_texts) != len(right_texts):
        raise QualityInputError("left and right texts must pair up")
    left, right = style_counts(left_texts), style_counts(right_texts)
    total = left + right
    diff = np.divide(left - right, total, out=np.zeros_like(total), where=total > 0)
    spread = diff.std(axis=0)
    return np.asarray(diff / np.where(spread > 0, spread, 1.0), dtype=np.float64)


class StyleControlledBradleyTerry:
    r"""Bradley-Terry with vote-level covariates (style control).

    Model: :math:`P(l \succ r) = \sigma(\theta_l - \theta_r + x_v^\top\beta)`.

    ``x_v`` holds left-minus-right style differences of vote :math:`v` (see
    :func:`style_covariates`), so ``scores_`` rank items with style held equal and
    ``coefficients_`` say how much each style feature sways voters. Ties are half a win.

    Fit: Newton on the vote rows with the sparse design :math:`D = [E \mid X]` (minus the
    Hessian :math:`D^\top \mathrm{diag}(\sigma(1-\sigma)) D`, items + covariates square),
    with ``prior`` virtual games per item and a ridge ``ridge`` on :math:`\beta`.
    :meth:`bootstrap` draws Poisson(1) weights per vote (covariates differ per vote, so
    votes cannot be folded into counts) and refits by chord Newton.

    Reference: W.-L. Chiang et al., "Chatbot Arena: An Open Platform for Evaluating LLMs by
    Human Preference", ICML 2024 (style control, 2024 blog).
    """

    def __init__(
        self, prior: float = 1.0, ridge: float = 1e-3, level: float = 0.95, seed: int | None = 0
    ) -> None:
        self.prior = prior
        self.ridge = ridge
        self.level = level
        self.seed = seed

    def fit(
        self,
        left_idx: ArrayLike,
        right_idx: ArrayLike,
        outcome: ArrayLike,
        covariates: ArrayLike,
        *,
        n_items: int | None = None,
    ) -> Self:
        """Fit on integer-coded votes and their (n_votes, n_features) covariates.

        Raises:
            QualityInputError: On empty input or covariates of the wrong shape.

        """
        votes = check_votes(left_idx, right_idx, outcome, None, n_items)
        features = np.asarray(covariates, dtype=np.float64)
        if features.ndim != 2 or features.shape[0] != votes.n_votes:
            raise QualityInputError("covariates must be shaped (n_votes, n_features)")
        self._setup(votes, features)
        self._params = self._newton(np.ones(votes.n_votes), np.zeros(self._design.shape[1]))
        n = votes.n_items
        theta = self._params[:n]
        self.scores_ = theta - theta.mean()
        self.coefficients_ = self._params[n:]
        return self

    def bootstrap(self, rounds: int) -> Self:
        """Percentile intervals for scores and coefficients from Poisson-weighted refits."""
        rng = np.random.default_rng(self.seed)
        n = self._n_items
        draws = np.empty((self._params.size, rounds))
        for k in range(rounds):
            weights = rng.poisson(1.0, size=self._target.size).astype(np.float64)
            draws[:, k] = self._newton(weights, self._params, max_iter=20)
        draws[:n] -= draws[:n].mean(axis=0, keepdims=True)
        low, high = percentile_interval(draws, self.level)
        self.ci_low_, self.ci_high_ = low[:n], high[:n]
        self.coef_ci_low_, self.coef_ci_high_ = low[n:], high[n:]
        return self

    def _setup(self, votes: PairwiseVotes, features: FloatArray) -> None:
        rows = np.repeat(np.arange(votes.n_votes), 2)
        cols = np.column_stack([votes.left_idx, votes.right_idx]).ravel()
        signs = np.tile([1.0, -1.0], votes.n_votes)
        items = sp.csr_array((signs, (rows, cols)), shape=(votes.n_votes, votes.n_items))
        self._design = sp.csr_array(sp.hstack([items, sp.csr_array(features)]))
        self._target = np.where(
            votes.outcome == LEFT, 1.0, np.where(votes.outcome == RIGHT, 0.0, 0.5)
        )
        self._n_items = votes.n_items

    def _newton(self, weights: FloatArray, start: FloatArray, max_iter: int = 50) -> FloatArray:
        params = start.copy()
        n = self._n_items
        for _ in range(max_iter):
            p = expit(self._design @ params)
            grad = self._design.T @ (weights * (self._target - p))
            curv = self._design.T @ sp.csr_array(
                self._design.multiply((weights * p * (1 - p))[:, None])
            )
            prior_p = expit(params[:n])
            grad[:n] += self.prior * (0.5 - prior_p)
            grad[n:] -= self.ridge * params[n:]
            dense = sp.csr_array(curv).toarray()
            dense[np.arange(n), np.arange(n)] += self.prior * prior_p * (1 - prior_p)
            dense[np.arange(n, params.size), np.arange(n, params.size)] += self.ridge
            step = np.linalg.solve(dense, grad)
            params += step
            if float(np.abs(step).max()) < 1e-8:
                break
        return params
