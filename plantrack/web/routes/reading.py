"""Pages that read: the plans, a plan's heat map, a unit's page, a file handed in (signed in,
within the account's scope), and a unit's own page and calendar through its feed link."""

from __future__ import annotations

import dataclasses
import datetime as dt

from fastapi import APIRouter, Depends, Request
from fastapi.responses import FileResponse, HTMLResponse, Response
from sqlalchemy import or_, select

from ...calendar import end_of_local_day, local_date, parse_date
from ...accounts import Role, account_scope
from ...errors import PlantrackError
from ...exports.common import KIND_VI
from ...ics import unit_calendar
from ...links import LinkError, link_expiry, make_feed_token, make_token, read_feed_token
from ...lineage import lineage
from ...progress import branches, compile_report, counts_with_moves, moved_by_submissions, plan_counts, plan_edges, with_moves, within_scope
from ...outbox import PENDING, UNDELIVERABLE
from ...store.models import Account, Extension, Notice, Obligation, Occurrence, Plan, Submission, Unit, UnitFeed
from ...tracking import Status, every_group_members, on_time_rate, status_rows, unit_duties, waiting_for
from ...undated import undated_by_obligation
from ...undeliverable import undeliverable
from ..deps import Context, Principal, check_plan, check_unit, context, page, read_flash, signed_in

router = APIRouter()
FAILING_READ = 1000  # failing notices read for a unit's page, of which it shows the latest 200


def as_of_of(ctx: Context, text: str | None) -> dt.datetime:
    """The day a page shows: the end of the day asked for, else now."""
    if not text:
        return ctx.clock()
    try:
        return end_of_local_day(parse_date(text, "as_of"))
    except PlantrackError:
        return ctx.clock()


def feed_generation(session, unit_id: str) -> int:
    """The generation a unit's feed links must carry (1 until the first revocation)."""
    found = session.get(UnitFeed, unit_id)
    return found.generation if found is not None else 1


@router.get("/", response_class=HTMLResponse)
def home(request: Request, as_of: str | None = None, thong_bao: str | None = None, principal: Principal = Depends(signed_in),
         ctx: Context = Depends(context)):
    instant = as_of_of(ctx, as_of)
    with ctx.store.session() as session:
        failed = undeliverable(session, principal.scope.unit)
        plans = [
            p for p in session.scalars(select(Plan).where(Plan.retired.is_(False)).order_by(Plan.parent_id.is_not(None), Plan.issued_on, Plan.id))
            if principal.scope.plan(p.id)
        ]
        ids = [p.id for p in plans]
        # An account scoped to a subtree of units counts its units only, and does not see the
        # implementing plans issued elsewhere that owe it nothing (another province's plan).
        unit_ok = principal.scope.unit if principal.scope.units is not None else None
        counts = ctx.counts.get(
            session, ("home", tuple(ids), principal.scope.units), instant, lambda: plan_counts(session, ids, instant, unit_ok),
            lambda value, after, upto: counts_with_moves(value, moved_by_submissions(session, after, upto, instant), unit_ok),
        )
    if unit_ok is not None:
        plans = [p for p in plans if p.parent_id is None or unit_ok(p.issuer_id) or any(counts[p.id].values())]
    rows = [(p, counts[p.id], on_time_rate(counts[p.id])) for p in plans]
    return page(request, "home.html.j2", plans=rows, as_of=local_date(instant), **_failed(principal, failed),
                flash=read_flash(ctx, "home", thong_bao))


def _failed(principal: Principal, failed: tuple[int, list], plan_id: str | None = None) -> dict:
    """What the undeliverable section of the home and plan pages shows (``_undeliverable.html.j2``)."""
    return dict(undeliverable_count=failed[0], undeliverable_rows=failed[1], undeliverable_plan=plan_id,
                acts=principal.role.acts, delivery=principal.role.sees_delivery)


