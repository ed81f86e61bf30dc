import numpy as np
import pytest
from scipy.special import pdtr

from assay.quality import BradleyTerry
from assay.quality.pairwise.bootstrap import CountResampler, PoissonInverse, resample_counts

from .pairwise_data import bt_votes


def _binary_search_draws(means, uniform):
    """The textbook inversion, one row at a time: #{k : F(k) <= u}."""
    ks = np.arange(200, dtype=np.float64)
    rows = [
        np.searchsorted(pdtr(ks, m), u, side="right") for m, u in zip(means, uniform, strict=True)
    ]
    return np.array(rows, dtype=np.float64)


def test_poisson_inverse_is_exact_even_on_the_edges():
    rng = np.random.default_rng(1)
    means = np.concatenate([rng.integers(1, 30, 40).astype(float), rng.uniform(0.01, 29.99, 60)])
    uniform = rng.random((means.size, 500))
    last = np.nextafter(1.0, 0.0)
    for i, mean in enumerate(means):
        cdf = np.minimum(pdtr(np.arange(8.0), mean), last)
        # the CDF steps themselves, just below them, the guide's slot edges, 0 and 1-
        uniform[i, :24] = np.concatenate([cdf, np.nextafter(cdf, 0.0), np.arange(8) / 256])
        uniform[i, 24:26] = [0.0, last]
    draws = PoissonInverse(means).invert(uniform)
    np.testing.assert_array_equal(draws, _binary_search_draws(means, uniform))


def test_resampled_cells_have_poisson_moments():
    counts = np.array([[0.0, 3.0, 12.0], [29.0, 30.0, 400.0]])
    rounds = 40_000
    first, second, ties = resample_counts(counts, rounds, np.random.default_rng(7))
    draws = np.stack([first, second, ties], axis=1)  # (pairs, outcomes, rounds)
    assert draws.shape == (2, 3, rounds)
    assert (draws[0, 0] == 0).all()  # an empty cell stays empty
    small = draws[counts < 30]
    assert (small == np.round(small)).all()  # exact Poisson below the normal limit
    assert (draws >= 0).all()
    for (pair, outcome), mean in np.ndenumerate(counts):
        cell = draws[pair, outcome]
        if mean == 0:
            continue
        se_mean = np.sqrt(mean / rounds)
        assert abs(cell.mean() - mean) < 5 * se_mean
        assert cell.var() == pytest.approx(mean, rel=0.05)


def test_poisson_draws_follow_the_pmf():
    rounds = 200_000
    draws = resample_counts(np.array([[4.0]]), rounds, np.random.default_rng(3))[0][0]
    ks = np.arange(12)
    observed = np.bincount(draws.astype(int), minlength=ks.size)[: ks.size] / rounds
    expected = np.diff(pdtr(np.arange(12.0), 4.0), prepend=0.0)
    assert (np.abs(observed - expected) < 4 * np.sqrt(expected / rounds) + 1e-4).all()


def test_draws_are_fixed_by_the_seed_and_independent_across_chunks():
    counts = np.array([[5.0, 50.0, 0.0], [1.0, 2.0, 300.0]])
    resampler = CountResampler(counts)
    a = resampler.draw(10, np.random.default_rng(11))
    b = resampler.draw(10, np.random.default_rng(11))
    for x, y in zip(a, b, strict=True):
        np.testing.assert_array_equal(x, y)
    rng = np.random.default_rng(11)
    first, second = resampler.draw(10, rng), resampler.draw(10, rng)
    assert not np.array_equal(first[1], second[1])


def test_bootstrap_intervals_cover_the_planted_scores_at_the_nominal_rate():
    covered, width_ratio = [], []
    for seed in range(3):
        left, right, outcome, workers, theta = bt_votes(seed=seed, n_items=30, n_votes=30000)
        model = BradleyTerry(seed=seed).fit(left, right, outcome, workers)
        normal = model.ci_high_ - model.ci_low_
        model.bootstrap(400)
        covered.append((model.ci_low_ <= theta) & (theta <= model.ci_high_))
        width_ratio.append((model.ci_high_ - model.ci_low_) / normal)
    rate = np.concatenate(covered).mean()
    assert 0.85 <= rate <= 1.0  # 90 intervals at 95%: 85.5 expected, sd about 2
    assert 0.85 < np.mean(width_ratio) < 1.15
