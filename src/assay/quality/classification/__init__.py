"""Truth inference for categorical labels: from majority vote to Bayesian Dawid-Skene."""

from assay.quality.classification._base import CategoricalAggregator
from assay.quality.classification.bayesian_ds import BayesianDawidSkene
from assay.quality.classification.dawid_skene import DawidSkene
from assay.quality.classification.glad import GLAD
from assay.quality.classification.mace import MACE
from assay.quality.classification.majority_vote import MajorityVote
from assay.quality.classification.one_coin import OneCoinDawidSkene
from assay.quality.classification.wawa import Wawa
from assay.quality.classification.zbs import ZeroBasedSkill

__all__ = [
    "GLAD",
    "MACE",
    "BayesianDawidSkene",
    "CategoricalAggregator",
    "DawidSkene",
    "MajorityVote",
    "OneCoinDawidSkene",
    "Wawa",
    "ZeroBasedSkill",
]
