"""Aggregation of numeric answers: mean, median, and a worker bias + variance model."""

from assay.quality.numeric._base import NumericAggregator, NumericAnswers
from assay.quality.numeric.bias_variance import BiasVarianceModel
from assay.quality.numeric.mean_median import MeanAggregator, MedianAggregator

__all__ = [
    "BiasVarianceModel",
    "MeanAggregator",
    "MedianAggregator",
    "NumericAggregator",
    "NumericAnswers",
]