@router.get("/ke-hoach/{plan_id}", response_class=HTMLResponse)
def overview(request: Request, plan_id: str, as_of: str | None = None, kind: str = "", period: int = 0, thong_bao: str | None = None,
             mo: str | None = None, principal: Principal = Depends(signed_in), ctx: Context = Depends(context)):
    check_plan(principal, plan_id)
    instant = as_of_of(ctx, as_of)
    with ctx.store.session() as session:
        try:
            report = ctx.counts.get(
                session, ("overview", plan_id), instant,  # the page shows neither notices nor overdue items
                lambda: compile_report(session, plan_id, instant, owed_limit=0, notices=False),
                lambda value, after, upto: with_moves(value, moved_by_submissions(session, after, upto, instant), plan_edges(session)),
            )
            report = dataclasses.replace(report, as_of=instant)  # a copy: the cached one stays as computed
        except PlantrackError as exc:
            return page(request, "message.html.j2", 404, title="Không tìm thấy kế hoạch", message=str(exc))
    # What the account may see: its units, and the implementing plans within them, counted there.
    report = within_scope(report, principal.scope.plan, principal.scope.unit if principal.scope.units is not None else None)
    counts = report.counts
    node = mo if mo and mo in report.names else None
    # A tree: the units under the plan's issuer, each with its branch rolled up; ?mo= opens one.
    rows = [b for b in branches(report, node) if not kind or b.unit.kind == kind]
    trail = []
    current = node
    while current is not None and current != report.issuer_id and len(trail) < 20:
        trail.insert(0, (current, report.names.get(current, current)))
        current = report.parents.get(current)
    columns = [period - 1] if 1 <= period <= len(report.periods) else list(range(len(report.periods)))
    kinds = sorted({b.unit.kind for b in branches(report, node)}, key=lambda k: KIND_VI.get(k, k))
    with ctx.store.session() as session:
        documents = plan_documents(session.get(Plan, plan_id))
        has_figures = any(session.scalars(select(Obligation.indicators).where(Obligation.plan_id == plan_id, Obligation.retired.is_(False))))
        groups = request_groups(session, principal, report.day) if principal.role.acts else []
        undated = undated_by_obligation(session, plan_id, principal.scope.unit)
        failed = undeliverable(session, principal.scope.unit, plan_id)
    return page(request, "overview.html.j2", undated=undated, **_failed(principal, failed, plan_id),
                report=report, rows=rows, node=node, trail=trail, columns=columns, kinds=kinds, kind=kind,
                period=period, as_of=report.day, counts=counts, on_time_rate=on_time_rate,
                documents=documents, groups=groups, RELATION_VI=RELATION_VI, has_figures=has_figures,
                flash=read_flash(ctx, f"plan:{plan_id}", thong_bao))


RELATION_VI = {"source": "Căn cứ, thực hiện", "amendment": "Sửa đổi, bổ sung", "replaces": "Thay thế", "replaced_by": "Bị thay thế bởi"}


def plan_documents(plan: Plan | None) -> list[dict]:
    """The documents around a plan, in the order a reader wants them: what replaced it, what
    amended it (latest first: the history of its deadlines), what it replaces, what it draws on."""
    if plan is None:
        return []
    order = {"replaced_by": 0, "amendment": 1, "replaces": 2, "source": 3}
    found = [{"relation": "source", **s} if "relation" not in s else dict(s) for s in plan.sources or []]
    for entry in found:
        for name in ("issued_on", "effective_from"):
            if isinstance(entry.get(name), str):
                entry[name] = dt.date.fromisoformat(entry[name])
    found.sort(key=lambda s: str(s.get("effective_from") or s.get("issued_on") or ""), reverse=True)
    return sorted(found, key=lambda s: order.get(s["relation"], 9))


def request_groups(session, principal: Principal, day: dt.date) -> list[tuple[str, int]]:
    """The groups an acting account may request a report from: every member within its scope."""
    return [(group_id, len(members)) for group_id, members in every_group_members(session, day).items()
            if all(principal.scope.unit(u) for u in members)]


def unit_view(ctx: Context, unit_id: str, instant: dt.datetime, principal: Principal | None, feed: str | None = None) -> dict | None:
    """What a unit's page shows; a principal's scope filters the plans, and only an admin
    sees delivery (the servers' answers and channel URLs). The unit's feed links are shown
    only to an acting account, bound to it, or on the unit's own page (``feed``: the token it
    was opened with). None if there is no such unit."""
    plan_ok = (lambda plan_id: principal.scope.plan(plan_id)) if principal else (lambda plan_id: True)
    with ctx.store.session() as session:
        unit = session.get(Unit, unit_id)
        if unit is None:
            return None
        rows = [r for r in status_rows(session, instant, unit=unit_id, include_not_open=True, sub_units=False) if plan_ok(r.plan_id)]
        ids = [r.occurrence_id for r in rows]
        duties = unit_duties(session, unit_id, local_date(instant), plan_ok)
        history = lineage(session, unit, local_date(instant))
        # A compiling step (an 'after' rule) shows what it waits for: who has handed in theirs.
        compiling = session.scalars(
            select(Occurrence).join(Obligation).where(Occurrence.id.in_(ids), Obligation.rule["type"].as_string() == "after")
        ).all() if ids else []
        waits = {o.id: found for o in compiling if (found := waiting_for(session, o)) is not None}
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
        # The failing notices are few among hundreds of thousands: each state is read through its
        # partial index (the literal state in the query is what lets SQLite use one) and sorted
        # here: with ORDER BY id in the query, SQLite walks the whole table backwards instead.
        mine = or_(Notice.recipient_id == unit_id, Notice.occurrence_id.in_(ids)) if ids else Notice.recipient_id == unit_id
        failing = sorted([
            *session.scalars(select(Notice).where(Notice.state == UNDELIVERABLE, mine, Notice.created_at <= instant).limit(FAILING_READ)),
            *session.scalars(select(Notice).where(Notice.state == PENDING, Notice.attempts > 0, mine, Notice.created_at <= instant)
                             .limit(FAILING_READ)),
        ], key=lambda n: -n.id)[:200]
        acts = principal is not None and principal.role.acts
        today = local_date(instant)
        links = {
            r.occurrence_id: f"{ctx.public_url}/nop/{make_token(ctx.keyring, r.occurrence_id, unit_id, link_expiry(r.effective_due, today))}"
            for r in rows if acts and r.status in (Status.IN_PROGRESS, Status.OVERDUE, Status.NO_DEADLINE)
        }
        if acts and (account := session.get(Account, principal.login)) is not None:
            feed = make_feed_token(ctx.keyring, unit_id, feed_generation(session, unit_id), (account.login, account.created_at))
        session.expunge_all()
    return dict(
        unit=unit, history=history, rows=rows, duties=duties, submissions=submissions, extensions=extensions, notices=notices, failing=failing,
        by_id={r.occurrence_id: r for r in rows},
        waits=waits, escalated={n.occurrence_id for n in notices if n.level > 0 and n.acknowledged_at is None},
        links=links, as_of=local_date(instant), counted=[r for r in rows if r.status is not Status.NOT_OPEN],
        acts=acts, delivery=principal is not None and principal.role.sees_delivery, own=principal is None,
        feed_url=f"{ctx.public_url}/lich/{feed}.ics" if feed else None, own_url=f"{ctx.public_url}/don-vi-cua-toi/{feed}" if feed else None,
    )


