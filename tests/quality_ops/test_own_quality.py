"""A worker's own quality: trend with bands, review grades, flagged share, gold misses."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from assay.api.routes import me
from assay.config import Settings
from assay.domain.enums import Role
from assay.errors import PermissionDenied
from assay.services import quality_dashboards
from assay.services.actor import Actor
from assay.store.base import new_id, utcnow
from assay.store.models import Assignment, GuidelineVersion
from assay.store.models.quality_ops import QualitySignal
from tests.support.api import Keys, headers, post_ok, sentiment_project
from tests.support.factories import (
    make_organisation,
    make_project,
    make_response,
    make_review,
    make_task,
    make_worker,
)
from tests.support.routers import app_with


def _signal(
    session: Session, project_id: str, org_id: str, worker_id: str, **values: object
) -> None:
    session.add(
        QualitySignal(
            id=new_id("sig"),
            org_id=org_id,
            project_id=project_id,
            kind=str(values.pop("kind", "spammer")),
            subject_type="worker",
            subject_id=worker_id,
            worker_id=worker_id,
            score=0.9,
            flagged=True,
            threshold=0.5,
            **values,
        )
    )


def test_a_worker_sees_their_own_trend_grades_flags_and_misses_only(session: Session) -> None:
    org = make_organisation(session)
    flagged_project = make_project(session, org, name="Flagged here")
    clean_project = make_project(session, org, name="Clean")
    session.add(
        GuidelineVersion(project_id=clean_project.id, version=1, goal="Sarcasm is negative")
    )
    ana, bo = make_worker(session, org), make_worker(session, org)
    reviewer = make_worker(session, org)
    midnight = utcnow().replace(hour=0, minute=0, second=0, microsecond=0)
    yesterday = midnight - timedelta(hours=12)
    for index, (right, project) in enumerate(
        [
            (True, clean_project),
            (True, clean_project),
            (False, clean_project),
            (True, flagged_project),
        ]
    ):
        gold = make_task(session, project, is_gold=True, gold_answer={"sentiment": "neg"})
        make_response(
            session,
            gold,
            ana,
            {"sentiment": "neg" if right else "pos"},
            gold_correct=right,
            created_at=yesterday + timedelta(minutes=index),
        )
    graded = make_response(session, make_task(session, clean_project), ana, created_at=yesterday)
    make_review(session, graded, reviewer, score=0.5, created_at=yesterday)
    make_review(
        session,
        make_response(session, make_task(session, clean_project), bo),
        reviewer,
        score=0.0,
    )
    bos_gold = make_task(session, clean_project, is_gold=True, gold_answer={"sentiment": "neu"})
    make_response(session, bos_gold, bo, {"sentiment": "pos"}, gold_correct=False)
    # Ana holds a lease on a gold task she has not answered: its answer must not show.
    unanswered = make_task(session, clean_project, is_gold=True, gold_answer={"sentiment": "neu"})
    session.add(
        Assignment(
            id=new_id("asg"),
            org_id=org.id,
            project_id=clean_project.id,
            task_id=unanswered.id,
            worker_id=ana.id,
            expires_at=utcnow() + timedelta(minutes=10),
        )
    )
    _signal(session, flagged_project.id, org.id, ana.id)
    _signal(session, clean_project.id, org.id, ana.id, kind="speed", status="dismissed")
    session.flush()

    own = quality_dashboards.own_quality(
        session, Actor(org_id=org.id, role=Role.WORKER, worker_id=ana.id), "day"
    )

    summary = own.board.summary
    assert summary["responses"] == 5 and summary["gold_answers"] == 4
    assert summary["gold_accuracy"] == 0.75
    low, high = summary["gold_accuracy_band"]
    assert low < 0.75 < high
    assert summary["flagged_projects"] == 1
    day = own.board.series["gold_accuracy"][-2]
    assert day.value == 0.75 and day.n == 4 and day.low is not None and day.low < 0.75
    assert own.board.series["review_grade"][-2].value == 0.5
    assert own.board.series["review_grade"][-1].value is None  # Bo's grade is not Ana's
    assert own.board.series["flagged_share"][-2].value == pytest.approx(1 / 5)
    assert [m.expected_answer for m in own.misses] == [{"sentiment": "neg"}]
    assert own.misses[0].your_answer == {"sentiment": "pos"}
    assert own.misses[0].guideline_version == 1
    assert own.misses[0].guideline_goal == "Sarcasm is negative"
    assert all(m.task_id not in (unanswered.id, bos_gold.id) for m in own.misses)
    assert {e.worker_id for e in own.estimates} <= {ana.id}


def test_only_a_worker_key_has_an_own_quality(session: Session) -> None:
    org = make_organisation(session)
    with pytest.raises(PermissionDenied):
        quality_dashboards.own_quality(session, Actor(org_id=org.id, role=Role.REQUESTER))


@pytest.fixture
def client(settings: Settings) -> Iterator[TestClient]:
    with TestClient(app_with(settings, me.router)) as test_client:
        yield test_client


def test_me_quality_over_http_shows_only_the_callers_own_answered_gold(
    client: TestClient, keys: Keys
) -> None:
    project = post_ok(
        client, keys.requester, "/v1/projects", sentiment_project(redundancy=2, gold_rate=0.99)
    )
    gold = [
        {
            "unique_id": f"g{i}",
            "payload": {"review": f"gold-review-{i}"},
            "gold_answer": {"sentiment": "neg"},
        }
        for i in range(6)
    ]
    post_ok(client, keys.requester, f"/v1/projects/{project['id']}/tasks", {"tasks": gold})
    answered: dict[str, set[str]] = {keys.workers[0]: set(), keys.workers[1]: set()}
    for key, steps in ((keys.workers[0], 3), (keys.workers[1], 2)):
        for _ in range(40):  # gold comes 99 times in 100; the odd empty claim is retried
            if len(answered[key]) == steps:
                break
            lease = client.post(
                "/v1/work/next", json={"project_id": project["id"]}, headers=headers(key)
            )
            if lease.status_code == 404:
                continue
            body = lease.json()
            answered[key].add(body["task"]["payload"]["review"])
            post_ok(client, key, f"/v1/work/{body['id']}/submit", {"answer": {"sentiment": "pos"}})
    own = client.get("/v1/me/quality?period=day", headers=headers(keys.workers[0]))
    assert own.status_code == 200, own.text
    body = own.json()
    assert set(body["series"]) >= {"gold_accuracy", "review_grade", "flagged_share", "throughput"}
    today = body["series"]["gold_accuracy"][-1]
    assert today["value"] == 0.0 and today["n"] == 3 and 0.0 < today["high"] < 0.75
    assert body["summary"]["gold_answers"] == 3 and "estimates" not in body["summary"]
    assert {m["payload"]["review"] for m in body["gold_misses"]} == answered[keys.workers[0]]
    assert all(m["expected_answer"] == {"sentiment": "neg"} for m in body["gold_misses"])
    for i in range(6):
        review = f"gold-review-{i}"
        assert (review in own.text) is (review in answered[keys.workers[0]])
    refused = client.get("/v1/me/quality", headers=headers(keys.requester))
    assert refused.status_code == 403
    assert (
        client.get("/v1/me/quality?period=month", headers=headers(keys.workers[0])).status_code
        == 422
    )
