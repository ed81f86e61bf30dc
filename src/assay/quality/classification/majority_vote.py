"""Majority vote, optionally weighted by a skill per worker."""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from assay.quality._encoding import FloatArray, LabelCodes
from assay.quality._posterior import majority_probas
from assay.quality.classification._base import CategoricalAggregator
from assay.quality.errors import QualityInputError


class MajorityVote(CategoricalAggregator):
    r"""Majority vote: each task gets the label with the most (weighted) votes.

    Model: no latent structure. With a weight :math:`s_w` per worker the score of class
    :math:`k` on task :math:`t` is :math:`\sum_{r: t_r = t, y_r = k} s_{w_r}`, and
    ``probas_`` is that score normalised over classes. Exact ties go to the class used least
    overall (a vote for a label workers seldom give is the stronger evidence), then at
    random with ``seed``, so results are deterministic.

    Args:
        skills: Optional weight per worker code (e.g. accuracy on gold). Workers without a
            weight (code beyond the array) get ``default_skill``.
        default_skill: Weight for workers not covered by ``skills``.
        seed: Seed for breaking exact ties between equally rare classes.

    Example:
        >>> import pandas as pd
        >>> df = pd.DataFrame({"task": ["t1", "t1", "t1"], "worker": ["a", "b", "c"],
        ...                    "label": ["cat", "cat", "dog"]})
        >>> MajorityVote().fit_predict(df).loc["t1"]
        'cat'

    """

    def __init__(
        self, skills: ArrayLike | None = None, default_skill: float = 1.0, seed: int | None = 0
    ) -> None:
        self.skills = skills
        self.default_skill = default_skill
        self.seed = seed

    def _fit_codes(self, codes: LabelCodes) -> None:
        weights = self._row_weights(codes)
        self.probas_ = majority_probas(codes, weights)

    def _row_weights(self, codes: LabelCodes) -> FloatArray | None:
        if self.skills is None:
            return None
        given = np.asarray(self.skills, dtype=np.float64).ravel()
        if given.size and (given < 0).any():
            raise QualityInputError("worker skills must be non-negative")
        per_worker = np.full(codes.n_workers, float(self.default_skill))
        n = min(given.size, codes.n_workers)
        per_worker[:n] = given[:n]
        return per_worker[codes.worker_idx]
