import numpy as np

from assay.quality import BradleyTerry, NoisyBradleyTerry

from .pairwise_data import bt_votes


def test_spammers_get_low_reliability_and_scores_improve():
    left, right, outcome, workers, theta = bt_votes(seed=0, n_items=30, n_votes=20000, n_workers=40)
    rng = np.random.default_rng(1)
    spammer = workers < 12
    outcome = outcome.copy()
    outcome[spammer] = np.where(rng.random(spammer.sum()) < 0.85, 0, 1)  # always "left"
    noisy = NoisyBradleyTerry().fit(left, right, outcome, workers)
    plain = BradleyTerry().fit(left, right, outcome, workers)
    assert noisy.reliability_[:12].max() < noisy.reliability_[12:].min()
    assert noisy.left_bias_[:12].min() > 0.7
    assert np.corrcoef(noisy.scores_, theta)[0, 1] > np.corrcoef(plain.scores_, theta)[0, 1]


def test_bootstrap_holds_reliabilities_fixed():
    left, right, outcome, workers, _ = bt_votes(seed=2, n_items=10, n_votes=3000)
    model = NoisyBradleyTerry().fit(left, right, outcome, workers).bootstrap(50)
    assert (model.ci_low_ <= model.ci_high_).all()
