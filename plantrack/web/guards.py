"""Limits that act before any work: request bodies, sign-in attempts, security headers.

- ``BodyLimit`` (ASGI middleware): a POST must state its length (411 otherwise) and may not
  exceed the route's limit (413, before a byte of the body is read); the body is then
  counted as it arrives and cut off if it runs past what was stated. Hand-ins through a link
  may carry one file (``handins.MAX_FILE``) and the form around it; every other form is small.
- ``LoginThrottle``: an attempt is *reserved* before its password is hashed, atomically (one
  lock): it counts at once against the failed sign-ins allowed per login from one address, per
  address and everywhere (moving windows of the ``limits`` package), and against the attempts
  being checked at once. A refused attempt is never hashed. A login is locked only from the
  address that failed with it. The counts of failures live in memory by default (one dashboard
  process); any ``limits`` storage URI (``redis://…``) shares them between processes (the
  reservation is then atomic within each process).
- ``security_headers``: the headers every page carries (the ``secure`` package), with a
  content security policy for a site without scripts.
"""

from __future__ import annotations

import threading
from collections import Counter
from dataclasses import dataclass
from enum import Enum

from limits import parse
from limits.storage import storage_from_string
from limits.strategies import MovingWindowRateLimiter
from secure import (
    CacheControl,
    ContentSecurityPolicy,
    CrossOriginOpenerPolicy,
    ReferrerPolicy,
    Secure,
    Server,
    StrictTransportSecurity,
    XContentTypeOptions,
    XFrameOptions,
)

from ..settings import FORM_LIMIT, HANDIN_LIMIT, IMPORT_LIMIT, IMPORTS_PER_ACCOUNT
from ..settings import SIGN_IN_AT_ONCE
from ..settings import SIGN_IN_LIMIT_EVERYWHERE as EVERYWHERE_LIMIT
from ..settings import SIGN_IN_LIMIT_PER_ADDRESS as ADDRESS_LIMIT
from ..settings import SIGN_IN_LIMIT_PER_LOGIN_AND_ADDRESS as PAIR_LIMIT


def _plain(send, status: int, text: str):
    body = text.encode("utf-8")

    async def respond():
        await send({"type": "http.response.start", "status": status,
                    "headers": [(b"content-type", b"text/plain; charset=utf-8"), (b"content-length", str(len(body)).encode()),
                                (b"connection", b"close")]})
        await send({"type": "http.response.body", "body": body})

    return respond()


class BodyLimit:
    def __init__(self, app, form_limit: int = FORM_LIMIT, handin_limit: int = HANDIN_LIMIT, import_limit: int = IMPORT_LIMIT):
        self.app, self.form_limit, self.handin_limit, self.import_limit = app, form_limit, handin_limit, import_limit

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or scope["method"] in ("GET", "HEAD", "OPTIONS"):
            return await self.app(scope, receive, send)
        path = scope["path"]
        limit = self.handin_limit if path.startswith("/nop/") else self.import_limit if path == "/nhap-ke-hoach" else self.form_limit
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is None or not declared.isdigit():
            return await _plain(send, 411, "Thiếu độ dài nội dung (Content-Length).\n")
        if int(declared) > limit:
            return await _plain(send, 413, f"Nội dung quá lớn (tối đa {limit // 1024} KB).\n")
        stated, seen = int(declared), 0

        async def counted():
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > stated:
                    return {"type": "http.disconnect"}
            return message

        return await self.app(scope, counted, send)


class Refusal(Enum):
    """Why an attempt was refused before any work."""

    LOCKED = "locked"  # too many failures for this login from this address, or from this address
    BUSY = "busy"  # too many attempts in progress, or too many failures everywhere


@dataclass(frozen=True)
class Attempt:
    """A reserved sign-in attempt: settle it with ``LoginThrottle.settle`` once checked."""

    login: str
    address: str


class LoginThrottle:
    def __init__(self, storage: str = "memory://", per_login_and_address: str = PAIR_LIMIT, per_address: str = ADDRESS_LIMIT,
                 everywhere: str = EVERYWHERE_LIMIT, at_once: int = SIGN_IN_AT_ONCE):
        self.limiter = MovingWindowRateLimiter(storage_from_string(storage))
        self.per_pair, self.per_address, self.everywhere = parse(per_login_and_address), parse(per_address), parse(everywhere)
        self.at_once = at_once
        self._lock = threading.Lock()
        self._pending: Counter[tuple[str, ...]] = Counter()  # attempts reserved and not yet settled, per key

    def _limits(self, login: str, address: str):
        return ((self.per_pair, ("pair", login, address), Refusal.LOCKED), (self.per_address, ("address", address), Refusal.LOCKED),
                (self.everywhere, ("everywhere",), Refusal.BUSY))

    def reserve(self, login: str, address: str) -> Attempt | Refusal:
        """Reserve an attempt before its password is checked, or say why it is refused.

        An attempt is allowed while, for each limit, the failures in its window plus the attempts
        still in progress stay under the limit, and fewer than ``at_once`` attempts are in
        progress. Test and reservation happen under one lock, so parallel attempts cannot all
        pass the test before any of them counts."""
        with self._lock:
            if self._pending[("in-progress",)] >= self.at_once:
                return Refusal.BUSY
            for item, key, refusal in self._limits(login, address):
                if self.limiter.get_window_stats(item, *key).remaining - self._pending[key] <= 0:
                    return refusal
            for _, key, _ in self._limits(login, address):
                self._pending[key] += 1
            self._pending[("in-progress",)] += 1
        return Attempt(login, address)

    def settle(self, attempt: Attempt, succeeded: bool) -> None:
        """Release a reserved attempt: a failure counts in every window; a success clears the
        failures of its login from its address."""
        with self._lock:
            for item, key, _ in self._limits(attempt.login, attempt.address):
                self._pending[key] -= 1
                if not self._pending[key]:
                    del self._pending[key]
                if not succeeded:
                    self.limiter.hit(item, *key)
            self._pending[("in-progress",)] -= 1
            if succeeded:
                self.limiter.clear(self.per_pair, "pair", attempt.login, attempt.address)


class ImportThrottle:
    """Drafts made per account (``settings.IMPORTS_PER_ACCOUNT``): each reads a document of up to
    20 MB and resolves it against every registry, so an account cannot keep the server at it."""

    def __init__(self, storage: str = "memory://", per_account: str = IMPORTS_PER_ACCOUNT):
        self.limiter = MovingWindowRateLimiter(storage_from_string(storage))
        self.per_account = parse(per_account)

    def allowed(self, login: str) -> bool:
        return self.limiter.hit(self.per_account, "import", login)


def security_headers(https: bool) -> Secure:
    csp = (
        ContentSecurityPolicy().default_src("'none'").style_src("'self'", "'unsafe-inline'").img_src("'self'", "data:")
        .form_action("'self'").frame_ancestors("'none'").base_uri("'none'")
    )
    return Secure(
        csp=csp, xfo=XFrameOptions().deny(), xcto=XContentTypeOptions(), referrer=ReferrerPolicy().no_referrer(),
        coop=CrossOriginOpenerPolicy().same_origin(), server=Server().set(""),
        cache=CacheControl().no_store(), hsts=StrictTransportSecurity().max_age(31536000) if https else None,
    )
