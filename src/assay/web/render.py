"""Rendering pages: the Jinja2 environment, display filters and the security headers."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from fastapi import Request, Response
from fastapi.templating import Jinja2Templates

from assay.services.accounts import WebIdentity

WEB_DIR = Path(__file__).resolve().parent
TEMPLATES = Jinja2Templates(directory=WEB_DIR / "templates")

# Scripts only from our own static files: even a rendering mistake cannot run injected markup.
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data: https: http:",
        "media-src 'self' https: http:",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
}

NOTICES = {
    "empty": "No task is waiting for you right now. Check back soon.",
    "done": "Nice work: that was the last task in this queue for now.",
    "skipped": "Task skipped.",
    "expired": "That lease had expired, so the task went back to the pool.",
    "saved": "Saved.",
    "answered": "Answer published to every worker on the project.",
    "logged_out": "You are logged out.",
    "no_reviews": "Nothing is waiting for review right now.",
}


def money(cents: int | float | None) -> str:
    """Cents as dollars: 1234 -> "$12.34"."""
    if cents is None:
        return "—"
    return f"${cents / 100:,.2f}"


def duration(seconds: int | float | None) -> str:
    """Seconds as "1h 05m" or "4m 09s"."""
    if seconds is None:
        return "—"
    total = int(seconds)
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}h {minutes:02d}m" if hours else f"{minutes}m {secs:02d}s"


def percent(share: float | None) -> str:
    """Format a share as a whole percentage, or a dash."""
    return "—" if share is None else f"{share * 100:.0f}%"


def when(moment: datetime | None) -> str:
    """Format a UTC timestamp to the minute."""
    return "—" if moment is None else moment.strftime("%Y-%m-%d %H:%M UTC")


TEMPLATES.env.filters.update(money=money, duration=duration, percent=percent, when=when)


def nav_items(identity: WebIdentity | None) -> list[tuple[str, str]]:
    """List the header links an account's role may use."""
    if identity is None:
        return []
    role = identity.actor.role.value
    items: list[tuple[str, str]] = []
    if identity.actor.worker_id is not None:
        items += [
            ("/queue", "Queue"),
            ("/qualifications", "Qualifications"),
            ("/quality", "Quality"),
            ("/earnings", "Earnings"),
        ]
    if role in ("reviewer", "admin") and identity.actor.worker_id is not None:
        items.append(("/review", "Review"))
    if role in ("requester", "admin"):
        items += [("/ops", "Projects"), ("/ops/workers", "Workers"), ("/ops/payments", "Payments")]
    return items


def active_nav(nav: list[tuple[str, str]], path: str) -> str | None:
    """Return the header link the current page belongs to (longest matching prefix)."""
    aliases = {"/work": "/queue"}
    for prefix, target in aliases.items():
        if path.startswith(prefix + "/"):
            path = target
    matches = [href for href, _ in nav if path == href or path.startswith(href + "/")]
    return max(matches, key=len, default=None)


def render(
    request: Request, name: str, context: dict[str, Any] | None = None, *, status: int = 200
) -> Response:
    """Render a page with the shared context (account, CSRF, navigation, notice) and headers."""
    identity: WebIdentity | None = getattr(request.state, "identity", None)
    notice = NOTICES.get(request.query_params.get("notice", ""))
    nav = nav_items(identity)
    shared = {
        "identity": identity,
        "csrf_token": identity.csrf_token if identity else "",
        "nav": nav,
        "active_nav": active_nav(nav, request.url.path),
        "notice": notice,
    }
    response = TEMPLATES.TemplateResponse(
        request, name, {**shared, **(context or {})}, status_code=status
    )
    response.headers.update(SECURITY_HEADERS)
    return response
