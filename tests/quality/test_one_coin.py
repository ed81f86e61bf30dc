import numpy as np

from assay.quality import MajorityVote, OneCoinDawidSkene

from .synthetic import one_coin_data


def test_recovers_planted_skills():
    data, skills = one_coin_data(seed=0, n_tasks=3000, n_workers=20, per_task=5)
    model = OneCoinDawidSkene().fit(data.task_idx, data.worker_idx, data.label_idx)
    assert np.abs(model.skills_ - skills).max() < 0.06
    mv = MajorityVote().fit(data.task_idx, data.worker_idx, data.label_idx)
    assert (model.labels_ == data.truth).mean() >= (mv.labels_ == data.truth).mean()


def test_hand_worked_two_reliable_workers_outvote_three_weak_ones():
    # Workers 0, 1 always right; 2, 3, 4 right half the time on 100 calibration tasks.
    rng = np.random.default_rng(0)
    truth = rng.integers(0, 2, 100)
    tasks = np.repeat(np.arange(100), 5)
    workers = np.tile(np.arange(5), 100)
    weak = rng.random(500) < 0.5
    labels = np.where((workers >= 2) & weak, 1 - truth[tasks], truth[tasks])
    # task 100: the reliable pair says 1, the weak trio says 0
    tasks = np.concatenate([tasks, [100] * 5])
    workers = np.concatenate([workers, np.arange(5)])
    labels = np.concatenate([labels, [1, 1, 0, 0, 0]])
    model = OneCoinDawidSkene().fit(tasks, workers, labels)
    assert model.skills_[:2].min() > 0.9 and model.skills_[2:].max() < 0.7
    assert model.labels_[100] == 1
