"""Request dependencies of the web edge: a database session, the logged-in account, CSRF."""

from __future__ import annotations

import random
from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Request

from assay.services.accounts import WebIdentity, csrf_matches, resolve_web_session

# Only the session type and factory cross from store to web, as in api/deps.py: every query
# still goes through a service.
from assay.store import Session
from assay.web.errors import CsrfRejected, LoginRequired

SESSION_COOKIE = "assay_session"
CSRF_HEADER = "X-CSRF-Token"
CSRF_FIELD = "csrf_token"


def get_db(request: Request) -> Iterator[Session]:
    """One database session per request; services commit, the rest is rolled back."""
    with request.app.state.session_factory() as session:
        yield session


DbDep = Annotated[Session, Depends(get_db)]


def server_rng(request: Request) -> random.Random:
    """The server's generator, seeded by ``ASSAY_RANDOM_SEED`` when it is set."""
    rng: random.Random = request.app.state.rng
    return rng


RngDep = Annotated[random.Random, Depends(server_rng)]


def optional_identity(request: Request, db: DbDep) -> WebIdentity | None:
    """Return the logged-in account behind the cookie, or None."""
    cached: WebIdentity | None = getattr(request.state, "identity", None)
    if cached is not None:
        return cached
    identity = resolve_web_session(db, request.cookies.get(SESSION_COOKIE, ""))
    # The lookup only read; end its transaction so the handler's service starts clean.
    db.rollback()
    request.state.identity = identity
    return identity


def require_identity(
    identity: Annotated[WebIdentity | None, Depends(optional_identity)],
) -> WebIdentity:
    """Return the logged-in account, or send the browser to the login page."""
    if identity is None:
        raise LoginRequired()
    return identity


IdentityDep = Annotated[WebIdentity, Depends(require_identity)]
MaybeIdentityDep = Annotated[WebIdentity | None, Depends(optional_identity)]


async def require_csrf(request: Request, identity: IdentityDep) -> WebIdentity:
    """Return the logged-in account once the request proved it came from our own page.

    Scripts send the token in the ``X-CSRF-Token`` header; forms in a hidden field.
    """
    presented = request.headers.get(CSRF_HEADER)
    if presented is None and _is_form(request):
        form = await request.form()
        value = form.get(CSRF_FIELD)
        presented = value if isinstance(value, str) else None
    if not csrf_matches(identity, presented):
        raise CsrfRejected()
    return identity


def _is_form(request: Request) -> bool:
    content_type = request.headers.get("content-type", "")
    return content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data"))


CsrfDep = Annotated[WebIdentity, Depends(require_csrf)]
