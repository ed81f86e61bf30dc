"""Logging in and out of the workbench, session cookies, and CSRF on every state change."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from tests.web import seed
from tests.web.conftest import WebEnv, csrf_of, login


def _login_token(client: TestClient) -> str:
    match = re.search(r'name="login_token" value="([^"]+)"', client.get("/login").text)
    assert match is not None
    return match.group(1)


def test_pages_send_strangers_to_the_login_form(web_client: TestClient) -> None:
    answer = web_client.get("/earnings?period=week", follow_redirects=False)
    assert answer.status_code == 303
    assert answer.headers["location"] == "/login?next=/earnings%3Fperiod%3Dweek"
    assert web_client.get("/", follow_redirects=False).headers["location"] == "/login"


def test_page_scripts_get_json_401_when_the_session_is_gone(web_client: TestClient) -> None:
    answer = web_client.post("/work/next", json={})
    assert answer.status_code == 401
    assert answer.json()["error"]["code"] == "unauthenticated"


def test_login_sets_a_strict_session_cookie_and_goes_on(
    web_env: WebEnv, web_client: TestClient
) -> None:
    org = seed.new_org(web_env.factory)
    email = seed.add_account(org, "ana")
    answer = web_client.post(
        "/login",
        data={
            "email": email,
            "password": seed.PASSWORD,
            "login_token": _login_token(web_client),
            "next": "/earnings",
        },
        follow_redirects=False,
    )
    assert answer.status_code == 303 and answer.headers["location"] == "/earnings"
    cookie = next(c for c in answer.headers.get_list("set-cookie") if "assay_session=" in c)
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie and "Max-Age=43200" in cookie
    page = web_client.get("/queue")
    assert page.status_code == 200 and "Hello, ana" in page.text
    assert "script-src 'self'" in page.headers["content-security-policy"]
    assert page.headers["x-frame-options"] == "DENY"


def test_login_never_redirects_to_another_site(web_env: WebEnv, web_client: TestClient) -> None:
    org = seed.new_org(web_env.factory)
    for target in ("//evil.example/x", "https://evil.example/", "/\\evil.example"):
        web_client.cookies.clear()
        answer = web_client.post(
            "/login",
            data={
                "email": org.email("ops"),
                "password": seed.PASSWORD,
                "login_token": _login_token(web_client),
                "next": target,
            },
            follow_redirects=False,
        )
        assert answer.headers["location"] == "/"


def test_a_wrong_password_shows_the_form_again(web_env: WebEnv, web_client: TestClient) -> None:
    org = seed.new_org(web_env.factory)
    answer = web_client.post(
        "/login",
        data={
            "email": org.email("ops"),
            "password": "not the password",
            "login_token": _login_token(web_client),
        },
    )
    assert answer.status_code == 401
    assert "Wrong email or password" in answer.text
    assert "assay_session" not in web_client.cookies


def test_a_login_form_from_elsewhere_is_refused(web_env: WebEnv, web_client: TestClient) -> None:
    org = seed.new_org(web_env.factory)
    web_client.get("/login")
    answer = web_client.post(
        "/login",
        data={"email": org.email("ops"), "password": seed.PASSWORD, "login_token": "forged"},
    )
    assert answer.status_code == 403
    assert "assay_session" not in web_client.cookies


def test_state_changes_without_the_csrf_token_are_refused(
    web_env: WebEnv, web_client: TestClient
) -> None:
    org = seed.new_org(web_env.factory)
    email = seed.add_account(org, "ana")
    seed.add_project(org, "Labels", seed.SENTIMENT, [{"review": "Fine."}])
    csrf = login(web_client, email, seed.PASSWORD)
    assert web_client.post("/work/start", data={}).status_code == 403
    assert web_client.post("/work/start", data={"csrf_token": "wrong"}).status_code == 403
    refused = web_client.post("/work/next", json={}, headers={"X-CSRF-Token": "wrong"})
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "csrf_failed"
    assert web_client.post("/logout", data={}).status_code == 403
    started = web_client.post("/work/start", data={"csrf_token": csrf}, follow_redirects=False)
    assert started.status_code == 303 and started.headers["location"].startswith("/work/asg_")
    assert web_client.post("/work/next", json={}, headers={"X-CSRF-Token": csrf}).status_code == 200


def test_logout_ends_the_session_on_the_server(web_env: WebEnv, web_client: TestClient) -> None:
    org = seed.new_org(web_env.factory)
    email = seed.add_account(org, "ana")
    csrf = login(web_client, email, seed.PASSWORD)
    stolen = web_client.cookies["assay_session"]
    answer = web_client.post("/logout", data={"csrf_token": csrf}, follow_redirects=False)
    assert answer.headers["location"] == "/login?notice=logged_out"
    web_client.cookies.set("assay_session", stolen)
    assert web_client.get("/queue", follow_redirects=False).status_code == 303


def test_each_session_has_its_own_csrf_token(web_env: WebEnv) -> None:
    org = seed.new_org(web_env.factory)
    email = seed.add_account(org, "ana")
    with TestClient(web_env.app) as first, TestClient(web_env.app) as second:
        token = login(first, email, seed.PASSWORD)
        other = login(second, email, seed.PASSWORD)
        assert token != other
        assert (
            second.post("/work/next", json={}, headers={"X-CSRF-Token": token}).status_code == 403
        )
        assert csrf_of(second.get("/queue").text) == other
