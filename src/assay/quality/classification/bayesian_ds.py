"""Bayesian Dawid-Skene: mean-field variational inference with Dirichlet confusion posteriors."""

from __future__ import annotations

import numpy as np
from scipy.special import digamma
from scipy.stats import beta as beta_distribution

from assay.quality._encoding import FloatArray, LabelCodes
from assay.quality.classification._base import CategoricalAggregator
from assay.quality.classification._confusion import ConfusionDesign, pooled_confusion, run_em

_FLOOR = 1e-3


class BayesianDawidSkene(CategoricalAggregator):
    r"""Bayesian (variational) Dawid-Skene: a posterior over every worker's confusion matrix.

    Model: as :class:`DawidSkene`, with priors :math:`\pi \sim \mathrm{Dir}(a)` and
    :math:`\theta_w[k, \cdot] \sim \mathrm{Dir}(\lambda_0[k, \cdot])`,
    :math:`\lambda_0 = u + s\,\bar\theta` where :math:`\bar\theta` is the crowd's pooled
    confusion matrix (empirical Bayes), :math:`s` = ``prior_strength`` and :math:`u` =
    ``base_pseudo_count``.

    Mean-field VB, :math:`q(z)\,q(\pi)\,\prod_w q(\theta_w)`, started from the majority vote:

    * :math:`q(\theta_w[k, \cdot]) = \mathrm{Dir}(\lambda_0[k, \cdot] + n_w[k, \cdot])` with
      :math:`n_w[k, y] = \sum_{r \in w, y_r = y} q_{t_r k}`;
      :math:`q(\pi) = \mathrm{Dir}(a + \sum_t q_{t \cdot})`.
    * :math:`q_{tk} \propto \exp\big(E[\log \pi_k] + \sum_{r \in t} E[\log
      \theta_{w_r}[k, y_r]]\big)`, :math:`E[\log \theta] = \psi(\lambda) - \psi(\sum \lambda)`.

    Fitted state: ``confusion_posterior_`` (Dirichlet parameters, shape (n_workers,
    n_classes, n_classes), indexed [worker, true, answer]), ``errors_`` (posterior means),
    ``errors_std_`` (posterior standard deviations), ``priors_``, ``probas_``, ``labels_``,
    ``loss_history_``, ``n_iter_``; :meth:`confusion_interval` gives credible intervals.

    Reference: H.-C. Kim and Z. Ghahramani, "Bayesian Classifier Combination", AISTATS 2012;
    E. Simpson et al., "Dynamic Bayesian Combination of Multiple Imperfect Classifiers", 2013.

    Args:
        n_iter: Maximum number of VB rounds.
        tol: Convergence tolerance on the mean log evidence per label.
        prior_strength: Pseudo-answers per confusion row, spread like the crowd's matrix.
        base_pseudo_count: Pseudo-count added to every confusion cell.
        prior_smoothing: Dirichlet pseudo-count per class of the class prior.
        seed: Seed for breaking exact ties.

    """

    def __init__(
        self,
        n_iter: int = 100,
        tol: float = 1e-5,
        prior_strength: float = 2.0,
        base_pseudo_count: float = 0.5,
        prior_smoothing: float = 1.0,
        seed: int | None = 0,
    ) -> None:
        self.n_iter = n_iter
        self.tol = tol
        self.prior_strength = prior_strength
        self.base_pseudo_count = base_pseudo_count
        self.prior_smoothing = prior_smoothing
        self.seed = seed

    def _m_step(self, counts: FloatArray, class_mass: FloatArray) -> tuple[FloatArray, FloatArray]:
        k = counts.shape[1]
        centre = (1.0 - _FLOOR) * pooled_confusion(counts) + _FLOOR / k
        posterior = counts + self.base_pseudo_count + self.prior_strength * centre[None, :, :]
        self.confusion_posterior_ = posterior
        class_posterior = class_mass + self.prior_smoothing
        self.priors_ = class_posterior / class_posterior.sum()
        log_confusion = digamma(posterior) - digamma(posterior.sum(axis=2, keepdims=True))
        log_prior = digamma(class_posterior) - digamma(class_posterior.sum())
        return log_confusion, log_prior

    def _fit_codes(self, codes: LabelCodes) -> None:
        design = ConfusionDesign(codes)
        self.probas_, self.loss_history_ = run_em(
            codes, design, self._m_step, self.n_iter, self.tol
        )
        self.n_iter_ = len(self.loss_history_)
        posterior = self.confusion_posterior_
        totals = posterior.sum(axis=2, keepdims=True)
        self.errors_ = posterior / totals
        self.errors_std_ = np.sqrt(self.errors_ * (1.0 - self.errors_) / (totals + 1.0))

    def confusion_interval(self, level: float = 0.9) -> tuple[FloatArray, FloatArray]:
        """Equal-tailed credible interval of every confusion probability.

        Each cell's marginal posterior is Beta(lambda, sum(lambda) - lambda).

        Args:
            level: Probability mass inside the interval.

        Returns:
            Lower and upper bounds, each shaped like ``errors_``.

        """
        posterior = self.confusion_posterior_
        rest = posterior.sum(axis=2, keepdims=True) - posterior
        tail = (1.0 - level) / 2.0
        low = beta_distribution.ppf(tail, posterior, rest)
        high = beta_distribution.ppf(1.0 - tail, posterior, rest)
        return np.asarray(low, dtype=np.float64), np.asarray(high, dtype=np.float64)
