import numpy as np
import pandas as pd

from assay.quality import MajorityVote, Wawa, ZeroBasedSkill


def test_hand_worked_vote_shares():
    model = MajorityVote().fit([0, 0, 0, 1, 1], [0, 1, 2, 0, 1], [0, 0, 1, 1, 1])
    np.testing.assert_allclose(model.probas_, [[2 / 3, 1 / 3], [0, 1]])
    assert model.labels_.tolist() == [0, 1]
    np.testing.assert_allclose(model.confidence_, [2 / 3, 1])


def test_worker_weights_can_overturn_the_count():
    # worker 2 weighs 3, the other two 1 each: 3 > 2
    model = MajorityVote(skills=[1.0, 1.0, 3.0]).fit([0, 0, 0], [0, 1, 2], [0, 0, 1])
    np.testing.assert_allclose(model.probas_, [[0.4, 0.6]])
    assert model.labels_.tolist() == [1]


def test_exact_tie_goes_to_the_class_used_least():
    # class 0 is used 4 times overall, class 1 twice; task 0 is a 1-1 tie
    tasks = [0, 0, 1, 1, 1]
    labels = [0, 1, 0, 0, 1]
    model = MajorityVote().fit(tasks, [0, 1, 0, 1, 2], labels)
    assert model.labels_[0] == 1


def test_crowd_kit_style_frame_call():
    frame = pd.DataFrame({"task": ["a", "a", "b"], "worker": ["x", "y", "x"], "label": [1, 1, 0]})
    result = MajorityVote().fit_predict(frame)
    assert result.to_dict() == {"a": 1, "b": 0}
    assert result.index.name == "task"


def test_wawa_weights_workers_by_agreement_with_the_majority():
    # tasks 0-2: workers 0 and 1 agree, worker 2 dissents; task 3: worker 0 vs worker 2
    tasks = [0, 0, 0, 1, 1, 1, 2, 2, 2, 3, 3]
    workers = [0, 1, 2, 0, 1, 2, 0, 1, 2, 0, 2]
    labels = [0, 0, 1, 1, 1, 0, 0, 0, 1, 0, 1]
    model = Wawa().fit(tasks, workers, labels)
    # skills: w0 agrees on 4/4 (task 3 is a tie broken toward w2's rarer... either way),
    # w1 3/3, w2 dissents on tasks 0-2
    assert model.skills_[1] == 1.0
    assert model.skills_[2] < 0.5
    assert model.labels_[3] == 0  # the reliable worker wins the 1-1 tie


def test_zbs_skills_order_matches_planted_accuracy():
    rng = np.random.default_rng(0)
    truth = rng.integers(0, 2, 400)
    accuracy = np.array([0.95, 0.8, 0.65, 0.55])
    tasks = np.repeat(np.arange(400), 4)
    workers = np.tile(np.arange(4), 400)
    right = rng.random(tasks.size) < accuracy[workers]
    labels = np.where(right, truth[tasks], 1 - truth[tasks])
    model = ZeroBasedSkill().fit(tasks, workers, labels)
    assert np.argsort(-model.skills_).tolist() == [0, 1, 2, 3]
    assert (model.labels_ == truth).mean() > 0.85