@router.get("/don-vi/{unit_id}", response_class=HTMLResponse)
def unit_page(request: Request, unit_id: str, as_of: str | None = None, thong_bao: str | None = None,
              principal: Principal = Depends(signed_in), ctx: Context = Depends(context)):
    check_unit(principal, unit_id)
    view = unit_view(ctx, unit_id, as_of_of(ctx, as_of), principal)
    if view is None:
        return page(request, "message.html.j2", 404, title="Không tìm thấy đơn vị", message=f"Không có đơn vị {unit_id}.")
    return page(request, "unit.html.j2", flash=read_flash(ctx, unit_id, thong_bao), **view)


@router.get("/tep/{submission_id}")
def handed_in_file(submission_id: int, principal: Principal = Depends(signed_in), ctx: Context = Depends(context)):
    with ctx.store.session() as session:
        found = session.get(Submission, submission_id) if 0 < submission_id < 2**62 else None
        if found is None or found.file_path is None:
            return Response("Không có tệp này.\n", status_code=404, media_type="text/plain; charset=utf-8")
        check_unit(principal, found.occurrence.unit_id)
        check_plan(principal, found.occurrence.obligation.plan_id)
        path = (ctx.upload_dir / found.file_path).resolve()
        name = found.file_name or path.name
    if not path.is_file() or ctx.upload_dir.resolve() not in path.parents:
        return Response("Tệp không còn trên máy chủ.\n", status_code=410, media_type="text/plain; charset=utf-8")
    return FileResponse(path, filename=name, content_disposition_type="attachment")


def _own_unit(ctx: Context, token: str) -> str:
    """The unit a feed token opens: signed for the unit's current generation and, if it was
    shown to an account, that very account (not one re-added under its login) still acting
    with the unit in its scope."""
    grant = read_feed_token(ctx.keyring, token, ctx.clock())
    with ctx.store.session() as session:
        if session.get(Unit, grant.unit_id) is None or feed_generation(session, grant.unit_id) != grant.generation:
            raise LinkError("Đường dẫn theo dõi không hợp lệ hoặc đã bị thu hồi.")
        if grant.shown_to is not None:
            account = session.get(Account, grant.shown_to)
            if (account is None or int(account.created_at.timestamp()) != grant.account_since or not Role(account.role).acts
                    or not account_scope(session, account).unit(grant.unit_id)):
                raise LinkError("Đường dẫn theo dõi đã hết hiệu lực: tài khoản được cấp đường dẫn không còn quyền theo dõi đơn vị.")
    return grant.unit_id


@router.get("/don-vi-cua-toi/{token}", response_class=HTMLResponse)
def own_page(request: Request, token: str, ctx: Context = Depends(context)):
    try:
        unit_id = _own_unit(ctx, token)
    except LinkError as exc:
        return page(request, "message.html.j2", 403, title="Không thể mở đường dẫn", message=str(exc))
    return page(request, "unit.html.j2", flash=None, **unit_view(ctx, unit_id, ctx.clock(), None, token))


@router.get("/lich/{token}.ics")
def calendar_feed(token: str, ctx: Context = Depends(context)):
    try:
        unit_id = _own_unit(ctx, token)
    except LinkError:
        return Response("unknown or revoked feed\n", status_code=404, media_type="text/plain")
    now = ctx.clock()
    with ctx.store.session() as session:
        unit = session.get(Unit, unit_id)
        rows = status_rows(session, now, unit=unit_id, include_not_open=True, sub_units=False)
        ids = [r.occurrence_id for r in rows]
        explanations = {oid: steps for oid, steps in session.execute(select(Occurrence.id, Occurrence.explanation).where(Occurrence.id.in_(ids)))}
        text = unit_calendar(unit.name, rows, explanations, now)
    return Response(text, media_type="text/calendar; charset=utf-8", headers={"Content-Disposition": f'inline; filename="{unit_id}.ics"'})
