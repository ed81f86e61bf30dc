"""Logging in and out, and the home page that sends each role where it works."""

from __future__ import annotations

import hmac
import secrets
from typing import Annotated

from fastapi import APIRouter, Form, Request, Response
from fastapi.responses import RedirectResponse

from assay.errors import Unauthenticated
from assay.services import accounts
from assay.web.deps import SESSION_COOKIE, CsrfDep, DbDep, MaybeIdentityDep
from assay.web.errors import WebRoute
from assay.web.render import render

router = APIRouter(route_class=WebRoute, include_in_schema=False)

# Before login there is no session to hold a CSRF token, so the form pairs a hidden field
# with a cookie of the same random value (a double submit).
LOGIN_CSRF_COOKIE = "assay_login_csrf"


def safe_next(target: str | None) -> str:
    """Return a local path to go to after login (never another site)."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return "/"


def _login_page(request: Request, next_url: str, error: str | None, status: int) -> Response:
    token = secrets.token_urlsafe(24)
    response = render(
        request,
        "login.html",
        {"next_url": next_url, "error": error, "login_token": token},
        status=status,
    )
    response.set_cookie(
        LOGIN_CSRF_COOKIE,
        token,
        httponly=True,
        samesite="strict",
        max_age=3600,
        secure=request.url.scheme == "https",
    )
    return response


@router.get("/login")
def login_form(request: Request, identity: MaybeIdentityDep, next: str = "/") -> Response:
    """Show the login form (or go straight on when already logged in)."""
    if identity is not None:
        return RedirectResponse(safe_next(next), status_code=303)
    return _login_page(request, safe_next(next), None, 200)


@router.post("/login")
def login_submit(
    request: Request,
    db: DbDep,
    email: Annotated[str, Form(max_length=320)],
    password: Annotated[str, Form(max_length=1024)],
    login_token: Annotated[str, Form(max_length=100)] = "",
    next: Annotated[str, Form(max_length=2000)] = "/",
) -> Response:
    """Check the credentials; set the session cookie and go on, or show the form again."""
    cookie = request.cookies.get(LOGIN_CSRF_COOKIE, "")
    if not cookie or not hmac.compare_digest(cookie.encode(), login_token.encode()):
        return _login_page(request, safe_next(next), "The form expired; try again.", 403)
    try:
        result = accounts.login(db, email, password)
    except Unauthenticated as exc:
        return _login_page(request, safe_next(next), exc.message, 401)
    response = RedirectResponse(safe_next(next), status_code=303)
    response.set_cookie(
        SESSION_COOKIE,
        result.token,
        httponly=True,
        samesite="lax",
        max_age=int(accounts.SESSION_LIFETIME.total_seconds()),
        path="/",
        secure=request.url.scheme == "https",
    )
    response.delete_cookie(LOGIN_CSRF_COOKIE)
    return response


@router.post("/logout")
def logout(request: Request, db: DbDep, _identity: CsrfDep) -> Response:
    """End the session on the server and forget the cookie."""
    accounts.logout(db, request.cookies.get(SESSION_COOKIE, ""))
    response = RedirectResponse("/login?notice=logged_out", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


@router.get("/")
def home(identity: MaybeIdentityDep) -> Response:
    """Workers start at their queue, operations at the projects."""
    if identity is None:
        return RedirectResponse("/login", status_code=303)
    target = "/queue" if identity.actor.worker_id is not None else "/ops"
    return RedirectResponse(target, status_code=303)
