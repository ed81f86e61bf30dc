"""Cluster-robust (sandwich) covariance of a leaderboard fit, clusters = raters."""

from __future__ import annotations

from typing import Any

import numpy as np
import scipy.sparse as sp

from assay.quality._encoding import FloatArray


def sandwich_covariance(
    curvature: FloatArray | sp.csr_array, gradients: Any, n_items: int
) -> FloatArray | None:
    r"""Return :math:`T H^{-1} (\frac{R}{R-1}\sum_r g_r g_r^\top) H^{-1} T^\top`.

    ``H`` is minus the Hessian of the (penalised) log-likelihood at the fit, ``g_r`` the
    log-likelihood gradient of rater ``r``'s votes there (rows of ``gradients``, raters x
    params) and ``T`` centres the first ``n_items`` parameters (the scores) to mean 0, the
    identified parametrisation the board reports. ``R / (R - 1)`` is the usual small-sample
    correction for ``R`` clusters.

    Returns:
        The covariance (params x params), or None when the Hessian is too large to invert
        densely (more than 2,000 parameters) or there is a single rater.

    """
    n_raters = gradients.shape[0]
    if not isinstance(curvature, np.ndarray) or n_raters < 2:
        return None
    if sp.issparse(gradients):
        meat = np.asarray((gradients.T @ gradients).toarray(), dtype=np.float64)
    else:
        meat = np.asarray(gradients.T @ gradients, dtype=np.float64)
    meat *= n_raters / (n_raters - 1.0)
    bread = np.linalg.inv(curvature)
    cov = bread @ meat @ bread
    centre = np.eye(cov.shape[0])
    centre[:n_items, :n_items] -= 1.0 / n_items
    return np.asarray(centre @ cov @ centre.T, dtype=np.float64)


def standard_errors(cov: FloatArray | None, size: int) -> FloatArray:
    """Square roots of the diagonal (NaN everywhere when there is no covariance)."""
    if cov is None:
        return np.full(size, np.nan)
    return np.asarray(np.sqrt(np.clip(np.diag(cov), 0.0, None)), dtype=np.float64)
