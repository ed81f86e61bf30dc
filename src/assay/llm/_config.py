"""A model endpoint's stored configuration, and turning it into a ready ``ChatModel``."""

from __future__ import annotations

from typing import Any, Literal
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from assay.errors import InvalidInput
from assay.llm._completion import ChatModel
from assay.llm._demo import DemoModel
from assay.llm._openai import OpenAICompatibleModel

__all__ = ["EndpointConfig", "build_model"]

# Set by the adapter itself, never by configuration.
_RESERVED_PARAMS = frozenset({"model", "messages", "tools", "stream"})
# Ranges of the common sampling parameters, checked at configuration time so a typo fails
# when the endpoint is saved rather than on its first call.
_PARAM_RANGES: dict[str, tuple[float, float]] = {
    "temperature": (0.0, 2.0),
    "top_p": (0.0, 1.0),
    "presence_penalty": (-2.0, 2.0),
    "frequency_penalty": (-2.0, 2.0),
    "max_tokens": (1, 1_000_000),
    "max_completion_tokens": (1, 1_000_000),
    "n": (1, 128),
}


class EndpointConfig(BaseModel):
    """How to reach one model: an OpenAI-compatible HTTP endpoint or the built-in demo model.

    The API key is not part of the configuration: it is stored encrypted apart from it and
    passed to ``build_model``.

    Attributes:
        name: How people and error messages refer to this endpoint.
        kind: ``"openai"`` for any OpenAI-compatible server, ``"demo"`` for ``DemoModel``.
        base_url: The API root (``https://api.openai.com/v1``); required for ``"openai"``.
        model: The model name sent to the endpoint; for ``"demo"``, the persona.
        params: Default sampling parameters (``temperature``, ``max_tokens``, ``seed``, ...).
        timeout: Seconds allowed per request.
        max_retries: Retries after a failed first attempt.
        rate_limit_per_minute: Requests per minute to send at most (``None``: no limit).

    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(min_length=1, max_length=200)
    kind: Literal["openai", "demo"] = "openai"
    base_url: str | None = Field(default=None, max_length=2000)
    model: str = Field(min_length=1, max_length=200)
    params: dict[str, Any] = Field(default_factory=dict)
    timeout: float = Field(default=60.0, gt=0, le=3600)
    max_retries: int = Field(default=3, ge=0, le=10)
    rate_limit_per_minute: float | None = Field(default=None, gt=0, le=1_000_000)

    @field_validator("base_url")
    @classmethod
    def _check_base_url(cls, value: str | None) -> str | None:
        if value is None:
            return None
        parts = urlsplit(value.strip())
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError("base_url must be an http(s) URL such as https://api.openai.com/v1")
        if parts.username or parts.password:
            raise ValueError("base_url must not contain credentials; store the API key instead")
        return value.strip().rstrip("/")

    @field_validator("params")
    @classmethod
    def _check_params(cls, value: dict[str, Any]) -> dict[str, Any]:
        reserved = sorted(_RESERVED_PARAMS.intersection(value))
        if reserved:
            raise ValueError(f"params cannot set {', '.join(reserved)}")
        for key, (low, high) in _PARAM_RANGES.items():
            number = value.get(key)
            if number is None:
                continue
            if isinstance(number, bool) or not isinstance(number, int | float):
                raise ValueError(f"params.{key} must be a number")
            if not low <= number <= high:
                raise ValueError(f"params.{key} must be between {low:g} and {high:g}")
        return value

    @model_validator(mode="after")
    def _check_kind(self) -> EndpointConfig:
        if self.kind == "openai" and self.base_url is None:
            raise ValueError("an 'openai' endpoint needs a base_url")
        return self


def build_model(config: EndpointConfig, api_key: str | None = None) -> ChatModel:
    """Make the chat model a configuration describes.

    Args:
        config: The endpoint configuration.
        api_key: The decrypted API key, for ``"openai"`` endpoints that need one.

    Returns:
        An ``OpenAICompatibleModel`` (close it when done) or a ``DemoModel``.

    """
    if config.kind == "demo":
        return DemoModel(config.model, params=config.params)
    if config.base_url is None:  # guarded by the validator; kept for type narrowing
        raise InvalidInput("An 'openai' endpoint needs a base_url.")
    return OpenAICompatibleModel(
        config.base_url,
        config.model,
        api_key=api_key,
        params=config.params,
        timeout=config.timeout,
        max_retries=config.max_retries,
        rate_limit_per_minute=config.rate_limit_per_minute,
        name=config.name,
    )
