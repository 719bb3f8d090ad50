"""Signed, expiring submission links: one unit, one occurrence, no account.

A token is ``<occurrence>.<unit>.<expiry>.<signature>``; the signature is an HMAC-SHA256 of
the rest under the deployment's secret key, so a link cannot be moved to another unit or
occurrence, nor extended, without the key. Checking takes the instant explicitly.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from .calendar import TIMEZONE, end_of_local_day
from .errors import PlantrackError

SECRET_VARIABLE = "PLANTRACK_SECRET_KEY"
SECRET_FILE = Path("var/secret-key")  # a local demo's key when PLANTRACK_SECRET_KEY is unset
LINK_LIFETIME = dt.timedelta(days=90)  # after the deadline in force when the link is made


class LinkError(PlantrackError):
    """A link that is not valid; the message is for the person who opened it (Vietnamese)."""


@dataclass(frozen=True)
class SubmissionGrant:
    occurrence_id: int
    unit_id: str
    expires_at: dt.datetime


def secret_key(explicit: str | None = None, fallback_file: Path | None = None) -> bytes:
    """The signing key: given, else ``PLANTRACK_SECRET_KEY``, else (a local demo) one kept in
    ``fallback_file``, created with owner-only permissions on first use."""
    value = explicit or os.environ.get(SECRET_VARIABLE)
    if value:
        return value.encode("utf-8")
    if fallback_file is None:
        raise PlantrackError(f"set {SECRET_VARIABLE}: submission links are signed with it")
    if not fallback_file.exists():
        fallback_file.parent.mkdir(parents=True, exist_ok=True)
        fallback_file.touch(mode=0o600)
        fallback_file.write_text(secrets.token_urlsafe(32), encoding="ascii")
    return fallback_file.read_text(encoding="ascii").strip().encode("utf-8")


def sign(key: bytes, payload: str) -> str:
    """HMAC-SHA256 of ``payload``, URL-safe base64 without padding."""
    digest = hmac.new(key, payload.encode("utf-8"), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def make_token(key: bytes, occurrence_id: int, unit_id: str, expires_at: dt.datetime) -> str:
    payload = f"{occurrence_id}.{unit_id}.{int(expires_at.timestamp())}"
    return f"{payload}.{sign(key, payload)}"


def link_expiry(deadline: dt.date) -> dt.datetime:
    return end_of_local_day(deadline + LINK_LIFETIME)


def read_token(key: bytes, token: str, now: dt.datetime) -> SubmissionGrant:
    """The grant a token carries, or a LinkError saying plainly why it is refused."""
    payload, _, signature = token.rpartition(".")
    parts = payload.split(".")
    # Unit ids contain dots: the occurrence is first, the expiry last, the unit in between.
    if len(parts) < 3 or not parts[0].isdigit() or not parts[-1].isdigit():
        raise LinkError("Đường dẫn không hợp lệ (sai định dạng).")
    if not hmac.compare_digest(signature, sign(key, payload)):
        raise LinkError("Đường dẫn không hợp lệ: chữ ký không đúng (đường dẫn đã bị sửa hoặc không do hệ thống cấp).")
    expires_at = dt.datetime.fromtimestamp(int(parts[-1]), dt.timezone.utc)
    if now > expires_at:
        raise LinkError(f"Đường dẫn đã hết hạn từ {expires_at.astimezone(TIMEZONE):%d/%m/%Y}. Đề nghị liên hệ cơ quan thường trực.")
    return SubmissionGrant(int(parts[0]), ".".join(parts[1:-1]), expires_at)

