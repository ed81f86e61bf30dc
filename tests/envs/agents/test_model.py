from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from assay.envs import ChatClient, ModelAgent, get_task, run_task
from tests.support import FakeOpenAI, FakeReply


@pytest.fixture
def fake() -> Iterator[FakeOpenAI]:
    with FakeOpenAI() as server:
        yield server


@pytest.fixture
def client(fake: FakeOpenAI) -> Iterator[ChatClient]:
    with ChatClient(fake.base_url, model="fake-model", sleep=lambda s: None, max_retries=2) as chat:
        yield chat


def call(name: str, arguments: object, call_id: str) -> dict[str, object]:
    text = arguments if isinstance(arguments, str) else json.dumps(arguments)
    return {"id": call_id, "type": "function", "function": {"name": name, "arguments": text}}


def test_a_model_that_calls_the_right_tools_solves_the_task(
    fake: FakeOpenAI, client: ChatClient
) -> None:
    text = "EU is degraded: answer EU customers with the status page macro."
    fake.enqueue(
        FakeReply(status=503),  # a transient failure of the model endpoint is retried
        FakeReply(tool_calls=[call("chat_post", {"channel": "#support", "text": text}, "c1")]),
        FakeReply(
            tool_calls=[call("mail_send", "{oops", "c2")]
        ),  # malformed arguments: an error observation
        FakeReply(tool_calls=[call("finish", {"summary": "told the team"}, "c3")]),
    )
    episode = run_task(ModelAgent(client), get_task("sup-eu-degraded"))
    assert episode.finished and episode.grade().score == 1.0
    assert [r.tool for r in episode.records] == ["chat_post", "mail_send", "finish"]
    assert not episode.records[1].ok
    last = fake.requests[-1]
    assert [m["role"] for m in last["messages"]] == [
        "system",
        "user",
        "assistant",
        "tool",
        "assistant",
        "tool",
    ]
    assert (
        last["messages"][3]["tool_call_id"] == "c1"
        and json.loads(last["messages"][3]["content"])["ok"]
    )
    assert json.loads(last["messages"][5]["content"])["error"]["code"] == "invalid_arguments"
    assert {t["function"]["name"] for t in last["tools"]} >= {"chat_post", "mail_send", "finish"}


def test_the_model_runner_copes_with_faults_through_the_tools(
    fake: FakeOpenAI, client: ChatClient
) -> None:
    fake.enqueue(
        FakeReply(
            tool_calls=[
                call("chat_post", {"channel": "#support", "text": "status page for EU"}, "a")
            ]
        ),
        FakeReply(
            tool_calls=[
                call(
                    "mail_send",
                    {
                        "to": ["support-team@kestrel.example"],
                        "subject": "EU",
                        "body": "EU degraded: use the status page macro.",
                    },
                    "b",
                )
            ]
        ),
        FakeReply(content="Chat was down, so I mailed the team."),
    )
    episode = run_task(ModelAgent(client), get_task("sup-eu-degraded"), faults=True)
    assert episode.grade().score == 1.0
    assert episode.records[0].observation["error"]["code"] == "unavailable"
    assert episode.records[-1].tool == "finish"
    assert episode.records[-1].arguments == {"summary": "Chat was down, so I mailed the team."}


def test_several_tool_calls_in_one_turn_run_in_order(fake: FakeOpenAI, client: ChatClient) -> None:
    fake.enqueue(
        FakeReply(
            tool_calls=[call("finish", {"summary": "a"}, "1"), call("wait", {"seconds": 1}, "2")]
        )
    )
    episode = run_task(ModelAgent(client), get_task("sup-retention-answer"))
    assert [r.tool for r in episode.records] == ["finish"]


def test_a_dead_endpoint_ends_the_episode_with_the_error(
    fake: FakeOpenAI, client: ChatClient
) -> None:
    fake.enqueue(*[FakeReply(status=500)] * 3)
    agent = ModelAgent(client)
    episode = run_task(agent, get_task("sup-retention-answer"))
    assert episode.finished and agent.errors == ["model endpoint answered HTTP 500"]
    assert episode.grade().score == 0.0


def test_the_turn_limit_ends_the_episode(fake: FakeOpenAI, client: ChatClient) -> None:
    fake.set_default(lambda body: FakeReply(tool_calls=[call("wait", {"seconds": 1}, "w")]))
    episode = run_task(ModelAgent(client, max_turns=3), get_task("sup-retention-answer"))
    assert [r.tool for r in episode.records] == ["wait", "wait", "wait", "finish"]
