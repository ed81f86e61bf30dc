"""Low-effort detectors per worker: too fast to read, straight-lining, always the longer one."""

from __future__ import annotations

from collections import Counter
from collections.abc import Hashable, Mapping, Sequence
from itertools import groupby
from typing import TypeVar

import numpy as np
from numpy.typing import ArrayLike

from assay.quality.errors import QualityInputError
from assay.quality.signals._checks import (
    FloatArray,
    bool_vector,
    float_vector,
    non_empty,
    probability,
    same_length,
)
from assay.quality.signals._stats import binomial_upper_p, entropy_bits, share_exceeds
from assay.quality.signals.signal import Signal, make_signal, surprise_score

Choice = TypeVar("Choice", bound=Hashable)
_SMOOTHING = 0.02  # share of the crowd distribution spread uniformly, so no choice is impossible


def too_fast(
    active_seconds: ArrayLike,
    expected_seconds: ArrayLike | None = None,
    *,
    words_to_read: ArrayLike | None = None,
    reading_wpm: float = 250.0,
    fast_fraction: float = 0.25,
    tolerated_share: float = 0.3,
    threshold: float = 0.9,
    min_responses: int = 3,
) -> Signal:
    """Flag a worker who answers faster than the work allows (a two-second vote on 500 words).

    Each response's expected time is ``expected_seconds`` or the time to read ``words_to_read``
    at ``reading_wpm`` (the larger when both are given). A response is *too fast* when its active
    time is under ``fast_fraction`` of that (default: four times faster, i.e. reading at
    1,000 words a minute). Everyone rushes now and then, so the score is the posterior
    probability (Beta(1, 3) prior) that the worker's share of too-fast responses exceeds
    ``tolerated_share``: three too-fast responses out of three score 0.96, two of two 0.84.

    Args:
        active_seconds: Active (focused) seconds per response.
        expected_seconds: The task's expected seconds per response.
        words_to_read: Words the worker had to read per response.
        reading_wpm: Reading speed that sets the expected time from ``words_to_read``.
        fast_fraction: A response faster than this share of the expected time is too fast.
        tolerated_share: Share of too-fast responses that is still normal.
        threshold: Flag at this score (default 0.9).
        min_responses: Never flag on fewer responses.

    Returns:
        A ``too_fast`` :class:`Signal` with the medians behind it.

    Raises:
        QualityInputError: Empty, negative or misaligned input, or no expected time at all.

    """
    active = float_vector(active_seconds, "active_seconds", minimum=0.0)
    expected = _expected_seconds(active.size, expected_seconds, words_to_read, reading_wpm)
    probability(fast_fraction, "fast_fraction")
    ratio = active / expected
    fast = int(np.count_nonzero(ratio < fast_fraction))
    score = share_exceeds(fast, active.size, tolerated_share)
    facts: dict[str, object] = {
        "responses": active.size,
        "too_fast_responses": fast,
        "median_active_seconds": np.median(active),
        "expected_seconds": np.median(expected),
        "median_speed_ratio": np.median(ratio),
        "fast_fraction": fast_fraction,
    }
    if words_to_read is not None:
        words = float_vector(words_to_read, "words_to_read")
        facts["implied_reading_wpm"] = np.median(words * 60.0 / np.maximum(active, 0.5))
    flagged = score >= threshold and active.size >= min_responses
    return make_signal("too_fast", score, flagged, threshold, **facts)


