from __future__ import annotations

import numpy as np
import pytest

from assay.quality.signals import identical_sequences, shared_devices
from tests.quality.signals.crowd import label_crowd


def small_crowd(seed: int) -> dict[str, dict[int, int]]:
    """Twelve honest workers of mixed accuracy on 120 binary tasks, five answers per task."""
    rng = np.random.default_rng(seed)
    truth = rng.integers(0, 2, size=120)
    accuracy = rng.uniform(0.6, 0.95, size=12)
    answers: dict[str, dict[int, int]] = {f"w{i}": {} for i in range(12)}
    for task in range(120):
        for w in rng.choice(12, size=5, replace=False):
            right = rng.random() < accuracy[w]
            answers[f"w{w}"][task] = int(truth[task] if right else 1 - truth[task])
    return answers


def test_copier_is_flagged_with_evidence() -> None:
    answers = small_crowd(0)
    answers["copier"] = dict(answers["w3"])
    pairs = identical_sequences(answers)
    assert [(p.worker_a, p.worker_b) for p in pairs] == [("copier", "w3")]
    evidence = pairs[0].evidence
    assert evidence["agreements"] == evidence["shared_tasks"]
    assert evidence["copy_rate"] > 0.9
    assert evidence["shared_minority_answers"] > evidence["expected_shared_minority_answers"]
    assert pairs[0].score >= pairs[0].threshold


def test_honest_crowd_has_no_flagged_pairs() -> None:
    for seed in range(3):
        assert identical_sequences(small_crowd(seed)) == []


def test_unflagged_pairs_on_request() -> None:
    pairs = identical_sequences(small_crowd(1), include_unflagged=True)
    assert pairs and not any(p.flagged for p in pairs)
    assert all(p.evidence["pairs_tested"] == len(pairs) for p in pairs)


def test_colluders_found_in_noisy_crowd_without_false_pairs() -> None:
    """Hard tasks make honest workers err alike; spammers and heavy-tailed activity add noise."""
    crowd = label_crowd(seed=11)
    flagged = [(p.worker_a, p.worker_b) for p in identical_sequences(crowd.answers)]
    assert ("w_copy", "w_src") in flagged
    for a, b in flagged:
        honest = {"good", "sloppy"}
        assert not (crowd.kinds[a] in honest or crowd.kinds[b] in honest), (a, b)


def test_identical_sequences_edge_cases() -> None:
    with pytest.raises(ValueError, match="empty"):
        identical_sequences({})
    with pytest.raises(ValueError, match="empty"):
        identical_sequences({"a": {}})
    assert identical_sequences({"a": {1: "x"}}) == []
    same = {"a": dict.fromkeys(range(10), "x"), "b": dict.fromkeys(range(10), "x")}
    assert identical_sequences(same) == []  # everyone answers the same: nothing beyond chance


def test_shared_device_weights_by_how_widely_it_is_shared() -> None:
    prints = {
        "alice": {"dev-1", "10.0.0.1"},
        "bob": {"dev-1"},
        "carol": {"10.0.0.1"},
        "dave": {"10.0.0.1"},
        "erin": {"dev-9"},
    }
    pairs = {(p.worker_a, p.worker_b): p for p in shared_devices(prints)}
    assert pairs[("alice", "bob")].score == 1.0 and pairs[("alice", "bob")].flagged
    assert pairs[("alice", "carol")].score == 0.5  # an address three workers share
    assert pairs[("alice", "bob")].evidence["shared_fingerprints"] == ["dev-1"]
    assert not any("erin" in key for key in pairs)


def test_common_fingerprints_are_ignored() -> None:
    prints = {f"w{i}": {"office-nat"} for i in range(60)}
    assert shared_devices(prints) == []
    prints = {f"w{i}": {"office-nat"} for i in range(10)}
    assert not any(p.flagged for p in shared_devices(prints))


def test_shared_devices_rejects_bad_input() -> None:
    with pytest.raises(ValueError, match="empty"):
        shared_devices({})
    with pytest.raises(ValueError, match="collection"):
        shared_devices({"a": "dev-1"})
