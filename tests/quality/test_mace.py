import numpy as np
import pytest

from assay.quality import MACE, MajorityVote, QualityInputError

from .synthetic import assignments


def mace_data(seed=0, n_tasks=1500, n_workers=20, per_task=5, k=3):
    rng = np.random.default_rng(seed)
    competence = np.where(np.arange(n_workers) < 6, 0.1, rng.uniform(0.7, 0.95, n_workers))
    strategy = rng.dirichlet(np.ones(k) * 0.5, n_workers)
    truth = rng.integers(0, k, n_tasks)
    tasks, workers = assignments(rng, n_tasks, n_workers, per_task)
    knows = rng.random(tasks.size) < competence[workers]
    spam = (rng.random(tasks.size)[:, None] > strategy[workers].cumsum(axis=1)).sum(axis=1)
    labels = np.where(knows, truth[tasks], np.minimum(spam, k - 1))
    return tasks, workers, labels, truth, competence


@pytest.mark.parametrize("method", ["vb", "em"])
def test_finds_the_spammers(method):
    tasks, workers, labels, truth, competence = mace_data()
    model = MACE(method=method).fit(tasks, workers, labels)
    assert np.corrcoef(model.competence_, competence)[0, 1] > 0.9
    assert model.competence_[:6].max() < model.competence_[6:].min()
    mv = MajorityVote().fit(tasks, workers, labels)
    assert (model.labels_ == truth).mean() > (mv.labels_ == truth).mean()
    np.testing.assert_allclose(model.strategies_.sum(axis=1), 1.0)


def test_random_restarts_are_seeded():
    tasks, workers, labels, *_ = mace_data(seed=1, n_tasks=300)
    first = MACE(n_restarts=3, seed=7).fit(tasks, workers, labels)
    second = MACE(n_restarts=3, seed=7).fit(tasks, workers, labels)
    np.testing.assert_allclose(first.probas_, second.probas_)


def test_unknown_method_is_refused():
    with pytest.raises(QualityInputError):
        MACE(method="gibbs")


def test_worker_and_class_codes_are_only_names():
    # renaming workers and classes must rename the fit, nothing more: a model that mixed a
    # sorted order with a first-appearance order would hand workers each other's strategies
    tasks, workers, labels, *_ = mace_data(seed=2, n_tasks=400)
    base = MACE().fit(tasks, workers, labels)
    rng = np.random.default_rng(0)
    worker_names, class_names = rng.permutation(20), rng.permutation(3)
    renamed = MACE().fit(tasks, worker_names[workers], class_names[labels])
    np.testing.assert_allclose(renamed.probas_[:, class_names], base.probas_, atol=1e-9)
    np.testing.assert_allclose(renamed.competence_[worker_names], base.competence_, atol=1e-9)
    np.testing.assert_allclose(
        renamed.strategies_[worker_names][:, class_names], base.strategies_, atol=1e-9
    )
