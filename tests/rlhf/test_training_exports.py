from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import datasets
import pytest
from fastapi.testclient import TestClient

from assay.services.keys import authenticate
from assay.services.training_exports import save_training_dataset
from assay.store import SessionFactory
from assay.store.models import Worker
from tests.rlhf import trl_checks
from tests.rlhf.flows import comparison, endpoint, lease, preference, prompts, run_jobs, submit
from tests.support.api import Keys, headers
from tests.support.factories import make_response, make_task

FORMATS = ["trl-dpo", "trl-rm", "trl-kto", "sft-messages", "openai-chat", "openai-preference"]
SIDE = {"rater_ids", "rater_gold_accuracy", "rater_active_time_ms", "agreement", "strength"}


def _export(api: TestClient, key: str, project_id: str, fmt: str, tmp_path: Path) -> Path:
    answer = api.get(
        f"/v1/projects/{project_id}/export/training?format={fmt}", headers=headers(key)
    )
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"].startswith("application/x-ndjson")
    path = tmp_path / f"{project_id}-{fmt}.jsonl"
    path.write_bytes(answer.content)
    return path


def _load(path: Path, tmp_path: Path) -> datasets.Dataset:
    loaded = datasets.load_dataset(
        "json", data_files=str(path), split="train", cache_dir=str(tmp_path / "hf-cache")
    )
    assert isinstance(loaded, datasets.Dataset)
    return loaded


def _compare(api: TestClient, keys: Keys, factory: SessionFactory) -> tuple[str, dict[str, Any]]:
    """Three workers judge two prompts: 2-1 on the first, 3-0 on the second."""
    ids = [endpoint(api, keys.requester, name)["id"] for name in ("concise", "thorough")]
    project_id = comparison(api, keys.requester, ids, redundancy=3)
    task_ids = prompts(
        api, keys.requester, project_id, ["How do I brew tea?", "Why is the sky blue?"]
    )
    run_jobs(factory)
    canonical = {
        t: api.get(f"/v1/tasks/{t}", headers=headers(keys.requester)).json()["payload"]["responses"]
        for t in task_ids
    }
    for index, key in enumerate(keys.workers[:3]):
        for _ in task_ids:
            leased = lease(api, key, project_id)
            assert leased is not None
            task_id = leased["task"]["id"]
            wanted = canonical[task_id][1 if (index == 2 and task_id == task_ids[0]) else 0]
            shown = [r["id"] for r in leased["task"]["payload"]["responses"]]
            letter = "AB"[shown.index(wanted["id"])]
            submit(
                api, key, leased["id"], preference(letter, strength=index + 1, reason=f"w{index}")
            )
    return project_id, {"task_ids": task_ids, "canonical": canonical}


def _add_gold_record(factory: SessionFactory, project_id: str, worker_key: str) -> None:
    """Give one worker a gold record in the project: one right and one wrong gold answer."""
    with factory() as session:
        actor = authenticate(session, worker_key)
        worker = session.get(Worker, actor.worker_id)
        from assay.store.models import Project

        project = session.get(Project, project_id)
        assert worker is not None and project is not None
        for correct in (True, False):
            gold = make_task(session, project, is_gold=True, payload={}, state="complete")
            make_response(session, gold, worker, {}, gold_correct=correct, status="excluded")
        session.commit()


def test_comparison_exports_load_with_datasets_and_pass_trl_checks(
    api: TestClient, keys: Keys, factory: SessionFactory, tmp_path: Path
) -> None:
    project_id, data = _compare(api, keys, factory)
    _add_gold_record(factory, project_id, keys.workers[0])
    first, second = data["task_ids"]
    loaded = {
        fmt: _load(_export(api, keys.requester, project_id, fmt, tmp_path), tmp_path)
        for fmt in FORMATS
    }

    dpo = loaded["trl-dpo"]
    assert len(dpo) == 2 and set(dpo.column_names) >= SIDE
    row = next(r for r in dpo if r["item_id"] == first)
    assert row["prompt"] == [{"role": "user", "content": "How do I brew tea?"}]
    assert row["chosen"] == [
        {"role": "assistant", "content": data["canonical"][first][0]["content"]}
    ]
    assert row["rejected"][0]["content"] == data["canonical"][first][1]["content"]
    assert row["agreement"] == pytest.approx(2 / 3) and row["n_ratings"] == 3
    assert row["strength"] == pytest.approx(1.5)  # workers 0 and 1 agreed, strengths 1 and 2
    assert sorted(row["rater_gold_accuracy"], key=lambda v: v is None) == [0.5, None, None]
    assert row["rater_active_time_ms"] == [30_000] * 3
    assert row["axes"]["helpfulness"] == "chosen" and sorted(row["reasons"]) == ["w0", "w1", "w2"]
    assert {row["chosen_model"], row["rejected_model"]} == {"concise", "thorough"}
    assert next(r for r in dpo if r["item_id"] == second)["agreement"] == 1.0
    trl_checks.check_dpo(dpo)
    trl_checks.check_reward(loaded["trl-rm"])
    assert next(r for r in loaded["trl-rm"] if r["item_id"] == first)["margin"] == pytest.approx(
        0.0
    )
    trl_checks.check_kto(loaded["trl-kto"])
    assert sorted(loaded["trl-kto"]["label"]) == [False, False, True, True]
    trl_checks.check_sft(loaded["sft-messages"])
    _check_openai(loaded["openai-chat"], loaded["openai-preference"])


