"""Pages and page-script endpoints over HTTP: what each role sees and what it can change."""

from __future__ import annotations

from fastapi.testclient import TestClient

from assay.services import guideline_questions, submissions, work
from tests.web import seed
from tests.web.conftest import WebEnv, login


def _worked_project(web_env: WebEnv, org: seed.Org, handle: str, count: int = 2) -> str:
    project_id = seed.add_project(
        org,
        "Labels",
        seed.SENTIMENT,
        [{"review": f"Review {i}"} for i in range(count + 1)],
        pay_per_task_cents=250,
    )
    actor = seed.worker_actor(org, handle)
    with web_env.factory() as session:
        for _ in range(count):
            lease = work.claim_next(session, actor, project_id)
            submissions.submit_response(
                session,
                actor,
                lease.assignment.id,
                {"sentiment": "neutral"},
                active_time_ms=90_000,
            )
    return project_id


def test_the_task_script_endpoints_save_submit_and_skip(
    web_env: WebEnv, web_client: TestClient
) -> None:
    org = seed.new_org(web_env.factory)
    email = seed.add_account(org, "ana")
    seed.add_project(org, "Labels", seed.SENTIMENT, [{"review": "One."}, {"review": "Two."}])
    csrf = login(web_client, email, seed.PASSWORD)
    headers = {"X-CSRF-Token": csrf}
    url = web_client.post("/work/next", json={}, headers=headers).json()["url"]
    assignment = url.split("/")[2].split("?")[0]
    draft = {"answer": {"sentiment": "neutral"}, "active_time_ms": 4000}
    saved = web_client.post(f"/work/{assignment}/heartbeat", json={"draft": draft}, headers=headers)
    assert saved.status_code == 200 and "expires_at" in saved.json()
    assert '"active_time_ms": 4000' in web_client.get(url).text  # the draft comes back
    bad = web_client.post(
        f"/work/{assignment}/submit", json={"answer": {"sentiment": "joy"}}, headers=headers
    )
    assert bad.status_code == 422 and bad.json()["error"]["details"][0]["loc"] == ["sentiment"]
    done = web_client.post(
        f"/work/{assignment}/submit",
        json={
            "answer": {"sentiment": "neutral"},
            "active_time_ms": 5200,
            "telemetry": {"paste_count": 0},
        },
        headers=headers,
    )
    assert done.status_code == 200 and done.json()["replayed"] is False
    second = web_client.post("/work/next", json={}, headers=headers).json()["url"]
    skipped = web_client.post(
        f"/work/{second.split('/')[2]}/skip", json={"reason": "unclear"}, headers=headers
    )
    assert skipped.json() == {"ok": True}
    assert web_client.get(second, follow_redirects=False).headers["location"] == (
        "/queue?notice=expired"
    )


def test_quality_earnings_and_exports_for_a_worker(web_env: WebEnv, web_client: TestClient) -> None:
    org = seed.new_org(web_env.factory)
    email = seed.add_account(org, "=cmd")  # a handle a spreadsheet would run as a formula
    _worked_project(web_env, org, "=cmd")
    login(web_client, email, seed.PASSWORD)
    quality = web_client.get("/quality").text
    assert "No gold misses" in quality
    earnings = web_client.get("/earnings?period=month")
    assert earnings.status_code == 200 and "$5.00" in earnings.text
    assert earnings.text.count('class="bar"') == 6  # six months, the empty ones at zero
    export = web_client.get("/earnings.csv?period=month")
    assert export.headers["content-type"].startswith("text/csv")
    header, row = export.text.splitlines()[:2]
    assert header.startswith("period_start,tasks,pay,pay_per_task")
    assert row.split(",")[1:5] == ["2", "5.00", "2.50", "0.05"]
    assert web_client.get("/earnings?period=year").status_code == 422

    ops = TestClient(web_env.app)
    login(ops, org.email("ops"), seed.PASSWORD)
    payments = ops.get("/ops/payments.csv").text.splitlines()
    assert payments[1].startswith("'=cmd,2,5.00")


