"""Where each occurrence stands as of an instant, and the events that move it.

Statuses follow Vietnamese government practice: done on time, done late, in progress within
the deadline, overdue. An occurrence whose period has not opened yet is ``not_open`` and is
left out of the counts; work the text gives no date is ``no_deadline`` until a coordinator sets
one (``plantrack.undated``): open, never overdue. Every function takes the instant it reasons
about (``as_of``, ``submitted_at``, ``granted_at``...): nothing here reads the clock.
"""

from __future__ import annotations

import datetime as dt
import enum
import re
from dataclasses import dataclass, field

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session, selectinload

from .assumptions import AssumedReader, clause, recipient_assumed, rule_assumed
from .calendar import WorkCalendar, local_date
from .changes import Change, overall
from .counted import after_handin, compiled_obligation
from .deadlines import NO_DEADLINE, adhoc_deadline, deadline_text, extension_deadline
from .errors import PlantrackError
from .store.models import Duty, Extension, Obligation, Occurrence, Plan, Submission, Unit, UnitGroup
from .text import MAX_LINK, MAX_NOTE, MAX_NUMBER, MAX_REASON, MAX_TITLE, single_line, text_block


class Status(str, enum.Enum):
    ON_TIME = "on_time"
    LATE = "late"
    IN_PROGRESS = "in_progress"
    OVERDUE = "overdue"
    NOT_OPEN = "not_open"
    NO_DEADLINE = "no_deadline"  # open, and the text gives no date (deadlines.NO_DEADLINE): never overdue

    @property
    def vi(self) -> str:
        return _STATUS_VI[self]

    @property
    def en(self) -> str:
        return _STATUS_EN[self]


_STATUS_VI = {
    Status.ON_TIME: "Hoàn thành đúng hạn",
    Status.LATE: "Hoàn thành quá hạn",
    Status.IN_PROGRESS: "Đang thực hiện trong hạn",
    Status.OVERDUE: "Quá hạn",
    Status.NOT_OPEN: "Chưa đến kỳ",
    Status.NO_DEADLINE: "Chưa có thời hạn",
}
_STATUS_EN = {
    Status.ON_TIME: "done on time",
    Status.LATE: "done late",
    Status.IN_PROGRESS: "in progress, within deadline",
    Status.OVERDUE: "overdue",
    Status.NOT_OPEN: "not open yet",
    Status.NO_DEADLINE: "open, no deadline yet",
}
COUNTED = (Status.ON_TIME, Status.LATE, Status.IN_PROGRESS, Status.OVERDUE, Status.NO_DEADLINE)


def effective_due_date(occurrence: Occurrence, as_of: dt.datetime) -> dt.date:
    """The deadline in force at ``as_of``: the latest extension granted by then, else the original."""
    due = occurrence.due_date
    if occurrence.current_due_date != occurrence.due_date:
        for extension in occurrence.extensions:  # ordered by granted_at
            if extension.granted_at <= as_of:
                due = extension.new_due_date
    return due


def classify(
    opens_on: dt.date, due: dt.date, first_submitted_at: dt.datetime | None, as_of: dt.datetime
) -> Status:
    """The status at ``as_of`` of an occurrence with deadline ``due`` (its last day, local).
    Work with no deadline yet (``NO_DEADLINE``) is ``no_deadline`` while open, never overdue,
    and on time when handed in."""
    if first_submitted_at is not None and first_submitted_at <= as_of:
        return Status.ON_TIME if local_date(first_submitted_at) <= due else Status.LATE
    today = local_date(as_of)
    if today > due:
        return Status.OVERDUE
    if today < opens_on:
        return Status.NOT_OPEN
    return Status.NO_DEADLINE if due == NO_DEADLINE else Status.IN_PROGRESS


