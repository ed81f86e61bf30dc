"""Each coefficient against a published or hand-computed example."""

import numpy as np
import pytest

from assay.quality import (
    QualityInputError,
    cohen_kappa,
    fleiss_kappa,
    krippendorff_alpha,
    percent_agreement,
)
from assay.quality.agreement import category_counts, coincidence_matrix

# Krippendorff (2011), "Computing Krippendorff's Alpha-Reliability", section C: 4 observers,
# 12 units, missing values (None). Published: nominal 0.743, ordinal 0.815, interval 0.849.
RELIABILITY = [
    [1, 2, 3, 3, 2, 1, 4, 1, 2, None, None, None],
    [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, None, 3],
    [None, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, None],
    [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, None],
]


def _long_form():
    units, values = [], []
    for row in RELIABILITY:
        for unit, value in enumerate(row):
            if value is not None:
                units.append(unit)
                values.append(value)
    return np.array(units), np.array(values)


@pytest.mark.parametrize(
    "level, published", [("nominal", 0.743), ("ordinal", 0.815), ("interval", 0.849)]
)
def test_krippendorff_alpha_published_example(level, published):
    units, values = _long_form()
    assert krippendorff_alpha(units, values, level) == pytest.approx(published, abs=5e-4)


def test_krippendorff_nominal_works_on_strings_and_hand_computed_coincidences():
    # two coders, three units: (a, a), (a, b), (b, b) -> o_aa = 2, o_ab = o_ba = 1, o_bb = 2
    units = [0, 0, 1, 1, 2, 2]
    values = ["a", "a", "a", "b", "b", "b"]
    o = coincidence_matrix(units, [0, 0, 0, 1, 1, 1], 2)
    np.testing.assert_allclose(o, [[2, 1], [1, 2]])
    # D_o = 2/6, D_e = 2*3*3/(6*5) = 0.6 -> alpha = 1 - (1/3)/0.6 = 4/9
    assert krippendorff_alpha(units, values) == pytest.approx(4 / 9)


def test_krippendorff_errors():
    with pytest.raises(QualityInputError, match="level"):
        krippendorff_alpha([0, 0], [1, 1], "ratio-ish")
    with pytest.raises(QualityInputError, match="undefined"):
        krippendorff_alpha([0, 1], [1, 2])
    with pytest.raises(QualityInputError, match="empty"):
        krippendorff_alpha([], [])


def test_fleiss_kappa_published_example():
    # Fleiss (1971) as reproduced on Wikipedia: 10 subjects, 14 raters, 5 categories -> 0.210
    table = [
        [0, 0, 0, 0, 14],
        [0, 2, 6, 4, 2],
        [0, 0, 3, 5, 6],
        [0, 3, 9, 2, 0],
        [2, 2, 8, 1, 1],
        [7, 7, 0, 0, 0],
        [3, 2, 6, 3, 0],
        [2, 5, 3, 2, 2],
        [6, 5, 2, 1, 0],
        [0, 2, 2, 3, 7],
    ]
    assert fleiss_kappa(table) == pytest.approx(0.210, abs=5e-4)


def test_fleiss_kappa_from_labels_and_edge_cases():
    table = category_counts([0, 0, 1, 1], [0, 0, 1, 1])
    assert fleiss_kappa(table) == pytest.approx(1.0)
    assert np.isnan(fleiss_kappa([[3, 0], [3, 0]]))  # one category: undefined
    with pytest.raises(QualityInputError):
        fleiss_kappa([[1, 0]])


def test_cohen_kappa_textbook_example():
    # 50 items: yes/yes 20, yes/no 5, no/yes 10, no/no 15 -> p_o = 0.7, p_e = 0.5, kappa = 0.4
    first = ["yes"] * 25 + ["no"] * 25
    second = ["yes"] * 20 + ["no"] * 5 + ["yes"] * 10 + ["no"] * 15
    assert cohen_kappa(first, second) == pytest.approx(0.4)


def test_weighted_cohen_kappa_by_hand():
    # ratings 1..3; one disagreement of 1 step and one of 2 steps in 4 items
    first, second = [1, 2, 3, 3], [1, 3, 3, 1]
    # linear: observed mean |i-j| = (0+1+0+2)/4 = 0.75; expected with marginals
    a, b = np.array(first), np.array(second)
    expected = np.mean(np.abs(a[:, None] - b[None, :]))
    assert cohen_kappa(first, second, "linear") == pytest.approx(1 - 0.75 / expected)
    assert cohen_kappa(first, first, "quadratic") == pytest.approx(1.0)


def test_percent_agreement_by_hand():
    # unit 0: a,a,b -> 2 of 6 ordered pairs agree; unit 1: c,c -> 2 of 2; unit 2: one rating
    units = [0, 0, 0, 1, 1, 2]
    labels = [0, 0, 1, 2, 2, 0]
    assert percent_agreement(units, labels) == pytest.approx((1 / 3 + 1) / 2)
    assert percent_agreement(units, labels, by="pair") == pytest.approx(4 / 8)
