"""Commands on what units owe and do: ``status``, ``submit``, ``extend``, ``set-deadline``,
``request``, ``explain``, ``calendar``, ``scenario``."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.table import Table

from ..errors import PlantrackError
from .base import (
    AsOfOption,
    DbOption,
    LangOption,
    ObligationOption,
    OccurrenceOption,
    PeriodOption,
    PlanOption,
    UnitOption,
    app,
    as_of_or_now,
    fmt_day,
    out,
    parse_instant,
    print_summary,
)


@app.command()
def status(
    plan: Annotated[Optional[str], typer.Option(help="Plan id or number; includes the plans that implement it.")] = None,
    unit: Annotated[Optional[str], typer.Option(help="Unit id; includes its sub-units.")] = None,
    obligation: Annotated[Optional[str], typer.Option(help="Only this obligation id (and the ad-hoc requests raised under it).")] = None,
    as_of: AsOfOption = None,
    show_all: Annotated[bool, typer.Option("--all", help="Also list occurrences whose period has not opened.")] = False,
    summary_only: Annotated[bool, typer.Option("--summary", help="Only the counts.")] = False,
    lang: LangOption = "vi",
    db: DbOption = None,
):
    """Where each unit stands, as of a date: done on time, done late, in progress, overdue."""
    from ..calendar import local_date
    from ..store.database import Store
    from ..tracking import obligation_keys, status_rows
    from .base import STATUS_STYLE

    instant = as_of_or_now(as_of)
    store = Store(db)
    with store.session() as session:
        rows = status_rows(session, instant, plan, unit, include_not_open=show_all)
        if obligation:  # the obligation, and the requests raised under it
            keys = obligation_keys(session, obligation)
            rows = [r for r in rows if r.obligation_key in keys]
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
            deadline = fmt_day(row.effective_due) if row.dated else row.deadline_vi
            if row.change:
                deadline += f" ({row.change.since_en if english else row.change.since} {fmt_day(row.due_date)})"
            submitted = fmt_day(local_date(row.submitted_at)) if row.submitted_at else ""
            label = row.status.en if english else row.status.vi
            table.add_row(
                str(row.occurrence_id), row.plan_number, row.obligation_key, row.unit_name, row.period_key,
                deadline, submitted, f"[{STATUS_STYLE[row.status]}]{label}[/]",
            )
        out.print(table)
    print_summary(rows, english, title)


@app.command()
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
    figure: Annotated[Optional[list[str]], typer.Option(
        "--figure", help="A figure of the report, as indicator=value (repeat it): --figure vu-kiem-tra=12")] = None,
    db: DbOption = None,
):
    """Record what a unit handed in for an occurrence (and the figures of its report)."""
    from ..calendar import local_date, parse_date
    from ..figures import record_figures
    from ..store.database import Store
    from ..tracking import find_occurrence, record_submission

    submitted_at = parse_instant(date, "--date", date_means_end_of_day=False)
    doc_date = parse_date(document_date, "--document-date") if document_date else None
    values = {}
    for item in figure or []:
        key, sign, value = item.partition("=")
        if not sign or not key.strip():
            raise PlantrackError(f"--figure takes indicator=value, not {item!r}")
        values[key.strip()] = value
    store = Store(db)
    with store.transaction() as session:
        row = find_occurrence(session, occurrence, plan, obligation, unit, period)
        submission = record_submission(session, row, submitted_at, number, doc_date, link, note, "cli",
                                       now=dt.datetime.now(dt.timezone.utc))
        if values:  # a later submission's figures take the place of an earlier one's
            session.flush()
            record_figures(session, submission, values)
        on_time = local_date(submitted_at) <= row.current_due_date
        out.print(
            f"Recorded submission for occurrence #{row.id} ({row.unit_id}, {row.period_key}) on "
            f"{local_date(submitted_at):%d/%m/%Y}: {'on time' if on_time else 'late'} "
            f"(deadline {fmt_day(row.current_due_date)})."
        )


@app.command()
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
    from ..calendar import parse_date
    from ..store.database import Store
    from ..tracking import find_occurrence, grant_extension

    granted_at = parse_instant(at, "--at", date_means_end_of_day=False)
    day = parse_date(new_date, "--new-date")
    store = Store(db)
    with store.transaction() as session:
        row = find_occurrence(session, occurrence, plan, obligation, unit, period)
        extension = grant_extension(session, row, day, reason, approver, granted_at)
        out.print(
            f"Occurrence #{row.id}: deadline {extension.previous_due_date:%d/%m/%Y} → {extension.new_due_date:%d/%m/%Y}"
            f" (original {fmt_day(row.due_date)} kept for statistics)."
        )


@app.command("set-deadline")
def set_deadline_command(
    occurrence: OccurrenceOption = None,
    plan: PlanOption = None,
    obligation: ObligationOption = None,
    unit: Annotated[Optional[str], typer.Option("--unit", help="Unit id; default every unit still without a deadline.")] = None,
    period: PeriodOption = None,
    date: Annotated[str, typer.Option("--date", help="The last day (chậm nhất ngày …).")] = ...,
    reference: Annotated[str, typer.Option("--reference", help="The document or decision that sets it.")] = ...,
    by: Annotated[str, typer.Option("--by", help="Who sets it.")] = "Cơ quan điều phối",
    at: Annotated[Optional[str], typer.Option("--at", help="When it is set; default now.")] = None,
    db: DbOption = None,
):
    """Set the deadline of work the text gave none (unscheduled, external, after an event):
    from then on it is reminded and chased; an earlier --as-of still sees no deadline."""
    from ..calendar import parse_date
    from ..store.database import Store
    from ..tracking import find_occurrence
    from ..undated import set_deadline, undated_occurrences

    set_at = parse_instant(at, "--at", date_means_end_of_day=False)
    day = parse_date(date, "--date")
    store = Store(db)
    with store.transaction() as session:
        if occurrence is not None:
            rows = [find_occurrence(session, occurrence)]
        elif plan and obligation:
            rows = undated_occurrences(session, plan, obligation, unit, period)
        else:
            raise PlantrackError("name the work: --occurrence ID, or --plan and --obligation (and --unit, --period)")
        set_ = [set_deadline(session, row, day, reference, by, set_at) for row in rows]
        ids = ", ".join(f"#{row.id}" for row in rows[:10]) + (" …" if len(rows) > 10 else "")
        out.print(f"Thời hạn {fmt_day(set_[0].new_due_date)} đã được ấn định cho {len(rows)} việc ({ids}) theo {reference}.",
                  highlight=False)


@app.command()
def request(
    plan: Annotated[str, typer.Option("--plan", help="Plan id or number.")],
    units: Annotated[Optional[list[str]], typer.Option("--unit", help="Unit id; repeat for several.")] = None,
    groups: Annotated[Optional[list[str]], typer.Option("--group", help="A registry group (e.g. hn.districts); repeat for several.")] = None,
    title: Annotated[Optional[str], typer.Option(help="What is asked for.")] = None,
    obligation: Annotated[Optional[str], typer.Option("--obligation", help="An ad-hoc obligation of the plan to raise.")] = None,
    working_days: Annotated[Optional[int], typer.Option("--working-days", min=1, max=60, help="Due in N working days (1-60).")] = None,
    at: Annotated[Optional[str], typer.Option("--at", help="When the request is made; default now.")] = None,
    by: Annotated[Optional[str], typer.Option("--by", help="Who requests it.")] = None,
    db: DbOption = None,
):
    """Request an ad-hoc report (báo cáo đột xuất) from units, due in N working days."""
    from ..calendar import local_date
    from ..store.database import Store
    from ..tracking import request_adhoc
    from ..tracking import group_members

    requested_at = parse_instant(at, "--at", date_means_end_of_day=False)
    store = Store(db)
    with store.transaction() as session:
        targets = list(dict.fromkeys([*(units or []), *(u for g in groups or [] for u in group_members(session, g, local_date(requested_at)))]))
        row, occurrences = request_adhoc(session, plan, targets, requested_at, title, working_days, obligation, by)
        due = occurrences[0].due_date
        out.print(
            f"Requested {row.title!r} ({row.plan_id}/{row.key}) from {len(occurrences)} unit(s), "
            f"due {due:%d/%m/%Y}; occurrences {', '.join('#' + str(o.id) for o in occurrences)}."
        )


@app.command()
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
    from ..calendar import TIMEZONE
    from ..changes import change
    from ..deadlines import NO_DEADLINE, deadline_text
    from ..store.database import Store
    from ..tracking import find_occurrence

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
            out.print(f"  {fmt_day(dt.date.fromisoformat(step['date']))}  {step[key]}", highlight=False)
        for extension in row.extensions:
            heading = change(extension.reason, extension.previous_due_date, extension.new_due_date)
            out.print(f"  [bold]{heading.en if key == 'en' else heading.vi}[/] ({extension.granted_at.astimezone(TIMEZONE):%d/%m/%Y %H:%M}, "
                      f"{extension.approved_by}):", highlight=False)
            for step in extension.explanation:
                out.print(f"    {fmt_day(dt.date.fromisoformat(step['date']))}  {step[key]}", highlight=False)
        if row.current_due_date == NO_DEADLINE and row.first_submitted_at is None:
            out.print(f"  [bold]{'Open' if key == 'en' else 'Đang mở'}[/] — {'deadline' if key == 'en' else 'thời hạn'}: "
                      f"{row.due_text or deadline_text(NO_DEADLINE)}.", highlight=False)
        from ..tracking import waiting_for

        waits = waiting_for(session, row)
        if waits is not None:
            title, done, total, missing = waits
            english = key == "en"
            out.print(
                (f"  Waits for '{title}' ({row.period_label}): {done}/{total} handed in" if english
                 else f"  Chờ “{title}” ({row.period_label}): {done}/{total} đơn vị đã nộp")
                + (f"; {'missing' if english else 'chưa nộp'}: {', '.join(missing[:10])}{' …' if len(missing) > 10 else ''}" if missing else ""),
                highlight=False,
            )


@app.command()
def calendar(
    unit: Annotated[str, typer.Option("--unit", help="Unit id.")],
    plan: PlanOption = None,
    output: Annotated[Optional[Path], typer.Option("--output", "-O", help="File to write (default: <unit>.ics).")] = None,
    as_of: AsOfOption = None,
    db: DbOption = None,
):
    """Write a unit's deadlines as an .ics file for calendar applications."""
    from ..ics import unit_calendar
    from ..store.database import Store
    from ..store.models import Occurrence
    from ..tracking import resolve_unit, status_rows

    instant = as_of_or_now(as_of)
    store = Store(db)
    with store.session() as session:
        unit_row = resolve_unit(session, unit)
        rows = status_rows(session, instant, plan, unit_row.id, include_not_open=True, sub_units=False)
        explanations = {r.occurrence_id: session.get(Occurrence, r.occurrence_id).explanation for r in rows}
    text = unit_calendar(unit_row.name, rows, explanations, dt.datetime.now(dt.timezone.utc))
    path = output or Path(f"{unit_row.id}.ics")
    path.write_text(text, encoding="utf-8", newline="")
    out.print(f"Wrote {len(rows)} deadline(s) of {unit_row.name} to {path}.", highlight=False)


