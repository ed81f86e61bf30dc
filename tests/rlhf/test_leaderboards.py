"""Leaderboards from votes on comparisons answered by a real local OpenAI-compatible server."""

from __future__ import annotations

import re
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import delete, select, update
from sqlalchemy.exc import DBAPIError

from assay.store import SessionFactory
from assay.store.models.rlhf import Generation, ModelVariant
from tests.rlhf.conftest import FAKE_KEY
from tests.rlhf.flows import ScriptedReplies, comparison, endpoint, lease, preference, run_jobs
from tests.support.api import Keys, headers
from tests.support.fake_openai import FakeOpenAI, FakeReply

PLAIN = "Steep the leaves for three minutes in water just off the boil, then pour."
LONG_MARKDOWN = (
    "## Brewing\n\n- **Water**: just off the boil\n- **Time**: three minutes\n- **Cup**: warm it"
    " first\n\n## Why\n\nHotter water draws out bitterness, so let it rest a moment. 🍵"
)
REVEALING = "As ChatGPT, a model developed by OpenAI, I suggest steeping for three minutes."
# The order of merit every (honest) rater in these tests follows.
MERIT = ["alpha", "beta", "gamma"]


def varied_reply(request: dict[str, Any]) -> FakeReply:
    """Each model writes plain or markdown, short or long, depending on the prompt.

    Style then varies within every model, as in real use, so style control can tell style
    from model (when a model always wrote the same way, the two could not be separated).
    """
    model = str(request["model"])
    number = int(re.sub(r"\D", "", str(request["messages"][-1]["content"])) or 0)
    body = " ".join([PLAIN] * (1 + number % 3))
    styled = (number + MERIT.index(model)) % 2 == 0
    return FakeReply(content=LONG_MARKDOWN + "\n\n" + body if styled else body)


def _arena(
    api: TestClient,
    keys: Keys,
    fake: FakeOpenAI,
    script: ScriptedReplies,
    replies: dict[str, str | None],
) -> tuple[str, dict[str, str]]:
    """Register one fake-server endpoint per model; a comparison project over them.

    A model given None answers with :func:`varied_reply`.
    """
    for model, text in replies.items():
        if text is not None:
            script.always[model] = FakeReply(content=text)
    if None in replies.values():
        fake.set_default(varied_reply)
    ids = {
        model: endpoint(
            api, keys.requester, model, base_url=fake.base_url, model=model, api_key=FAKE_KEY
        )["id"]
        for model in replies
    }
    project_id = comparison(api, keys.requester, list(ids.values()), redundancy=4)
    return project_id, ids


def _import(api: TestClient, key: str, project_id: str, count: int, start: int = 0) -> None:
    body = {
        "prompts": [
            {
                "unique_id": f"p{i}",
                "prompt": f"How do I brew tea number {i}?",
                "metadata": {"category": "coding" if i % 3 == 0 else "writing"},
            }
            for i in range(start, start + count)
        ]
    }
    answer = api.post(f"/v1/comparisons/{project_id}/prompts", json=body, headers=headers(key))
    assert answer.status_code == 200, answer.text


def _vote_all(
    api: TestClient,
    keys: Keys,
    factory: SessionFactory,
    project_id: str,
    *,
    tie_worker: int | None = None,
    hasty_worker: int | None = None,
) -> int:
    """Every worker answers every task by the order of merit; returns the votes cast."""
    with factory() as session:
        model_of = {
            g.response_id: g.endpoint_id
            for g in session.scalars(select(Generation).where(Generation.project_id == project_id))
        }
        names = {
            v.endpoint_id: v.name
            for v in session.scalars(
                select(ModelVariant).where(ModelVariant.project_id == project_id)
            )
        }
    cast = 0
    for index, key in enumerate(keys.workers):
        while (leased := lease(api, key, project_id)) is not None:
            shown = leased["task"]["payload"]["responses"]
            ranks = [MERIT.index(names[model_of[r["id"]]]) for r in shown]
            choice = "tie" if index == tie_worker else "AB"[ranks.index(min(ranks))]
            seconds = 0.3 if index == hasty_worker else 30.0
            body = {"answer": preference(choice), "active_time_ms": int(seconds * 1000)}
            done = api.post(f"/v1/work/{leased['id']}/submit", json=body, headers=headers(key))
            assert done.status_code in (200, 201), done.text
            cast += 1
    return cast


