import numpy as np
import pytest

from assay.quality.pairwise._board_input import board_votes
from assay.quality.pairwise._newton import newton_fit
from assay.quality.pairwise._rater_counts import batched_newton, bootstrap_counts, fit_counts

from .pairwise_data import bt_votes


@pytest.mark.parametrize(
    ("ties", "tie_rate"), [("davidson", 0.4), ("davidson", 0.0), ("half", 0.4)]
)
def test_batched_newton_reaches_every_rounds_optimum(ties, tie_rate):
    # rater resamples with few heavy raters land far from the fit: each round must still
    # reach its own optimum (zero gradient of its log posterior)
    left, right, outcome, workers, _ = bt_votes(
        seed=2, n_items=6, n_votes=600, n_workers=8, tie_rate=tie_rate
    )
    fit = fit_counts(board_votes(left, right, outcome, workers, 6), ties, 1.0)
    weights = np.random.default_rng(0).poisson(1.0, (fit.cells.shape[1], 6)).astype(float)
    resampled = np.asarray(fit.cells @ weights).reshape(fit.pairs.n_pairs, 3, 6)
    counts = fit.model.prepare(tuple(resampled[:, k, :] for k in range(3)))
    rounds = batched_newton(fit, counts)
    _, grad, _, _ = fit.objective.evaluate(rounds, counts)
    assert np.abs(grad).max() < 1e-6
    assert np.abs(rounds - fit.params).max() > 0.1  # the rounds did move
    single = tuple(c[:, :1] for c in counts)
    exact, _, _ = newton_fit(fit.objective, single, fit.params)
    np.testing.assert_allclose(rounds[:, 0], exact[:, 0], atol=1e-3)


def test_bootstrap_rounds_are_seeded_and_centred_on_the_fit():
    left, right, outcome, workers, _ = bt_votes(seed=3, n_items=5, n_votes=3000, n_workers=50)
    fit = fit_counts(board_votes(left, right, outcome, workers, 5), "davidson", 1.0)
    a = bootstrap_counts(fit, 300, np.random.default_rng(1))
    b = bootstrap_counts(fit, 300, np.random.default_rng(1))
    np.testing.assert_array_equal(a, b)
    np.testing.assert_allclose(a.mean(axis=1), fit.params[:, 0], atol=0.03)
