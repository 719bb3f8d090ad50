"""What a plan's reports say, for a coordinator: ``/ke-hoach/{plan}/so-lieu``.

One report (an obligation whose report carries indicators) and one period at a time: the totals
with their coverage and who has not reported, then for one indicator the units compared and
its total period by period, as SVG charts drawn on the server (``web.charts``). ``mo`` limits it
to a branch of the unit tree, as on the overview. The account's scope applies to plan and unit.
``/ke-hoach/{plan}/so-lieu.csv`` is the same period unit by unit, with the totals and their
coverage, for a spreadsheet.
"""

from __future__ import annotations

import csv
import io

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy import func, select

from ...calendar import local_date
from ...errors import PlantrackError
from ...figures import compile_figures, compile_periods, format_value, touched_periods
from ...store.models import Obligation, Occurrence, Plan, Unit
from ...targets import target_progress
from ..charts import trend_chart, units_chart
from ..deps import Context, Principal, check_plan, context, page, signed_in

router = APIRouter()
MAX_PERIODS = 24  # periods drawn in a trend


@router.get("/ke-hoach/{plan_id}/so-lieu", response_class=HTMLResponse)
def figures_page(request: Request, plan_id: str, bao_cao: str | None = None, ky: str | None = None, chi_tieu: str | None = None,
                 mo: str | None = None, principal: Principal = Depends(signed_in), ctx: Context = Depends(context)):
    check_plan(principal, plan_id)
    today = local_date(ctx.clock())
    with ctx.store.session() as session:
        chosen_report = _choose(session, principal, plan_id, bao_cao, ky, mo, today)
        if len(chosen_report) == 2:
            return page(request, "message.html.j2", 404, title=chosen_report[0], message=chosen_report[1])
        plan, reports, report, periods, period, node = chosen_report
        shown = tuple((key, label) for key, label, _ in ([p for p in periods if p[2] <= today][-MAX_PERIODS:] or periods[:1]))

        def compute():
            found = compile_figures(session, plan_id, report.key, period, node)
            indicators = [t.indicator for t in found.totals]
            chosen = next((i for i in indicators if i["id"] == chi_tieu), None) or next(
                (i for i in indicators if i.get("kind") != "text"), indicators[0])
            by_period = compile_periods(session, plan_id, report.key, [key for key, _ in shown], node, only=[chosen["id"]])
            trend = [(label, _total(by_period[key], chosen)) if key in by_period else (label, None) for key, label in shown]
            return found, chosen, trend

        def update(value, after_id: int, upto_id: int):
            """After hand-ins: the periods they were for, counted again; the others stand."""
            found, chosen, trend = value
            touched = touched_periods(session, plan_id, report.key, after_id, upto_id)
            if period in touched:
                found = compile_figures(session, plan_id, report.key, period, node)
            again = [key for key, _ in shown if key in touched]
            if again:
                by_period = compile_periods(session, plan_id, report.key, again, node, only=[chosen["id"]])
                trend = [(label, _total(by_period[key], chosen)) if key in by_period else point
                         for (key, label), point in zip(shown, trend)]
            return found, chosen, trend

        try:  # figures change with hand-ins and syncs only: reused while the store has not moved, updated after hand-ins
            found, chosen, trend = ctx.counts.get(session, ("figures", plan_id, report.key, period, node, chi_tieu, shown), ctx.clock(),
                                                  compute, update)
        except PlantrackError as exc:
            return page(request, "message.html.j2", 404, title="Không có số liệu", message=str(exc))
        targets = [t for t in target_progress(session, plan_id, ctx.clock()) if t.target.get("obligation") == report.key]
    total = next(t for t in found.totals if t.indicator["id"] == chosen["id"])
    formatter = lambda value: format_value(dict(chosen, aggregate="sum"), value)  # noqa: E731
    values = [(found.names.get(u, u), _number(found, u, chosen)) for u in total.reported]
    values = [(name, value) for name, value in values if value is not None]
    charts = {}
    if chosen.get("kind") != "text":
        if values:
            charts["units"] = units_chart(f"{chosen['name']} — theo đơn vị", values[:40], formatter)
        if any(v is not None for _, v in trend):
            charts["trend"] = trend_chart(f"{chosen['name']} — theo kỳ", trend, formatter)
    return page(request, "figures.html.j2", plan=plan, reports=reports, report=report, periods=periods, period=period, found=found,
                chosen=chosen, charts=charts, node=node, targets=targets, format_value=format_value)


