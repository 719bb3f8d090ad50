"""Dashboard accounts: roles, scopes, password hashes and server-side sessions.

- **Roles** (``Role``): a *viewer* reads; a *coordinator* also acts (extensions, ad-hoc
  requests, acknowledgements, sending again); an *admin* is a coordinator who also
  administers delivery and so sees the SMTP answers and channel URLs.
- **Scope**: an account may be limited to some plans (the plans implementing them included)
  and to a subtree of the unit tree; ``None`` means everything (the national office).
- **Passwords**: argon2id by argon2-cffi at its defaults (RFC 9106's second recommended
  profile: 64 MiB, 3 passes, 4 lanes; above OWASP's minimum). An unknown login is checked
  against a dummy hash, so it takes the same time as a wrong password. Older scrypt hashes
  are still accepted and replaced at the next sign-in. At most ``HASHING_AT_ONCE`` hashes run
  at a time (64 MiB each): sixteen sign-ins at once took a gigabyte.
- **Sessions** live in the store (``LoginSession``): the cookie carries a random id signed with
  the session key, the table its SHA-256. Logout deletes it; a password change or the
  account's removal deletes all of the account's sessions. Every function takes ``now``.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import re
import secrets
import threading
from dataclasses import dataclass
from enum import StrEnum

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from .errors import PlantrackError
from .settings import HASHING_AT_ONCE, PASSWORD_LENGTH, SESSION_LIFETIME
from .store.models import Account, LoginSession, Plan, Unit

MIN_PASSWORD, MAX_PASSWORD = PASSWORD_LENGTH  # argon2 takes any length; a megabyte "password" is only load
LOGIN_PATTERN = re.compile(r"[a-z0-9][a-z0-9._-]{1,63}")

_hasher = PasswordHasher()
_hashing = threading.BoundedSemaphore(HASHING_AT_ONCE)  # memory: 64 MB per hash in progress
_DUMMY = _hasher.hash(secrets.token_urlsafe(16))


class Role(StrEnum):
    VIEWER = "viewer"  # reads the pages of its scope
    COORDINATOR = "coordinator"  # reads and acts
    ADMIN = "admin"  # acts, and sees delivery: SMTP answers, channel URLs

    @property
    def acts(self) -> bool:
        return self is not Role.VIEWER

    @property
    def sees_delivery(self) -> bool:
        return self is Role.ADMIN


class AccountError(PlantrackError):
    """An account that cannot be made or changed as asked."""


def hash_password(password: str) -> str:
    with _hashing:
        return _hasher.hash(password)


def _check_password(password: str) -> None:
    if not MIN_PASSWORD <= len(password) <= MAX_PASSWORD:
        raise AccountError(f"the password must have {MIN_PASSWORD} to {MAX_PASSWORD} characters")


def _legacy_scrypt(password: str, stored: str) -> bool:
    _, n, r, p, salt, digest = stored.split("$")
    found = hashlib.scrypt(password.encode("utf-8"), salt=base64.b64decode(salt), n=int(n), r=int(r), p=int(p))
    return hmac.compare_digest(found, base64.b64decode(digest))


def _verify(stored: str, password: str) -> bool:
    if stored.startswith("scrypt$"):
        return _legacy_scrypt(password, stored)
    try:
        with _hashing:
            return _hasher.verify(stored, password)
    except (VerificationError, InvalidHashError):
        return False


@dataclass(frozen=True)
class Scope:
    """What an account may see: plan ids and unit ids, or None for all."""

    plans: frozenset[str] | None
    units: frozenset[str] | None

    def plan(self, plan_id: str) -> bool:
        return self.plans is None or plan_id in self.plans

    def unit(self, unit_id: str) -> bool:
        return self.units is None or unit_id in self.units


def _descendants(pairs: list[tuple[str, str | None]], roots: set[str]) -> frozenset[str]:
    children: dict[str, list[str]] = {}
    for child, parent in pairs:
        if parent is not None:
            children.setdefault(parent, []).append(child)
    found, todo = set(roots), list(roots)
    while todo:
        for child in children.get(todo.pop(), []):
            if child not in found:
                found.add(child)
                todo.append(child)
    return frozenset(found)


def account_scope(session: Session, account: Account) -> Scope:
    plans = units = None
    if account.plans is not None:
        plans = _descendants(list(session.execute(select(Plan.id, Plan.parent_id))), set(account.plans))
    if account.unit_root is not None:
        units = _descendants(list(session.execute(select(Unit.id, Unit.parent_id))), {account.unit_root})
    return Scope(plans, units)


def add_account(
    session: Session, login: str, name: str, password: str, now: dt.datetime, role: Role = Role.COORDINATOR,
    plans: list[str] | None = None, unit_root: str | None = None,
) -> Account:
    """A new account, or new details for an existing one (its sessions then end)."""
    login = login.strip().lower()
    if not LOGIN_PATTERN.fullmatch(login):
        raise AccountError("a login has 2 to 64 characters: lower-case letters a-z, digits, '.', '_' or '-'")
    if not name.strip() or len(name) > 200 or any(ord(c) < 32 for c in name):
        raise AccountError("an account needs a name of at most 200 characters on one line")
    _check_password(password)
    for plan_id in plans or []:
        if session.get(Plan, plan_id) is None:
            raise AccountError(f"no plan {plan_id!r} (plantrack sync loads the plans first)")
    if unit_root is not None and session.get(Unit, unit_root) is None:
        raise AccountError(f"no unit {unit_root!r}")
    account = session.get(Account, login)
    if account is None:
        account = Account(login=login, created_at=now)
        session.add(account)
    else:
        end_sessions(session, login)
    account.name, account.password_hash, account.role = name.strip(), hash_password(password), Role(role).value
    account.plans, account.unit_root, account.password_changed_at = (sorted(plans) if plans else None), unit_root, now
    return account


def set_password(session: Session, login: str, password: str, now: dt.datetime) -> None:
    account = session.get(Account, login)
    if account is None:
        raise AccountError(f"no account {login!r}")
    _check_password(password)
    account.password_hash, account.password_changed_at = hash_password(password), now
    end_sessions(session, login)


def remove_account(session: Session, login: str) -> None:
    account = session.get(Account, login)
    if account is None:
        raise AccountError(f"no account {login!r}")
    end_sessions(session, login)
    session.delete(account)


def authenticate(session: Session, login: str, password: str) -> Account | None:
    """The account if the password is right; the same work whether or not the login exists."""
    account = session.get(Account, login.strip().lower()) if len(login) <= 100 else None
    if account is None or len(password) > MAX_PASSWORD:
        _verify(_DUMMY, password[:MAX_PASSWORD])
        return None
    if not _verify(account.password_hash, password):
        return None
    if account.password_hash.startswith("scrypt$") or _hasher.check_needs_rehash(account.password_hash):
        account.password_hash = hash_password(password)
    return account


def session_digest(session_id: str) -> str:
    """What the store keeps of a session id (and what a form's CSRF token is bound to)."""
    return hashlib.sha256(session_id.encode("ascii", "replace")).hexdigest()


def start_session(session: Session, account: Account, now: dt.datetime) -> str:
    """A new session id for ``account`` (to be signed into the cookie); expired ones go."""
    session.execute(delete(LoginSession).where(LoginSession.expires_at < now))
    session_id = secrets.token_urlsafe(32)
    session.add(LoginSession(id_hash=session_digest(session_id), login=account.login, created_at=now, expires_at=now + SESSION_LIFETIME))
    return session_id


def session_account(session: Session, session_id: str | None, now: dt.datetime) -> Account | None:
    """The account a session id belongs to, if the session is still open."""
    if not session_id:
        return None
    found = session.get(LoginSession, session_digest(session_id))
    if found is None or now > found.expires_at:
        return None
    return session.get(Account, found.login)


def end_session(session: Session, session_id: str | None) -> None:
    if session_id:
        session.execute(delete(LoginSession).where(LoginSession.id_hash == session_digest(session_id)))


def end_sessions(session: Session, login: str) -> int:
    return session.execute(delete(LoginSession).where(LoginSession.login == login)).rowcount
