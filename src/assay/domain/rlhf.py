"""What a requester or worker sends to set up model work: endpoints, comparisons, chats, evals.

Plain validated input types; the services turn them into projects, tasks and model calls.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal, Self

from pydantic import BaseModel, ConfigDict, Field, SecretStr, StringConstraints, model_validator

from assay.domain._spec import IDENTIFIER_PATTERN
from assay.domain.project import GuidelinesIn, ProjectSettings
from assay.domain.questions import RubricCriterion

Name = Annotated[str, StringConstraints(min_length=1, max_length=200, strip_whitespace=True)]
EndpointId = Annotated[str, StringConstraints(min_length=1, max_length=32)]
UniqueId = Annotated[str, StringConstraints(min_length=1, max_length=200)]
MAX_ENDPOINTS = 8

DEFAULT_AXES: tuple[tuple[str, str, str], ...] = (
    ("helpfulness", "More helpful", "Which response better does what the user needs?"),
    ("honesty", "More honest", "Which is more accurate and clearer about its uncertainty?"),
    ("harmlessness", "Less harmful", "Which avoids harm to the user and to others?"),
    (
        "instruction_following",
        "Follows instructions better",
        "Which keeps to every explicit instruction and constraint in the prompt?",
    ),
)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class EndpointCreate(_Strict):
    """A model to register: an OpenAI-compatible chat-completions endpoint or the demo model."""

    name: Name
    kind: Literal["openai", "demo"] = "openai"
    base_url: str | None = Field(default=None, max_length=2000)
    model: Name = Field(description="Model name sent to the endpoint; for 'demo', the persona.")
    params: dict[str, Any] = Field(default_factory=dict, description="Default sampling params.")
    timeout_seconds: float = Field(default=60.0, gt=0, le=3600)
    max_retries: int = Field(default=3, ge=0, le=10)
    rate_limit_per_minute: float | None = Field(default=None, gt=0, le=1_000_000)
    api_key: SecretStr | None = Field(
        default=None, description="Stored encrypted; never returned.", max_length=2000
    )


class EndpointUpdate(_Strict):
    """A partial change to an endpoint; omitted fields keep their value."""

    name: Name | None = None
    base_url: str | None = Field(default=None, max_length=2000)
    model: Name | None = None
    params: dict[str, Any] | None = None
    timeout_seconds: float | None = Field(default=None, gt=0, le=3600)
    max_retries: int | None = Field(default=None, ge=0, le=10)
    rate_limit_per_minute: float | None = Field(default=None, gt=0, le=1_000_000)
    api_key: SecretStr | None = Field(default=None, max_length=2000)
    clear_api_key: bool = False
    status: Literal["active", "archived"] | None = None


class AxisIn(_Strict):
    """One aspect workers rate separately (e.g. honesty)."""

    name: Annotated[str, StringConstraints(pattern=IDENTIFIER_PATTERN)]
    label: Name | None = None
    help: str | None = Field(default=None, max_length=2000)


def _default_axes() -> list[AxisIn]:
    return [AxisIn(name=name, label=label, help=text) for name, label, text in DEFAULT_AXES]


class _ModelProject(ProjectSettings):
    """What every model-backed project has: a name, guidelines, endpoints and sampling."""

    name: Name
    guidelines: GuidelinesIn = Field(default_factory=GuidelinesIn)
    endpoint_ids: list[EndpointId] = Field(min_length=1, max_length=MAX_ENDPOINTS)
    system_prompt: str = Field(default="", max_length=20_000)
    params: dict[str, Any] = Field(default_factory=dict, description="Sampling params per call.")
    max_attempts: int = Field(default=5, ge=1, le=20, description="Job attempts per generation.")

    @model_validator(mode="after")
    def _distinct_endpoints(self) -> Self:
        if len(set(self.endpoint_ids)) != len(self.endpoint_ids):
            raise ValueError("endpoint_ids must not repeat an endpoint")
        return self


class ComparisonCreate(_ModelProject):
    """A comparison project: models answer each prompt, workers pick the better answer."""

    endpoint_ids: list[EndpointId] = Field(min_length=2, max_length=MAX_ENDPOINTS)
    axes: list[AxisIn] = Field(default_factory=_default_axes, max_length=20)
    strength_levels: int = Field(default=3, ge=0, le=7)
    strength_labels: list[Name] | None = Field(
        default_factory=lambda: ["slightly better", "better", "much better"]
    )
    allow_tie: bool = True
    require_reason: bool = True
    randomise_sides: bool = Field(
        default=True, description="Show each worker the two responses in their own random order."
    )

    @model_validator(mode="after")
    def _labels_fit(self) -> Self:
        if self.strength_levels == 0 or self.strength_labels is None:
            self.strength_labels = None
        elif len(self.strength_labels) != self.strength_levels:
            raise ValueError("give one strength label per strength level")
        return self


class ChatProjectCreate(_ModelProject):
    """A live chat collection project: workers talk with two models at a time and pick replies."""

    endpoint_ids: list[EndpointId] = Field(min_length=2, max_length=MAX_ENDPOINTS)


class RubricEvalCreate(_ModelProject):
    """A rubric evaluation: the endpoints answer an eval set, experts grade every criterion."""

    pass_threshold: float = Field(
        default=0.7, ge=0.0, le=1.0, description="Share of the points an answer needs to pass."
    )


Message = dict[str, str]


class _Prompted(_Strict):
    """A prompt given as one user message (``prompt``) or as a conversation (``messages``)."""

    prompt: str | None = Field(default=None, min_length=1, max_length=100_000)
    messages: list[Message] | None = Field(default=None, min_length=1, max_length=500)

    @model_validator(mode="after")
    def _one_prompt(self) -> Self:
        if (self.prompt is None) == (self.messages is None):
            raise ValueError("give exactly one of prompt or messages")
        for index, message in enumerate(self.messages or []):
            if set(message) - {"role", "content"} or not message.get("role"):
                raise ValueError(f"messages[{index}] must be {{role, content}}")
            if message["role"] not in ("system", "user", "assistant"):
                raise ValueError(f"messages[{index}].role must be system, user or assistant")
        if self.messages is not None and self.messages[-1]["role"] != "user":
            raise ValueError("the conversation must end with a user message")
        return self

    def conversation(self) -> list[Message]:
        """Return the prompt as chat messages."""
        if self.messages is not None:
            return [dict(message) for message in self.messages]
        return [{"role": "user", "content": self.prompt or ""}]


class PromptIn(_Prompted):
    """One prompt of a comparison project, with your idempotency key."""

    unique_id: UniqueId
    priority: int = Field(default=0, ge=-1_000_000, le=1_000_000)
    metadata: dict[str, Any] = Field(default_factory=dict)


class PromptImport(_Strict):
    """Prompts to turn into comparison tasks (all stored, or none)."""

    prompts: list[PromptIn] = Field(min_length=1, max_length=50_000)
    batch_id: str | None = None
    batch_name: str | None = Field(default=None, max_length=200)


class EvalItemIn(_Prompted):
    """One eval item: a prompt and its own rubric."""

    unique_id: UniqueId
    rubric: list[RubricCriterion] = Field(min_length=1, max_length=100)

    @model_validator(mode="after")
    def _distinct_criteria(self) -> Self:
        ids = [criterion.id for criterion in self.rubric]
        if len(set(ids)) != len(ids):
            raise ValueError("rubric criterion ids must be unique within an item")
        return self


class EvalItemImport(_Strict):
    """Items of a rubric evaluation (all stored, or none; idempotent by unique_id)."""

    items: list[EvalItemIn] = Field(min_length=1, max_length=10_000)


class ChatStart(_Strict):
    """Open a conversation in a chat project (optionally for a leased task)."""

    project_id: str = Field(min_length=1, max_length=32)
    task_id: str | None = Field(default=None, max_length=32)


class ChatTurn(_Strict):
    """The worker's next message; under the current reply unless ``parent_id`` says where."""

    content: str = Field(min_length=1, max_length=20_000)
    parent_id: str | None = Field(default=None, max_length=32)


class ChatChoice(_Strict):
    """The worker's pick among the candidate replies, or a rewrite of one (a demonstration)."""

    candidate_id: str = Field(min_length=1, max_length=32)
    rewrite: str | None = Field(default=None, min_length=1, max_length=20_000)
    strength: int | None = Field(default=None, ge=1, le=7)
    reason: str = Field(default="", max_length=10_000)
