import numpy as np
import pytest
from scipy.special import expit

from assay.quality import GLAD, MajorityVote, QualityInputError

from .synthetic import assignments


def glad_data(seed=0, n_tasks=2000, n_workers=30, per_task=5):
    rng = np.random.default_rng(seed)
    alpha = rng.normal(1.0, 0.8, n_workers)
    beta = rng.normal(0.5, 0.5, n_tasks)
    truth = rng.integers(0, 2, n_tasks)
    tasks, workers = assignments(rng, n_tasks, n_workers, per_task)
    right = rng.random(tasks.size) < expit(alpha[workers] * np.exp(beta[tasks]))
    labels = np.where(right, truth[tasks], 1 - truth[tasks])
    return tasks, workers, labels, truth, alpha, beta


def test_recovers_planted_abilities_on_its_own_model():
    tasks, workers, labels, truth, alpha, _ = glad_data()
    model = GLAD().fit(tasks, workers, labels)
    assert np.corrcoef(model.alphas_, alpha)[0, 1] > 0.9
    mv = MajorityVote().fit(tasks, workers, labels)
    assert (model.labels_ == truth).mean() > (mv.labels_ == truth).mean()


def test_adversarial_worker_gets_negative_ability():
    truth = np.arange(60) % 2
    tasks = np.repeat(np.arange(60), 3)
    workers = np.tile([0, 1, 2], 60)
    labels = np.stack([truth, truth, 1 - truth], axis=1).ravel()
    model = GLAD().fit(tasks, workers, labels)
    assert model.alphas_[2] < 0 < model.alphas_[0]
    assert model.labels_.tolist() == truth.tolist()


def test_fit_is_quick_and_converges():
    tasks, workers, labels, *_ = glad_data(seed=1, n_tasks=1000)
    model = GLAD(tol=1e-6).fit(tasks, workers, labels)
    assert model.n_iter_ < 100
    assert np.isfinite(model.betas_).all()


def test_both_starts_fit_its_own_model_and_bad_start_is_refused():
    tasks, workers, labels, truth, *_ = glad_data(seed=2, n_tasks=800)
    for init in ["dawid-skene", "majority"]:
        model = GLAD(init=init).fit(tasks, workers, labels)
        assert (model.labels_ == truth).mean() > 0.9
    with pytest.raises(QualityInputError):
        GLAD(init="random")
