"""Through the web UI, a worker never gets a gold answer, another worker's response, or a task
of a project they are not qualified for; other organisations' data stays out of reach."""

from __future__ import annotations

import json
import re

from fastapi.testclient import TestClient

from assay.services import submissions, work
from tests.web import seed
from tests.web.conftest import WebEnv, login

GOLD_SECRET = "zebra-only-the-server-knows"


def _page_data(html: str) -> dict[str, object]:
    match = re.search(r'<script type="application/json" id="page-data">(.*?)</script>', html, re.S)
    assert match is not None
    data: dict[str, object] = json.loads(match.group(1))
    return data


def _start(client: TestClient, csrf: str, project_id: str) -> str:
    answer = client.post(
        "/work/start",
        data={"csrf_token": csrf, "project_id": project_id},
        follow_redirects=False,
    )
    assert answer.status_code == 303
    return str(answer.headers["location"])


def test_a_gold_task_page_carries_neither_the_gold_answer_nor_metadata(
    web_env: WebEnv, web_client: TestClient
) -> None:
    org = seed.new_org(web_env.factory)
    email = seed.add_account(org, "ana")
    template = {
        **seed.SENTIMENT,
        "questions": [
            {
                **seed.SENTIMENT["questions"][0],
                "options": [*seed.SENTIMENT["questions"][0]["options"], {"value": GOLD_SECRET}],
            }
        ],
    }
    test_id = seed.add_qualification(
        org,
        "Test",
        "sentiment",
        template,
        [({"review": "Great.", "internal_note": "do not show"}, {"sentiment": GOLD_SECRET})],
        min_accuracy=1.0,
    )
    csrf = login(web_client, email, seed.PASSWORD)
    page = web_client.get(_start(web_client, csrf, test_id))
    data = _page_data(page.text)
    assert data["payload"] == {"review": "Great."}
    assert "gold" not in page.text.lower()
    assert "do not show" not in page.text
    # The secret is an option, so it appears once, in the template, never as an answer.
    assert page.text.count(GOLD_SECRET) == 1
    queue = web_client.get("/quality").text
    assert GOLD_SECRET not in queue  # not answered yet: no feedback to show


def test_another_workers_lease_and_response_are_out_of_reach(
    web_env: WebEnv, web_client: TestClient
) -> None:
    org = seed.new_org(web_env.factory)
    seed.add_account(org, "ana")
    bob_email = seed.add_account(org, "bob")
    policy = {"stages": [{"name": "review", "sample_rate": 1.0}]}
    project_id = seed.add_project(
        org,
        "Labels",
        seed.SENTIMENT,
        [{"review": "One."}, {"review": "Two."}],
        review_policy=policy,
    )
    ana = seed.worker_actor(org, "ana")
    with web_env.factory() as session:
        done = work.claim_next(session, ana, project_id)
        response = submissions.submit_response(
            session, ana, done.assignment.id, {"sentiment": "positive"}
        ).response
        open_lease = work.claim_next(session, ana, project_id)
    csrf = login(web_client, bob_email, seed.PASSWORD)
    headers = {"X-CSRF-Token": csrf}
    for assignment_id in (done.assignment.id, open_lease.assignment.id):
        assert web_client.get(f"/work/{assignment_id}").status_code == 404
        submit = web_client.post(
            f"/work/{assignment_id}/submit",
            json={"answer": {"sentiment": "neutral"}},
            headers=headers,
        )
        assert submit.status_code == 404
        beat = web_client.post(
            f"/work/{assignment_id}/heartbeat", json={"draft": {"answer": {}}}, headers=headers
        )
        assert beat.status_code == 404
    review = web_client.get(f"/review/{response.id}")
    assert review.status_code == 403 and "positive" not in review.text
    queue = web_client.get("/queue").text
    assert open_lease.assignment.id not in queue


def test_an_unqualified_worker_cannot_start_or_see_a_projects_tasks(
    web_env: WebEnv, web_client: TestClient
) -> None:
    org = seed.new_org(web_env.factory)
    email = seed.add_account(org, "ana")
    locked = seed.add_project(
        org,
        "Contracts",
        seed.SENTIMENT,
        [{"review": "Clause 4 is void."}],
        required_skills=["law.contracts:expert"],
    )
    csrf = login(web_client, email, seed.PASSWORD)
    queue = web_client.get("/queue").text
    assert "Contracts" in queue and "Needs law.contracts:expert" in queue
    assert f'name="project_id" value="{locked}"' not in queue
    refused = web_client.post("/work/start", data={"csrf_token": csrf, "project_id": locked})
    assert refused.status_code == 403 and "Clause 4" not in refused.text
    scripted = web_client.post(
        "/work/next", json={"project_id": locked}, headers={"X-CSRF-Token": csrf}
    )
    assert scripted.status_code == 403
    # "Start next task" serves only projects the worker may do: here, none.
    anywhere = web_client.post("/work/start", data={"csrf_token": csrf}, follow_redirects=False)
    assert anywhere.headers["location"] == "/queue?notice=empty"


def test_other_organisations_media_and_projects_are_invisible(
    web_env: WebEnv, web_client: TestClient
) -> None:
    acme = seed.new_org(web_env.factory)
    image = seed.upload_image(acme, web_env.settings)
    project_id = seed.add_project(acme, "Boxes", seed.BOXES, [{"image": image}])
    globex = seed.new_org(web_env.factory, "globex")
    email = seed.add_account(globex, "gus")
    login(web_client, email, seed.PASSWORD)
    blob_id = image.removeprefix("blob:")
    assert web_client.get(f"/media/{blob_id}").status_code == 404
    assert web_client.get(f"/projects/{project_id}/guidelines").status_code == 404
    own = seed.add_account(acme, "amy")
    web_client.cookies.clear()
    login(web_client, own, seed.PASSWORD)
    served = web_client.get(f"/media/{blob_id}")
    assert served.status_code == 200 and served.headers["content-type"] == "image/png"
    assert served.content.startswith(b"\x89PNG")


def test_workers_cannot_open_operations_pages(web_env: WebEnv, web_client: TestClient) -> None:
    org = seed.new_org(web_env.factory)
    email = seed.add_account(org, "ana")
    project_id = seed.add_project(org, "Labels", seed.SENTIMENT, [{"review": "One."}])
    csrf = login(web_client, email, seed.PASSWORD)
    for path in (
        "/ops",
        f"/ops/projects/{project_id}",
        "/ops/workers",
        "/ops/payments",
        "/ops/payments.csv",
        f"/ops/workers/{org.worker_ids['ana']}",
        "/review",
    ):
        assert web_client.get(path).status_code == 403, path
    change = web_client.post(
        f"/ops/workers/{org.worker_ids['ana']}/status",
        data={"csrf_token": csrf, "status": "active", "reason": "promote myself"},
    )
    assert change.status_code == 403
