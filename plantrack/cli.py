"""The ``plantrack`` command. This is an entry point: it may read the clock, nothing below it does."""

from __future__ import annotations

import datetime as dt
import functools
import os
import sys
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.console import Console
from sqlalchemy import select
from rich.table import Table

from .calendar import TIMEZONE, end_of_local_day, local_date, parse_date, read_as_of, read_instant, weekday_vi
from .errors import DefinitionError, PlantrackError
from .ics import unit_calendar
from .loader import load_catalogue
from .store.database import Store, database_url
from .store.models import Occurrence, Plan, Unit
from .store.sync import occurrence_summary, sync_catalogue
from .tracking import (
    COUNTED,
    Status,
    count_statuses,
    find_occurrence,
    grant_extension,
    on_time_rate,
    record_submission,
    request_adhoc,
    resolve_plan,
    resolve_unit,
    status_rows,
)

app = typer.Typer(
    help="Track the execution of government plans: deadlines, statuses and submissions per unit.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
# Piped output (CI logs, files) gets a wide table instead of rich's 80-column default.
out = Console(width=None if sys.stdout.isatty() else 170)
err = Console(stderr=True, width=None if sys.stderr.isatty() else 170)

DEFAULT_DEFINITIONS = Path("plan_definitions")
STATUS_STYLE = {
    Status.ON_TIME: "green",
    Status.LATE: "yellow",
    Status.IN_PROGRESS: "cyan",
    Status.OVERDUE: "bold red",
    Status.NOT_OPEN: "dim",
}

DbOption = Annotated[Optional[str], typer.Option("--db", help="Database URL (default: $PLANTRACK_DATABASE_URL or sqlite:///var/plantrack.db).")]
AsOfOption = Annotated[
    Optional[str], typer.Option("--as-of", help="Date (YYYY-MM-DD or DD/MM/YYYY: end of that day, Viet Nam time) or ISO instant; default now.")
]
LangOption = Annotated[str, typer.Option("--lang", help="vi or en.")]


def _fail(message: str) -> None:
    err.print(f"[bold red]error:[/] {message}", highlight=False)
    raise typer.Exit(2)


def handles_errors(command):
    """Turn expected errors into a clear message and exit code 2; nothing was committed."""

    @functools.wraps(command)
    def wrapper(*args, **kwargs):
        try:
            return command(*args, **kwargs)
        except DefinitionError as exc:
            err.print(f"[bold red]error:[/] {len(exc.problems)} problem(s); nothing was loaded:", highlight=False)
            for problem in exc.problems:
                err.print(f"  {problem}", highlight=False, markup=False)
            raise typer.Exit(2) from None
        except PlantrackError as exc:
            _fail(str(exc))

    return wrapper


# --- parsing dates -----------------------------------------------------------------------



def as_of_or_now(text: str | None) -> dt.datetime:
    """``--as-of`` as every command reads it (``calendar.read_as_of``); absent, now."""
    return read_as_of(text) or dt.datetime.now(dt.timezone.utc)


def parse_instant(text: str | None, what: str, *, date_means_end_of_day: bool) -> dt.datetime:
    """``text`` read as an instant; ``None`` means now (the command line is an entry point)."""
    if text is None:
        return dt.datetime.now(dt.timezone.utc)
    return read_instant(text, what, date_means_end_of_day=date_means_end_of_day)


def _fmt(day: dt.date | None) -> str:
    return f"{day:%d/%m/%Y}" if day else ""


# --- definitions -------------------------------------------------------------------------


@app.command()
@handles_errors
def validate(paths: Annotated[Optional[list[Path]], typer.Argument(help="Files or folders (default: plan_definitions).")] = None):
    """Check plan definition files; print every problem with file, line and field."""
    catalogue = load_catalogue(*(paths or [DEFAULT_DEFINITIONS]))
    out.print(
        f"[green]OK[/]: {len(catalogue.files)} files, {len(catalogue.units)} units, {len(catalogue.plans)} plans, "
        f"{sum(len(p.duties) for p in catalogue.plans.values())} duties, "
        f"{sum(len(p.obligations) for p in catalogue.plans.values())} obligations."
    )


@app.command()
@handles_errors
def sync(
    paths: Annotated[Optional[list[Path]], typer.Argument(help="Files or folders (default: plan_definitions).")] = None,
    db: DbOption = None,
):
    """Load plan definitions into the store: adds, changes and retires rows; idempotent."""
    catalogue = load_catalogue(*(paths or [DEFAULT_DEFINITIONS]))
    store = Store(db)
    with store.transaction() as session:
        report = sync_catalogue(session, catalogue, Path.cwd())
    if report.is_empty:
        out.print(f"Store {database_url(db)} is up to date: nothing changed.")
        return
    table = Table(title=f"Sync into {database_url(db)}")
    for column in ("kind", "added", "changed", "retired"):
        table.add_column(column, justify="right" if column != "kind" else "left")
    for kind, added, changed, retired in report.summary():
        table.add_row(kind, str(added), str(changed), str(retired))
    out.print(table)
    for action in ("added", "changed", "retired"):
        for kind in ("unit", "plan", "duty", "obligation"):
            items = getattr(report, action).get(kind, [])
            if items and (action != "added" or len(items) <= 20):
                out.print(f"  {action} {kind}: {', '.join(items)}", highlight=False)
        for label, count in occurrence_summary(report, action):
            out.print(f"  {action} {count} occurrence(s) of {label}", highlight=False)


# --- status ------------------------------------------------------------------------------


@app.command()
@handles_errors
def status(
    plan: Annotated[Optional[str], typer.Option(help="Plan id or number; includes the plans that implement it.")] = None,
    unit: Annotated[Optional[str], typer.Option(help="Unit id; includes its sub-units.")] = None,
    obligation: Annotated[Optional[str], typer.Option(help="Only this obligation id.")] = None,
    as_of: AsOfOption = None,
    show_all: Annotated[bool, typer.Option("--all", help="Also list occurrences whose period has not opened.")] = False,
    summary_only: Annotated[bool, typer.Option("--summary", help="Only the counts.")] = False,
    lang: LangOption = "vi",
    db: DbOption = None,
):
    """Where each unit stands, as of a date: done on time, done late, in progress, overdue."""
    instant = as_of_or_now(as_of)
    store = Store(db)
    with store.session() as session:
        rows = status_rows(session, instant, plan, unit, include_not_open=show_all)
    if obligation:
        rows = [r for r in rows if r.obligation_key == obligation]
    english = lang == "en"
    day = local_date(instant)
    title = f"{'Status as of' if english else 'Tình hình thực hiện đến hết ngày'} {day:%d/%m/%Y}"
    if not rows:
        out.print(f"{title}: {'nothing to show' if english else 'không có nghĩa vụ nào'}.")
        return
    if not summary_only:
        table = Table(title=title, show_lines=False)
        headers = (
            ["#", "Document", "Obligation", "Unit", "Period", "Deadline", "Submitted", "Status"]
            if english
            else ["#", "Văn bản", "Nghĩa vụ", "Đơn vị", "Kỳ", "Hạn", "Ngày nộp", "Trạng thái"]
        )
        for index, header in enumerate(headers):
            # Dates and statuses never wrap; long names fold instead.
            table.add_column(header, overflow="fold", no_wrap=index in (0, 5, 6, 7))
        for row in rows:
            deadline = _fmt(row.effective_due)
            if row.extended:
                deadline += f" ({'ext. from' if english else 'gia hạn từ'} {_fmt(row.due_date)})"
            submitted = _fmt(local_date(row.submitted_at)) if row.submitted_at else ""
            label = row.status.en if english else row.status.vi
            table.add_row(
                str(row.occurrence_id), row.plan_number, row.obligation_key, row.unit_name, row.period_key,
                deadline, submitted, f"[{STATUS_STYLE[row.status]}]{label}[/]",
            )
        out.print(table)
    _print_summary(rows, english, title)


def _print_summary(rows, english: bool, title: str) -> None:
    groups: dict[tuple[str, str], list] = {}
    for row in rows:
        groups.setdefault((row.plan_number, row.obligation_title), []).append(row)
    table = Table(title=f"{'Summary' if english else 'Tổng hợp'} — {title}")
    table.add_column("Document" if english else "Văn bản")
    table.add_column("Obligation" if english else "Nghĩa vụ", overflow="fold")
    for status_ in COUNTED:
        table.add_column(status_.en if english else status_.vi, justify="right", style=STATUS_STYLE[status_])
    table.add_column("On-time rate" if english else "Tỷ lệ đúng hạn", justify="right")
    for (number, title), members in groups.items():
        counts = count_statuses(members)
        rate = on_time_rate(counts)
        table.add_row(number, title, *(str(counts[s]) for s in COUNTED), f"{rate:.0%}" if rate is not None else "—")
    out.print(table)


# --- events ------------------------------------------------------------------------------

OccurrenceOption = Annotated[Optional[int], typer.Option("--occurrence", "-o", help="Occurrence id (from `status`).")]
PlanOption = Annotated[Optional[str], typer.Option("--plan", help="Plan id or number.")]
ObligationOption = Annotated[Optional[str], typer.Option("--obligation", help="Obligation id within the plan.")]
UnitOption = Annotated[Optional[str], typer.Option("--unit", help="Unit id.")]
PeriodOption = Annotated[Optional[str], typer.Option("--period", help="Period key, e.g. 2021-H1, 1y, once.")]


@app.command()
@handles_errors
def submit(
    occurrence: OccurrenceOption = None,
    plan: PlanOption = None,
    obligation: ObligationOption = None,
    unit: UnitOption = None,
    period: PeriodOption = None,
    number: Annotated[Optional[str], typer.Option("--number", help="Document number, e.g. 125/KH-UBND.")] = None,
    date: Annotated[Optional[str], typer.Option("--date", help="When it was received (date or ISO instant); default now.")] = None,
    document_date: Annotated[Optional[str], typer.Option("--document-date", help="The date printed on the document.")] = None,
    link: Annotated[Optional[str], typer.Option(help="Link to the document.")] = None,
    note: Annotated[Optional[str], typer.Option(help="A note.")] = None,
    db: DbOption = None,
):
    """Record what a unit handed in for an occurrence."""
    submitted_at = parse_instant(date, "--date", date_means_end_of_day=False)
    doc_date = parse_date(document_date, "--document-date") if document_date else None
    store = Store(db)
    with store.transaction() as session:
        row = find_occurrence(session, occurrence, plan, obligation, unit, period)
        record_submission(session, row, submitted_at, number, doc_date, link, note, "cli")
        on_time = local_date(submitted_at) <= row.current_due_date
        out.print(
            f"Recorded submission for occurrence #{row.id} ({row.unit_id}, {row.period_key}) on "
            f"{local_date(submitted_at):%d/%m/%Y}: {'on time' if on_time else 'late'} "
            f"(deadline {row.current_due_date:%d/%m/%Y})."
        )


@app.command()
@handles_errors
def extend(
    occurrence: OccurrenceOption = None,
    plan: PlanOption = None,
    obligation: ObligationOption = None,
    unit: UnitOption = None,
    period: PeriodOption = None,
    new_date: Annotated[str, typer.Option("--new-date", help="The new last day.")] = ...,
    reason: Annotated[str, typer.Option(help="Why the extension is granted.")] = ...,
    approver: Annotated[str, typer.Option(help="Who approved it.")] = ...,
    at: Annotated[Optional[str], typer.Option("--at", help="When it was granted; default now.")] = None,
    db: DbOption = None,
):
    """Grant an extension (gia hạn); statistics keep the original deadline."""
    granted_at = parse_instant(at, "--at", date_means_end_of_day=False)
    day = parse_date(new_date, "--new-date")
    store = Store(db)
    with store.transaction() as session:
        row = find_occurrence(session, occurrence, plan, obligation, unit, period)
        extension = grant_extension(session, row, day, reason, approver, granted_at)
        out.print(
            f"Occurrence #{row.id}: deadline {extension.previous_due_date:%d/%m/%Y} → {extension.new_due_date:%d/%m/%Y}"
            f" (original {row.due_date:%d/%m/%Y} kept for statistics)."
        )


@app.command()
@handles_errors
def request(
    plan: Annotated[str, typer.Option("--plan", help="Plan id or number.")],
    units: Annotated[list[str], typer.Option("--unit", help="Unit id; repeat for several.")],
    title: Annotated[Optional[str], typer.Option(help="What is asked for.")] = None,
    obligation: Annotated[Optional[str], typer.Option("--obligation", help="An ad-hoc obligation of the plan to raise.")] = None,
    working_days: Annotated[Optional[int], typer.Option("--working-days", help="Due in N working days.")] = None,
    at: Annotated[Optional[str], typer.Option("--at", help="When the request is made; default now.")] = None,
    by: Annotated[Optional[str], typer.Option("--by", help="Who requests it.")] = None,
    db: DbOption = None,
):
    """Request an ad-hoc report (báo cáo đột xuất) from units, due in N working days."""
    requested_at = parse_instant(at, "--at", date_means_end_of_day=False)
    store = Store(db)
    with store.transaction() as session:
        row, occurrences = request_adhoc(session, plan, units, requested_at, title, working_days, obligation, by)
        due = occurrences[0].due_date
        out.print(
            f"Requested {row.title!r} ({row.plan_id}/{row.key}) from {len(occurrences)} unit(s), "
            f"due {due:%d/%m/%Y}; occurrences {', '.join('#' + str(o.id) for o in occurrences)}."
        )


@app.command()
@handles_errors
def explain(
    occurrence: OccurrenceOption = None,
    plan: PlanOption = None,
    obligation: ObligationOption = None,
    unit: UnitOption = None,
    period: PeriodOption = None,
    lang: LangOption = "vi",
    db: DbOption = None,
):
    """Why a deadline is what it is: the rule, the written date, each shift and why."""
    store = Store(db)
    with store.session() as session:
        row = find_occurrence(session, occurrence, plan, obligation, unit, period)
        plan_row = row.obligation.plan
        out.print(
            f"[bold]#{row.id}[/] {plan_row.number} — {row.obligation.title}\n"
            f"{row.unit.name} · {row.period_label} ({row.period_key})",
            highlight=False,
        )
        key = "en" if lang == "en" else "vi"
        for step in row.explanation:
            out.print(f"  {dt.date.fromisoformat(step['date']):%d/%m/%Y}  {step[key]}", highlight=False)
        for extension in row.extensions:
            out.print(f"  [bold]{'Extension' if key == 'en' else 'Gia hạn'}[/] ({extension.granted_at.astimezone(TIMEZONE):%d/%m/%Y %H:%M}):")
            for step in extension.explanation:
                out.print(f"    {dt.date.fromisoformat(step['date']):%d/%m/%Y}  {step[key]}", highlight=False)


@app.command()
@handles_errors
def calendar(
    unit: Annotated[str, typer.Option("--unit", help="Unit id.")],
    plan: PlanOption = None,
    output: Annotated[Optional[Path], typer.Option("--output", "-O", help="File to write (default: <unit>.ics).")] = None,
    as_of: AsOfOption = None,
    db: DbOption = None,
):
    """Write a unit's deadlines as an .ics file for calendar applications."""
    instant = as_of_or_now(as_of)
    store = Store(db)
    with store.session() as session:
        unit_row = resolve_unit(session, unit)
        rows = [r for r in status_rows(session, instant, plan, unit, include_not_open=True) if r.unit_id == unit_row.id]
        explanations = {r.occurrence_id: session.get(Occurrence, r.occurrence_id).explanation for r in rows}
    text = unit_calendar(unit_row.name, rows, explanations, dt.datetime.now(dt.timezone.utc))
    path = output or Path(f"{unit_row.id}.ics")
    path.write_text(text, encoding="utf-8", newline="")
    out.print(f"Wrote {len(rows)} deadline(s) of {unit_row.name} to {path}.", highlight=False)


@app.command()
@handles_errors
def units(
    registry: Annotated[Optional[str], typer.Option(help="Only this registry (national, hanoi...).")] = None,
    db: DbOption = None,
):
    """List the units in the store."""
    store = Store(db)
    with store.session() as session:
        query = select(Unit).where(Unit.retired.is_(False)).order_by(Unit.registry_id, Unit.id)
        if registry:
            query = query.where(Unit.registry_id == registry)
        table = Table()
        for header in ("id", "name", "kind", "escalates to"):
            table.add_column(header, overflow="fold")
        for row in session.scalars(query):
            table.add_row(row.id, row.name, row.kind, row.escalates_to_id or "")
    out.print(table)


@app.command()
@handles_errors
def scenario(
    path: Annotated[Path, typer.Argument(help="A scenario file (submissions and extensions).")],
    until: Annotated[Optional[str], typer.Option("--until", help="Apply events up to this date or instant; default all.")] = None,
    db: DbOption = None,
):
    """Record a scenario's submissions and extensions (idempotent), e.g. to try a plan out."""
    from .scenario import apply_scenario, load_scenario

    loaded = load_scenario(path)
    limit = parse_instant(until, "--until", date_means_end_of_day=True) if until else dt.datetime.max.replace(tzinfo=dt.timezone.utc)
    store = Store(db)
    with store.transaction() as session:
        result = apply_scenario(session, loaded, limit)
    out.print(
        f"Scenario {loaded.scenario.title!r}: {result.submissions} submission(s) and {result.extensions} extension(s) "
        f"recorded, {result.skipped} already there."
    )


# --- watch, dispatch, replay ---------------------------------------------------------------

SmtpOption = Annotated[
    Optional[str],
    typer.Option("--smtp-url", help="apprise mailto:// URL of the SMTP server (default: $PLANTRACK_SMTP_URL).", show_default=False),
]

STAGE_VI = {
    "reminder": "nhắc trước hạn", "due": "đến hạn", "overdue": "quá hạn",
    "escalation-1": "báo cáo cấp 1", "escalation-2": "báo cáo cấp 2",
}


def _watch_line(report) -> str:
    stages = " · ".join(f"{STAGE_VI.get(k, k)} {v}" for k, v in sorted(report.by_stage.items())) or "không có thông báo mới"
    return (
        f"sắp đến hạn {report.count('due_soon')}, đến hạn hôm nay {report.count('due_today')}, "
        f"quá hạn {report.overdue_total}, báo cáo lên cấp trên {report.escalated} | {stages}"
    )


@app.command("watch")
@handles_errors
def watch_command(as_of: AsOfOption = None, db: DbOption = None):
    """The morning deadline watch: write today's reminders and escalations to the outbox."""
    from .watch import watch

    instant = as_of_or_now(as_of)
    store = Store(db)
    with store.transaction() as session:
        report = watch(session, instant)
    out.print(f"{local_date(instant):%d/%m/%Y}: {_watch_line(report)}", highlight=False)
    if report.unreachable:
        out.print(f"[yellow]Không có địa chỉ nhận:[/] {', '.join(sorted(report.unreachable))}")


def _channels(smtp_url: str | None):
    """The real channels, set up from the environment (``settings.DeliverySettings``)."""
    from notifications.channels import AppriseUrlChannel, Channels, email_sender

    from .settings import DeliverySettings

    settings = DeliverySettings.from_environment()
    sender = email_sender(smtp_url, settings=settings)
    if sender is None:
        raise PlantrackError("no SMTP server: pass --smtp-url or set PLANTRACK_SMTP_URL (an apprise mailto:// URL)")
    return Channels(sender, AppriseUrlChannel(settings))


def _local(instant: dt.datetime | None) -> str:
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
    for line in report.undeliverable[:20]:
        err.print("  không gửi được: " + line, style="red", highlight=False, markup=False)
    for line in report.errors[:20]:
        err.print("  sẽ gửi lại: " + line, style="yellow", highlight=False, markup=False)
    for line in report.refused[:20]:
        err.print("  địa chỉ bị từ chối: " + line, style="yellow", highlight=False, markup=False)


@app.command("dispatch")
@handles_errors
def dispatch_command(
    smtp_url: SmtpOption = None,
    as_of: AsOfOption = None,
    threads: Annotated[int, typer.Option("--threads", min=1, max=16, help="Messages sent at once (one connection each).")] = 4,
    db: DbOption = None,
):
    """Send the pending notices of the outbox that are due (failed sends wait and are retried;
    refused ones become undeliverable). Exit code 1 when something was given up, or nothing
    was delivered while sends failed."""
    channels = _channels(smtp_url)
    try:
        _send_due(Store(db), as_of_or_now(as_of), channels, threads)
    finally:
        channels.close()


def _send_due(store: Store, instant: dt.datetime, channels, threads: int = 4) -> None:
    """Dispatch what is due, say what happened; exit 1 unless the run was healthy."""
    from notifications.dispatch import dispatch, submission_links

    report = dispatch(store, instant, channels, link_for=submission_links(), threads=threads)
    print_dispatch(report)
    if not report.healthy:
        raise typer.Exit(1)


@app.command()
@handles_errors
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
    from .outbox import release
    from .states import NoticeState

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
@handles_errors
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
    import time

    from notifications.channels import Channels, StubChannel, email_sender
    from notifications.dispatch import PUBLIC_URL_VARIABLE, dispatch, submission_links
    from notifications.sink import SmtpSink

    from .settings import DeliverySettings

    from .replay import replay as run_replay
    from .scenario import load_scenario, merge_scenarios

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
            f"{weekday_vi(day.day)[:7]:<7} {day.day:%d/%m/%Y}  {_watch_line(day.watch)} | thư {sent}"
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
            _print_summary(rows, False, f"đến hết ngày {last:%d/%m/%Y} ({root} và các kế hoạch triển khai)")


@app.command()
@handles_errors
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
    from .watch import acknowledge_escalation

    instant = parse_instant(at, "--at", date_means_end_of_day=False)
    store = Store(db)
    with store.transaction() as session:
        found = find_occurrence(session, occurrence, plan, obligation, unit, period)
        marked = acknowledge_escalation(session, found, by, instant)
    out.print(f"Đã ghi nhận: {marked} thông báo báo cáo lên cấp trên của nghĩa vụ #{found.id} ({found.unit_id}).")


@app.command()
@handles_errors
def notices(
    unit: UnitOption = None,
    occurrence: OccurrenceOption = None,
    state: Annotated[Optional[str], typer.Option("--state", help="pending, sent, cancelled or undeliverable.")] = None,
    limit: Annotated[int, typer.Option("--limit")] = 50,
    db: DbOption = None,
):
    """The proof-of-notice log: every notice, when it was sent, to whom, and the server's answer."""
    from .store.models import Notice

    store = Store(db)
    with store.session() as session:
        query = select(Notice).order_by(Notice.planned_on.desc(), Notice.id.desc()).limit(limit)
        if unit:
            query = query.where((Notice.recipient_id == unit) | Notice.occurrence.has(Occurrence.unit_id == unit))
        if occurrence:
            query = query.where(Notice.occurrence_id == occurrence)
        if state:
            from .states import NoticeState

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
                str(notice.id), str(notice.occurrence_id), notice.occurrence.unit_id, notice.stage, _fmt(notice.deadline),
                _fmt(notice.planned_on), f"{notice.recipient_id} [{notice.channel}]", notice.state, sent,
                f"{notice.address or ''} {notice.result or ''}".strip(),
            )
    out.print(table)