@app.command()
def scenario(
    path: Annotated[Path, typer.Argument(help="A scenario file (submissions and extensions).")],
    until: Annotated[Optional[str], typer.Option("--until", help="Apply events up to this date or instant; default all.")] = None,
    db: DbOption = None,
):
    """Record a scenario's submissions and extensions (idempotent), e.g. to try a plan out."""
    from ..store.database import Store
    from ..scenario import apply_scenario, load_scenario

    loaded = load_scenario(path)
    limit = parse_instant(until, "--until", date_means_end_of_day=True) if until else dt.datetime.max.replace(tzinfo=dt.timezone.utc)
    store = Store(db)
    with store.transaction() as session:
        result = apply_scenario(session, loaded, limit)
    out.print(
        f"Scenario {loaded.scenario.title!r}: {result.submissions} submission(s) and {result.extensions} extension(s) "
        f"recorded, {result.skipped} already there."
    )


@app.command()
def duties(
    plan: PlanOption = None,
    unit: UnitOption = None,
    as_of: AsOfOption = None,
    db: DbOption = None,
):
    """The duties that run on a day (running tasks, not only deliverables), with their time
    frame and who leads them (chủ trì), who leads or supports as its remit decides (chủ trì hoặc
    phối hợp) and who supports them (phối hợp); --unit: only that unit's."""
    from ..calendar import local_date
    from ..store.database import Store
    from ..tracking import active_duties
    from ..undated import open_undated

    instant = as_of_or_now(as_of)
    day = local_date(instant)
    with Store(db).session() as session:
        rows = active_duties(session, day, plan, unit)
        waiting = open_undated(session, instant, plan, unit)  # work with no date in the text: open, never chased
    if not rows:
        out.print(f"Không có nhiệm vụ nào đang thực hiện ngày {day:%d/%m/%Y}.", highlight=False)
    else:
        _print_duties(day, rows)
    if waiting:
        table = Table(title=f"Việc đang mở, chưa có thời hạn ({len(waiting)})")
        for header in ("#", "Văn bản", "Nghĩa vụ", "Đơn vị", "Kỳ", "Thời hạn"):
            table.add_column(header, overflow="fold")
        for row in waiting:
            table.add_row(str(row.occurrence_id), row.plan_number, row.obligation_title, row.unit_name, row.period_label, row.deadline_vi)
        out.print(table)


def _print_duties(day: dt.date, rows) -> None:
    from ..assumptions import OWNER, clause

    table = Table(title=f"Nhiệm vụ đang thực hiện ngày {day:%d/%m/%Y} ({len(rows)})")
    either = any(row.either for row in rows)
    for header in ("Văn bản", "Mục", "Nhiệm vụ", "Thời gian", "Chủ trì", *(["Chủ trì hoặc phối hợp"] if either else []), "Phối hợp"):
        table.add_column(header, overflow="fold")

    def listed(units: list[str], assumed: frozenset[str]) -> str:
        shown = [f"{u} *" if u in assumed else u for u in units[:6]]
        return ", ".join(shown) + (" …" if len(units) > 6 else "")

    for row in rows:
        text = row.text if len(row.text) <= 120 else row.text[:117] + "…"
        table.add_row(row.plan_number, row.section, text, row.timeframe, listed(row.lead, row.assumed),
                      *([listed(row.either, row.assumed)] if either else []), listed(row.support, row.assumed))
    out.print(table)
    if any(row.assumed for row in rows):
        out.print(f"* Đơn vị có dấu *: {clause([OWNER])}.", highlight=False)
