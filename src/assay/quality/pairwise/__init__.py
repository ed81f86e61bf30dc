"""Pairwise comparison and ranking: Bradley-Terry family models and leaderboard statistics.

Models: Bradley-Terry, Davidson ties, noisy workers, style control. Leaderboard: scores with
rater-clustered intervals, the win matrix, the stability of first place, identity reveals.
"""

from assay.quality.pairwise._ranker import PairwiseRanker
from assay.quality.pairwise._votes import (
    LEFT,
    RIGHT,
    TIE,
    PairCounts,
    PairwiseVotes,
    check_votes,
    encode_votes,
    fold_pairs,
)
from assay.quality.pairwise.board import BoardFit, fit_board
from assay.quality.pairwise.bootstrap import percentile_interval, resample_counts
from assay.quality.pairwise.bradley_terry import BradleyTerry
from assay.quality.pairwise.davidson import Davidson
from assay.quality.pairwise.identity import reveals_identity
from assay.quality.pairwise.noisy_bt import NoisyBradleyTerry
from assay.quality.pairwise.stability import Stability, top_rank_stability
from assay.quality.pairwise.style import (
    STYLE_FEATURES,
    StyleControlledBradleyTerry,
    style_counts,
    style_covariates,
)
from assay.quality.pairwise.win_matrix import WinMatrix, win_matrix

__all__ = [
    "LEFT",
    "RIGHT",
    "STYLE_FEATURES",
    "TIE",
    "BoardFit",
    "BradleyTerry",
    "Davidson",
    "NoisyBradleyTerry",
    "PairCounts",
    "PairwiseRanker",
    "PairwiseVotes",
    "Stability",
    "StyleControlledBradleyTerry",
    "WinMatrix",
    "check_votes",
    "encode_votes",
    "fit_board",
    "fold_pairs",
    "percentile_interval",
    "resample_counts",
    "reveals_identity",
    "style_counts",
    "style_covariates",
    "top_rank_stability",
    "win_matrix",
]
