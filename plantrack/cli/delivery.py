"""Commands that watch, send and replay: ``watch``, ``dispatch``, ``retry``, ``replay``,
``acknowledge``, ``notices``."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.table import Table

from ..errors import PlantrackError
from .base import (
    STAGE_VI,
    AsOfOption,
    DbOption,
    ObligationOption,
    OccurrenceOption,
    PeriodOption,
    PlanOption,
    SmtpOption,
    UnitOption,
    app,
    as_of_or_now,
    err,
    fmt_day,
    out,
    parse_instant,
    print_summary,
    watch_line,
)


def Store(url: str | None = None, **kwargs):  # noqa: N802  (named as the class: a test puts a slow store in its place)
    """The store (``store.database.Store``), imported when a command opens it."""
    from ..store.database import Store as Opened

    return Opened(url, **kwargs)


@app.command("watch")
def watch_command(as_of: AsOfOption = None, db: DbOption = None):
    """The morning deadline watch: write today's reminders and escalations to the outbox."""
    from ..calendar import local_date
    from ..watch import watch

    instant = as_of_or_now(as_of)
    store = Store(db)
    with store.transaction() as session:
        report = watch(session, instant)
    store.tidy()  # once a morning: the planner's statistics follow the day's notices (PostgreSQL)
    out.print(f"{local_date(instant):%d/%m/%Y}: {watch_line(report)}", highlight=False)
    if report.unreachable:
        out.print(f"[yellow]Không có địa chỉ nhận:[/] {', '.join(sorted(report.unreachable))}")


def _channels(smtp_url: str | None):
    """The real channels, set up from the environment (``settings.DeliverySettings``)."""
    from notifications.channels import AppriseUrlChannel, Channels, email_sender

    from ..settings import DeliverySettings

    settings = DeliverySettings.from_environment()
    sender = email_sender(smtp_url, settings=settings)
    if sender is None:
        raise PlantrackError("no SMTP server: pass --smtp-url or set PLANTRACK_SMTP_URL (an apprise mailto:// URL)")
    return Channels(sender, AppriseUrlChannel(settings))


def _local(instant: dt.datetime | None) -> str:
    from ..calendar import TIMEZONE

    return instant.astimezone(TIMEZONE).strftime("%H:%M %d/%m/%Y") if instant else "—"


def print_dispatch(report) -> None:
    """What a dispatch did, in notices (a digest carries several), and what still waits."""
    out.print(
        f"Đã gửi {report.messages_sent} thư ({report.notices_sent} thông báo); "
        f"lỗi tạm thời {report.messages_failed} thư ({report.notices_failed} thông báo, sẽ gửi lại"
        + (f", lần tới {_local(report.next_retry_at)}" if report.next_retry_at else "") + "); "
        f"không gửi được {report.messages_undeliverable} thư ({report.notices_undeliverable} thông báo); "
        f"hủy {report.notices_cancelled} thông báo đã lỗi thời.",
        highlight=False,
    )
    if report.waiting:
        out.print(
            f"Còn {report.waiting} thông báo chờ gửi; sớm nhất lúc {_local(report.next_due_at)} "
            "(gửi ngay: plantrack retry).", highlight=False,
        )
    if report.alert:
        err.print("  cảnh báo qua PLANTRACK_ALERT_URL: " + ("đã gửi" if report.alert == "posted" else report.alert),
                  style="yellow", highlight=False, markup=False)
    if report.stopped:
        err.print("  dừng gửi: không kết nối được máy chủ thư nhiều lần liên tiếp, các thư còn lại chờ lần sau ("
                  + report.stopped + ")", style="red", highlight=False, markup=False)
    for line in report.undeliverable[:20]:
        err.print("  không gửi được: " + line, style="red", highlight=False, markup=False)
    for line in report.errors[:20]:
        err.print("  sẽ gửi lại: " + line, style="yellow", highlight=False, markup=False)
    for line in report.refused[:20]:
        err.print("  địa chỉ bị từ chối: " + line, style="yellow", highlight=False, markup=False)


