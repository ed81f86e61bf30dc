"""Style confounding: how much of a covariate the pairing of items alone explains."""

from __future__ import annotations

import numpy as np
import pytest

from assay.quality.errors import QualityInputError
from assay.quality.pairwise.confounding import style_confounding


def _pairs(rng: np.random.Generator, n_votes: int, n_items: int) -> tuple[np.ndarray, np.ndarray]:
    left = rng.integers(0, n_items, n_votes)
    right = (left + rng.integers(1, n_items, n_votes)) % n_items
    return left, right


def test_style_fixed_per_model_is_fully_explained_and_varied_style_is_not() -> None:
    rng = np.random.default_rng(4)
    left, right = _pairs(rng, 2000, 4)
    length_of_model = np.array([100.0, 300.0, 150.0, 600.0])
    fixed = (length_of_model[left] - length_of_model[right])[:, None]
    varied = rng.normal(size=(2000, 1))
    shares = style_confounding(left, right, np.hstack([fixed, varied]), n_items=4)
    assert shares[0] == pytest.approx(1.0, abs=1e-9)
    assert shares[1] < 0.01


def test_half_explained_style_scores_about_a_half() -> None:
    rng = np.random.default_rng(5)
    left, right = _pairs(rng, 20_000, 5)
    per_model = rng.normal(size=5)
    signal = per_model[left] - per_model[right]
    noise = rng.normal(scale=signal.std(), size=signal.size)
    (share,) = style_confounding(left, right, (signal + noise)[:, None], n_items=5)
    assert share == pytest.approx(0.5, abs=0.03)


def test_a_constant_covariate_scores_zero_and_bad_shapes_are_refused() -> None:
    left, right = np.array([0, 1, 2]), np.array([1, 2, 0])
    assert style_confounding(left, right, np.zeros((3, 2)), n_items=3).tolist() == [0.0, 0.0]
    with pytest.raises(QualityInputError, match="n_votes"):
        style_confounding(left, right, np.zeros((2, 1)), n_items=3)
