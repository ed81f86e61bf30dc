"""End to end: a worker in an experiment arm is served the arm's guidelines and template.

These pass once the work loop calls ``assay.services.experiment_variants`` (the lease in
``POST /v1/work/next``, rework, the web task page, and submit's validation and record).
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from assay.api.routes import experiments, quality
from assay.config import Settings
from assay.domain.template import parse_template
from assay.services.accounts import create_account
from assay.store.models import Organisation
from tests.support.api import Keys, headers, post_ok
from tests.support.factories import make_api_key
from tests.support.routers import app_with
from tests.web.conftest import WebEnv, login

PROJECT_TEMPLATE: dict[str, Any] = {
    "fields": [{"kind": "text", "name": "review"}],
    "questions": [
        {
            "type": "label",
            "name": "sentiment",
            "prompt": "Sentiment?",
            "options": [{"value": "pos"}, {"value": "neu"}, {"value": "neg"}],
        },
        {"type": "text", "name": "why", "prompt": "Why?", "required": False},
    ],
}
VARIANT_TEMPLATE: dict[str, Any] = copy.deepcopy(PROJECT_TEMPLATE)
VARIANT_TEMPLATE["questions"][0]["prompt"] = "How does the writer feel?"
VARIANT_TEMPLATE["questions"][1].update(required=True, min_length=20)
# What a variant stores and serves: the template in normal form, as projects store theirs.
SERVED_VARIANT = parse_template(VARIANT_TEMPLATE).model_dump(mode="json", exclude_none=True)
SERVED_PROJECT = parse_template(PROJECT_TEMPLATE).model_dump(mode="json", exclude_none=True)
TERSE = {"sentiment": "pos"}
JUSTIFIED = {"sentiment": "pos", "why": "It calls the product great value."}
PASSWORD = "correct horse battery"


@pytest.fixture
def client(settings: Settings) -> Iterator[TestClient]:
    with TestClient(app_with(settings, quality.router, experiments.router)) as test_client:
        yield test_client


def _project_with_experiment(
    client: TestClient, keys: Keys, tasks: int, **project: Any
) -> tuple[str, str]:
    body = {
        "name": "Sentiment A/B",
        "template": PROJECT_TEMPLATE,
        "redundancy": 1,
        "pay_per_task_cents": 10,
        "guidelines": {"goal": "Label the sentiment (v1)."},
        **project,
    }
    created = post_ok(client, keys.requester, "/v1/projects", body)
    post_ok(
        client,
        keys.requester,
        f"/v1/projects/{created['id']}/guidelines",
        {"goal": "Label the sentiment and say why (v2)."},
    )
    experiment = post_ok(
        client,
        keys.requester,
        f"/v1/projects/{created['id']}/experiments",
        {
            "name": "v1 terse vs v2 justified",
            "factor": "guidelines",
            "unit": "tasks",
            "variants": [
                {"name": "control", "is_control": True, "config": {"guideline_version": 1}},
                {
                    "name": "challenger",
                    "config": {
                        "guideline_version": 2,
                        "template": VARIANT_TEMPLATE,
                        "pay_per_task_cents": 15,
                    },
                },
            ],
        },
    )
    items = [{"unique_id": f"t{i}", "payload": {"review": f"Review {i}"}} for i in range(tasks)]
    post_ok(client, keys.requester, f"/v1/projects/{created['id']}/tasks", {"tasks": items})
    return created["id"], experiment["id"]


def test_each_arm_leases_validates_and_records_its_own_version(
    client: TestClient, keys: Keys
) -> None:
    project_id, _ = _project_with_experiment(client, keys, tasks=24)
    arms: dict[int, int] = {1: 0, 2: 0}
    for step in range(24):
        key = keys.workers[step % len(keys.workers)]
        lease = post_ok(client, key, "/v1/work/next", {"project_id": project_id})
        version = lease["guidelines"]["version"]
        arms[version] += 1
        challenger = version == 2
        assert lease["project"]["template"] == (SERVED_VARIANT if challenger else SERVED_PROJECT)
        assert lease["project"]["pay_per_task_cents"] == (15 if challenger else 10)
        terse = client.post(
            f"/v1/work/{lease['id']}/submit", json={"answer": TERSE}, headers=headers(key)
        )
        if challenger:
            assert terse.status_code == 422, terse.text
            post_ok(client, key, f"/v1/work/{lease['id']}/submit", {"answer": JUSTIFIED})
        else:
            assert terse.status_code == 201, terse.text
        responses = client.get(
            f"/v1/tasks/{lease['task']['id']}/responses", headers=headers(keys.requester)
        ).json()
        assert [r["guideline_version"] for r in responses] == [version]
    assert arms[1] >= 4 and arms[2] >= 4


def test_rework_is_served_the_arm_it_was_made_under(client: TestClient, keys: Keys) -> None:
    project_id, experiment_id = _project_with_experiment(
        client,
        keys,
        tasks=12,
        review_policy={"stages": [{"name": "review", "on_reject": "rework"}]},
    )
    author = keys.workers[0]
    while True:
        lease = post_ok(client, author, "/v1/work/next", {"project_id": project_id})
        if lease["guidelines"]["version"] == 2:
            break
        post_ok(client, author, f"/v1/work/{lease['id']}/submit", {"answer": TERSE})
    post_ok(client, author, f"/v1/work/{lease['id']}/submit", {"answer": JUSTIFIED})
    post_ok(client, keys.requester, f"/v1/experiments/{experiment_id}/stop")
    reviewed = None
    while reviewed != lease["task"]["id"]:
        item = post_ok(client, keys.reviewer, "/v1/reviews/next", {"project_id": project_id})
        reviewed = item["task_id"]
        verdict = {"verdict": "reject", "reason": "Quote the words."}
        if reviewed != lease["task"]["id"]:
            verdict = {"verdict": "accept"}
        post_ok(client, keys.reviewer, f"/v1/reviews/{item['response_id']}", verdict)
    again = post_ok(client, author, "/v1/work/next", {"project_id": project_id})
    assert again["id"] == lease["id"]
    assert again["guidelines"]["version"] == 2
    assert again["project"]["template"] == SERVED_VARIANT
    terse = client.post(
        f"/v1/work/{again['id']}/submit", json={"answer": TERSE}, headers=headers(author)
    )
    assert terse.status_code == 422
    post_ok(client, author, f"/v1/work/{again['id']}/submit", {"answer": JUSTIFIED})
    responses = client.get(
        f"/v1/tasks/{lease['task']['id']}/responses", headers=headers(keys.requester)
    ).json()
    assert [r["guideline_version"] for r in responses] == [2, 2]


def _web_project(web_env: WebEnv) -> str:
    """A worker account, and through the API a project running the experiment; its id."""
    with web_env.factory() as session:
        lead = create_account(
            session, org_name="abtest", email="ops@abtest.test", password=PASSWORD, role="admin"
        )
        create_account(
            session, org_name="abtest", email="ana@abtest.test", password=PASSWORD, role="worker"
        )
        key = make_api_key(session, session.get_one(Organisation, lead.org_id), "requester")
        session.commit()
    with TestClient(app_with(web_env.settings, quality.router, experiments.router)) as api:
        project_id, _ = _project_with_experiment(api, Keys(key, key, [], key, key, key), 16)
    return project_id


def test_the_web_task_page_shows_the_arms_template_and_guidelines(
    web_env: WebEnv, web_client: TestClient
) -> None:
    project_id = _web_project(web_env)
    csrf = login(web_client, "ana@abtest.test", PASSWORD)
    seen = set()
    while seen != {True, False}:
        opened = web_client.post("/work/start", data={"csrf_token": csrf, "project_id": project_id})
        assert opened.status_code == 200 and "/work/" in str(opened.url), opened.text
        found = re.search(
            r'<script type="application/json" id="page-data">(.*?)</script>', opened.text, re.S
        )
        assert found is not None
        page = json.loads(found.group(1))
        challenger = "say why (v2)" in opened.text
        assert ("sentiment (v1)" in opened.text) is not challenger
        assert page["template"] == (SERVED_VARIANT if challenger else SERVED_PROJECT)
        seen.add(challenger)
        submitted = web_client.post(
            f"/work/{page['assignment']['id']}/submit",
            json={"answer": JUSTIFIED if challenger else TERSE},
            headers={"X-CSRF-Token": csrf},
        )
        assert submitted.status_code == 200, submitted.text
