from __future__ import annotations

import numpy as np
import pytest

from assay.quality import DawidSkene
from assay.quality.signals.truth_evidence import (
    confusion_counts,
    determined_share,
    leave_one_out_posteriors,
)


def test_a_lone_worker_s_truth_is_the_prior_and_determines_nothing() -> None:
    n = 90
    task, worker, label = np.arange(n), np.zeros(n, dtype=int), np.arange(n) % 3
    model = DawidSkene().fit(task, worker, label, n_tasks=n, n_workers=1, n_classes=3)
    # Truth inference follows the only worker exactly...
    assert np.allclose(np.asarray(model.probas_)[np.arange(n), label], 1.0, atol=1e-3)
    # ...and without their own answer nothing is left but the prior.
    loo = leave_one_out_posteriors(task, worker, label, model.probas_, model.errors_)
    assert np.allclose(loo, np.asarray(model.priors_)[None, :], atol=1e-6)
    assert determined_share(worker, loo, 1) == pytest.approx([0.0], abs=1e-9)


def test_certain_truth_determines_everything_and_a_coin_flip_half() -> None:
    worker = np.array([0, 0, 1, 1])
    certain = np.array([[1.0, 0.0], [0.0, 1.0], [0.5, 0.5], [0.5, 0.5]])
    assert determined_share(worker, certain, 3) == pytest.approx([1.0, 0.0, 0.0])
    # Binary, class shares 1/2: posteriors 0.9/0.1 and 0.1/0.9 remove (0.82 - 0.5) / 0.5.
    leaning = np.array([[0.9, 0.1], [0.1, 0.9]])
    assert determined_share([0, 0], leaning, 1) == pytest.approx([0.64])


def test_the_share_is_the_kappa_a_perfect_worker_measures() -> None:
    rng = np.random.default_rng(3)
    posteriors = rng.dirichlet([0.6, 0.6, 0.6], size=4000)
    truth = np.array([rng.choice(3, p=p) for p in posteriors])
    counts = confusion_counts(np.zeros(4000, dtype=int), truth, posteriors, 1)[0]
    joint = counts / counts.sum()
    chance = joint.sum(axis=1) @ joint.sum(axis=0)
    kappa = (np.trace(joint) - chance) / (1 - chance)
    assert determined_share(np.zeros(4000, dtype=int), posteriors, 1)[0] == pytest.approx(
        kappa, abs=0.03
    )


def test_gold_tasks_keep_their_truth_after_leave_one_out() -> None:
    posteriors = np.array([[1.0, 0.0], [0.5, 0.5]])
    confusions = np.array([[[0.9, 0.1], [0.2, 0.8]]])
    loo = leave_one_out_posteriors([0, 1], [0, 0], [1, 0], posteriors, confusions)
    assert loo[0] == pytest.approx([1.0, 0.0])
    # Answer 0 pulled the second task towards 0 by 0.9 : 0.2; without it the task leans to 1.
    assert loo[1] == pytest.approx([0.2 / 1.1, 0.9 / 1.1])


def test_bad_input_is_refused() -> None:
    with pytest.raises(ValueError, match="aligned"):
        leave_one_out_posteriors([], [], [], np.ones((1, 2)))
    with pytest.raises(ValueError, match="covering"):
        leave_one_out_posteriors([3], [0], [0], np.ones((1, 2)))
    with pytest.raises(ValueError, match="n_workers, K, K"):
        leave_one_out_posteriors([0], [1], [0], np.ones((1, 2)), np.ones((1, 2, 2)))
    with pytest.raises(ValueError, match="one row per answer"):
        determined_share([0, 0], np.ones((1, 2)), 1)
