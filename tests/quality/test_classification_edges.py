"""Edge cases every categorical aggregator must handle the same way."""

import numpy as np
import pandas as pd
import pytest

from assay.quality import (
    GLAD,
    MACE,
    BayesianDawidSkene,
    DawidSkene,
    MajorityVote,
    OneCoinDawidSkene,
    QualityInputError,
    Wawa,
    ZeroBasedSkill,
)

from .synthetic import dawid_skene_data

AGGREGATORS = [
    MajorityVote,
    Wawa,
    ZeroBasedSkill,
    DawidSkene,
    OneCoinDawidSkene,
    GLAD,
    MACE,
    BayesianDawidSkene,
]
ids = [cls.__name__ for cls in AGGREGATORS]


@pytest.fixture(params=AGGREGATORS, ids=ids)
def model(request):
    return request.param()


def test_empty_input_is_a_clear_error(model):
    with pytest.raises(QualityInputError, match="empty"):
        model.fit([], [], [])
    with pytest.raises(QualityInputError, match="empty"):
        model.fit_frame(pd.DataFrame({"task": [], "worker": [], "label": []}))


def test_one_worker_gets_their_own_labels(model):
    labels = np.array([0, 1, 2, 1, 0, 2])
    model.fit(np.arange(6), np.zeros(6, int), labels, n_classes=3)
    assert model.labels_.tolist() == labels.tolist()
    assert model.probas_.shape == (6, 3)
    np.testing.assert_allclose(model.probas_.sum(axis=1), 1.0)


def test_one_item(model):
    model.fit([0, 0, 0], [0, 1, 2], [1, 1, 0])
    assert model.labels_.tolist() == [1]
    assert 0.5 <= model.confidence_[0] <= 1.0


def test_a_class_nobody_used_is_never_chosen(model):
    data = dawid_skene_data(seed=3, n_tasks=200, n_workers=8, n_classes=2, per_task=3)
    model.fit(data.task_idx, data.worker_idx, data.label_idx, n_classes=3)
    assert model.probas_.shape[1] == 3
    assert (model.labels_ != 2).all()
    assert model.probas_[:, 2].max() < 0.1


def test_all_workers_agree(model):
    tasks = np.repeat(np.arange(50), 4)
    workers = np.tile(np.arange(4), 50)
    truth = np.arange(50) % 3
    model.fit(tasks, workers, truth[tasks])
    assert model.labels_.tolist() == truth.tolist()
    assert model.confidence_.min() > 0.9


def test_a_worker_who_labels_everything(model):
    data = dawid_skene_data(seed=4, n_tasks=300, n_workers=10, n_classes=2, per_task=3)
    tasks = np.concatenate([data.task_idx, np.arange(300)])
    workers = np.concatenate([data.worker_idx, np.full(300, 10)])
    labels = np.concatenate([data.label_idx, data.truth])  # an expert who labels every task
    model.fit(tasks, workers, labels)
    assert (model.labels_ == data.truth).mean() > 0.8


def test_unicode_labels_and_ids_come_back_as_given(model):
    frame = pd.DataFrame(
        {
            "task": ["тест", "тест", "тест", "日本", "日本", "日本"],
            "worker": ["w1", "w2", "w3", "w1", "w2", "w3"],
            "label": ["😀 да", "😀 да", "нет", "нет", "нет", "нет"],
        }
    )
    result = model.fit_predict(frame)
    assert result.loc["тест"] == "😀 да"
    assert result.loc["日本"] == "нет"
    table = model.result_frame()
    assert list(table.columns) == ["task", "label", "confidence"]
    proba = model.fit_predict_proba(frame)
    assert set(proba.columns) == {"😀 да", "нет"}


def test_same_seed_same_result(model):
    data = dawid_skene_data(seed=5, n_tasks=300, n_workers=12, per_task=3)
    first = model.fit(data.task_idx, data.worker_idx, data.label_idx).labels_.copy()
    second = model.fit(data.task_idx, data.worker_idx, data.label_idx).labels_
    assert first.tolist() == second.tolist()


def test_result_frame_needs_a_frame_fit(model):
    model.fit([0, 1], [0, 0], [0, 1])
    with pytest.raises(QualityInputError, match="fit_frame"):
        model.result_frame()
