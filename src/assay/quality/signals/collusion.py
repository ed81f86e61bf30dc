"""Collusion between workers: answers that agree beyond chance, and shared devices or networks."""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass
from itertools import combinations

import numpy as np
import scipy.sparse as sp

from assay.quality.errors import QualityInputError
from assay.quality.signals._checks import FloatArray, IntArray, probability
from assay.quality.signals._stats import poisson_binomial_upper_p
from assay.quality.signals.signal import PairSignal, evidence, surprise_score

_DIFFICULTY_PRIOR = 2.0  # pseudo-answers pulling a task's deviation rate to the crowd's mean


@dataclass(frozen=True)
class _Crowd:
    """The answers as integer codes, with per-task counts and per-worker deviation rates."""

    workers: list[Hashable]
    task_of: list[IntArray]  # per worker: sorted task codes
    answer_of: list[IntArray]  # per worker: answer codes aligned with task_of
    counts: FloatArray  # (n_tasks, n_answers)
    deviation: FloatArray  # per worker: smoothed rate of answering against the others' majority
    marginal: FloatArray  # (n_workers, n_answers): each worker's smoothed answer shares
    mean_deviation: float


def identical_sequences(
    answers: Mapping[Hashable, Mapping[Hashable, Hashable]],
    *,
    alpha: float = 0.01,
    min_shared: int = 5,
    include_unflagged: bool = False,
) -> list[PairSignal]:
    """Flag pairs of workers whose answers agree far beyond chance (copying, shared scripts).

    Null model: the two workers answer independently. On each shared task, worker ``w``
    gives the majority answer of the *other* workers with probability ``1 - d_wt`` and
    otherwise a minority answer in the others' proportions, where ``d_wt`` combines the
    worker's own rate of going against the majority with the task's difficulty (the others'
    minority share), as odds: ``odds(d_wt) = odds(d_w) * odds(d_t) / odds(mean d)``. Two
    tests, each a Poisson-binomial upper tail over the shared tasks:

    * agreements: how often they give the same answer;
    * shared deviations: how often they give the *same minority answer*; accurate workers
      rarely do, copiers always do (this is where copying shows).

    The pair's p-value is twice the smaller one, then Bonferroni-adjusted over all pairs
    tested; the score is :func:`surprise_score` of the adjusted p-value and the flag is at
    ``alpha`` (family-wise over the whole crowd, so a large project does not flag by chance).

    Args:
        answers: ``worker -> {task: answer}``; answers are any hashable values.
        alpha: Family-wise error rate over all pairs tested.
        min_shared: Pairs sharing fewer tasks are not tested.
        include_unflagged: Also return tested pairs that were not flagged.

    Returns:
        ``identical_sequences`` pair signals, most suspicious first.

    """
    probability(alpha, "alpha")
    crowd = _encode_crowd(answers)
    pairs = _overlapping_pairs(crowd, min_shared)
    threshold = surprise_score(alpha)
    found = []
    for a, b in pairs:
        p_value, facts = _pair_test(crowd, a, b)
        adjusted = min(1.0, p_value * len(pairs))
        flagged = adjusted <= alpha
        if flagged or include_unflagged:
            first, second = sorted((crowd.workers[a], crowd.workers[b]), key=str)
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


def _encode_crowd(answers: Mapping[Hashable, Mapping[Hashable, Hashable]]) -> _Crowd:
    """Encode the answers once and derive counts, deviation rates and marginals."""
    if not answers or not any(answers.values()):
        raise QualityInputError("answers is empty", {"argument": "answers"})
    task_book: dict[Hashable, int] = {}
    answer_book: dict[Hashable, int] = {}
    workers = list(answers)
    task_of, answer_of = [], []
    for worker in workers:
        items = sorted(
            (task_book.setdefault(t, len(task_book)), answer_book.setdefault(x, len(answer_book)))
            for t, x in answers[worker].items()
        )
        task_of.append(np.array([t for t, _ in items], dtype=np.intp))
        answer_of.append(np.array([x for _, x in items], dtype=np.intp))
    n_answers = max(len(answer_book), 2)
    counts = np.zeros((len(task_book), n_answers))
    for tasks, given in zip(task_of, answer_of, strict=True):
        np.add.at(counts, (tasks, given), 1.0)
    deviated = np.zeros(len(workers))
    judged = np.zeros(len(workers))
    marginal = np.ones((len(workers), n_answers)) * 0.5
    for w, (tasks, given) in enumerate(zip(task_of, answer_of, strict=True)):
        others = counts[tasks].copy()
        others[np.arange(tasks.size), given] -= 1
        seen = others.sum(axis=1) > 0
        deviated[w] = np.count_nonzero(given[seen] != others[seen].argmax(axis=1))
        judged[w] = np.count_nonzero(seen)
        np.add.at(marginal[w], given, 1.0)
    mean_deviation = float((deviated.sum() + 1) / (judged.sum() + 2))
    deviation = (deviated + 2 * mean_deviation) / (judged + 2)
    marginal /= marginal.sum(axis=1, keepdims=True)
    return _Crowd(
        workers,
        task_of,
        answer_of,
        counts,
        deviation,
        marginal,
        min(max(mean_deviation, 1e-3), 0.999),
    )


