"""A coordinator's actions on a unit's page: approve an extension, set the deadline of work the
text gave none (also for every unit at once, from a plan's page), take up an escalation, send
failing notices again, request an ad-hoc report. Each needs a role that acts, a valid
CSRF token and the unit within the account's scope; it runs in one transaction and goes back
to the unit's page with a signed message (never text taken from the address bar)."""

from __future__ import annotations

from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response

from ...calendar import local_date, parse_date
from ...errors import PlantrackError
from ...outbox import release
from ...store.models import Account, Occurrence
from ...tracking import grant_extension, group_members, request_adhoc, resolve_unit
from ...states import NoticeState
from ...undated import set_deadline, undated_occurrences
from ...undeliverable import READ, undeliverable, units_to_retry
from ...watch import acknowledge_escalation
from ..deps import Context, Principal, acting, check_plan, check_unit, context, flash_token, page

router = APIRouter(prefix="/dieu-phoi")


def _occurrence(session, principal: Principal, occurrence_id: int) -> Occurrence:
    occurrence = session.get(Occurrence, occurrence_id) if 0 < occurrence_id < 2**62 else None
    if occurrence is None or occurrence.retired:
        raise PlantrackError(f"Không có nhiệm vụ #{occurrence_id}.")
    check_unit(principal, occurrence.unit_id)
    check_plan(principal, occurrence.obligation.plan_id)
    return occurrence


def act(request: Request, ctx: Context, principal: Principal, failure: str, action) -> Response:
    """``action(session, name)`` returns the page to go back to (a unit id, or ``plan:<id>``
    for a plan's page) and what to tell."""
    try:
        with ctx.store.transaction() as session:
            account = session.get(Account, principal.login)
            target, message = action(session, account.name)
    except PlantrackError as exc:
        return page(request, "message.html.j2", 422, title=failure, message=str(exc))
    if target == "home":
        path = "/"
    else:
        path = f"/ke-hoach/{target.removeprefix('plan:')}" if target.startswith("plan:") else f"/don-vi/{target}"
    return RedirectResponse(f"{path}?" + urlencode({"thong_bao": flash_token(ctx, target, message)}), status_code=303)


@router.post("/gia-han/{occurrence_id}")
def extend(request: Request, occurrence_id: int, new_date: str = Form(...), reason: str = Form(...),
           principal: Principal = Depends(acting), ctx: Context = Depends(context)):
    def action(session, name):
        occurrence = _occurrence(session, principal, occurrence_id)
        day = parse_date(new_date, "Ngày gia hạn")
        grant_extension(session, occurrence, day, reason, name, ctx.clock())
        return occurrence.unit_id, f"Đã gia hạn nhiệm vụ #{occurrence_id} đến {day:%d/%m/%Y}."

    return act(request, ctx, principal, "Không gia hạn được", action)


@router.post("/an-dinh-han/{occurrence_id}")
def set_one_deadline(request: Request, occurrence_id: int, new_date: str = Form(...), reference: str = Form(...),
                     principal: Principal = Depends(acting), ctx: Context = Depends(context)):
    """The deadline of one unit's work that has none (unscheduled, external, after an event)."""
    def action(session, name):
        occurrence = _occurrence(session, principal, occurrence_id)
        day = parse_date(new_date, "Thời hạn")
        extension = set_deadline(session, occurrence, day, reference, name, ctx.clock())
        return occurrence.unit_id, f"Đã ấn định thời hạn nhiệm vụ #{occurrence_id}: {extension.new_due_date:%d/%m/%Y}."

    return act(request, ctx, principal, "Không ấn định được thời hạn", action)


@router.post("/an-dinh-han")
def set_plan_deadline(request: Request, plan: str = Form(...), obligation: str = Form(...), new_date: str = Form(...),
                      reference: str = Form(...), period: str = Form(""), principal: Principal = Depends(acting),
                      ctx: Context = Depends(context)):
    """From a plan's page: the deadline of an obligation the text gave none, for every unit
    still without one (of a period, when chosen) within the account's scope, as the page lists them."""
    def action(session, name):
        check_plan(principal, plan)
        day = parse_date(new_date, "Thời hạn")
        occurrences = [o for o in undated_occurrences(session, plan, obligation, period=period or None)
                       if principal.scope.unit(o.unit_id)]
        if not occurrences:
            raise PlantrackError("Không có đơn vị nào trong phạm vi của tài khoản chưa có thời hạn cho nghĩa vụ này.")
        now = ctx.clock()
        for occurrence in occurrences:
            set_deadline(session, occurrence, day, reference, name, now)
        return f"plan:{plan}", f"Đã ấn định thời hạn {day:%d/%m/%Y} cho {len(occurrences)} đơn vị: {obligation}."

    return act(request, ctx, principal, "Không ấn định được thời hạn", action)


