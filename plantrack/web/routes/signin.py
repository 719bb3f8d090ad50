"""Signing in and out. The sign-in form carries a CSRF token bound to a cookie of its own; a
session is stored server-side and ends at logout (``accounts``).

A sign-in is reserved in the throttle (``guards.LoginThrottle``) before its password is
hashed; a refused one answers 429 at once. The check itself (argon2, 64 MiB and a few hundred
milliseconds) runs in a pool of its own of ``settings.SIGN_IN_HASHING_THREADS`` threads, never in the
threads that serve pages, and the route waits for it without holding one of them."""

from __future__ import annotations

import asyncio
import secrets
from concurrent.futures import ThreadPoolExecutor

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from starlette.concurrency import run_in_threadpool

from ...accounts import SESSION_LIFETIME, authenticate, end_session, start_session
from ...keys import Purpose
from ...settings import SIGN_IN_HASHING_THREADS
from ..deps import SESSION_COOKIE, SIGNIN_COOKIE, Context, context, current_principal, page
from ..guards import Refusal

router = APIRouter()
HASHING = ThreadPoolExecutor(SIGN_IN_HASHING_THREADS, thread_name_prefix="plantrack-sign-in")  # threads start when first used
REFUSED = {
    Refusal.LOCKED: "Đăng nhập sai quá nhiều lần: tài khoản này tạm bị khóa 15 phút tại địa chỉ của quý vị.",
    Refusal.BUSY: "Máy chủ đang bận kiểm tra nhiều lần đăng nhập: đăng nhập tạm bị khóa, đề nghị thử lại sau ít phút.",
}


def _safe_next(next_path: str) -> str:
    return next_path if next_path.startswith("/") and not next_path.startswith(("//", "/\\")) and len(next_path) < 2000 else "/"


def _form(request: Request, ctx: Context, status_code: int, error: str | None, next_path: str) -> HTMLResponse:
    nonce = request.cookies.get(SIGNIN_COOKIE)
    if not nonce or len(nonce) > 64:
        nonce = secrets.token_urlsafe(24)
    response = page(request, "login.html.j2", status_code, error=error, next=_safe_next(next_path),
                    signin_csrf=ctx.keyring.sign(Purpose.CSRF, ["signin", nonce]))
    response.set_cookie(SIGNIN_COOKIE, nonce, httponly=True, samesite="strict", secure=ctx.secure_cookies, max_age=3600)
    return response


@router.get("/dang-nhap", response_class=HTMLResponse)
def login_form(request: Request, next: str = "/", ctx: Context = Depends(context)):
    return _form(request, ctx, 200, None, next)


def _check(ctx: Context, login: str, password: str) -> str | None:
    """A new session id if the password is right (runs in ``HASHING``)."""
    with ctx.store.transaction() as session:
        account = authenticate(session, login, password)
        return start_session(session, account, ctx.clock()) if account is not None else None


@router.post("/dang-nhap", response_class=HTMLResponse)
async def login(request: Request, login: str = Form(""), password: str = Form(""), next: str = Form("/"), csrf: str = Form(""),
                ctx: Context = Depends(context)):
    nonce = request.cookies.get(SIGNIN_COOKIE, "")
    if not nonce or ctx.keyring.read(Purpose.CSRF, csrf, ctx.clock()) != ["signin", nonce]:
        return await run_in_threadpool(_form, request, ctx, 403, "Biểu mẫu đăng nhập đã hết hiệu lực. Đề nghị đăng nhập lại.", next)
    address = request.client.host if request.client else "?"
    name = login.strip().lower()[:100]
    throttle = request.app.state.throttle
    attempt = throttle.reserve(name, address)
    if isinstance(attempt, Refusal):
        return await run_in_threadpool(_form, request, ctx, 429, REFUSED[attempt], next)
    checking = HASHING.submit(_check, ctx, name, password)
    # settled when the check ends, even if the client has gone: the reservation covers the work
    checking.add_done_callback(lambda done: throttle.settle(attempt, not done.cancelled() and done.exception() is None
                                                            and done.result() is not None))
    session_id = await asyncio.wrap_future(checking)
    if session_id is None:
        return await run_in_threadpool(_form, request, ctx, 401, "Sai tên đăng nhập hoặc mật khẩu.", next)
    response = RedirectResponse(_safe_next(next), status_code=303)
    response.set_cookie(SESSION_COOKIE, ctx.keyring.sign(Purpose.SESSION, session_id), httponly=True, samesite="lax",
                        secure=ctx.secure_cookies, max_age=int(SESSION_LIFETIME.total_seconds()))
    response.delete_cookie(SIGNIN_COOKIE)
    return response


@router.post("/dang-xuat")
def logout(request: Request, csrf: str = Form(""), ctx: Context = Depends(context)):
    principal = current_principal(request, ctx)
    if principal is not None and ctx.keyring.read(Purpose.CSRF, csrf, ctx.clock()) == principal.digest:
        with ctx.store.transaction() as session:
            end_session(session, principal.session_id)
    elif principal is not None:
        return page(request, "message.html.j2", 403, title="Không đăng xuất được",
                    message="Biểu mẫu đã hết hiệu lực (mã CSRF không đúng). Đề nghị tải lại trang.")
    response = RedirectResponse("/dang-nhap", status_code=303)
    response.delete_cookie(SESSION_COOKIE)
    return response
