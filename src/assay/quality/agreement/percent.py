"""Pairwise percent agreement: how often two raters of the same item gave the same label."""

from __future__ import annotations

from numpy.typing import ArrayLike

from assay.quality.agreement.kappa import category_counts
from assay.quality.errors import QualityInputError


def percent_agreement(unit_idx: ArrayLike, label_idx: ArrayLike, by: str = "unit") -> float:
    r"""Share of agreeing rater pairs, without chance correction.

    For unit :math:`u` with :math:`m_u` ratings, :math:`n_{uc}` of them in category
    :math:`c`, the agreeing share of its :math:`m_u(m_u-1)` ordered pairs is
    :math:`A_u = \sum_c n_{uc}(n_{uc}-1) / (m_u(m_u-1))`. ``by="unit"`` averages
    :math:`A_u` over units (Fleiss' :math:`\bar P`); ``by="pair"`` pools all pairs, so
    units with more raters weigh more. Units with one rating are left out.

    Returns:
        Agreement in [0, 1].

    Raises:
        QualityInputError: On empty input, an unknown ``by`` or no unit with two ratings.

    """
    if by not in ("unit", "pair"):
        raise QualityInputError("by must be 'unit' or 'pair'")
    table = category_counts(unit_idx, label_idx)
    sizes = table.sum(axis=1)
    keep = sizes >= 2
    if not keep.any():
        raise QualityInputError("no unit has two or more ratings, so agreement is undefined")
    agreeing = (table * (table - 1)).sum(axis=1)[keep]
    pairs = (sizes * (sizes - 1))[keep]
    if by == "pair":
        return float(agreeing.sum() / pairs.sum())
    return float((agreeing / pairs).mean())
