"""Detection precision and recall on synthetic crowds with realistic noise (see crowd.py).

Targets mirror the platform's acceptance goal: spammers and model-pasters found with recall
>= 0.95 at precision >= 0.9. Counts are pooled over several seeds so one unlucky worker does
not decide; honest workers with few responses are included in every precision figure.
"""

from __future__ import annotations

import numpy as np
import pytest

from assay.quality.signals import (
    identical_sequences,
    machine_text_score,
    spammer_score,
    straight_lining,
    style_baseline,
    too_fast,
    worker_machine_text,
)
from tests.quality.signals.crowd import LabelCrowd, dawid_skene_counts, label_crowd, text_crowd

SPAMMERS = ("spammer_random", "spammer_constant", "spammer_fast_random", "spammer_fast_constant")
HONEST = {"good", "sloppy"}


class Tally:
    """Pooled true/false positives and positives, for precision and recall."""

    def __init__(self) -> None:
        self.flagged = self.true_flagged = self.positives = self.found = 0

    def add(self, flagged: set[str], positives: set[str], scored: set[str] | None = None) -> None:
        """Count one crowd; recall only over ``scored`` positives (default: all)."""
        scored_positives = positives if scored is None else positives & scored
        self.flagged += len(flagged)
        self.true_flagged += len(flagged & positives)
        self.positives += len(scored_positives)
        self.found += len(flagged & scored_positives)

    @property
    def precision(self) -> float:
        return self.true_flagged / self.flagged if self.flagged else 1.0

    @property
    def recall(self) -> float:
        return self.found / self.positives if self.positives else 1.0


def label_detections(crowd: LabelCrowd) -> dict[str, set[str]]:
    counts, determined = dawid_skene_counts(crowd)
    shares = np.bincount(
        [a for answers in crowd.answers.values() for a in answers.values()],
        minlength=crowd.n_classes,
    )
    crowd_choices = dict(enumerate(shares.tolist()))
    workers = list(crowd.answers)
    return {
        "spammer_score": {
            w
            for w in workers
            if spammer_score(
                counts[w], counts[w].sum(axis=1), determined_share=determined[w]
            ).flagged
        },
        "too_fast": {w for w in workers if too_fast(crowd.seconds[w], crowd.expected[w]).flagged},
        "straight_lining": {
            w
            for w in workers
            if straight_lining(
                [crowd.answers[w][t] for t in sorted(crowd.answers[w])],
                crowd_choices=crowd_choices,
            ).flagged
        },
    }


@pytest.fixture(scope="module")
def label_tallies() -> dict[str, Tally]:
    tallies = {name: Tally() for name in ("spammer_score", "too_fast", "straight_lining")}
    tallies["any"] = Tally()
    tallies["spammer_score_60"] = Tally()
    for seed in (101, 102, 103, 104):
        crowd = label_crowd(seed)
        spammers = crowd.workers(*SPAMMERS) & set(crowd.answers)
        sizes = {w: len(a) for w, a in crowd.answers.items()}
        active = {w for w, n in sizes.items() if n >= 40}
        detections = label_detections(crowd)
        for name, flagged in detections.items():
            tallies[name].add(flagged, spammers)
        tallies["any"].add(set().union(*detections.values()), spammers, active)
        very_active = {w for w, n in sizes.items() if n >= 60}
        tallies["spammer_score_60"].add(detections["spammer_score"], spammers, very_active)
    return tallies


def test_each_label_detector_is_precise(label_tallies: dict[str, Tally]) -> None:
    for name in ("spammer_score", "too_fast", "straight_lining"):
        assert label_tallies[name].precision >= 0.9, name


def test_spammers_found_with_target_recall_and_precision(label_tallies: dict[str, Tally]) -> None:
    # Together, over spammers with at least 40 responses (fast or slow, random or constant):
    # a slow random clicker with fewer answers looks like a poor worker by chance too often.
    combined = label_tallies["any"]
    assert combined.precision >= 0.9
    assert combined.recall >= 0.95
    # The confusion-matrix detector alone, once a spammer has 60 responses.
    assert label_tallies["spammer_score_60"].recall >= 0.95


def test_colluding_pair_found_and_no_honest_pair_accused() -> None:
    for seed in (101, 102):
        crowd = label_crowd(seed)
        flagged = [(p.worker_a, p.worker_b) for p in identical_sequences(crowd.answers)]
        assert ("w_copy", "w_src") in flagged
        for a, b in flagged:
            assert crowd.kinds[a] not in HONEST and crowd.kinds[b] not in HONEST, (a, b)


def text_tally(hard: bool, seeds: tuple[int, ...]) -> tuple[Tally, int]:
    tally = Tally()
    honest_flags = 0
    for seed in seeds:
        crowd = text_crowd(seed, hard=hard)
        baseline = style_baseline([t for texts in crowd.texts.values() for t in texts])
        flagged = set()
        for worker, texts in crowd.texts.items():
            signals = [
                machine_text_score(text, record, baseline=baseline)
                for text, record in zip(texts, crowd.telemetry[worker], strict=True)
            ]
            if worker not in crowd.workers("model_paster", "auto_typer"):
                honest_flags += sum(s.flagged for s in signals)
            if worker_machine_text(signals).flagged:
                flagged.add(worker)
        cheats = crowd.workers("model_paster", "auto_typer")
        # Recall over workers with at least three model responses making up a quarter of
        # their work; one pasted answer in twelve is a response-level flag, not a worker one.
        model_share = {
            w: [r.pasted_chars > 0 or crowd.kinds[w] == "auto_typer" for r in crowd.telemetry[w]]
            for w in cheats
        }
        active = {w for w, m in model_share.items() if sum(m) >= 3 and np.mean(m) >= 0.25}
        tally.add(flagged, cheats, active | (set(crowd.texts) - cheats))
    return tally, honest_flags


@pytest.mark.parametrize(
    ("hard", "seeds"), [(False, (201, 202)), (True, (301, 302))], ids=["realistic", "hard"]
)
def test_model_pasters_found_with_target_recall_and_precision(
    hard: bool, seeds: tuple[int, ...]
) -> None:
    tally, honest_flags = text_tally(hard, seeds)
    assert tally.positives >= 15
    assert tally.precision >= 0.9
    assert tally.recall >= 0.95
    assert honest_flags <= 2  # per-response false flags among ~1,300 honest responses
