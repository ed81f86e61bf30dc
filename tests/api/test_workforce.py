from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from assay.api.app import create_app
from assay.config import Settings
from tests.support.api import (
    SENTIMENT_TEMPLATE,
    Keys,
    headers,
    post_ok,
    sentiment_project,
    sentiment_tasks,
)


def _worker_id(client: TestClient, key: str) -> str:
    return str(client.get("/v1/me", headers=headers(key)).json()["id"])


def _answer_next(client: TestClient, key: str, vote: str, project_id: str | None = None) -> Any:
    lease = post_ok(client, key, "/v1/work/next", {"project_id": project_id})
    post_ok(client, key, f"/v1/work/{lease['id']}/submit", {"answer": {"sentiment": vote}})
    return lease


def test_passing_a_qualification_grants_the_skill_and_opens_the_project(
    client: TestClient, keys: Keys
) -> None:
    worker = keys.workers[0]
    gated = post_ok(
        client,
        keys.requester,
        "/v1/projects",
        sentiment_project(required_skills=["reviews.sentiment:advanced"]),
    )
    post_ok(
        client, keys.requester, f"/v1/projects/{gated['id']}/tasks", {"tasks": sentiment_tasks(2)}
    )
    assert client.post("/v1/work/next", json={}, headers=headers(worker)).status_code == 404
    test = post_ok(
        client,
        keys.requester,
        "/v1/qualifications",
        {
            "name": "Sentiment test",
            "skill": "reviews.sentiment",
            "level": "advanced",
            "min_accuracy": 0.6,
            "template": SENTIMENT_TEMPLATE,
            "tasks": [
                {
                    "unique_id": f"q{i}",
                    "payload": {"review": f"R{i}"},
                    "gold_answer": {"sentiment": g},
                }
                for i, g in enumerate(["pos", "neg", "neu"])
            ],
        },
    )
    for vote in ["pos", "neg", "pos"]:  # two of three right: passes at 0.6
        _answer_next(client, worker, vote, test["id"])
    statuses = client.get("/v1/me/qualifications", headers=headers(worker)).json()
    assert statuses[0]["passed"] is True and statuses[0]["answered"] == 3
    assert client.get("/v1/me", headers=headers(worker)).json()["skills"] == {
        "reviews.sentiment": "advanced"
    }
    lease = post_ok(client, worker, "/v1/work/next", {})
    assert lease["project"]["id"] == gated["id"]


def test_failing_a_qualification_grants_nothing(client: TestClient, keys: Keys) -> None:
    worker = keys.workers[1]
    test = post_ok(
        client,
        keys.requester,
        "/v1/qualifications",
        {
            "name": "Strict",
            "skill": "law.finance",
            "min_accuracy": 1.0,
            "template": SENTIMENT_TEMPLATE,
            "tasks": [
                {"unique_id": "q", "payload": {"review": "x"}, "gold_answer": {"sentiment": "neg"}}
            ],
        },
    )
    _answer_next(client, worker, "pos", test["id"])
    assert client.get("/v1/me/qualifications", headers=headers(worker)).json()[0]["passed"] is False
    assert client.get("/v1/me", headers=headers(worker)).json()["skills"] == {}
    misses = client.get("/v1/me/gold-misses", headers=headers(worker)).json()
    assert misses[0]["expected_answer"] == {"sentiment": "neg"}
    assert misses[0]["your_answer"] == {"sentiment": "pos"}


def test_locale_routing(client: TestClient, keys: Keys) -> None:
    project = post_ok(
        client, keys.requester, "/v1/projects", sentiment_project(required_locales=["pt-BR"])
    )
    post_ok(
        client, keys.requester, f"/v1/projects/{project['id']}/tasks", {"tasks": sentiment_tasks(1)}
    )
    worker = keys.workers[0]
    assert client.post("/v1/work/next", json={}, headers=headers(worker)).status_code == 404
    client.patch(
        f"/v1/workers/{_worker_id(client, worker)}",
        json={"locales": ["pt"]},
        headers=headers(keys.requester),
    )
    assert client.post("/v1/work/next", json={}, headers=headers(worker)).status_code == 200


def test_gold_is_injected_hidden_and_misses_are_explained(settings: Settings, keys: Keys) -> None:
    # Seeded: the first claim's draw is one of the 99 in 100 that serve gold, every run.
    seeded = settings.model_copy(update={"random_seed": 0})
    with TestClient(create_app(seeded)) as client:
        _gold_is_injected_hidden_and_misses_are_explained(client, keys)


