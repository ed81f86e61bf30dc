from __future__ import annotations

import pytest

from assay.errors import InvalidInput, NotFound
from assay.services.documents import iter_task_documents, result_document, to_json_value
from assay.store import make_engine, make_session_factory
from tests.support.factories import (
    make_completed_task,
    make_organisation,
    make_project,
    make_task,
    make_worker,
)


def test_documents_page_through_a_project_in_id_order(database_url: str) -> None:
    engine = make_engine(database_url)
    with make_session_factory(engine)() as session:
        org, other = make_organisation(session), make_organisation(session)
        worker = make_worker(session, org)
        project = make_project(session, org)
        gold = make_completed_task(
            session, project, [worker], is_gold=True, gold_answer={"sentiment": "neg"}
        )
        plain = [make_task(session, project) for _ in range(4)]
        make_task(session, make_project(session, other))
        session.commit()

        documents = list(iter_task_documents(session, org.id, project.id, batch_size=2))
        assert [d["task_id"] for d in documents] == sorted([gold.id] + [t.id for t in plain])
        assert all("gold_answer" not in d for d in documents)
        with_gold = list(
            iter_task_documents(
                session,
                org.id,
                project.id,
                include_gold=True,
                with_result_only=True,
                end_transaction_per_batch=True,
            )
        )
        assert [(d["task_id"], d["gold_answer"]) for d in with_gold] == [
            (gold.id, {"sentiment": "neg"})
        ]
        assert list(iter_task_documents(session, other.id, project.id)) == []
        with pytest.raises(InvalidInput):
            next(iter_task_documents(session, org.id, project.id, batch_size=0))

        document = result_document(session, gold.id)
        assert "gold_answer" not in document and document["is_gold"] is True
        assert result_document(session, gold.id, include_gold=True)["gold_answer"] == {
            "sentiment": "neg"
        }
        plain_json = to_json_value(document)
        assert isinstance(plain_json["created_at"], str)
        assert plain_json["result"]["response_ids"] == document["result"]["response_ids"]
        with pytest.raises(NotFound):
            result_document(session, "tsk_missing")
    engine.dispose()