def _board(api: TestClient, key: str, project_id: str, **query: Any) -> Any:
    answer = api.get(
        f"/v1/projects/{project_id}/leaderboard",
        params={"bootstrap_rounds": 200, **query},
        headers=headers(key),
    )
    assert answer.status_code == 200, answer.text
    return answer.json()


def test_the_board_ranks_models_by_votes_with_intervals_ties_and_diagnostics(
    api: TestClient, keys: Keys, factory: SessionFactory, fake: FakeOpenAI, script: ScriptedReplies
) -> None:
    project_id, _ids = _arena(api, keys, fake, script, dict.fromkeys(MERIT))
    _import(api, keys.requester, project_id, 9)
    run_jobs(factory)
    assert _vote_all(api, keys, factory, project_id, tie_worker=3) == 36

    board = _board(api, keys.requester, project_id)
    names = [row["name"] for row in board["standings"]]
    assert names == MERIT
    for row in board["standings"] + board["uncontrolled"]:
        assert row["ci_low"] <= row["rating"] <= row["ci_high"]
        assert row["sandwich_low"] <= row["rating"] <= row["sandwich_high"]
        assert row["votes"] == 24  # each model is in two of three pairings, 12 votes each
    assert board["votes_used"] == 36 and board["raters"] == 4 and board["set_aside"] == {}
    assert board["tie_param"] is not None and board["tie_param"] > 0  # a quarter are ties
    assert [e["feature"] for e in board["style_effects"]] == [
        "length",
        "headers",
        "list_items",
        "bold",
        "emoji",
    ]
    order = board["order"]
    alpha, gamma = (
        order.index(board["standings"][0]["variant_id"]),
        order.index(board["standings"][2]["variant_id"]),
    )
    # Alpha met gamma in three tasks: nine wins and three ties out of twelve.
    assert board["games"][alpha][gamma] == 12
    assert board["win_rates"][alpha][gamma] == pytest.approx(10.5 / 12)
    assert board["win_rates"][gamma][alpha] == pytest.approx(1.5 / 12)
    assert board["stability"]["leader"] == board["standings"][0]["variant_id"]
    assert board["stability"]["votes_to_flip"] >= 1
    assert board["categories"] == {"coding": 12, "writing": 24}
    assert sorted(v["name"] for v in board["variants"]) == MERIT

    coding = _board(api, keys.requester, project_id, category="coding", style_control=False)
    assert coding["votes_used"] == 12 and coding["uncontrolled"] is None
    assert coding["style_effects"] == []


def test_votes_that_reveal_a_model_or_come_too_fast_are_set_aside_and_counted(
    api: TestClient, keys: Keys, factory: SessionFactory, fake: FakeOpenAI, script: ScriptedReplies
) -> None:
    replies = {"alpha": REVEALING, "beta": LONG_MARKDOWN * 4, "gamma": PLAIN * 4}
    project_id, _ids = _arena(api, keys, fake, script, replies)
    _import(api, keys.requester, project_id, 6)
    run_jobs(factory)
    _vote_all(api, keys, factory, project_id, hasty_worker=2)

    board = _board(api, keys.requester, project_id, style_control=False)
    # Four of six tasks show alpha's self-naming answer; the rest pit beta against gamma.
    assert board["set_aside"]["identity_revealed"] == 16
    assert board["set_aside"]["low_effort"] == 2  # the hasty worker's beta-gamma votes
    assert board["votes_used"] == 6
    assert [row["name"] for row in board["standings"]] == ["beta", "gamma"]
    assert {v["name"] for v in board["variants"]} == set(MERIT)  # alpha is still listed

    everyone = _board(
        api, keys.requester, project_id, exclude_low_effort=False, style_control=False
    )
    assert "low_effort" not in everyone["set_aside"] and everyone["votes_used"] == 8


