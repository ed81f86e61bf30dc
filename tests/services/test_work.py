from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import Engine, event

from assay.domain.project import ProjectCreate
from assay.domain.task import TaskImport
from assay.errors import NotFound, PermissionDenied
from assay.services.actor import Actor
from assay.services.keys import authenticate, create_api_key
from assay.services.projects import create_project
from assay.services.submissions import submit_response
from assay.services.tasks import import_tasks
from assay.services.work import claim_next
from assay.store import SessionFactory, make_engine, make_session_factory
from assay.store import work as work_store
from tests.support.api import sentiment_project, sentiment_tasks

# Statements a claim runs: worker + project + guidelines, claim + task, the new lease.
CLAIM_STATEMENTS = 3
# A submit that completes a redundancy-1 task: the lease with its task and project, the
# response, the task and lease updates, the recompute job (savepoint, lookup, release), the
# task's responses, the result (lookup, insert) and the webhook outbox (task, callback URL).
SUBMIT_STATEMENTS = 12


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    engine = make_engine(database_url)
    yield engine
    engine.dispose()


def _actor(factory: SessionFactory, role: str, name: str = "") -> Actor:
    with factory() as session:
        secret = create_api_key(session, org_name="acme", role=role, name=name).secret
        return authenticate(session, secret)


def _project(factory: SessionFactory, requester: Actor, tasks: int, **settings: object) -> str:
    with factory() as session:
        body = ProjectCreate.model_validate(sentiment_project(**settings))
        project = create_project(session, requester, body)
        spec = TaskImport.model_validate({"tasks": sentiment_tasks(tasks)})
        import_tasks(session, requester, project.id, spec)
        return project.id


class StatementCounter:
    """Counts the statements an engine sends, leaving out transaction control."""

    def __init__(self, engine: Engine) -> None:
        self.count = 0
        event.listen(engine, "before_cursor_execute", self._seen)

    def _seen(self, *args: object) -> None:
        statement = str(args[2])
        if not statement.startswith(("BEGIN", "COMMIT", "ROLLBACK")):
            self.count += 1

    def take(self) -> int:
        count, self.count = self.count, 0
        return count


def test_a_work_cycle_stays_within_its_statement_budget(engine: Engine) -> None:
    factory = make_session_factory(engine)
    requester, worker = _actor(factory, "requester"), _actor(factory, "worker", "w")
    project_id = _project(factory, requester, 3, redundancy=1)
    counter = StatementCounter(engine)
    for cycle in range(3):
        with factory() as session:
            lease = claim_next(session, worker, project_id)
            claimed = counter.take()
            submit_response(session, worker, lease.assignment.id, {"sentiment": "pos"})
            submitted = counter.take()
        assert lease.guidelines is not None and lease.guidelines.version == 1
        assert lease.task.open_slots == 0
        if cycle == 0:
            # The first claim also looks for expired leases (then at most once a second) and
            # the first submit queues the project's recompute job.
            continue
        assert claimed <= CLAIM_STATEMENTS
        assert submitted <= SUBMIT_STATEMENTS


def test_work_sent_back_comes_first_with_the_current_guidelines(engine: Engine) -> None:
    factory = make_session_factory(engine)
    requester, worker = _actor(factory, "requester"), _actor(factory, "worker", "w")
    guidelines = {"goal": "Label the sentiment."}
    project_id = _project(factory, requester, 2, redundancy=1, guidelines=guidelines)
    with factory() as session:
        first = claim_next(session, worker, project_id)
        assert first.guidelines is not None and first.guidelines.goal == "Label the sentiment."
        assignment = work_store.get_assignment_for_worker(
            session, worker.org_id, first.assignment.id, str(worker.worker_id)
        )
        assert assignment is not None
        assignment.rework_reason = "Look again."
        session.commit()
    with factory() as session:
        again = claim_next(session, worker, project_id)
        assert again.assignment.id == first.assignment.id
        assert again.guidelines is not None and again.guidelines.version == 1
        other = claim_next(session, _actor(factory, "worker", "v"), project_id)
        assert other.task.id != first.task.id


def test_who_may_not_claim_is_told_why(engine: Engine) -> None:
    factory = make_session_factory(engine)
    requester, worker = _actor(factory, "requester"), _actor(factory, "worker", "w")
    project_id = _project(factory, requester, 1, required_locales=["pt-BR"])
    with factory() as session:
        with pytest.raises(NotFound):
            claim_next(session, worker, "prj_missing")
        with pytest.raises(PermissionDenied, match="locale"):
            claim_next(session, worker, project_id)
        stranger = Actor(org_id=worker.org_id, role=worker.role, worker_id="wrk_missing")
        with pytest.raises(PermissionDenied, match="paused or removed"):
            claim_next(session, stranger, project_id)
