from __future__ import annotations

from typing import Any

import pytest

from assay.envs import (
    RandomAgent,
    ReferenceAgent,
    bundled_tasks,
    robustness_ratio,
    run_tasks,
    summarise,
)
from assay.envs.agents.plans import PLANS
from assay.envs.agents.reference import PlanContext, PlanFailed


@pytest.fixture(scope="module")
def scores() -> dict[str, Any]:
    tasks = list(bundled_tasks().values())
    reference, naive, random = ReferenceAgent(), ReferenceAgent(fallbacks=False), RandomAgent()
    return {
        (agent.name, faults): summarise(run_tasks(agent, tasks, faults=faults))
        for agent in (reference, naive, random)
        for faults in (False, True)
    }


def test_every_bundled_task_has_a_written_plan() -> None:
    assert set(PLANS) == set(bundled_tasks())


def test_the_reference_agent_solves_clean_runs(scores: dict[str, Any]) -> None:
    clean = scores[("reference", False)]
    assert clean.mean_score >= 0.9
    assert [t.task_id for t in clean.tasks if t.mean_score < 0.9] == []


def test_a_random_agent_scores_near_zero(scores: dict[str, Any]) -> None:
    assert scores[("random", False)].mean_score < 0.05
    assert scores[("random", True)].mean_score < 0.05


def test_fallbacks_keep_the_score_under_faults_and_plans_without_them_lose_it(
    scores: dict[str, Any],
) -> None:
    fallback_ids = {t.id for t in bundled_tasks().values() if t.needs_fallback}
    with_fallbacks = scores[("reference", True)]
    without = scores[("reference-naive", True)]
    assert robustness_ratio(scores[("reference", False)], with_fallbacks) >= 0.95
    naive_ratio = robustness_ratio(scores[("reference-naive", False)], without)
    assert naive_ratio is not None and naive_ratio < 0.75
    naive_by_task = {t.task_id: t.mean_score for t in without.tasks}
    assert all(naive_by_task[i] < 0.5 for i in fallback_ids)
    assert all(naive_by_task[t] == 1.0 for t in naive_by_task if t not in fallback_ids)


class Scripted:
    """A fake environment answering calls from a script, recording what it was asked."""

    def __init__(self, *answers: dict[str, Any]) -> None:
        self.answers = list(answers)
        self.calls: list[tuple[str, dict[str, Any]]] = []

    def __call__(self, tool: str, arguments: dict[str, Any]) -> dict[str, Any]:
        self.calls.append((tool, arguments))
        if tool in ("wait", "finish"):
            return {"ok": True, "result": {}, "clock": "2026-03-02T09:05:00Z"}
        return self.answers.pop(0)


def _error(code: str, details: Any = None) -> dict[str, Any]:
    return {
        "ok": False,
        "error": {"code": code, "message": code, "details": details},
        "clock": "2026-03-02T09:01:00Z",
    }


OK = {"ok": True, "result": {"id": "x"}, "clock": "2026-03-02T09:02:00Z"}


def test_transient_errors_are_retried_after_waiting_only_with_fallbacks() -> None:
    env = Scripted(_error("unavailable"), _error("rate_limited"), OK)
    ctx = PlanContext(env, {"clock": "2026-03-02T09:00:00Z"}, fallbacks=True)
    assert ctx.value("tickets_read", ticket_id="T-1") == {"id": "x"}
    assert [tool for tool, _ in env.calls] == [
        "tickets_read",
        "wait",
        "tickets_read",
        "wait",
        "tickets_read",
    ]
    naive = PlanContext(Scripted(_error("unavailable")), {"clock": ""}, fallbacks=False)
    with pytest.raises(PlanFailed):
        naive.value("tickets_read", ticket_id="T-1")


def test_permanent_errors_are_not_retried() -> None:
    env = Scripted(_error("not_found"))
    ctx = PlanContext(env, {"clock": ""}, fallbacks=True)
    assert not ctx.attempt("tickets_read", ticket_id="T-1")["ok"]
    assert len(env.calls) == 1


def test_drifted_parameters_are_remapped_from_the_schema_notes() -> None:
    schema = {
        "parameters": {"properties": {"summary": {"description": "Short summary. (was 'title')"}}}
    }
    env = Scripted(_error("invalid_arguments", schema), OK)
    ctx = PlanContext(env, {"clock": ""}, fallbacks=True)
    assert ctx.call("tickets_create", project="HIR", title="Referral")["ok"]
    assert env.calls[1] == ("tickets_create", {"project": "HIR", "summary": "Referral"})
    plain = Scripted(_error("invalid_arguments", {"parameters": {"properties": {}}}))
    assert not PlanContext(plain, {"clock": ""}, fallbacks=True).call("tickets_create", title="x")[
        "ok"
    ]
    assert len(plain.calls) == 1


def test_stale_reads_are_waited_out() -> None:
    stale = {
        "ok": True,
        "result": "old",
        "as_of": "2026-03-02T09:00:00Z",
        "clock": "2026-03-02T09:02:00Z",
    }
    fresh = {
        "ok": True,
        "result": "new",
        "as_of": "2026-03-02T09:05:00Z",
        "clock": "2026-03-02T09:06:00Z",
    }
    env = Scripted(stale, fresh)
    ctx = PlanContext(env, {"clock": "2026-03-02T09:01:00Z"}, fallbacks=True)
    assert ctx.fresh("docs_read", doc_id="d") == "new"
    naive = PlanContext(Scripted(stale), {"clock": "2026-03-02T09:01:00Z"}, fallbacks=False)
    assert naive.fresh("docs_read", doc_id="d") == "old"


def test_either_switches_channel_only_with_fallbacks() -> None:
    env = Scripted(_error("unavailable"), OK)
    ctx = PlanContext(env, {"clock": ""}, fallbacks=True, attempts=1)
    assert ctx.either(("chat_post", {"text": "x"}), ("mail_send", {"body": "x"}))["ok"]
    assert [tool for tool, _ in env.calls] == ["chat_post", "mail_send"]
    naive_env = Scripted(_error("unavailable"))
    naive = PlanContext(naive_env, {"clock": ""}, fallbacks=False)
    assert not naive.either(("chat_post", {"text": "x"}), ("mail_send", {"body": "x"}))["ok"]
    assert len(naive_env.calls) == 1


def test_a_plan_that_gives_up_still_finishes_the_episode() -> None:
    env = Scripted(_error("unavailable"))

    def plan(ctx: PlanContext) -> None:
        ctx.value("code_run_ci", pr_id="PR-7")

    ReferenceAgent({"t": plan}, fallbacks=False).drive("t", env, {"clock": ""})
    assert env.calls[-1][0] == "finish" and "gave up" in env.calls[-1][1]["summary"]