@router.post("/xac-nhan/{occurrence_id}")
def acknowledge(request: Request, occurrence_id: int, principal: Principal = Depends(acting), ctx: Context = Depends(context)):
    def action(session, name):
        occurrence = _occurrence(session, principal, occurrence_id)
        acknowledge_escalation(session, occurrence, name, ctx.clock())
        return occurrence.unit_id, f"Đã tiếp nhận báo cáo chậm của nhiệm vụ #{occurrence_id}: không báo cáo lên cấp trên nữa."

    return act(request, ctx, principal, "Không xác nhận được", action)


@router.post("/gui-lai/{unit_id}")
def retry_now(request: Request, unit_id: str, principal: Principal = Depends(acting), ctx: Context = Depends(context)):
    def action(session, name):
        check_unit(principal, unit_id)
        unit = resolve_unit(session, unit_id)
        released = release(session, ctx.clock(), unit.id)
        return unit.id, (f"Đã đưa {released} thông báo về hàng chờ: lượt gửi tới (trong giờ hành chính, "
                         "15 phút một lần) sẽ gửi lại.")

    return act(request, ctx, principal, "Không gửi lại được", action)


@router.post("/gui-lai-khong-gui-duoc")
def retry_undeliverable(request: Request, plan: str = Form(""), principal: Principal = Depends(acting),
                        ctx: Context = Depends(context)):
    """From the home page (or a plan's, with ``plan``): release the undeliverable notices the
    page lists, those of units within the account's scope, to be sent again at once."""
    def action(session, name):
        if plan:
            check_plan(principal, plan)
        _, rows = undeliverable(session, principal.scope.unit, plan or None, shown=READ)
        now = ctx.clock()
        released = sum(release(session, now, unit_id, plan or None, (NoticeState.UNDELIVERABLE,))
                       for unit_id in units_to_retry(rows, principal.scope.unit))
        return (f"plan:{plan}" if plan else "home"), (f"Đã đưa {released} thông báo không gửi được về hàng chờ: lượt gửi "
                                                      "tới (trong giờ hành chính, 15 phút một lần) sẽ gửi lại.")

    return act(request, ctx, principal, "Không gửi lại được", action)


@router.post("/yeu-cau")
def adhoc(request: Request, plan: str = Form(...), unit: str = Form(...), title: str = Form(""), working_days: int = Form(5),
          principal: Principal = Depends(acting), ctx: Context = Depends(context)):
    def action(session, name):
        check_unit(principal, unit)
        check_plan(principal, plan)
        obligation, _ = request_adhoc(session, plan, [unit], ctx.clock(), title or None, working_days, requested_by=name)
        return unit, f"Đã yêu cầu: {obligation.title}."

    return act(request, ctx, principal, "Không tạo được yêu cầu", action)


@router.post("/yeu-cau-nhom")
def adhoc_group(request: Request, plan: str = Form(...), group: str = Form(...), title: str = Form(""), working_days: int = Form(5),
                principal: Principal = Depends(acting), ctx: Context = Depends(context)):
    """An ad-hoc request to every unit of a registry group that exists on the day ("UBND các
    phường, xã, đặc khu"), from a plan's page; every member must be within the account's scope."""
    def action(session, name):
        check_plan(principal, plan)
        now = ctx.clock()
        members = group_members(session, group, local_date(now))
        for unit_id in members:
            check_unit(principal, unit_id)
        obligation, occurrences = request_adhoc(session, plan, members, now, title or None, working_days, requested_by=name)
        return f"plan:{obligation.plan_id}", f"Đã yêu cầu {len(occurrences)} đơn vị của nhóm {group}: {obligation.title}."

    return act(request, ctx, principal, "Không tạo được yêu cầu", action)