@app.command("dispatch")
def dispatch_command(
    smtp_url: SmtpOption = None,
    as_of: AsOfOption = None,
    threads: Annotated[int, typer.Option("--threads", min=1, max=16, help="Messages sent at once (one connection each).")] = 4,
    db: DbOption = None,
):
    """Send the pending notices of the outbox that are due (failed sends wait and are retried;
    refused ones become undeliverable). Exit code 1 when any send failed or was given up,
    even if others went; 0 when every message went."""

    from notifications.dispatch import run_clock, wall_clock

    instant = as_of_or_now(as_of)
    clock = run_clock(instant) if as_of else wall_clock  # started now: sends are stamped when accepted
    channels = _channels(smtp_url)
    try:
        _send_due(Store(db), instant, channels, threads, clock)
    finally:
        channels.close()


def _send_due(store: Store, instant: dt.datetime, channels, threads: int = 4, clock=None) -> None:
    """Dispatch what is due by ``instant``, stamping sends with ``clock`` (the real time when
    None); say what happened; exit 1 unless every send went (``healthy``)."""
    from notifications.dispatch import dispatch, submission_links, wall_clock

    from notifications.alerts import AlertChannel

    report = dispatch(store, instant, channels, link_for=submission_links(), threads=threads, clock=clock or wall_clock,
                      alert=AlertChannel.from_environment())
    print_dispatch(report)
    if not report.healthy:
        raise typer.Exit(1)


@app.command()
def retry(
    unit: UnitOption = None,
    plan: PlanOption = None,
    undeliverable: Annotated[
        bool, typer.Option("--undeliverable/--pending-only", help="Release undeliverable notices too (default), or only pending ones.")
    ] = True,
    send: Annotated[bool, typer.Option("--send/--no-send", help="Dispatch at once after releasing.")] = True,
    smtp_url: SmtpOption = None,
    db: DbOption = None,
):
    """Try again now: make pending (and undeliverable) notices due at once, then dispatch.

    No recorded time changes: the notices keep when they were written, and a send records
    the real time it happened."""
    from ..tracking import resolve_plan
    from ..outbox import release
    from ..states import NoticeState

    now = dt.datetime.now(dt.timezone.utc)
    states = (NoticeState.PENDING, NoticeState.UNDELIVERABLE) if undeliverable else (NoticeState.PENDING,)
    channels = _channels(smtp_url) if send else None  # before releasing: a bad SMTP setup changes nothing
    store = Store(db)
    try:
        with store.transaction() as session:
            plan_id = resolve_plan(session, plan).id if plan else None
            released = release(session, now, unit, plan_id, states)
        out.print(f"Đã đưa {released} thông báo về hàng chờ để gửi ngay.", highlight=False)
        if channels is not None:
            _send_due(store, now, channels)
    finally:
        if channels is not None:
            channels.close()


