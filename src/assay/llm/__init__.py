"""Model endpoints: OpenAI-compatible HTTP adapters and a deterministic offline demo model.

Everything here talks to models and nothing else: it imports only ``assay.errors`` from Assay.

Example:
    >>> from assay.llm import EndpointConfig, build_model
    >>> model = build_model(EndpointConfig(name="demo", kind="demo", model="thorough"))
    >>> model.complete([{"role": "user", "content": "How do I brew tea?"}]).content[:2]
    '##'

"""

from __future__ import annotations

from assay.llm._backoff import Backoff
from assay.llm._completion import (
    AsyncChatModel,
    ChatModel,
    Completion,
    Message,
    Tool,
    ToolCall,
    Usage,
)
from assay.llm._config import EndpointConfig, build_model
from assay.llm._demo import DemoModel
from assay.llm._encryption import decrypt_secret, encrypt_secret, generate_secret_key
from assay.llm._openai import AsyncOpenAICompatibleModel, OpenAICompatibleModel
from assay.llm._rate_limit import RateLimiter

__all__ = [
    "AsyncChatModel",
    "AsyncOpenAICompatibleModel",
    "Backoff",
    "ChatModel",
    "Completion",
    "DemoModel",
    "EndpointConfig",
    "Message",
    "OpenAICompatibleModel",
    "RateLimiter",
    "Tool",
    "ToolCall",
    "Usage",
    "build_model",
    "decrypt_secret",
    "encrypt_secret",
    "generate_secret_key",
]