def _check_openai(chat: datasets.Dataset, preference_rows: datasets.Dataset) -> None:
    for row in chat:
        roles = [m["role"] for m in row["messages"]]
        assert roles[-1] == "assistant" and set(roles) <= {"system", "user", "assistant"}
        assert set(row) == {"messages", "metadata"} and set(row["metadata"]) >= SIDE
    for row in preference_rows:
        assert set(row) == {"input", "preferred_output", "non_preferred_output", "metadata"}
        assert row["input"]["messages"][-1]["role"] == "user"
        for key in ("preferred_output", "non_preferred_output"):
            assert [m["role"] for m in row[key]] == ["assistant"]


def test_a_saved_dataset_loads_from_disk_and_side_columns_can_be_dropped(
    api: TestClient, keys: Keys, factory: SessionFactory, tmp_path: Path
) -> None:
    project_id, _data = _compare(api, keys, factory)
    with factory() as session:
        actor = authenticate(session, keys.requester)
        rows = save_training_dataset(session, actor, project_id, "trl-dpo", tmp_path / "dpo")
    dataset = datasets.load_from_disk(str(tmp_path / "dpo"))
    assert rows == len(dataset) == 2 and set(dataset.column_names) >= SIDE
    trl_checks.check_dpo(dataset)
    bare = api.get(
        f"/v1/projects/{project_id}/export/training?format=trl-dpo&side_columns=false",
        headers=headers(keys.requester),
    )
    assert {tuple(sorted(json.loads(line))) for line in bare.text.splitlines()} == {
        ("chosen", "prompt", "rejected")
    }


def test_chat_trees_export_picks_rewrites_and_paths(
    api: TestClient, keys: Keys, tmp_path: Path
) -> None:
    ids = [endpoint(api, keys.requester, name)["id"] for name in ("concise", "thorough")]
    body = {"name": "Chat", "endpoint_ids": ids, "system_prompt": "Be kind."}
    project_id = api.post("/v1/chat-projects", json=body, headers=headers(keys.requester)).json()[
        "id"
    ]
    worker = headers(keys.workers[0])
    chat = api.post("/v1/chats", json={"project_id": project_id}, headers=worker).json()["id"]
    first = api.post(
        f"/v1/chats/{chat}/turns", json={"content": "Hi, how do I bake bread?"}, headers=worker
    ).json()
    api.post(
        f"/v1/chats/{chat}/choose",
        json={"candidate_id": first["candidates"][0]["id"], "strength": 2},
        headers=worker,
    )
    second = api.post(
        f"/v1/chats/{chat}/turns", json={"content": "How long to knead it?"}, headers=worker
    ).json()
    rewrite = {
        "candidate_id": second["candidates"][1]["id"],
        "rewrite": "About ten minutes, until smooth.",
    }
    api.post(f"/v1/chats/{chat}/choose", json=rewrite, headers=worker)

    dpo = _load(_export(api, keys.requester, project_id, "trl-dpo", tmp_path), tmp_path)
    assert len(dpo) == 3  # turn 1: pick over the other; turn 2: rewrite over both candidates
    rewritten = [r for r in dpo if r["chosen"][0]["content"].startswith("About ten")]
    assert len(rewritten) == 2 and all(r["chosen_model"] is None for r in rewritten)
    assert rewritten[0]["prompt"][0] == {"role": "system", "content": "Be kind."}
    assert [m["role"] for m in rewritten[0]["prompt"]] == ["system", "user", "assistant", "user"]
    trl_checks.check_dpo(dpo)
    sft = _load(_export(api, keys.requester, project_id, "sft-messages", tmp_path), tmp_path)
    assert len(sft) == 1 and sft[0]["messages"][-1]["content"].startswith("About ten")
    trl_checks.check_sft(sft)
    kto = _load(_export(api, keys.requester, project_id, "trl-kto", tmp_path), tmp_path)
    assert sorted(kto["label"]) == [False, False, False, True, True]
    trl_checks.check_kto(kto)


def test_projects_without_training_data_and_workers_are_refused(
    api: TestClient, keys: Keys
) -> None:
    template = {"questions": [{"type": "rating", "name": "r", "prompt": "?"}]}
    plain = api.post(
        "/v1/projects", json={"name": "p", "template": template}, headers=headers(keys.requester)
    ).json()
    refused = api.get(
        f"/v1/projects/{plain['id']}/export/training?format=trl-dpo",
        headers=headers(keys.requester),
    )
    assert refused.status_code == 422
    unknown = api.get(
        f"/v1/projects/{plain['id']}/export/training?format=csv", headers=headers(keys.requester)
    )
    assert unknown.status_code == 422
    worker = api.get(
        f"/v1/projects/{plain['id']}/export/training?format=trl-dpo",
        headers=headers(keys.workers[0]),
    )
    assert worker.status_code == 403
