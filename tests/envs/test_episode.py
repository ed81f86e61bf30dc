from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from assay.envs import ALL_TOOLS, Episode, ReferenceAgent, bundled_tasks, get_task, replay, run_task
from assay.errors import Conflict, InvalidInput
from tests.envs.conftest import error_code, make_task, ok


def test_bad_calls_get_structured_errors_not_exceptions() -> None:
    episode = Episode(make_task())
    unknown = episode.step("teleport", {})
    assert (
        error_code(unknown) == "unknown_tool"
        and "mail_send" in unknown["error"]["details"]["tools"]
    )
    assert error_code(episode.step("mail_read", "{not json")) == "invalid_arguments"
    assert error_code(episode.step("mail_read", "[1, 2]")) == "invalid_arguments"
    assert error_code(episode.step("mail_read", [1, 2])) == "invalid_arguments"  # type: ignore[arg-type]
    schema = episode.step("mail_read", {"message_id": 1})
    assert error_code(schema) == "invalid_arguments" and schema["error"]["details"]["parameters"][
        "required"
    ] == ["message_id"]
    assert (
        ok(episode.step("mail_read", '{"message_id": "m-0918"}'))["id"] == "m-0918"
    )  # JSON text is fine
    assert episode.step_count == 6 and not episode.done
    assert [r.ok for r in episode.records] == [False, False, False, False, False, True]
    assert episode.records[3].arguments == [1, 2]


def test_every_step_is_recorded_with_the_clock() -> None:
    episode = Episode(make_task())
    observation = episode.step("docs_read", {"doc_id": "doc-runbook"})
    assert (
        observation["clock"] == "2026-03-02T09:01:00Z"
        and observation["as_of"] == "2026-03-02T09:00:00Z"
    )
    record = episode.records[0]
    assert (record.step, record.tool, record.arguments, record.clock) == (
        1,
        "docs_read",
        {"doc_id": "doc-runbook"},
        observation["clock"],
    )
    assert record.observation is observation and record.fault is None


def test_finish_ends_the_episode_and_further_steps_are_refused() -> None:
    episode = Episode(make_task())
    finished = episode.step("finish", {"summary": "done"})
    assert finished["done"] and episode.finished and not episode.truncated
    with pytest.raises(Conflict):
        episode.step("wait", {"seconds": 1})


def test_the_step_limit_truncates() -> None:
    episode = Episode(make_task(max_steps=2))
    assert not episode.step("wait", {"seconds": 1})["done"]
    assert episode.step("wait", {"seconds": 1})["done"]
    assert episode.truncated and not episode.finished


def test_reset_starts_over_from_the_same_universe() -> None:
    episode = Episode(make_task())
    start = episode.universe.snapshot_hash()
    ok(episode.step("docs_create", {"title": "t", "body": "b"}))
    first = episode.reset()
    assert episode.universe.snapshot_hash() == start and episode.records == []
    assert first["instruction"] == "Do what the test says." and first["actor"]["id"] == "p-sam"
    assert "mail_send" in first["tools"] and first["clock"] == "2026-03-02T09:00:00Z"


@pytest.mark.parametrize("task_id", ["sup-escalate-sla", "ops-page-oncall", "eng-triage-bugs"])
def test_same_seed_gives_the_same_trajectory_and_score(task_id: str) -> None:
    task = get_task(task_id)
    runs = [run_task(ReferenceAgent(), task, faults=True, seed=3).result() for _ in range(2)]
    assert runs[0].trajectory_hash == runs[1].trajectory_hash
    assert runs[0].state_hash == runs[1].state_hash
    assert runs[0].score == runs[1].score


def test_random_faults_change_with_the_seed_but_replays_reproduce_them() -> None:
    task = get_task("sup-escalate-sla")
    hashes = {
        run_task(ReferenceAgent(fallbacks=False), task, faults=True, seed=s)
        .result()
        .trajectory_hash
        for s in range(6)
    }
    assert len(hashes) > 1
    original = run_task(ReferenceAgent(), task, faults=True, seed=4)
    again = replay(task, [(r.tool, r.arguments) for r in original.records], faults=True, seed=4)
    assert again.trajectory_hash() == original.trajectory_hash()
    assert again.grade().score == original.grade().score == 1.0


def test_replay_reproduces_every_bundled_reference_run() -> None:
    for task in bundled_tasks().values():
        original = run_task(ReferenceAgent(), task, faults=True)
        again = replay(task, [(r.tool, r.arguments) for r in original.records], faults=True)
        assert again.trajectory_hash() == original.trajectory_hash(), task.id


def test_result_counts_errors_and_faults() -> None:
    episode = run_task(ReferenceAgent(), get_task("eng-merge-retry-pr"), faults=True)
    result = episode.result()
    assert result.finished and result.score == 1.0 and result.faults
    assert result.injected_faults == 2 and result.tool_errors == 2
    assert result.steps == len(episode.records)


JSON = st.recursive(
    st.none() | st.booleans() | st.integers(-5, 5000) | st.text(max_size=12),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=4), inner, max_size=2)
    ),
    max_leaves=4,
)
NAMES = sorted(
    {name for tool in ALL_TOOLS.values() for name in tool.parameters["properties"]} | {"x"}
)
IDS = st.sampled_from(
    [
        "ENG-101",
        "PR-7",
        "PR-9",
        "m-0918",
        "c-0903",
        "#general",
        "doc-spend",
        "ev-014",
        "main",
        "raj",
        "",
    ]
)


@settings(max_examples=250, deadline=None)
@given(
    tool=st.sampled_from([*sorted(ALL_TOOLS), "nope"]),
    arguments=st.dictionaries(
        st.sampled_from(NAMES), JSON | IDS | st.lists(IDS, max_size=3), max_size=5
    ),
    faults=st.booleans(),
)
def test_no_call_crashes_or_leaves_non_json_in_the_trajectory(
    tool: str, arguments: dict[str, object], faults: bool
) -> None:
    episode = Episode(get_task("eng-remove-secret"), faults=faults)
    observation = episode.step(tool, arguments)
    assert observation["ok"] in (True, False)
    if not observation["ok"]:
        assert observation["error"]["code"] != "internal_error", observation
    assert json.loads(json.dumps(episode.records[0].to_dict())) == episode.records[0].to_dict()


def test_a_bad_scheduled_event_fails_when_the_episode_is_built() -> None:
    event = {"at_step": 3, "collection": "tickets", "record": {"title": "no project or reporter"}}
    with pytest.raises(InvalidInput, match="event at step 3"):
        Episode(make_task(events=[event]))
