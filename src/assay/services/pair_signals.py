"""Collusion detection over a project: agreeing answers, shared devices, copied text, combined.

A pair is called colluding only when two independent kinds of evidence agree
(:func:`combine_pair_signals`); each kind is tested against what honest workers produce by
chance, so that a large or formulaic project does not accuse pairs of honest workers.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Hashable
from contextlib import suppress
from dataclasses import replace
from typing import Any

import numpy as np
from scipy.stats import poisson

from assay.quality.errors import QualityInputError
from assay.quality.signals import (
    find_near_duplicates,
    identical_sequences,
    shared_devices,
    shared_errors,
    surprise_score,
)
from assay.quality.signals.signal import JsonValue
from assay.services.quality_data import ProjectData, response_texts
from assay.services.quality_scoring import Scoring
from assay.services.signal_drafts import Draft, pair_draft
from assay.store.models import Response

FINGERPRINT_KEYS = ("device_id", "device", "ip", "ip_prefix")
PAIR_KINDS = ("identical_sequences", "shared_devices", "near_duplicate_text")
SHARED_ERROR_BELOW = 0.5  # an answer truth inference gives less than this is wrong
NEAR_DUPLICATE_ALPHA = 0.01  # family-wise over all pairs of writers
# The chance that two independent texts are near-duplicates, when no other pair shows any.
NEAR_DUPLICATE_FLOOR = 1e-6


def detect_collusion(data: ProjectData, scoring: Scoring) -> list[Draft]:
    """Answers agreeing beyond chance, shared devices or networks, copied text."""
    drafts: list[Draft] = []
    matrix = scoring.matrix
    if matrix is not None and len(matrix.worker_ids) >= 2:
        answers: dict[Hashable, dict[int, int]] = defaultdict(dict)
        for t, w, k in zip(matrix.task_idx, matrix.worker_idx, matrix.label_idx, strict=True):
            answers[matrix.worker_ids[int(w)]][int(t)] = int(k)
        with suppress(QualityInputError):
            drafts += [
                corroborate_agreement(pair_draft(p), answers, scoring)
                for p in identical_sequences(answers)
            ]
    fingerprints: dict[Hashable, set[str]] = defaultdict(set)
    for response in data.scored():
        telemetry: dict[str, Any] = response.telemetry or {}
        for key in FINGERPRINT_KEYS:
            if isinstance(telemetry.get(key), str) and telemetry[key]:
                fingerprints[response.worker_id].add(f"{key}:{telemetry[key]}")
    if len(fingerprints) >= 2:
        drafts += [pair_draft(p) for p in shared_devices(fingerprints) if p.flagged]
    return drafts + detect_near_duplicates(data)


def corroborate_agreement(
    draft: Draft, answers: dict[Hashable, dict[int, int]], scoring: Scoring
) -> Draft:
    """Keep an ``identical_sequences`` flag only if the pair also shares wrong answers.

    Its null model infers each task's truth from the rest of the crowd without gold, so where
    a weak crowd errs alike on hard tasks, two experts who are right together look like they
    agree on improbable answers. Copying shows in shared *mistakes*: the same answer that
    truth inference, anchored on gold, finds wrong. A pair whose shared wrong answers are no
    more than independent errors explain agrees because both are right, and is cleared.
    """
    if not draft.flagged or scoring.matrix is None:
        return draft
    if scoring.posteriors is None or scoring.confusions is None:
        return draft
    code = {worker_id: n for n, worker_id in enumerate(scoring.matrix.worker_ids)}
    a, b = draft.worker_id or "", draft.other_worker_id or ""
    shared = sorted(set(answers[a]) & set(answers[b]))
    test = shared_errors(
        [answers[a][t] for t in shared],
        [answers[b][t] for t in shared],
        scoring.posteriors[shared],
        scoring.confusions[code[a]],
        scoring.confusions[code[b]],
        wrong_below=SHARED_ERROR_BELOW,
    )
    evidence = {**draft.evidence, **test.evidence()}
    if not test.flagged:
        evidence["cleared_by_truth"] = True
    return replace(draft, flagged=test.flagged, evidence=evidence)


def detect_near_duplicates(data: ProjectData) -> list[Draft]:
    """Pairs of workers whose texts are near-duplicates more often than chance gives.

    Short answers written to one guideline repeat each other now and then, and the more two
    workers write, the more such coincidences they share. The chance rate is the project's
    own: near-duplicate text pairs per pair of texts by different workers, the pair under test
    left out (so copiers do not set their own bar). A pair is flagged when it has at least two
    and the Poisson upper tail, Bonferroni-adjusted over all pairs of writers, is at most
    ``NEAR_DUPLICATE_ALPHA``.
    """
    written = [(r, response_texts(data, r)) for r in data.scored()]
    written = [(r, text) for r, text in written if len(text) >= 40]
    if len(written) < 2:
        return []
    found = find_near_duplicates([t for _, t in written], [r.worker_id for r, _ in written])
    pairs: dict[tuple[str, str], list[dict[str, JsonValue]]] = defaultdict(list)
    for dup in found:
        first, second = written[dup.first][0], written[dup.second][0]
        a, b = sorted((first.worker_id, second.worker_id))
        pairs[(a, b)].append({"responses": [first.id, second.id], "jaccard": round(dup.jaccard, 3)})
    chance = _ChanceRate([r for r, _ in written], len(found))
    return [_near_duplicate_draft(a, b, examples, chance) for (a, b), examples in pairs.items()]


class _ChanceRate:
    """How often two texts by different workers are near-duplicates in this project."""

    def __init__(self, responses: list[Response], found: int) -> None:
        self.texts = Counter(r.worker_id for r in responses)
        total = sum(self.texts.values())
        self.cross_pairs = (total**2 - sum(n**2 for n in self.texts.values())) / 2
        self.found = found
        self.worker_pairs = max(len(self.texts) * (len(self.texts) - 1) // 2, 1)

    def test(self, a: str, b: str, count: int) -> tuple[float, float]:
        """Return the expected count for the pair and the adjusted p-value of ``count``."""
        own_pairs = self.texts[a] * self.texts[b]
        other_pairs = self.cross_pairs - own_pairs
        rate = (self.found - count) / other_pairs if other_pairs > 0 else 0.0
        expected = own_pairs * max(rate, NEAR_DUPLICATE_FLOOR)
        p_value = float(poisson.sf(count - 1, expected))
        return expected, min(1.0, p_value * self.worker_pairs)


def _near_duplicate_draft(
    a: str, b: str, examples: list[dict[str, JsonValue]], chance: _ChanceRate
) -> Draft:
    expected, adjusted = chance.test(a, b, len(examples))
    shown: list[JsonValue] = list(examples[:5])
    evidence: dict[str, JsonValue] = {
        "near_duplicates": len(examples),
        "expected_near_duplicates": round(expected, 4),
        "adjusted_p_value": float(f"{adjusted:.4g}"),
        "examples": shown,
    }
    return Draft(
        "near_duplicate_text",
        "pair",
        f"{a}+{b}",
        surprise_score(adjusted),
        len(examples) >= 2 and adjusted <= NEAR_DUPLICATE_ALPHA,
        surprise_score(NEAR_DUPLICATE_ALPHA),
        evidence,
        worker_id=a,
        other_worker_id=b,
    )


def combine_pair_signals(drafts: list[Draft]) -> list[Draft]:
    """Return a ``collusion`` verdict per pair: flagged when two detectors flag the pair."""
    by_pair: dict[str, list[Draft]] = defaultdict(list)
    for draft in drafts:
        if draft.subject_type == "pair" and draft.kind in PAIR_KINDS and draft.flagged:
            by_pair[draft.subject_id].append(draft)
    combined = []
    for subject, found in by_pair.items():
        kinds = sorted({d.kind for d in found})
        score = 1.0 - float(np.prod([1.0 - d.score for d in found]))
        evidence: dict[str, JsonValue] = {
            "detectors": list(kinds),
            "scores": {d.kind: d.score for d in found},
        }
        combined.append(
            Draft(
                "collusion",
                "pair",
                subject,
                round(score, 4),
                len(kinds) >= 2,
                0.0,
                evidence,
                worker_id=found[0].worker_id,
                other_worker_id=found[0].other_worker_id,
            )
        )
    return combined