def _expected_seconds(
    size: int,
    expected_seconds: ArrayLike | None,
    words_to_read: ArrayLike | None,
    reading_wpm: float,
) -> FloatArray:
    """Return the expected seconds per response, from the task estimate and the reading time."""
    if expected_seconds is None and words_to_read is None:
        raise QualityInputError("give expected_seconds or words_to_read")
    expected = np.zeros(size)
    if expected_seconds is not None:
        given = float_vector(expected_seconds, "expected_seconds", minimum=0.0)
        same_length("active_seconds", expected, "expected_seconds", given)
        expected = np.maximum(expected, given)
    if words_to_read is not None:
        if reading_wpm <= 0:
            raise QualityInputError("reading_wpm must be > 0", {"reading_wpm": reading_wpm})
        words = float_vector(words_to_read, "words_to_read", minimum=0.0)
        same_length("active_seconds", expected, "words_to_read", words)
        expected = np.maximum(expected, words * 60.0 / reading_wpm)
    if np.any(expected <= 0):
        raise QualityInputError("every response needs an expected time > 0")
    return expected


def straight_lining(
    choices: Sequence[Choice],
    positions: Sequence[int] | None = None,
    *,
    crowd_choices: Mapping[Choice, float] | None = None,
    crowd_positions: Mapping[int, float] | None = None,
    alpha: float = 1e-3,
    max_entropy_ratio: float = 0.5,
    min_responses: int = 8,
) -> Signal:
    """Flag a worker who gives the same choice (or clicks the same position) over and over.

    Two tests per sequence, each against the crowd's distribution (pass ``crowd_choices`` as
    shares or counts; without it the choices seen are taken as equally likely, which is only
    right for balanced label sets; positions default to uniform, as presentation order is
    randomised):

    * dominance: the smallest binomial tail ``P(choice c picked >= k_c times)`` under the
      crowd's share of ``c``, times the number of choices (Bonferroni), counted only when the
      worker's choice entropy is at most
      ``max_entropy_ratio`` of the crowd's; a skewed crowd (90% "no") keeps honest workers safe;
    * run length: ``P(a run at least as long as the longest one)`` (a union bound over
      start positions and choices), which catches stretches of autopilot in a long history.

    The p-value is the smallest of these times the number of tests (Bonferroni); the score is
    :func:`surprise_score` of it (0.5 at ``alpha`` = 0.001, 1 at 1e-6).

    Args:
        choices: The worker's answers in submission order.
        positions: The screen position of each chosen option (0 = first), if known.
        crowd_choices: The crowd's share (or count) of each choice on the same tasks.
        crowd_positions: The crowd's share of each position; uniform when None.
        alpha: Flag at p-values at or below this.
        max_entropy_ratio: The dominance test needs entropy at most this share of the crowd's.
        min_responses: Never flag on fewer responses.

    Returns:
        A ``straight_lining`` :class:`Signal`.

    """
    non_empty(choices, "choices")
    probability(alpha, "alpha")
    crowd: dict[Hashable, float] | None = None
    if crowd_choices is not None:
        crowd = {key: float(share) for key, share in crowd_choices.items()}
    p_values, facts = _sequence_test(list(choices), crowd, max_entropy_ratio, "choice")
    if positions is not None:
        same_length("choices", choices, "positions", positions)
        shares: dict[Hashable, float] = (
            _uniform_positions(positions)
            if crowd_positions is None
            else {key: share for key, share in crowd_positions.items()}
        )
        more, position_facts = _sequence_test(
            list(positions), shares, max_entropy_ratio, "position"
        )
        p_values += more
        facts.update(position_facts)
    p_value = min(1.0, len(p_values) * min(p_values))
    flagged = p_value <= alpha and len(choices) >= min_responses
    return make_signal(
        "straight_lining",
        surprise_score(p_value),
        flagged,
        surprise_score(alpha),
        responses=len(choices),
        p_value=p_value,
        **facts,
    )


def _uniform_positions(positions: Sequence[int]) -> dict[Hashable, float]:
    """Return equal shares over positions 0..max (at least two positions)."""
    top = max(int(position) for position in positions)
    return dict.fromkeys(range(max(top + 1, 2)), 1.0)