@dataclass(frozen=True)
class OccurrenceStatus:
    occurrence_id: int
    plan_id: str
    plan_number: str
    obligation_key: str
    obligation_title: str
    section: str
    unit_id: str
    unit_name: str
    period_key: str
    period_label: str
    opens_on: dt.date
    due_date: dt.date  # original
    effective_due: dt.date  # with extensions granted by as_of
    submitted_at: dt.datetime | None  # first submission by as_of
    status: Status
    due_text: str | None = None  # the deadline in the text's words ("theo tiến độ của Luật …" while it has no date)
    change: Change | None = None  # what made effective_due differ from due_date (plantrack.changes)
    assumed: tuple[str, ...] = ()  # what the plan file assumes here: deadline, owner, recipient (plantrack.assumptions)

    @property
    def assumption(self) -> str:
        """The clause that says so, in Vietnamese ("" when nothing is assumed)."""
        return clause(self.assumed)

    @property
    def extended(self) -> bool:
        """A deadline moved from the original (an undated one set by a coordinator is not)."""
        return self.effective_due != self.due_date and self.due_date != NO_DEADLINE

    @property
    def dated(self) -> bool:
        return self.effective_due != NO_DEADLINE

    @property
    def deadline_vi(self) -> str:
        """The deadline for people: the date, or the text's words while it has none."""
        return deadline_text(self.effective_due, self.due_text)


def descendants(edges, root: str) -> list[str]:
    """``root`` and everything below it, given (child, parent) pairs."""
    children: dict[str | None, list[str]] = {}
    for child, parent in edges:
        children.setdefault(parent, []).append(child)
    found, queue = [], [root]
    while queue:
        current = queue.pop()
        found.append(current)
        queue.extend(children.get(current, []))
    return found


def ancestors(parents: dict[str, str | None], unit_id: str | None):
    """``unit_id``, its parent, its parent's parent... up to the top (a cycle stops the walk)."""
    seen = set()
    while unit_id is not None and unit_id not in seen:
        yield unit_id
        seen.add(unit_id)
        unit_id = parents.get(unit_id)


def descendant_plans(session: Session, plan_id: str) -> list[str]:
    """``plan_id`` and every live plan that implements it, at any depth."""
    return descendants(session.execute(select(Plan.id, Plan.parent_id).where(Plan.retired.is_(False))), plan_id)


def descendant_units(session: Session, unit_id: str) -> list[str]:
    """``unit_id`` and every live unit under it in the unit tree."""
    return descendants(session.execute(select(Unit.id, Unit.parent_id).where(Unit.retired.is_(False))), unit_id)


@dataclass(frozen=True)
class DutyRow:
    """A duty that runs on a day, with who leads it and who supports it."""

    plan_id: str
    plan_number: str
    key: str
    section: str
    text: str
    timeframe: str  # the text's words ("thường xuyên", "Quý III/2026"), or the dates
    active_from: dt.date | None
    active_until: dt.date | None
    lead: list[str]  # chủ trì
    support: list[str]  # phối hợp
    either: list[str] = field(default_factory=list)  # "chủ trì hoặc phối hợp": its remit decides
    assumed: frozenset[str] = frozenset()  # of these, the units the plan file infers (``assumed:``; plantrack.assumptions)


def active_duties(session: Session, day: dt.date, plan: str | None = None, unit: str | None = None) -> list[DutyRow]:
    """The duties running on ``day``: within their time frame, in live plans (a plan and
    those implementing it), for one unit (lead or support) when asked."""
    query = (
        select(Duty, Plan.number)
        .join(Plan, Duty.plan_id == Plan.id)
        .where(Duty.retired.is_(False), Plan.retired.is_(False), or_(Duty.active_from.is_(None), Duty.active_from <= day),
               or_(Duty.active_until.is_(None), Duty.active_until >= day))
        .order_by(Plan.id, Duty.section, Duty.key)
    )
    if plan is not None:
        query = query.where(Plan.id.in_(descendant_plans(session, resolve_plan(session, plan).id)))
    wanted = resolve_unit(session, unit).id if unit is not None else None
    holder = _holders_on(session, day)
    rows = []
    for duty, number in session.execute(query):
        lead = _dedup(_assignee(holder, a) for a in duty.assignments if a["role"] == "lead")
        either = [u for u in _dedup(_assignee(holder, a) for a in duty.assignments if a["role"] == "either") if u not in lead]
        support = [u for u in _dedup(_assignee(holder, a) for a in duty.assignments if a["role"] == "support")
                   if u not in lead and u not in either]
        if wanted is not None and wanted not in lead and wanted not in support and wanted not in either:
            continue
        assumed = frozenset(_assignee(holder, a) for a in duty.assignments if a.get("basis") == "assumed") - {None}
        frame = duty.timeframe or {}
        words = frame.get("written") or ("thường xuyên" if frame.get("ongoing") else "")
        if frame.get("until_event"):
            words = words or f"đến khi {frame['until_event']}"
        dates = f"{duty.active_from:%d/%m/%Y}–{duty.active_until:%d/%m/%Y}" if duty.active_from and duty.active_until else ""
        rows.append(DutyRow(duty.plan_id, number, duty.key, duty.section, duty.text, words or dates, duty.active_from,
                            duty.active_until, lead, support, either, assumed))
    return rows


