from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from assay.llm import DemoModel, EndpointConfig, OpenAICompatibleModel, build_model
from tests.support.fake_openai import FakeOpenAI, FakeReply


def test_openai_config_normalises_the_url_and_keeps_defaults() -> None:
    config = EndpointConfig(name="gpt", base_url=" https://api.example.com/v1/ ", model="gpt-4o")
    assert config.kind == "openai"
    assert config.base_url == "https://api.example.com/v1"
    assert (config.timeout, config.max_retries, config.rate_limit_per_minute) == (60.0, 3, None)
    assert EndpointConfig.model_validate_json(config.model_dump_json()) == config


@pytest.mark.parametrize(
    ("fields", "problem"),
    [
        ({"base_url": None}, "needs a base_url"),
        ({"base_url": "ftp://example.com"}, "http(s) URL"),
        ({"base_url": "https://"}, "http(s) URL"),
        ({"base_url": "https://user:pw@example.com/v1"}, "credentials"),
        ({"params": {"stream": True}}, "cannot set stream"),
        ({"params": {"temperature": 3}}, "between 0 and 2"),
        ({"params": {"max_tokens": "many"}}, "must be a number"),
        ({"params": {"top_p": True}}, "must be a number"),
        ({"timeout": 0}, "greater than 0"),
        ({"max_retries": -1}, "greater than or equal to 0"),
        ({"rate_limit_per_minute": 0}, "greater than 0"),
        ({"kind": "anthropic"}, "'openai' or 'demo'"),
        ({"api_key": "sk-oops"}, "Extra inputs"),
        ({"model": ""}, "at least 1 character"),
    ],
)
def test_invalid_configs_say_what_is_wrong(fields: dict[str, Any], problem: str) -> None:
    values: dict[str, Any] = {"name": "e", "base_url": "http://localhost:8001/v1", "model": "m"}
    values.update(fields)
    with pytest.raises(ValidationError, match=problem.replace("(", r"\(").replace(")", r"\)")):
        EndpointConfig(**values)


def test_demo_config_builds_a_demo_model_without_a_url() -> None:
    config = EndpointConfig(name="Demo B", kind="demo", model="thorough", params={"max_tokens": 8})
    model = build_model(config)
    assert isinstance(model, DemoModel)
    completion = model.complete([{"role": "user", "content": "How do I brew green tea?"}])
    assert completion.model == "thorough" and completion.finish_reason == "length"


def test_openai_config_builds_a_working_client() -> None:
    with FakeOpenAI(api_key="sk-live") as fake:
        config = EndpointConfig(
            name="local",
            base_url=fake.base_url,
            model="served-model",
            params={"temperature": 0.0, "seed": 3},
            timeout=5,
            max_retries=1,
            rate_limit_per_minute=6000,
        )
        model = build_model(config, api_key="sk-live")
        assert isinstance(model, OpenAICompatibleModel)
        assert model.limiter is not None and model.limiter.per_minute == 6000
        fake.enqueue(FakeReply(content="configured"))
        with model:
            completion = model.complete([{"role": "user", "content": "hi"}])
    assert completion.content == "configured"
    assert fake.requests[0]["temperature"] == 0.0 and fake.requests[0]["seed"] == 3
    assert fake.requests[0]["model"] == "served-model"
