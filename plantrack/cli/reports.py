"""The progress report command: ``report``."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.table import Table

from ..errors import PlantrackError
from .base import AsOfOption, DbOption, app, as_of_or_now, out


@app.command()
def report(
    plan: Annotated[str, typer.Option(help="Plan id or number; the plans implementing it are rolled up.")],
    as_of: AsOfOption = None,
    output_dir: Annotated[Path, typer.Option("--output-dir", help="Where the .xlsx and .html files go.")] = Path("var/reports"),
    send: Annotated[bool, typer.Option("--send", help="E-mail the report to the plan's head and standing office.")] = False,
    smtp_url: Annotated[Optional[str], typer.Option("--smtp-url", help="SMTP server (default: PLANTRACK_SMTP_URL).")] = None,
    db: DbOption = None,
):
    """A plan's progress report as of a date: an Excel workbook and a printable HTML page."""
    from ..store.database import Store
    from ..tracking import COUNTED
    from ..exports.common import rate_text
    from ..reporting import write_progress_report

    instant = as_of_or_now(as_of)
    written = write_progress_report(Store(db), plan, instant, output_dir)
    r = written.report
    table = Table(title=f"Báo cáo tiến độ {r.plan_number} — số liệu đến hết ngày {r.day:%d/%m/%Y}")
    for column in ["Đơn vị", *[s.vi for s in COUNTED], "Tỷ lệ đúng hạn"]:
        table.add_column(column, justify="left" if column == "Đơn vị" else "right")
    table.add_row(f"Tổng cộng ({len(r.units)} đơn vị)", *[str(r.counts[s]) for s in COUNTED], rate_text(r.rate))
    for unit in r.lagging[:15]:
        table.add_row(unit.name, *[str(unit.counts[s]) for s in COUNTED], rate_text(unit.rate))
    out.print(table)
    if r.implementers:
        have = [name for _, name, plans in r.implementers if plans]
        out.print(f"Kế hoạch triển khai đã có trong hệ thống: {len(have)}/{len(r.implementers)} ({', '.join(have) or '—'})")
    for path in written.files:
        out.print(f"Đã ghi: {path}", highlight=False)
    if send:
        from notifications.channels import PooledSmtpSender, smtp_url as configured_smtp
        from notifications.report_mail import send_report

        url = configured_smtp(smtp_url)
        if url is None:
            raise PlantrackError("--send needs an SMTP server: --smtp-url or PLANTRACK_SMTP_URL")
        from ..settings import DeliverySettings

        sender = PooledSmtpSender(url, DeliverySettings.from_environment())
        try:
            answer = send_report(sender, r, written.recipients, written.files, dt.datetime.now(dt.timezone.utc))
        except Exception as exc:  # DeliveryError: nothing is lost, the files are written; say so
            raise PlantrackError(f"the report was written but not sent: {exc}") from None
        finally:
            sender.close()
        out.print(f"Đã gửi tới {', '.join(x.name for x in written.recipients)}: {answer}", highlight=False)


@app.command()
def figures(
    plan: Annotated[str, typer.Option(help="Plan id or number; the plans implementing it are added up with it.")],
    obligation: Annotated[str, typer.Option(help="The obligation whose report carries the indicators.")],
    period: Annotated[str, typer.Option(help="Its period key, e.g. 2021-H1.")],
    unit: Annotated[Optional[str], typer.Option(help="Only the units under this one in the unit tree.")] = None,
    db: DbOption = None,
):
    """The figures units reported for one period, added up, with who has and has not reported."""
    from ..store.database import Store
    from ..figures import compile_figures, format_value

    store = Store(db)
    with store.session() as session:
        found = compile_figures(session, plan, obligation, period, unit)
    table = Table(title=f"{found.obligation_title} — {found.period_label}" + (f" — {unit}" if unit else ""))
    for column in ("Chỉ tiêu", "Tổng hợp", "Số đơn vị báo cáo", "Chưa báo cáo"):
        table.add_column(column, justify="right" if column in ("Tổng hợp", "Số đơn vị báo cáo") else "left")
    for total in found.totals:
        missing = ", ".join(found.names.get(u, u) for u in total.missing[:8])
        missing += f" và {len(total.missing) - 8} đơn vị khác" if len(total.missing) > 8 else ""
        table.add_row(total.indicator["name"], format_value(total.indicator, total.value), total.coverage, missing or "—")
    out.print(table)
    if not any(total.reported for total in found.totals):
        out.print("Chưa có đơn vị nào báo cáo số liệu của kỳ này.")


@app.command()
def targets(
    plan: Annotated[str, typer.Option(help="Plan id or number.")],
    as_of: AsOfOption = None,
    by_unit: Annotated[bool, typer.Option("--by-unit", help="Also each responsible unit's figure and standing.")] = False,
    db: DbOption = None,
):
    """Where the plan's targets stand: what was reported against the path from baseline to target."""
    from ..store.database import Store
    from ..figures import format_value
    from ..calendar import local_date
    from ..targets import target_progress

    instant = as_of_or_now(as_of)
    with Store(db).session() as session:
        found = target_progress(session, plan, instant)
    if not found:
        out.print("Kế hoạch không có mục tiêu định lượng.")
        return
    table = Table(title=f"Tiến độ các mục tiêu — đến hết ngày {local_date(instant):%d/%m/%Y}")
    for column in ("Mục tiêu", "Đạt được", "Cách tổng hợp", "Theo lộ trình", "Mục tiêu", "Đánh giá", "Số đơn vị báo cáo"):
        table.add_column(column, justify="left" if column in ("Mục tiêu", "Cách tổng hợp", "Đánh giá") else "right")
    for progress in found:
        shown = dict(progress.indicator, aggregate="sum")  # a value, not "có/không"
        goal = (f"{format_value(shown, float(progress.target['value']))} (đến {progress.by:%d/%m/%Y})" if progress.judged
                else f"mốc: {progress.baseline_text}")
        table.add_row(progress.target["name"], format_value(shown, progress.value), progress.how or "—",
                      format_value(shown, progress.expected), goal, progress.standing.vi, progress.coverage)
    out.print(table)
    if by_unit:
        units = Table(title="Theo đơn vị")
        for column in ("Mục tiêu", "Đơn vị", "Đạt được", "Đánh giá"):
            units.add_column(column, justify="right" if column == "Đạt được" else "left")
        for progress in found:
            shown = dict(progress.indicator, aggregate="sum")
            for unit in progress.units:
                units.add_row(progress.target["name"], unit.name, format_value(shown, unit.value), unit.standing.vi)
        out.print(units)
