from __future__ import annotations

import json
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient

import assay
from assay.sdk import AssayAPIError, Client, TaskInput
from tests.support.api import SENTIMENT_TEMPLATE, Keys, sentiment_tasks


def _sdk(client: TestClient, key: str) -> Client:
    return Client(str(client.base_url), key, http=client, backoff=0)


def _project(requester: Client, **settings: object) -> str:
    settings.setdefault("redundancy", 3)
    return requester.create_project("Sentiment", SENTIMENT_TEMPLATE, **settings).id


def _work_until_empty(worker: Client, vote: str) -> list[str]:
    answered = []
    while (assignment := worker.next_task()) is not None:
        assert "gold_answer" not in assignment.task.model_dump()
        submission = worker.submit(assignment.id, {"sentiment": vote}, active_time_ms=1500)
        assert submission.replayed is False
        answered.append(submission.task_id)
    return answered


def test_the_requester_and_worker_flow_end_to_end(
    client: TestClient, keys: Keys, tmp_path: Path
) -> None:
    requester = _sdk(client, keys.requester)
    project = requester.create_project(
        "Sentiment", SENTIMENT_TEMPLATE, redundancy=3, guidelines={"goal": "Train a classifier."}
    )
    assert project.redundancy == 3 and project.guideline_version == 1
    assert requester.publish_guidelines(project.id, goal="v2", principles=["Be fair"]).version == 2
    assert [g.version for g in requester.list_guidelines(project.id)] == [2, 1]
    assert requester.update_project(project.id, description="Movie reviews").description == (
        "Movie reviews"
    )
    assert [p.id for p in requester.list_projects()] == [project.id]

    calls: list[tuple[int, int | None]] = []
    report = requester.submit_tasks(
        project.id, sentiment_tasks(12), chunk_size=5, progress=lambda n, t: calls.append((n, t))
    )
    assert (report.created, report.existing, len(set(report.task_ids))) == (12, 0, 12)
    assert calls == [(5, 12), (10, 12), (12, 12)]
    # Ids sort by creation time to the millisecond, so one import's tasks come back id-sorted.
    listed = [t.id for t in requester.list_tasks(project.id, page_size=5)]
    assert listed == sorted(report.task_ids)
    assert requester.get_project(project.id).task_counts.get("open") == 12

    answered = Counter[str]()
    for key, vote in zip(keys.workers[:3], ["pos", "pos", "neg"], strict=True):
        answered.update(_work_until_empty(_sdk(client, key), vote))
    assert answered == dict.fromkeys(report.task_ids, 3)

    detail = requester.get_task(report.task_ids[0])
    assert detail.state == "complete" and len(detail.responses) == 3
    assert {r.active_time_ms for r in detail.responses} == {1500}
    assert {r.guideline_version for r in detail.responses} == {2}
    result = requester.get_result(report.task_ids[0])
    assert result.answer == {"sentiment": "pos"} and result.confidence == pytest.approx(2 / 3)

    exported = requester.export(project.id, "jsonl", "results", tmp_path / "results.jsonl")
    rows = [json.loads(line) for line in exported.read_text().splitlines()]
    assert len(rows) == 12
    assert not list(tmp_path.glob("*.part"))
    actions = {e.action for e in requester.audit_events(object_id=project.id)}
    assert {"project.create", "guidelines.publish", "project.update", "tasks.import"} <= actions


def test_resubmitting_tasks_stores_nothing_twice(client: TestClient, keys: Keys) -> None:
    requester = _sdk(client, keys.requester)
    project_id = _project(requester)
    first = requester.submit_tasks(project_id, sentiment_tasks(7), chunk_size=3)
    again = requester.submit_tasks(project_id, iter(sentiment_tasks(9)), chunk_size=4)
    assert (again.created, again.existing) == (2, 7)
    assert again.task_ids[:7] == first.task_ids
    assert len(list(requester.list_tasks(project_id))) == 9


def test_a_chunk_retried_after_a_lost_answer_is_not_stored_twice(
    client: TestClient, keys: Keys
) -> None:
    requester = _sdk(client, keys.requester)
    project_id = _project(requester)
    task_posts = 0

    def lose_second_answer(response: httpx.Response) -> None:
        # The server stored the chunk, but its answer never reaches the client.
        nonlocal task_posts
        if response.request.method == "POST" and response.request.url.path.endswith("/tasks"):
            task_posts += 1
            if task_posts == 2:
                raise httpx.ReadError("connection reset", request=response.request)

    client.event_hooks = {"request": [], "response": [lose_second_answer]}
    try:
        report = requester.submit_tasks(project_id, sentiment_tasks(10), chunk_size=4)
    finally:
        client.event_hooks = {"request": [], "response": []}
    assert task_posts == 4  # three chunks, the second one sent twice
    assert len(report.task_ids) == 10 == len(set(report.task_ids))
    assert (report.created, report.existing) == (6, 4)
    assert [t.id for t in requester.list_tasks(project_id)] == sorted(report.task_ids)


