from __future__ import annotations

from collections.abc import Callable

import pytest
from pydantic import ValidationError

from assay.envs import Episode
from assay.envs.tasks import Task
from tests.envs.conftest import error_code, ok

Build = Callable[..., Episode]
POST = {"channel": "#general", "text": "hi"}


def test_an_outage_fails_its_app_only_inside_the_window(episode_of: Build) -> None:
    episode = episode_of(faults=[{"kind": "outage", "app": "chat", "start": 2, "end": 3}])
    ok(episode.step("chat_post", POST))
    down = episode.step("chat_post", POST)
    assert error_code(down) == "unavailable" and down["error"]["status"] == 503
    ok(episode.step("mail_search", {}))  # other apps keep working
    ok(episode.step("chat_post", POST))  # step 4: the window is over
    assert [r.fault for r in episode.records] == [
        None,
        {"kind": "outage", "status": 503},
        None,
        None,
    ]


def test_system_tools_are_never_faulted(episode_of: Build) -> None:
    episode = episode_of(
        faults=[{"kind": "outage", "tool": "wait"}, {"kind": "outage", "app": "system"}]
    )
    ok(episode.step("wait", {"seconds": 5}))
    ok(episode.step("finish", {"summary": "done"}))


def test_latency_moves_the_clock_and_times_out_past_the_limit(episode_of: Build) -> None:
    slow = episode_of(faults=[{"kind": "latency", "app": "docs", "seconds": 20}])
    ok(slow.step("docs_read", {"doc_id": "doc-runbook"}))
    assert slow.universe.clock.iso() == "2026-03-02T09:01:20Z"
    assert slow.records[0].fault == {"kind": "latency", "latency_s": 20.0}
    stuck = episode_of(
        faults=[{"kind": "latency", "app": "docs", "seconds": 45, "timeout": 30, "max_hits": 1}]
    )
    timed_out = stuck.step("docs_read", {"doc_id": "doc-runbook"})
    assert error_code(timed_out) == "timeout" and timed_out["error"]["status"] == 504
    ok(stuck.step("docs_read", {"doc_id": "doc-runbook"}))  # max_hits spent


@pytest.mark.parametrize(
    ("status", "code"),
    [(429, "rate_limited"), (500, "server_error"), (502, "bad_gateway"), (503, "unavailable")],
)
def test_error_faults_answer_their_status(episode_of: Build, status: int, code: str) -> None:
    episode = episode_of(
        faults=[{"kind": "error", "tool": "tickets_read", "status": status, "max_hits": 2}]
    )
    first = episode.step("tickets_read", {"ticket_id": "ENG-101"})
    assert error_code(first) == code and first["error"]["status"] == status
    if status == 429:
        assert first["error"]["details"] == {"retry_after_steps": 1}
    assert error_code(episode.step("tickets_read", {"ticket_id": "ENG-101"})) == code
    ok(episode.step("tickets_read", {"ticket_id": "ENG-101"}))
    ok(episode.step("tickets_search", {}))  # the fault targets one tool


def _faulted_steps(seed: int) -> list[int]:
    task = Task.model_validate(
        {
            "id": "flaky",
            "title": "t",
            "category": "engineering",
            "instruction": "i",
            "actor": "p-sam",
            "faults": [{"kind": "error", "app": "docs", "status": 503, "probability": 0.5}],
            "checkpoints": [
                {"id": "c", "description": "d", "check": {"kind": "exists", "collection": "docs"}}
            ],
            "max_steps": 100,
        }
    )
    episode = Episode(task, faults=True, seed=seed)
    for _ in range(40):
        episode.step("docs_read", {"doc_id": "doc-runbook"})
    return [r.step for r in episode.records if r.fault]


def test_random_faults_are_fixed_by_the_seed() -> None:
    assert _faulted_steps(7) == _faulted_steps(7)
    assert _faulted_steps(7) != _faulted_steps(8)
    assert 8 < len(_faulted_steps(7)) < 32


