"""How the web edge answers errors: an HTML page for people, JSON for the page's own scripts."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any
from urllib.parse import quote

from fastapi import Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse
from fastapi.routing import APIRoute

from assay import errors

STATUS_BY_ERROR: dict[type[errors.AssayError], int] = {
    errors.InvalidInput: 422,
    errors.NotFound: 404,
    errors.Conflict: 409,
    errors.Unauthenticated: 401,
    errors.PermissionDenied: 403,
    errors.PayloadTooLarge: 413,
    errors.NoTaskAvailable: 404,
    errors.LeaseExpired: 409,
    errors.UpstreamError: 502,
}


class LoginRequired(Exception):
    """The page needs a logged-in account; the browser is sent to the login form."""


class CsrfRejected(Exception):
    """A state-changing request did not echo its session's CSRF token."""


def status_for(exc: errors.AssayError) -> int:
    """Return the HTTP status of an Assay error."""
    for cls in type(exc).__mro__:
        if cls in STATUS_BY_ERROR:
            return STATUS_BY_ERROR[cls]
    return 400


def wants_json(request: Request) -> bool:
    """Whether the caller is the page's script (fetch sends JSON and asks for JSON back)."""
    accept = request.headers.get("accept", "")
    content_type = request.headers.get("content-type", "")
    return "application/json" in accept or content_type.startswith("application/json")


def _error_json(code: str, message: str, status: int, details: Any = None) -> JSONResponse:
    body = {"error": {"code": code, "message": message, "details": details}}
    return JSONResponse(body, status_code=status)


def _error_page(request: Request, title: str, message: str, status: int) -> Response:
    from assay.web.render import render  # the renderer imports this module

    return render(request, "error.html", {"title": title, "message": message}, status=status)


def handle_web_error(request: Request, exc: Exception) -> Response:
    """Turn an error raised by a web handler into the right answer for its caller."""
    if isinstance(exc, LoginRequired):
        if wants_json(request):
            return _error_json("unauthenticated", "Your session ended; log in again.", 401)
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return RedirectResponse(f"/login?next={quote(target)}", status_code=303)
    if isinstance(exc, CsrfRejected):
        message = "This form is out of date or came from another site; reload the page."
        if wants_json(request):
            return _error_json("csrf_failed", message, 403)
        return _error_page(request, "Request refused", message, 403)
    if isinstance(exc, RequestValidationError):
        return _invalid_request(request, exc)
    assert isinstance(exc, errors.AssayError)
    status = status_for(exc)
    if wants_json(request):
        return _error_json(exc.code, exc.message, status, exc.details)
    return _error_page(request, "That did not work", exc.message, status)


def _invalid_request(request: Request, exc: RequestValidationError) -> Response:
    problems = [
        f"{'.'.join(str(p) for p in item.get('loc', ()) if p not in ('body', 'query'))}: "
        f"{item.get('msg', '')}"
        for item in exc.errors()
    ]
    message = "The request is not valid: " + "; ".join(problems or ["unreadable"])
    if wants_json(request):
        return _error_json("invalid_input", message, 422, problems)
    return _error_page(request, "Please check the form", message, 422)


class WebRoute(APIRoute):
    """A route whose errors become pages (or JSON for fetch), never the API's error shape."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        """Wrap the handler so web errors are answered here, before the API's handlers."""
        handler = super().get_route_handler()

        async def guarded(request: Request) -> Response:
            try:
                return await handler(request)
            except (LoginRequired, CsrfRejected, errors.AssayError, RequestValidationError) as exc:
                return handle_web_error(request, exc)

        return guarded
