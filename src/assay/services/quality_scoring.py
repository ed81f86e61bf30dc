"""Live worker scoring: gold posterior, agreement from truth inference, reviewer grades, combined.

Every estimate is stored per worker and skill with an interval (``worker_skill_estimates``):

* ``gold``: the Beta-binomial posterior of :class:`~assay.quality.GoldSkill`;
* ``agreement``: expected agreement with Dawid-Skene's truth, leave-one-out (a worker's own
  answer is divided out of the task posterior first, so three answers per task do not flatter);
* ``review``: the worker's fair score in the many-facet model of reviewer grades;
* ``combined``: the accuracy the delivery gate and the expert routing use: a Beta posterior over
  the gold answers whose prior is centred on the agreement estimate, worth at most eight answers.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

from assay.quality import DawidSkene, GoldSkill, ManyFacetModel
from assay.quality.signals import beta_interval
from assay.quality.signals.truth_evidence import (
    confusion_counts,
    determined_share,
    leave_one_out_posteriors,
)
from assay.services.quality_data import AnswerMatrix, ProjectData, encode_answers, skill_key
from assay.store import Session
from assay.store import quality_ops as store

FloatArray = NDArray[np.float64]
LEVEL = 0.9
AGREEMENT_STRENGTH = 8.0  # agreement evidence counts as at most this many gold answers


@dataclass
class Scoring:
    """What truth inference and the skill models found, for the rest of the recompute."""

    matrix: AnswerMatrix | None = None
    posteriors: FloatArray | None = None  # (n_tasks, K), gold tasks clamped to their truth
    confusions: FloatArray | None = None  # Dawid-Skene's errors_, [worker, true, answer]
    counts: FloatArray | None = None  # leave-one-out (worker, true, answer) counts
    # Per worker, the share of their answers' truth fixed by others or gold: without it the
    # leave-one-out counts of a worker nobody overlaps with look exactly like a spammer's.
    determined: FloatArray | None = None
    class_prior: list[float] | None = None
    accuracy: dict[str, float] = field(default_factory=dict)  # combined, per worker
    gold: dict[str, tuple[float, float]] = field(default_factory=dict)  # (right, answered)
    default_accuracy: float = 0.7


def fit_truth(matrix: AnswerMatrix) -> tuple[FloatArray, FloatArray, list[float]]:
    """Fit Dawid-Skene anchored on gold; return posteriors, confusions and the class prior."""
    model = DawidSkene().fit_with_gold(
        matrix.task_idx,
        matrix.worker_idx,
        matrix.label_idx,
        gold_tasks=list(matrix.gold),
        gold_labels=list(matrix.gold.values()),
        n_tasks=len(matrix.task_ids),
        n_workers=len(matrix.worker_ids),
        n_classes=matrix.n_classes,
    )
    posteriors = np.array(model.probas_, dtype=np.float64)  # gold rows held at their class
    return posteriors, np.asarray(model.errors_), [float(p) for p in model.priors_]


def _gold_counts(data: ProjectData) -> dict[str, tuple[float, float]]:
    right: dict[str, float] = {}
    seen: dict[str, float] = {}
    for response in data.scored():
        if response.gold_correct is None:
            continue
        seen[response.worker_id] = seen.get(response.worker_id, 0.0) + 1
        right[response.worker_id] = right.get(response.worker_id, 0.0) + response.gold_correct
    return {w: (right.get(w, 0.0), n) for w, n in seen.items()}


def fit_gold(gold: Mapping[str, tuple[float, float]]) -> tuple[list[str], GoldSkill]:
    """Fit the gold Beta posterior from (right, answered) per worker; workers in model order.

    ``gold`` must not be empty. The prior is centred on the pooled accuracy of these workers.
    """
    workers = list(gold)
    index = np.repeat(np.arange(len(workers)), [int(gold[w][1]) for w in workers])
    correct = np.concatenate(
        [np.r_[np.ones(int(gold[w][0])), np.zeros(int(gold[w][1] - gold[w][0]))] for w in workers]
    )
    return workers, GoldSkill(level=LEVEL).fit(index, correct, n_workers=len(workers))


def _store_gold(session: Session, data: ProjectData, gold: dict[str, tuple[float, float]]) -> None:
    if not gold:
        return
    workers, model = fit_gold(gold)
    for code, worker_id in enumerate(workers):
        store.upsert_estimate(
            session,
            org_id=data.project.org_id,
            worker_id=worker_id,
            skill=skill_key(data.project),
            source="gold",
            mean=float(model.means_[code, 0]),
            low=float(model.lower_[code, 0]),
            high=float(model.upper_[code, 0]),
            n=float(model.counts_[code, 0]),
        )


def _store_agreement(
    session: Session, data: ProjectData, scoring: Scoring
) -> dict[str, tuple[float, float]]:
    matrix, counts = scoring.matrix, scoring.counts
    agreement: dict[str, tuple[float, float]] = {}
    if matrix is None or counts is None:
        return agreement
    for code, worker_id in enumerate(matrix.worker_ids):
        total = float(counts[code].sum())
        right = float(np.trace(counts[code]))
        low, high = beta_interval(right, total, LEVEL, (1.0, 1.0))
        agreement[worker_id] = (right, total)
        store.upsert_estimate(
            session,
            org_id=data.project.org_id,
            worker_id=worker_id,
            skill=skill_key(data.project),
            source="agreement",
            mean=(right + 1) / (total + 2),
            low=low,
            high=high,
            n=total,
        )
    return agreement


def _store_reviews(session: Session, data: ProjectData) -> None:
    """Fit the many-facet model of reviewer grades (rubric score, else accept = 1 / reject = 0)."""
    rows = [
        (
            response.worker_id,
            response.task_id,
            review.reviewer_id,
            review.score if review.score is not None else float(review.verdict == "accept"),
        )
        for review, response in store.list_project_reviews(session, data.project.id)
    ]
    if len(rows) < 2:
        return
    workers = sorted({r[0] for r in rows})
    tasks = sorted({r[1] for r in rows})
    reviewers = sorted({r[2] for r in rows})
    model = ManyFacetModel().fit(
        [workers.index(r[0]) for r in rows],
        [tasks.index(r[1]) for r in rows],
        [reviewers.index(r[2]) for r in rows],
        [r[3] for r in rows],
        n_workers=len(workers),
        n_tasks=len(tasks),
        n_reviewers=len(reviewers),
    )
    counts = np.bincount([workers.index(r[0]) for r in rows], minlength=len(workers))
    for code, worker_id in enumerate(workers):
        fair, se = float(model.fair_scores_[code]), float(model.skill_se_[code])
        store.upsert_estimate(
            session,
            org_id=data.project.org_id,
            worker_id=worker_id,
            skill=skill_key(data.project),
            source="review",
            mean=fair,
            low=fair - 1.645 * se,
            high=fair + 1.645 * se,
            n=float(counts[code]),
        )


def _combine(
    session: Session,
    data: ProjectData,
    scoring: Scoring,
    agreement: dict[str, tuple[float, float]],
) -> None:
    workers = set(agreement) | set(scoring.gold)
    for worker_id in workers:
        agree_right, agree_n = agreement.get(worker_id, (0.0, 0.0))
        gold_right, gold_n = scoring.gold.get(worker_id, (0.0, 0.0))
        # Agreement is a prior worth at most AGREEMENT_STRENGTH answers: against a weak crowd's
        # inferred truth an expert looks merely good, so gold, the truth itself, has the last word.
        agreed = (agree_right + 1) / (agree_n + 2) if agree_n else scoring.default_accuracy
        strength = min(agree_n, AGREEMENT_STRENGTH) + 2.0
        a0, b0 = strength * agreed, strength * (1 - agreed)
        mean = (a0 + gold_right) / (a0 + b0 + gold_n)
        low, high = beta_interval(gold_right, gold_n, LEVEL, (a0, b0))
        scoring.accuracy[worker_id] = mean
        store.upsert_estimate(
            session,
            org_id=data.project.org_id,
            worker_id=worker_id,
            skill=skill_key(data.project),
            source="combined",
            mean=mean,
            low=low,
            high=high,
            n=agree_n + gold_n,
        )


def score_workers(session: Session, data: ProjectData, default_accuracy: float) -> Scoring:
    """Run truth inference and every skill model over the project; store the estimates."""
    scoring = Scoring(default_accuracy=default_accuracy)
    scoring.matrix = encode_answers(data, data.scored())
    if scoring.matrix is not None and len(scoring.matrix.worker_ids) >= 1:
        matrix = scoring.matrix
        scoring.posteriors, scoring.confusions, scoring.class_prior = fit_truth(matrix)
        answers = leave_one_out_posteriors(
            matrix.task_idx,
            matrix.worker_idx,
            matrix.label_idx,
            scoring.posteriors,
            scoring.confusions,
        )
        n_workers = len(matrix.worker_ids)
        scoring.counts = confusion_counts(matrix.worker_idx, matrix.label_idx, answers, n_workers)
        scoring.determined = determined_share(matrix.worker_idx, answers, n_workers)
    scoring.gold = _gold_counts(data)
    _store_gold(session, data, scoring.gold)
    agreement = _store_agreement(session, data, scoring)
    _store_reviews(session, data)
    _combine(session, data, scoring, agreement)
    session.flush()
    return scoring
