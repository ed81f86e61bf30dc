import numpy as np
import pytest

from assay.quality import QualityInputError
from assay.quality.pairwise import LEFT, RIGHT, TIE, BoardFit, fit_board

from .pairwise_data import bt_votes

TINY = 1e-8  # virtual games: negligible, so hand-worked answers are exact
NO_BOOT = {"bootstrap_rounds": 0}


def _pair(wins, losses, ties=0):
    n = wins + losses + ties
    outcome = [LEFT] * wins + [RIGHT] * losses + [TIE] * ties
    return [0] * n, [1] * n, outcome


def test_two_items_by_hand_half_ties():
    # 3 wins, 1 loss: theta_0 - theta_1 = log 3; a tie counts half: (2 + 1) / (1 + 1) -> log 3
    left, right, outcome = _pair(3, 1)
    fit = fit_board(left, right, outcome, None, n_items=2, ties="half", prior=TINY, **NO_BOOT)
    assert fit.scores[0] - fit.scores[1] == pytest.approx(np.log(3), abs=1e-6)
    assert fit.scores.sum() == pytest.approx(0, abs=1e-12)
    assert fit.tie_param is None
    left, right, outcome = _pair(2, 0, ties=2)
    fit = fit_board(left, right, outcome, None, n_items=2, ties="half", prior=TINY, **NO_BOOT)
    assert fit.scores[0] - fit.scores[1] == pytest.approx(np.log(3), abs=1e-6)


def test_two_items_by_hand_davidson():
    # 200 wins, 100 losses, 100 ties: shares 2:1:1 -> exp(d) = 2, nu = (1/4) / sqrt(2/4 * 1/4)
    left, right, outcome = _pair(200, 100, ties=100)
    fit = fit_board(left, right, outcome, None, n_items=2, prior=TINY, bootstrap_rounds=200)
    assert fit.scores[0] - fit.scores[1] == pytest.approx(np.log(2), abs=1e-3)
    assert fit.tie_param == pytest.approx(0.25 / np.sqrt(0.125), rel=1e-2)
    assert fit.tie_ci_low < fit.tie_param < fit.tie_ci_high


def test_sandwich_by_hand_independent_and_clustered():
    # 30 wins, 10 losses, p = 0.75: per-vote scores g = y - p, H = 40 p (1 - p) = 7.5.
    left, right, outcome = _pair(30, 10)
    alone = fit_board(left, right, outcome, None, n_items=2, ties="half", prior=TINY, **NO_BOOT)
    se_d = np.sqrt(1 / 7.5 * 40 / 39)  # sum g^2 = H for independent votes, times R/(R-1)
    np.testing.assert_allclose(alone.se_sandwich, se_d / 2, rtol=1e-6)
    # two raters, one cast every win, the other every loss: g = +7.5 and -7.5,
    # meat = 2 * 56.25 * 2/1 = 225, var(d) = 225 / 7.5^2 = 4 -> se(d) = 2, se(score) = 1
    raters = [0] * 30 + [1] * 10
    grouped = fit_board(left, right, outcome, raters, n_items=2, ties="half", prior=TINY, **NO_BOOT)
    np.testing.assert_allclose(grouped.se_sandwich, 1.0, rtol=1e-6)
    assert grouped.n_raters == 2 and grouped.n_votes == 40


def test_result_shape_and_method():
    left, right, outcome, workers, _ = bt_votes(seed=3, n_items=6, n_votes=600, tie_rate=0.3)
    fit = fit_board(left, right, outcome, workers, n_items=6, bootstrap_rounds=50)
    assert isinstance(fit, BoardFit)
    for array in (fit.scores, fit.ci_low, fit.ci_high, fit.se_sandwich, fit.sandwich_low):
        assert array.shape == (6,)
    assert fit.coef_names == () and fit.coefficients.shape == (0,)
    assert (fit.ci_low <= fit.scores).all() and (fit.scores <= fit.ci_high).all()
    assert "rater-clustered" in fit.method and "Davidson" in fit.method
    assert list(fit.order) == list(np.argsort(-fit.scores))
    with pytest.raises(AttributeError):
        fit.scores = fit.scores  # frozen


