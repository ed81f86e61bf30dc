from __future__ import annotations

from datetime import timedelta

from assay.store import deliveries as store
from assay.store import make_engine, make_session_factory
from assay.store.base import utcnow
from tests.support.factories import make_organisation, make_project


def test_a_lost_lease_cannot_record_an_outcome(database_url: str) -> None:
    engine = make_engine(database_url)
    factory = make_session_factory(engine)
    t0 = utcnow()
    with factory() as session:
        org = make_organisation(session)
        project = make_project(session, org, callback_url="http://127.0.0.1:9/")
        store.insert_delivery(
            session,
            delivery_id=store.new_delivery_id(),
            org_id=org.id,
            project_id=project.id,
            task_id=None,
            event="ping",
            url="http://127.0.0.1:9/",
            payload={},
            now=t0,
        )
        session.commit()

        first_lease = t0 + timedelta(minutes=1)
        [slow] = store.claim_due_deliveries(session, now=t0, locked_until=first_lease, limit=5)
        assert store.claim_due_deliveries(session, now=t0, locked_until=first_lease, limit=5) == []
        # The first sender stalls past its lease; another dispatcher takes the delivery over.
        later = t0 + timedelta(minutes=2)
        second_lease = later + timedelta(minutes=1)
        [taken] = store.claim_due_deliveries(session, now=later, locked_until=second_lease, limit=5)
        assert taken.id == slow.id
        assert not store.record_delivery_success(
            session, slow.id, lease=first_lease, status_code=200, now=later
        )
        assert store.record_delivery_failure(
            session,
            slow.id,
            lease=second_lease,
            status_code=500,
            error="HTTP 500",
            next_attempt_at=later + timedelta(seconds=10),
            dead=False,
        )
        session.commit()
    with factory() as session:
        row = store.get_delivery(session, org.id, slow.id)
        assert row is not None
        assert (row.status, row.attempts, row.locked_until) == ("pending", 1, None)
        assert store.get_delivery(session, "org_other", slow.id) is None
    engine.dispose()