@app.command()
@handles_errors
def report(
    plan: Annotated[str, typer.Option(help="Plan id or number; the plans implementing it are rolled up.")],
    as_of: AsOfOption = None,
    output_dir: Annotated[Path, typer.Option("--output-dir", help="Where the .xlsx and .html files go.")] = Path("var/reports"),
    send: Annotated[bool, typer.Option("--send", help="E-mail the report to the plan's head and standing office.")] = False,
    smtp_url: Annotated[Optional[str], typer.Option("--smtp-url", help="SMTP server (default: PLANTRACK_SMTP_URL).")] = None,
    db: DbOption = None,
):
    """A plan's progress report as of a date: an Excel workbook and a printable HTML page."""
    from .exports.common import rate_text
    from .reporting import write_progress_report

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
        from .settings import DeliverySettings

        sender = PooledSmtpSender(url, DeliverySettings.from_environment())
        try:
            answer = send_report(sender, r, written.recipients, written.files, dt.datetime.now(dt.timezone.utc))
        except Exception as exc:  # DeliveryError: nothing is lost, the files are written; say so
            raise PlantrackError(f"the report was written but not sent: {exc}") from None
        finally:
            sender.close()
        out.print(f"Đã gửi tới {', '.join(x.name for x in written.recipients)}: {answer}", highlight=False)


