from __future__ import annotations

import numpy as np
import pytest

from assay.quality.signals import spammer_score
from assay.quality.signals.spammer import worker_confusion_counts


def confusion_counts(
    rng: np.random.Generator, k: int, n: int, accuracy: float | None, constant: int | None = None
) -> np.ndarray:
    truth = rng.integers(0, k, size=n)
    if constant is not None:
        answers = np.full(n, constant)
    elif accuracy is None:
        answers = rng.integers(0, k, size=n)
    else:
        wrong = (truth + rng.integers(1, k, size=n)) % k
        answers = np.where(rng.random(n) < accuracy, truth, wrong)
    counts = np.zeros((k, k))
    np.add.at(counts, (truth, answers), 1.0)
    return counts


def test_known_skill_values() -> None:
    perfect = spammer_score(np.eye(3))
    assert perfect.evidence["skill"] == 1.0 and perfect.score == 0.0
    uniform = spammer_score(np.full((3, 3), 1 / 3))
    assert uniform.evidence["skill"] == 0.0 and uniform.flagged
    # Binary: skill is Youden's J = sensitivity + specificity - 1.
    binary = spammer_score([[0.8, 0.2], [0.3, 0.7]])
    assert binary.evidence["skill"] == pytest.approx(0.5)
    # K classes, accuracy a, uniform errors: (Ka - 1) / (K - 1).
    a = 0.7
    four = np.full((4, 4), (1 - a) / 3) + np.eye(4) * (a - (1 - a) / 3)
    assert spammer_score(four).evidence["skill"] == pytest.approx((4 * a - 1) / 3)


def test_constant_answerer_is_a_constant_spammer() -> None:
    counts = confusion_counts(np.random.default_rng(0), 4, 80, None, constant=2)
    signal = spammer_score(counts, counts.sum(axis=1))
    assert signal.flagged and signal.score == 1.0
    assert signal.evidence["pattern"] == "constant"
    assert signal.evidence["dominant_answer"] == 2


def test_random_clicker_with_enough_items_is_flagged() -> None:
    rng = np.random.default_rng(1)
    flagged = [
        spammer_score(c, c.sum(axis=1)).flagged
        for c in (confusion_counts(rng, 2, 150, None) for _ in range(40))
    ]
    assert np.mean(flagged) >= 0.95


def test_sloppy_but_honest_workers_are_not_flagged() -> None:
    rng = np.random.default_rng(2)
    for k, accuracy in ((2, 0.78), (4, 0.62)):  # skill about 0.5
        signals = [
            spammer_score(c, c.sum(axis=1))
            for c in (confusion_counts(rng, k, 60, accuracy) for _ in range(100))
        ]
        # Only a worker whose 60 answers happen to look 3 sd worse than their true skill.
        assert np.mean([s.flagged for s in signals]) <= 0.02
        assert np.median([s.score for s in signals]) < 0.2


def test_swapped_labels_are_flagged_as_permuted_not_random() -> None:
    swapped = spammer_score([[0.05, 0.95], [0.9, 0.1]])
    assert swapped.flagged
    assert swapped.evidence["pattern"] == "permuted"
    assert swapped.evidence["skill"] < 0
    assert swapped.evidence["separation"] > 0.8


def test_kappa_ignores_a_spammer_s_bias_towards_the_common_class() -> None:
    # Classes 80/20; a spammer answering "0" 80% of the time is right 68% of the time.
    rng = np.random.default_rng(6)
    truth = rng.random(400) < 0.2
    answers = rng.random(400) < 0.2
    counts = np.zeros((2, 2))
    np.add.at(counts, (truth.astype(int), answers.astype(int)), 1.0)
    signal = spammer_score(counts, counts.sum(axis=1))
    assert signal.evidence["accuracy"] > 0.6
    assert abs(signal.evidence["skill"]) < 0.15
    assert signal.flagged and signal.evidence["pattern"] == "random"


def test_few_items_never_flag() -> None:
    counts = np.array([[3.0, 0.0], [3.0, 0.0]])  # six answers, all "0"
    assert not spammer_score(counts, counts.sum(axis=1)).flagged
    assert spammer_score(counts * 4, counts.sum(axis=1) * 4).flagged  # 24 answers
    one_class = spammer_score([[5.0, 1.0], [0.0, 0.0]], [6.0, 0.0])
    assert one_class.evidence["pattern"] == "unknown" and not one_class.flagged


