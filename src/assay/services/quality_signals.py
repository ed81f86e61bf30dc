"""Worst-data detection: run the detectors of ``assay.quality.signals`` over a project's work.

Each detector's verdict is stored per subject with its evidence (``quality_signals``); the
policy (``quality_actions.py``) decides what a flag does. Worker detectors see every response
the worker gave, excluded ones included: excluding a spammer's answers must not clear them.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Hashable
from dataclasses import replace

import numpy as np
from scipy.stats import beta as beta_distribution

from assay.quality.errors import QualityInputError
from assay.quality.signals import (
    Signal,
    beta_interval,
    machine_text_score,
    spammer_score,
    straight_lining,
    style_baseline,
    too_fast,
    worker_machine_text,
)
from assay.quality.signals.signal import JsonValue
from assay.services.pair_signals import combine_pair_signals, detect_collusion
from assay.services.quality_data import ProjectData, payload_words, response_texts
from assay.services.quality_scoring import Scoring
from assay.services.signal_drafts import Draft as Draft  # other detectors build them too
from assay.store import Session
from assay.store import quality_ops as store
from assay.store.base import utcnow
from assay.store.models import Response
from assay.store.models.quality_ops import QualitySignal

WORKER_KINDS = (
    "spammer",
    "too_fast",
    "straight_lining",
    "machine_text_worker",
    "low_gold_accuracy",
    "length_bias",
)
GOLD_VETO_ANSWERS = 8
GOLD_VETO_PROBABILITY = 0.75


def _worker(worker_id: str, signal: Signal) -> Draft:
    return Draft(
        signal.kind,
        "worker",
        worker_id,
        signal.score,
        signal.flagged,
        signal.threshold,
        dict(signal.evidence),
        worker_id=worker_id,
    )


def _by_worker(responses: list[Response]) -> dict[str, list[Response]]:
    grouped: dict[str, list[Response]] = defaultdict(list)
    for response in sorted(responses, key=lambda r: (r.created_at, r.id)):
        grouped[response.worker_id].append(response)
    return grouped


def detect_spammers(scoring: Scoring) -> list[Draft]:
    """Spammer score from each worker's leave-one-out confusion counts, on evidence only.

    The counts compare a worker with the truth inferred without them; where nobody else
    answered their tasks and there was no gold, that truth is the prior, and a careful worker
    would look exactly like a random clicker. The determined share (how much of that truth
    others fixed) goes with the counts, so a worker is only called a spammer on at least
    ``min_items`` answers' worth of truth that did not come from them.
    """
    if scoring.matrix is None or scoring.counts is None or scoring.determined is None:
        return []
    drafts = []
    for code, worker_id in enumerate(scoring.matrix.worker_ids):
        counts = scoring.counts[code]
        try:
            signal = spammer_score(
                counts, counts.sum(axis=1), determined_share=float(scoring.determined[code])
            )
        except QualityInputError:
            continue
        drafts.append(_worker(worker_id, signal))
    return drafts


def detect_too_fast(data: ProjectData) -> list[Draft]:
    """Active time far below the crowd's median or the time needed to read the task."""
    timed = [r for r in data.scored() if r.active_time_ms is not None]
    if len(timed) < 5:
        return []
    median = float(np.median([r.active_time_ms or 0 for r in timed])) / 1000
    if median <= 0:
        return []
    drafts = []
    for worker_id, responses in _by_worker(timed).items():
        seconds = [(r.active_time_ms or 0) / 1000 for r in responses]
        words = [payload_words(data.template, data.tasks[r.task_id].payload) for r in responses]
        signal = too_fast(
            seconds, [median] * len(seconds), words_to_read=words if any(words) else None
        )
        drafts.append(_worker(worker_id, signal))
    return drafts


def detect_straight_lining(data: ProjectData, scoring: Scoring) -> list[Draft]:
    """Flag the same choice over and over, against the crowd's shares."""
    matrix = scoring.matrix
    if matrix is None:
        return []
    counted = Counter(matrix.classes[int(k)] for k in matrix.label_idx)
    shares: dict[Hashable, float] = {k: float(v) for k, v in counted.items()}
    choices: dict[str, list[str]] = defaultdict(list)
    for row in range(len(matrix.response_ids) - 1, -1, -1):  # the matrix is newest first
        choices[matrix.worker_ids[int(matrix.worker_idx[row])]].append(
            matrix.classes[int(matrix.label_idx[row])]
        )
    return [
        _worker(worker_id, straight_lining(sequence, crowd_choices=shares))
        for worker_id, sequence in choices.items()
    ]


