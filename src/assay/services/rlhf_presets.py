"""Ready-made templates for model work: comparisons, live chat, rubric evals and SFT writing.

Each preset is plain template JSON (what a requester would send) plus, for the SFT presets, a
review policy, so ``create_preset_project`` makes a project people can start on at once.
Exports recognise these shapes (see ``training_rows``): a pairwise question over a
``model_responses`` field is preference data; a text question named ``response`` is a
demonstration whose prompt is the ``prompt`` answer or the task's chat/markdown field.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from assay.domain.enums import Role
from assay.domain.project import GuidelinesIn, ProjectCreate, ReviewPolicy, ReviewStage
from assay.domain.rlhf import ComparisonCreate
from assay.domain.template import parse_template
from assay.errors import NotFound
from assay.services.actor import Actor
from assay.services.projects import create_project
from assay.store import Session
from assay.store.models import Project

PROMPT_KEY = "conversation"
RESPONSES_KEY = "responses"
VERDICT_MET = "met"

_WRITING_RUBRIC = [
    {
        "id": "answers_request",
        "description": "Fully answers what the user asked.",
        "points": 3,
        "must_have": True,
    },
    {
        "id": "accurate",
        "description": "Every factual claim is correct.",
        "points": 3,
        "must_have": True,
    },
    {
        "id": "follows_instructions",
        "description": "Keeps to every explicit instruction: format, length, tone.",
        "points": 2,
    },
    {"id": "clear", "description": "Clear and well organised, without filler.", "points": 1},
    {
        "id": "safe",
        "description": "Nothing harmful, no private data.",
        "points": 1,
        "must_have": True,
    },
]

_PROMPT_RUBRIC = [
    {
        "id": "realistic",
        "description": "A request a real user would make.",
        "points": 2,
        "must_have": True,
    },
    {"id": "fits_brief", "description": "Fits the brief's domain and difficulty.", "points": 2},
    {"id": "self_contained", "description": "Gives everything needed to answer it.", "points": 1},
    *_WRITING_RUBRIC,
]


def _self_check(criteria: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "type": "rubric",
        "name": "self_check",
        "required": False,
        "criteria": criteria,
        "prompt": "Check your work against the rubric reviewers grade with.",
    }


SFT_RESPONSE_WRITING: dict[str, Any] = {
    "fields": [{"kind": "chat", "name": PROMPT_KEY, "label": "Conversation so far"}],
    "questions": [
        {
            "type": "text",
            "name": "response",
            "min_length": 20,
            "max_length": 20_000,
            "prompt": "Write the reply an excellent assistant would give to the last message.",
        },
        _self_check(_WRITING_RUBRIC),
    ],
}

SFT_PROMPT_WRITING: dict[str, Any] = {
    "fields": [{"kind": "markdown", "name": "brief", "label": "Brief"}],
    "questions": [
        {
            "type": "text",
            "name": "prompt",
            "min_length": 10,
            "max_length": 20_000,
            "prompt": "Write a prompt that fits the brief, as a real user would ask it.",
        },
        {
            "type": "text",
            "name": "response",
            "min_length": 20,
            "max_length": 20_000,
            "prompt": "Write the ideal response to your prompt.",
        },
        _self_check(_PROMPT_RUBRIC),
    ],
}

CHAT_COLLECTION: dict[str, Any] = {
    "fields": [{"kind": "markdown", "name": "scenario", "label": "What to talk about"}],
    "questions": [
        {
            "type": "rating",
            "name": "overall",
            "min": 1,
            "max": 5,
            "prompt": "How good were the replies you chose, over the whole conversation?",
        },
        {
            "type": "text",
            "name": "notes",
            "required": False,
            "max_length": 5000,
            "prompt": "Anything the models kept getting wrong?",
        },
    ],
}

RUBRIC_EVAL: dict[str, Any] = {
    "fields": [
        {"kind": "chat", "name": PROMPT_KEY, "label": "Prompt"},
        {"kind": "markdown", "name": "response", "label": "Answer to grade"},
        {"kind": "markdown", "name": "criterion", "label": "Criterion"},
        {
            "kind": "markdown",
            "name": "rubric",
            "label": "The item's whole rubric, for context",
            "required": False,
        },
    ],
    "questions": [
        {
            "type": "label",
            "name": "verdict",
            "prompt": "Does the answer meet this criterion?",
            "options": [
                {"value": VERDICT_MET, "label": "Met", "hotkey": "y"},
                {"value": "not_met", "label": "Not met", "hotkey": "n"},
            ],
        },
        {
            "type": "text",
            "name": "note",
            "required": False,
            "max_length": 2000,
            "prompt": "Why (optional)?",
        },
    ],
}


def comparison_template(spec: ComparisonCreate) -> dict[str, Any]:
    """Return the template of a comparison project: the prompt, two responses, one question."""
    question: dict[str, Any] = {
        "type": "pairwise",
        "name": "preference",
        "source": RESPONSES_KEY,
        "prompt": "Which response is better overall?",
        "allow_tie": spec.allow_tie,
        "strength_levels": spec.strength_levels,
        "require_reason": spec.require_reason,
    }
    if spec.strength_labels:
        question["strength_labels"] = list(spec.strength_labels)
    if spec.axes:
        question["axes"] = [axis.model_dump(exclude_none=True) for axis in spec.axes]
    return {
        "fields": [
            {"kind": "chat", "name": PROMPT_KEY, "label": "Conversation"},
            {
                "kind": "model_responses",
                "name": RESPONSES_KEY,
                "label": "Responses",
                "max_responses": 2,
            },
        ],
        "questions": [question],
    }


class PresetProject(BaseModel):
    """A project made from a preset: a name and the usual settings."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=200)
    description: str = Field(default="", max_length=20_000)
    redundancy: int = Field(default=1, ge=1, le=100)
    pay_per_task_cents: int = Field(default=0, ge=0, le=1_000_000)
    review_sample_rate: float = Field(
        default=1.0, ge=0.0, le=1.0, description="Share of work reviewed (0: no review)."
    )
    guidelines: GuidelinesIn | None = None


