"""Synthetic annotation data drawn from the models' own generative stories."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass
class Planted:
    task_idx: np.ndarray
    worker_idx: np.ndarray
    label_idx: np.ndarray
    truth: np.ndarray
    confusion: np.ndarray  # (workers, true, answer)
    n_tasks: int
    n_workers: int
    n_classes: int


def assignments(rng: np.random.Generator, n_tasks: int, n_workers: int, per_task: int):
    """Each task gets ``per_task`` distinct random workers."""
    keys = rng.random((n_tasks, n_workers))
    workers = np.argsort(keys, axis=1)[:, :per_task]
    tasks = np.repeat(np.arange(n_tasks), per_task)
    return tasks, workers.ravel()


def dawid_skene_data(
    seed: int = 0,
    n_tasks: int = 2000,
    n_workers: int = 30,
    n_classes: int = 3,
    per_task: int = 5,
    accuracy: tuple[float, float] = (0.55, 0.9),
    prior: np.ndarray | None = None,
) -> Planted:
    """Labels from per-worker confusion matrices (Dawid-Skene's generative model)."""
    rng = np.random.default_rng(seed)
    k = n_classes
    prior = np.full(k, 1.0 / k) if prior is None else prior
    truth = rng.choice(k, size=n_tasks, p=prior)
    confusion = np.empty((n_workers, k, k))
    for w in range(n_workers):
        for c in range(k):
            off = rng.dirichlet(np.ones(k - 1))
            acc = rng.uniform(*accuracy)
            row = np.insert(off * (1 - acc), c, acc)
            confusion[w, c] = row
    tasks, workers = assignments(rng, n_tasks, n_workers, per_task)
    cumulative = confusion[workers, truth[tasks]].cumsum(axis=1)
    labels = (rng.random(tasks.size)[:, None] > cumulative).sum(axis=1)
    return Planted(
        tasks, workers, np.minimum(labels, k - 1), truth, confusion, n_tasks, n_workers, k
    )


def one_coin_data(
    seed: int = 0,
    n_tasks: int = 2000,
    n_workers: int = 30,
    n_classes: int = 3,
    per_task: int = 5,
    skills: np.ndarray | None = None,
) -> tuple[Planted, np.ndarray]:
    """Labels from one accuracy per worker, errors uniform over the other classes."""
    rng = np.random.default_rng(seed)
    k = n_classes
    skills = rng.uniform(0.5, 0.95, n_workers) if skills is None else skills
    confusion = np.empty((n_workers, k, k))
    for w in range(n_workers):
        confusion[w] = (1 - skills[w]) / (k - 1)
        np.fill_diagonal(confusion[w], skills[w])
    truth = rng.integers(0, k, n_tasks)
    tasks, workers = assignments(rng, n_tasks, n_workers, per_task)
    right = rng.random(tasks.size) < skills[workers]
    shift = rng.integers(1, k, tasks.size)
    labels = np.where(right, truth[tasks], (truth[tasks] + shift) % k)
    return Planted(tasks, workers, labels, truth, confusion, n_tasks, n_workers, k), skills