def test_chunks_sent_in_parallel_report_in_input_order(client: TestClient, keys: Keys) -> None:
    requester = _sdk(client, keys.requester)
    project_id = _project(requester)
    calls: list[tuple[int, int | None]] = []
    items = sentiment_tasks(23)
    report = requester.submit_tasks(
        project_id, items, chunk_size=5, parallel=3, progress=lambda n, t: calls.append((n, t))
    )
    assert (report.created, report.existing, len(set(report.task_ids))) == (23, 0, 23)
    assert calls == [(5, 23), (10, 23), (15, 23), (20, 23), (23, 23)]
    stored = {t.id: t.unique_id for t in requester.list_tasks(project_id)}
    assert [stored[task_id] for task_id in report.task_ids] == [t["unique_id"] for t in items]
    again = requester.submit_tasks(project_id, iter(items), chunk_size=4, parallel=2)
    assert (again.created, again.existing, again.task_ids) == (0, 23, report.task_ids)


def test_a_refused_chunk_among_parallel_ones_raises(client: TestClient, keys: Keys) -> None:
    requester = _sdk(client, keys.requester)
    project_id = _project(requester)
    items = sentiment_tasks(12)
    items[7] = {"unique_id": "bad", "payload": {"review": 7}}
    with pytest.raises(AssayAPIError) as refused:
        requester.submit_tasks(project_id, items, chunk_size=4, parallel=2)
    assert refused.value.status == 422
    stored = {t.unique_id for t in requester.list_tasks(project_id)}
    assert "bad" not in stored and {"t4", "t5", "t6"}.isdisjoint(stored)
    with pytest.raises(ValueError, match="parallel"):
        requester.submit_tasks(project_id, items, parallel=0)


def test_tasks_go_into_a_named_batch_and_typed_inputs_work(client: TestClient, keys: Keys) -> None:
    requester = _sdk(client, keys.requester)
    project_id = _project(requester)
    tasks = (
        TaskInput(unique_id=f"u{i}", payload={"review": f"r{i}"}, priority=i) for i in range(5)
    )
    report = requester.submit_tasks(project_id, tasks, batch_name="week 1", chunk_size=2)
    [batch] = requester.list_batches(project_id)
    assert report.batch_id == batch.id and batch.name == "week 1"
    assert len(list(requester.list_tasks(project_id, batch_id=batch.id))) == 5
    top = requester.set_priority(report.task_ids[0], 100)
    assert top.priority == 100
    worker = _sdk(client, keys.workers[0])
    assignment = worker.next_task(project_id)
    assert assignment is not None and assignment.task.id == report.task_ids[0]
    assert requester.cancel_task(report.task_ids[1]).state == "cancelled"


def test_heartbeat_release_and_a_retried_submit(client: TestClient, keys: Keys) -> None:
    requester = _sdk(client, keys.requester)
    project_id = _project(requester, redundancy=1)
    requester.submit_tasks(project_id, sentiment_tasks(1))
    worker = _sdk(client, keys.workers[0])
    assignment = worker.next_task(project_id)
    assert assignment is not None
    lease = worker.heartbeat(assignment.id, draft={"sentiment": "neu"})
    assert lease.status == "active" and lease.expires_at >= assignment.expires_at
    assert worker.release(assignment.id, "not my language").status == "released"
    again = worker.next_task(project_id)
    assert again is None  # a worker is never given the same task twice
    other = _sdk(client, keys.workers[1])
    assignment = other.next_task(project_id)
    assert assignment is not None
    first = other.submit(assignment.id, {"sentiment": "pos"})
    second = other.submit(assignment.id, {"sentiment": "pos"})
    assert (first.response_id, second.replayed) == (second.response_id, True)
    assert other.next_task(project_id) is None