_PRINCIPLES = [
    "Write what an expert would be proud to sign.",
    "Correct beats long: check every fact you state.",
    "Follow the user's explicit instructions before any style preference.",
]

Preset = Callable[[PresetProject], ProjectCreate]


def _writing_project(template: dict[str, Any], goal: str) -> Preset:
    def build(spec: PresetProject) -> ProjectCreate:
        rate = spec.review_sample_rate
        stages = [ReviewStage(name="review", sample_rate=rate)] if rate > 0 else []
        return ProjectCreate(
            name=spec.name,
            description=spec.description,
            template=parse_template(template),
            redundancy=spec.redundancy,
            pay_per_task_cents=spec.pay_per_task_cents,
            time_estimate_seconds=900,
            lease_seconds=3600,
            review_policy=ReviewPolicy(stages=stages),
            guidelines=spec.guidelines or GuidelinesIn(goal=goal, principles=_PRINCIPLES),
        )

    return build


PRESETS: dict[str, Preset] = {
    "sft_response_writing": _writing_project(
        SFT_RESPONSE_WRITING,
        "Demonstrations for supervised fine-tuning: the ideal reply to each conversation.",
    ),
    "sft_prompt_writing": _writing_project(
        SFT_PROMPT_WRITING,
        "Prompts real users would ask, each with the ideal response, for fine-tuning.",
    ),
}
"""Ready-made project kinds by name (comparisons, chats and rubric evals have their own routes)."""


def preset_project(preset: str, spec: PresetProject) -> ProjectCreate:
    """Return the project a preset describes, or raise NotFound for an unknown preset."""
    build = PRESETS.get(preset)
    if build is None:
        raise NotFound(f"No preset {preset!r}; choose one of {', '.join(sorted(PRESETS))}.")
    return build(spec)


def create_preset_project(
    session: Session, actor: Actor, preset: str, spec: PresetProject
) -> Project:
    """Create a project from a preset; commits."""
    actor.require(Role.REQUESTER)
    return create_project(session, actor, preset_project(preset, spec))
