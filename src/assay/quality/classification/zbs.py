"""Zero-based skill: weighted majority vote with skills learned by a decaying step."""

from __future__ import annotations

import numpy as np

from assay.quality._encoding import FloatArray, LabelCodes
from assay.quality._posterior import chosen_posterior, majority_probas, row_max, row_sums
from assay.quality.classification._base import CategoricalAggregator

_TIE_TOLERANCE = 1e-12


def tie_shared_agreement(codes: LabelCodes, probas: FloatArray) -> FloatArray:
    """Each worker's expected agreement with the vote winners, ties broken uniformly at random.

    A task whose top classes tie credits each tied class with ``1/m`` (``m`` winners), so an
    arbitrary tie-break (label order, class frequency) cannot move the skills.

    Args:
        codes: The coded answers.
        probas: Weighted vote shares per (task, class).

    Returns:
        The mean credit of each worker's rows (0 for a worker without rows).

    """
    winners = (probas >= (row_max(probas) - _TIE_TOLERANCE)[:, None]).astype(np.float64)
    winners /= row_sums(winners)[:, None]
    credit = chosen_posterior(codes, winners)
    agree = np.bincount(codes.worker_idx, weights=credit, minlength=codes.n_workers)
    total = np.bincount(codes.worker_idx, minlength=codes.n_workers)
    return np.divide(agree, total, out=np.zeros(codes.n_workers), where=total > 0)


class ZeroBasedSkill(CategoricalAggregator):
    r"""Zero-based skill (ZBS): skills move towards agreement with the weighted majority.

    Skills start at :math:`s_w = 1/K + \epsilon`. Each round runs a majority vote weighted by
    :math:`s_w`, measures each worker's agreement :math:`a_w` with it, and steps
    :math:`s_w \leftarrow s_w + \eta (a_w - s_w)`; the step :math:`\eta` starts at ``lr_init``
    and is multiplied by ``lr_reduce_factor`` every ``lr_steps_to_reduce`` rounds. It stops
    after ``n_iter`` rounds or when no skill moves more than ``tol``.

    A tied vote is no evidence for any one of its winners, so :math:`a_w` gives a row on a
    task whose top ``m`` classes tie ``1/m`` credit if it chose one of them (the expected
    agreement under a uniformly random tie-break; see :func:`tie_shared_agreement`). The
    first round is a plain majority vote, full of ties on sparse data; a hard tie-break there
    (Crowd-Kit takes the first label in sort order) would seed the skills with the label
    order. Only the final labels go through the usual tie rule.

    Fitted state: ``skills_``, ``probas_``, ``labels_``, ``n_iter_``.

    Reference: the ZBS method of Crowd-Kit (Ustalov et al., JOSS 2024).

    Args:
        n_iter: Maximum number of rounds.
        lr_init: Initial step.
        lr_steps_to_reduce: Rounds between step reductions.
        lr_reduce_factor: Factor applied to the step at each reduction.
        eps: Added to the starting skill 1/K.
        tol: Stop when no skill moves more than this.
        seed: Seed for breaking exact ties.

    """

    def __init__(
        self,
        n_iter: int = 100,
        lr_init: float = 1.0,
        lr_steps_to_reduce: int = 20,
        lr_reduce_factor: float = 0.5,
        eps: float = 1e-5,
        tol: float = 1e-9,
        seed: int | None = 0,
    ) -> None:
        self.n_iter = n_iter
        self.lr_init = lr_init
        self.lr_steps_to_reduce = lr_steps_to_reduce
        self.lr_reduce_factor = lr_reduce_factor
        self.eps = eps
        self.tol = tol
        self.seed = seed

    def _fit_codes(self, codes: LabelCodes) -> None:
        skills = np.full(codes.n_workers, 1.0 / codes.n_classes + self.eps)
        rate = self.lr_init
        self.n_iter_ = 0
        for step in range(1, self.n_iter + 1):
            if step % self.lr_steps_to_reduce == 0:
                rate *= self.lr_reduce_factor
            votes = majority_probas(codes, skills[codes.worker_idx])
            move = rate * (tie_shared_agreement(codes, votes) - skills)
            skills += move
            self.n_iter_ = step
            if np.abs(move).max() <= self.tol:
                break
        self.skills_ = skills
        self.probas_ = majority_probas(codes, skills[codes.worker_idx])
