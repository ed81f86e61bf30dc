"""Davidson's extension of Bradley-Terry with an explicit tie probability."""

from __future__ import annotations

import numpy as np

from assay.quality._encoding import FloatArray
from assay.quality.pairwise._newton import PairDesign, PairModel, PairTerms
from assay.quality.pairwise._ranker import PairwiseRanker

_LOG_NU_PRIOR_SD = 3.0


class DavidsonLikelihood:
    r"""Davidson: win, loss, tie probabilities :math:`\propto e^{d/2}, e^{-d/2}, \nu`."""

    n_extra = 1

    def prepare(self, counts: tuple[FloatArray, ...]) -> tuple[FloatArray, ...]:
        """(wins, losses, ties, games) per pair."""
        wins, losses, ties = counts
        return wins, losses, ties, wins + losses + ties

    def terms(
        self, d: FloatArray, extra: FloatArray, counts: tuple[FloatArray, ...], with_loglik: bool
    ) -> PairTerms:
        """Log-likelihood pieces per pair (pairs x rounds); ``extra[0]`` is log nu."""
        wins, losses, ties, games = counts
        log_nu = extra[0][None, :]
        half = 0.5 * d
        top = np.maximum(np.abs(half), log_nu)
        log_z = top + np.log(np.exp(half - top) + np.exp(-half - top) + np.exp(log_nu - top))
        p_win, p_loss, p_tie = np.exp(half - log_z), np.exp(-half - log_z), np.exp(log_nu - log_z)
        loglik = (wins - losses) * half + ties * log_nu - games * log_z if with_loglik else d
        mean_d = 0.5 * (p_win - p_loss)
        var_d = 0.25 * (p_win + p_loss) - mean_d * mean_d
        return PairTerms(
            loglik=loglik,
            grad_d=0.5 * (wins - losses) - games * mean_d,
            curv_dd=games * var_d,
            grad_x=ties - games * p_tie,
            curv_dx=-games * p_tie * mean_d,
            curv_xx=games * p_tie * (1.0 - p_tie),
        )

    def gradient(
        self,
        design: PairDesign,
        theta: FloatArray,
        extra: FloatArray,
        counts: tuple[FloatArray, ...],
    ) -> tuple[FloatArray, FloatArray | None]:
        """``grad_d`` and ``grad_x`` from :meth:`terms` at the scores' differences."""
        terms = self.terms(design.differences(theta), extra, counts, with_loglik=False)
        return terms.grad_d, terms.grad_x

    def extra_prior(self, extra: FloatArray) -> tuple[FloatArray, float]:
        """Return gradient and curvature of a weak N(0, 3^2) prior on log nu."""
        precision = 1.0 / _LOG_NU_PRIOR_SD**2
        return -extra * precision, precision


class Davidson(PairwiseRanker):
    r"""Davidson's tie model for pairwise comparisons.

    Model: with :math:`\pi_i = e^{\theta_i}`,
    :math:`P(i \succ j) = \pi_i / Z`, :math:`P(j \succ i) = \pi_j / Z`,
    :math:`P(i = j) = \nu\sqrt{\pi_i\pi_j} / Z`, :math:`Z = \pi_i + \pi_j + \nu\sqrt{\pi_i\pi_j}`.

    Fit: damped Newton on :math:`(\theta, \log\nu)` over the per-pair (wins, losses, ties)
    counts. The log-likelihood is concave (a log-sum-exp of linear terms); minus its Hessian
    is the covariance of the outcome's sufficient statistics times the pair counts. Same
    priors, intervals and bootstrap as :class:`BradleyTerry`; ``tie_rate_`` is :math:`\nu`.

    Reference: R. R. Davidson, "On Extending the Bradley-Terry Model to Accommodate Ties in
    Paired Comparison Experiments", JASA 65(329), 1970.
    """

    def _likelihood(self) -> PairModel:
        return DavidsonLikelihood()

    @property
    def tie_rate_(self) -> float:
        """The fitted tie parameter nu."""
        return float(np.exp(self.extra_[0]))
