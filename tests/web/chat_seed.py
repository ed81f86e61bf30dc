"""Seeding model work for web tests through services: endpoints, chat and comparison projects."""

from __future__ import annotations

from assay.config import Settings
from assay.domain.rlhf import ChatProjectCreate, ComparisonCreate, EndpointCreate, PromptImport
from assay.services import comparisons
from assay.services.chats import create_chat_project
from assay.services.model_endpoints import create_endpoint
from assay.services.secret_key import load_secret_key
from tests.web.seed import Org


def add_endpoints(
    org: Org,
    settings: Settings,
    base_url: str,
    models: dict[str, str],
    *,
    api_key: str | None = None,
) -> dict[str, str]:
    """Register OpenAI-compatible endpoints (endpoint name -> model); returns name -> id."""
    ids = {}
    with org.factory() as session:
        for name, model in models.items():
            spec = EndpointCreate.model_validate(
                {
                    "name": name,
                    "kind": "openai",
                    "base_url": base_url,
                    "model": model,
                    "max_retries": 0,
                    "timeout_seconds": 10,
                    "api_key": api_key,
                }
            )
            ids[name] = create_endpoint(session, org.admin, spec, load_secret_key(settings)).id
    return ids


def add_chat_project(
    org: Org, endpoint_ids: list[str], name: str = "Live chat", system_prompt: str = ""
) -> str:
    """A live chat collection project over the endpoints; its id."""
    spec = ChatProjectCreate.model_validate(
        {
            "name": name,
            "endpoint_ids": endpoint_ids,
            "system_prompt": system_prompt,
            "guidelines": {
                "goal": "Hold a **useful** conversation and keep the better reply each turn.",
                "principles": ["Prefer correct over confident.", "Rewrite when both miss."],
            },
        }
    )
    with org.factory() as session:
        return create_chat_project(session, org.admin, spec).id


def add_comparison(
    org: Org, endpoint_ids: list[str], prompts: list[str], name: str = "Compare models"
) -> tuple[str, list[str]]:
    """A comparison project with one task per prompt (generations queued); ids of both."""
    spec = ComparisonCreate.model_validate({"name": name, "endpoint_ids": endpoint_ids})
    items = PromptImport.model_validate(
        {"prompts": [{"unique_id": f"p{i}", "prompt": text} for i, text in enumerate(prompts)]}
    )
    with org.factory() as session:
        project = comparisons.create_comparison_project(session, org.admin, spec)
        report = comparisons.import_prompts(session, org.admin, project.id, items)
    return project.id, list(report.task_ids)
