"""Fixtures for model work: the app with the RLHF routers, a fast model pool, a fake OpenAI."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from assay.api.routes import (
    chats,
    comparisons,
    leaderboards,
    models,
    presets,
    rlhf_exports,
    rubric_evals,
)
from assay.config import Settings
from assay.llm import Backoff
from assay.services.generation import install_generation_jobs
from assay.services.model_pool import ModelPool
from assay.services.secret_key import load_secret_key
from assay.store import SessionFactory, make_engine, make_session_factory
from tests.rlhf.flows import ScriptedReplies
from tests.support.fake_openai import FakeOpenAI
from tests.support.routers import app_with

# Hugging Face libraries must never reach for the network here.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("HF_DATASETS_OFFLINE", "1")

ROUTERS = [models, comparisons, chats, rubric_evals, presets, rlhf_exports, leaderboards]
FAKE_KEY = "sk-fake-test-key-123"


@pytest.fixture
def factory(database_url: str) -> Iterator[SessionFactory]:
    engine = make_engine(database_url)
    yield make_session_factory(engine)
    engine.dispose()


@pytest.fixture
def pool(settings: Settings) -> Iterator[ModelPool]:
    """Models that retry after milliseconds, registered as the generation jobs' pool."""
    fast = Backoff(base=0.01, cap=0.05, max_retry_after=0.05, seed=0)
    model_pool = ModelPool(lambda: load_secret_key(settings), backoff=fast)
    install_generation_jobs(settings, pool=model_pool)
    yield model_pool
    model_pool.close()


@pytest.fixture
def api(settings: Settings, pool: ModelPool) -> Iterator[TestClient]:
    app = app_with(settings, *(module.router for module in ROUTERS))
    app.state.model_pool = pool
    with TestClient(app) as client:
        yield client


@pytest.fixture
def fake() -> Iterator[FakeOpenAI]:
    with FakeOpenAI(api_key=FAKE_KEY) as server:
        yield server


@pytest.fixture
def script(fake: FakeOpenAI) -> ScriptedReplies:
    """Per-model scripted replies of the fake server (the default answer after them)."""
    replies = ScriptedReplies()
    fake.set_default(replies)
    return replies
