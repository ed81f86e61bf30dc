"""Noisy Bradley-Terry: attentive workers vote by Bradley-Terry, the rest flip a coin."""

from __future__ import annotations

from typing import Self

import numpy as np
from scipy.special import expit

from assay.quality.pairwise._newton import PairModel
from assay.quality.pairwise._ranker import PairwiseRanker
from assay.quality.pairwise._votes import LEFT, TIE, PairwiseVotes, fold_pairs
from assay.quality.pairwise.bradley_terry import BradleyTerryLikelihood

_EDGE = 1e-6


class NoisyBradleyTerry(PairwiseRanker):
    r"""Bradley-Terry with a reliability per worker (a mixture of attention and guessing).

    Model: worker :math:`w` is attentive on a vote with probability :math:`\gamma_w` and then
    votes by Bradley-Terry, :math:`P(\text{left wins}) = \sigma(\theta_l - \theta_r)`;
    otherwise they click "left" with their own bias :math:`\beta_w`. Priors
    :math:`\gamma_w \sim \mathrm{Beta}(a, b)` (``reliability_prior``),
    :math:`\beta_w \sim \mathrm{Beta}(1, 1)`. Ties are half a win each and carry no evidence
    about attention.

    EM from :math:`\gamma_w = a/(a+b)` and a plain Bradley-Terry fit:

    * E-step: :math:`\rho_v = \gamma_w P_{BT}(v) / (\gamma_w P_{BT}(v) + (1-\gamma_w)
      P_{\beta_w}(v))`, the posterior that vote :math:`v` was attentive;
    * M-step: :math:`\gamma_w = (\sum_v \rho_v + a - 1)/(n_w + a + b - 2)`,
      :math:`\beta_w` = share of "left" among the inattentive mass, and :math:`\theta` by a
      few warm-started Newton steps of Bradley-Terry on the :math:`\rho`-weighted win counts.

    Fitted state: ``scores_``, ``reliability_`` and ``left_bias_`` per worker, intervals as
    in :class:`BradleyTerry`; :meth:`bootstrap` resamples the final weighted counts (the
    reliabilities are held fixed).

    Reference: a variant of the noisy BT model in Crowd-Kit (Ustalov et al., JOSS 2024);
    mixture-of-attention models as in X. Chen, P. N. Bennett, K. Collins-Thompson,
    E. Horvitz, "Pairwise Ranking Aggregation in a Crowdsourced Setting", WSDM 2013.

    Args:
        n_iter: Maximum number of EM rounds.
        tol: Stop when no reliability moves more than ``tol``.
        reliability_prior: Beta prior (a, b) on each worker's reliability.
        prior: Virtual games per item.
        level: Coverage of the intervals.
        seed: Seed of the bootstrap.

    """

    def __init__(
        self,
        n_iter: int = 50,
        tol: float = 1e-4,
        reliability_prior: tuple[float, float] = (4.0, 2.0),
        prior: float = 1.0,
        level: float = 0.95,
        seed: int | None = 0,
    ) -> None:
        super().__init__(prior=prior, level=level, seed=seed)
        self.n_iter = n_iter
        self.tol = tol
        self.reliability_prior = reliability_prior

    def _likelihood(self) -> PairModel:
        return BradleyTerryLikelihood(0.5)

    def _fit_votes(self, votes: PairwiseVotes) -> Self:
        a, b = self.reliability_prior
        n_w = np.bincount(votes.worker_idx, minlength=votes.n_workers).astype(np.float64)
        decided = votes.outcome != TIE
        said_left = votes.outcome == LEFT
        reliability = np.full(votes.n_workers, a / (a + b))
        left_bias = np.full(votes.n_workers, 0.5)
        self._fit_counts(fold_pairs(votes))
        self.n_em_iter_ = 0
        for _ in range(max(self.n_iter, 1)):
            theta = self._params[: votes.n_items, 0]
            p_left = expit(theta[votes.left_idx] - theta[votes.right_idx])
            attentive = np.where(said_left, p_left, 1.0 - p_left) * reliability[votes.worker_idx]
            bias = left_bias[votes.worker_idx]
            guess = np.where(said_left, bias, 1.0 - bias) * (1.0 - reliability[votes.worker_idx])
            rho = np.where(decided, attentive / (attentive + guess), 1.0)
            weight = np.bincount(votes.worker_idx, weights=rho * decided, minlength=votes.n_workers)
            seen = np.bincount(votes.worker_idx, weights=decided, minlength=votes.n_workers)
            updated = (weight + a - 1.0) / (seen + a + b - 2.0)
            updated = np.clip(np.where(seen > 0, updated, a / (a + b)), _EDGE, 1.0 - _EDGE)
            inattentive = (1.0 - rho) * decided
            lefts = np.bincount(
                votes.worker_idx, weights=inattentive * said_left, minlength=n_w.size
            )
            total = np.bincount(votes.worker_idx, weights=inattentive, minlength=n_w.size)
            left_bias = np.clip((lefts + 1.0) / (total + 2.0), _EDGE, 1.0 - _EDGE)
            moved = float(np.abs(updated - reliability).max())
            reliability = updated
            self.n_em_iter_ += 1
            if moved < self.tol:
                break
            self._fit_counts(fold_pairs(votes, weights=rho), self._params, intervals=False)
        self._fit_counts(fold_pairs(votes, weights=rho), self._params)
        self.reliability_ = reliability
        self.left_bias_ = left_bias
        return self
