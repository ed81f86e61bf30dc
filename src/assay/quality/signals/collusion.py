"""Collusion between workers: answers that agree beyond chance, and shared devices or networks."""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Hashable, Iterable, Mapping
from itertools import combinations

import numpy as np
import scipy.sparse as sp
from scipy import stats
from scipy.optimize import minimize_scalar

from assay.quality.errors import QualityInputError
from assay.quality.signals._checks import FloatArray, probability
from assay.quality.signals._pair_model import (
    AnswerModel,
    TaskId,
    WorkerId,
    fit_answer_model,
    pair_rates,
)
from assay.quality.signals._stats import poisson_binomial_upper_p
from assay.quality.signals.signal import PairSignal, evidence, surprise_score


def identical_sequences(
    answers: Mapping[WorkerId, Mapping[TaskId, Hashable]],
    *,
    alpha: float = 0.01,
    min_shared: int = 10,
    include_unflagged: bool = False,
) -> list[PairSignal[WorkerId]]:
    """Flag pairs of workers whose answers agree far beyond chance (copying, shared scripts).

    Null model: given each task's truth, the two workers answer independently. A one-coin
    model (an accuracy per worker, fitted by EM on the whole crowd) infers each shared task's
    truth from everyone *but* the pair, and each worker's accuracy without the other's
    answers (a copier and its source confirm each other in the crowd fit). Each worker then
    gives the truth with that accuracy and otherwise errs towards the options other workers
    chose on that task. So two accurate workers who both outvote a wrong majority, or two
    sloppy ones who both fall for the confusable option, are expected; copying is not. Two
    tests:

    * copying: a likelihood-ratio test of "one copies the other on a share ``g`` of tasks"
      against ``g = 0``, where an agreement on an answer the null finds unlikely weighs more
      than a routine one (``evidence["copy_rate"]`` is the fitted ``g``);
    * shared minority answers: a Poisson-binomial upper tail of how often they agree on an
      answer that is *not* the most likely truth given everyone else; independent workers
      rarely do, copiers always do.

    The pair's p-value is twice the smaller one, then Bonferroni-adjusted over all pairs
    tested; the score is :func:`surprise_score` of the adjusted p-value and the flag is at
    ``alpha`` (family-wise over the whole crowd, so a large project does not flag by chance).

    Args:
        answers: ``worker -> {task: answer}``; answers are any hashable values.
        alpha: Family-wise error rate over all pairs tested.
        min_shared: Pairs sharing fewer tasks are not tested (too little evidence to judge).
        include_unflagged: Also return tested pairs that were not flagged.

    Returns:
        ``identical_sequences`` pair signals, most suspicious first.

    """
    probability(alpha, "alpha")
    model = fit_answer_model(answers)
    pairs = _overlapping_pairs(model, min_shared)
    threshold = surprise_score(alpha)
    workers = list(answers)  # the model codes workers in this order
    found: list[PairSignal[WorkerId]] = []
    for a, b in pairs:
        p_value, facts = _pair_test(model, a, b)
        adjusted = min(1.0, p_value * len(pairs))
        flagged = adjusted <= alpha
        if flagged or include_unflagged:
            first, second = sorted((workers[a], workers[b]), key=str)
            facts.update(p_value=p_value, adjusted_p_value=adjusted, pairs_tested=len(pairs))
            score = surprise_score(adjusted)
            found.append(
                PairSignal(
                    "identical_sequences",
                    first,
                    second,
                    score,
                    flagged,
                    threshold,
                    evidence(**facts),
                )
            )
    found.sort(key=lambda pair: (-pair.score, str(pair.worker_a), str(pair.worker_b)))
    return found


def _overlapping_pairs(model: AnswerModel, min_shared: int) -> list[tuple[int, int]]:
    """Return the worker pairs (codes) that share at least ``min_shared`` tasks."""
    rows = np.concatenate([np.full(t.size, w) for w, t in enumerate(model.task_of)])
    cols = np.concatenate(model.task_of)
    shape = (len(model.workers), model.counts.shape[0])
    incidence = sp.csr_array((np.ones(rows.size), (rows, cols)), shape=shape)
    overlap = sp.triu(incidence @ incidence.T, k=1).tocoo()
    keep = overlap.data >= min_shared
    return sorted(zip(overlap.row[keep].tolist(), overlap.col[keep].tolist(), strict=True))


