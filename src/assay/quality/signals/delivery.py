"""Delivery-gate maths: how sure the current winner is, and how many more responses it needs."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
from numpy.typing import ArrayLike

from assay.quality.errors import QualityInputError
from assay.quality.signals._checks import FloatArray, float_vector, probability


def task_posterior(
    answers: Sequence[int],
    accuracies: ArrayLike,
    n_classes: int,
    prior: ArrayLike | None = None,
) -> FloatArray:
    r"""Return the posterior over a task's true class given its answers so far.

    One-coin model: a worker with accuracy :math:`a_i` gives the true class with probability
    :math:`a_i` and each other class with :math:`(1 - a_i)/(K - 1)`, so
    :math:`\log P(c) = \log \pi_c + \sum_i [y_i = c] \log a_i + [y_i \ne c] \log\frac{1-a_i}{K-1}`
    + const. Accuracies are clipped to :math:`[1/K, 0.999]`: a worker is never trusted
    completely, and never counted as worse than random (which would let a bad estimate flip a
    result).

    Args:
        answers: Class codes in ``[0, n_classes)``, one per response (may be empty).
        accuracies: The answering worker's accuracy per response (e.g. a posterior mean).
        n_classes: Number of classes ``K`` (>= 2).
        prior: Class prior; uniform when None.

    Returns:
        The posterior probabilities, shape ``(K,)``.

    """
    if n_classes < 2:
        raise QualityInputError("n_classes must be >= 2", {"n_classes": n_classes})
    codes = np.asarray(answers, dtype=np.intp).reshape(-1)
    acc = float_vector(accuracies, "accuracies", allow_empty=True)
    if codes.size != acc.size:
        raise QualityInputError("answers and accuracies must have the same length")
    if codes.size and (codes.min() < 0 or codes.max() >= n_classes):
        raise QualityInputError("answers must be class codes in [0, n_classes)")
    log_prior = np.log(_prior(prior, n_classes))
    acc = np.clip(acc, 1 / n_classes, 0.999)
    log_right, log_wrong = np.log(acc), np.log((1 - acc) / (n_classes - 1))
    logits = log_prior + log_wrong.sum()
    np.add.at(logits, codes, log_right - log_wrong)
    logits -= logits.max()
    posterior = np.exp(logits)
    return np.asarray(posterior / posterior.sum(), dtype=np.float64)


def _prior(prior: ArrayLike | None, n_classes: int) -> FloatArray:
    """Return a normalised class prior (uniform when None)."""
    if prior is None:
        return np.full(n_classes, 1.0 / n_classes)
    shares = float_vector(prior, "prior", minimum=0.0)
    if shares.size != n_classes or shares.sum() <= 0:
        raise QualityInputError("prior needs n_classes non-negative shares, not all 0")
    return np.asarray(shares / shares.sum(), dtype=np.float64)


def winner_probability(posterior: ArrayLike) -> tuple[int, float]:
    """Return the current winner (class code) and the probability that it is right."""
    shares = _posterior(posterior)
    winner = int(shares.argmax())
    return winner, float(shares[winner])


def _posterior(posterior: ArrayLike) -> FloatArray:
    """Check a posterior: at least two non-negative shares; normalised."""
    shares = float_vector(posterior, "posterior", minimum=0.0)
    if shares.size < 2 or shares.sum() <= 0:
        raise QualityInputError("posterior needs at least two non-negative shares, not all 0")
    return np.asarray(shares / shares.sum(), dtype=np.float64)


@dataclass(frozen=True)
class ResponsesNeeded:
    """How many more responses a task needs to reach the target confidence.

    Attributes:
        expected_additional: Mean additional responses (capped at ``max_responses``; 0 when
            the target is already met).
        probability_reached: Chance of reaching the target within ``max_responses``.
        reach_by: ``reach_by[m]`` = chance the target is reached after ``m`` more responses.
        max_responses: The cap used.

    """

    expected_additional: float
    probability_reached: float
    reach_by: list[float] = field(default_factory=list)
    max_responses: int = 0


def responses_needed_for_target(
    posterior: ArrayLike,
    worker_accuracy: float,
    target: float,
    *,
    max_responses: int = 10,
    n_sims: int = 4000,
    seed: int = 0,
) -> ResponsesNeeded:
    """Estimate the additional responses needed until the winner's probability reaches ``target``.

    Simulates the future under the current posterior: draw the true class, then responses
    from workers of accuracy ``worker_accuracy`` (one-coin model), updating the posterior
    after each and stopping at the target (vectorised over ``n_sims`` futures, seeded).

    Args:
        posterior: The task's current posterior over classes.
        worker_accuracy: Accuracy of the workers who would answer next.
        target: Confidence to deliver at, e.g. 0.95.
        max_responses: Most responses you would buy.
        n_sims: Simulated futures.
        seed: Seed of the simulation.

    Returns:
        The expected number, the chance of success within the cap, and the curve.

    """
    shares = _posterior(posterior)
    probability(target, "target")
    probability(worker_accuracy, "worker_accuracy")
    if max_responses < 1 or n_sims < 1:
        raise QualityInputError("max_responses and n_sims must be >= 1")
    if shares.max() >= target:
        return ResponsesNeeded(0.0, 1.0, [1.0] * (max_responses + 1), max_responses)
    k = shares.size
    acc = min(max(worker_accuracy, 1 / k + 1e-6), 0.999)
    rng = np.random.default_rng(seed)
    truth = rng.choice(k, size=n_sims, p=shares)
    logits = np.tile(np.log(np.maximum(shares, 1e-300)), (n_sims, 1))
    gain = np.log(acc) - np.log((1 - acc) / (k - 1))
    stopped = np.full(n_sims, max_responses + 1)
    for step in range(1, max_responses + 1):
        wrong = (truth + rng.integers(1, k, size=n_sims)) % k
        vote = np.where(rng.random(n_sims) < acc, truth, wrong)
        logits[np.arange(n_sims), vote] += gain
        top = np.exp(logits - logits.max(axis=1, keepdims=True))
        reached = (top.max(axis=1) / top.sum(axis=1) >= target) & (stopped > max_responses)
        stopped[reached] = step
    reach_by = [float(np.mean(stopped <= m)) for m in range(max_responses + 1)]
    return ResponsesNeeded(
        float(np.minimum(stopped, max_responses).mean()),
        reach_by[-1],
        reach_by,
        max_responses,
    )


@dataclass(frozen=True)
class DeliveryDecision:
    """What to do with a task now.

    Attributes:
        action: ``"deliver"``, ``"buy_more"`` or ``"escalate"`` (to expert review).
        winner: The current winner's class code.
        winner_probability: Its probability of being right.
        responses: Suggested additional responses when buying more, else 0.
        reasons: Plain-language reasons, for the audit trail.

    """

    action: Literal["deliver", "buy_more", "escalate"]
    winner: int
    winner_probability: float
    responses: int
    reasons: list[str]


def delivery_decision(
    posterior: ArrayLike,
    worker_accuracy: float,
    target: float,
    *,
    budget: int = 5,
    min_success: float = 0.5,
    seed: int = 0,
) -> DeliveryDecision:
    """Decide: deliver, buy more responses, or escalate to expert review.

    Deliver when the winner already reaches ``target``; buy more when the target is reached
    within ``budget`` more responses with probability at least ``min_success`` (suggesting the
    smallest number that gets there half the time); escalate otherwise: the task is
    contested and more votes of the same kind are unlikely to settle it.
    """
    winner, chance = winner_probability(posterior)
    if chance >= target:
        reason = f"winner probability {chance:.3f} >= target {target}"
        return DeliveryDecision("deliver", winner, chance, 0, [reason])
    needed = responses_needed_for_target(
        posterior, worker_accuracy, target, max_responses=max(budget, 1), seed=seed
    )
    if needed.probability_reached >= min_success:
        suggest = next(m for m, p in enumerate(needed.reach_by) if p >= 0.5 or m == budget)
        reasons = [
            f"winner probability {chance:.3f} < target {target}",
            f"{needed.probability_reached:.0%} chance to reach it within {budget} more responses",
        ]
        return DeliveryDecision("buy_more", winner, chance, max(suggest, 1), reasons)
    reasons = [
        f"winner probability {chance:.3f} < target {target}",
        f"only {needed.probability_reached:.0%} chance to reach it within {budget} responses",
    ]
    return DeliveryDecision("escalate", winner, chance, 0, reasons)