def test_recovers_planted_scores():
    left, right, outcome, workers, theta = bt_votes(
        seed=0, n_items=20, n_votes=20000, tie_rate=0.5, n_workers=300
    )
    fit = fit_board(left, right, outcome, workers, n_items=20, bootstrap_rounds=300)
    assert np.abs(fit.scores - theta).max() < 0.15
    assert fit.tie_param == pytest.approx(0.5, rel=0.1)
    covered = (fit.ci_low <= theta) & (theta <= fit.ci_high)
    assert covered.mean() >= 0.85


def test_item_without_votes_has_no_interval():
    fit = fit_board([0, 1, 0], [1, 2, 2], [LEFT, LEFT, TIE], [0, 1, 2], n_items=4, **NO_BOOT)
    assert np.isfinite(fit.scores).all()
    assert np.isnan([fit.ci_low[3], fit.ci_high[3], fit.se_sandwich[3]]).all()
    assert np.isfinite(fit.se_sandwich[:3]).all()


def test_seeded_and_rater_none_is_one_rater_per_vote():
    left, right, outcome, _, _ = bt_votes(seed=4, n_items=5, n_votes=800)
    a = fit_board(left, right, outcome, None, n_items=5, bootstrap_rounds=100, seed=7)
    b = fit_board(left, right, outcome, np.arange(800), n_items=5, bootstrap_rounds=100, seed=7)
    np.testing.assert_allclose(a.ci_low, b.ci_low)
    assert a.n_raters == 800


def test_zero_weight_excludes_and_double_weight_duplicates():
    left, right, outcome, workers, _ = bt_votes(seed=5, n_items=5, n_votes=500)
    weights = np.ones(500)
    weights[:100] = 0.0
    weighted = fit_board(left, right, outcome, workers, n_items=5, weights=weights)
    subset = fit_board(left[100:], right[100:], outcome[100:], workers[100:], n_items=5)
    np.testing.assert_allclose(weighted.scores, subset.scores, atol=1e-9)
    assert weighted.n_votes == 400
    doubled = fit_board(left, right, outcome, workers, n_items=5, weights=np.full(500, 2.0))
    twice = fit_board(
        np.tile(left, 2), np.tile(right, 2), np.tile(outcome, 2), np.tile(workers, 2), n_items=5
    )
    np.testing.assert_allclose(doubled.scores, twice.scores, atol=1e-9)
    np.testing.assert_allclose(doubled.se_sandwich, twice.se_sandwich, rtol=1e-6)


def _rater_correlated(seed, n_items=5, n_raters=40, per_rater=60, stick=0.8):
    """BT votes whose raters repeat their own answer on a pair with probability ``stick``.

    Every vote is marginally Bradley-Terry with the planted scores, but a rater's votes on
    one pair are strongly correlated: the rater, not the vote, is the independent unit.
    """
    rng = np.random.default_rng(seed)
    theta = np.linspace(-1, 1, n_items)
    left = rng.integers(0, n_items, n_raters * per_rater)
    right = rng.integers(0, n_items - 1, left.size)
    right = right + (right >= left)
    raters = np.repeat(np.arange(n_raters), per_rater)
    p_left = 1 / (1 + np.exp(-(theta[left] - theta[right])))
    fresh = rng.random(left.size) < p_left
    # one standing answer per (rater, ordered pair), drawn from the same BT probability
    standing = rng.random((n_raters, n_items, n_items)) < 1 / (
        1 + np.exp(-(theta[:, None] - theta[None, :]))
    )
    sticky = rng.random(left.size) < stick
    left_won = np.where(sticky, standing[raters, left, right], fresh)
    return left, right, np.where(left_won, LEFT, RIGHT), raters, theta - theta.mean()


def test_rater_clusters_widen_intervals_and_keep_coverage():
    covered = {"rater": [], "vote": []}
    widths = {"rater": [], "vote": []}
    for seed in range(50):
        left, right, outcome, raters, theta = _rater_correlated(seed)
        for key, clusters in (("rater", raters), ("vote", None)):
            fit = fit_board(
                left, right, outcome, clusters, n_items=5, ties="half", bootstrap_rounds=200
            )
            covered[key].append((fit.ci_low <= theta) & (theta <= fit.ci_high))
            widths[key].append(fit.ci_high - fit.ci_low)
    rater_cover, vote_cover = np.mean(covered["rater"]), np.mean(covered["vote"])
    assert rater_cover >= 0.88
    assert vote_cover < rater_cover - 0.1
    assert np.mean(widths["rater"]) > 1.4 * np.mean(widths["vote"])


