"""MACE: each worker either knows the answer or spams from a personal label distribution."""

from __future__ import annotations

import numpy as np
from scipy.special import digamma

from assay.quality._encoding import FloatArray, LabelCodes
from assay.quality._posterior import (
    chosen_posterior,
    column_sums,
    converged,
    majority_probas,
    posterior_from_logits,
    row_loglik_to_tasks,
)
from assay.quality.classification._base import CategoricalAggregator
from assay.quality.errors import QualityInputError


class MACE(CategoricalAggregator):
    r"""MACE (Multi-Annotator Competence Estimation).

    Model: :math:`z_t \sim \mathrm{Cat}(\pi)` (uniform unless ``learn_priors``); worker
    :math:`w` knows the answer with probability :math:`\theta_w` (competence) and then answers
    :math:`z_t`; otherwise they spam and draw the answer from their strategy
    :math:`\xi_w`. So :math:`P(y \mid z = k) = \theta_w [y = k] + (1 - \theta_w)\,\xi_w[y]`.
    Priors: :math:`\theta_w \sim \mathrm{Beta}(a, b)`, :math:`\xi_w \sim \mathrm{Dir}(c)`.

    EM (or variational Bayes, ``method="vb"``, the default) from the majority vote. With
    :math:`q_r = P(z_{t_r} = y_r)`, row :math:`r` was known with probability
    :math:`\kappa_r = q_r \theta_w / (\theta_w + (1-\theta_w)\xi_w[y_r])`; the expected counts
    are :math:`K_w = \sum_r \kappa_r`, :math:`S_w = \sum_r (1 - \kappa_r)` and
    :math:`S_w[y] = \sum_{r: y_r = y} (1 - \kappa_r)`.

    * VB M-step: :math:`\tilde\theta_w = \exp(\psi(K_w + a) - \psi(K_w + S_w + a + b))`,
      :math:`1 - \tilde\theta_w \to \exp(\psi(S_w + b) - \psi(\cdot))`, and
      :math:`\tilde\xi_w[y] = \exp(\psi(S_w[y] + c) - \psi(S_w + Kc))`.
    * EM M-step: the same ratios of counts with ``smoothing`` added.
    * E-step: :math:`q_{tk} \propto \pi_k \prod_r (\theta_w [y_r = k] + (1-\theta_w)\xi_w[y_r])`.

    ``n_restarts > 1`` adds random starts (seeded by ``seed``); the fit with the highest
    evidence wins.

    Beside Crowd-Kit's MACE (1.4.2: uniform class prior, Dir(10) strategies, one random start
    whatever ``n_restarts`` says, 50 rounds), expect different figures in both directions:
    that version reads each worker's spam strategy back in sorted worker-id order while
    indexing it in first-appearance order, so most workers get another worker's strategy.

    Fitted state: ``competence_`` (per worker), ``strategies_`` (n_workers,
    n_classes), ``priors_``, ``probas_``, ``labels_``, ``loss_history_``, ``n_iter_``.

    Reference: D. Hovy, T. Berg-Kirkpatrick, A. Vaswani, E. Hovy, "Learning Whom to Trust
    with MACE", NAACL-HLT 2013.

    Args:
        n_iter: Maximum number of EM rounds per start.
        tol: Convergence tolerance on the mean log evidence per label.
        method: ``"vb"`` (variational Bayes with the priors) or ``"em"`` (smoothed EM).
        alpha: Beta prior pseudo-count :math:`a` on knowing.
        beta: Beta prior pseudo-count :math:`b` on spamming.
        strategy_prior: Dirichlet pseudo-count :math:`c` per class of the spam strategy.
        smoothing: Pseudo-count added to expected counts in EM mode.
        learn_priors: Estimate the class prior :math:`\pi` instead of keeping it uniform.
        n_restarts: Number of starts (the first from the majority vote, the rest random).
        seed: Seed for the random starts and for breaking exact ties.

    """

    def __init__(
        self,
        n_iter: int = 100,
        tol: float = 1e-5,
        method: str = "vb",
        alpha: float = 0.5,
        beta: float = 0.5,
        strategy_prior: float = 1.0,
        smoothing: float = 0.01,
        learn_priors: bool = True,
        n_restarts: int = 1,
        seed: int | None = 0,
    ) -> None:
        if method not in ("vb", "em"):
            raise QualityInputError("method must be 'vb' or 'em'", {"method": method})
        self.n_iter = n_iter
        self.tol = tol
        self.method = method
        self.alpha = alpha
        self.beta = beta
        self.strategy_prior = strategy_prior
        self.smoothing = smoothing
        self.learn_priors = learn_priors
        self.n_restarts = n_restarts
        self.seed = seed

    def _m_step(
        self, codes: LabelCodes, probas: FloatArray, knowing: FloatArray
    ) -> tuple[FloatArray, FloatArray, FloatArray]:
        """Return (weight of knowing, weight of spamming, strategy) per worker, unnormalised."""
        n_w, k = codes.n_workers, codes.n_classes
        spam = 1.0 - knowing
        known = np.bincount(codes.worker_idx, weights=knowing, minlength=n_w)
        spammed = np.bincount(codes.worker_idx, weights=spam, minlength=n_w)
        flat = codes.worker_idx * k + codes.label_idx
        by_label = np.bincount(flat, weights=spam, minlength=n_w * k).reshape(n_w, k)
        if self.method == "vb":
            total = digamma(known + spammed + self.alpha + self.beta)
            know_w = np.exp(digamma(known + self.alpha) - total)
            spam_w = np.exp(digamma(spammed + self.beta) - total)
            strat_total = digamma(by_label.sum(axis=1, keepdims=True) + k * self.strategy_prior)
            strategy = np.exp(digamma(by_label + self.strategy_prior) - strat_total)
        else:
            s = self.smoothing
            total = known + spammed + 2 * s
            know_w, spam_w = (known + s) / total, (spammed + s) / total
            strategy = (by_label + s) / (by_label.sum(axis=1, keepdims=True) + k * s)
        prior = column_sums(probas) + 1.0 if self.learn_priors else np.ones(k)
        self.priors_ = prior / prior.sum()
        return know_w, spam_w, strategy

    def _run(self, codes: LabelCodes, probas: FloatArray) -> tuple[FloatArray, list[float]]:
        w, y = codes.worker_idx, codes.label_idx
        history: list[float] = []
        knowing = chosen_posterior(codes, probas)  # the first M-step trusts the start
        for _ in range(max(self.n_iter, 1)):
            know_w, spam_w, strategy = self._m_step(codes, probas, knowing)
            spam_part = spam_w[w] * strategy[w, y]
            base = np.log(spam_part)
            bonus = np.log(know_w[w] + spam_part) - base
            logits = row_loglik_to_tasks(codes, base, bonus, np.log(self.priors_))
            probas, evidence = posterior_from_logits(logits)
            knowing = chosen_posterior(codes, probas) * know_w[w] / (know_w[w] + spam_part)
            history.append(evidence / codes.n_rows)
            if converged(history, self.tol):
                break
        self.competence_ = know_w / (know_w + spam_w)
        self.strategies_ = strategy / strategy.sum(axis=1, keepdims=True)
        return probas, history

    def _fit_codes(self, codes: LabelCodes) -> None:
        rng = np.random.default_rng(self.seed)
        best: tuple[float, FloatArray, list[float], dict[str, FloatArray]] | None = None
        for start in range(max(self.n_restarts, 1)):
            if start == 0:
                begin = majority_probas(codes)
            else:
                begin = rng.dirichlet(np.ones(codes.n_classes), size=codes.n_tasks)
            probas, history = self._run(codes, begin)
            state = {
                "competence_": self.competence_,
                "strategies_": self.strategies_,
                "priors_": self.priors_,
            }
            if best is None or history[-1] > best[0]:
                best = (history[-1], probas, history, state)
        assert best is not None
        _, self.probas_, self.loss_history_, state = best
        for name, value in state.items():
            setattr(self, name, value)
        self.n_iter_ = len(self.loss_history_)
