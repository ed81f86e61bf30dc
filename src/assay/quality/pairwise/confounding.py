"""How far style covariates are explained by which items were compared (style control's limit)."""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp
from numpy.typing import ArrayLike

from assay.quality._encoding import FloatArray
from assay.quality.errors import QualityInputError


def style_confounding(
    left_idx: ArrayLike, right_idx: ArrayLike, covariates: ArrayLike, *, n_items: int
) -> FloatArray:
    r"""Per covariate, the share of its variance that the item pairing alone explains (R²).

    Style control separates an item's strength from its style only when style varies within
    items. If every answer of one model is long and every answer of another short, the length
    difference of a vote is a function of which models met, and the data cannot tell "voters
    like length" from "voters like that model": the split between scores and coefficients is
    then set by the priors, not by the votes. This regresses each covariate on the item
    design (+1 for the left item, -1 for the right) by least squares and returns
    :math:`R^2`; values near 1 mean the style-controlled ranking rests on that confound.

    Args:
        left_idx: Left item code per vote.
        right_idx: Right item code per vote.
        covariates: (n_votes, n_features) left-minus-right covariates.
        n_items: Number of items.

    Returns:
        Shape (n_features,): R² per covariate (0 for a constant covariate).

    Raises:
        QualityInputError: On misaligned input.

    """
    left = np.asarray(left_idx, dtype=np.int64)
    right = np.asarray(right_idx, dtype=np.int64)
    features = np.asarray(covariates, dtype=np.float64)
    if features.ndim != 2 or features.shape[0] != left.size or right.size != left.size:
        raise QualityInputError("covariates must be shaped (n_votes, n_features)")
    rows = np.repeat(np.arange(left.size), 2)
    cols = np.column_stack([left, right]).ravel()
    signs = np.tile([1.0, -1.0], left.size)
    design = sp.csr_array((signs, (rows, cols)), shape=(left.size, n_items))
    gram = (design.T @ design).toarray()
    # The design has rank n_items - 1 (scores are only defined up to a shift): pseudo-inverse.
    fitted = design @ (np.linalg.pinv(gram) @ (design.T @ features))
    residual = ((features - fitted) ** 2).sum(axis=0)
    spread = ((features - features.mean(axis=0)) ** 2).sum(axis=0)
    share = np.divide(residual, spread, out=np.ones_like(spread), where=spread > 0)
    return np.asarray(np.clip(1.0 - share, 0.0, 1.0), dtype=np.float64)
