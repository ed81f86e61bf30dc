from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import select

from assay.errors import InvalidInput
from assay.store import SessionFactory, make_engine, make_session_factory
from assay.store import tasks as store
from assay.store.base import new_ids, utcnow
from assay.store.models import Task
from tests.support.factories import make_batch, make_organisation, make_project

# Every column a bulk import writes, compared between the bulk path and the ORM.
COLUMNS = (
    "org_id",
    "project_id",
    "batch_id",
    "payload",
    "metadata_",
    "priority",
    "state",
    "is_gold",
    "gold_answer",
    "redundancy",
    "open_slots",
    "response_count",
    "min_worker_accuracy",
    "variant_id",
    "created_at",
    "updated_at",
    "completed_at",
)
PAYLOAD = {"review": 'héllo ☃ "quoted"\n\ttab \\ \u0001', "n": 1.5, "big": 10**15, "l": [None]}


@pytest.fixture
def factory(database_url: str) -> Iterator[SessionFactory]:
    engine = make_engine(database_url)
    yield make_session_factory(engine)
    engine.dispose()


def _rows(prefix: str, gold: bool) -> list[store.NewTask]:
    answer = {"sentiment": "pos"} if gold else None
    ids = new_ids("tsk", 3)
    return [
        (
            ids[i],
            f"{prefix}{i}",
            {**PAYLOAD, "i": i},
            {"m": [i]},
            i - 1,
            gold,
            answer,
            0 if gold else 2,
        )
        for i in range(3)
    ]


def _stored(factory: SessionFactory, unique_id: str) -> dict[str, Any]:
    with factory() as session:
        task = session.scalar(select(Task).where(Task.unique_id == unique_id))
        assert task is not None
        stored = {column: getattr(task, column) for column in COLUMNS}
        # A JSON null and an SQL NULL both read back as None; queries tell them apart.
        is_null = Task.gold_answer.is_(None)
        stored["sql_null"] = session.scalar(select(is_null).where(Task.id == task.id))
        return stored


def test_the_bulk_insert_stores_exactly_what_the_orm_stores(factory: SessionFactory) -> None:
    now = utcnow()
    with factory() as session:
        project = make_project(session, make_organisation(session))
        batch = make_batch(session, project)
        for gold in (False, True):
            rows = _rows(f"bulk-{gold}-", gold)
            tasks = store.NewTasks(project.org_id, project.id, batch.id, 2, now, rows)
            assert store.insert_new_tasks(session, tasks) == {row[1] for row in rows}
            for task_id, unique_id, payload, metadata, priority, is_gold, answer, slots in rows:
                session.add(
                    Task(
                        id=task_id.replace("tsk_", "orm_"),
                        org_id=project.org_id,
                        project_id=project.id,
                        batch_id=batch.id,
                        unique_id=unique_id.replace("bulk", "orm"),
                        payload=payload,
                        metadata_=metadata,
                        priority=priority,
                        state="open",
                        is_gold=is_gold,
                        gold_answer=answer,
                        redundancy=2,
                        open_slots=slots,
                        response_count=0,
                        created_at=now,
                        updated_at=now,
                    )
                )
        session.commit()
    for gold in (False, True):
        for i in range(3):
            bulk = _stored(factory, f"bulk-{gold}-{i}")
            assert bulk == _stored(factory, f"orm-{gold}-{i}")
            assert bulk["payload"] == {**PAYLOAD, "i": i}
            assert (bulk["is_gold"], bulk["open_slots"]) == (gold, 0 if gold else 2)


def test_existing_unique_ids_are_skipped_and_found(factory: SessionFactory) -> None:
    with factory() as session:
        project = make_project(session, make_organisation(session))
        first = _rows("u", gold=False)
        shared = (project.org_id, project.id, None, 2, utcnow())
        assert store.insert_new_tasks(session, store.NewTasks(*shared, first[:2])) == {"u0", "u1"}
        again = _rows("u", gold=False)  # same unique ids, new task ids
        assert store.insert_new_tasks(session, store.NewTasks(*shared, again)) == {"u2"}
        assert store.insert_new_tasks(session, store.NewTasks(*shared, again)) == set()
        found = store.find_task_ids_by_unique_id(session, project.id, ["u0", "u2", "nope"])
        assert found == {"u0": first[0][0], "u2": again[2][0]}
        session.commit()


def test_a_payload_json_cannot_hold_is_refused_not_a_server_error(
    factory: SessionFactory,
) -> None:
    with factory() as session:
        project = make_project(session, make_organisation(session))
        [row] = _rows("x", gold=False)[:1]
        huge = (*row[:2], {"review": "r", "n": 2**70}, *row[3:])
        tasks = store.NewTasks(project.org_id, project.id, None, 2, utcnow(), [huge])
        with pytest.raises(InvalidInput, match="JSON"):
            store.insert_new_tasks(session, tasks)
