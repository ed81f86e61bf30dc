"""Signals, actions and settings through the REST API: read, dismiss, act by hand, revert."""

from __future__ import annotations

import random
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from assay.api.routes import quality
from assay.config import Settings
from tests.support.api import Keys, headers, post_ok, sentiment_project
from tests.support.routers import app_with


@pytest.fixture
def api(settings: Settings) -> Iterator[TestClient]:
    with TestClient(app_with(settings, quality.router)) as client:
        yield client


def test_a_spammer_is_flagged_paused_and_a_lead_reverts_it(api: TestClient, keys: Keys) -> None:
    rng = random.Random(2)
    lead = keys.requester
    # Enough gold that each careful worker's record vouches for them: a careful worker whose
    # tasks were mostly shared with the spammer cannot be judged by agreement alone.
    project = post_ok(api, lead, "/v1/projects", sentiment_project(redundancy=2, gold_rate=0.4))
    truth = {f"r{i}": rng.choice(["pos", "neu", "neg"]) for i in range(60)}
    tasks = [{"unique_id": k, "payload": {"review": k}} for k in truth]
    tasks += [
        {"unique_id": f"g{k}", "payload": {"review": k}, "gold_answer": {"sentiment": v}}
        for k, v in list(truth.items())[:40]
    ]
    post_ok(api, lead, f"/v1/projects/{project['id']}/tasks", {"tasks": tasks})
    spammer = keys.workers[0]
    # Enough work that the spammer's truth is fixed by others on well over the twenty items
    # the detector needs as evidence, whatever share of leases the gold draw makes gold.
    for step in range(240):
        key = spammer if step % 2 == 0 else keys.workers[1 + step % 3]
        lease = api.post("/v1/work/next", json={}, headers=headers(key))
        if lease.status_code != 200:
            continue
        body = lease.json()
        right = truth[body["task"]["payload"]["review"]]
        vote = rng.choice(["pos", "neu", "neg"]) if key == spammer else right
        post_ok(
            api,
            key,
            f"/v1/work/{body['id']}/submit",
            {"answer": {"sentiment": vote}, "active_time_ms": 900 if key == spammer else 15000},
        )
    post_ok(api, lead, f"/v1/projects/{project['id']}/quality/recompute")
    spammer_id = api.get("/v1/me", headers=headers(spammer)).json()["id"]
    # The background recompute after each submit may have acted first: ask what was done,
    # not what this one run did.
    taken = api.get(
        f"/v1/projects/{project['id']}/quality/actions?target_id={spammer_id}",
        headers=headers(lead),
    ).json()
    assert {"pause_worker", "exclude_responses"} <= {a["kind"] for a in taken}
    signals = api.get(
        f"/v1/projects/{project['id']}/quality/signals?flagged=true", headers=headers(lead)
    ).json()
    kinds = {s["kind"] for s in signals if s["worker_id"] == spammer_id}
    assert "spammer" in kinds and "too_fast" in kinds
    assert all(s["worker_id"] == spammer_id for s in signals if s["kind"] == "spammer")
    assert api.post("/v1/work/next", json={}, headers=headers(spammer)).status_code == 403
    actions = api.get(
        f"/v1/projects/{project['id']}/quality/actions?target_id={spammer_id}",
        headers=headers(lead),
    ).json()
    pause = next(a for a in actions if a["kind"] == "pause_worker")
    assert pause["automatic"] and pause["details"]["status_before"] == "active"
    reverted = post_ok(
        api, lead, f"/v1/quality/actions/{pause['id']}/revert", {"reason": "checked"}
    )
    assert reverted["reverted_at"] is not None and reverted["revert_reason"] == "checked"
    assert (
        api.post(
            f"/v1/quality/actions/{pause['id']}/revert", json={}, headers=headers(lead)
        ).status_code
        == 409
    )
    assert api.post("/v1/work/next", json={}, headers=headers(spammer)).status_code in (200, 404)
    too_fast = next(s for s in signals if s["kind"] == "too_fast")
    dismissed = post_ok(
        api, lead, f"/v1/quality/signals/{too_fast['id']}/dismiss", {"reason": "fast reader"}
    )
    assert dismissed["status"] == "dismissed"
    again = api.post(
        f"/v1/quality/signals/{too_fast['id']}/actions",
        json={"action": "explode"},
        headers=headers(lead),
    )
    assert again.status_code == 422
    estimates = api.get(f"/v1/workers/{spammer_id}/quality", headers=headers(spammer)).json()
    assert {e["source"] for e in estimates} >= {"gold", "combined"}
    assert (
        api.get(f"/v1/workers/{spammer_id}/quality", headers=headers(keys.workers[1])).status_code
        == 404
    )
    assert (
        api.get(
            f"/v1/projects/{project['id']}/quality/signals", headers=headers(keys.other_requester)
        ).status_code
        == 404
    )


def test_settings_are_validated_and_audited(api: TestClient, keys: Keys) -> None:
    project = post_ok(api, keys.requester, "/v1/projects", sentiment_project(redundancy=3))
    url = f"/v1/projects/{project['id']}/quality/settings"
    bad = [
        {"quality_target": 1.2},
        {"max_responses": 2},
        {"rules": [{"signal": "spammer", "actions": ["ban"]}]},
        {"settings": {"unknown": 1}},
    ]
    for body in bad:
        assert api.put(url, json=body, headers=headers(keys.requester)).status_code == 422, body
    ok = api.put(
        url,
        json={"quality_target": 0.95, "max_responses": 5, "settings": {"expert_accuracy": 0.9}},
        headers=headers(keys.requester),
    )
    assert ok.status_code == 200 and ok.json()["settings"]["expert_accuracy"] == 0.9
    assert (
        api.put(url, json={"quality_target": 0.9}, headers=headers(keys.workers[0])).status_code
        == 403
    )
    audit = api.get(f"/v1/audit?object_id={project['id']}", headers=headers(keys.requester)).json()
    assert any(e["action"] == "quality.policy" for e in audit)