def _gold_is_injected_hidden_and_misses_are_explained(client: TestClient, keys: Keys) -> None:
    project = post_ok(
        client,
        keys.requester,
        "/v1/projects",
        sentiment_project(
            gold_rate=0.99,
            redundancy=1,
            guidelines={"goal": "Be exact", "principles": ["Sarcasm is negative"]},
        ),
    )
    tasks = [
        *sentiment_tasks(3),
        {
            "unique_id": "gold",
            "payload": {"review": "Great, broke again."},
            "gold_answer": {"sentiment": "neg"},
        },
    ]
    post_ok(client, keys.requester, f"/v1/projects/{project['id']}/tasks", {"tasks": tasks})
    worker = keys.workers[2]
    lease = post_ok(client, worker, "/v1/work/next", {})
    assert lease["task"]["payload"] == {"review": "Great, broke again."}
    assert "gold" not in str(lease).lower()
    submitted = post_ok(
        client, worker, f"/v1/work/{lease['id']}/submit", {"answer": {"sentiment": "pos"}}
    )
    assert "gold" not in str(submitted).lower()
    misses = client.get("/v1/me/gold-misses", headers=headers(worker)).json()
    assert misses[0]["guideline_principles"] == ["Sarcasm is negative"]
    other = client.get("/v1/me/gold-misses", headers=headers(keys.workers[3])).json()
    assert other == []
    # Workers cannot read tasks or other workers' responses through requester routes.
    assert (
        client.get(f"/v1/tasks/{lease['task']['id']}", headers=headers(worker)).status_code == 403
    )


def test_reject_sends_work_back_for_rework_then_accept_completes(
    client: TestClient, keys: Keys
) -> None:
    project = post_ok(
        client,
        keys.requester,
        "/v1/projects",
        sentiment_project(
            redundancy=1, review_policy={"stages": [{"name": "review", "on_reject": "rework"}]}
        ),
    )
    post_ok(
        client, keys.requester, f"/v1/projects/{project['id']}/tasks", {"tasks": sentiment_tasks(1)}
    )
    author = keys.workers[0]
    first = _answer_next(client, author, "pos")
    item = post_ok(client, keys.reviewer, "/v1/reviews/next", {})
    assert item["answer"] == {"sentiment": "pos"} and item["stage"] == "review"
    no_reason = client.post(
        f"/v1/reviews/{item['response_id']}",
        json={"verdict": "reject"},
        headers=headers(keys.reviewer),
    )
    assert no_reason.status_code == 422
    post_ok(
        client,
        keys.reviewer,
        f"/v1/reviews/{item['response_id']}",
        {"verdict": "reject", "reason": "It is sarcastic: negative."},
    )
    rework = client.get("/v1/me/rework", headers=headers(author)).json()
    assert rework[0]["rework_reason"] == "It is sarcastic: negative."
    again = post_ok(client, author, "/v1/work/next", {})
    assert again["id"] == first["id"] and again["draft"] == {"answer": {"sentiment": "pos"}}
    post_ok(client, author, f"/v1/work/{again['id']}/submit", {"answer": {"sentiment": "neg"}})
    item = post_ok(client, keys.reviewer, "/v1/reviews/next", {})
    post_ok(client, keys.reviewer, f"/v1/reviews/{item['response_id']}", {"verdict": "accept"})
    detail = client.get(f"/v1/tasks/{first['task']['id']}", headers=headers(keys.requester)).json()
    assert detail["state"] == "complete" and detail["result"]["answer"] == {"sentiment": "neg"}
    assert [r["status"] for r in detail["responses"]] == ["rejected", "accepted"]
    assert detail["responses"][0]["reviews"][0]["verdict"] == "reject"


def test_reject_with_reassign_gives_the_task_to_someone_else(
    client: TestClient, keys: Keys
) -> None:
    project = post_ok(
        client,
        keys.requester,
        "/v1/projects",
        sentiment_project(
            redundancy=1, review_policy={"stages": [{"name": "review", "on_reject": "reassign"}]}
        ),
    )
    post_ok(
        client, keys.requester, f"/v1/projects/{project['id']}/tasks", {"tasks": sentiment_tasks(1)}
    )
    _answer_next(client, keys.workers[0], "pos")
    item = post_ok(client, keys.reviewer, "/v1/reviews/next", {})
    post_ok(
        client,
        keys.reviewer,
        f"/v1/reviews/{item['response_id']}",
        {"verdict": "reject", "reason": "wrong"},
    )
    assert (
        client.post("/v1/work/next", json={}, headers=headers(keys.workers[0])).status_code == 404
    )
    assert (
        client.post("/v1/work/next", json={}, headers=headers(keys.workers[1])).status_code == 200
    )