@app.command()
def replay(
    start: Annotated[str, typer.Option("--from", help="First day (YYYY-MM-DD or DD/MM/YYYY).")],
    end: Annotated[str, typer.Option("--to", help="Last day.")],
    scenario_files: Annotated[
        Optional[list[Path]], typer.Option("--scenario", help="Who submits when (events and habits); may be repeated.")
    ] = None,
    smtp_url: Annotated[
        Optional[str], typer.Option("--smtp-url", help="Send to this SMTP server; default: a local sink started for the replay.")
    ] = None,
    mbox: Annotated[Optional[Path], typer.Option("--mbox", help="Also keep every message the local sink receives in this mbox file.")] = None,
    plan: Annotated[Optional[list[str]], typer.Option("--plan", help="Plans whose final statuses to show (default: every top plan).")] = None,
    simulate: Annotated[
        bool, typer.Option("--simulate", help="Compose and send nothing: record each notice as delivered, marked simulated (fast what-if runs).")
    ] = False,
    db: DbOption = None,
):
    """Run the watch and dispatch every working day of a date range with a simulated clock.

    Without --smtp-url the mail goes to a local SMTP sink started for the run (never to the
    real addresses in the registry, whatever PLANTRACK_SMTP_URL says). A replay never posts
    to the units' chat or webhook URLs: those deliveries are recorded as simulated.
    """
    from sqlalchemy import select

    from ..calendar import end_of_local_day, parse_date, weekday_vi
    from ..store.models import Plan
    from ..tracking import status_rows

    import time

    from notifications.channels import Channels, StubChannel, email_sender
    from notifications.dispatch import PUBLIC_URL_VARIABLE, dispatch, submission_links
    from notifications.sink import SmtpSink

    from ..settings import DeliverySettings
    from ..replay import replay as run_replay
    from ..scenario import load_scenario, merge_scenarios

    first, last = parse_date(start, "--from"), parse_date(end, "--to")
    loaded = merge_scenarios([load_scenario(path) for path in scenario_files]) if scenario_files else None
    store = Store(db, durable=False)  # a replay writes a history it can write again: no fsync
    if simulate and (smtp_url or mbox):
        raise PlantrackError("--simulate sends nothing: leave out --smtp-url and --mbox")
    sink = None
    if smtp_url is None and not simulate:
        if mbox is not None and mbox.exists():
            mbox.unlink()
        sink = SmtpSink(mbox=mbox, keep=False).start()
        smtp_url = sink.url()
    # A replay never posts to the units' own channels: those are recorded as simulated.
    channels = Channels.stub() if simulate else Channels(
        email_sender(smtp_url, settings=DeliverySettings.from_environment()), StubChannel()
    )
    where = (
        ", simulated delivery (nothing sent)" if simulate
        else f", local SMTP sink on 127.0.0.1:{sink.port}" if sink else ", SMTP server given by --smtp-url"
    )
    out.print(
        f"Replay {first:%d/%m/%Y} → {last:%d/%m/%Y}" + (f", scenario {loaded.scenario.title!r}" if loaded else "") + where,
        highlight=False,
    )

    # Reminders link to the local dashboard (`make dashboard`) unless PLANTRACK_PUBLIC_URL says otherwise.
    links = None if simulate else submission_links(os.environ.get(PUBLIC_URL_VARIABLE) or "http://127.0.0.1:8000")

    def deliver(as_of: dt.datetime, directory) -> dict:
        # The replay's clock is the simulated one: a send is stamped at the morning it replays.
        return dispatch(store, as_of, channels, link_for=links, directory=directory, clock=lambda: as_of,
                        record_each=False).summary()

    def on_day(day) -> None:
        if day.quiet:
            return
        sent = (day.dispatched or {}).get("messages_sent", 0)
        failed = (day.dispatched or {}).get("messages_failed", 0)
        handed = day.habit_submissions + day.explicit.submissions
        extra = f", gia hạn {day.explicit.extensions}" if day.explicit.extensions else ""
        out.print(
            f"{weekday_vi(day.day)[:7]:<7} {day.day:%d/%m/%Y}  {watch_line(day.watch)} | thư {sent}"
            + (f" (lỗi {failed})" if failed else "") + f" | nộp {handed}{extra}",
            highlight=False,
        )

    started = time.perf_counter()
    try:
        report = run_replay(store, first, last, loaded, deliver, on_day=on_day)
    finally:
        channels.close()
        if sink:
            sink.stop()
    elapsed = time.perf_counter() - started
    out.print()
    totals = Table(title=f"Tổng hợp replay {first:%d/%m/%Y} → {last:%d/%m/%Y} ({report.days_watched} ngày làm việc, {elapsed:.1f} s)")
    totals.add_column("Chỉ số")
    totals.add_column("Số lượng", justify="right")
    for stage, count in sorted(report.notices_by_stage.items()):
        totals.add_row(f"Thông báo: {STAGE_VI.get(stage, stage)}", str(count))
    totals.add_row("Thông báo đã tạo", str(report.notices_created))
    totals.add_row("Thư đã gửi" + (" (mô phỏng)" if simulate else ""), str(report.dispatched["messages_sent"]))
    totals.add_row("Thông báo đã gửi", str(report.dispatched["notices_sent"]))
    totals.add_row("Thư lỗi (gửi lại sau)", str(report.dispatched["messages_failed"]))
    totals.add_row("Thông báo hủy (đã nộp/gia hạn)", str(report.dispatched["notices_cancelled"]))
    totals.add_row("Báo cáo đã nộp", str(report.submissions))
    totals.add_row("Gia hạn", str(report.extensions))
    if sink:
        totals.add_row("Thư hộp thử (SMTP sink) nhận", str(sink.count))
    out.print(totals)
    as_of = end_of_local_day(last)
    with store.session() as session:
        roots = plan or list(session.scalars(select(Plan.id).where(Plan.parent_id.is_(None), Plan.retired.is_(False)).order_by(Plan.id)))
        for root in roots:
            rows = status_rows(session, as_of, root)
            print_summary(rows, False, f"đến hết ngày {last:%d/%m/%Y} ({root} và các kế hoạch triển khai)")


