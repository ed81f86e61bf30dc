from __future__ import annotations

import pytest

from assay.envs import Episode
from tests.envs.conftest import error_code, make_task, ok
from tests.envs.tools.harness import Case, run_case

TRIAGE = ["ENG-112", "ENG-113", "ENG-114", "ENG-115"]

CASES = [
    Case(
        "tickets_search",
        {"label": "needs-triage"},
        check=lambda r, e: sorted(t["id"] for t in r) == TRIAGE,
    ),
    Case(
        "tickets_search",
        {"status": "open", "project": "ENG", "assignee": "sam"},
        label="filters",
        check=lambda r, e: sorted(t["id"] for t in r) == ["ENG-101", "ENG-116"],
    ),
    Case(
        "tickets_search",
        {"query": "tls certificates"},
        label="query",
        check=lambda r, e: [t["id"] for t in r] == ["ENG-115"],
    ),
    Case("tickets_search", {"assignee": "nobody-at-all"}, expect="not_found"),
    Case("tickets_search", {"status": "weird"}, expect="invalid_arguments"),
    Case(
        "tickets_read",
        {"ticket_id": "eng-101"},
        check=lambda r, e: r["id"] == "ENG-101" and r["assignee"] == "p-sam",
    ),
    Case("tickets_read", {"ticket_id": "ENG-999"}, expect="not_found"),
    Case("tickets_read", {"id": "ENG-101"}, expect="invalid_arguments"),
    Case(
        "tickets_create",
        {"project": "ENG", "title": "New bug", "assignee": "tom", "labels": ["a", "a"]},
        check=lambda r, e: (
            r["id"] == "ENG-118"
            and (t := e.universe.tickets["ENG-118"]).labels == ("a",)
            and t.assignee == "p-tom"
            and t.reporter == "p-sam"
            and t.status == "open"
        ),
    ),
    Case("tickets_create", {"project": "ENG", "title": " "}, expect="invalid_input"),
    Case(
        "tickets_create",
        {"project": "ENG", "title": "x", "assignee": "nobody-at-all"},
        expect="not_found",
    ),
    Case("tickets_create", {"project": "XYZ", "title": "x"}, expect="invalid_arguments"),
    Case(
        "tickets_update",
        {
            "ticket_id": "ENG-112",
            "status": "in_progress",
            "assignee": "tom",
            "add_labels": ["triaged"],
            "remove_labels": ["needs-triage"],
        },
        check=lambda r, e: (
            (t := e.universe.tickets["ENG-112"]).labels == ("frontend", "triaged")
            and t.assignee == "p-tom"
            and t.status == "in_progress"
            and t.updated_at == "2026-03-02T09:00:00Z"
        ),
    ),
    Case(
        "tickets_update",
        {"ticket_id": "ENG-101", "assignee": "nobody"},
        label="unassign",
        check=lambda r, e: e.universe.tickets["ENG-101"].assignee is None,
    ),
    Case("tickets_update", {"ticket_id": "ENG-101"}, expect="invalid_input"),
    Case("tickets_update", {"ticket_id": "ENG-999", "status": "open"}, expect="not_found"),
    Case(
        "tickets_update", {"ticket_id": "ENG-101", "priority": "urgent"}, expect="invalid_arguments"
    ),
    Case(
        "tickets_comment",
        {"ticket_id": "ENG-101", "body": "Looking"},
        check=lambda r, e: (
            e.universe.tickets["ENG-101"].comments[-1].body == "Looking" and r["comments"] == 1
        ),
    ),
    Case("tickets_comment", {"ticket_id": "ENG-101", "body": " "}, expect="invalid_input"),
    Case("tickets_comment", {"ticket_id": "ENG-999", "body": "x"}, expect="not_found"),
    Case("tickets_comment", {"ticket_id": "ENG-101"}, expect="invalid_arguments"),
]


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_tickets_tool(case: Case) -> None:
    run_case(case)


def test_a_closed_ticket_must_be_reopened_before_it_moves_on() -> None:
    episode = Episode(make_task("p-nora"))
    ok(episode.step("tickets_update", {"ticket_id": "HIR-503", "status": "closed"}))
    assert (
        error_code(
            episode.step("tickets_update", {"ticket_id": "HIR-503", "status": "in_progress"})
        )
        == "conflict"
    )
    ok(episode.step("tickets_update", {"ticket_id": "HIR-503", "status": "open"}))
    assert episode.universe.tickets["HIR-503"].status == "open"
