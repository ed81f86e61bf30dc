import numpy as np
import pandas as pd

from assay.quality import BinaryRelevance, MajorityVote

from .synthetic import assignments


def test_per_label_inference_on_planted_data():
    rng = np.random.default_rng(0)
    n_tasks, n_workers, n_labels = 800, 15, 4
    truth = rng.random((n_tasks, n_labels)) < 0.3
    recall = rng.uniform(0.6, 0.95, n_workers)
    false_alarm = rng.uniform(0.02, 0.2, n_workers)
    tasks, workers = assignments(rng, n_tasks, n_workers, 4)
    p_on = np.where(truth[tasks], recall[workers, None], false_alarm[workers, None])
    chosen = rng.random(p_on.shape) < p_on
    model = BinaryRelevance().fit(tasks, workers, chosen)
    assert model.probas_.shape == (n_tasks, n_labels)
    assert (model.labels_ == truth).mean() > 0.92
    vote = BinaryRelevance(MajorityVote).fit(tasks, workers, chosen)
    assert (model.labels_ == truth).mean() >= (vote.labels_ == truth).mean()


def test_frame_front_with_lists_and_joined_text():
    frame = pd.DataFrame(
        {
            "task": ["t1", "t1", "t1", "t2", "t2", "t2"],
            "worker": ["a", "b", "c", "a", "b", "c"],
            "label": [["cat", "dog"], "cat|dog", "cat", [], "", "bird"],
        }
    )
    model = BinaryRelevance(MajorityVote).fit_frame(frame)
    assert list(model.label_ids_) == ["bird", "cat", "dog"]
    result = model.result_frame().set_index("task")["label"].to_dict()
    assert result == {"t1": "cat|dog", "t2": ""}
