"""Wawa: majority vote weighted by each worker's agreement with the plain majority."""

from __future__ import annotations

from assay.quality._encoding import LabelCodes
from assay.quality._posterior import class_frequency, decide, majority_probas, worker_agreement
from assay.quality.classification._base import CategoricalAggregator


class Wawa(CategoricalAggregator):
    r"""Wawa ("worker agreement with aggregate"): a two-pass weighted majority vote.

    1. Plain majority vote gives labels :math:`\hat z_t`.
    2. Each worker's skill is their agreement with it,
       :math:`s_w = \frac{1}{n_w}\sum_{r \in w} [y_r = \hat z_{t_r}]`.
    3. A majority vote weighted by :math:`s_w` gives the final labels and ``probas_``.

    Fitted state: ``skills_`` (per worker code), ``probas_``, ``labels_``.

    Reference: the Wawa baseline as described in Crowd-Kit
    (Ustalov et al., "Learning from Crowds with Crowd-Kit", JOSS 2024).

    Args:
        seed: Seed for breaking exact ties.

    """

    def __init__(self, seed: int | None = 0) -> None:
        self.seed = seed

    def _fit_codes(self, codes: LabelCodes) -> None:
        first = decide(majority_probas(codes), class_frequency(codes), self.seed)
        self.skills_ = worker_agreement(codes, first)
        self.probas_ = majority_probas(codes, self.skills_[codes.worker_idx])
