"""Task documents: a task, its result and every response with its review chain, in one dict.

The same document is the body of a result webhook and a line of a JSONL export, so provenance
travels with every delivery: the guideline version each response was made under, the model
suggestion shown (if any), active time, client telemetry, each review, and the aggregation
method and version of the result. Datetimes stay ``datetime`` objects (UTC); serialise with
:func:`to_json_bytes`.

Gold answers are left out unless asked for (``include_gold``), and then only on gold tasks.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Sequence
from typing import Any

import orjson

from assay.errors import InvalidInput, NotFound
from assay.store import Session
from assay.store import documents as store
from assay.store.documents import Record

Document = dict[str, Any]


def to_json_bytes(document: Document) -> bytes:
    """Serialise compactly, datetimes as RFC 3339 strings."""
    return orjson.dumps(document)


def to_json_value(document: Document) -> Document:
    """Convert the document to plain JSON types (what a JSON column or a webhook holds)."""
    value: Document = orjson.loads(orjson.dumps(document))
    return value


def _review_document(review: Record) -> Document:
    return {
        "id": review.id,
        "reviewer_id": review.reviewer_id,
        "stage": review.stage,
        "verdict": review.verdict,
        "reason": review.reason,
        "score": review.score,
        "rubric": review.rubric,
        "edited_answer": review.edited_answer,
        "created_at": review.created_at,
    }


def _response_document(response: Record, reviews: list[Record]) -> Document:
    return {
        "id": response.id,
        "worker_id": response.worker_id,
        "answer": response.answer,
        "guideline_version": response.guideline_version,
        "model_suggestion": response.model_suggestion,
        "active_time_ms": response.active_time_ms,
        "telemetry": response.telemetry,
        "status": response.status,
        "gold_correct": response.gold_correct,
        "created_at": response.created_at,
        "reviews": [_review_document(review) for review in reviews],
    }


def _result_document(result: Record | None) -> Document | None:
    if result is None:
        return None
    return {
        "answer": result.answer,
        "confidence": result.confidence,
        "method": result.method,
        "method_version": result.method_version,
        "response_ids": list(result.response_ids),
        "details": result.details,
        "created_at": result.created_at,
        "delivered_at": result.delivered_at,
    }


def _task_document(
    task: Record, result: Record | None, responses: list[Document], include_gold: bool
) -> Document:
    document: Document = {
        "task_id": task.id,
        "unique_id": task.unique_id,
        "project_id": task.project_id,
        "batch_id": task.batch_id,
        "payload": task.payload,
        "metadata": task.metadata_,
        "state": task.state,
        "is_gold": task.is_gold,
        "created_at": task.created_at,
        "completed_at": task.completed_at,
        "result": _result_document(result),
        "responses": responses,
    }
    if include_gold and task.is_gold:
        document["gold_answer"] = task.gold_answer
    return document


def build_task_documents(
    session: Session, org_id: str, tasks: Sequence[Record], *, include_gold: bool = False
) -> list[Document]:
    """Build documents for tasks of one organisation in a handful of batched queries."""
    task_ids = [task.id for task in tasks]
    results = {r.task_id: r for r in store.list_results_for_tasks(session, org_id, task_ids)}
    responses = store.list_responses_for_tasks(session, org_id, task_ids)
    reviews_by_response: dict[str, list[Record]] = defaultdict(list)
    for review in store.list_reviews_for_responses(session, org_id, [r.id for r in responses]):
        reviews_by_response[review.response_id].append(review)
    responses_by_task: dict[str, list[Document]] = defaultdict(list)
    for response in responses:
        document = _response_document(response, reviews_by_response[response.id])
        responses_by_task[response.task_id].append(document)
    return [
        _task_document(task, results.get(task.id), responses_by_task[task.id], include_gold)
        for task in tasks
    ]


def result_document(session: Session, task_id: str, *, include_gold: bool = False) -> Document:
    """Build the document of one task, for internal callers that hold its id.

    Raises:
        NotFound: there is no such task.

    """
    task = store.get_task_record(session, task_id)
    if task is None:
        raise NotFound(f"No task {task_id!r}.")
    return build_task_documents(session, task.org_id, [task], include_gold=include_gold)[0]


def iter_task_documents(
    session: Session,
    org_id: str,
    project_id: str,
    *,
    batch_size: int = 1000,
    include_gold: bool = False,
    with_result_only: bool = False,
    end_transaction_per_batch: bool = False,
) -> Iterator[Document]:
    """Yield every task document of a project in task-id order, ``batch_size`` tasks per read.

    With ``end_transaction_per_batch`` each batch is read in its own short transaction, so a
    long export never holds a transaction (on SQLite: the write lock) open between batches;
    only pass it when the session carries no pending work of the caller's.
    """
    if batch_size < 1:
        raise InvalidInput("batch_size must be at least 1.")
    after_id: str | None = None
    while True:
        tasks = store.list_task_page(
            session,
            org_id,
            project_id,
            after_id=after_id,
            limit=batch_size,
            with_result_only=with_result_only,
        )
        if not tasks:
            return
        documents = build_task_documents(session, org_id, tasks, include_gold=include_gold)
        after_id = tasks[-1].id
        if end_transaction_per_batch:
            session.rollback()
        yield from documents
        if len(tasks) < batch_size:
            return