def _overlapping_pairs(crowd: _Crowd, min_shared: int) -> list[tuple[int, int]]:
    """Return the worker pairs (codes) that share at least ``min_shared`` tasks."""
    rows = np.concatenate([np.full(t.size, w) for w, t in enumerate(crowd.task_of)])
    cols = np.concatenate(crowd.task_of)
    shape = (len(crowd.workers), crowd.counts.shape[0])
    incidence = sp.csr_array((np.ones(rows.size), (rows, cols)), shape=shape)
    overlap = sp.triu(incidence @ incidence.T, k=1).tocoo()
    keep = overlap.data >= min_shared
    return sorted(zip(overlap.row[keep].tolist(), overlap.col[keep].tolist(), strict=True))


def _pair_test(crowd: _Crowd, a: int, b: int) -> tuple[float, dict[str, object]]:
    """Test one pair: the p-value and the facts (observed vs expected agreement)."""
    shared, ia, ib = np.intersect1d(crowd.task_of[a], crowd.task_of[b], return_indices=True)
    xa, xb = crowd.answer_of[a][ia], crowd.answer_of[b][ib]
    rows = np.arange(shared.size)
    others = crowd.counts[shared].copy()
    others[rows, xa] -= 1
    others[rows, xb] -= 1
    seen = others.sum(axis=1) > 0
    majority = others.argmax(axis=1)
    ra, rb = (_answer_model(crowd, w, others, majority, seen) for w in (a, b))
    joint = ra * rb
    p_agree = joint.sum(axis=1)
    p_shared_deviation = np.where(seen, p_agree - joint[rows, majority], 0.0)
    agree = xa == xb
    deviations = agree & seen & (xa != majority)
    p_value = min(
        1.0,
        2 * min(_upper_p(agree, p_agree), _upper_p(deviations, p_shared_deviation)),
    )
    facts: dict[str, object] = {
        "shared_tasks": shared.size,
        "agreements": int(agree.sum()),
        "expected_agreements": float(p_agree.sum()),
        "shared_minority_answers": int(deviations.sum()),
        "expected_shared_minority_answers": float(p_shared_deviation.sum()),
    }
    return p_value, facts


def _answer_model(
    crowd: _Crowd, w: int, others: FloatArray, majority: IntArray, seen: np.ndarray
) -> FloatArray:
    """Return worker ``w``'s answer distribution per shared task under independence."""
    n_tasks = others.shape[0]
    rows = np.arange(n_tasks)
    totals = others.sum(axis=1)
    minority = others.copy()
    minority[rows, majority] = 0.0
    task_rate = (minority.sum(axis=1) + _DIFFICULTY_PRIOR * crowd.mean_deviation) / (
        totals + _DIFFICULTY_PRIOR
    )
    odds = _odds(crowd.deviation[w]) * _odds(task_rate) / _odds(crowd.mean_deviation)
    rate = odds / (1 + odds)
    spread = np.where(minority.sum(axis=1, keepdims=True) > 0, minority, 1.0)
    spread[rows, majority] = 0.0
    spread /= spread.sum(axis=1, keepdims=True)
    model = rate[:, None] * spread
    model[rows, majority] += 1 - rate
    return np.where(seen[:, None], model, crowd.marginal[w][None, :])


def _odds(rate: FloatArray | float) -> FloatArray:
    """Return ``p / (1 - p)`` with ``p`` kept inside (0.001, 0.999)."""
    clipped = np.clip(rate, 1e-3, 0.999)
    return np.asarray(clipped / (1 - clipped), dtype=np.float64)


def _upper_p(hits: np.ndarray, rates: FloatArray) -> float:
    """Return the Poisson-binomial upper tail, skipping the exact sum when clearly not small."""
    count = int(hits.sum())
    mean = float(rates.sum())
    sd = math.sqrt(float((rates * (1 - rates)).sum()))
    if count <= mean + sd:
        return 1.0
    return poisson_binomial_upper_p(count, rates)


def shared_devices(
    fingerprints: Mapping[Hashable, Iterable[str]],
    *,
    max_workers_per_fingerprint: int = 50,
    threshold: float = 0.5,
) -> list[PairSignal]:
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
    owners: dict[str, set[Hashable]] = defaultdict(set)
    for worker, prints in fingerprints.items():
        if isinstance(prints, str):
            raise QualityInputError("each worker needs a collection of fingerprints, not a str")
        for fingerprint in prints:
            owners[fingerprint].add(worker)
    shared: dict[tuple[Hashable, Hashable], list[str]] = defaultdict(list)
    for fingerprint, group in owners.items():
        if 2 <= len(group) <= max_workers_per_fingerprint:
            for pair in combinations(sorted(group, key=str), 2):
                shared[pair].append(fingerprint)
    found = []
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
