"""The dashboard: server-rendered pages over the store (FastAPI + Jinja, no JavaScript).

- ``/`` the plans; ``/ke-hoach/{plan}`` a plan's heat map (units x half-years) as of any day,
  filtered by unit kind and period; ``/don-vi/{unit}`` a unit's duties, occurrences,
  submissions, extensions and proof-of-notice log; ``/lich/{unit}.ics`` its calendar feed.
- ``/nop/{token}``: an agency hands in its report through the signed link its notice carries.
- ``/dang-nhap``: coordinators sign in to approve extensions, request ad-hoc reports and
  acknowledge escalations (forms on the unit page, each POST checked against a CSRF token).

``create_app`` takes the store, the signing key and the clock: the routes read the time only
through ``clock`` (tests and the demo pass their own).
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Callable
from urllib.parse import urlencode

from fastapi import FastAPI, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from sqlalchemy import and_, or_, select

from ..accounts import authenticate, session_login, session_value
from ..calendar import TIMEZONE, end_of_local_day, local_date, parse_date
from ..errors import PlantrackError
from ..exports.common import EMPTY_COLOUR, KIND_VI, STATUS_COLOUR, STATUS_COLUMNS, plan_label, rate_text
from ..ics import unit_calendar
from ..links import LinkError, link_expiry, make_token, read_token, sign
from ..outbox import release
from ..progress import compile_report
from ..states import NoticeState
from ..store.database import Store
from ..store.models import Coordinator, Duty, Extension, Notice, Occurrence, Plan, Submission, Unit
from ..tracking import Status, grant_extension, record_submission, request_adhoc, resolve_unit, status_rows
from ..watch import acknowledge_escalation

TEMPLATES = Path(__file__).parent / "templates"
COOKIE = "plantrack_session"
MAX_UPLOAD = 20 * 1024 * 1024


def _environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(enabled_extensions=("j2",)),
        undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True,
    )
    env.globals.update(
        STATUS_COLUMNS=STATUS_COLUMNS, STATUS_COLOUR=STATUS_COLOUR, EMPTY_COLOUR=EMPTY_COLOUR, KIND_VI=KIND_VI,
        plan_label=plan_label, rate_text=rate_text, Status=Status,
    )
    env.filters["vn_date"] = lambda d: f"{d:%d/%m/%Y}" if d else ""
    env.filters["vn_time"] = lambda t: f"{t.astimezone(TIMEZONE):%d/%m/%Y %H:%M}" if t else ""
    return env


def _occurrence(session, occurrence_id: int) -> Occurrence:
    occurrence = session.get(Occurrence, occurrence_id)
    if occurrence is None or occurrence.retired:
        raise PlantrackError(f"Không có nhiệm vụ #{occurrence_id}.")
    return occurrence


def _coordinator_name(session, login: str) -> str:
    found = session.get(Coordinator, login)
    if found is None:  # the account was removed after the session began
        raise PlantrackError("Tài khoản điều phối không còn hiệu lực.")
    return found.name


def _safe_name(name: str) -> str:
    stem = re.sub(r"[^A-Za-z0-9._-]+", "-", name).strip("-.") or "tep"
    return stem[-120:]


def create_app(
    store: Store,
    key: bytes,
    clock: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.timezone.utc),
    upload_dir: Path = Path("var/uploads"),
) -> FastAPI:
    app = FastAPI(title="plantrack", docs_url=None, redoc_url=None, openapi_url=None)
    env = _environment()

    def page(request: Request, template: str, status_code: int = 200, **context) -> HTMLResponse:
        login = session_login(key, request.cookies.get(COOKIE), clock())
        csrf = sign(key, f"csrf|{request.cookies.get(COOKIE)}") if login else ""
        html = env.get_template(template).render(request=request, login=login, csrf=csrf, today=local_date(clock()), **context)
        return HTMLResponse(html, status_code=status_code)

    def as_of_of(text: str | None) -> dt.datetime:
        """The day a page shows: the end of the day asked for, else now."""
        if not text:
            return clock()
        try:
            return end_of_local_day(parse_date(text, "as_of"))
        except PlantrackError:
            return clock()

    def coordinator(request: Request, csrf: str | None = None) -> str | None:
        login = session_login(key, request.cookies.get(COOKIE), clock())
        if login is None:
            return None
        if csrf is not None and csrf != sign(key, f"csrf|{request.cookies.get(COOKIE)}"):
            return None
        return login

    def submission_url(request: Request, occurrence_id: int, unit_id: str, deadline: dt.date) -> str:
        return str(request.url_for("submission_form", token=make_token(key, occurrence_id, unit_id, link_expiry(deadline))))

    # --- reading ------------------------------------------------------------------------

    @app.get("/", response_class=HTMLResponse)
    def home(request: Request, as_of: str | None = None):
        instant = as_of_of(as_of)
        with store.session() as session:
            plans = session.scalars(select(Plan).where(Plan.retired.is_(False)).order_by(Plan.parent_id.is_not(None), Plan.issued_on, Plan.id)).all()
            reports = [compile_report(session, p.id, instant, implementing=False) for p in plans]
        return page(request, "home.html.j2", plans=list(zip(plans, reports)), as_of=local_date(instant))

    @app.get("/ke-hoach/{plan_id}", response_class=HTMLResponse)
    def overview(request: Request, plan_id: str, as_of: str | None = None, kind: str = "", period: int = 0):
        instant = as_of_of(as_of)
        with store.session() as session:
            try:
                report = compile_report(session, plan_id, instant)
            except PlantrackError as exc:
                return page(request, "message.html.j2", 404, title="Không tìm thấy kế hoạch", message=str(exc))
        units = [u for u in report.units if not kind or u.kind == kind]
        columns = [period - 1] if 1 <= period <= len(report.periods) else list(range(len(report.periods)))
        kinds = sorted({u.kind for u in report.units}, key=lambda k: KIND_VI.get(k, k))
        return page(request, "overview.html.j2", report=report, units=units, columns=columns, kinds=kinds, kind=kind,
                    period=period, as_of=report.day)

    @app.get("/don-vi/{unit_id}", response_class=HTMLResponse)
    def unit_page(request: Request, unit_id: str, as_of: str | None = None):
        instant = as_of_of(as_of)
        login = coordinator(request)
        with store.session() as session:
            unit = session.get(Unit, unit_id)
            if unit is None:
                return page(request, "message.html.j2", 404, title="Không tìm thấy đơn vị", message=f"Không có đơn vị {unit_id}.")
            rows = [r for r in status_rows(session, instant, unit=unit_id, include_not_open=True) if r.unit_id == unit_id]
            ids = [r.occurrence_id for r in rows]
            duties = [
                (plan, duty, next(a["role"] for a in duty.assignments if a["unit"] == unit_id))
                for duty, plan in session.execute(select(Duty, Plan).join(Plan, Duty.plan_id == Plan.id).where(Duty.retired.is_(False)))
                if any(a["unit"] == unit_id for a in duty.assignments)
            ]
            submissions = session.scalars(
                select(Submission).where(Submission.occurrence_id.in_(ids), Submission.submitted_at <= instant).order_by(Submission.submitted_at)
            ).all() if ids else []
            extensions = session.scalars(
                select(Extension).where(Extension.occurrence_id.in_(ids), Extension.granted_at <= instant).order_by(Extension.granted_at)
            ).all() if ids else []
            notices = session.scalars(
                select(Notice).where(Notice.occurrence_id.in_(ids), Notice.sent_at.is_not(None), Notice.sent_at <= instant)
                .order_by(Notice.sent_at, Notice.id)
            ).all() if ids else []
            # Given up, or failing and waiting for a retry: to the unit, or about its duties.
            failing = session.scalars(
                select(Notice).where(
                    or_(Notice.recipient_id == unit_id, Notice.occurrence_id.in_(ids)) if ids else Notice.recipient_id == unit_id,
                    or_(Notice.state == NoticeState.UNDELIVERABLE, and_(Notice.state == NoticeState.PENDING, Notice.attempts > 0)),
                    Notice.created_at <= instant,
                ).order_by(Notice.id.desc()).limit(200)
            ).all()
            escalated = {n.occurrence_id for n in notices if n.level > 0 and n.acknowledged_at is None}
            by_id = {r.occurrence_id: r for r in rows}
            links = {
                r.occurrence_id: submission_url(request, r.occurrence_id, unit_id, r.effective_due)
                for r in rows if login and r.status in (Status.IN_PROGRESS, Status.OVERDUE)
            }
        return page(request, "unit.html.j2", unit=unit, rows=rows, duties=duties, submissions=submissions, extensions=extensions,
                    notices=notices, failing=failing, by_id=by_id, escalated=escalated, links=links, as_of=local_date(instant),
                    counted=[r for r in rows if r.status is not Status.NOT_OPEN])

    @app.get("/lich/{unit_id}.ics")
    def calendar_feed(unit_id: str):
        now = clock()
        with store.session() as session:
            try:
                unit = resolve_unit(session, unit_id)
            except PlantrackError:
                return Response("no such unit\n", status_code=404, media_type="text/plain")
            rows = [r for r in status_rows(session, now, unit=unit_id, include_not_open=True) if r.unit_id == unit_id]
            ids = [r.occurrence_id for r in rows]
            explanations = {
                oid: steps for oid, steps in session.execute(select(Occurrence.id, Occurrence.explanation).where(Occurrence.id.in_(ids)))
            } if ids else {}
            text = unit_calendar(unit.name, rows, explanations, now)
        return Response(text, media_type="text/calendar; charset=utf-8",
                        headers={"Content-Disposition": f'inline; filename="{unit_id}.ics"'})

    # --- agencies: the signed submission link --------------------------------------------------

    def granted(session, token: str):
        grant = read_token(key, token, clock())
        occurrence = session.get(Occurrence, grant.occurrence_id)
        if occurrence is None or occurrence.retired or occurrence.unit_id != grant.unit_id:
            raise LinkError("Đường dẫn không dùng được cho nhiệm vụ này.")
        return occurrence

    def form_context(session, occurrence: Occurrence) -> dict:
        [row] = [r for r in status_rows(session, clock(), unit=occurrence.unit_id, include_not_open=True)
                 if r.occurrence_id == occurrence.id] or [None]
        return {"occurrence": occurrence, "row": row, "unit": occurrence.unit, "plan": occurrence.obligation.plan,
                "submissions": list(occurrence.submissions)}

    @app.get("/nop/{token}", response_class=HTMLResponse, name="submission_form")
    def submission_form(request: Request, token: str):
        with store.session() as session:
            try:
                occurrence = granted(session, token)
            except LinkError as exc:
                return page(request, "message.html.j2", 403, title="Không thể mở đường dẫn nộp báo cáo", message=str(exc))
            return page(request, "submit.html.j2", token=token, error=None, done=None, **form_context(session, occurrence))

    @app.post("/nop/{token}", response_class=HTMLResponse)
    async def submit(
        request: Request, token: str, document_number: str = Form(""), document_date: str = Form(""),
        link: str = Form(""), note: str = Form(""), file: UploadFile | None = None,
    ):
        now = clock()
        content = await file.read(MAX_UPLOAD + 1) if file is not None and file.filename else None

        def again(status_code: int, **outcome) -> HTMLResponse:
            with store.session() as session:
                try:
                    occurrence = granted(session, token)
                except LinkError as exc:
                    return page(request, "message.html.j2", 403, title="Không thể nộp báo cáo", message=str(exc))
                return page(request, "submit.html.j2", status_code, token=token, **outcome, **form_context(session, occurrence))

        with store.session() as session:
            try:
                granted(session, token)
            except LinkError as exc:
                return page(request, "message.html.j2", 403, title="Không thể nộp báo cáo", message=str(exc))
        error = None
        if content is not None and len(content) > MAX_UPLOAD:
            error = "Tệp quá lớn (tối đa 20 MB)."
        elif not (document_number.strip() or link.strip() or content):
            error = "Đề nghị nhập số văn bản, đường dẫn hoặc chọn tệp báo cáo."
        elif link.strip() and not link.strip().startswith(("http://", "https://")):
            error = "Đường dẫn phải bắt đầu bằng http:// hoặc https://."
        if error is not None:
            return again(422, error=error, done=None)
        saved: Path | None = None
        try:
            day = parse_date(document_date, "Ngày văn bản") if document_date.strip() else None
            with store.transaction() as session:
                occurrence = granted(session, token)
                stored_link = link.strip() or None
                if content is not None:
                    saved = upload_dir / str(occurrence.id) / f"{now:%Y%m%dT%H%M%S}-{_safe_name(file.filename)}"
                    saved.parent.mkdir(parents=True, exist_ok=True)
                    saved.write_bytes(content)
                    stored_link = stored_link or f"tệp: {saved}"
                record_submission(session, occurrence, now, document_number.strip() or None, day, stored_link,
                                  note.strip() or None, f"đường dẫn ký số ({occurrence.unit_id})")
        except PlantrackError as exc:  # nothing was recorded: the file goes too
            if saved is not None:
                saved.unlink(missing_ok=True)
            return again(422, error=str(exc), done=None)
        return again(200, error=None, done=now)

    # --- coordinators ---------------------------------------------------------------------

    @app.get("/dang-nhap", response_class=HTMLResponse)
    def login_form(request: Request, next: str = "/"):
        return page(request, "login.html.j2", error=None, next=next)

    @app.post("/dang-nhap", response_class=HTMLResponse)
    def login(request: Request, login: str = Form(...), password: str = Form(...), next: str = Form("/")):
        with store.session() as session:
            found = authenticate(session, login, password)
        if found is None:
            return page(request, "login.html.j2", 401, error="Sai tên đăng nhập hoặc mật khẩu.", next=next)
        response = RedirectResponse(next if next.startswith("/") and not next.startswith("//") else "/", status_code=303)
        response.set_cookie(COOKIE, session_value(key, found.login, clock()), httponly=True, samesite="lax",
                            secure=request.url.scheme == "https")
        return response

    @app.post("/dang-xuat")
    def logout():
        response = RedirectResponse("/", status_code=303)
        response.delete_cookie(COOKIE)
        return response

    def refused(request: Request) -> HTMLResponse:
        return page(request, "message.html.j2", 403, title="Cần đăng nhập",
                    message="Chức năng này dành cho cán bộ điều phối: đề nghị đăng nhập (phiên có thể đã hết hạn).")

    def done(unit_id: str, message: str) -> RedirectResponse:
        return RedirectResponse(f"/don-vi/{unit_id}?" + urlencode({"thong_bao": message}), status_code=303)

    def act(request: Request, csrf: str, failure: str, action) -> Response:
        """A coordinator's action in one transaction: ``action(session, name)`` returns the unit
        page to go back to and what to tell; bad input gets a page saying why."""
        login = coordinator(request, csrf)
        if login is None:
            return refused(request)
        try:
            with store.transaction() as session:
                unit_id, message = action(session, _coordinator_name(session, login))
        except PlantrackError as exc:
            return page(request, "message.html.j2", 422, title=failure, message=str(exc))
        return done(unit_id, message)

    @app.post("/dieu-phoi/gia-han/{occurrence_id}")
    def extend(request: Request, occurrence_id: int, new_date: str = Form(...), reason: str = Form(...), csrf: str = Form("")):
        def action(session, name):
            occurrence = _occurrence(session, occurrence_id)
            grant_extension(session, occurrence, parse_date(new_date, "Ngày gia hạn"), reason, name, clock())
            return occurrence.unit_id, f"Đã gia hạn nhiệm vụ #{occurrence_id} đến {new_date}."

        return act(request, csrf, "Không gia hạn được", action)

    @app.post("/dieu-phoi/xac-nhan/{occurrence_id}")
    def acknowledge(request: Request, occurrence_id: int, csrf: str = Form("")):
        def action(session, name):
            occurrence = _occurrence(session, occurrence_id)
            acknowledge_escalation(session, occurrence, name, clock())
            return occurrence.unit_id, f"Đã tiếp nhận báo cáo chậm của nhiệm vụ #{occurrence_id}: không báo cáo lên cấp trên nữa."

        return act(request, csrf, "Không xác nhận được", action)

    @app.post("/dieu-phoi/gui-lai/{unit_id}")
    def retry_now(request: Request, unit_id: str, csrf: str = Form("")):
        def action(session, name):
            unit = resolve_unit(session, unit_id)
            released = release(session, clock(), unit.id)
            return unit.id, (f"Đã đưa {released} thông báo về hàng chờ: lượt gửi tới (trong giờ hành chính, "
                             "15 phút một lần) sẽ gửi lại.")

        return act(request, csrf, "Không gửi lại được", action)

    @app.post("/dieu-phoi/yeu-cau")
    def adhoc(request: Request, plan: str = Form(...), unit: str = Form(...), title: str = Form(""),
              working_days: int = Form(5), csrf: str = Form("")):
        def action(session, name):
            obligation, _ = request_adhoc(session, plan, [unit], clock(), title or None, working_days, requested_by=name)
            return unit, f"Đã yêu cầu: {obligation.title}."

        return act(request, csrf, "Không tạo được yêu cầu", action)

    return app

