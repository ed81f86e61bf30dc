from __future__ import annotations

import pytest

from assay.envs import (
    ReferenceAgent,
    get_task,
    pass_at_k,
    pass_hat_k,
    robustness_ratio,
    run_task,
    summarise,
)
from assay.envs.episode import EpisodeResult


@pytest.mark.parametrize(
    ("n", "c", "k", "at", "hat"),
    [
        (1, 1, 1, 1.0, 1.0),
        (1, 0, 1, 0.0, 0.0),
        (4, 2, 1, 0.5, 0.5),
        (4, 2, 2, 1 - 1 / 6, 1 / 6),
        (4, 3, 4, 1.0, 0.0),
        (5, 5, 3, 1.0, 1.0),
        (10, 0, 5, 0.0, 0.0),
    ],
)
def test_pass_at_k_and_pass_hat_k_known_values(
    n: int, c: int, k: int, at: float, hat: float
) -> None:
    assert pass_at_k(n, c, k) == pytest.approx(at)
    assert pass_hat_k(n, c, k) == pytest.approx(hat)


def test_k_must_fit_the_runs() -> None:
    with pytest.raises(ValueError):
        pass_at_k(2, 1, 3)
    with pytest.raises(ValueError):
        pass_hat_k(2, 1, 0)


def _result(task_id: str, score: float, success: bool) -> EpisodeResult:
    base = run_task(ReferenceAgent(), get_task("sup-retention-answer")).result()
    return base.model_copy(update={"task_id": task_id, "score": score, "success": success})


def test_summaries_average_tasks_not_runs() -> None:
    results = [
        _result("a", 1.0, True),
        _result("a", 0.5, False),
        _result("b", 0.0, False),
        _result("b", 0.0, False),
    ]
    summary = summarise(results, ks=(1, 2, 3))
    a, b = summary.tasks
    assert (a.task_id, a.runs, a.successes, a.mean_score) == ("a", 2, 1, 0.75)
    assert (b.task_id, b.successes, b.mean_score) == ("b", 0, 0.0)
    assert a.pass_at == {1: 0.5, 2: 1.0} and a.pass_hat == {1: 0.5, 2: 0.0}  # k=3 > runs: skipped
    assert (
        summary.mean_score == 0.375
        and summary.success_rate == 0.25
        and summary.pass_hat == {1: 0.25, 2: 0.0}
    )


def test_robustness_ratio_divides_faulted_by_clean() -> None:
    clean = summarise([_result("a", 1.0, True), _result("b", 0.8, False)])
    faulted = summarise([_result("a", 0.45, False), _result("b", 0.45, False)])
    assert robustness_ratio(clean, faulted) == pytest.approx(0.5)
    assert robustness_ratio(faulted, faulted) == 1.0
    assert robustness_ratio(summarise([_result("a", 0.0, False)]), faulted) is None


def test_empty_summaries_are_zero() -> None:
    empty = summarise([])
    assert (empty.runs, empty.mean_score, empty.pass_hat) == (0, 0.0, {})
