"""Queries for web accounts and their server-side sessions."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from assay.errors import Conflict
from assay.store.base import new_id
from assay.store.models import Account, WebSession


def insert_account(
    session: Session,
    *,
    org_id: str,
    email: str,
    password_hash: str,
    role: str,
    worker_id: str | None,
) -> Account:
    """Store a new account; Conflict when the email is taken."""
    account = Account(
        id=new_id("acc"),
        org_id=org_id,
        email=email,
        password_hash=password_hash,
        role=role,
        worker_id=worker_id,
    )
    session.add(account)
    try:
        session.flush()
    except IntegrityError as exc:
        raise Conflict(f"An account with email {email!r} already exists.") from exc
    return account


def get_account_by_email(session: Session, email: str) -> Account | None:
    """Get the account with this (normalised) email, if any."""
    return session.scalar(select(Account).where(Account.email == email))


def get_account(session: Session, account_id: str) -> Account | None:
    """Get an account by id."""
    return session.get(Account, account_id)


def insert_web_session(
    session: Session,
    *,
    token_hash: str,
    account_id: str,
    csrf_token: str,
    created_at: datetime,
    expires_at: datetime,
) -> WebSession:
    """Store a new logged-in browser session (keyed by the hash of its cookie token)."""
    web_session = WebSession(
        id=token_hash,
        account_id=account_id,
        csrf_token=csrf_token,
        created_at=created_at,
        expires_at=expires_at,
    )
    session.add(web_session)
    session.flush()
    return web_session


def get_web_session(session: Session, token_hash: str) -> WebSession | None:
    """Get a browser session by the hash of its cookie token."""
    return session.get(WebSession, token_hash)


def delete_web_session(session: Session, token_hash: str) -> None:
    """Forget a browser session (log out)."""
    session.execute(delete(WebSession).where(WebSession.id == token_hash))


def delete_expired_web_sessions(session: Session, account_id: str, now: datetime) -> None:
    """Drop an account's expired sessions, so the table does not grow without end."""
    session.execute(
        delete(WebSession).where(WebSession.account_id == account_id, WebSession.expires_at < now)
    )
