"""Web fixtures: an app on SQLite, a live uvicorn server, headless Chromium, logged-in pages."""

from __future__ import annotations

import re
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from fastapi import FastAPI
    from fastapi.testclient import TestClient
    from playwright.sync_api import Browser, Page

    from assay.config import Settings
    from assay.store import SessionFactory
    from tests.support.databases import SqliteTemplate

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@dataclass
class WebEnv:
    """An app with the workbench mounted, its settings and a session factory for seeding."""

    settings: Settings
    app: FastAPI
    factory: SessionFactory


def make_env(template: SqliteTemplate, directory: Path) -> WebEnv:
    from assay.api.app import create_app
    from assay.store import make_engine, make_session_factory
    from assay.web import mount_web
    from tests.support.api import settings_for

    settings = settings_for(template.fresh(directory), directory)
    app = create_app(settings)
    mount_web(app)
    factory = make_session_factory(make_engine(settings.resolved_database_url()))
    return WebEnv(settings, app, factory)


@pytest.fixture
def web_env(_sqlite_template: SqliteTemplate, tmp_path: Path) -> WebEnv:
    """A fresh database and app for one test."""
    return make_env(_sqlite_template, tmp_path)


@pytest.fixture
def web_client(web_env: WebEnv) -> Iterator[TestClient]:
    """The app with the workbench, called in-process."""
    from fastapi.testclient import TestClient

    with TestClient(web_env.app, base_url="http://127.0.0.1") as client:
        yield client


def login(client: TestClient, email: str, password: str) -> str:
    """Log a TestClient in through the form; returns the session's CSRF token."""
    form = client.get("/login")
    token = re.search(r'name="login_token" value="([^"]+)"', form.text)
    assert token is not None
    answer = client.post(
        "/login",
        data={"email": email, "password": password, "login_token": token.group(1)},
        follow_redirects=False,
    )
    assert answer.status_code == 303, answer.text
    return csrf_of(client.get("/queue" if "ops@" not in email else "/ops").text)


def csrf_of(html: str) -> str:
    """The CSRF token a page carries for its forms and scripts."""
    match = re.search(r'name="csrf-token" content="([^"]*)"', html)
    assert match is not None
    return match.group(1)


# Browser tests: one server and one browser for the module, a fresh browser context per test.


@pytest.fixture(scope="module")
def live_env(_sqlite_template: SqliteTemplate, tmp_path_factory: pytest.TempPathFactory) -> WebEnv:
    """One database and app shared by a module's browser tests (each test seeds its own org)."""
    return make_env(_sqlite_template, tmp_path_factory.mktemp("live"))


@pytest.fixture(scope="module")
def live_server(live_env: WebEnv) -> Iterator[str]:
    """A real uvicorn server on 127.0.0.1 at a free port, in a background thread."""
    import uvicorn

    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    config = uvicorn.Config(live_env.app, log_level="warning", lifespan="on", ws="none")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.02)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)
    sock.close()


class PageErrors:
    """JavaScript errors and dialogs seen by a page; a test fails if any script broke."""

    def __init__(self) -> None:
        self.errors: list[str] = []
        self.dialogs: list[str] = []


@pytest.fixture
def new_page(browser: Browser, live_server: str) -> Iterator[Any]:
    """A factory of pages, each in its own browser context (its own cookies: a device)."""
    contexts = []
    seen = PageErrors()

    def make() -> Page:
        context = browser.new_context(
            base_url=live_server, viewport={"width": 1360, "height": 900}, locale="en-GB"
        )
        context.set_default_timeout(8000)
        contexts.append(context)
        page = context.new_page()
        page.on("pageerror", lambda error: seen.errors.append(str(error)))
        page.on("dialog", lambda dialog: (seen.dialogs.append(dialog.message), dialog.dismiss()))
        return page

    make.seen = seen  # type: ignore[attr-defined]
    yield make
    for context in contexts:
        context.close()
    assert not seen.errors, f"JavaScript errors: {seen.errors}"


def browser_login(page: Page, email: str, password: str) -> None:
    """Log in through the form with the keyboard."""
    page.goto("/login")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", password)
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/(queue|ops)"))
