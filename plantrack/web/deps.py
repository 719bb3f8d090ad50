"""What every route of the dashboard shares: the context (store, keyring, clock, settings),
page rendering, and the access model as FastAPI dependencies.

- ``signed_in``: the request's ``Principal`` (account, role, scope) from its server-side
  session, or ``SignInRequired`` (the app answers with the sign-in page).
- ``acting``: a principal whose role acts, with the form's CSRF token checked.
- ``scoped_plan`` / ``scoped_unit``: refuse what is outside the principal's scope.

The session cookie carries a random id signed with the session key (``keys.Purpose.SESSION``);
a form's CSRF token is the session's digest signed with the CSRF key; the sign-in form's token
is bound to a cookie of its own. Nothing here reads the clock but ``Context.clock``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable
from urllib.parse import quote, urlsplit

from fastapi import Depends, Form, Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment

from ..accounts import Role, Scope, account_scope, session_account, session_digest
from ..calendar import local_date
from ..freshness import CountsCache
from ..handins import RefusedFiles
from ..keys import Keyring, Purpose
from ..settings import FLASH_LIFETIME
from ..store.database import Store

SESSION_COOKIE = "plantrack_session"
SIGNIN_COOKIE = "plantrack_signin"


@dataclass
class Context:
    store: Store
    keyring: Keyring
    clock: Callable[[], dt.datetime]
    upload_dir: Path
    public_url: str  # links are built from it, never from the request's Host header
    env: Environment = field(repr=False, default=None)
    counts: CountsCache = field(repr=False, default_factory=CountsCache)  # the pages' counts, while they hold
    definitions: tuple[Path, ...] = ()  # the registries a plan drafted from its document is resolved against
    refused_files: RefusedFiles = field(repr=False, default_factory=RefusedFiles)  # they count against a link's quota

    @property
    def secure_cookies(self) -> bool:
        return self.public_url.startswith("https://")

    @property
    def public_host(self) -> str:
        return urlsplit(self.public_url).hostname or "127.0.0.1"


@dataclass(frozen=True)
class Principal:
    login: str
    name: str
    role: Role
    scope: Scope
    session_id: str

    @property
    def digest(self) -> str:
        return session_digest(self.session_id)


class SignInRequired(Exception):
    def __init__(self, next_path: str):
        self.next_path = next_path


class Forbidden(Exception):
    """A signed-in principal asked for what its role or scope does not allow."""

    def __init__(self, message: str):
        self.message = message


def context(request: Request) -> Context:
    return request.app.state.context


def current_principal(request: Request, ctx: Context) -> Principal | None:
    cached = getattr(request.state, "principal", False)
    if cached is not False:
        return cached
    principal = None
    session_id = ctx.keyring.read(Purpose.SESSION, request.cookies.get(SESSION_COOKIE, ""), ctx.clock())
    if isinstance(session_id, str):
        with ctx.store.session() as session:
            account = session_account(session, session_id, ctx.clock())
            if account is not None:
                principal = Principal(account.login, account.name, Role(account.role), account_scope(session, account), session_id)
    request.state.principal = principal
    return principal


def signed_in(request: Request, ctx: Context = Depends(context)) -> Principal:
    principal = current_principal(request, ctx)
    if principal is None:
        path = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        raise SignInRequired(path)
    return principal


def csrf_token(ctx: Context, principal: Principal) -> str:
    return ctx.keyring.sign(Purpose.CSRF, principal.digest)


def acting(request: Request, csrf: str = Form(""), ctx: Context = Depends(context)) -> Principal:
    principal = signed_in(request, ctx)
    check_acting(ctx, principal, csrf)
    return principal


def check_acting(ctx: Context, principal: Principal, csrf: str) -> None:
    """Forbidden unless ``csrf`` was signed for this session and the principal's role acts."""
    if ctx.keyring.read(Purpose.CSRF, csrf, ctx.clock()) != principal.digest:
        raise Forbidden("Biểu mẫu đã hết hiệu lực hoặc không do trang này gửi (mã CSRF không đúng). Đề nghị tải lại trang và làm lại.")
    if not principal.role.acts:
        raise Forbidden("Tài khoản của đồng chí chỉ có quyền xem, không thực hiện được thao tác này.")


def check_plan(principal: Principal, plan_id: str) -> None:
    if not principal.scope.plan(plan_id):
        raise Forbidden(f"Tài khoản của đồng chí không được giao theo dõi kế hoạch {plan_id}.")


def check_unit(principal: Principal, unit_id: str) -> None:
    if not principal.scope.unit(unit_id):
        raise Forbidden(f"Tài khoản của đồng chí không được giao theo dõi đơn vị {unit_id}.")


def flash_token(ctx: Context, unit_id: str, message: str) -> str:
    return ctx.keyring.sign(Purpose.FLASH, [unit_id, message, int(ctx.clock().timestamp())])


def read_flash(ctx: Context, unit_id: str, token: str | None) -> str | None:
    """The message of a coordinator's action, only if this app signed it for this unit lately."""
    value = ctx.keyring.read(Purpose.FLASH, token or "", ctx.clock())
    if not (isinstance(value, list) and len(value) == 3 and value[0] == unit_id and isinstance(value[2], int)):
        return None
    age = ctx.clock().timestamp() - value[2]
    return value[1] if 0 <= age <= FLASH_LIFETIME.total_seconds() else None


def page(request: Request, template: str, status_code: int = 200, **values) -> HTMLResponse:
    ctx = context(request)
    principal = current_principal(request, ctx)
    html = ctx.env.get_template(template).render(
        request=request, principal=principal, csrf=csrf_token(ctx, principal) if principal else "",
        today=local_date(ctx.clock()), **values,
    )
    return HTMLResponse(html, status_code=status_code)


def sign_in_location(next_path: str) -> str:
    return "/dang-nhap?next=" + quote(next_path, safe="")
