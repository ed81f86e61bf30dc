import numpy as np
import pytest
from scipy.special import expit

from assay.quality import BradleyTerry, Davidson
from assay.quality.pairwise._newton import Factor, chord_fit
from assay.quality.pairwise._ranker import _ROUND_TOL
from assay.quality.pairwise.bootstrap import CountResampler

from .pairwise_data import bt_votes


def _fitted(model_class, tie_rate=0.0):
    left, right, outcome, workers, _ = bt_votes(
        seed=4, n_items=30, n_votes=20000, tie_rate=tie_rate
    )
    return model_class().fit(left, right, outcome, workers)


def _rounds(model, rounds=60, seed=0):
    draws = CountResampler(model._pairs.counts).draw(rounds, np.random.default_rng(seed))
    return model._model.prepare(draws)


def test_win_probability_from_item_scores_equals_the_logistic_of_differences():
    model = _fitted(BradleyTerry)
    design = model._objective.design
    theta = np.random.default_rng(0).normal(0, 3, (design.n_items, 5))
    theta[0, 0] = 40.0  # far apart scores must not overflow
    np.testing.assert_allclose(
        design.win_probability(theta), expit(design.differences(theta)), rtol=1e-12, atol=1e-300
    )


@pytest.mark.parametrize("model_class, tie_rate", [(BradleyTerry, 0.0), (Davidson, 0.5)])
def test_chord_gradient_matches_the_full_evaluation(model_class, tie_rate):
    model = _fitted(model_class, tie_rate)
    objective, counts = model._objective, _rounds(model, rounds=7)
    rng = np.random.default_rng(1)
    params = model._params + rng.normal(0, 0.05, (model._params.shape[0], 7))
    _, full, _, _ = objective.evaluate(params, counts)
    np.testing.assert_allclose(objective.gradient(params, counts), full, rtol=1e-10, atol=1e-8)
    # one column shared by every round, as the first chord step passes it
    _, at_fit, _, _ = objective.evaluate(np.repeat(model._params, 7, axis=1), counts)
    np.testing.assert_allclose(
        objective.gradient(model._params, counts), at_fit, rtol=1e-10, atol=1e-8
    )


def test_factor_solves_one_or_many_columns_and_inverts_once():
    a = np.random.default_rng(2).normal(size=(12, 12))
    curvature = a @ a.T + 12 * np.eye(12)
    factor = Factor(curvature)
    rhs = np.random.default_rng(3).normal(size=(12, 4))
    one = factor.solve(rhs[:, :1])
    assert factor._inverse is None  # a single column needs no inverse
    many = factor.solve(rhs)
    np.testing.assert_allclose(many, np.linalg.solve(curvature, rhs), rtol=1e-10)
    np.testing.assert_allclose(one[:, 0], many[:, 0], rtol=1e-10)
    assert factor.inverse() is factor.inverse()
    np.testing.assert_allclose(factor.inverse(), np.linalg.inv(curvature), rtol=1e-10)


@pytest.mark.parametrize("model_class, tie_rate", [(BradleyTerry, 0.0), (Davidson, 0.5)])
def test_the_bootstrap_tolerance_moves_no_round_measurably(model_class, tie_rate):
    model = _fitted(model_class, tie_rate)
    counts = _rounds(model)
    args = (model._objective, counts, model._params, model._factor)
    loose, tight = chord_fit(*args, tol=_ROUND_TOL), chord_fit(*args, tol=1e-11)
    spread = tight[:30].std(axis=1).min()
    assert np.abs(loose - tight).max() < 2e-4
    assert np.abs(loose - tight).max() < spread / 100
