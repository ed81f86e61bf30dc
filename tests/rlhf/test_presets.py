from __future__ import annotations

from pathlib import Path
from typing import Any

import datasets
from fastapi.testclient import TestClient

from tests.rlhf import trl_checks
from tests.rlhf.flows import lease, submit
from tests.support.api import Keys, headers

GRADES = {
    "answers_request": True,
    "accurate": True,
    "follows_instructions": True,
    "clear": False,
    "safe": True,
}


def _review(api: TestClient, key: str, project_id: str, **verdict: Any) -> dict[str, Any]:
    item = api.post("/v1/reviews/next", json={"project_id": project_id}, headers=headers(key))
    assert item.status_code == 200, item.text
    answer = api.post(
        f"/v1/reviews/{item.json()['response_id']}", json=verdict, headers=headers(key)
    )
    assert answer.status_code == 201, answer.text
    return item.json()  # type: ignore[no-any-return]


def _load(api: TestClient, key: str, project_id: str, fmt: str, tmp_path: Path) -> datasets.Dataset:
    answer = api.get(
        f"/v1/projects/{project_id}/export/training?format={fmt}", headers=headers(key)
    )
    path = tmp_path / f"{project_id}-{fmt}.jsonl"
    path.write_bytes(answer.content)
    return datasets.load_dataset(
        "json", data_files=str(path), split="train", cache_dir=str(tmp_path / "c")
    )


def test_reviewed_demonstrations_export_as_sft_preferences_and_labels(
    api: TestClient, keys: Keys, tmp_path: Path
) -> None:
    assert api.get("/v1/presets", headers=headers(keys.requester)).json() == [
        "sft_prompt_writing",
        "sft_response_writing",
    ]
    created = api.post(
        "/v1/presets/sft_response_writing/projects",
        json={"name": "Demos"},
        headers=headers(keys.requester),
    )
    assert (
        created.status_code == 201
        and created.json()["review_policy"]["stages"][0]["name"] == "review"
    )
    project_id = created.json()["id"]
    tasks = [
        {"unique_id": f"t{i}", "payload": {"conversation": [{"role": "user", "content": q}]}}
        for i, q in enumerate(["Explain recursion simply.", "What is a prime number?"])
    ]
    api.post(
        f"/v1/projects/{project_id}/tasks", json={"tasks": tasks}, headers=headers(keys.requester)
    )
    writer = keys.workers[0]
    texts = ["Recursion is when a function calls itself on a smaller problem.",
             "A prime number has exactly two divisors: one and itself."]  # fmt: skip
    for text in texts:
        leased = lease(api, writer, project_id)
        assert leased is not None
        submit(api, writer, leased["id"], {"response": text})
    first = _review(api, keys.reviewer, project_id, verdict="reject", reason="Add an example.")
    rework = lease(api, writer, project_id)
    assert rework is not None and rework["task"]["id"] == first["task_id"]
    submit(
        api,
        writer,
        rework["id"],
        {"response": first["answer"]["response"] + " Like nesting dolls."},
    )
    edited = {"response": "A prime number has exactly two divisors, 1 and itself: 2, 3, 5, 7."}
    _review(api, keys.reviewer, project_id, verdict="accept", edited_answer=edited, rubric=GRADES)
    _review(api, keys.reviewer, project_id, verdict="accept", rubric=GRADES)

    sft = _load(api, keys.requester, project_id, "sft-messages", tmp_path)
    assert len(sft) == 2 and {r["review_scores"][0] for r in sft} == {9.0}
    assert edited["response"] in [r["messages"][-1]["content"] for r in sft]
    assert all(r["messages"][0]["role"] == "user" and r["source"] == "writing" for r in sft)
    trl_checks.check_sft(sft)
    dpo = _load(api, keys.requester, project_id, "trl-dpo", tmp_path)
    assert len(dpo) == 1 and dpo[0]["chosen"][0]["content"] == edited["response"]
    assert dpo[0]["rejected"][0]["content"] == texts[1]
    trl_checks.check_dpo(dpo)
    kto = _load(api, keys.requester, project_id, "trl-kto", tmp_path)
    assert sorted(kto["label"]) == [False, True, True]  # the rejected first draft is a bad example
    trl_checks.check_kto(kto)


def test_written_prompts_are_the_prompts_of_their_demonstrations(
    api: TestClient, keys: Keys, tmp_path: Path
) -> None:
    body = {"name": "Prompts", "review_sample_rate": 0}
    project_id = api.post(
        "/v1/presets/sft_prompt_writing/projects", json=body, headers=headers(keys.requester)
    ).json()["id"]
    task = {"unique_id": "b1", "payload": {"brief": "Cooking, **beginner** level."}}
    api.post(
        f"/v1/projects/{project_id}/tasks", json={"tasks": [task]}, headers=headers(keys.requester)
    )
    leased = lease(api, keys.workers[0], project_id)
    assert leased is not None
    answer = {
        "prompt": "How do I cook rice on a stove?",
        "response": "Rinse one cup, add two cups of water, simmer 15 minutes.",
    }
    submit(api, keys.workers[0], leased["id"], answer)
    chat = _load(api, keys.requester, project_id, "openai-chat", tmp_path)
    assert chat[0]["messages"] == [
        {"role": "user", "content": answer["prompt"]},
        {"role": "assistant", "content": answer["response"]},
    ]
    unknown = api.post(
        "/v1/presets/poetry/projects", json={"name": "x"}, headers=headers(keys.requester)
    )
    assert unknown.status_code == 404
