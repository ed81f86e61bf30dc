"""Web accounts: argon2 password hashes, login and logout, and server-side browser sessions.

The cookie holds a random token; the database keeps only its SHA-256, so a copy of the
``web_sessions`` table cannot be replayed as cookies. Each session carries a CSRF token that
every state-changing request must echo.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from assay.domain.enums import Role
from assay.errors import InvalidInput, Unauthenticated
from assay.services.actor import Actor
from assay.store import Session
from assay.store import accounts as store
from assay.store import organisations as org_store
from assay.store.audit import insert_audit_event
from assay.store.base import utcnow
from assay.store.models import Account, WebSession

MIN_PASSWORD_LENGTH = 10
MAX_PASSWORD_LENGTH = 1024
SESSION_LIFETIME = timedelta(hours=12)
_WORKER_ROLES = (Role.WORKER, Role.REVIEWER)


@dataclass(frozen=True)
class WebLogin:
    """A fresh login: ``token`` goes into the cookie and exists nowhere else."""

    token: str
    web_session: WebSession
    account: Account


@dataclass(frozen=True)
class WebIdentity:
    """Who a browser session belongs to, and the CSRF token its forms must echo."""

    actor: Actor
    account: Account
    csrf_token: str
    expires_at: datetime


@lru_cache(maxsize=1)
def _hasher() -> PasswordHasher:
    # argon2id at OWASP's recommended floor (19 MiB, 2 passes, 1 lane): strong against GPU
    # guessing, yet ~70 ms a login on a busy core. Hashes made with other parameters are
    # upgraded at the next login (see ``check_needs_rehash``).
    return PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1)


@lru_cache(maxsize=1)
def _dummy_hash() -> str:
    # Verified when the email is unknown, so a miss costs as much as a wrong password.
    return _hasher().hash(secrets.token_urlsafe(16))


def hash_password(password: str) -> str:
    """Hash ``password`` with argon2id after checking its length."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InvalidInput(f"The password must be at least {MIN_PASSWORD_LENGTH} characters.")
    if len(password) > MAX_PASSWORD_LENGTH:
        raise InvalidInput(f"The password must be at most {MAX_PASSWORD_LENGTH} characters.")
    return _hasher().hash(password)


def _verify(password_hash: str, password: str) -> bool:
    try:
        return _hasher().verify(password_hash, password[:MAX_PASSWORD_LENGTH])
    except (VerificationError, InvalidHashError):
        return False


def normalise_email(email: str) -> str:
    """Return the stored form of an email (trimmed, lower-cased), or raise InvalidInput."""
    cleaned = email.strip().lower()
    local, _, domain = cleaned.partition("@")
    if not local or "." not in domain or len(cleaned) > 320 or any(c.isspace() for c in cleaned):
        raise InvalidInput(f"{email!r} is not an email address.")
    return cleaned


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _parse_role(role: str) -> Role:
    try:
        return Role(role)
    except ValueError:
        allowed = ", ".join(r.value for r in Role)
        raise InvalidInput(f"Unknown role {role!r}; choose one of: {allowed}.") from None


def create_account(
    session: Session,
    *,
    org_name: str,
    email: str,
    password: str,
    role: str,
    worker_handle: str | None = None,
) -> Account:
    """Create a web account (and its organisation, and for worker roles its worker); commits.

    Args:
        session: A database session.
        org_name: The organisation, created when new.
        email: The login; unique across the installation.
        password: At least ``MIN_PASSWORD_LENGTH`` characters; only its argon2 hash is kept.
        role: requester, worker, reviewer or admin.
        worker_handle: For worker and reviewer accounts, the worker to link (created when new;
            defaults to the part of the email before the ``@``).

    Raises:
        InvalidInput: a bad role, email, organisation name or too short a password.
        Conflict: the email already has an account.

    """
    parsed_role = _parse_role(role)
    address = normalise_email(email)
    if not org_name.strip():
        raise InvalidInput("The organisation name must not be empty.")
    password_hash = hash_password(password)
    organisation = org_store.get_organisation_by_name(session, org_name)
    if organisation is None:
        organisation = org_store.insert_organisation(session, org_name)
    worker_id = None
    if parsed_role in _WORKER_ROLES:
        handle = worker_handle or address.partition("@")[0]
        worker = org_store.get_worker_by_handle(session, organisation.id, handle)
        if worker is None:
            worker = org_store.insert_worker(session, org_id=organisation.id, handle=handle)
        worker_id = worker.id
    account = store.insert_account(
        session,
        org_id=organisation.id,
        email=address,
        password_hash=password_hash,
        role=parsed_role.value,
        worker_id=worker_id,
    )
    insert_audit_event(
        session,
        org_id=organisation.id,
        actor="cli",
        action="account.create",
        object_type="account",
        object_id=account.id,
        after={"email": address, "role": account.role, "worker_id": worker_id},
    )
    session.commit()
    return account


def login(session: Session, email: str, password: str) -> WebLogin:
    """Check the password and open a 12-hour browser session; commits.

    Raises:
        Unauthenticated: unknown email, wrong password or disabled account (one message for
            all, and a hash is verified in every case so timing does not tell them apart).

    """
    try:
        account = store.get_account_by_email(session, normalise_email(email))
    except InvalidInput:
        account = None
    if account is None:
        _verify(_dummy_hash(), password)
        raise Unauthenticated("Wrong email or password.")
    if not _verify(account.password_hash, password) or account.disabled_at is not None:
        raise Unauthenticated("Wrong email or password.")
    if _hasher().check_needs_rehash(account.password_hash):
        account.password_hash = _hasher().hash(password)
    now = utcnow()
    store.delete_expired_web_sessions(session, account.id, now)
    token = secrets.token_urlsafe(32)
    web_session = store.insert_web_session(
        session,
        token_hash=_token_hash(token),
        account_id=account.id,
        csrf_token=secrets.token_urlsafe(32),
        created_at=now,
        expires_at=now + SESSION_LIFETIME,
    )
    session.commit()
    return WebLogin(token=token, web_session=web_session, account=account)


def actor_for(account: Account) -> Actor:
    """Return the actor services see for a logged-in account."""
    return Actor(
        org_id=account.org_id,
        role=Role(account.role),
        worker_id=account.worker_id,
        account_id=account.id,
    )


def resolve_web_session(session: Session, token: str) -> WebIdentity | None:
    """Return who is behind a session cookie, or None when unknown, expired or disabled."""
    if not token or len(token) > 200:
        return None
    web_session = store.get_web_session(session, _token_hash(token))
    if web_session is None or web_session.expires_at <= utcnow():
        return None
    account = store.get_account(session, web_session.account_id)
    if account is None or account.disabled_at is not None:
        return None
    return WebIdentity(
        actor=actor_for(account),
        account=account,
        csrf_token=web_session.csrf_token,
        expires_at=web_session.expires_at,
    )


def csrf_matches(identity: WebIdentity, presented: str | None) -> bool:
    """Whether a request echoed its session's CSRF token (compared in constant time)."""
    if not presented:
        return False
    return hmac.compare_digest(identity.csrf_token.encode(), presented.encode())


def logout(session: Session, token: str) -> None:
    """End a browser session (a no-op for unknown tokens); commits."""
    if token:
        store.delete_web_session(session, _token_hash(token))
    session.commit()
