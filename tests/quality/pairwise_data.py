"""Synthetic pairwise votes from Bradley-Terry / Davidson."""

from __future__ import annotations

import numpy as np


def bt_votes(seed=0, n_items=30, n_votes=20000, tie_rate=0.0, n_workers=20):
    rng = np.random.default_rng(seed)
    theta = rng.normal(0, 1, n_items)
    theta -= theta.mean()
    left = rng.integers(0, n_items, n_votes)
    right = rng.integers(0, n_items - 1, n_votes)
    right = right + (right >= left)
    half = (theta[left] - theta[right]) / 2
    z = np.exp(half) + np.exp(-half) + tie_rate
    u = rng.random(n_votes)
    p_left, p_right = np.exp(half) / z, np.exp(-half) / z
    outcome = np.where(u < p_left, 0, np.where(u < p_left + p_right, 1, 2))
    workers = rng.integers(0, n_workers, n_votes)
    return left, right, outcome, workers, theta
