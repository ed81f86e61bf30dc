from __future__ import annotations

from typing import Any

import pytest

from assay.envs import Episode, Evidence
from assay.envs.checks import compile_where, evaluate
from assay.envs.tasks import Checkpoint
from tests.envs.conftest import make_task, ok

ROW = {
    "id": "m-1",
    "to": ["Raj@kestrel.example", "omar@kestrel.example"],
    "body": "PR-8 is blocked on CI",
    "count": 3,
    "comments": [{"author": "p-sam", "body": "Looks good"}],
    "status": "open",
}


@pytest.mark.parametrize(
    ("where", "matches"),
    [
        ({"status": "open"}, True),
        ({"status": "closed"}, False),
        ({"status": {"ne": "closed"}}, True),
        ({"status": {"in": ["open", "blocked"]}}, True),
        ({"status": {"not_in": ["open"]}}, False),
        ({"to": {"contains": "raj@kestrel.example"}}, True),  # list membership, case-insensitive
        ({"to": {"contains": "raj"}}, False),  # lists compare whole elements
        ({"body": {"contains": "blocked ON ci"}}, True),  # strings: substring, case-insensitive
        ({"body": {"not_contains": "merged"}}, True),
        ({"body": {"contains_all": ["PR-8", "CI"]}}, True),
        ({"body": {"contains_all": ["PR-8", "merged"]}}, False),
        ({"body": {"contains_any": ["merged", "CI"]}}, True),
        ({"count": {"gte": 3, "lte": 3}}, True),
        ({"count": {"gte": 4}}, False),
        ({"missing": {"gte": 1}}, False),
        ({"comments": {"any": {"author": "p-sam", "body": {"contains": "good"}}}}, True),
        ({"comments": {"any": {"author": "p-raj"}}}, False),
        ({"status": {"eq": {"nested": 1}}}, False),
        ({"status": "open", "count": 3}, True),
        ({}, True),
    ],
)
def test_where_operators(where: dict[str, Any], matches: bool) -> None:
    assert compile_where(where, {}).__call__(ROW) is matches


def test_variables_are_bound_everywhere() -> None:
    predicate = compile_where(
        {"comments": {"any": {"author": "$actor"}}, "to": {"contains": "$me"}},
        {"$actor": "p-sam", "$me": "omar@kestrel.example"},
    )
    assert predicate(ROW)


def _checkpoint(check: dict[str, Any]) -> Any:
    return Checkpoint.model_validate({"id": "c", "description": "d", "check": check}).check


def _evidence_after_one_post() -> Evidence:
    episode = Episode(make_task("p-sam"))
    ok(episode.step("chat_post", {"channel": "#incidents", "text": "ENG-110 investigating"}))
    ok(episode.step("tickets_update", {"ticket_id": "ENG-110", "priority": "p0"}))
    return episode.evidence()


def test_exists_absent_and_changed() -> None:
    evidence = _evidence_after_one_post()
    posted = {
        "kind": "exists",
        "collection": "chat",
        "where": {"author": "$actor", "text": {"contains": "ENG-110"}},
    }
    assert evaluate(_checkpoint({**posted, "changed": True}), evidence)[0]
    old = {
        "kind": "exists",
        "collection": "chat",
        "where": {"author": "p-omar", "channel": "ch-incidents"},
    }
    assert evaluate(_checkpoint(old), evidence)[0]
    assert not evaluate(_checkpoint({**old, "changed": True}), evidence)[0]
    assert not evaluate(_checkpoint({**posted, "min_count": 2}), evidence)[0]
    passed, detail = evaluate(
        _checkpoint({"kind": "absent", "collection": "chat", "where": posted["where"]}), evidence
    )
    assert not passed and "c-0914" in detail


def test_any_and_all_combine() -> None:
    evidence = _evidence_after_one_post()
    yes = {"kind": "exists", "collection": "tickets", "where": {"id": "ENG-110", "priority": "p0"}}
    no = {"kind": "exists", "collection": "tickets", "where": {"id": "ENG-110", "priority": "p3"}}
    assert evaluate(_checkpoint({"kind": "any", "checks": [no, yes]}), evidence)[0]
    assert not evaluate(_checkpoint({"kind": "all", "checks": [no, yes]}), evidence)[0]
    assert evaluate(
        _checkpoint({"kind": "all", "checks": [yes, {"kind": "any", "checks": [yes]}]}), evidence
    )[0]


def test_no_collateral_names_every_unexpected_change() -> None:
    evidence = _evidence_after_one_post()
    allow_chat = {"collection": "chat", "change": "added", "where": {"author": "$actor"}}
    allow_ticket = {"collection": "tickets", "change": "modified", "where": {"id": "ENG-110"}}
    both = {"kind": "no_collateral", "allow": [allow_chat, allow_ticket]}
    assert evaluate(_checkpoint(both), evidence) == (True, "no collateral changes")
    passed, detail = evaluate(
        _checkpoint({"kind": "no_collateral", "allow": [allow_chat]}), evidence
    )
    assert not passed and "tickets:ENG-110 modified" in detail
    wrong_kind = {**allow_ticket, "change": "added"}
    assert not evaluate(
        _checkpoint({"kind": "no_collateral", "allow": [allow_chat, wrong_kind]}), evidence
    )[0]


def test_records_written_by_scheduled_events_are_not_the_agents_doing() -> None:
    event = {"at_step": 1, "collection": "docs", "record": {"id": "doc-oncall", "body": "new rota"}}
    episode = Episode(make_task("p-sam", events=[event]))
    ok(episode.step("wait", {"seconds": 1}))
    assert episode.universe.docs["doc-oncall"].body == "new rota"
    assert evaluate(_checkpoint({"kind": "no_collateral"}), episode.evidence())[0]