def _holders_on(session: Session, day: dt.date):
    """A function from a unit id to the body holding its duties on ``day`` (the unit, or the
    successor it merged into; None before it exists). Only units with a lifetime are read."""
    lives = {
        row.id: row for row in session.execute(
            select(Unit.id, Unit.valid_from, Unit.valid_until, Unit.successor_id)
            .where(or_(Unit.valid_from.is_not(None), Unit.valid_until.is_not(None)))
        )
    }

    def holder(unit_id: str | None) -> str | None:
        seen = set()
        while unit_id is not None and unit_id in lives and unit_id not in seen:
            life = lives[unit_id]
            if life.valid_from is not None and day < life.valid_from:
                return None
            if life.valid_until is None or day <= life.valid_until:
                return unit_id
            seen.add(unit_id)
            unit_id = life.successor_id
        return unit_id if unit_id not in seen else None

    return holder


def _assignee(holder, assignment: dict) -> str | None:
    """Who holds an assignment of a duty on the holder's day: the unit, its successor, or, for a
    unit split into several bodies, the part the duty names (``held_by``)."""
    held = holder(assignment["unit"])
    if held != assignment["unit"] and assignment.get("held_by"):
        return holder(assignment["held_by"])
    return held


def unit_duties(session: Session, unit_id: str, day: dt.date, plan_ok=lambda plan_id: True) -> list[tuple[Plan, Duty, str]]:
    """Every duty a unit holds on ``day``, with its role: those naming it, and those naming a
    body it succeeded (a province merged into it on 01/07/2025). Running or not: the page says."""
    holder = _holders_on(session, day)
    found = []
    for duty, plan in session.execute(select(Duty, Plan).join(Plan, Duty.plan_id == Plan.id)
                                      .where(Duty.retired.is_(False), Plan.retired.is_(False)).order_by(Plan.id, Duty.section, Duty.key)):
        if not plan_ok(plan.id):
            continue
        roles = [a["role"] for a in duty.assignments if a["unit"] == unit_id or _assignee(holder, a) == unit_id]
        if roles:
            found.append((plan, duty, next((r for r in ("lead", "either") if r in roles), roles[0])))
    return found


def _dedup(ids) -> list[str]:
    return list(dict.fromkeys(i for i in ids if i is not None))


def waiting_for(session: Session, occurrence: Occurrence) -> tuple[str, int, int, list[str]] | None:
    """For a compiling step (an ``after`` rule): the obligation it compiles, how many of its
    occurrences of the same period were handed in, of how many, and who has not yet."""
    source = compiled_obligation(session, occurrence.obligation)
    if source is None:
        return None
    rows = session.execute(
        select(Occurrence.unit_id, Occurrence.first_submitted_at)
        .where(Occurrence.obligation_id == source.id, Occurrence.period_key == occurrence.period_key, Occurrence.retired.is_(False))
        .order_by(Occurrence.unit_id)
    ).all()
    missing = [unit for unit, submitted in rows if submitted is None]
    return source.title, len(rows) - len(missing), len(rows), missing


def plans_led_by(session: Session, unit_id: str) -> list[str]:
    """The live plans ``unit_id`` issued or coordinates (office or head), with the plans that
    implement them."""
    led = [
        plan_id for plan_id, issuer, coordination in session.execute(
            select(Plan.id, Plan.issuer_id, Plan.coordination).where(Plan.retired.is_(False))
        ).all()
        if unit_id in (issuer, (coordination or {}).get("office"), (coordination or {}).get("head"))
    ]
    family: set[str] = set()
    for plan_id in led:
        family.update(descendant_plans(session, plan_id))
    return sorted(family)


