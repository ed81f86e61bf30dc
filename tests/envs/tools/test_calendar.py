from __future__ import annotations

import pytest

from assay.envs import Episode
from tests.envs.conftest import error_code, make_task, ok
from tests.envs.tools.harness import Case, run_case

SLOT = {"attendees": ["raj", "ines"], "date": "2026-03-05", "duration_minutes": 60}

CASES = [
    Case(
        "calendar_list_events",
        {"date": "2026-03-05", "person": "raj"},
        actor="p-nora",
        check=lambda r, e: [ev["id"] for ev in r] == ["ev-004", "ev-010", "ev-011"],
    ),
    Case(
        "calendar_list_events",
        {},
        actor="p-lena",
        label="mine",
        check=lambda r, e: {"ev-014", "ev-017", "ev-019"} <= {ev["id"] for ev in r},
    ),
    Case("calendar_list_events", {"date": "March 5"}, expect="invalid_input"),
    Case("calendar_list_events", {"person": "nobody-at-all"}, expect="not_found"),
    Case("calendar_list_events", {"day": "2026-03-05"}, expect="invalid_arguments"),
    Case(
        "calendar_find_free_slots",
        SLOT,
        actor="p-nora",
        check=lambda r, e: r[0] == "2026-03-05T12:00:00Z" and "2026-03-05T10:00:00Z" not in r,
    ),
    Case("calendar_find_free_slots", {**SLOT, "attendees": ["nobody-at-all"]}, expect="not_found"),
    Case("calendar_find_free_slots", {**SLOT, "duration_minutes": 10}, expect="invalid_arguments"),
    Case(
        "calendar_schedule",
        {
            "title": "Onsite",
            "start": "2026-03-05T12:00:00Z",
            "duration_minutes": 60,
            "attendees": ["raj", "ines"],
            "guests": ["priya.sharma@mailbox.example"],
        },
        actor="p-nora",
        check=lambda r, e: (
            r["end"] == "2026-03-05T13:00:00Z"
            and r["attendees"] == ["p-raj", "p-ines"]
            and r["organizer"] == "p-nora"
            and r["guests"] == ["priya.sharma@mailbox.example"]
        ),
    ),
    Case(
        "calendar_schedule",
        {
            "title": "Clash",
            "start": "2026-03-05T10:00:00Z",
            "duration_minutes": 30,
            "attendees": ["raj"],
        },
        actor="p-nora",
        expect="conflict",
    ),
    Case(
        "calendar_schedule",
        {
            "title": "Past",
            "start": "2026-03-01T10:00:00Z",
            "duration_minutes": 30,
            "attendees": ["raj"],
        },
        expect="invalid_input",
        label="past",
    ),
    Case(
        "calendar_schedule",
        {"title": "When", "start": "tomorrow", "duration_minutes": 30, "attendees": ["raj"]},
        expect="invalid_input",
        label="not-a-time",
    ),
    Case(
        "calendar_schedule",
        {
            "title": "x",
            "start": "2026-03-05T12:00:00Z",
            "duration_minutes": 30,
            "attendees": ["nobody-at-all"],
        },
        expect="not_found",
    ),
    Case(
        "calendar_schedule",
        {"title": "x", "start": "2026-03-05T12:00:00Z"},
        expect="invalid_arguments",
    ),
    Case(
        "calendar_cancel",
        {"event_id": "ev-014"},
        actor="p-lena",
        check=lambda r, e: e.universe.events["ev-014"].status == "cancelled",
    ),
    Case(
        "calendar_cancel",
        {"event_id": "ev-014"},
        actor="p-nora",
        expect="not_found",
        label="not-invited",
    ),
    Case("calendar_cancel", {"event_id": "ev-999"}, expect="not_found"),
    Case("calendar_cancel", {}, expect="invalid_arguments"),
]


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_calendar_tool(case: Case) -> None:
    run_case(case)


def test_a_cancelled_meeting_frees_its_slot_and_cannot_be_cancelled_twice() -> None:
    episode = Episode(make_task("p-lena"))
    ok(episode.step("calendar_cancel", {"event_id": "ev-017"}))
    assert error_code(episode.step("calendar_cancel", {"event_id": "ev-017"})) == "conflict"
    slots = ok(
        episode.step(
            "calendar_find_free_slots",
            {"attendees": ["lena"], "date": "2026-03-04", "duration_minutes": 60},
        )
    )
    assert "2026-03-04T12:30:00Z" in slots