@app.command()
@handles_errors
def coordinator(
    login: Annotated[str, typer.Option("--login", help="Login name.")],
    name: Annotated[str, typer.Option("--name", help="Full name, as it will sign approvals.")],
    password: Annotated[
        str, typer.Option("--password", envvar="PLANTRACK_COORDINATOR_PASSWORD", prompt=True, hide_input=True,
                          confirmation_prompt=True, help="At least 8 characters (or PLANTRACK_COORDINATOR_PASSWORD).")
    ],
    db: DbOption = None,
):
    """Add a coordinator account for the dashboard (or change its name and password)."""
    from .accounts import add_coordinator

    store = Store(db)
    with store.transaction() as session:
        add_coordinator(session, login, name, password, dt.datetime.now(dt.timezone.utc))
    out.print(f"Tài khoản điều phối {login!r} ({name}) đã sẵn sàng.", highlight=False)


@app.command()
@handles_errors
def link(
    occurrence: OccurrenceOption = None,
    plan: PlanOption = None,
    obligation: ObligationOption = None,
    unit: UnitOption = None,
    period: PeriodOption = None,
    base_url: Annotated[str, typer.Option("--base-url", envvar="PLANTRACK_PUBLIC_URL", help="The dashboard's address.")] = "http://127.0.0.1:8000",
    db: DbOption = None,
):
    """Print the signed submission link of one unit's occurrence (the one its notices carry)."""
    from .links import SECRET_FILE, link_expiry, make_token, secret_key

    store = Store(db)
    with store.session() as session:
        found = find_occurrence(session, occurrence, plan, obligation, unit, period)
        token = make_token(secret_key(None, SECRET_FILE), found.id, found.unit_id, link_expiry(found.current_due_date))
        out.print(f"{found.unit_id} · {found.obligation.title} ({found.period_label}), hạn {found.current_due_date:%d/%m/%Y}", highlight=False)
    out.print(f"{base_url.rstrip('/')}/nop/{token}", highlight=False, soft_wrap=True)