def _sequence_test(
    values: list[Hashable],
    crowd: Mapping[Hashable, float] | None,
    max_entropy_ratio: float,
    name: str,
) -> tuple[list[float], dict[str, object]]:
    """Return the dominance and run-length p-values of one sequence, and the facts behind them."""
    counts = Counter(values)
    shares = _crowd_shares(counts, crowd)
    n = len(values)
    dominant, top = counts.most_common(1)[0]
    longest = max(len(list(run)) for _, run in groupby(values))
    worker = np.array([counts.get(key, 0) / n for key in shares])
    crowd_entropy = entropy_bits(np.array(list(shares.values())))
    entropy = entropy_bits(worker)
    ratio = entropy / crowd_entropy if crowd_entropy > 0 else 1.0
    tails = [binomial_upper_p(counts.get(key, 0), n, p) for key, p in shares.items()]
    p_dominance = min(1.0, len(shares) * min(tails))
    p_run = min(1.0, sum(p**longest * (1 + (n - longest) * (1 - p)) for p in shares.values()))
    facts: dict[str, object] = {
        f"dominant_{name}": str(dominant),
        f"dominant_{name}_share": top / n,
        f"crowd_share_of_dominant_{name}": shares[dominant],
        f"longest_{name}_run": longest,
        f"{name}_entropy_bits": entropy,
        f"crowd_{name}_entropy_bits": crowd_entropy,
    }
    return [p_dominance if ratio <= max_entropy_ratio else 1.0, p_run], facts


def _crowd_shares(
    counts: Mapping[Hashable, int], crowd: Mapping[Hashable, float] | None
) -> dict[Hashable, float]:
    """Return the crowd's shares of every value seen, smoothed so none has probability 0."""
    if crowd is None:
        keys = list(counts) if len(counts) > 1 else [*counts, "(any other)"]
        raw: dict[Hashable, float] = dict.fromkeys(keys, 1.0)
    else:
        raw = {key: float(value) for key, value in crowd.items()}
        if any(value < 0 for value in raw.values()) or sum(raw.values()) <= 0:
            raise QualityInputError("crowd shares must be >= 0 and not all 0")
    for key in counts:
        raw.setdefault(key, 0.0)
    total = sum(raw.values())
    k = len(raw)
    return {key: (1 - _SMOOTHING) * value / total + _SMOOTHING / k for key, value in raw.items()}


def length_bias(
    chose_longer: ArrayLike,
    crowd_rate: float,
    *,
    margin: float = 0.15,
    alpha: float = 1e-3,
    min_responses: int = 10,
) -> Signal:
    """Flag a worker who picks the longer response far more often than the crowd does.

    Length is a known shortcut in preference work. The test is one-sided binomial against
    the null "this worker's rate is at most the crowd's rate plus ``margin``", so it needs both
    a real effect (a worker at the crowd's rate is never flagged however many votes they cast)
    and enough votes: with the crowd at 0.6, 25 of 25 longer choices gives p = 7.5e-4.

    Args:
        chose_longer: Per pairwise vote (where the lengths differ): chose the longer one.
        crowd_rate: Share of the crowd's votes that chose the longer response.
        margin: How far above the crowd's rate a worker may be before it counts as bias.
        alpha: Flag at p-values at or below this.
        min_responses: Never flag on fewer votes.

    Returns:
        A ``length_bias`` :class:`Signal` scored with :func:`surprise_score`.

    """
    longer = bool_vector(chose_longer, "chose_longer")
    probability(crowd_rate, "crowd_rate", open_interval=False)
    null_rate = min(crowd_rate + margin, 0.99)
    hits = int(longer.sum())
    p_value = binomial_upper_p(hits, longer.size, null_rate)
    flagged = p_value <= alpha and longer.size >= min_responses
    return make_signal(
        "length_bias",
        surprise_score(p_value),
        flagged,
        surprise_score(alpha),
        responses=longer.size,
        chose_longer=hits,
        longer_share=hits / longer.size,
        crowd_longer_share=crowd_rate,
        p_value=p_value,
    )