def resolve_plan(session: Session, ref: str) -> Plan:
    """A live plan by id or number."""
    plan = session.get(Plan, ref)
    if plan is None:
        matches = list(session.scalars(select(Plan).where(Plan.number == ref, Plan.retired.is_(False))))
        if len(matches) > 1:
            raise PlantrackError(f"plan number {ref!r} is ambiguous: use one of the ids {', '.join(p.id for p in matches)}")
        plan = matches[0] if matches else None
    if plan is None or plan.retired:
        known = ", ".join(session.scalars(select(Plan.id).where(Plan.retired.is_(False)).order_by(Plan.id)))
        raise PlantrackError(f"no plan {ref!r} (known plans: {known or 'none; run `plantrack sync` first'})")
    return plan


def group_members(session: Session, group_id: str, day: dt.date | None = None) -> list[str]:
    """The live members of a registry group (as of the last sync); with ``day``, the bodies
    that exist that day (a merged province's successor in its place, once)."""
    group = session.get(UnitGroup, group_id)
    if group is None or group.retired:
        known = ", ".join(session.scalars(select(UnitGroup.id).where(UnitGroup.retired.is_(False)).order_by(UnitGroup.id)))
        raise PlantrackError(f"no group {group_id!r} (known groups: {known or 'none'})")
    live = set(session.scalars(select(Unit.id).where(Unit.id.in_(group.members), Unit.retired.is_(False))))
    members = [u for u in group.members if u in live]
    if day is not None:
        members = _dedup(map(_holders_on(session, day), members))
    if not members:
        raise PlantrackError(f"group {group_id!r} has no live member")
    return members


def every_group_members(session: Session, day: dt.date) -> dict[str, list[str]]:
    """Every live group with at least one member, as ``group_members(..., day)`` gives it, in
    three queries whatever the number of groups."""
    live = set(session.scalars(select(Unit.id).where(Unit.retired.is_(False))))
    holder = _holders_on(session, day)
    found = {}
    for group in session.scalars(select(UnitGroup).where(UnitGroup.retired.is_(False)).order_by(UnitGroup.id)):
        if members := _dedup(map(holder, (u for u in group.members if u in live))):
            found[group.id] = members
    return found


def resolve_unit(session: Session, ref: str) -> Unit:
    unit = session.get(Unit, ref)
    if unit is None or unit.retired:
        raise PlantrackError(f"no unit {ref!r}; `plantrack units` lists them")
    return unit


