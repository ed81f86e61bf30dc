"""Assay's quality engine: truth inference, pairwise ranking, agreement and worker skill.

A pure library (numpy/scipy; pandas only at the DataFrame front), usable on its own::

    from assay.quality import DawidSkene
    labels = DawidSkene().fit_predict(df)          # df: task, worker, label (Crowd-Kit's columns)
    model = DawidSkene().fit(task_idx, worker_idx, label_idx)   # or integer codes

Every model follows Crowd-Kit's shape: hyperparameters in the constructor, ``fit`` returns
``self``, fitted state ends in ``_`` (``labels_``, ``probas_``, ``confidence_``,
``errors_``, ``skills_``, ``scores_``, ``ci_low_``/``ci_high_``). Bad input raises
:class:`QualityInputError` (a ``ValueError``).
"""

from assay.quality._encoding import EncodedLabels, LabelCodes, check_codes, encode_labels
from assay.quality.agreement import (
    cohen_kappa,
    fleiss_kappa,
    krippendorff_alpha,
    percent_agreement,
)
from assay.quality.classification import (
    GLAD,
    MACE,
    BayesianDawidSkene,
    CategoricalAggregator,
    DawidSkene,
    MajorityVote,
    OneCoinDawidSkene,
    Wawa,
    ZeroBasedSkill,
)
from assay.quality.errors import QualityInputError
from assay.quality.multilabel import BinaryRelevance
from assay.quality.numeric import (
    BiasVarianceModel,
    MeanAggregator,
    MedianAggregator,
    NumericAggregator,
)
from assay.quality.pairwise import (
    BradleyTerry,
    Davidson,
    NoisyBradleyTerry,
    PairwiseRanker,
    StyleControlledBradleyTerry,
    style_covariates,
)
from assay.quality.skill import GoldSkill, ManyFacetModel
from assay.quality.spans import SpanAggregator

__all__ = [
    "GLAD",
    "MACE",
    "BayesianDawidSkene",
    "BiasVarianceModel",
    "BinaryRelevance",
    "BradleyTerry",
    "CategoricalAggregator",
    "Davidson",
    "DawidSkene",
    "EncodedLabels",
    "GoldSkill",
    "LabelCodes",
    "MajorityVote",
    "ManyFacetModel",
    "MeanAggregator",
    "MedianAggregator",
    "NoisyBradleyTerry",
    "NumericAggregator",
    "OneCoinDawidSkene",
    "PairwiseRanker",
    "QualityInputError",
    "SpanAggregator",
    "StyleControlledBradleyTerry",
    "Wawa",
    "ZeroBasedSkill",
    "check_codes",
    "cohen_kappa",
    "encode_labels",
    "fleiss_kappa",
    "krippendorff_alpha",
    "percent_agreement",
    "style_covariates",
]
