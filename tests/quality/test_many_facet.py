import numpy as np

from assay.quality import ManyFacetModel


def test_recovers_planted_facets():
    rng = np.random.default_rng(0)
    n_w, n_t, n_v, n = 40, 60, 8, 4000
    skill, difficulty, severity = (
        rng.normal(0, 1, n_w),
        rng.normal(0, 1, n_t),
        rng.normal(0, 0.7, n_v),
    )
    w, t, v = rng.integers(0, n_w, n), rng.integers(0, n_t, n), rng.integers(0, n_v, n)
    scores = 5 + skill[w] - difficulty[t] - severity[v] + rng.normal(0, 0.3, n)
    model = ManyFacetModel().fit(w, t, v, scores)
    assert np.abs(model.skills_ - (skill - skill.mean())).max() < 0.15
    assert np.abs(model.severities_ - (severity - severity.mean())).max() < 0.05
    assert abs(model.noise_sd_ - 0.3) < 0.03


def test_one_harsh_reviewer_does_not_sink_a_good_writer():
    # Writer 0 is good but every piece of theirs went to reviewer 0, who is 2 points harsh;
    # writer 1 is average and was reviewed by the fair reviewers 1-3.
    rng = np.random.default_rng(1)
    rows = []
    for task in range(30):
        rows.append((0, task, 0, 7.0 - 2.0))  # good writer (7) through the harsh reviewer
        for reviewer in (1, 2, 3):
            rows.append((1, task, reviewer, 6.0))  # average writer (6), fair reviewers
        rows.append((2, task, 0, 6.0 - 2.0))  # another average writer through the harsh one
        rows.append((2, task, 1, 6.0))
    w, t, v, y = (np.array(c) for c in zip(*rows, strict=True))
    y = y + rng.normal(0, 0.1, y.size)
    model = ManyFacetModel().fit(w, t, v, y)
    assert model.fair_scores_[0] > model.fair_scores_[1] + 0.6
    assert model.fair_scores_.argmax() == 0
    assert model.severities_[0] > model.severities_[1:].max() + 1.5
    assert y[w == 0].mean() < y[w == 1].mean()  # the raw mean would rank them the other way
