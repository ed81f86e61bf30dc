"""Bootstrap of pairwise counts: resample the (pair, outcome) cells, never the vote rows."""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray
from scipy.special import pdtr

from assay.quality._encoding import FloatArray

_NORMAL_FROM = 30.0  # cells with at least this many votes use the normal limit of Poisson
# the Poisson tables reach 12 sds (plus 20, for tiny means) past the largest mean: the tail
# they leave out has probability below 1e-31
_TAIL_SDS, _TAIL_PAD = 12.0, 20


class CountResampler:
    r"""Poisson-bootstrap the per-pair outcome counts, many rounds at a time.

    Resampling the votes with replacement gives each (pair, outcome) cell a count that is
    (nearly) :math:`\mathrm{Poisson}(c)` — the Poisson bootstrap (Hanley & MacGibbon 2006;
    Chamandy et al. 2012). Cells with :math:`c \ge 30` draw from its normal limit
    :math:`c + \sqrt{c}\,z` (clipped at 0; float32 normals, since the limit itself is far
    coarser than their rounding), smaller cells draw Poisson exactly (see
    :class:`PoissonInverse`). The cost is O(cells x rounds), independent of the number of
    votes.

    What does not depend on the round (which cells are big, the Poisson tables) is set up
    once here, so a bootstrap drawn in chunks pays for it once.

    Args:
        counts: (pairs, outcomes) observed counts.

    """

    def __init__(self, counts: FloatArray) -> None:
        n_pairs, n_outcomes = counts.shape
        self._shape = (n_outcomes, n_pairs)
        cells = np.ascontiguousarray(counts.T).ravel()  # outcome-major, like the output
        self._big = np.flatnonzero(cells >= _NORMAL_FROM)
        self._big_mean = cells[self._big].astype(np.float32)[:, None]
        self._big_sd = np.sqrt(self._big_mean)
        self._small = np.flatnonzero((cells > 0) & (cells < _NORMAL_FROM))
        self._poisson = PoissonInverse(cells[self._small])

    def draw(self, rounds: int, rng: np.random.Generator) -> tuple[FloatArray, ...]:
        """One (pairs, rounds) array of resampled counts per outcome column.

        Normals for the big cells are drawn first, then one uniform per small cell and
        round, so the result is fixed by the state of ``rng``.
        """
        n_outcomes, n_pairs = self._shape
        block = np.zeros((n_outcomes * n_pairs, rounds))
        if self._big.size:
            normal = rng.standard_normal((self._big.size, rounds), dtype=np.float32)
            normal *= self._big_sd
            normal += self._big_mean
            np.maximum(normal, 0.0, out=normal)
            block[self._big] = normal
        if self._small.size:
            block[self._small] = self._poisson.invert(rng.random((self._small.size, rounds)))
        return tuple(block.reshape(n_outcomes, n_pairs, rounds))


class PoissonInverse:
    r"""Exact Poisson draws for many means at once, by inverting their CDFs.

    A draw for mean ``m`` from a uniform ``u`` is :math:`\#\{k : F_m(k) \le u\}`. The CDFs
    of the distinct means are tabulated once, and a guide table (Chen & Asau 1974) holds
    that count at each ``u = j / S`` (``S`` a power of two, so ``floor(u S)`` is exact): a
    draw reads the guide at ``floor(u S)``, then steps over the few CDF values left below
    ``u``. A couple of gathers per draw, against a binary search or numpy's rejection
    sampler.

    Args:
        means: Poisson mean of each cell (any positive values; repeats share a table row).

    """

    def __init__(self, means: FloatArray) -> None:
        distinct, row = np.unique(means, return_inverse=True)
        top = float(distinct.max()) if distinct.size else 0.0
        width = int(np.ceil(top + _TAIL_SDS * np.sqrt(top))) + _TAIL_PAD
        self._slots = 1 << int(np.ceil(np.log2(2 * width)))
        cdf = pdtr(np.arange(width, dtype=np.float64)[None, :], distinct[:, None])
        cdf = np.maximum.accumulate(np.minimum(cdf, 1.0), axis=1)  # guard against rounding
        # step k of a row counts from the first slot j with j / S >= F(k) on
        first = np.searchsorted(np.arange(self._slots) / self._slots, cdf, side="left")
        rows = np.arange(distinct.size)[:, None]
        opened = np.bincount(
            (rows * (self._slots + 1) + first).ravel(), minlength=distinct.size * (self._slots + 1)
        ).reshape(distinct.size, self._slots + 1)
        guide = np.cumsum(opened[:, : self._slots], axis=1) + rows * (width + 1)
        self._guide = guide.ravel()
        self._guide_start = (row * self._slots)[:, None]
        # a sentinel above every uniform ends each row's steps
        self._cdf = np.hstack([cdf, np.full((distinct.size, 1), 2.0)]).ravel()
        self._row_start = (row * (width + 1))[:, None]

    def invert(self, uniform: FloatArray) -> FloatArray:
        """Poisson draws (cells, rounds) from uniforms in [0, 1) of the same shape."""
        slot = (uniform * self._slots).astype(np.intp)
        slot += self._guide_start
        position = self._guide[slot].ravel()
        flat = uniform.ravel()
        moving = np.flatnonzero(self._cdf[position] <= flat)
        while moving.size:
            position[moving] += 1
            moving = moving[self._cdf[position[moving]] <= flat[moving]]
        draws = position.reshape(uniform.shape) - self._row_start
        return np.asarray(draws, dtype=np.float64)


def resample_counts(
    counts: FloatArray, rounds: int, rng: np.random.Generator
) -> tuple[FloatArray, ...]:
    """Poisson-bootstrap the per-pair outcome counts for many rounds at once.

    See :class:`CountResampler`, which this sets up and draws from once.

    Args:
        counts: (pairs, outcomes) observed counts.
        rounds: Number of bootstrap rounds.
        rng: Random generator (seeded by the caller).

    Returns:
        One (pairs, rounds) array per outcome column.

    """
    return CountResampler(counts).draw(rounds, rng)


def percentile_interval(
    samples: NDArray[np.floating[Any]], level: float
) -> tuple[FloatArray, FloatArray]:
    """Equal-tailed percentile interval of each row of ``samples`` (items x rounds)."""
    tail = 100.0 * (1.0 - level) / 2.0
    low, high = np.percentile(samples, [tail, 100.0 - tail], axis=1)
    return np.asarray(low, dtype=np.float64), np.asarray(high, dtype=np.float64)