@app.command()
@handles_errors
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port.")] = 8000,
    clock: Annotated[
        Optional[str], typer.Option("--clock", help="Start the dashboard's clock at this instant (demos: '2020-11-20T10:00'); it then runs.")
    ] = None,
    uploads: Annotated[Path, typer.Option("--uploads", help="Where files handed in through links are kept.")] = Path("var/uploads"),
    db: DbOption = None,
):
    """Serve the dashboard: plan overviews, unit pages, submission links, coordinators' actions."""
    import time

    import uvicorn

    from .links import SECRET_FILE, secret_key
    from .web.app import create_app

    start = read_instant(clock, "--clock", date_means_end_of_day=False) if clock else None
    started = time.monotonic()

    def app_clock() -> dt.datetime:  # the entry point's clock, optionally shifted for a demo
        if start is None:
            return dt.datetime.now(dt.timezone.utc)
        return start + dt.timedelta(seconds=time.monotonic() - started)

    application = create_app(Store(db), secret_key(None, SECRET_FILE), app_clock, uploads)
    out.print(f"Dashboard: http://{host}:{port}/" + (f" (clock from {start.isoformat()})" if start else ""), highlight=False)
    uvicorn.run(application, host=host, port=port, log_level="warning")


def main() -> None:  # console script
    app(prog_name="plantrack")


if __name__ == "__main__":
    sys.exit(main())
