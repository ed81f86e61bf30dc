from __future__ import annotations

import json
from importlib import resources

import pytest

from assay.envs import build_universe, load_universe
from assay.envs.generate import make_record
from assay.envs.records import Doc, Email
from assay.errors import InvalidInput


def _spec() -> dict[str, object]:
    return dict(
        json.loads(
            resources.files("assay.envs")
            .joinpath("data", "startup", "universe.json")
            .read_text("utf-8")
        )
    )


def test_building_from_the_spec_is_deterministic() -> None:
    assert build_universe(_spec()).snapshot_hash() == build_universe(_spec()).snapshot_hash()
    other = _spec()
    other["filler"] = {**other["filler"], "seed": 8}  # type: ignore[dict-item]
    assert build_universe(other).snapshot_hash() != build_universe(_spec()).snapshot_hash()


def test_the_startup_has_a_dozen_people_and_a_few_hundred_messages() -> None:
    universe = load_universe()
    staff = [p for p in universe.people.values() if not p.external and not p.members]
    assert len(staff) == 12
    assert 300 <= len(universe.emails) + len(universe.chat) <= 1000
    assert (
        len(universe.tickets) >= 50
        and len(universe.pull_requests) >= 5
        and len(universe.docs) >= 15
    )


def test_branches_inherit_the_files_they_did_not_change() -> None:
    universe = load_universe()
    assert (
        universe.files["feature/retry-backoff:README.md"].content
        == universe.files["main:README.md"].content
    )
    assert (
        universe.files["feature/retry-backoff:src/api/retry.py"].content
        != universe.files["main:src/api/retry.py"].content
    )


def test_make_record_fills_ids_and_times_and_updates_existing_records() -> None:
    universe = load_universe()
    raw = {"sender": "A@X.example", "to": ["B@X.example"], "subject": "s", "body": "b"}
    mail = make_record(universe, "emails", raw)
    assert isinstance(mail, Email)
    assert (mail.id, mail.thread_id, mail.sender) == ("m-0925", "t-0925", "a@x.example")
    doc = make_record(universe, "docs", {"id": "doc-budget", "body": "new"})
    assert isinstance(doc, Doc)
    assert doc.title == "2026 budget plan" and doc.updated_at == "2026-03-02T09:00:00Z"
    with pytest.raises(InvalidInput):
        make_record(universe, "spaceships", {})
    with pytest.raises(InvalidInput):
        make_record(universe, "tickets", {"project": "ENG"})
