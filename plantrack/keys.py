"""The deployment's secret, and one derived signing key per purpose.

One master secret (``PLANTRACK_SECRET_KEY``, or a key file for a local demo) is checked for
strength and never used directly: every purpose (``Purpose``) signs with its own key,
derived by itsdangerous from the master secret and the purpose's name as salt, and signs
with HMAC-SHA256. A submission
link therefore cannot be turned into a session or a CSRF token, and the other way round.

Rotation: put the old secret in ``PLANTRACK_SECRET_KEY_PREVIOUS`` and the last day it is
honoured in ``PLANTRACK_SECRET_KEY_PREVIOUS_UNTIL`` (YYYY-MM-DD, Viet Nam time). Everything is
signed with the new key; what the old one signed is accepted until the end of that day.

The key file (a demo without the variable) is ``<home>/var/secret-key``, where home is
``PLANTRACK_HOME`` or the project's checkout, never the current directory. It is created with
owner-only permissions and refused if others may read it. Checking takes the instant
explicitly; nothing here reads the clock.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import secrets
import stat
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any

from itsdangerous import BadData, URLSafeSerializer

from .calendar import end_of_local_day
from .errors import PlantrackError
from .settings import SECRET_MIN_DISTINCT, SECRET_MIN_LENGTH

SECRET_VARIABLE = "PLANTRACK_SECRET_KEY"
PREVIOUS_VARIABLE = "PLANTRACK_SECRET_KEY_PREVIOUS"
PREVIOUS_UNTIL_VARIABLE = "PLANTRACK_SECRET_KEY_PREVIOUS_UNTIL"
HOME_VARIABLE = "PLANTRACK_HOME"
KEY_FILE = Path("var") / "secret-key"

MIN_LENGTH, MIN_DISTINCT = SECRET_MIN_LENGTH, SECRET_MIN_DISTINCT  # "aaaa…" or "abcabc…" are not secrets


class Purpose(StrEnum):
    """What a signature is for; each has its own derived key (the salt)."""

    LINK = "plantrack.submission-link"  # an agency's submission link
    SESSION = "plantrack.session"  # a signed-in dashboard user's session id
    CSRF = "plantrack.csrf"  # the form token bound to a session (or a sign-in form)
    FEED = "plantrack.unit-feed"  # a unit's own page and calendar feed
    FLASH = "plantrack.flash"  # the "done" message after a coordinator's action


class SecretKeyError(PlantrackError):
    """The secret is missing, weak or badly kept; the message says how to fix it."""


def check_strength(secret: str, where: str) -> None:
    if len(secret) < MIN_LENGTH or len(set(secret)) < MIN_DISTINCT:
        raise SecretKeyError(
            f"{where} is too weak: it needs at least {MIN_LENGTH} characters with at least {MIN_DISTINCT} different ones "
            "(make one with: python -c 'import secrets; print(secrets.token_urlsafe(32))')"
        )


def project_home(environ: dict[str, str] | None = None) -> Path:
    """``PLANTRACK_HOME``, else the checkout the package lives in."""
    environ = os.environ if environ is None else environ
    if environ.get(HOME_VARIABLE):
        return Path(environ[HOME_VARIABLE]).expanduser().resolve()
    return Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Keyring:
    current: str
    previous: str | None = None
    previous_until: dt.datetime | None = None  # the previous secret is honoured up to this instant

    def __post_init__(self) -> None:
        check_strength(self.current, SECRET_VARIABLE)
        if self.previous is not None:
            check_strength(self.previous, PREVIOUS_VARIABLE)
            if self.previous_until is None:
                raise SecretKeyError(f"{PREVIOUS_VARIABLE} needs {PREVIOUS_UNTIL_VARIABLE}: the last day the old key is honoured")

    def _serializer(self, purpose: Purpose, now: dt.datetime | None) -> URLSafeSerializer:
        keys = [self.current]
        if self.previous is not None and now is not None and now <= self.previous_until:
            keys = [self.previous, self.current]  # itsdangerous signs with the last, checks all
        return URLSafeSerializer(keys, salt=str(purpose), signer_kwargs={"digest_method": hashlib.sha256})

    def sign(self, purpose: Purpose, value: Any) -> str:
        """``value`` (JSON-serialisable) signed for ``purpose``, URL-safe."""
        return self._serializer(purpose, None).dumps(value)

    def read(self, purpose: Purpose, token: str, now: dt.datetime) -> Any | None:
        """What ``token`` carries if it was signed for ``purpose`` by a key honoured at
        ``now``; None for anything else (tampered, foreign, non-ASCII, another purpose)."""
        if not token or len(token) > 4096:
            return None
        try:
            return self._serializer(purpose, now).loads(token)
        except (BadData, UnicodeError, ValueError):
            return None

    @classmethod
    def from_environment(cls, environ: dict[str, str] | None = None, *, allow_file: bool = True) -> "Keyring":
        """The keyring the entry points use: the variables, else (a demo) the key file."""
        environ = os.environ if environ is None else environ
        current = environ.get(SECRET_VARIABLE, "").strip()
        if not current:
            if not allow_file:
                raise SecretKeyError(f"set {SECRET_VARIABLE}: links, sessions and forms are signed with keys derived from it")
            current = _key_file(project_home(environ) / KEY_FILE)
        previous = environ.get(PREVIOUS_VARIABLE, "").strip() or None
        until = None
        if previous is not None:
            text = environ.get(PREVIOUS_UNTIL_VARIABLE, "").strip()
            try:
                day = dt.date.fromisoformat(text)
            except ValueError:
                raise SecretKeyError(f"{PREVIOUS_UNTIL_VARIABLE} must be a date (YYYY-MM-DD), not {text!r}") from None
            until = end_of_local_day(day)
        return cls(current, previous, until)


def _key_file(path: Path) -> str:
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w", encoding="ascii") as handle:
            handle.write(secrets.token_urlsafe(32))
    mode = path.stat().st_mode
    if mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise SecretKeyError(f"the key file {path} may be read by others (mode {stat.filemode(mode)}): chmod 600 {path}")
    secret = path.read_text(encoding="ascii").strip()
    check_strength(secret, f"the key file {path}")
    return secret


def demo_keyring(seed: str = "plantrack-test") -> Keyring:
    """A strong, fixed keyring for tests and simulations (never for a deployment)."""
    return Keyring((seed + "-0123456789abcdefghijklmnopqrstuvwxyz")[:64])


__all__ = ["BadData", "Keyring", "SecretKeyError", "Purpose", "check_strength", "demo_keyring", "project_home"]
