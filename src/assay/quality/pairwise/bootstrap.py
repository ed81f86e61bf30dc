"""Bootstrap of pairwise counts: resample the (pair, outcome) cells, never the vote rows."""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray

from assay.quality._encoding import FloatArray

_NORMAL_FROM = 30.0  # cells with at least this many votes use the normal limit of Poisson


def resample_counts(
    counts: FloatArray, rounds: int, rng: np.random.Generator
) -> tuple[FloatArray, ...]:
    r"""Poisson-bootstrap the per-pair outcome counts for many rounds at once.

    Resampling the votes with replacement gives each (pair, outcome) cell a count that is
    (nearly) :math:`\mathrm{Poisson}(c)` — the Poisson bootstrap (Hanley & MacGibbon 2006;
    Chamandy et al. 2012). Cells with :math:`c \ge 30` draw from its normal limit
    :math:`c + \sqrt{c}\,z` (clipped at 0), smaller cells draw Poisson exactly. The cost
    is O(cells x rounds), independent of the number of votes.

    Args:
        counts: (pairs, outcomes) observed counts.
        rounds: Number of bootstrap rounds.
        rng: Random generator (seeded by the caller).

    Returns:
        One (pairs, rounds) array per outcome column.

    """
    n_pairs, n_outcomes = counts.shape
    columns = []
    for k in range(n_outcomes):
        observed = counts[:, k]
        big = observed >= _NORMAL_FROM
        draws = rng.standard_normal((n_pairs, rounds))
        draws *= np.sqrt(observed)[:, None]
        draws += observed[:, None]
        np.maximum(draws, 0.0, out=draws)
        small = np.flatnonzero(~big & (observed > 0))
        if small.size:
            draws[small] = rng.poisson(observed[small][:, None], size=(small.size, rounds))
        columns.append(draws)
    return tuple(columns)


def percentile_interval(
    samples: NDArray[np.floating[Any]], level: float
) -> tuple[FloatArray, FloatArray]:
    """Equal-tailed percentile interval of each row of ``samples`` (items x rounds)."""
    tail = 100.0 * (1.0 - level) / 2.0
    low, high = np.percentile(samples, [tail, 100.0 - tail], axis=1)
    return np.asarray(low, dtype=np.float64), np.asarray(high, dtype=np.float64)
