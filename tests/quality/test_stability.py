import time

import numpy as np
import pytest

from assay.quality import QualityInputError
from assay.quality.pairwise import LEFT, RIGHT, TIE, fit_board, top_rank_stability


def _votes(*blocks):
    """Blocks of (left, right, wins of left, wins of right, ties)."""
    left, right, outcome = [], [], []
    for a, b, wins, losses, ties in blocks:
        n = wins + losses + ties
        left += [a] * n
        right += [b] * n
        outcome += [LEFT] * wins + [RIGHT] * losses + [TIE] * ties
    return np.array(left), np.array(right), np.array(outcome)


@pytest.mark.parametrize("ties", ["davidson", "half"])
@pytest.mark.parametrize("k", [1, 3, 8])
def test_leader_ahead_by_k_decisive_votes_flips_after_k(ties, k):
    left, right, outcome = _votes((0, 1, 20 + k, 20, 5))
    stability = top_rank_stability(left, right, outcome, n_items=2, ties=ties)
    assert (stability.top, stability.runner_up, stability.challenger) == (0, 1, 1)
    assert stability.votes_to_flip == k
    assert stability.share == pytest.approx(k / (45 + k))


def test_three_items_with_symmetric_third():
    # 0 leads 1 by 4 head to head; both beat 2 equally: dropping 4 of 0's wins ties them
    left, right, outcome = _votes((0, 1, 14, 10, 0), (0, 2, 15, 5, 0), (1, 2, 15, 5, 0))
    stability = top_rank_stability(left, right, outcome, n_items=3, ties="half")
    assert stability.top == 0 and stability.challenger == 1
    assert stability.votes_to_flip == 4


def test_greedy_bound_is_no_worse_than_dropping_all_direct_wins():
    rng = np.random.default_rng(0)
    n, size = 6, 3000
    theta = np.array([0.6, 0.45, 0.1, 0.0, -0.4, -0.75])
    left = rng.integers(0, n, size)
    right = rng.integers(0, n - 1, size)
    right = right + (right >= left)
    p = 1 / (1 + np.exp(-(theta[left] - theta[right])))
    outcome = np.where(rng.random(size) < p, LEFT, RIGHT)
    stability = top_rank_stability(left, right, outcome, n_items=n, ties="half")
    fit = fit_board(left, right, outcome, None, n_items=n, ties="half", bootstrap_rounds=0)
    assert stability.top == int(np.argmax(fit.scores))
    # the greedy bound is never more than the leader's direct wins over its challenger
    # plus the votes the other items need; and a board is not flipped by zero votes
    assert 0 < stability.votes_to_flip < size
    direct = (left == stability.top) & (right == stability.challenger) & (outcome == LEFT)
    direct |= (right == stability.top) & (left == stability.challenger) & (outcome == RIGHT)
    weights = np.where(direct, 0.0, 1.0)  # drop every direct win: the leader must fall
    without = fit_board(
        left, right, outcome, None, n_items=n, weights=weights, ties="half", bootstrap_rounds=0
    )
    assert without.scores[stability.challenger] > without.scores[stability.top]
    assert stability.votes_to_flip <= direct.sum()


def test_weights_count_in_the_fit_but_votes_are_counted_one_by_one():
    left, right, outcome = _votes((0, 1, 10, 7, 0))
    # each of the leader's 10 wins weighs 2: 20 against 7, so 7 of them must go (6 < 7)
    weights = np.where(outcome == LEFT, 2.0, 1.0)
    heavy = top_rank_stability(left, right, outcome, n_items=2, weights=weights, ties="half")
    assert heavy.votes_to_flip == 7 and heavy.n_votes == 17
    # a zero weight removes a vote from the count and the fit: 9 wins against 7 -> 2
    weights = np.ones(17)
    weights[0] = 0.0
    light = top_rank_stability(left, right, outcome, n_items=2, weights=weights, ties="half")
    assert (light.votes_to_flip, light.n_votes) == (2, 16)


def test_tied_top_needs_no_votes_and_a_lone_result_needs_all():
    left, right, outcome = _votes((0, 1, 10, 10, 0), (0, 2, 10, 0, 0), (1, 2, 10, 0, 0))
    tied = top_rank_stability(left, right, outcome, n_items=3, ties="half")
    assert tied.votes_to_flip == 0
    alone = top_rank_stability([0, 0], [1, 1], [LEFT, LEFT], n_items=2, ties="half")
    # dropping both votes leaves nothing: the two items tie at 0
    assert (alone.votes_to_flip, alone.share, alone.challenger) == (2, 1.0, 1)


def test_fast_on_100k_votes():
    rng = np.random.default_rng(1)
    n, size = 50, 100_000
    theta = rng.normal(0, 0.6, n)
    left = rng.integers(0, n, size)
    right = rng.integers(0, n - 1, size)
    right = right + (right >= left)
    p = 1 / (1 + np.exp(-(theta[left] - theta[right])))
    outcome = np.where(rng.random(size) < p, LEFT, RIGHT)
    outcome[rng.random(size) < 0.1] = TIE
    started = time.perf_counter()
    stability = top_rank_stability(left, right, outcome, n_items=n)
    assert time.perf_counter() - started < 4.0
    fit = fit_board(left, right, outcome, None, n_items=n, bootstrap_rounds=0)
    assert stability.top == int(np.argmax(fit.scores))
    assert 0 < stability.votes_to_flip < 1000
    assert stability.n_votes == size and stability.challengers_checked == 5


def test_bad_input():
    with pytest.raises(QualityInputError, match="empty"):
        top_rank_stability([], [], [], n_items=2)
    with pytest.raises(QualityInputError, match="two items"):
        top_rank_stability([0], [0], [LEFT], n_items=1)
    with pytest.raises(QualityInputError, match="ties"):
        top_rank_stability([0], [1], [LEFT], n_items=2, ties="ignore")