@app.command()
def acknowledge(
    occurrence: OccurrenceOption = None,
    plan: PlanOption = None,
    obligation: ObligationOption = None,
    unit: UnitOption = None,
    period: PeriodOption = None,
    by: Annotated[str, typer.Option("--by", help="Who takes the escalation up.")] = "",
    at: Annotated[Optional[str], typer.Option("--at", help="When (default now).")] = None,
    db: DbOption = None,
):
    """Acknowledge an escalation: no further escalation of this occurrence for its deadline."""
    from ..tracking import find_occurrence
    from ..watch import acknowledge_escalation

    instant = parse_instant(at, "--at", date_means_end_of_day=False)
    store = Store(db)
    with store.transaction() as session:
        found = find_occurrence(session, occurrence, plan, obligation, unit, period)
        marked = acknowledge_escalation(session, found, by, instant)
    out.print(f"Đã ghi nhận: {marked} thông báo báo cáo lên cấp trên của nghĩa vụ #{found.id} ({found.unit_id}).")


@app.command()
def notices(
    unit: UnitOption = None,
    occurrence: OccurrenceOption = None,
    state: Annotated[Optional[str], typer.Option("--state", help="pending, sent, cancelled or undeliverable.")] = None,
    limit: Annotated[int, typer.Option("--limit")] = 50,
    db: DbOption = None,
):
    """The proof-of-notice log: every notice, when it was sent, to whom, and the server's answer."""
    from sqlalchemy import select

    from ..calendar import TIMEZONE
    from ..store.models import Occurrence
    from ..store.models import Notice

    store = Store(db)
    with store.session() as session:
        query = select(Notice).order_by(Notice.planned_on.desc(), Notice.id.desc()).limit(limit)
        if unit:
            query = query.where((Notice.recipient_id == unit) | Notice.occurrence.has(Occurrence.unit_id == unit))
        if occurrence:
            query = query.where(Notice.occurrence_id == occurrence)
        if state:
            from ..states import NoticeState

            if state not in set(NoticeState):
                raise PlantrackError(f"--state: {state!r} is not one of {', '.join(NoticeState)}")
            query = query.where(Notice.state == state)
        rows = session.scalars(query).all()
        table = Table(title="Nhật ký thông báo (bằng chứng đã nhắc)")
        for header in ("#", "Nghĩa vụ", "Đơn vị", "Bậc", "Hạn", "Ngày", "Gửi tới", "Trạng thái", "Lúc gửi", "Địa chỉ / kết quả"):
            table.add_column(header, overflow="fold")
        for notice in rows:
            sent = notice.sent_at.astimezone(TIMEZONE).strftime("%d/%m/%Y %H:%M") if notice.sent_at else ""
            table.add_row(
                str(notice.id), str(notice.occurrence_id), notice.occurrence.unit_id, notice.stage, fmt_day(notice.deadline),
                fmt_day(notice.planned_on), f"{notice.recipient_id} [{notice.channel}]", notice.state, sent,
                f"{notice.address or ''} {notice.result or ''}".strip(),
            )
    out.print(table)
