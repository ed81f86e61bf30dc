from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from assay.envs import bundled_tasks, get_task, initial_universe, load_tasks
from assay.envs.faults import Distractor
from assay.errors import NotFound


def test_the_bundled_universe_has_at_least_thirty_tasks_across_five_categories() -> None:
    tasks = bundled_tasks()
    assert len(tasks) >= 30
    counts = Counter(t.category for t in tasks.values())
    assert set(counts) == {"engineering", "support", "hiring", "finance", "operations"}
    assert min(counts.values()) >= 5


def test_at_least_ten_tasks_run_with_faults_that_need_a_fallback() -> None:
    needing = [t for t in bundled_tasks().values() if t.needs_fallback]
    assert len(needing) >= 10
    assert all(any(not isinstance(f, Distractor) for f in t.faults) for t in needing)


def test_every_task_starts_from_a_valid_universe_with_a_known_actor() -> None:
    for task in bundled_tasks().values():
        universe = initial_universe(task)
        assert universe.actor == task.actor and not universe.actor_person.external


def test_hiring_includes_turning_a_candidate_packet_into_a_brief() -> None:
    brief = get_task("hire-brief-priya")
    assert "brief" in brief.instruction.lower() and brief.rubric


def test_tasks_load_from_a_file_and_ids_must_be_unique(tmp_path: Path) -> None:
    task = get_task("sup-retention-answer").model_dump(mode="json")
    path = tmp_path / "tasks.json"
    path.write_text(json.dumps([task]))
    assert list(load_tasks(path)) == ["sup-retention-answer"]
    path.write_text(json.dumps([task, task]))
    with pytest.raises(ValueError, match="duplicate"):
        load_tasks(path)


def test_unknown_tasks_are_not_found() -> None:
    with pytest.raises(NotFound):
        get_task("no-such-task")


def test_task_fixtures_are_added_to_the_universe() -> None:
    from tests.envs.conftest import make_task

    task = make_task(
        setup={
            "docs": [{"id": "doc-extra", "title": "Extra", "body": "b", "owner": "p-sam"}],
            "tickets": [{"project": "OPS", "title": "From a fixture", "reporter": "p-sam"}],
        }
    )
    universe = initial_universe(task)
    assert universe.docs["doc-extra"].updated_at == "2026-03-02T09:00:00Z"
    assert universe.tickets["OPS-303"].title == "From a fixture"
    assert universe.new_id("OPS") == "OPS-304"