def test_an_edited_endpoint_answers_as_a_new_variant_and_variants_are_never_removed(
    api: TestClient, keys: Keys, factory: SessionFactory, fake: FakeOpenAI, script: ScriptedReplies
) -> None:
    project_id, ids = _arena(api, keys, fake, script, {"alpha": PLAIN, "beta": LONG_MARKDOWN})
    _import(api, keys.requester, project_id, 2)
    run_jobs(factory)
    changed = api.patch(
        f"/v1/models/{ids['alpha']}",
        json={"params": {"temperature": 0.2}},
        headers=headers(keys.requester),
    )
    assert changed.status_code == 200, changed.text
    _import(api, keys.requester, project_id, 2, start=2)
    run_jobs(factory)
    _vote_all(api, keys, factory, project_id)

    listed = api.get(
        f"/v1/projects/{project_id}/leaderboard/variants", headers=headers(keys.requester)
    ).json()
    alphas = [v for v in listed if v["endpoint_id"] == ids["alpha"]]
    assert len(listed) == 3 and len(alphas) == 2
    assert alphas[1]["settings"]["params"] == {"temperature": 0.2}
    board = _board(api, keys.requester, project_id)
    rated = {row["variant_id"] for row in board["standings"]}
    assert rated == {v["id"] for v in listed}  # each alpha variant rated on its own votes

    with factory() as session:
        for statement in (
            delete(ModelVariant).where(ModelVariant.id == alphas[0]["id"]),
            update(ModelVariant).where(ModelVariant.id == alphas[0]["id"]).values(name="x"),
        ):
            with pytest.raises(DBAPIError, match="append-only"):
                session.execute(statement)
            session.rollback()


def test_a_live_chat_project_rates_the_replies_workers_pick(
    api: TestClient, keys: Keys, factory: SessionFactory, fake: FakeOpenAI, script: ScriptedReplies
) -> None:
    script.always.update(alpha=FakeReply(content=PLAIN), beta=FakeReply(content=LONG_MARKDOWN))
    ids = [
        endpoint(api, keys.requester, m, base_url=fake.base_url, model=m, api_key=FAKE_KEY)["id"]
        for m in ("alpha", "beta")
    ]
    made = api.post(
        "/v1/chat-projects",
        json={"name": "Live", "endpoint_ids": ids},
        headers=headers(keys.requester),
    )
    project_id = made.json()["id"]
    worker = headers(keys.workers[0])
    chat = api.post("/v1/chats", json={"project_id": project_id}, headers=worker).json()
    for turn in range(3):
        sent = api.post(
            f"/v1/chats/{chat['id']}/turns", json={"content": f"Question {turn}"}, headers=worker
        ).json()
        pick = next(c for c in sent["candidates"] if c["content"] == PLAIN)
        body: dict[str, Any] = {"candidate_id": pick["id"]}
        if turn == 2:
            body["rewrite"] = "A rewritten, better reply."
        chosen = api.post(f"/v1/chats/{chat['id']}/choose", json=body, headers=worker)
        assert chosen.status_code == 200, chosen.text

    board = _board(api, keys.requester, project_id, style_control=False)
    assert [row["name"] for row in board["standings"]] == ["alpha", "beta"]
    assert board["votes_used"] == 3  # the rewrite counts for the reply it started from


def test_only_requesters_of_the_organisation_see_a_board_and_bad_options_are_refused(
    api: TestClient, keys: Keys, factory: SessionFactory, fake: FakeOpenAI, script: ScriptedReplies
) -> None:
    project_id, _ids = _arena(api, keys, fake, script, {"alpha": PLAIN, "beta": LONG_MARKDOWN})
    url = f"/v1/projects/{project_id}/leaderboard"
    assert api.get(url, headers=headers(keys.workers[0])).status_code == 403
    assert api.get(url, headers=headers(keys.other_requester)).status_code == 404
    empty = api.get(url, headers=headers(keys.requester)).json()
    assert empty["standings"] == [] and empty["votes_used"] == 0
    for bad in ({"bootstrap_rounds": -1}, {"ties": "coin"}, {"level": 2}, {"colour": "red"}):
        refused = api.get(url, params=bad, headers=headers(keys.requester))
        assert refused.status_code == 422, bad
        assert refused.json()["error"]["message"]
