from __future__ import annotations

from pathlib import Path

import datasets
import pytest
from fastapi.testclient import TestClient

from assay.services.rubric_evals import mean_interval
from assay.store import SessionFactory
from tests.rlhf import trl_checks
from tests.rlhf.flows import endpoint, generations, lease, run_jobs, submit
from tests.support.api import Keys, headers

RUBRIC = [
    {"id": "answers", "description": "Answers the question.", "points": 3, "must_have": True},
    {"id": "accurate", "description": "No factual error.", "points": 2},
    {"id": "brief", "description": "Short and to the point.", "points": 1},
]
PROMPTS = ["How do I brew green tea?", "Why is the sky blue?"]


def _verdict(payload: dict[str, object]) -> str:
    """Thorough answers (markdown headings) are never brief; concise ones miss item 2."""
    thorough = "##" in str(payload["response"])
    criterion = str(payload["criterion"])
    second_item = payload["conversation"][0]["content"] == PROMPTS[1]  # type: ignore[index]
    if "Short" in criterion:
        return "not_met" if thorough else "met"
    if "Answers" in criterion and second_item and not thorough:
        return "not_met"
    return "met"


def test_answers_are_graded_per_criterion_and_scored_per_model(
    api: TestClient, keys: Keys, factory: SessionFactory, tmp_path: Path
) -> None:
    ids = [endpoint(api, keys.requester, name)["id"] for name in ("concise", "thorough")]
    body = {
        "name": "Eval",
        "endpoint_ids": ids,
        "pass_threshold": 0.6,
        "system_prompt": "Answer well.",
    }
    project_id = api.post("/v1/rubric-evals", json=body, headers=headers(keys.requester)).json()[
        "id"
    ]
    items = [{"unique_id": f"i{n}", "prompt": p, "rubric": RUBRIC} for n, p in enumerate(PROMPTS)]
    imported = api.post(
        f"/v1/rubric-evals/{project_id}/items",
        json={"items": items},
        headers=headers(keys.requester),
    )
    assert imported.json()["created"] == 2
    again = api.post(
        f"/v1/rubric-evals/{project_id}/items",
        json={"items": items},
        headers=headers(keys.requester),
    )
    assert again.json()["existing"] == 2 and again.json()["item_ids"] == imported.json()["item_ids"]
    run_jobs(factory)
    assert generations(api, keys.requester, project_id)["counts"]["done"] == 4
    pending = api.get(
        f"/v1/rubric-evals/{project_id}/scores", headers=headers(keys.requester)
    ).json()
    assert pending["answers_pending"] == 4 and pending["items"] == []

    graded = 0
    while (task := lease(api, keys.workers[0], project_id)) is not None:
        payload = task["task"]["payload"]
        assert "endpoint" not in str(payload) and set(payload) == {
            "conversation",
            "response",
            "criterion",
            "rubric",
        }
        submit(api, keys.workers[0], task["id"], {"verdict": _verdict(payload)})
        graded += 1
    assert graded == 2 * 2 * 3

    scores = api.get(
        f"/v1/rubric-evals/{project_id}/scores", headers=headers(keys.requester)
    ).json()
    by_name = {m["endpoint_name"]: m for m in scores["models"]}
    assert by_name["thorough"]["mean"] == pytest.approx(5 / 6)
    assert by_name["thorough"]["ci_low"] == pytest.approx(5 / 6) == by_name["thorough"]["ci_high"]
    assert by_name["concise"]["mean"] == pytest.approx(0.5)  # 6/6, then a missed must-have: 0
    assert by_name["concise"]["ci_low"] == 0.0 and by_name["concise"]["ci_high"] == 1.0
    assert by_name["concise"]["pass_rate"] == 0.5 and by_name["thorough"]["pass_rate"] == 1.0
    assert scores["answers_pending"] == 0 and len(scores["items"]) == 4

    def load(fmt: str) -> datasets.Dataset:
        answer = api.get(
            f"/v1/projects/{project_id}/export/training?format={fmt}",
            headers=headers(keys.requester),
        )
        path = tmp_path / f"{fmt}.jsonl"
        path.write_bytes(answer.content)
        return datasets.load_dataset(
            "json", data_files=str(path), split="train", cache_dir=str(tmp_path / "c")
        )

    kto = load("trl-kto")
    assert sorted(kto["label"]) == [False, True, True, True]
    assert kto[0]["prompt"][0] == {"role": "system", "content": "Answer well."}
    trl_checks.check_kto(kto)
    dpo = load("trl-dpo")
    assert sorted(r["chosen_model"] for r in dpo) == ["concise", "thorough"]
    trl_checks.check_dpo(dpo)


def test_the_interval_of_a_mean() -> None:
    assert mean_interval([]) == (None, None) and mean_interval([0.4]) == (None, None)
    assert mean_interval([0.5, 0.5, 0.5]) == (0.5, 0.5)
    low, high = mean_interval([0.2, 0.4, 0.6, 0.8])
    assert low == pytest.approx(0.5 - 3.182446 * 0.2581989 / 2, abs=1e-5)
    assert high == pytest.approx(0.5 + 3.182446 * 0.2581989 / 2, abs=1e-5)


def test_rubrics_are_checked_like_rubric_questions(api: TestClient, keys: Keys) -> None:
    ids = [endpoint(api, keys.requester, "concise")["id"]]
    project_id = api.post(
        "/v1/rubric-evals",
        json={"name": "Eval", "endpoint_ids": ids},
        headers=headers(keys.requester),
    ).json()["id"]
    bad_rubrics = [
        [{"id": "x", "description": "d", "points": -1, "must_have": True}],
        [{"id": "x", "description": "d"}, {"id": "x", "description": "e"}],
        [],
    ]
    for rubric in bad_rubrics:
        answer = api.post(
            f"/v1/rubric-evals/{project_id}/items",
            json={"items": [{"unique_id": "a", "prompt": "q", "rubric": rubric}]},
            headers=headers(keys.requester),
        )
        assert answer.status_code == 422, rubric
