"""Input checks shared by the signals: turn plain data into clean numpy vectors or fail clearly."""

from __future__ import annotations

from collections.abc import Sequence, Sized
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from assay.quality.errors import QualityInputError

FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]
IntArray = NDArray[np.intp]


def float_vector(
    values: ArrayLike,
    name: str,
    *,
    minimum: float | None = None,
    positive: bool = False,
    allow_empty: bool = False,
) -> FloatArray:
    """Return a finite 1-D float vector, or raise :class:`QualityInputError` saying why not.

    Args:
        values: Anything numpy can read as a 1-D array of numbers.
        name: The argument's name, for the message.
        minimum: Smallest allowed value, inclusive.
        positive: Require every value to be > 0.
        allow_empty: Accept a vector of length 0.

    """
    try:
        array = np.asarray(values, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise QualityInputError(f"{name} must be numbers", {"argument": name}) from exc
    if array.ndim != 1:
        raise QualityInputError(f"{name} must be one-dimensional", {"argument": name})
    if array.size == 0 and not allow_empty:
        raise QualityInputError(f"{name} is empty", {"argument": name})
    if not np.all(np.isfinite(array)):
        raise QualityInputError(f"{name} must be finite numbers", {"argument": name})
    if minimum is not None and np.any(array < minimum):
        raise QualityInputError(f"{name} must be >= {minimum}", {"argument": name})
    if positive and np.any(array <= 0):
        raise QualityInputError(f"{name} must be > 0", {"argument": name})
    return array


def bool_vector(values: ArrayLike, name: str, *, allow_empty: bool = False) -> BoolArray:
    """Return a 1-D boolean vector from booleans or 0/1 numbers."""
    array = float_vector(values, name, allow_empty=allow_empty)
    if np.any((array != 0) & (array != 1)):
        raise QualityInputError(f"{name} must be booleans or 0/1", {"argument": name})
    return array.astype(bool)


def same_length(name_a: str, a: Sized, name_b: str, b: Sized) -> None:
    """Fail unless two inputs have the same length."""
    if len(a) != len(b):
        raise QualityInputError(
            f"{name_a} and {name_b} must have the same length",
            {name_a: len(a), name_b: len(b)},
        )


def non_empty(values: Sequence[Any], name: str) -> None:
    """Fail on an empty sequence."""
    if len(values) == 0:
        raise QualityInputError(f"{name} is empty", {"argument": name})


def probability(value: float, name: str, *, open_interval: bool = True) -> float:
    """Check a probability is in (0, 1) (or [0, 1] when ``open_interval`` is False)."""
    number = float(value)
    ok = 0.0 < number < 1.0 if open_interval else 0.0 <= number <= 1.0
    if not ok:
        bounds = "(0, 1)" if open_interval else "[0, 1]"
        raise QualityInputError(f"{name} must be in {bounds}", {"argument": name, "value": number})
    return number
