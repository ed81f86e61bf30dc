import numpy as np
import pytest

from assay.quality import QualityInputError
from assay.quality.pairwise import LEFT, RIGHT, TIE, win_matrix


def test_hand_counted_matrix():
    # item 0 vs 1: 0 wins twice (once from the right), 1 wins once, one tie -> 2.5 / 4
    # item 1 vs 2: 1 wins once; item 0 and 2 never met; item 3 never played
    left = [0, 1, 0, 0, 1]
    right = [1, 0, 1, 1, 2]
    outcome = [LEFT, RIGHT, RIGHT, TIE, LEFT]
    board = win_matrix(left, right, outcome, n_items=4)
    assert board.wins[0, 1] == pytest.approx(2.5 / 4)
    assert board.wins[1, 0] == pytest.approx(1.5 / 4)
    assert board.wins[1, 2] == 1.0 and board.wins[2, 1] == 0.0
    assert board.games[0, 1] == board.games[1, 0] == 4
    assert board.games[1, 2] == 1
    assert np.isnan(board.wins[0, 2]) and board.games[0, 2] == 0
    assert np.isnan(board.wins[3]).all() and np.isnan(np.diag(board.wins)).all()
    played = ~np.isnan(board.wins)
    np.testing.assert_allclose((board.wins + board.wins.T)[played], 1.0)


def test_weights_scale_votes_and_zero_excludes():
    board = win_matrix([0, 0, 0], [1, 1, 1], [LEFT, RIGHT, RIGHT], n_items=2, weights=[2, 1, 0])
    assert board.wins[0, 1] == pytest.approx(2 / 3)
    assert board.games[0, 1] == 3


def test_bad_input():
    with pytest.raises(QualityInputError, match="empty"):
        win_matrix([], [], [], n_items=3)
    with pytest.raises(QualityInputError, match="two items"):
        win_matrix([0], [0], [LEFT], n_items=1)
