import numpy as np
import pytest

from assay.quality import QualityInputError, StyleControlledBradleyTerry, style_covariates
from assay.quality.pairwise import STYLE_FEATURES, style_counts

from .pairwise_data import bt_votes


def test_style_counts_by_hand():
    text = "# Title\n\n- one\n- two\n1. three\n**bold** and __also__ 🎉🚀"
    counts = dict(zip(STYLE_FEATURES, style_counts([text])[0], strict=True))
    assert counts == {"length": len(text), "headers": 1, "list_items": 3, "bold": 2, "emoji": 2}


def test_covariates_are_normalised_differences():
    x = style_covariates(["aaaa", "a", "aa"], ["a", "aaaa", "aa"])
    assert x.shape == (3, 5)
    assert x[0, 0] > 0 > x[1, 0] and x[2, 0] == 0
    with pytest.raises(QualityInputError):
        style_covariates(["a"], [])


def test_recovers_a_planted_length_bias():
    left, right, outcome, _, theta = bt_votes(seed=0, n_items=20, n_votes=15000)
    rng = np.random.default_rng(1)
    x = rng.normal(size=(left.size, 2))
    p = 1 / (1 + np.exp(-(theta[left] - theta[right] + 0.8 * x[:, 0])))
    outcome = np.where(rng.random(left.size) < p, 0, 1)
    model = StyleControlledBradleyTerry().fit(left, right, outcome, x)
    np.testing.assert_allclose(model.coefficients_, [0.8, 0.0], atol=0.08)
    assert np.corrcoef(model.scores_, theta)[0, 1] > 0.98
    model.bootstrap(10)
    assert model.coef_ci_low_[0] < 0.8 < model.coef_ci_high_[0] + 0.05
