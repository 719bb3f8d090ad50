"""Limits that act before any work: request bodies, sign-in attempts, security headers.

- ``BodyLimit`` (ASGI middleware): a POST must state its length (411 otherwise) and may not
  exceed the route's limit (413, before a byte of the body is read); the body is then
  counted as it arrives and cut off if it runs past what was stated. Hand-ins through a link
  may carry one file (``handins.MAX_FILE``) and the form around it; every other form is small.
- ``LoginThrottle``: failed sign-ins per account and per client address in a moving window
  (the ``limits`` package); over the limit, sign-in is refused until the window has passed,
  whatever the password. The storage is in memory by default (one dashboard process); any
  ``limits`` storage URI (``redis://…``) shares it between processes.
- ``security_headers``: the headers every page carries (the ``secure`` package), with a
  content security policy for a site without scripts.
"""

from __future__ import annotations

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
from ..settings import SIGN_IN_LIMIT_PER_ACCOUNT as ACCOUNT_LIMIT
from ..settings import SIGN_IN_LIMIT_PER_ADDRESS as ADDRESS_LIMIT


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


class LoginThrottle:
    def __init__(self, storage: str = "memory://", per_account: str = ACCOUNT_LIMIT, per_address: str = ADDRESS_LIMIT):
        self.limiter = MovingWindowRateLimiter(storage_from_string(storage))
        self.per_account, self.per_address = parse(per_account), parse(per_address)

    def refused(self, login: str, address: str) -> bool:
        """True when this account or address has used up its failed attempts."""
        return not (self.limiter.test(self.per_account, "account", login) and self.limiter.test(self.per_address, "address", address))

    def failed(self, login: str, address: str) -> None:
        self.limiter.hit(self.per_account, "account", login)
        self.limiter.hit(self.per_address, "address", address)

    def succeeded(self, login: str) -> None:
        self.limiter.clear(self.per_account, "account", login)


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
