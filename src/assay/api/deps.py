"""Typed request dependencies: the settings, a database session, and the calling actor."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Annotated, TypeVar

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from assay.config import Settings
from assay.errors import Unauthenticated
from assay.services.actor import Actor
from assay.services.keys import authenticate
from assay.store import Session, SessionFactory, leading_reads
from assay.web import deps as web_deps

T = TypeVar("T")
_bearer = HTTPBearer(auto_error=False, description="An Assay API key: `assay keys create`.")


def get_settings(request: Request) -> Settings:
    """The settings the app was created with."""
    settings: Settings = request.app.state.settings
    return settings


def get_session_factory(request: Request) -> SessionFactory:
    """The app's session factory (for streaming responses that outlive the request scope)."""
    factory: SessionFactory = request.app.state.session_factory
    return factory


def get_session(request: Request) -> Iterator[Session]:
    """One session per request; services commit, anything uncommitted is rolled back."""
    with request.app.state.session_factory() as session:
        yield session


SettingsDep = Annotated[Settings, Depends(get_settings)]
# The web pages and the API share the server's draws (defined with the pages, the lower layer).
server_rng = web_deps.server_rng
SessionDep = Annotated[Session, Depends(get_session)]
SessionFactoryDep = Annotated[SessionFactory, Depends(get_session_factory)]


def get_actor(
    session: SessionDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Actor:
    """The authenticated caller; every /v1 route depends on this."""
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise Unauthenticated()
    # Authentication only reads, so it must not take SQLite's write lock.
    with leading_reads(session):
        return authenticate(session, credentials.credentials)


ActorDep = Annotated[Actor, Depends(get_actor)]
BearerDep = Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]


def run_as_actor(
    request: Request,
    credentials: HTTPAuthorizationCredentials | None,
    work: Callable[[Session, Actor], T],
) -> T:
    """Open the request's session, authenticate the caller and run ``work``, on this thread.

    What ``SessionDep`` and ``ActorDep`` do, for the worker loop's hot routes: FastAPI runs
    each sync dependency, the handler and the response check on a pool thread of its own
    (five thread switches a request); an ``async`` handler that hands all of it to one pool
    thread (``run_in_threadpool(run_as_actor, ...)``) switches once.
    """
    with request.app.state.session_factory() as session:
        return work(session, get_actor(session, credentials))