def test_a_rate_limit_counts_calls_in_a_sliding_window(episode_of: Build) -> None:
    episode = episode_of(
        faults=[{"kind": "rate_limit", "app": "tickets", "limit": 2, "per_steps": 3}]
    )
    ok(episode.step("tickets_read", {"ticket_id": "ENG-101"}))  # step 1
    ok(episode.step("tickets_search", {}))  # step 2
    limited = episode.step("tickets_read", {"ticket_id": "ENG-101"})  # step 3: 2 calls in steps 1-3
    assert error_code(limited) == "rate_limited" and limited["error"]["details"] == {
        "retry_after_steps": 1
    }
    ok(episode.step("tickets_read", {"ticket_id": "ENG-101"}))  # step 4: only step 2 in the window


def test_stale_reads_serve_the_state_from_when_the_window_opened(episode_of: Build) -> None:
    episode = episode_of(faults=[{"kind": "stale_reads", "app": "docs", "start": 2, "end": 4}])
    ok(
        episode.step("docs_append", {"doc_id": "doc-spend", "text": "- one"})
    )  # step 1, before the window
    ok(
        episode.step("docs_append", {"doc_id": "doc-spend", "text": "- two"})
    )  # step 2: writes are not stale
    stale = episode.step("docs_read", {"doc_id": "doc-spend"})  # step 3
    assert "- one" in stale["result"]["body"] and "- two" not in stale["result"]["body"]
    assert stale["as_of"] == "2026-03-02T09:01:00Z" < "2026-03-02T09:02:00Z"
    assert episode.records[-1].fault == {"kind": "stale_reads", "as_of": "2026-03-02T09:01:00Z"}
    episode.step("wait", {"seconds": 1})
    fresh = episode.step("docs_read", {"doc_id": "doc-spend"})  # step 5
    assert "- two" in fresh["result"]["body"] and fresh["as_of"] == "2026-03-02T09:04:01Z"


def test_drift_renames_parameters_and_says_so(episode_of: Build) -> None:
    note = "Changed in API v2."
    episode = episode_of(
        faults=[
            {
                "kind": "drift",
                "tool": "mail_send",
                "start": 2,
                "rename": {"to": "recipients"},
                "note": note,
            }
        ]
    )
    old = {"to": ["raj"], "subject": "s", "body": "b"}
    ok(episode.step("mail_send", old))  # step 1: before the drift
    spec = next(t for t in episode.tools() if t.name == "mail_send")
    assert spec.description.endswith(note) and "recipients" in spec.parameters["required"]
    assert spec.parameters["properties"]["recipients"]["description"].endswith("(was 'to')")
    refused = episode.step("mail_send", old)
    assert error_code(refused) == "invalid_arguments"
    assert "recipients" in refused["error"]["details"]["parameters"]["properties"]
    sent = ok(episode.step("mail_send", {"recipients": ["raj"], "subject": "s", "body": "b"}))
    assert episode.universe.emails[sent["id"]].to == ("raj@kestrel.example",)


def test_distractors_arrive_on_schedule_with_a_notification(episode_of: Build) -> None:
    spam = {
        "kind": "distractor",
        "at_step": 2,
        "collection": "emails",
        "notify": "New mail",
        "record": {
            "sender": "deals@spam.example",
            "to": ["sam@kestrel.example"],
            "subject": "Deal",
            "body": "Buy",
        },
    }
    episode = episode_of(faults=[spam])
    first = episode.step("wait", {"seconds": 1})
    assert "notifications" not in first
    second = episode.step("mail_search", {"query": "deal"})
    assert second["notifications"] == ["New mail"]
    assert [m["from"] for m in second["result"]] == ["deals@spam.example"]
    assert episode.records[1].events == ["emails:m-0925"]
    assert episode.universe.emails["m-0925"].sent_at == "2026-03-02T09:01:01Z"  # after the wait


def test_a_fault_must_target_something() -> None:
    with pytest.raises(ValidationError):
        Task.model_validate(
            {
                "id": "x",
                "title": "t",
                "category": "support",
                "instruction": "i",
                "actor": "p-sam",
                "faults": [{"kind": "outage"}],
                "checkpoints": [
                    {
                        "id": "c",
                        "description": "d",
                        "check": {"kind": "exists", "collection": "docs"},
                    }
                ],
            }
        )


def test_a_clean_run_ignores_the_fault_plan() -> None:
    from tests.envs.conftest import make_task

    task = make_task(faults=[{"kind": "outage", "app": "chat"}])
    ok(Episode(task, faults=False).step("chat_post", POST))
    assert error_code(Episode(task, faults=True).step("chat_post", POST)) == "unavailable"
