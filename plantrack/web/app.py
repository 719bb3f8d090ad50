"""The dashboard: server-rendered pages over the store (FastAPI + Jinja, no JavaScript).

Access model (``deps``): everything is behind a sign-in except an agency's submission link
(``/nop/{token}``) and a unit's own page and calendar through its feed link
(``/don-vi-cua-toi/{token}``, ``/lich/{token}.ics``). Accounts (``accounts.Role``) read
(viewer), act (coordinator) or also administer delivery (admin), each within its scope of
plans and units.

- ``/`` the plans; ``/ke-hoach/{plan}`` a plan's heat map as of any day; ``/don-vi/{unit}`` a
  unit's duties, occurrences, submissions, extensions and proof-of-notice log;
  ``/tep/{submission}`` a file handed in.
- ``/dieu-phoi/...`` coordinators' actions (``routes.coordination``).

``create_app`` takes the store, the keyring, the clock, the upload folder and the public
address that links are built from; the routes read the time only through the clock.
Before any route: the Host header is checked against the public address, a body is
limited before it is read, failed sign-ins are throttled, and every answer carries the
security headers (``guards``).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Callable
from urllib.parse import urlsplit

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import RedirectResponse
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from secure.middleware import SecureASGIMiddleware
from starlette.middleware.trustedhost import TrustedHostMiddleware

from ..assumptions import OWNER, assumed_owners, sentence
from ..calendar import TIMEZONE
from ..deadlines import deadline_text
from ..changes import change
from ..exports.common import EMPTY_COLOUR, KIND_VI, STATUS_COLOUR, STATUS_COLUMNS, plan_label, rate_text
from ..keys import Keyring
from ..store.database import Store
from ..tracking import Status
from .deps import Context, Forbidden, SignInRequired, page, sign_in_location
from .guards import BodyLimit, ImportThrottle, LoginThrottle, security_headers
from .routes import coordination, figures, handin, importing, reading, signin

TEMPLATES = Path(__file__).parent / "templates"


def _environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(enabled_extensions=("j2",)),
        undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True,
    )
    env.globals.update(
        STATUS_COLUMNS=STATUS_COLUMNS, STATUS_COLOUR=STATUS_COLOUR, EMPTY_COLOUR=EMPTY_COLOUR, KIND_VI=KIND_VI,
        plan_label=plan_label, rate_text=rate_text, Status=Status,
        change_of=lambda x: change(x.reason, x.previous_due_date, x.new_due_date), owner_sentence=sentence([OWNER]), assumption_sentence=sentence,
        owner_assumed=lambda duty, unit: unit.id in assumed_owners(duty.assignments),
    )
    env.filters["vn_date"] = lambda d: deadline_text(d) if d else ""  # "chưa có thời hạn" for work with no date yet
    env.filters["vn_time"] = lambda t: f"{t.astimezone(TIMEZONE):%d/%m/%Y %H:%M}" if t else ""
    return env


def create_app(
    store: Store,
    keyring: Keyring,
    clock: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.timezone.utc),
    upload_dir: Path = Path("var/uploads"),
    public_url: str = "http://127.0.0.1:8000",
    throttle: LoginThrottle | None = None,
    extra_hosts: tuple[str, ...] = (),
    definitions: tuple[Path, ...] = (),
) -> FastAPI:
    app = FastAPI(title="plantrack", docs_url=None, redoc_url=None, openapi_url=None)
    public_url = public_url.rstrip("/")
    ctx = Context(store, keyring, clock, upload_dir, public_url, _environment(), definitions=tuple(definitions))
    app.state.context = ctx
    app.state.throttle = throttle or LoginThrottle()
    app.state.import_throttle = ImportThrottle()
    for router in (reading.router, figures.router, handin.router, signin.router, coordination.router, importing.router):
        app.include_router(router)

    @app.exception_handler(SignInRequired)
    def to_sign_in(request: Request, exc: SignInRequired):
        return RedirectResponse(sign_in_location(exc.next_path), status_code=303)

    @app.exception_handler(Forbidden)
    def forbidden(request: Request, exc: Forbidden):
        return page(request, "message.html.j2", 403, title="Không có quyền", message=exc.message)

    @app.exception_handler(RequestValidationError)
    def bad_request(request: Request, exc: RequestValidationError):
        fields = ", ".join(str(e.get("loc", ["?"])[-1]) for e in exc.errors())
        return page(request, "message.html.j2", 422, title="Yêu cầu không hợp lệ", message=f"Giá trị không hợp lệ: {fields}.")

    hosts = {urlsplit(public_url).hostname or "127.0.0.1", "127.0.0.1", "localhost", *extra_hosts}
    app.add_middleware(BodyLimit)
    app.add_middleware(TrustedHostMiddleware, allowed_hosts=sorted(hosts))
    app.add_middleware(SecureASGIMiddleware, secure=security_headers(public_url.startswith("https://")))
    return app