def _pair_test(model: AnswerModel, a: int, b: int) -> tuple[float, dict[str, object]]:
    """Test one pair: the p-value and the facts (observed vs expected agreement)."""
    rates = pair_rates(model, a, b)
    copy_rate, p_copying = _copying_test(rates.agree, rates.p_agree)
    p_minority = _upper_p(rates.shared_minority, rates.p_shared_minority)
    facts: dict[str, object] = {
        "copy_rate": copy_rate,
        "shared_tasks": rates.agree.size,
        "agreements": int(rates.agree.sum()),
        "expected_agreements": float(rates.p_agree.sum()),
        "shared_minority_answers": int(rates.shared_minority.sum()),
        "expected_shared_minority_answers": float(rates.p_shared_minority.sum()),
        "accuracy_a": rates.accuracy_a,
        "accuracy_b": rates.accuracy_b,
    }
    return min(1.0, 2 * min(p_copying, p_minority)), facts


def _copying_test(agree: np.ndarray, p_agree: FloatArray) -> tuple[float, float]:
    """Return the estimated copy rate and the likelihood-ratio p-value against no copying.

    Copying model: on each shared task one worker copies the other with probability ``g``,
    else they answer independently, so an agreement has likelihood ``g + (1 - g) p_t`` and a
    disagreement ``(1 - g)(1 - p_t)``. ``g`` is fitted by maximum likelihood; with ``g = 0``
    on the boundary, twice the log-likelihood ratio is a 50:50 mixture of 0 and chi-square(1).
    An agreement the null finds unlikely (small ``p_t``) weighs more than a routine one.
    """
    p = np.clip(p_agree, 1e-9, 1 - 1e-9)
    ratio = 1.0 / p[agree]
    disagreements = int(agree.size - agree.sum())
    if ratio.sum() <= agree.size:  # the likelihood falls from g = 0: no sign of copying
        return 0.0, 1.0

    def negative_llr(g: float) -> float:
        return -float(np.log1p(g * (ratio - 1)).sum() + disagreements * np.log1p(-g))

    best = minimize_scalar(negative_llr, bounds=(0.0, 1.0 - 1e-9), method="bounded")
    llr = max(-float(best.fun), 0.0)
    return float(best.x), float(0.5 * stats.chi2.sf(2 * llr, 1))


def _upper_p(hits: np.ndarray, rates: FloatArray) -> float:
    """Return the Poisson-binomial upper tail, skipping the exact sum when clearly not small."""
    count = int(hits.sum())
    mean = float(rates.sum())
    sd = math.sqrt(float((rates * (1 - rates)).sum()))
    if count <= mean + sd:
        return 1.0
    return poisson_binomial_upper_p(count, rates)


def shared_devices(
    fingerprints: Mapping[WorkerId, Iterable[str]],
    *,
    max_workers_per_fingerprint: int = 50,
    threshold: float = 0.5,
) -> list[PairSignal[WorkerId]]:
    """Find workers who share a device or network fingerprint (one person, several accounts).

    A fingerprint seen on ``n`` workers gives each pair of them weight ``1 / (n - 1)``: one only
    these two share is strong evidence, an office's NAT address shared by forty is weak. The
    pair's score is ``1 - prod(1 - weight)`` over their shared fingerprints, flagged at
    ``threshold`` (default 0.5: a fingerprint shared by at most three workers, or several
    shared more widely). Fingerprints on more than ``max_workers_per_fingerprint`` workers
    (public networks, stock devices) are ignored.

    Args:
        fingerprints: ``worker -> fingerprints`` (device hashes, IP addresses or prefixes).
        max_workers_per_fingerprint: Ignore fingerprints shared more widely than this.
        threshold: Flag at this score.

    Returns:
        ``shared_devices`` pair signals for every pair sharing a fingerprint, highest first.

    """
    if not fingerprints:
        raise QualityInputError("fingerprints is empty", {"argument": "fingerprints"})
    owners: dict[str, set[WorkerId]] = defaultdict(set)
    for worker, prints in fingerprints.items():
        if isinstance(prints, str):
            raise QualityInputError("each worker needs a collection of fingerprints, not a str")
        for fingerprint in prints:
            owners[fingerprint].add(worker)
    shared: dict[tuple[WorkerId, WorkerId], list[str]] = defaultdict(list)
    for fingerprint, group in owners.items():
        if 2 <= len(group) <= max_workers_per_fingerprint:
            for pair in combinations(sorted(group, key=str), 2):
                shared[pair].append(fingerprint)
    found: list[PairSignal[WorkerId]] = []
    for (first, second), prints in shared.items():
        weights = [1.0 / (len(owners[f]) - 1) for f in prints]
        score = 1.0 - math.prod(1.0 - w for w in weights)
        facts = evidence(
            shared_fingerprints=sorted(prints),
            workers_per_fingerprint={f: len(owners[f]) for f in sorted(prints)},
        )
        found.append(
            PairSignal(
                "shared_devices",
                first,
                second,
                round(score, 4),
                score >= threshold,
                threshold,
                facts,
            )
        )
    found.sort(key=lambda pair: (-pair.score, str(pair.worker_a), str(pair.worker_b)))
    return found
