"""Dependencies of the routes that call models: the secret key and a shared model pool."""

from __future__ import annotations

import threading
from typing import Annotated

from fastapi import Depends, Request

from assay.api.deps import SettingsDep
from assay.services.model_pool import ModelPool
from assay.services.secret_key import load_secret_key

_lock = threading.Lock()


def get_secret_key(settings: SettingsDep) -> str:
    """Return the key that encrypts model API keys (created in the data dir on first use)."""
    return load_secret_key(settings)


def get_model_pool(request: Request) -> ModelPool:
    """Return the app's model pool, made on first use so rate limits hold across requests."""
    with _lock:
        pool: ModelPool | None = getattr(request.app.state, "model_pool", None)
        if pool is None:
            settings = request.app.state.settings
            pool = ModelPool(lambda: load_secret_key(settings))
            request.app.state.model_pool = pool
    return pool


SecretKeyDep = Annotated[str, Depends(get_secret_key)]
ModelPoolDep = Annotated[ModelPool, Depends(get_model_pool)]
