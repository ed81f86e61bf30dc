import numpy as np
import pytest

from assay.quality.pairwise._board_input import BoardVotes, board_votes
from assay.quality.pairwise._rater_counts import likelihood
from assay.quality.pairwise._vote_bootstrap import one_step_rounds, rater_pieces
from assay.quality.pairwise._vote_fit import VoteObjective, fit_votes

from .pairwise_data import bt_votes


@pytest.mark.parametrize("ties", ["davidson", "half"])
def test_one_newton_step_is_close_to_an_exact_refit(ties):
    # The covariate bootstrap takes one Newton step per round; an exact refit of the same
    # rater-weighted votes must land within a small fraction of how far the round moved.
    left, right, outcome, workers, _ = bt_votes(
        seed=0, n_items=8, n_votes=8000, tie_rate=0.3, n_workers=30
    )
    x = np.random.default_rng(1).normal(size=(left.size, 2))
    board = board_votes(left, right, outcome, workers, 8, None, x)
    objective = VoteObjective.build(board, likelihood(ties), 1.0)
    params, _, terms = fit_votes(objective)
    weights = np.random.default_rng(2).poisson(1.0, (board.n_raters, 4)).astype(float)
    rounds = one_step_rounds(objective, params, rater_pieces(objective, terms), weights)
    for k in range(4):
        vote_weights = board.weights * weights[board.votes.worker_idx, k]
        reweighted = BoardVotes(board.votes, vote_weights, board.covariates)
        exact, _, _ = fit_votes(VoteObjective.build(reweighted, likelihood(ties), 1.0))
        moved = np.abs(exact - params).max()
        assert moved > 0.02
        assert np.abs(rounds[:, k] - exact).max() < 0.05 * moved


def test_unit_weights_give_back_the_fit():
    left, right, outcome, workers, _ = bt_votes(seed=1, n_items=5, n_votes=2000, n_workers=10)
    x = np.random.default_rng(0).normal(size=(left.size, 1))
    board = board_votes(left, right, outcome, workers, 5, None, x)
    objective = VoteObjective.build(board, likelihood("davidson"), 1.0)
    params, _, terms = fit_votes(objective)
    rounds = one_step_rounds(
        objective, params, rater_pieces(objective, terms), np.ones((board.n_raters, 2))
    )
    np.testing.assert_allclose(rounds, np.column_stack([params, params]), atol=1e-8)