def status_rows(
    session: Session,
    as_of: dt.datetime,
    plan: str | None = None,
    unit: str | None = None,
    include_not_open: bool = False,
    include_implementing: bool = True,
    due_by: dt.date | None = None,
    open_only: bool = False,
    sub_units: bool = True,
) -> list[OccurrenceStatus]:
    """Every live occurrence (filtered by plan and unit, with their descendants) and its status.

    ``due_by`` and ``open_only`` give "what is due or overdue as of X": only rows whose
    deadline falls by ``due_by`` and that were not handed in by ``as_of``; the indexes on
    the deadline and the first submission let the database read just that window. With
    ``sub_units=False`` a unit's own occurrences only (its page, its calendar).
    """
    query = (
        select(Occurrence, Obligation, Plan, Unit)
        .join(Obligation, Occurrence.obligation_id == Obligation.id)
        .join(Plan, Obligation.plan_id == Plan.id)
        .join(Unit, Occurrence.unit_id == Unit.id)
        # "retired IS false" lets SQLite read the open rows of a window by ix_occurrence_open_due
        # (retired, first_submitted_at, current_due_date); for one unit's rows or a whole plan
        # that index is the wrong start (it holds every row), so there it is "IS NOT true".
        .where(Occurrence.retired.is_(False) if (due_by is not None or open_only) else Occurrence.retired.is_not(True),
               Obligation.retired.is_(False), Plan.retired.is_(False))
        .options(selectinload(Occurrence.extensions))
        .order_by(Plan.id, Obligation.section, Obligation.key, Occurrence.due_date, Unit.id)
    )
    if not include_not_open:
        query = query.where(Occurrence.opens_on <= local_date(as_of))
    if due_by is not None:
        # Either deadline may be the earlier (an amendment can bring one forward); extensions and
        # amendments in force at as_of are applied below.
        query = query.where(or_(Occurrence.due_date <= due_by, Occurrence.current_due_date <= due_by))
    if open_only:
        query = query.where(or_(Occurrence.first_submitted_at.is_(None), Occurrence.first_submitted_at > as_of))
    if plan is not None:
        root = resolve_plan(session, plan).id
        query = query.where(Plan.id.in_(descendant_plans(session, root) if include_implementing else [root]))
    if unit is not None and not sub_units:
        query = query.where(Occurrence.unit_id == resolve_unit(session, unit).id)
    elif unit is not None:
        root_unit = resolve_unit(session, unit).id
        led = plans_led_by(session, root_unit)
        subtree = [] if led else descendant_units(session, root_unit)
        # A unit that issues or coordinates plans sees its own duties and every unit of those
        # plans, not every plan its sub-units take part in; any other unit sees its subtree.
        query = query.where(or_(Occurrence.unit_id == root_unit, Plan.id.in_(led)) if led else Occurrence.unit_id.in_(subtree))
    rows = []
    assumed = AssumedReader(session)
    for occurrence, obligation, plan_row, unit_row in session.execute(query):
        due = effective_due_date(occurrence, as_of)
        submitted = occurrence.first_submitted_at
        if submitted is not None and submitted > as_of:
            submitted = None
        if due_by is not None and due > due_by:
            continue  # extended beyond the window
        rows.append(
            OccurrenceStatus(
                occurrence.id, plan_row.id, plan_row.number, obligation.key, obligation.title, obligation.section,
                unit_row.id, unit_row.short_name or unit_row.name, occurrence.period_key, occurrence.period_label,
                occurrence.opens_on, occurrence.due_date, due, submitted,
                # A hand-in is judged by the deadline in force when it came (an amendment or an
                # extension granted later does not make an on-time hand-in late).
                classify(occurrence.opens_on, effective_due_date(occurrence, submitted) if submitted else due, submitted, as_of),
                occurrence.due_text,
                overall(occurrence.extensions, occurrence.due_date, due, as_of) if due != occurrence.due_date else None,
                assumed(obligation.plan_id, obligation.duty_key, obligation.rule, unit_row.id, due == occurrence.due_date),
            )
        )
    return rows


def count_statuses(rows: list[OccurrenceStatus]) -> dict[Status, int]:
    counts = {status: 0 for status in Status}
    for row in rows:
        counts[row.status] += 1
    return counts


def on_time_rate(counts: dict[Status, int]) -> float | None:
    """On-time ÷ all that have fallen due (done, or overdue); None when nothing is due yet."""
    due = counts[Status.ON_TIME] + counts[Status.LATE] + counts[Status.OVERDUE]
    return counts[Status.ON_TIME] / due if due else None


# --- finding one occurrence --------------------------------------------------------------


def find_occurrence(
    session: Session,
    occurrence_id: int | None = None,
    plan: str | None = None,
    obligation: str | None = None,
    unit: str | None = None,
    period: str | None = None,
) -> Occurrence:
    """One live occurrence, by id or by plan + obligation + unit (+ period when several)."""
    if occurrence_id is not None:
        occurrence = session.get(Occurrence, occurrence_id)
        if occurrence is None:
            raise PlantrackError(f"no occurrence #{occurrence_id}")
    else:
        if not (plan and obligation and unit):
            raise PlantrackError("name the occurrence: --occurrence ID, or --plan, --obligation and --unit (and --period)")
        plan_row = resolve_plan(session, plan)
        query = (
            select(Occurrence)
            .join(Obligation)
            .where(Obligation.plan_id == plan_row.id, Obligation.key == obligation, Occurrence.unit_id == unit)
            .where(Occurrence.retired.is_(False))
        )
        if period is not None:
            query = query.where(Occurrence.period_key == period)
        found = list(session.scalars(query))
        if not found:
            raise PlantrackError(
                f"no occurrence of {plan_row.id}/{obligation} for unit {unit!r}" + (f" in period {period!r}" if period else "")
            )
        if len(found) > 1:
            keys = ", ".join(o.period_key for o in found)
            raise PlantrackError(f"{len(found)} occurrences match; add --period (one of: {keys})")
        occurrence = found[0]
    if occurrence.retired:
        raise PlantrackError(f"occurrence #{occurrence.id} was retired: its obligation left the plan files")
    return occurrence