def test_sandwich_matches_bootstrap_on_independent_votes():
    left, right, outcome, workers, _ = bt_votes(
        seed=6, n_items=10, n_votes=10000, tie_rate=0.4, n_workers=2000
    )
    x = np.random.default_rng(0).normal(size=(left.size, 1))
    for ties in ("davidson", "half"):
        for covariates in (None, x):
            fit = fit_board(
                left,
                right,
                outcome,
                workers,
                n_items=10,
                ties=ties,
                covariates=covariates,
                bootstrap_rounds=400,
            )
            np.testing.assert_allclose(fit.se_bootstrap, fit.se_sandwich, rtol=0.2)
            if covariates is not None:
                boot = (fit.coef_ci_high - fit.coef_ci_low) / (2 * 1.96)
                np.testing.assert_allclose(boot, fit.coef_se_sandwich, rtol=0.2)


def _length_biased(seed=0, n_items=12, n_votes=20000, beta=0.8):
    rng = np.random.default_rng(seed)
    theta = np.linspace(-0.8, 0.8, n_items)
    theta -= theta.mean()
    verbosity = np.where(np.arange(n_items) % 3 == 0, 1.0, -0.3)  # some models write long
    left = rng.integers(0, n_items, n_votes)
    right = rng.integers(0, n_items - 1, n_votes)
    right = right + (right >= left)
    length_l = verbosity[left] + rng.normal(0, 0.5, n_votes)
    length_r = verbosity[right] + rng.normal(0, 0.5, n_votes)
    x = (length_l - length_r)[:, None]
    p = 1 / (1 + np.exp(-(theta[left] - theta[right] + beta * x[:, 0])))
    outcome = np.where(rng.random(n_votes) < p, LEFT, RIGHT)
    outcome[rng.random(n_votes) < 0.1] = TIE
    raters = rng.integers(0, 400, n_votes)
    return left, right, outcome, raters, x, theta


def test_style_control_recovers_scores_that_plain_bt_gets_wrong():
    left, right, outcome, raters, x, theta = _length_biased()
    plain = fit_board(left, right, outcome, raters, n_items=12, bootstrap_rounds=0)
    styled = fit_board(
        left,
        right,
        outcome,
        raters,
        n_items=12,
        covariates=x,
        coef_names=["length"],
        bootstrap_rounds=200,
    )
    assert np.abs(plain.scores - theta).max() > 0.4
    assert np.abs(styled.scores - theta).max() < 0.12
    assert styled.coef_names == ("length",)
    assert styled.coef_ci_low[0] < 0.8 < styled.coef_ci_high[0]
    assert styled.coefficients[0] == pytest.approx(0.8, abs=0.06)
    half = fit_board(
        left, right, outcome, raters, n_items=12, covariates=x, ties="half", bootstrap_rounds=0
    )
    assert np.corrcoef(half.scores, theta)[0, 1] > 0.99
    assert "covariates" in styled.method and "one Newton step" in styled.method


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"left_idx": [], "right_idx": [], "outcome": []}, "empty"),
        ({"n_items": 1, "left_idx": [0], "right_idx": [0]}, "two items"),
        ({"ties": "ignore"}, "ties"),
        ({"bootstrap_rounds": 1}, "bootstrap_rounds"),
        ({"level": 1.0}, "level"),
        ({"weights": [1.0, -1.0]}, "non-negative"),
        ({"weights": [0.0, 0.0]}, "zero weight"),
        ({"weights": [1.0]}, "one number per vote"),
        ({"covariates": [[1.0]]}, "covariates"),
        ({"covariates": [[1.0], [2.0]], "coef_names": ["a", "b"]}, "coef_names"),
        ({"right_idx": [1, 3]}, ">="),
    ],
)
def test_bad_input_is_a_clear_error(kwargs, message):
    args = {
        "left_idx": [0, 1],
        "right_idx": [1, 2],
        "outcome": [0, 1],
        "rater_idx": None,
        "n_items": 3,
        **kwargs,
    }
    with pytest.raises(QualityInputError, match=message):
        fit_board(**args)
