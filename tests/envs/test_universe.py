from __future__ import annotations

import pytest

from assay.envs import Clock, Universe, diff, load_universe
from assay.envs.records import Ticket
from assay.envs.universe import parse_iso, to_iso
from assay.errors import InvalidInput


def test_the_snapshot_hash_is_stable_and_sensitive_to_any_change() -> None:
    a, b = load_universe(), load_universe()
    assert a.snapshot_hash() == b.snapshot_hash()
    b.put("tickets", b.tickets["ENG-101"].model_copy(update={"priority": "p0"}))
    assert a.snapshot_hash() != b.snapshot_hash()
    c = load_universe()
    c.clock.advance(1)
    assert c.snapshot_hash() != a.snapshot_hash()


def test_a_fork_is_independent_but_shares_unchanged_records() -> None:
    base = load_universe()
    twin = base.fork()
    assert twin.tickets["ENG-101"] is base.tickets["ENG-101"]
    twin.put("tickets", twin.tickets["ENG-101"].model_copy(update={"status": "closed"}))
    twin.new_id("ENG")
    twin.clock.advance(60)
    assert base.tickets["ENG-101"].status == "open"
    assert base.counters["ENG"] == 117 and twin.counters["ENG"] == 118
    assert base.clock.now + 60 == twin.clock.now


def test_records_are_frozen() -> None:
    ticket = load_universe().tickets["ENG-101"]
    with pytest.raises(ValueError):
        ticket.status = "closed"  # type: ignore[misc]


def test_state_round_trips_through_plain_data() -> None:
    universe = load_universe()
    universe.actor = "p-nora"
    again = Universe.from_state(universe.to_state())
    assert again.snapshot_hash() == universe.snapshot_hash()
    assert again.actor == "p-nora" and again.counters == universe.counters
    assert diff(universe, again) == []


def test_from_state_rejects_unknown_collections_and_bad_records() -> None:
    state = load_universe().to_state()
    with pytest.raises(InvalidInput):
        Universe.from_state({**state, "collections": {"spaceships": {}}})
    broken = {**state, "collections": {"tickets": {"X-1": {"id": "X-1"}}}}
    with pytest.raises(ValueError):
        Universe.from_state(broken)


def test_diff_lists_added_removed_and_modified_records_in_order() -> None:
    before = load_universe()
    after = before.fork()
    after.put("tickets", after.tickets["ENG-112"].model_copy(update={"assignee": "p-tom"}))
    del after.collections["docs"]["doc-handbook"]
    after.put(
        "tickets",
        Ticket(
            id="ENG-200",
            project="ENG",
            title="t",
            reporter="p-sam",
            created_at="2026-03-02T09:00:00Z",
            updated_at="2026-03-02T09:00:00Z",
        ),
    )
    changes = [(c.collection, c.id, c.kind) for c in diff(before, after)]
    assert changes == [
        ("tickets", "ENG-112", "modified"),
        ("tickets", "ENG-200", "added"),
        ("docs", "doc-handbook", "removed"),
    ]
    same = after.fork()
    same.put("tickets", same.tickets["ENG-112"].model_copy())  # equal content, new object
    assert diff(after, same) == []


def test_new_ids_follow_the_counters() -> None:
    universe = load_universe()
    assert universe.new_id("SUP") == "SUP-210"
    assert universe.new_id("PR", 1) == "PR-10"
    assert universe.new_id("brand-new", 2) == "brand-new-01"


def test_the_clock_is_frozen_and_iso_formatted() -> None:
    clock = Clock(parse_iso("2026-03-02T09:00:00Z"))
    clock.advance(90.4)
    assert clock.iso() == "2026-03-02T09:01:30Z"
    assert to_iso(parse_iso("2026-03-05T12:00")) == "2026-03-05T12:00:00Z"
    assert parse_iso("2026-03-05T13:00:00+01:00") == parse_iso("2026-03-05T12:00:00Z")
    with pytest.raises(InvalidInput):
        parse_iso("noon")


def test_searchable_text_is_cached_per_record_and_fields() -> None:
    universe = load_universe()
    ticket = universe.tickets["ENG-101"]
    assert universe.text_of(ticket, "title") == ticket.title.lower()
    assert universe.text_of(ticket, "id") == "eng-101"
    changed = ticket.model_copy(update={"title": "Other"})
    assert universe.text_of(changed, "title") == "other"