def test_reviewers_never_get_their_own_work_and_edits_become_the_result(
    client: TestClient, keys: Keys
) -> None:
    project = post_ok(
        client,
        keys.requester,
        "/v1/projects",
        sentiment_project(redundancy=1, review_policy={"stages": [{"name": "review"}]}),
    )
    post_ok(
        client, keys.requester, f"/v1/projects/{project['id']}/tasks", {"tasks": sentiment_tasks(1)}
    )
    _answer_next(client, keys.reviewer, "pos")
    assert (
        client.post("/v1/reviews/next", json={}, headers=headers(keys.reviewer)).status_code == 404
    )
    post_ok(
        client,
        keys.requester,
        f"/v1/projects/{project['id']}/tasks",
        {"tasks": sentiment_tasks(1, prefix="second")},
    )
    lease = _answer_next(client, keys.workers[0], "pos")
    item = post_ok(client, keys.reviewer, "/v1/reviews/next", {})
    post_ok(
        client,
        keys.reviewer,
        f"/v1/reviews/{item['response_id']}",
        {"verdict": "accept", "edited_answer": {"sentiment": "neu"}},
    )
    detail = client.get(f"/v1/tasks/{lease['task']['id']}", headers=headers(keys.requester)).json()
    assert detail["result"]["answer"] == {"sentiment": "neu"}
    assert detail["responses"][0]["answer"] == {"sentiment": "pos"}  # the original is kept


def test_earnings_and_payment_report(client: TestClient, keys: Keys) -> None:
    project = post_ok(
        client,
        keys.requester,
        "/v1/projects",
        sentiment_project(redundancy=1, pay_per_task_cents=25),
    )
    post_ok(
        client, keys.requester, f"/v1/projects/{project['id']}/tasks", {"tasks": sentiment_tasks(2)}
    )
    worker = keys.workers[0]
    for _ in range(2):
        lease = post_ok(client, worker, "/v1/work/next", {})
        post_ok(
            client,
            worker,
            f"/v1/work/{lease['id']}/submit",
            {"answer": {"sentiment": "pos"}, "active_time_ms": 90_000},
        )
    rows = client.get("/v1/me/earnings", params={"period": "day"}, headers=headers(worker)).json()
    assert rows[0]["tasks"] == 2 and rows[0]["pay_cents"] == 50
    assert rows[0]["per_hour_cents"] == 1000  # 50 cents in 3 minutes
    report = client.get(
        "/v1/payments",
        params={"start": "2000-01-01T00:00:00Z", "end": "2100-01-01T00:00:00Z", "format": "csv"},
        headers=headers(keys.requester),
    )
    assert report.status_code == 200 and "worker-0,2,50,180,1000" in report.text


def test_guideline_questions_are_answered_for_everyone(client: TestClient, keys: Keys) -> None:
    project = post_ok(client, keys.requester, "/v1/projects", sentiment_project())
    url = f"/v1/projects/{project['id']}/questions"
    asked = post_ok(client, keys.workers[0], url, {"text": "Is sarcasm negative?"})
    assert client.get(url, headers=headers(keys.workers[1])).json() == []
    post_ok(client, keys.requester, f"/v1/questions/{asked['id']}/answer", {"text": "Yes."})
    seen = client.get(url, headers=headers(keys.workers[1])).json()
    assert seen[0]["answer"] == "Yes." and seen[0]["guideline_version"] == 1


def test_worker_status_changes_are_audited_and_pausing_stops_work(
    client: TestClient, keys: Keys
) -> None:
    project = post_ok(client, keys.requester, "/v1/projects", sentiment_project())
    post_ok(
        client, keys.requester, f"/v1/projects/{project['id']}/tasks", {"tasks": sentiment_tasks(1)}
    )
    worker_id = _worker_id(client, keys.workers[0])
    post_ok(
        client,
        keys.requester,
        f"/v1/workers/{worker_id}/status",
        {"status": "paused", "reason": "spam"},
    )
    assert (
        client.post("/v1/work/next", json={}, headers=headers(keys.workers[0])).status_code == 403
    )
    audit = client.get(
        "/v1/audit", params={"object_id": worker_id}, headers=headers(keys.requester)
    ).json()
    assert audit[0]["after"] == {"status": "paused", "reason": "spam"}
    roster = client.get("/v1/workers", headers=headers(keys.requester)).json()
    assert {r["worker"]["handle"] for r in roster} >= {"worker-0", "reviewer-0"}
    assert client.get("/v1/workers", headers=headers(keys.workers[1])).status_code == 403
