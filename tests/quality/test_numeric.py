import numpy as np
import pandas as pd
import pytest

from assay.quality import BiasVarianceModel, MeanAggregator, MedianAggregator, QualityInputError


def test_mean_and_median_by_hand():
    tasks = [0, 0, 0, 1, 1, 1, 1]
    values = [1.0, 2.0, 9.0, 4.0, 1.0, 3.0, 2.0]
    mean = MeanAggregator().fit(tasks, np.arange(7), values)
    median = MedianAggregator().fit(tasks, np.arange(7), values)
    np.testing.assert_allclose(mean.values_, [4.0, 2.5])
    np.testing.assert_allclose(median.values_, [2.0, 2.5])
    assert (mean.stderr_ > 0).all() and (median.stderr_ > mean.stderr_).all()


def test_bias_variance_recovers_biases_and_noise():
    rng = np.random.default_rng(0)
    n_tasks, n_workers = 400, 12
    truth = rng.normal(0, 10, n_tasks)
    bias = rng.normal(0, 4, n_workers)
    bias -= bias.mean()
    sd = rng.uniform(1, 8, n_workers)
    tasks = np.repeat(np.arange(n_tasks), 6)
    workers = np.argsort(rng.random((n_tasks, n_workers)), axis=1)[:, :6].ravel()
    values = truth[tasks] + bias[workers] + rng.normal(0, sd[workers])
    model = BiasVarianceModel(bias_prior_strength=1, variance_prior_strength=1).fit(
        tasks, workers, values
    )
    assert np.abs(model.biases_ - bias).max() < 1.0
    assert np.corrcoef(np.sqrt(model.variances_), sd)[0, 1] > 0.9
    mean_error = np.abs(MeanAggregator().fit(tasks, workers, values).values_ - truth).mean()
    assert np.abs(model.values_ - truth).mean() < 0.8 * mean_error


def test_confidence_is_a_reliability_in_unit_interval():
    rng = np.random.default_rng(1)
    tasks = np.repeat(np.arange(50), 3)
    values = np.repeat(rng.normal(0, 5, 50), 3) + rng.normal(0, 1, 150)
    model = MeanAggregator().fit(tasks, np.tile([0, 1, 2], 50), values)
    assert ((model.confidence_ > 0.8) & (model.confidence_ <= 1)).all()


def test_frame_front_accepts_numeric_text_and_keeps_last_duplicate():
    frame = pd.DataFrame(
        {
            "task": ["a", "a", "a", "b"],
            "worker": ["x", "y", "x", "x"],
            "label": ["1", "3", "5", "-2.5"],
        }
    )
    model = MeanAggregator().fit_frame(frame)
    assert model.n_duplicates_ == 1
    assert model.fit_predict(frame).to_dict() == {"a": 4.0, "b": -2.5}
    assert list(model.result_frame().columns) == ["task", "label", "confidence"]


@pytest.mark.parametrize("model", [MeanAggregator(), MedianAggregator(), BiasVarianceModel()])
def test_bad_numeric_input(model):
    with pytest.raises(QualityInputError, match="empty"):
        model.fit([], [], [])
    with pytest.raises(QualityInputError, match="numeric"):
        model.fit_frame(pd.DataFrame({"task": ["a"], "worker": ["x"], "label": ["high"]}))


def test_one_answer_per_task():
    model = BiasVarianceModel().fit([0, 1], [0, 1], [3.0, 4.0])
    np.testing.assert_allclose(model.values_, [3.0, 4.0], atol=1e-6)
