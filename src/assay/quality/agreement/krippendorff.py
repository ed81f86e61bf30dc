"""Krippendorff's alpha for nominal, ordinal and interval data, with missing values."""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp
from numpy.typing import ArrayLike

from assay.quality._encoding import FloatArray, as_codes
from assay.quality.errors import QualityInputError

LEVELS = ("nominal", "ordinal", "interval")


def coincidence_matrix(unit_idx: ArrayLike, value_idx: ArrayLike, n_values: int) -> FloatArray:
    r"""Krippendorff's coincidence matrix of value pairs within units.

    :math:`o_{ck} = \sum_u n_{uc}(n_{uk} - [c = k]) / (m_u - 1)`.

    Units with fewer than two values are not pairable and are left out.

    Args:
        unit_idx: Unit (task) code of each value.
        value_idx: Value code of each value, in ``[0, n_values)``.
        n_values: Number of distinct values.

    Returns:
        The (n_values, n_values) coincidence matrix.

    """
    units, n_units = as_codes(unit_idx, "unit_idx", None)
    values, _ = as_codes(value_idx, "value_idx", n_values)
    per_unit = sp.csr_array((np.ones(units.size), (units, values)), shape=(n_units, n_values))
    sizes = np.asarray(per_unit.sum(axis=1)).ravel()
    weight = np.divide(1.0, sizes - 1.0, out=np.zeros_like(sizes), where=sizes >= 2)
    weighted = sp.csr_array(per_unit.multiply(weight[:, None]))
    pairs = np.asarray((per_unit.T @ weighted).toarray())
    pairs -= np.diag(np.asarray(weighted.sum(axis=0)).ravel())
    return pairs


def _distances(level: str, values: FloatArray, marginals: FloatArray) -> FloatArray:
    """Squared difference function delta^2 between value codes for the level."""
    if level == "nominal":
        return 1.0 - np.eye(values.size)
    if level == "interval":
        return np.asarray(np.subtract.outer(values, values) ** 2, dtype=np.float64)
    # delta_ck = sum of n_g for g from c to k, minus (n_c + n_k) / 2, with c <= k
    cumulative = np.cumsum(marginals)
    index = np.arange(values.size)
    low, high = np.minimum.outer(index, index), np.maximum.outer(index, index)
    span = cumulative[high] - cumulative[low] + (marginals[low] - marginals[high]) / 2.0
    return np.asarray(span**2, dtype=np.float64)


def krippendorff_alpha(unit_idx: ArrayLike, values: ArrayLike, level: str = "nominal") -> float:
    r"""Krippendorff's alpha, :math:`\alpha = 1 - D_o / D_e`, for any number of coders.

    :math:`D_o = \frac{1}{n}\sum_{c,k} o_{ck}\,\delta^2_{ck}` and
    :math:`D_e = \frac{1}{n(n-1)}\sum_{c,k} n_c n_k\,\delta^2_{ck}` over the pairable
    values, with :math:`\delta^2` the nominal (0/1), ordinal (rank-mass) or interval
    (squared difference) metric. Missing values are simply absent rows; coder identities are
    not needed.

    Reference: K. Krippendorff, "Computing Krippendorff's Alpha-Reliability", 2011;
    Content Analysis, 4th ed., 2019, ch. 12.

    Args:
        unit_idx: Unit (task) of each value.
        values: The value given (any labels for nominal; numbers or orderable labels for
            ordinal; numbers for interval).
        level: ``"nominal"``, ``"ordinal"`` or ``"interval"``.

    Returns:
        Alpha; 1 is perfect agreement, 0 chance level. NaN when there is no variation.

    Raises:
        QualityInputError: On an unknown level, empty input or no pairable unit.

    """
    if level not in LEVELS:
        raise QualityInputError(f"level must be one of {', '.join(LEVELS)}", {"level": level})
    raw = np.asarray(values)
    if raw.size == 0:
        raise QualityInputError("no values to compare: the input is empty")
    if level == "interval":
        raw = raw.astype(np.float64)
    uniques, codes = np.unique(raw, return_inverse=True)
    coincidences = coincidence_matrix(unit_idx, codes.ravel(), uniques.size)
    marginals = coincidences.sum(axis=1)
    total = float(marginals.sum())
    if total <= 1:
        raise QualityInputError("no unit has two or more values, so alpha is undefined")
    numeric = (
        uniques.astype(np.float64)
        if level == "interval"
        else np.arange(uniques.size, dtype=np.float64)
    )
    delta = _distances(level, numeric, marginals)
    observed = float((coincidences * delta).sum()) / total
    expected = float((np.outer(marginals, marginals) * delta).sum()) / (total * (total - 1.0))
    if expected == 0:
        return float("nan")
    return 1.0 - observed / expected
