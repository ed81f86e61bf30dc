import numpy as np
import pytest

from assay.quality import GoldSkill, QualityInputError


def test_a_new_worker_is_neither_trusted_nor_condemned_after_three_tasks():
    # a crowd at 70% on 1,000 gold answers, plus two newcomers with 3 answers each
    rng = np.random.default_rng(0)
    workers = np.concatenate([rng.integers(0, 50, 1000), [50, 50, 50, 51, 51, 51]])
    correct = np.concatenate([rng.random(1000) < 0.7, [1, 1, 1, 0, 0, 0]])
    model = GoldSkill().fit(workers, correct)
    perfect, hopeless = model.means_[50, 0], model.means_[51, 0]
    assert 0.7 < perfect < 0.85
    assert 0.45 < hopeless < 0.65
    assert model.lower_[50, 0] < 0.7 < model.upper_[50, 0]


def test_posterior_by_hand_with_a_fixed_prior():
    model = GoldSkill(prior_strength=4, prior_mean=0.5, level=0.9).fit([0, 0, 0, 0], [1, 1, 1, 0])
    # Beta(2 + 3, 2 + 1)
    assert model.alpha_[0, 0] == 5 and model.beta_[0, 0] == 3
    assert model.means_[0, 0] == pytest.approx(5 / 8)
    assert model.probability_above(0.5)[0, 0] == pytest.approx(0.7734375)


def test_skills_are_separate_and_partial_credit_counts():
    model = GoldSkill(prior_mean=0.5).fit([0, 0, 1], [1.0, 0.5, 0.0], skill_idx=[0, 1, 1])
    assert model.means_.shape == (2, 2)
    assert model.counts_.tolist() == [[1, 1], [0, 1]]
    assert model.means_[1, 0] == pytest.approx(0.5)  # no evidence: the prior


@pytest.mark.parametrize("correct", [[], [1.5]])
def test_bad_gold_input(correct):
    with pytest.raises(QualityInputError):
        GoldSkill().fit(np.zeros(len(correct), int), correct)
