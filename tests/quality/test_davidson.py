import numpy as np
import pytest

from assay.quality import Davidson

from .pairwise_data import bt_votes


def test_recovers_scores_and_tie_rate():
    left, right, outcome, workers, theta = bt_votes(seed=0, n_items=25, n_votes=30000, tie_rate=0.8)
    model = Davidson().fit(left, right, outcome, workers)
    assert model.tie_rate_ == pytest.approx(0.8, rel=0.08)
    assert np.corrcoef(model.scores_, theta)[0, 1] > 0.99
    assert np.abs(model.scores_ - theta).max() < 0.2


def test_two_items_by_hand():
    # 2 wins, 1 loss, 1 tie between two items: the MLE matches the shares 2:1:1, so
    # exp(d/2) / exp(-d/2) = exp(d) = 2 and P(tie) = 1/4 (the weak prior on nu moves it a hair).
    model = Davidson(prior=1e-8).fit([0, 0, 0, 0], [1, 1, 1, 1], [0, 0, 1, 2])
    d = model.scores_[0] - model.scores_[1]
    assert d == pytest.approx(np.log(2), abs=0.02)
    p_tie = model.tie_rate_ / (np.exp(d / 2) + np.exp(-d / 2) + model.tie_rate_)
    assert p_tie == pytest.approx(0.25, abs=2e-2)


def test_bootstrap_runs_with_the_tie_parameter():
    left, right, outcome, workers, _ = bt_votes(seed=2, n_items=10, n_votes=5000, tie_rate=0.5)
    model = Davidson().fit(left, right, outcome, workers).bootstrap(100)
    assert (model.ci_low_ < model.scores_).all() and (model.scores_ < model.ci_high_).all()


def test_the_line_search_objective_matches_its_gradient_in_the_tie_parameter() -> None:
    """The log posterior the line search compares must include the log-nu prior the gradient has.

    Otherwise a step the gradient asks for can look like a loss, and Newton stalls.
    """
    rng = np.random.default_rng(3)
    left = rng.integers(0, 5, 400)
    right = (left + rng.integers(1, 5, 400)) % 5
    outcome = np.where(rng.random(400) < 0.5, 0, 1)  # no ties at all: log nu runs to its prior
    model = Davidson().fit(left, right, outcome, n_items=5)
    objective, counts = (
        model._objective,
        model._model.prepare(tuple(model._pairs.counts[:, k : k + 1] for k in range(3))),
    )
    params = model._params.copy()
    params[-1, 0] += 0.7  # away from the optimum, where the gradient is not zero
    _loglik, grad, _terms, _curv = objective.evaluate(params, counts)
    step = 1e-6
    up, down = params.copy(), params.copy()
    up[-1, 0] += step
    down[-1, 0] -= step
    numeric = (objective.evaluate(up, counts)[0][0] - objective.evaluate(down, counts)[0][0]) / (
        2 * step
    )
    assert grad[-1, 0] == pytest.approx(numeric, rel=1e-4)
