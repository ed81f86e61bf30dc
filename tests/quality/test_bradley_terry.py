import numpy as np
import pandas as pd
import pytest

from assay.quality import BradleyTerry, QualityInputError

from .pairwise_data import bt_votes


def test_two_items_by_hand():
    # A beats B three times out of four: theta_A - theta_B = log 3 (prior made negligible)
    model = BradleyTerry(prior=1e-8).fit([0, 0, 0, 0], [1, 1, 1, 1], [0, 0, 0, 1])
    assert model.scores_[0] - model.scores_[1] == pytest.approx(np.log(3), abs=1e-6)
    assert model.scores_.sum() == pytest.approx(0, abs=1e-12)


def test_a_cycle_gives_equal_scores():
    model = BradleyTerry().fit([0, 1, 2], [1, 2, 0], [0, 0, 0])
    np.testing.assert_allclose(model.scores_, 0, atol=1e-9)


def test_ties_count_half_or_are_ignored():
    half = BradleyTerry(prior=1e-8).fit([0, 0, 0], [1, 1, 1], [0, 2, 2])
    # 1 win + 2 half wins = 2 of 3 -> log 2
    assert half.scores_[0] - half.scores_[1] == pytest.approx(np.log(2), abs=1e-6)
    ignore = BradleyTerry(ties="ignore", prior=1.0).fit([0, 0, 0], [1, 1, 1], [0, 2, 2])
    assert ignore.scores_[0] > 0


def test_unbeaten_item_stays_finite():
    model = BradleyTerry().fit([0, 0, 1], [1, 2, 2], [0, 0, 0])
    assert np.isfinite(model.scores_).all()
    assert model.scores_.argmax() == 0


def test_recovers_planted_scores_with_calibrated_intervals():
    left, right, outcome, workers, theta = bt_votes(seed=0, n_items=40, n_votes=40000)
    model = BradleyTerry().fit(left, right, outcome, workers)
    assert np.corrcoef(model.scores_, theta)[0, 1] > 0.99
    assert np.abs(model.scores_ - theta).max() < 0.15
    covered = (model.ci_low_ <= theta) & (theta <= model.ci_high_)
    assert covered.mean() >= 0.85


def test_bootstrap_intervals_match_the_normal_ones_and_are_seeded():
    left, right, outcome, workers, _ = bt_votes(seed=1, n_items=20, n_votes=20000)
    model = BradleyTerry(seed=3).fit(left, right, outcome, workers)
    normal = model.ci_high_ - model.ci_low_
    model.bootstrap(400)
    boot = model.ci_high_ - model.ci_low_
    np.testing.assert_allclose(boot, normal, rtol=0.25)
    again = BradleyTerry(seed=3).fit(left, right, outcome, workers).bootstrap(400)
    np.testing.assert_allclose(again.ci_low_, model.ci_low_)


def test_frame_front_and_result_table():
    frame = pd.DataFrame(
        {
            "worker": ["w1", "w1", "w2", "w2", "w3"],
            "left": ["模型-甲", "b", "模型-甲", "c", "b"],
            "right": ["b", "c", "c", "b", "模型-甲"],
            "label": ["模型-甲", "b", "", "b", "模型-甲"],
        }
    )
    model = BradleyTerry().fit_frame(frame)
    table = model.result_frame()
    assert list(table.columns) == ["item", "score", "ci_low", "ci_high"]
    assert table["item"].iloc[0] == "模型-甲"
    assert (table["ci_low"] <= table["score"]).all() and (table["score"] <= table["ci_high"]).all()
    assert model.fit_predict(frame).index.tolist() == ["模型-甲", "b", "c"]


def test_frame_ids_are_compared_as_text():
    frame = pd.DataFrame(
        {
            "worker": [7, "7", 8, 7.5],
            "left": [1, "2", 3, "1"],
            "right": ["2", 3, 1, 3],
            "label": [" 1 ", 3, "", 1],
        },
        dtype=object,
    )
    model = BradleyTerry().fit_frame(frame)
    assert model.item_ids_.tolist() == ["1", "2", "3"]  # first appearance, left then right
    assert model.worker_ids_.tolist() == ["7", "8", "7.5"]
    assert model.fit_predict(frame)["1"] == model.scores_.max()


@pytest.mark.parametrize(
    "frame, message",
    [
        (pd.DataFrame({"worker": [], "left": [], "right": [], "label": []}), "empty"),
        (
            pd.DataFrame({"worker": ["w"], "left": ["a"], "right": ["b"], "label": ["z"]}),
            "left item",
        ),
        (pd.DataFrame({"worker": ["w"], "left": ["a"], "right": ["a"], "label": ["a"]}), "itself"),
        (
            pd.DataFrame(
                {"worker": ["w", "w"], "left": ["a", None], "right": ["b", "a"], "label": "a"}
            ),
            "name an item",
        ),
        (pd.DataFrame({"worker": ["w"], "left": ["a"], "label": ["a"]}), "missing column"),
    ],
)
def test_bad_votes(frame, message):
    with pytest.raises(QualityInputError, match=message):
        BradleyTerry().fit_frame(frame)


def test_bootstrap_needs_a_fit_and_rounds():
    with pytest.raises(QualityInputError):
        BradleyTerry().bootstrap(10)
    model = BradleyTerry().fit([0], [1], [0])
    with pytest.raises(QualityInputError):
        model.bootstrap(1)