def _choose(session, principal: Principal, plan_id: str, bao_cao: str | None, ky: str | None, mo: str | None, today):
    """The plan, its reports with indicators, the one asked (or the first), its periods, the
    period asked (or the latest due) and the branch; or (title, message) when there is none."""
    plan = session.get(Plan, plan_id)
    if plan is None or plan.retired:
        return "Không tìm thấy kế hoạch", f"Không có kế hoạch {plan_id}."
    reports = [o for o in session.scalars(select(Obligation).where(Obligation.plan_id == plan_id, Obligation.retired.is_(False))
                                           .order_by(Obligation.section, Obligation.key)) if o.indicators]
    if not reports:
        return "Không có số liệu", "Báo cáo của kế hoạch này không có chỉ tiêu số liệu."
    report = next((o for o in reports if o.key == bao_cao), reports[0])
    periods = session.execute(
        select(Occurrence.period_key, func.min(Occurrence.period_label), func.min(Occurrence.current_due_date))
        .where(Occurrence.obligation_id == report.id, Occurrence.retired.is_(False))
        .group_by(Occurrence.period_key).order_by(func.min(Occurrence.current_due_date))
    ).all()
    due = [p for p in periods if p[2] <= today] or periods[:1]
    period = ky if ky in {p[0] for p in periods} else due[-1][0]
    node = mo if mo and principal.scope.unit(mo) else None
    if node is None and principal.scope.units is not None:  # an account of a subtree sees its subtree
        parents = dict(session.execute(select(Unit.id, Unit.parent_id).where(Unit.id.in_(principal.scope.units))).all())
        node = next((u for u, parent in sorted(parents.items()) if parent not in principal.scope.units), None)
    return plan, reports, report, periods, period, node


@router.get("/ke-hoach/{plan_id}/so-lieu.csv")
def figures_csv(plan_id: str, bao_cao: str | None = None, ky: str | None = None, mo: str | None = None,
                principal: Principal = Depends(signed_in), ctx: Context = Depends(context)):
    """The period's figures unit by unit, and the totals with their coverage, for a spreadsheet
    (UTF-8 with a byte-order mark, which Excel reads as such)."""
    check_plan(principal, plan_id)
    with ctx.store.session() as session:
        chosen = _choose(session, principal, plan_id, bao_cao, ky, mo, local_date(ctx.clock()))
        if len(chosen) == 2:
            return Response(f"{chosen[1]}\n", status_code=404, media_type="text/plain; charset=utf-8")
        plan, _, report, _, period, node = chosen
        found = compile_figures(session, plan_id, report.key, period, node)
    indicators = [t.indicator for t in found.totals]
    stream = io.StringIO()
    writer = csv.writer(stream)
    writer.writerow(["Mã đơn vị", "Đơn vị", *(f"{i['name']} ({i['unit_of_measure']})" if i.get("unit_of_measure") else i["name"]
                                                for i in indicators)])
    for unit_id, values in found.by_unit.items():
        writer.writerow([_cell(unit_id), _cell(found.names.get(unit_id, unit_id)), *(_cell(values.get(i["id"])) for i in indicators)])
    writer.writerow(["", "Tổng hợp", *(_cell(t.value) for t in found.totals)])
    writer.writerow(["", "Số đơn vị báo cáo", *(t.coverage for t in found.totals)])
    name = f"so-lieu-{plan_id}-{report.key}-{period}.csv"
    return Response("\ufeff" + stream.getvalue(), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


def _cell(value) -> str:
    """A value for a spreadsheet: a number as it is, a text never read as a formula."""
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:g}" if value == int(value) else repr(value)
    text = str(value)
    return "'" + text if text.startswith(("=", "+", "-", "@", "\t", "\r")) else text


def _total(found, indicator: dict) -> float | None:
    return next((t.value for t in found.totals if t.indicator["id"] == indicator["id"]), None)


def _number(found, unit_id: str, indicator: dict) -> float | None:
    """A unit's value of ``indicator`` as the total counts it (a ratio from its parts)."""
    values = found.by_unit.get(unit_id, {})
    if indicator.get("aggregate") == "ratio":
        top, bottom = indicator["ratio_of"]
        return 100 * values[top] / values[bottom] if isinstance(values.get(top), float) and values.get(bottom) else None
    value = values.get(indicator["id"])
    return value if isinstance(value, float) else None
