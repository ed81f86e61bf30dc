from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session

from assay.store import SessionFactory, make_engine, make_session_factory, queue
from assay.store.base import new_id, utcnow
from assay.store.models import Assignment, GuidelineVersion, Project, Task, Worker
from assay.store.models.quality_ops import WorkerSkillEstimate
from tests.support.factories import make_organisation, make_project, make_task, make_worker


@pytest.fixture
def factory(database_url: str) -> Iterator[SessionFactory]:
    engine = make_engine(database_url)
    yield make_session_factory(engine)
    engine.dispose()


def _lease(session: Session, task: Task, worker: Worker, **overrides: object) -> Assignment:
    now = utcnow()
    values: dict[str, object] = {"status": "active", "expires_at": now + timedelta(minutes=15)}
    values.update(overrides)
    assignment = Assignment(
        id=new_id("asg"),
        org_id=task.org_id,
        project_id=task.project_id,
        task_id=task.id,
        worker_id=worker.id,
        **values,
    )
    session.add(assignment)
    session.flush()
    return assignment


def _accuracy(session: Session, worker: Worker, project: Project, mean: float) -> None:
    session.add(
        WorkerSkillEstimate(
            org_id=worker.org_id,
            worker_id=worker.id,
            skill=f"project:{project.id}",
            source="combined",
            mean=mean,
            low=mean - 0.05,
            high=mean + 0.05,
        )
    )
    session.flush()


def test_an_expert_slot_goes_only_to_a_worker_accurate_enough(factory: SessionFactory) -> None:
    with factory() as session:
        org = make_organisation(session)
        project = make_project(session, org)
        expert_task = make_task(session, project, min_worker_accuracy=0.9, priority=5)
        plain_task = make_task(session, project)
        expert, novice, unknown = (make_worker(session, org) for _ in range(3))
        _accuracy(session, expert, project, 0.95)
        _accuracy(session, novice, project, 0.8)
        skills = [f"project:{project.id}"]

        def claim(worker: Worker) -> str | None:
            task = queue.claim_task(
                session, project_ids=[project.id], worker_id=worker.id, gold=False, skills=skills
            )
            return None if task is None else task.id

        assert claim(novice) == plain_task.id
        assert claim(unknown) == plain_task.id
        assert claim(expert) == expert_task.id  # the higher priority, now that it may
        session.refresh(expert_task)
        assert expert_task.open_slots == project.redundancy - 1


def test_a_claim_returns_the_task_with_its_slot_taken(factory: SessionFactory) -> None:
    with factory() as session:
        org = make_organisation(session)
        project = make_project(session, org, redundancy=1)
        task = make_task(session, project, payload={"review": "Fine."})
        worker = make_worker(session, org)
        claimed = queue.claim_task(
            session, project_ids=[project.id], worker_id=worker.id, gold=False
        )
        assert claimed is not None
        assert (claimed.id, claimed.open_slots, claimed.payload) == (task.id, 0, task.payload)
        assert (
            queue.claim_task(session, project_ids=[project.id], worker_id="w", gold=False) is None
        )
        assert queue.claim_task(session, project_ids=[], worker_id=worker.id, gold=False) is None


def test_reaping_every_second_skips_a_project_reaped_just_now(factory: SessionFactory) -> None:
    every = timedelta(seconds=1)
    with factory() as session:
        org = make_organisation(session)
        project = make_project(session, org, redundancy=1)
        worker = make_worker(session, org)
        now = utcnow()
        overdue = {"expires_at": now - timedelta(seconds=1)}
        for _ in range(2):
            _lease(session, make_task(session, project, open_slots=0), worker, **overdue)

        def reap(at: timedelta, limit: int = 200) -> int:
            return queue.reap_expired_leases(
                session, project_ids=[project.id], now=now + at, limit=limit, every=every
            )

        # A sweep that hit its limit is not remembered: the next claim goes on reaping.
        assert reap(timedelta(0), limit=1) == 1
        assert reap(timedelta(0), limit=1) == 1
        assert reap(timedelta(0)) == 0  # nothing left: remembered
        _lease(session, make_task(session, project, open_slots=0), worker, **overdue)
        assert reap(timedelta(milliseconds=500)) == 0  # reaped less than a second ago
        assert reap(timedelta(seconds=2)) == 1
        # Without ``every`` nothing is skipped.
        _lease(session, make_task(session, project, open_slots=0), worker, **overdue)
        assert queue.reap_expired_leases(session, project_ids=[project.id], now=now) == 1
        slots = session.query(Task.open_slots).filter(Task.project_id == project.id).all()
        assert sorted(s for (s,) in slots) == [1, 1, 1, 1]


def test_the_claim_context_and_the_lease_are_read_in_one_go(factory: SessionFactory) -> None:
    with factory() as session:
        org = make_organisation(session)
        project = make_project(session, org, guideline_version=2)
        for version in (1, 2):
            session.add(
                GuidelineVersion(project_id=project.id, version=version, goal=f"v{version}")
            )
        other = make_project(session, make_organisation(session))
        worker, colleague = make_worker(session, org), make_worker(session, org)
        task = make_task(session, project)

        context = queue.load_claim_context(session, org.id, worker.id, project.id)
        assert context is not None and context.worker.id == worker.id
        assert context.project is not None and context.project.id == project.id
        assert context.guidelines is not None and context.guidelines.goal == "v2"
        assert context.has_rework is False
        assert queue.load_claim_context(session, org.id, "wrk_missing", project.id) is None
        foreign = queue.load_claim_context(session, org.id, worker.id, other.id)
        assert foreign is not None and foreign.project is None

        lease = _lease(session, task, worker, rework_reason="Read the guidelines again.")
        context = queue.load_claim_context(session, org.id, worker.id, None)
        assert context is not None and context.has_rework and context.project is None
        found = queue.lock_lease(session, org.id, lease.id, worker.id)
        assert found is not None and [r.id for r in found] == [lease.id, task.id, project.id]
        assert queue.lock_lease(session, org.id, lease.id, colleague.id) is None
        assert queue.lock_lease(session, other.org_id, lease.id, worker.id) is None


def _assignment_rows_read(session: Session) -> int:
    """Rows of ``assignments`` this transaction has read so far (PostgreSQL's own count)."""
    read = session.execute(
        text(
            "SELECT coalesce(seq_tup_read, 0) + coalesce(idx_tup_fetch, 0)"
            " FROM pg_stat_xact_user_tables WHERE relname = 'assignments'"
        )
    )
    return int(read.scalar_one())


def test_a_claim_does_not_read_the_workers_whole_history(postgres_url: str) -> None:
    # Fresh statistics say the worker has done next to nothing, as they do after an import;
    # a planner trusting them would read every one of the worker's assignments per claim.
    engine = make_engine(postgres_url)
    with make_session_factory(engine)() as session:
        org = make_organisation(session)
        project = make_project(session, org, redundancy=2)
        worker = make_worker(session, org)
        for _ in range(300):
            done = make_task(session, project, state="complete", open_slots=0)
            _lease(session, done, worker, status="submitted")
        fresh = make_task(session, project)
        session.commit()

        before = _assignment_rows_read(session)
        context = queue.load_claim_context(session, org.id, worker.id, project.id)
        assert context is not None and not context.has_rework
        claimed = queue.claim_task(
            session, project_ids=[project.id], worker_id=worker.id, gold=False
        )
        assert claimed is not None and claimed.id == fresh.id
        # The rework check reads the worker's open leases (none), the claim probes the
        # (task, worker) index once per candidate: neither reads the 300 past leases.
        assert _assignment_rows_read(session) - before <= 2
    engine.dispose()
