import numpy as np

from assay.quality import ZeroBasedSkill
from assay.quality._encoding import check_codes
from assay.quality.classification.zbs import tie_shared_agreement


def test_tied_winners_share_the_credit():
    # task 0: a 1-1 tie between classes 0 and 1 (half credit each); task 1: class 1 wins
    codes = check_codes([0, 0, 1, 1], [0, 1, 0, 1], [0, 1, 1, 0], None, None, None)
    probas = np.array([[0.5, 0.5], [0.0, 1.0]])
    np.testing.assert_allclose(tie_shared_agreement(codes, probas), [0.75, 0.25])


def test_skills_do_not_depend_on_the_label_order():
    rng = np.random.default_rng(3)
    truth = rng.integers(0, 4, 300)
    tasks = np.repeat(np.arange(300), 2)  # two answers a task: many 1-1 ties
    workers = rng.integers(0, 12, tasks.size)
    right = rng.random(tasks.size) < 0.6
    labels = np.where(right, truth[tasks], rng.integers(0, 4, tasks.size))
    keep = np.unique(tasks * 12 + workers, return_index=True)[1]
    tasks, workers, labels = tasks[keep], workers[keep], labels[keep]
    first = ZeroBasedSkill().fit(tasks, workers, labels)
    flipped = ZeroBasedSkill().fit(tasks, workers, 3 - labels)
    np.testing.assert_allclose(first.skills_, flipped.skills_)
