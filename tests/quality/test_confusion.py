import numpy as np
import pytest
from scipy.special import logsumexp

from assay.quality import DawidSkene
from assay.quality._encoding import check_codes
from assay.quality.classification._confusion import (
    ConfusionDesign,
    add_to_each_row,
    column_totals,
    row_pointers,
)

from .synthetic import dawid_skene_data


@pytest.mark.parametrize("n_rows", [1, 7, 300])
def test_row_pointers_match_a_binary_search(n_rows):
    rng = np.random.default_rng(n_rows)
    rows = np.sort(rng.integers(0, n_rows, 5 * n_rows)).astype(np.int32)
    rows = rows[(rows != 0) & (rows != n_rows - 1)] if n_rows > 2 else rows  # empty ends
    expected = np.searchsorted(rows, np.arange(n_rows + 1))
    np.testing.assert_array_equal(row_pointers(rows, n_rows), expected)
    np.testing.assert_array_equal(row_pointers(rows[:0], n_rows), np.zeros(n_rows + 1))


@pytest.mark.parametrize("n_rows", [3, 256, 1000])
def test_block_helpers_agree_with_plain_numpy(n_rows):
    matrix = np.random.default_rng(0).normal(size=(n_rows, 3))
    np.testing.assert_allclose(column_totals(matrix), matrix.sum(axis=0))
    shifted = matrix.copy()
    add_to_each_row(shifted, np.array([1.0, -2.0, 0.5]))
    np.testing.assert_allclose(shifted, matrix + np.array([1.0, -2.0, 0.5]))


@pytest.mark.parametrize(("n", "tiny"), [(50, 1e-40), (300, 1e-290)])
def test_posteriors_stay_exact_when_every_class_underflows(n, tiny):
    # n sure workers split half and half between classes 0 and 1 on one task: shifted by each
    # answer's best class, every class sits near exp(-2.3 n) or lower. At 300 that is below
    # what even double precision keeps; at 50 below what the single-precision exp keeps.
    codes = check_codes(np.zeros(n, int), np.arange(n), np.arange(n) % 2, 1, n, 3)
    confusion = np.full((3, 3), 0.01) + np.eye(3) * 0.97
    log_confusion = np.log(np.broadcast_to(confusion, (n, 3, 3)))
    log_prior = np.log(np.full(3, 1 / 3))
    probas, evidence = ConfusionDesign(codes).posterior(log_confusion, log_prior)
    joint = log_prior + log_confusion[codes.worker_idx, :, codes.label_idx].sum(axis=0)
    np.testing.assert_allclose(evidence, logsumexp(joint), rtol=1e-12)
    expected = np.exp(joint - logsumexp(joint))
    np.testing.assert_allclose(probas[0], expected, rtol=1e-9, atol=0)
    assert probas[0, 0] == probas[0, 1] and 0 < probas[0, 2] < tiny


def test_row_order_does_not_change_the_fit():
    data = dawid_skene_data(seed=4, n_tasks=800, n_workers=12, per_task=4)
    order = np.random.default_rng(0).permutation(data.task_idx.size)
    grouped = DawidSkene().fit(data.task_idx, data.worker_idx, data.label_idx)
    shuffled = DawidSkene().fit(data.task_idx[order], data.worker_idx[order], data.label_idx[order])
    np.testing.assert_allclose(shuffled.probas_, grouped.probas_, atol=1e-12)
    assert grouped.n_iter_ == shuffled.n_iter_
