"""Chance-corrected agreement: Fleiss' kappa (many raters) and Cohen's kappa (two raters)."""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from assay.quality._encoding import FloatArray, as_codes
from assay.quality.errors import QualityInputError

WEIGHTINGS = (None, "linear", "quadratic")


def category_counts(
    unit_idx: ArrayLike, label_idx: ArrayLike, n_classes: int | None = None
) -> FloatArray:
    """Ratings per (unit, category): the (n_units, n_classes) table Fleiss' kappa starts from."""
    units, n_units = as_codes(unit_idx, "unit_idx", None)
    labels, k = as_codes(label_idx, "label_idx", n_classes)
    if units.size != labels.size:
        raise QualityInputError("unit_idx and label_idx must have the same length")
    table = np.bincount(units * k + labels, minlength=n_units * k)
    return table.reshape(n_units, k).astype(np.float64)


def fleiss_kappa(counts: ArrayLike) -> float:
    r"""Fleiss' kappa from a (subjects, categories) table of rating counts.

    :math:`P_i = \frac{\sum_j n_{ij}(n_{ij} - 1)}{n_i(n_i - 1)}`,
    :math:`\bar P = \operatorname{mean}_i P_i`, :math:`p_j = \sum_i n_{ij} / \sum_i n_i`,
    :math:`\bar P_e = \sum_j p_j^2`, :math:`\kappa = (\bar P - \bar P_e)/(1 - \bar P_e)`.
    Subjects with fewer than two ratings are left out; unequal numbers of raters per subject
    are allowed (each subject's :math:`P_i` uses its own :math:`n_i`).

    Reference: J. L. Fleiss, "Measuring nominal scale agreement among many raters",
    Psychological Bulletin 76(5), 1971.

    Returns:
        Kappa (NaN when all ratings fall in one category).

    Raises:
        QualityInputError: If the table is empty, negative, or no subject has two ratings.

    """
    table = np.asarray(counts, dtype=np.float64)
    if table.ndim != 2 or table.size == 0:
        raise QualityInputError("counts must be a non-empty (subjects, categories) table")
    if (table < 0).any():
        raise QualityInputError("counts must be non-negative")
    raters = table.sum(axis=1)
    table = table[raters >= 2]
    raters = raters[raters >= 2]
    if table.shape[0] == 0:
        raise QualityInputError("no subject has two or more ratings, so kappa is undefined")
    agreement = ((table * (table - 1)).sum(axis=1) / (raters * (raters - 1))).mean()
    shares = table.sum(axis=0) / raters.sum()
    chance = float((shares**2).sum())
    if chance >= 1.0:
        return float("nan")
    return float((agreement - chance) / (1.0 - chance))


def cohen_kappa(first: ArrayLike, second: ArrayLike, weights: str | None = None) -> float:
    r"""Cohen's kappa between two raters who labelled the same items.

    :math:`\kappa = 1 - \frac{\sum_{ij} w_{ij} o_{ij}}{\sum_{ij} w_{ij} e_{ij}}` with the
    observed joint distribution :math:`o`, the product of marginals :math:`e`, and
    disagreement weights :math:`w_{ij} = [i \ne j]` (unweighted), :math:`|i - j|` (linear)
    or :math:`(i - j)^2` (quadratic) over the sorted label values.

    Reference: J. Cohen, "A coefficient of agreement for nominal scales", EPM 20(1), 1960;
    "Weighted kappa", Psychological Bulletin 70(4), 1968.

    Raises:
        QualityInputError: On unequal lengths, empty input or an unknown weighting.

    """
    if weights not in WEIGHTINGS:
        raise QualityInputError("weights must be None, 'linear' or 'quadratic'")
    a, b = np.asarray(first), np.asarray(second)
    if a.shape != b.shape or a.ndim != 1:
        raise QualityInputError("both raters must label the same items (equal 1-D arrays)")
    if a.size == 0:
        raise QualityInputError("no items to compare: the input is empty")
    categories, codes = np.unique(np.concatenate([a, b]), return_inverse=True)
    k = categories.size
    joint = np.bincount(codes[: a.size] * k + codes[a.size :], minlength=k * k)
    observed = joint.reshape(k, k) / a.size
    expected = np.outer(observed.sum(axis=1), observed.sum(axis=0))
    index = np.arange(k)
    gap = np.abs(np.subtract.outer(index, index)).astype(np.float64)
    penalty = {None: (gap > 0).astype(np.float64), "linear": gap, "quadratic": gap**2}[weights]
    chance = float((penalty * expected).sum())
    if chance == 0:
        return float("nan")
    return 1.0 - float((penalty * observed).sum()) / chance
