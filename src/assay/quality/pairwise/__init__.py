"""Pairwise comparison and ranking: Bradley-Terry, Davidson ties, noisy workers, style control."""

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
from assay.quality.pairwise.bootstrap import percentile_interval, resample_counts
from assay.quality.pairwise.bradley_terry import BradleyTerry
from assay.quality.pairwise.davidson import Davidson
from assay.quality.pairwise.noisy_bt import NoisyBradleyTerry
from assay.quality.pairwise.style import (
    STYLE_FEATURES,
    StyleControlledBradleyTerry,
    style_counts,
    style_covariates,
)

__all__ = [
    "LEFT",
    "RIGHT",
    "STYLE_FEATURES",
    "TIE",
    "BradleyTerry",
    "Davidson",
    "NoisyBradleyTerry",
    "PairCounts",
    "PairwiseRanker",
    "PairwiseVotes",
    "StyleControlledBradleyTerry",
    "check_votes",
    "encode_votes",
    "fold_pairs",
    "percentile_interval",
    "resample_counts",
    "style_counts",
    "style_covariates",
]