def obligation_keys(session: Session, key: str) -> set[str]:
    """The obligation ``key`` and the requests raised under it (``request --obligation key``
    makes ``<key>-<YYYYMMDD>-<n>``): what ``status --obligation key`` lists."""
    made = re.compile(rf"^{re.escape(key)}-\d{{8}}-\d+$")
    found = {key}
    for other, rule in session.execute(
        select(Obligation.key, Obligation.rule).where(Obligation.origin == "request", Obligation.key.startswith(f"{key}-", autoescape=True))
    ).all():
        template = (rule or {}).get("template")
        if template == key or (template is None and made.match(other)):  # requests recorded before the template was kept
            found.add(other)
    return found


def plan_calendar(plan: Plan) -> WorkCalendar:
    """The calendar a plan was expanded with (stored by sync, deployment and parents merged)."""
    return WorkCalendar.from_dict(plan.calendar)


# --- events ------------------------------------------------------------------------------


def record_submission(
    session: Session,
    occurrence: Occurrence,
    submitted_at: dt.datetime,
    document_number: str | None = None,
    document_date: dt.date | None = None,
    link: str | None = None,
    note: str | None = None,
    recorded_by: str | None = None,
    *,
    now: dt.datetime | None = None,
    allow_number: str | None = None,
) -> Submission:
    """A submission received at ``submitted_at``. With ``now`` (the caller's clock), a receipt
    in the future is refused; ``allow_number`` is a correction's own earlier number."""
    document_number = single_line(document_number, "document number", MAX_NUMBER)
    link = single_line(link, "link", MAX_LINK)
    note = text_block(note, "note", MAX_NOTE)
    if document_number and document_number != allow_number and any(
        s.document_number == document_number for s in occurrence.submissions
    ):
        raise PlantrackError(f"document {document_number!r} is already recorded for occurrence #{occurrence.id}")
    received = local_date(submitted_at)
    if now is not None and submitted_at > now + dt.timedelta(minutes=5):
        raise PlantrackError(f"the receipt date {received:%d/%m/%Y} is in the future (today is {local_date(now):%d/%m/%Y})")
    plan = occurrence.obligation.plan
    if received < plan.issued_on:
        raise PlantrackError(f"the receipt date {received:%d/%m/%Y} is before the plan was issued ({plan.issued_on:%d/%m/%Y})")
    if received < occurrence.opens_on:
        raise PlantrackError(
            f"the receipt date {received:%d/%m/%Y} is before this period opens ({occurrence.opens_on:%d/%m/%Y}): "
            "a report for a period cannot be received before it"
        )
    if document_date is not None and document_date < plan.issued_on - dt.timedelta(days=366):
        raise PlantrackError(f"the document date {document_date:%d/%m/%Y} is more than a year before the plan ({plan.issued_on:%d/%m/%Y})")
    if document_date is not None and document_date > local_date(submitted_at):
        raise PlantrackError(
            f"the document is dated {document_date:%d/%m/%Y}, after it was submitted ({local_date(submitted_at):%d/%m/%Y})"
        )
    submission = Submission(
        occurrence=occurrence, submitted_at=submitted_at, document_number=document_number,
        document_date=document_date, link=link, note=note, recorded_by=recorded_by,
    )
    session.add(submission)
    if occurrence.first_submitted_at is None or submitted_at < occurrence.first_submitted_at:
        occurrence.first_submitted_at, occurrence.submitted_on = submitted_at, received
        after_handin(session, occurrence)  # a step counted from the last of these reports is dated now
    return submission


def previous_limit(occurrence: Occurrence) -> dt.date:
    """The latest date an extension may set: a year after the plan's end."""
    return occurrence.obligation.plan.period_end + dt.timedelta(days=366)


