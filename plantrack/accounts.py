"""Coordinator accounts: scrypt password hashes, and signed session values for the dashboard."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import secrets

from sqlalchemy.orm import Session

from .errors import PlantrackError
from .links import sign
from .store.models import Coordinator

_N, _R, _P = 2**14, 8, 1
SESSION_LIFETIME = dt.timedelta(hours=12)


def hash_password(password: str, salt: bytes | None = None) -> str:
    salt = salt or secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode("utf-8"), salt=salt, n=_N, r=_R, p=_P)
    return f"scrypt${_N}${_R}${_P}${base64.b64encode(salt).decode()}${base64.b64encode(digest).decode()}"


def _matches(password: str, stored: str) -> bool:
    _, n, r, p, salt, digest = stored.split("$")
    found = hashlib.scrypt(password.encode("utf-8"), salt=base64.b64decode(salt), n=int(n), r=int(r), p=int(p))
    return hmac.compare_digest(found, base64.b64decode(digest))


def add_coordinator(session: Session, login: str, name: str, password: str, now: dt.datetime) -> Coordinator:
    login = login.strip()
    if not login or not name.strip():
        raise PlantrackError("a coordinator needs a login and a name")
    if len(password) < 8:
        raise PlantrackError("the password must have at least 8 characters")
    coordinator = session.get(Coordinator, login)
    if coordinator is None:
        coordinator = Coordinator(login=login, name=name.strip(), password_hash=hash_password(password), created_at=now)
        session.add(coordinator)
    else:  # same login: a new name and password
        coordinator.name, coordinator.password_hash = name.strip(), hash_password(password)
    return coordinator


def authenticate(session: Session, login: str, password: str) -> Coordinator | None:
    coordinator = session.get(Coordinator, login.strip())
    if coordinator is None:
        _matches(password, hash_password("timing-equaliser"))  # same work whether or not the login exists
        return None
    return coordinator if _matches(password, coordinator.password_hash) else None


def session_value(key: bytes, login: str, now: dt.datetime) -> str:
    payload = f"{login}|{int((now + SESSION_LIFETIME).timestamp())}"
    return f"{payload}|{sign(key, payload)}"


def session_login(key: bytes, value: str | None, now: dt.datetime) -> str | None:
    """The login a session cookie carries, if it is genuine and not expired."""
    if not value or value.count("|") != 2:
        return None
    login, expires, signature = value.split("|")
    if not expires.isdigit() or not hmac.compare_digest(signature, sign(key, f"{login}|{expires}")):
        return None
    return login if now.timestamp() <= int(expires) else None
