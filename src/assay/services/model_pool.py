"""Ready chat models for endpoints, shared within a process; and a test request to one."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from assay.errors import AssayError
from assay.llm import (
    Backoff,
    ChatModel,
    DemoModel,
    OpenAICompatibleModel,
    decrypt_secret,
)
from assay.services.actor import Actor
from assay.services.model_endpoints import EndpointSnapshot, get_endpoint, snapshot
from assay.store import Session

SecretKeySource = Callable[[], str]


class ModelPool:
    """Builds one chat model per endpoint version and hands the same one out again.

    A model holds its HTTP connection pool and its rate limiter, so sharing it makes an
    endpoint's ``rate_limit_per_minute`` hold for every job of this process. A changed
    endpoint (new ``updated_at``) gets a fresh model. Thread-safe.

    Args:
        secret_key: Returns the key API keys were encrypted with (called on first need).
        backoff: The wait schedule between retries of a failed request (default: the
            adapters' own).
        sleep: Blocking sleep between retries (tests pass a fast one).

    """

    def __init__(
        self,
        secret_key: SecretKeySource,
        *,
        backoff: Backoff | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._secret_key = secret_key
        self._backoff = backoff
        self._sleep = sleep
        self._lock = threading.Lock()
        self._models: dict[str, tuple[str, ChatModel]] = {}

    def model_for(self, endpoint: EndpointSnapshot) -> ChatModel:
        """Return the chat model of an endpoint, building it on first use."""
        with self._lock:
            cached = self._models.get(endpoint.id)
            if cached is not None and cached[0] == endpoint.version:
                return cached[1]
            model = self._build(endpoint)
            self._models[endpoint.id] = (endpoint.version, model)
        if cached is not None:
            _close(cached[1])
        return model

    def _build(self, endpoint: EndpointSnapshot) -> ChatModel:
        config = endpoint.config
        if config.kind == "demo":
            return DemoModel(config.model, params=config.params)
        api_key = None
        if endpoint.api_key_encrypted is not None:
            api_key = decrypt_secret(endpoint.api_key_encrypted, self._secret_key())
        return OpenAICompatibleModel(
            config.base_url or "",
            config.model,
            api_key=api_key,
            params=config.params,
            timeout=config.timeout,
            max_retries=config.max_retries,
            rate_limit_per_minute=config.rate_limit_per_minute,
            name=config.name,
            backoff=self._backoff,
            sleep=self._sleep,
        )

    def close(self) -> None:
        """Close every model's connections."""
        with self._lock:
            models = [model for _version, model in self._models.values()]
            self._models.clear()
        for model in models:
            _close(model)


def _close(model: ChatModel) -> None:
    if isinstance(model, OpenAICompatibleModel):
        model.close()


@dataclass(frozen=True)
class EndpointCheck:
    """The outcome of one test request to an endpoint."""

    ok: bool
    latency_ms: float | None = None
    reply: str | None = None
    error: str | None = None


CHECK_PROMPT = "Reply with one short sentence to confirm you can answer."


def check_endpoint(
    session: Session, actor: Actor, pool: ModelPool, endpoint_id: str
) -> EndpointCheck:
    """Send one short chat request to an endpoint (with its retries) and report how it went."""
    endpoint = snapshot(get_endpoint(session, actor, endpoint_id))
    session.rollback()  # no transaction held while the model answers
    try:
        completion = pool.model_for(endpoint).complete([{"role": "user", "content": CHECK_PROMPT}])
    except AssayError as exc:
        return EndpointCheck(ok=False, error=exc.message)
    return EndpointCheck(
        ok=True, latency_ms=completion.latency_ms, reply=(completion.content or "")[:500]
    )
