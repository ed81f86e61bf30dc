import numpy as np

from assay.quality import BayesianDawidSkene, DawidSkene

from .synthetic import dawid_skene_data


def test_confusion_posteriors_cover_the_planted_matrices():
    data = dawid_skene_data(seed=0, n_tasks=2000, n_workers=15, n_classes=3, per_task=5)
    model = BayesianDawidSkene().fit(data.task_idx, data.worker_idx, data.label_idx)
    low, high = model.confusion_interval(0.9)
    inside = (data.confusion >= low) & (data.confusion <= high)
    assert inside.mean() > 0.8
    assert np.abs(model.errors_ - data.confusion).mean() < 0.03
    ds = DawidSkene().fit(data.task_idx, data.worker_idx, data.label_idx)
    assert (model.labels_ == data.truth).mean() >= (ds.labels_ == data.truth).mean() - 0.01


def test_uncertainty_shrinks_with_more_labels():
    data = dawid_skene_data(seed=1, n_tasks=1000, n_workers=10, per_task=3)
    tasks = np.concatenate([data.task_idx, [0, 1, 2]])
    workers = np.concatenate([data.worker_idx, [10, 10, 10]])
    labels = np.concatenate([data.label_idx, data.truth[:3]])
    model = BayesianDawidSkene().fit(tasks, workers, labels)
    assert model.errors_std_[10].mean() > 2 * model.errors_std_[:10].mean()
    low, high = model.confusion_interval(0.9)
    assert ((high - low)[10] > (high - low)[:10].mean(axis=0)).all()