def grant_extension(
    session: Session,
    occurrence: Occurrence,
    new_date: dt.date,
    reason: str,
    approved_by: str,
    granted_at: dt.datetime,
) -> Extension:
    """A new deadline; the original stays in ``due_date`` for statistics."""
    reason = text_block(reason, "reason", MAX_REASON)
    approved_by = single_line(approved_by, "approver", MAX_TITLE)
    if not reason or not approved_by:
        raise PlantrackError("an extension needs a reason and an approver")
    if new_date > previous_limit(occurrence):
        end = occurrence.obligation.plan.period_end
        raise PlantrackError(f"the new date {new_date:%d/%m/%Y} is more than a year after the plan ends ({end:%d/%m/%Y})")
    previous = effective_due_date(occurrence, granted_at)
    if previous == NO_DEADLINE:
        raise PlantrackError(f"occurrence #{occurrence.id} has no deadline yet: set one (plantrack set-deadline), not an extension")
    if new_date <= previous:
        raise PlantrackError(f"the new date {new_date:%d/%m/%Y} must be after the deadline in force ({previous:%d/%m/%Y})")
    if occurrence.extensions and granted_at < occurrence.extensions[-1].granted_at:
        raise PlantrackError("an extension cannot be granted before the previous one")
    calendar = plan_calendar(occurrence.obligation.plan)
    deadline = extension_deadline(previous, new_date, reason, approved_by, calendar)
    extension = Extension(
        occurrence=occurrence, previous_due_date=previous, new_due_date=deadline.due_date, reason=reason,
        approved_by=approved_by, granted_at=granted_at, explanation=deadline.explanation(),
    )
    session.add(extension)
    occurrence.current_due_date = deadline.due_date
    return extension


def request_adhoc(
    session: Session,
    plan_ref: str,
    units: list[str],
    requested_at: dt.datetime,
    title: str | None = None,
    working_days: int | None = None,
    template: str | None = None,
    requested_by: str | None = None,
) -> tuple[Obligation, list[Occurrence]]:
    """An ad-hoc report request (báo cáo đột xuất) to ``units``, due in N working days."""
    plan = resolve_plan(session, plan_ref)
    base = None
    if template is not None:
        base = session.scalars(
            select(Obligation).where(Obligation.plan_id == plan.id, Obligation.key == template, Obligation.kind == "adhoc")
        ).first()
        if base is None:
            raise PlantrackError(f"plan {plan.id} has no ad-hoc obligation {template!r} to request")
    title = single_line(title, "title", MAX_TITLE) or (base.title if base else None)
    if not title:
        raise PlantrackError("an ad-hoc request needs a title (or --obligation naming an ad-hoc obligation of the plan)")
    # The template's default, when no number is given: assumed if the template's is.
    default = working_days is None and base is not None and rule_assumed(base.rule)
    if working_days is None:
        working_days = (base.rule.get("working_days") if base else None) or 5
    if not 1 <= working_days <= 60:
        raise PlantrackError("working days must be between 1 and 60")
    if not units:
        raise PlantrackError("an ad-hoc request needs at least one unit")
    for unit_id in units:
        resolve_unit(session, unit_id)
    requested_on = local_date(requested_at)
    deadline = adhoc_deadline(requested_on, working_days, plan_calendar(plan), title,
                              default_note=base.rule.get("note") if default else None)
    prefix = f"{template or 'request'}-{requested_on:%Y%m%d}"
    sequence = session.scalar(
        select(func.count()).select_from(Obligation).where(Obligation.plan_id == plan.id, Obligation.key.like(f"{prefix}-%"))
    )
    obligation = Obligation(
        plan_id=plan.id, key=f"{prefix}-{sequence + 1}", duty_key=base.duty_key if base else None, title=title,
        kind="adhoc", section=base.section if base else "IV", submit_to_id=base.submit_to_id if base else None,
        channel=base.channel if base else None, recipients=dict(base.recipients or {}) if base else {},
        origin="request", units=list(units),
        rule={"type": "adhoc", "working_days": working_days, "requested_at": requested_at.isoformat(),
              "requested_by": requested_by, **({"template": template} if template else {}),
              **({"basis": "assumed", "note": base.rule.get("note")} if default else {}),
              **({key: base.rule[key] for key in ("submit_to_basis", "submit_to_note")} if base and recipient_assumed(base.rule) else {})},
    )
    session.add(obligation)
    occurrences = [
        Occurrence(
            obligation=obligation, unit_id=unit_id, period_key=f"{requested_on:%Y-%m-%d}",
            period_label=f"Yêu cầu ngày {requested_on:%d/%m/%Y}", period_start=requested_on, period_end=deadline.due_date,
            opens_on=requested_on, due_date=deadline.due_date, current_due_date=deadline.due_date,
            explanation=deadline.explanation(),
        )
        for unit_id in dict.fromkeys(units)
    ]
    session.add_all(occurrences)
    session.flush()
    return obligation, occurrences