def detect_machine_text(data: ProjectData) -> list[Draft]:
    """Per-response machine-text scores (paste, typing, style tells), aggregated per worker."""
    written = [(r, response_texts(data, r)) for r in data.scored()]
    written = [(r, text) for r, text in written if len(text) >= 20]
    if not written:
        return []
    baseline = style_baseline([text for _, text in written])
    per_worker: dict[str, list[Signal]] = defaultdict(list)
    for response, text in written:
        telemetry = response.telemetry if isinstance(response.telemetry, dict) else None
        per_worker[response.worker_id].append(
            machine_text_score(text, telemetry or None, baseline=baseline)
        )
    return [_worker(w, worker_machine_text(signals)) for w, signals in per_worker.items()]


def detect_low_gold_accuracy(scoring: Scoring, min_accuracy: float) -> list[Draft]:
    """Posterior probability that a worker's gold accuracy is below the project's minimum."""
    drafts = []
    for worker_id, (right, answered) in scoring.gold.items():
        below = float(beta_distribution.cdf(min_accuracy, 1 + right, 1 + answered - right))
        low, high = beta_interval(right, answered, 0.9, (1.0, 1.0))
        flagged = below >= 0.95 and answered >= 5
        evidence: dict[str, JsonValue] = {
            "gold_answered": int(answered),
            "gold_correct": int(right),
            "accuracy": round(right / answered, 4) if answered else None,
            "interval": [round(low, 4), round(high, 4)],
            "min_accuracy": min_accuracy,
        }
        drafts.append(
            Draft(
                "low_gold_accuracy",
                "worker",
                worker_id,
                round(below, 4),
                flagged,
                0.95,
                evidence,
                worker_id=worker_id,
            )
        )
    return drafts


def corroborate_spammers(drafts: list[Draft], scoring: Scoring) -> list[Draft]:
    """Withhold a spammer flag from a worker whose gold answers clearly beat chance.

    Truth inference judges workers against inferred truth, which a weak crowd gets wrong
    often; gold is the truth itself. A worker with at least ``GOLD_VETO_ANSWERS`` gold answers
    whose accuracy is above chance plus a quarter of the way to perfect, with posterior
    probability ``GOLD_VETO_PROBABILITY``, is careless at worst, not answering at random.
    """
    if scoring.matrix is None:
        return drafts
    chance = 1.0 / scoring.matrix.n_classes
    bar = chance + 0.25 * (1 - chance)
    out = []
    for draft in drafts:
        right, answered = scoring.gold.get(draft.worker_id or "", (0.0, 0.0))
        if draft.kind == "spammer" and draft.flagged and answered >= GOLD_VETO_ANSWERS:
            above = float(beta_distribution.sf(bar, 1 + right, 1 + answered - right))
            if above >= GOLD_VETO_PROBABILITY:
                evidence = {
                    **draft.evidence,
                    "gold_veto": True,
                    "gold_answered": int(answered),
                    "gold_accuracy": round(right / answered, 4),
                }
                draft = replace(draft, flagged=False, evidence=evidence)
        out.append(draft)
    return out


def store_drafts(session: Session, data: ProjectData, drafts: list[Draft]) -> list[QualitySignal]:
    """Insert or update each verdict; return the stored signals that are flagged and open."""
    now = utcnow()
    flagged = []
    for draft in drafts:
        row = store.get_signal(session, data.project.id, draft.kind, draft.subject_id)
        if row is None:
            if not draft.flagged and draft.subject_type != "worker":
                continue  # keep pairs and gold tasks only when something was found
            row = QualitySignal(
                id="",
                org_id=data.project.org_id,
                project_id=data.project.id,
                kind=draft.kind,
                subject_type=draft.subject_type,
                subject_id=draft.subject_id,
                worker_id=draft.worker_id,
                other_worker_id=draft.other_worker_id,
                status="open",
                created_at=now,
            )
        row.score, row.flagged, row.threshold = draft.score, draft.flagged, draft.threshold
        row.evidence, row.updated_at = dict(draft.evidence), now
        store.save_signal(session, row)
        if row.flagged and row.status == "open":
            flagged.append(row)
    return flagged


def run_detectors(
    session: Session,
    data: ProjectData,
    scoring: Scoring,
    *,
    min_gold_accuracy: float,
    extra: list[Draft] | None = None,
) -> list[QualitySignal]:
    """Run every detector that fits the project's template; store; return new open flags."""
    drafts = (
        corroborate_spammers(detect_spammers(scoring), scoring)
        + detect_too_fast(data)
        + detect_straight_lining(data, scoring)
        + detect_machine_text(data)
        + detect_low_gold_accuracy(scoring, min_gold_accuracy)
        + detect_collusion(data, scoring)
        + (extra or [])
    )
    return store_drafts(session, data, drafts + combine_pair_signals(drafts))
