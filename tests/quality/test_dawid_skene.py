import numpy as np
import pytest

from assay.quality import DawidSkene, MajorityVote
from assay.quality.errors import QualityInputError

from .synthetic import dawid_skene_data


def test_recovers_planted_confusion_matrices():
    data = dawid_skene_data(seed=0, n_tasks=3000, n_workers=20, n_classes=3, per_task=5)
    model = DawidSkene().fit(data.task_idx, data.worker_idx, data.label_idx)
    assert np.abs(model.errors_ - data.confusion).max() < 0.12
    assert np.abs(model.errors_ - data.confusion).mean() < 0.03
    mv = MajorityVote().fit(data.task_idx, data.worker_idx, data.label_idx)
    assert (model.labels_ == data.truth).mean() > (mv.labels_ == data.truth).mean() + 0.01
    np.testing.assert_allclose(model.errors_.sum(axis=2), 1.0)


def test_recovers_an_unbalanced_class_prior():
    prior = np.array([0.7, 0.2, 0.1])
    data = dawid_skene_data(seed=1, n_tasks=3000, n_workers=20, per_task=5, prior=prior)
    model = DawidSkene().fit(data.task_idx, data.worker_idx, data.label_idx)
    np.testing.assert_allclose(model.priors_, prior, atol=0.03)


def test_learns_that_a_worker_always_flips_the_answer():
    # Workers 0 and 1 are right; worker 2 always answers the opposite. Task 40 has only
    # worker 2's answer, so Dawid-Skene reads it backwards; a vote cannot.
    truth = np.arange(40) % 2
    tasks = np.concatenate([np.repeat(np.arange(40), 3), [40]])
    workers = np.concatenate([np.tile([0, 1, 2], 40), [2]])
    answers = np.stack([truth, truth, 1 - truth], axis=1).ravel()
    labels = np.concatenate([answers, [1]])
    model = DawidSkene().fit(tasks, workers, labels)
    assert model.errors_[2, 0, 1] > 0.8 and model.errors_[2, 1, 0] > 0.8
    assert model.labels_[40] == 0
    assert MajorityVote().fit(tasks, workers, labels).labels_[40] == 1


def test_tiny_workers_do_not_get_degenerate_matrices():
    data = dawid_skene_data(seed=2, n_tasks=500, n_workers=10, per_task=3)
    tasks = np.concatenate([data.task_idx, [0, 1]])
    workers = np.concatenate([data.worker_idx, [10, 10]])
    labels = np.concatenate([data.label_idx, data.truth[:2]])
    model = DawidSkene().fit(tasks, workers, labels)
    newcomer = model.errors_[10]
    assert newcomer.min() > 0.01  # no zero probabilities after two answers
    assert np.abs(newcomer - model.errors_[:10].mean(axis=0)).max() < 0.4


def test_converges_and_reports_its_history():
    data = dawid_skene_data(seed=3, n_tasks=500, n_workers=10, per_task=3)
    model = DawidSkene(tol=1e-7).fit(data.task_idx, data.worker_idx, data.label_idx)
    history = np.array(model.loss_history_)
    assert model.n_iter_ == history.size < 100
    assert (np.diff(history) > -1e-6).all()  # EM does not go downhill


def test_gold_anchors_a_careful_worker_paired_with_a_spammer() -> None:
    """Two workers per task, one careful and one random: agreement alone cannot say who is right.

    With a third of the tasks' classes known, the careful worker's matrix is learned from gold.
    """
    rng = np.random.default_rng(8)
    n_tasks, k = 90, 3
    truth = rng.integers(0, k, n_tasks)
    tasks = np.repeat(np.arange(n_tasks), 2)
    workers = np.tile([0, 1], n_tasks)
    labels = np.where(workers == 0, np.repeat(truth, 2), rng.integers(0, k, 2 * n_tasks))
    gold = np.arange(0, n_tasks, 3)
    model = DawidSkene().fit_with_gold(
        tasks, workers, labels, gold_tasks=gold, gold_labels=truth[gold], n_classes=k
    )
    careful, spammer = (np.trace(model.errors_[w]) / k for w in (0, 1))
    assert careful > 0.9 and spammer < 0.5
    assert (model.labels_ == truth).mean() > 0.95
    assert (model.probas_[gold].argmax(axis=1) == truth[gold]).all()
    with pytest.raises(QualityInputError, match="out of range"):
        DawidSkene().fit_with_gold(tasks, workers, labels, gold_tasks=[500], gold_labels=[0])
    with pytest.raises(QualityInputError, match="same length"):
        DawidSkene().fit_with_gold(tasks, workers, labels, gold_tasks=[1, 2], gold_labels=[0])