def test_guideline_questions_are_asked_answered_and_shared(
    web_env: WebEnv, web_client: TestClient
) -> None:
    org = seed.new_org(web_env.factory)
    email = seed.add_account(org, "ana")
    seed.add_account(org, "bob")
    project_id = seed.add_project(org, "Labels", seed.SENTIMENT, [{"review": "One."}])
    csrf = login(web_client, email, seed.PASSWORD)
    asked = web_client.post(
        f"/projects/{project_id}/questions",
        data={"text": "What about emoji?"},
        headers={"X-CSRF-Token": csrf, "Accept": "application/json"},
    )
    assert asked.status_code == 200 and asked.json()["guideline_version"] == 1
    page = web_client.post(
        f"/projects/{project_id}/questions",
        data={"text": "And sarcasm?", "csrf_token": csrf},
        follow_redirects=False,
    )
    assert page.status_code == 303
    with web_env.factory() as session:
        bob_sees = guideline_questions.list_questions(
            session, seed.worker_actor(org, "bob"), project_id
        )
    assert bob_sees == []  # unanswered questions stay with their author
    ops = TestClient(web_env.app)
    ops_csrf = login(ops, org.email("ops"), seed.PASSWORD)
    detail = ops.get(f"/ops/projects/{project_id}").text
    assert "What about emoji?" in detail and "And sarcasm?" in detail
    question_id = asked.json()["id"]
    answered = ops.post(
        f"/ops/questions/{question_id}/answer",
        data={"csrf_token": ops_csrf, "project_id": project_id, "text": "Label their intent."},
        follow_redirects=False,
    )
    assert answered.status_code == 303
    bob = TestClient(web_env.app)
    login(bob, org.email("bob"), seed.PASSWORD)
    guidelines = bob.get(f"/projects/{project_id}/guidelines").text
    assert "Label their intent." in guidelines and "And sarcasm?" not in guidelines


def test_profiles_are_validated_and_saved(web_env: WebEnv, web_client: TestClient) -> None:
    org = seed.new_org(web_env.factory)
    seed.add_account(org, "ana")
    worker_id = org.worker_ids["ana"]
    csrf = login(web_client, org.email("ops"), seed.PASSWORD)
    form = {
        "csrf_token": csrf,
        "display_name": "Ana Souza",
        "locales": "pt-BR, en",
        "timezone": "America/Sao_Paulo",
        "skill_path": ["medicine.cardiology", ""],
        "skill_level": ["expert", "novice"],
        "cred_name": ["MD"],
        "cred_issuer": ["USP"],
        "cred_year": ["2012"],
        "cred_verified": ["yes"],
    }
    saved = web_client.post(f"/ops/workers/{worker_id}", data=form, follow_redirects=False)
    assert saved.status_code == 303
    page = web_client.get(f"/ops/workers/{worker_id}").text
    assert 'value="medicine.cardiology"' in page and 'value="USP"' in page
    roster = web_client.get("/ops/workers").text
    assert "Ana Souza" in roster and "pt-BR, en" in roster
    wrong = web_client.post(f"/ops/workers/{worker_id}", data={**form, "locales": "portuguese!!"})
    assert wrong.status_code == 422 and "locales" in wrong.text
    bad_status = web_client.post(
        f"/ops/workers/{worker_id}/status", data={"csrf_token": csrf, "status": "fired"}
    )
    assert bad_status.status_code == 422 and "Choose a known status" in bad_status.text


def test_operations_pages_render_progress_and_charts(
    web_env: WebEnv, web_client: TestClient
) -> None:
    org = seed.new_org(web_env.factory)
    seed.add_account(org, "ana")
    project_id = _worked_project(web_env, org, "ana", count=2)
    login(web_client, org.email("ops"), seed.PASSWORD)
    overview = web_client.get("/ops").text
    assert "Labels" in overview and "open 1" in overview and "<svg" in overview
    detail = web_client.get(f"/ops/projects/{project_id}").text
    assert detail.count('class="bar"') == 14 and "accepted 2" in detail
    payments = web_client.get("/ops/payments?start=2000-01-01").text
    assert "$5.00" in payments and "ana" in payments
    assert web_client.get("/queue").status_code == 403  # no worker behind this account