def test_spammer_score_rejects_bad_input() -> None:
    with pytest.raises(ValueError, match="square"):
        spammer_score([[0.5, 0.5]])
    with pytest.raises(ValueError, match="square"):
        spammer_score(np.zeros((0, 0)))
    with pytest.raises(ValueError, match="finite"):
        spammer_score([[0.5, -0.5], [0.5, 0.5]])
    with pytest.raises(ValueError, match="no row"):
        spammer_score(np.zeros((2, 2)))
    with pytest.raises(ValueError, match="one count per row"):
        spammer_score(np.eye(2), [1.0])


def test_leave_one_out_counts_remove_the_workers_own_pull() -> None:
    # Two tasks, two workers who disagree; the posterior leans to worker 0's answers.
    task = np.array([0, 0, 1, 1])
    worker = np.array([0, 1, 0, 1])
    label = np.array([0, 1, 1, 0])
    posteriors = np.array([[0.8, 0.2], [0.2, 0.8]])
    plain = worker_confusion_counts(task, worker, label, posteriors)
    assert plain.shape == (2, 2, 2)
    assert plain[0].sum() == pytest.approx(2.0)
    assert plain[0, 0, 0] == pytest.approx(0.8)
    confusions = np.array([[[0.8, 0.2], [0.2, 0.8]], [[0.6, 0.4], [0.4, 0.6]]])
    loo = worker_confusion_counts(task, worker, label, posteriors, confusions)
    assert loo[0, 0, 0] == pytest.approx(0.5)  # worker 0's own vote divided out
    with pytest.raises(ValueError, match="aligned"):
        worker_confusion_counts([], [], [], posteriors)


def test_counts_against_the_prior_alone_leave_a_worker_unjudged() -> None:
    # A lone worker's leave-one-out counts: every row is the prior times their answer shares.
    counts = np.full((3, 3), 100 / 9)
    assert spammer_score(counts, counts.sum(axis=1)).flagged  # read as known truth: "random"
    alone = spammer_score(counts, counts.sum(axis=1), determined_share=0.0)
    assert not alone.flagged and alone.score == 0.0
    assert alone.evidence["pattern"] == "unjudged" and alone.evidence["determined_items"] == 0


def test_skill_is_measured_on_the_share_of_truth_others_fixed() -> None:
    # A perfect worker measured against posteriors that fix 60% of the truth shows kappa 0.6.
    r, n = 0.6, 200
    joint = np.full((2, 2), (1 - r) / 4) + np.eye(2) * r / 2
    signal = spammer_score(joint * n, joint.sum(axis=1) * n, determined_share=r)
    assert signal.evidence["measured_skill"] == pytest.approx(r)
    assert signal.evidence["skill"] == pytest.approx(1.0)
    assert signal.evidence["determined_items"] == pytest.approx(r * n)
    assert not signal.flagged


def test_a_constant_answerer_needs_twenty_determined_items() -> None:
    counts = confusion_counts(np.random.default_rng(4), 4, 200, None, constant=1)
    rows = counts.sum(axis=1)
    # 200 answers, but others fixed only 8% of their truth: 16 items' worth.
    early = spammer_score(counts, rows, determined_share=0.08)
    assert early.evidence["determined_items"] == pytest.approx(16)
    assert not early.flagged
    late = spammer_score(counts, rows, determined_share=0.12)
    assert late.flagged and late.evidence["pattern"] == "constant"


def test_random_clickers_are_still_flagged_on_partly_determined_truth() -> None:
    rng = np.random.default_rng(8)
    flagged = [
        spammer_score(c, c.sum(axis=1), determined_share=0.7).flagged
        for c in (confusion_counts(rng, 3, 80, None) for _ in range(40))
    ]
    assert np.mean(flagged) >= 0.95


def test_determined_share_is_checked() -> None:
    with pytest.raises(ValueError, match="needs row_counts"):
        spammer_score(np.eye(2), determined_share=0.5)
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        spammer_score(np.eye(2), [1.0, 1.0], determined_share=1.5)