def test_upload_media_from_bytes_and_from_a_path(
    client: TestClient, keys: Keys, tmp_path: Path
) -> None:
    requester = _sdk(client, keys.requester)
    png = b"\x89PNG\r\n\x1a\n" + bytes(64)
    media = requester.upload_media(png, "image/png", filename="dot.png")
    assert media.size_bytes == len(png) and media.reference.endswith(media.id)
    path = tmp_path / "clip.wav"
    path.write_bytes(b"RIFF" + bytes(40))
    from_path = requester.upload_media(path)
    assert from_path.content_type.startswith("audio/") and from_path.filename == "clip.wav"


def test_errors_carry_status_code_message_and_details(client: TestClient, keys: Keys) -> None:
    requester = _sdk(client, keys.requester)
    with pytest.raises(AssayAPIError) as missing:
        requester.get_project("prj_missing")
    assert (missing.value.status, missing.value.code) == (404, "not_found")
    with pytest.raises(AssayAPIError) as refused:
        _sdk(client, keys.workers[0]).create_project("x", SENTIMENT_TEMPLATE)
    assert (refused.value.status, refused.value.code) == (403, "permission_denied")
    with pytest.raises(AssayAPIError) as unknown:
        _sdk(client, "assay_not-a-real-key").list_projects()
    assert (unknown.value.status, unknown.value.code) == (401, "unauthenticated")
    project_id = _project(requester)
    bad = [*sentiment_tasks(2), {"unique_id": "bad", "payload": {"wrong": 1}}]
    with pytest.raises(AssayAPIError) as invalid:
        requester.submit_tasks(project_id, bad)
    assert (invalid.value.status, invalid.value.code) == (422, "invalid_input")
    assert invalid.value.details["problems"][0]["unique_id"] == "bad"
    assert list(requester.list_tasks(project_id)) == []
    with pytest.raises(AssayAPIError) as other_org:
        _sdk(client, keys.other_requester).get_project(project_id)
    assert other_org.value.status == 404


def _scripted(statuses: list[int | Exception], seen: list[str]) -> httpx.MockTransport:
    answers: Iterator[int | Exception] = iter(statuses)

    def handle(request: httpx.Request) -> httpx.Response:
        seen.append(request.method)
        answer = next(answers)
        if isinstance(answer, Exception):
            raise answer
        if answer >= 400:
            return httpx.Response(answer, text="upstream down")
        return httpx.Response(answer, json=[])

    return httpx.MockTransport(handle)


def test_idempotent_requests_are_retried_on_gateway_errors() -> None:
    seen: list[str] = []
    transport = _scripted([503, 502, 200], seen)
    with Client("http://assay.test", "assay_k", transport=transport, backoff=0) as sdk:
        assert sdk.list_projects() == []
    assert seen == ["GET", "GET", "GET"]


def test_retries_stop_after_max_retries_and_raise_the_parsed_error() -> None:
    seen: list[str] = []
    transport = _scripted([504, 504, 504], seen)
    sdk = Client("http://assay.test", "assay_k", transport=transport, backoff=0, max_retries=2)
    with pytest.raises(AssayAPIError) as failed:
        sdk.list_projects()
    assert (failed.value.status, failed.value.code, failed.value.message) == (
        504,
        "http_error",
        "upstream down",
    )
    assert len(seen) == 3


def test_a_lease_request_is_not_resent_after_it_may_have_reached_the_server() -> None:
    seen: list[str] = []
    transport = _scripted([503, httpx.ReadTimeout("slow")], seen)
    sdk = Client("http://assay.test", "assay_k", transport=transport, backoff=0)
    with pytest.raises(AssayAPIError):
        sdk.next_task()
    with pytest.raises(httpx.ReadTimeout):
        sdk.next_task()
    assert seen == ["POST", "POST"]


def test_a_refused_connection_is_retried_even_for_a_lease() -> None:
    seen: list[str] = []
    transport = _scripted([httpx.ConnectError("refused"), 404], seen)
    sdk = Client("http://assay.test", "assay_k", transport=transport, backoff=0)
    with pytest.raises(AssayAPIError) as missing:
        sdk.next_task()
    assert missing.value.status == 404 and seen == ["POST", "POST"]


def test_the_sdk_is_the_root_client_and_loads_no_server_code() -> None:
    assert assay.Client is Client
    probe = (
        "import sys, assay; assay.Client; "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in "
        "('fastapi', 'starlette', 'sqlalchemy', 'numpy') or m.startswith("
        "('assay.api', 'assay.services', 'assay.store', 'assay.domain'))))"
    )
    loaded = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    ).stdout
    assert loaded.strip() == "[]"
