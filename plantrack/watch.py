"""The daily deadline watch: which ladder steps fall due today, written to the outbox.

The watch reads only the occurrences whose deadline lies in the window where a ladder step
can fall (a few working days before, up to level 2 after), through the deadline index, so
its cost follows the window and not the size of the table. Each step becomes one notice per
recipient and channel; the outbox's unique key makes a second run of the same day a no-op.

If the previous run is some days back (a server was down), the missed days are caught up,
however many, but only the latest step of each level is kept: a unit gets "due in 2 days",
not also the stale "due in 5 days".

Each occurrence's ladder is also caught up from its own history. A ladder the watch has not
taken up yet (``occurrence.watched_due_date`` is not its deadline: a plan synced after its
first deadlines, a fresh store, an occurrence added by an amendment or a request, a deadline
moved by an amendment) gets, on its first watch, the latest step of every level that has come
due, as if its plan had been watched all along: a plan loaded on 09/12 whose reports were due
on 30/11 gets its overdue notice and its level-1 escalation that morning. This holds for the
plans in force on the day (their period has not ended); a plan that ended before it was
loaded is tracked, not chased for steps that passed before the watch's days.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache

from sqlalchemy import Date, Select, and_, bindparam, func, select, text, update
from sqlalchemy.orm import Session

from .calendar import WorkCalendar, local_date
from .directory import Directory
from .errors import PlantrackError
from .escalation import LadderStep, ladder
from .schema import EscalationPolicy
from .store.bulk import insert_rows
from .store.database import among
from .states import StageKind
from .store.models import UNWATCHED, Notice, Obligation, Occurrence, Plan, UTCDateTime, WatchRun


@dataclass(slots=True)  # not frozen: cheaper to make, and a replay makes about a million
class Finding:
    """One open occurrence inside the watch window, and the steps it gets today."""

    occurrence_id: int
    plan_id: str
    unit_id: str
    deadline: dt.date
    category: str  # due_soon, due_today, overdue
    steps: tuple[LadderStep, ...]


@dataclass
class WatchReport:
    as_of: dt.datetime
    day: dt.date
    first_day: dt.date  # earlier than ``day`` when missed days were caught up
    findings: list[Finding] = field(default_factory=list)
    notices_created: int = 0
    by_stage: Counter = field(default_factory=Counter)  # notices created, per stage kind
    unreachable: set[str] = field(default_factory=set)  # recipients with no address at all
    overdue_total: int = 0  # every open occurrence of a plan in force past its deadline, in or out of the window

    def count(self, category: str) -> int:
        return sum(1 for f in self.findings if f.category == category)

    @property
    def escalated(self) -> int:
        return sum(1 for f in self.findings if f.steps and f.steps[-1].level > 0)  # steps come by level

    def summary(self) -> dict:
        categories = Counter(f.category for f in self.findings)
        return {
            "due_soon": categories["due_soon"],
            "due_today": categories["due_today"],
            "overdue_in_window": categories["overdue"],
            "overdue_total": self.overdue_total,
            "escalated": self.escalated,
            "notices_created": self.notices_created,
            "by_stage": dict(sorted(self.by_stage.items())),
            "unreachable": sorted(self.unreachable),
        }


def stage_kind(stage: str) -> str:
    """reminder-5 -> reminder, overdue-2 -> overdue, escalation-1 -> escalation-1."""
    return StageKind.of(stage).value


class _Plans:
    """Each live plan's calendar and policy, and the steps of the run's days per ladder
    (occurrences share deadlines: a morning's thousands of rows have a few dozen ladders)."""

    def __init__(self, rules: dict[str, tuple[WorkCalendar, EscalationPolicy]], first_day: dt.date, day: dt.date):
        self.rules, self.first_day, self.day = rules, first_day, day
        self._todays: dict[tuple[str, dt.date, dt.date], tuple[LadderStep, ...]] = {}

    def window(self) -> tuple[dt.date, dt.date]:
        """The deadlines for which some plan's ladder has a step between first_day and day."""
        lows, highs = [], []
        for calendar, policy in self.rules.values():
            lows.append(calendar.add_working_days(self.first_day, -policy.level2_after))
            highs.append(calendar.add_working_days(self.day, max(policy.reminders_before, default=0)))
        return (min(lows), max(highs)) if lows else (self.day, self.day)

    def todays(self, plan_id: str, deadline: dt.date, opens_on: dt.date, whole: bool = False) -> tuple[LadderStep, ...]:
        """The latest step of each level planned between first_day and day, by level; with
        ``whole``, of every level that has come due by day (a ladder caught up from its start)."""
        key = (plan_id, deadline, opens_on, whole)
        found = self._todays.get(key)
        if found is None:
            calendar, policy = self.rules[plan_id]
            since = dt.date.min if whole else self.first_day
            latest: dict[int, LadderStep] = {}
            for step in ladder(deadline, opens_on, calendar, policy, self.day):  # in date order
                if step.on >= since:
                    latest[step.level] = step
            found = self._todays[key] = tuple(latest[level] for level in sorted(latest))
        return found

    def started(self, plan_id: str, deadline: dt.date, opens_on: dt.date) -> bool:
        """Whether the ladder has a step on or before day (the watch takes it up then)."""
        return bool(self.todays(plan_id, deadline, opens_on, True))


NOTICE_COLUMNS = ("occurrence_id", "stage", "deadline", "recipient_id", "channel", "level", "planned_on")
KEY_COLUMNS = NOTICE_COLUMNS[:5]  # the outbox's unique key
_KEY = tuple(Notice.__table__.c[name] for name in KEY_COLUMNS)
NoticeKey = tuple[int, str, dt.date, str, str]  # occurrence, stage, deadline, recipient, channel


def _known_keys(session: Session, occurrence_ids: list[int]) -> set[NoticeKey]:
    """The notices these occurrences already have (their keys), read through the unique key."""
    keys: set[NoticeKey] = set()
    connection = session.connection()  # Core rows: no ORM bookkeeping for thousands of them
    for chunk in range(0, len(occurrence_ids), 5000):
        ids = occurrence_ids[chunk : chunk + 5000]
        keys.update(tuple(row) for row in connection.execute(select(*_KEY).where(among(session, Notice.occurrence_id, ids))).all())
    return keys


def _acknowledged(session: Session, low: dt.date, high: dt.date) -> set[tuple[int, dt.date]]:
    """The (occurrence, deadline) pairs of the window whose escalation a coordinator took up:
    a handful, read from the small partial index of acknowledged notices."""
    query = _statements().acknowledged
    return {tuple(row) for row in session.connection().execute(query, {"low": low, "high": high}).all()}


def _written_by(session: Session, rows: list[tuple], as_of: dt.datetime) -> list[tuple]:
    """Those of ``rows`` written as of ``as_of`` (a concurrent twin run of the same instant
    would be counted by both runs, never written twice)."""
    wanted = {row[:5]: row for row in rows}
    found = session.connection().execute(
        select(*_KEY).where(among(session, Notice.occurrence_id, {row[0] for row in rows}), Notice.created_at == as_of)
    ).all()
    return [wanted[tuple(key)] for key in found if tuple(key) in wanted]


def _insert_new(session: Session, rows: list[tuple], as_of: dt.datetime) -> int:
    """Queue notices (tuples in NOTICE_COLUMNS order) as of ``as_of``; a row whose key exists
    already is skipped by the database. Returns how many were written."""
    queued = {"created_at": as_of, "state": "pending", "attempts": 0, "next_attempt_at": as_of}
    return insert_rows(session, Notice.__table__, NOTICE_COLUMNS, rows, constants=queued, skip_duplicates_of=KEY_COLUMNS)


@dataclass(frozen=True)
class _Statements:
    previous_run: Select
    later_run: Select
    window: tuple[Select, Select]  # the open occurrences with a deadline between :low and :high
    unwatched: tuple[Select, Select]  # the open ladders not taken up, deadline up to :high
    overdue: tuple[Select, Select]  # how many open occurrences of plans in force are past their deadline
    acknowledged: Select


def _open_branches() -> tuple:
    # "Open at as_of" is two range reads, not one OR: SQLite's OR plan would drop the deadline
    # range from the index search and read every open row, whatever the window.
    as_of = bindparam("as_of", type_=UTCDateTime)
    return (Occurrence.first_submitted_at.is_(None), Occurrence.first_submitted_at > as_of)


@lru_cache(maxsize=1)
def _statements() -> _Statements:
    """The watch's statements, built once with named parameters: building one costs more than
    running it (half a millisecond each, every morning of a replay)."""
    day = bindparam("day", type_=Date)
    live = and_(Occurrence.retired.is_(False), Obligation.retired.is_(False), Plan.retired.is_(False))
    columns = (Occurrence.id, Obligation.plan_id, Occurrence.unit_id, Occurrence.opens_on, Occurrence.current_due_date,
               Obligation.id, Plan.period_end)
    rows = (
        select(*columns)
        .join(Obligation, Occurrence.obligation_id == Obligation.id)
        .join(Plan, Obligation.plan_id == Plan.id)
        .where(live, Occurrence.opens_on <= day)
    )
    window = rows.where(Occurrence.current_due_date.between(bindparam("low"), bindparam("high")))
    # Not handed in: written as the partial index ix_occurrence_unwatched is, so that SQLite can
    # read it; the occurrence's retired flag inside coalesce, since without statistics SQLite
    # would rather search the open rows' index by it: every open row of the past, each morning.
    # Handed in after as_of (a watch of a past day): those few, through the open rows' index.
    joined = (
        select(*columns)
        .join(Obligation, Occurrence.obligation_id == Obligation.id)
        .join(Plan, Obligation.plan_id == Plan.id)
        .where(Obligation.retired.is_(False), Plan.retired.is_(False), Occurrence.opens_on <= day,
               Occurrence.current_due_date <= bindparam("high"))
    )
    unwatched = (
        joined.where(func.coalesce(Occurrence.retired, True).is_(False), Occurrence.first_submitted_at.is_(None),
                     text(f"({UNWATCHED})")),
        joined.where(Occurrence.retired.is_(False), Occurrence.first_submitted_at > bindparam("as_of", type_=UTCDateTime),
                     text(f"({UNWATCHED})")),
    )
    overdue = (
        select(func.count())
        .select_from(Occurrence)
        .join(Obligation, Occurrence.obligation_id == Obligation.id)
        .join(Plan, Obligation.plan_id == Plan.id)
        .where(live, Occurrence.current_due_date < day, Plan.period_end >= day)
    )
    branches = _open_branches()
    return _Statements(
        previous_run=select(func.max(WatchRun.day)).where(WatchRun.day < day),
        later_run=select(WatchRun.id).where(WatchRun.day >= day).limit(1),
        window=tuple(window.where(branch) for branch in branches),
        unwatched=unwatched,
        overdue=tuple(overdue.where(branch) for branch in branches),
        acknowledged=select(Notice.occurrence_id, Notice.deadline).where(
            Notice.acknowledged_at.is_not(None), Notice.deadline.between(bindparam("low"), bindparam("high"))
        ),
    )


def _take_up(session: Session, ladders: dict[dt.date, list[int]]) -> None:
    """Mark these ladders (occurrence ids by the deadline the watch saw) as taken up; a
    deadline moved meanwhile stays to be caught up."""
    for deadline, ids in ladders.items():
        for chunk in range(0, len(ids), 5000):
            session.execute(
                update(Occurrence)
                .where(among(session, Occurrence.id, ids[chunk : chunk + 5000]), Occurrence.current_due_date == deadline)
                .values(watched_due_date=deadline)
                .execution_options(synchronize_session=False)
            )


def watch(session: Session, as_of: dt.datetime, directory: Directory | None = None) -> WatchReport:
    """Find today's ladder steps for every open occurrence and write them to the outbox.

    The days since the store's last watch run are caught up (the latest step of each level),
    and a ladder not taken up before from its own start, for the plans in force (module doc).
    ``directory`` may carry units and plans read before (a replay keeps one for all its days).
    """
    directory = directory or Directory()
    day = local_date(as_of)
    statements = _statements()
    connection = session.connection()
    previous = connection.execute(statements.previous_run, {"day": day}).scalar()
    first_day = day if previous is None else previous + dt.timedelta(days=1)
    report = WatchReport(as_of, day, first_day)
    plans = _Plans(directory.rules(session), first_day, day)
    low, high = plans.window()
    bounds = {"low": low, "high": high, "day": day, "as_of": as_of}
    # .all() everywhere here: iterating a result fetches row by row, a fetchall is one C call.
    found = {row[0]: row for query in statements.window for row in connection.execute(query, bounds).all()}
    unwatched = {row[0]: row for query in statements.unwatched for row in connection.execute(query, bounds).all()}
    found.update(unwatched)
    rows = sorted(found.values())
    report.overdue_total = sum(connection.execute(query, bounds).scalar() for query in statements.overdue)

    # The escalation chain of the morning's units (level 2 is the top of the ladder).
    directory.chains(session, {row[2] for row in rows})
    directory.overrides(session)
    directory.load(session, directory.coordinators())  # the plans' own chains
    stepped = []  # (occurrence, plan, unit, deadline, category, steps of today, obligation)
    taken_up: dict[dt.date, list[int]] = {}  # the ladders this run takes up, by deadline
    unit, todays = directory.unit, plans.todays
    for occurrence_id, plan_id, unit_id, opens_on, deadline, obligation_id, period_end in rows:
        whole = False
        if occurrence_id in unwatched and plans.started(plan_id, deadline, opens_on):  # else its first step is ahead
            taken_up.setdefault(deadline, []).append(occurrence_id)
            whole = period_end >= day  # a plan that has ended: only the watch's own days
        entry = unit(unit_id)
        if entry is None or not entry.live:
            continue
        steps = todays(plan_id, deadline, opens_on, whole)
        if not steps and deadline < low:
            continue  # an old ladder of an ended plan, read to be taken up: not in the window
        category = "due_soon" if deadline > day else "due_today" if deadline == day else "overdue"
        stepped.append((occurrence_id, plan_id, unit_id, deadline, category, steps, obligation_id))
    acknowledged = _acknowledged(session, min((row[4] for row in rows), default=low), high)
    # Today's keys can exist already only if a run covered these days before (a second run of
    # the same morning, or a watch of a past day): then they are read and left out. A first run
    # skips that read; the unique key still refuses a row written meanwhile by a concurrent
    # watch, or planned by an earlier run on another day before a calendar change.
    first_run = connection.execute(statements.later_run, {"day": first_day}).first() is None
    # Only occurrences with a step today can need a notice: most of the window is quiet on any given day.
    existing = set() if first_run else _known_keys(session, [entry[0] for entry in stepped if entry[5]])

    addressed: list[tuple[Finding, LadderStep, str]] = []
    for occurrence_id, plan_id, unit_id, deadline, category, steps, obligation_id in stepped:
        if steps and acknowledged and (occurrence_id, deadline) in acknowledged:
            steps = tuple(s for s in steps if s.level == 0)
        finding = Finding(occurrence_id, plan_id, unit_id, deadline, category, steps)
        report.findings.append(finding)
        for step in steps:
            recipient = directory.recipient(unit_id, 0) if step.level == 0 else directory.escalation_recipient(
                unit_id, step.level, plan_id, obligation_id)
            if recipient is None:
                report.unreachable.add(f"{unit_id} (cấp {step.level})")
            else:
                addressed.append((finding, step, recipient))

    # Recipients come from the chains read above: their entries are at hand.
    channels = {recipient: unit(recipient).channels for recipient in {r for _, _, r in addressed}}
    report.unreachable.update(recipient for recipient, found in channels.items() if not found)
    new = [
        (finding.occurrence_id, step.stage, finding.deadline, recipient, channel, step.level, step.on)
        for finding, step, recipient in addressed
        for channel in channels[recipient]
        if (finding.occurrence_id, step.stage, finding.deadline, recipient, channel) not in existing
    ]
    report.notices_created = _insert_new(session, new, as_of)
    if report.notices_created < len(new):  # the database refused some: count what this run wrote
        new = _written_by(session, new, as_of)
    report.by_stage = Counter(stage_kind(row[1]) for row in new)
    _take_up(session, taken_up)
    session.add(WatchRun(as_of=as_of, day=day, found=report.summary(), notices_created=report.notices_created))
    session.flush()
    return report


# --- coordinator actions ------------------------------------------------------------------


def acknowledge_escalation(
    session: Session, occurrence: Occurrence, acknowledged_by: str, acknowledged_at: dt.datetime
) -> int:
    """A coordinator takes up an escalated occurrence: no further escalation for this deadline.

    Marks the escalation notices of the deadline in force; those not yet sent are cancelled.
    Reminders and overdue notices to the unit itself go on. Returns the notices marked.
    """
    if not acknowledged_by.strip():
        raise PlantrackError("say who acknowledges the escalation")
    deadline = occurrence.current_due_date
    of_this_ladder = and_(
        Notice.occurrence_id == occurrence.id, Notice.deadline == deadline, Notice.level > 0,
        Notice.acknowledged_at.is_(None),
    )
    if not session.scalar(select(func.count()).select_from(Notice).where(of_this_ladder)):
        raise PlantrackError(f"occurrence #{occurrence.id} has no escalation for its deadline {deadline:%d/%m/%Y} to acknowledge")
    session.execute(
        update(Notice)
        .where(of_this_ladder, Notice.state == "pending")
        .values(state="cancelled", result=f"acknowledged by {acknowledged_by} before sending")
    )
    marked = session.execute(
        update(Notice).where(of_this_ladder).values(acknowledged_at=acknowledged_at, acknowledged_by=acknowledged_by)
    ).rowcount
    return marked
