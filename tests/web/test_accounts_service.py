"""services/accounts.py: argon2 passwords, login, server-side sessions and their expiry."""

from __future__ import annotations

from datetime import timedelta

import pytest

from assay.errors import Conflict, InvalidInput, Unauthenticated
from assay.services import accounts
from assay.store import accounts as store
from tests.web.conftest import WebEnv

PASSWORD = "a long enough password"


def test_an_account_keeps_only_an_argon2_hash_and_gets_a_worker(web_env: WebEnv) -> None:
    with web_env.factory() as session:
        account = accounts.create_account(
            session, org_name="acme", email=" Ana@Example.ORG ", password=PASSWORD, role="worker"
        )
    assert account.email == "ana@example.org"
    assert account.password_hash.startswith("$argon2id$")
    assert PASSWORD not in account.password_hash
    assert account.worker_id is not None


def test_requester_accounts_have_no_worker(web_env: WebEnv) -> None:
    with web_env.factory() as session:
        account = accounts.create_account(
            session,
            org_name="acme",
            email="lead@example.org",
            password=PASSWORD,
            role="requester",
        )
    assert account.worker_id is None


@pytest.mark.parametrize(
    ("email", "password", "role", "message"),
    [
        ("a@example.org", "short", "worker", "at least 10"),
        ("not-an-email", PASSWORD, "worker", "not an email"),
        ("a@example.org", PASSWORD, "overlord", "Unknown role"),
    ],
)
def test_bad_account_details_are_refused(
    web_env: WebEnv, email: str, password: str, role: str, message: str
) -> None:
    with web_env.factory() as session, pytest.raises(InvalidInput, match=message):
        accounts.create_account(session, org_name="acme", email=email, password=password, role=role)


def test_an_email_has_one_account(web_env: WebEnv) -> None:
    with web_env.factory() as session:
        accounts.create_account(
            session, org_name="acme", email="a@example.org", password=PASSWORD, role="worker"
        )
    with web_env.factory() as session, pytest.raises(Conflict):
        accounts.create_account(
            session, org_name="globex", email="A@example.org", password=PASSWORD, role="admin"
        )


def test_login_opens_a_session_whose_cookie_is_not_stored(web_env: WebEnv) -> None:
    with web_env.factory() as session:
        accounts.create_account(
            session, org_name="acme", email="a@example.org", password=PASSWORD, role="reviewer"
        )
        result = accounts.login(session, "A@example.org", PASSWORD)
    assert result.web_session.id != result.token  # only the token's hash is kept
    with web_env.factory() as session:
        assert store.get_web_session(session, result.token) is None
        identity = accounts.resolve_web_session(session, result.token)
    assert identity is not None
    assert identity.actor.role == "reviewer"
    assert identity.actor.worker_id == result.account.worker_id
    assert identity.expires_at - result.web_session.created_at == timedelta(hours=12)


@pytest.mark.parametrize(
    ("email", "password"),
    [
        ("a@example.org", "wrong password!"),
        ("nobody@example.org", PASSWORD),
        ("", ""),
    ],
)
def test_bad_credentials_get_one_message(web_env: WebEnv, email: str, password: str) -> None:
    with web_env.factory() as session:
        accounts.create_account(
            session, org_name="acme", email="a@example.org", password=PASSWORD, role="worker"
        )
    with web_env.factory() as session, pytest.raises(Unauthenticated, match="Wrong email"):
        accounts.login(session, email, password)


def test_disabled_accounts_cannot_log_in_or_use_old_sessions(web_env: WebEnv) -> None:
    with web_env.factory() as session:
        account = accounts.create_account(
            session, org_name="acme", email="a@example.org", password=PASSWORD, role="worker"
        )
        token = accounts.login(session, "a@example.org", PASSWORD).token
        account.disabled_at = account.created_at
        session.commit()
        assert accounts.resolve_web_session(session, token) is None
        with pytest.raises(Unauthenticated):
            accounts.login(session, "a@example.org", PASSWORD)


def test_expired_and_logged_out_sessions_resolve_to_nobody(web_env: WebEnv) -> None:
    with web_env.factory() as session:
        accounts.create_account(
            session, org_name="acme", email="a@example.org", password=PASSWORD, role="worker"
        )
        old = accounts.login(session, "a@example.org", PASSWORD)
        old.web_session.expires_at = old.web_session.created_at - timedelta(seconds=1)
        session.commit()
        assert accounts.resolve_web_session(session, old.token) is None
        fresh = accounts.login(session, "a@example.org", PASSWORD)
        assert accounts.resolve_web_session(session, fresh.token) is not None
        accounts.logout(session, fresh.token)
        assert accounts.resolve_web_session(session, fresh.token) is None
        assert accounts.resolve_web_session(session, "") is None
        assert accounts.resolve_web_session(session, "x" * 500) is None


def test_csrf_tokens_must_match_exactly(web_env: WebEnv) -> None:
    with web_env.factory() as session:
        accounts.create_account(
            session, org_name="acme", email="a@example.org", password=PASSWORD, role="worker"
        )
        token = accounts.login(session, "a@example.org", PASSWORD).token
        identity = accounts.resolve_web_session(session, token)
    assert identity is not None
    assert accounts.csrf_matches(identity, identity.csrf_token)
    assert not accounts.csrf_matches(identity, identity.csrf_token[:-1])
    assert not accounts.csrf_matches(identity, None)
