"""Replay: run the morning watch day by day over a date range, with a simulated clock.

Each working day at ``at`` (07:30 by default): the scenario's events up to that instant are
recorded (explicit submissions and extensions, then the habits' submissions), the watch
writes the day's notices, and ``deliver`` (the dispatcher, given by the entry point) sends
them. The result is the plan's history as the engine would have lived it.
"""

from __future__ import annotations

import datetime as dt
import gc
from collections import Counter
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Callable

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from .calendar import TIMEZONE, WorkCalendar
from .counted import after_handins
from .deadlines import NO_DEADLINE
from .directory import Directory
from .errors import PlantrackError
from .scenario import Habit, ScenarioFeed, ScenarioFile, ScenarioResult
from .store.bulk import insert_rows, update_rows
from .store.database import Store
from .store.models import Obligation, Occurrence, Plan, Submission, WatchRun
from .tracking import find_occurrence
from .watch import WatchReport, watch

HABIT_TIME = dt.time(9, 0)  # habits hand in at 09:00, after that morning's watch
# Working days between two VACUUMs on PostgreSQL. Since the dispatcher reads an index of
# pending notices only, dead row versions barely slow it down: every 80 days replays three
# national years as fast as every 20 or 40 (and every 160: within the machine's noise), and
# vacuums less.
TIDY_EVERY = 80


@dataclass
class ReplayDay:
    day: dt.date
    watch: WatchReport
    explicit: ScenarioResult
    habit_submissions: int
    dispatched: dict | None

    @property
    def quiet(self) -> bool:
        sent = (self.dispatched or {}).get("messages_sent", 0)
        return not (self.watch.notices_created or sent or self.habit_submissions or self.explicit.submissions or self.explicit.extensions)


@dataclass
class ReplayReport:
    start: dt.date
    end: dt.date
    days_watched: int = 0
    notices_by_stage: Counter = field(default_factory=Counter)
    notices_created: int = 0
    submissions: int = 0
    extensions: int = 0
    dispatched: Counter = field(default_factory=Counter)


def habit_submissions(session: Session, scenario: ScenarioFile, start: dt.date, end: dt.date) -> dict[dt.date, list[int]]:
    """The occurrences the habits hand in on each day up to ``end`` (at HABIT_TIME).

    Occurrences named by an explicit event of the scenario are left to those events. Kept
    compact (a national plan has hundreds of thousands), and read in a stream.
    """
    if not scenario.habits:
        return {}
    named = set()
    for event in [*scenario.submissions, *scenario.extensions]:
        named.add(find_occurrence(session, None, event.plan, event.obligation, event.unit, event.period).id)
    calendars = {plan.id: WorkCalendar.from_dict(plan.calendar) for plan in session.scalars(select(Plan))}
    rows = session.connection().execute(
        select(
            Occurrence.id, Occurrence.unit_id, Occurrence.period_key, Occurrence.opens_on, Occurrence.current_due_date,
            Obligation.plan_id, Obligation.key,
        )
        .join(Obligation, Occurrence.obligation_id == Obligation.id)
        .join(Plan, Obligation.plan_id == Plan.id)
        .where(
            Occurrence.retired.is_(False), Obligation.retired.is_(False), Plan.retired.is_(False),
            Occurrence.first_submitted_at.is_(None), Occurrence.opens_on <= end,
        )
        .execution_options(yield_per=5000)
    )
    found: dict[dt.date, list[int]] = {}
    # Patterns are matched once per unit and obligation, and each hand-in day reckoned once
    # per deadline: a national plan has a few hundred of each, but hundreds of thousands of
    # occurrences.
    fitting: dict[tuple[str, str, str], list[Habit]] = {}
    days: dict[tuple[str, dt.date, int], dt.date] = {}
    for occurrence_id, unit_id, period_key, opens_on, due, plan_id, key in (row for part in rows.partitions() for row in part):
        if occurrence_id in named or due == NO_DEADLINE:
            continue  # a habit is reckoned from a deadline: work with none yet is left to explicit events
        habits = fitting.get((unit_id, plan_id, key))
        if habits is None:
            habits = fitting[unit_id, plan_id, key] = [h for h in scenario.habits if h.matches(unit_id, plan_id, key)]
        habit = next((h for h in habits if h.picks(unit_id, plan_id, key, period_key)), None)
        if habit is None or habit.submits == "never":
            continue
        offset = -habit.working_days if habit.submits == "on_time" else max(habit.working_days, 1)
        day = days.get((plan_id, due, offset))
        if day is None:
            day = days[plan_id, due, offset] = calendars[plan_id].add_working_days(due, offset) if offset else due
        day = max(day, opens_on)
        if day <= end:
            found.setdefault(day, []).append(occurrence_id)
    return found


def _habit_instant(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, HABIT_TIME, tzinfo=TIMEZONE)


def _record(session: Session, habits: dict[dt.date, list[int]], days: list[dt.date]) -> int:
    """Bulk-record the habits' submissions of ``days``; returns how many."""
    for day in days:
        at, handed_in = _habit_instant(day), [(occurrence_id,) for occurrence_id in habits[day]]
        insert_rows(session, Submission.__table__, ("occurrence_id",), handed_in,
                    constants={"submitted_at": at, "recorded_by": "scenario habit"})
        update_rows(session, Occurrence.__table__, "id", (), handed_in, constants={"first_submitted_at": at, "submitted_on": day})
        after_handins(session, habits[day])  # a step counted from these reports is dated now
    return sum(len(habits[day]) for day in days)


@contextmanager
def _rare_collections():
    """Run the cycle collector rarely, and never over what was alive before.

    A replay allocates millions of short-lived rows and tuples, all freed by reference
    counting. At Python's default thresholds the collector ran 3,500 times in one simulated
    year, walking the long-lived objects (SQLAlchemy's metadata, the directory) each time:
    a seventh of the replay's time.
    """
    gc.collect()
    gc.freeze()
    before = gc.get_threshold()
    gc.set_threshold(20_000, 20, 20)
    try:
        yield
    finally:
        gc.set_threshold(*before)
        gc.unfreeze()


def replay(
    store: Store,
    start: dt.date,
    end: dt.date,
    scenario: ScenarioFile | None = None,
    deliver: Callable[[dt.datetime, Directory], dict] | None = None,
    at: dt.time = dt.time(7, 30),
    on_day: Callable[[ReplayDay], None] | None = None,
    calendar: WorkCalendar | None = None,
    overlap: bool | None = None,
) -> ReplayReport:
    """Watch (and deliver) every working day from ``start`` to ``end``, as of ``at`` local time.

    ``deliver(as_of, directory)`` dispatches that morning's notices. The units and plans are
    read once for the whole replay (its ``directory``): a scenario never changes them.
    ``overlap`` runs each delivery beside the next morning's watch (see ``_Courier``); by
    default it does on PostgreSQL. ``on_day`` hears of each day once its delivery has ended.
    """
    if end < start:
        raise PlantrackError("the replay ends before it starts")
    postgresql = store.engine.dialect.name == "postgresql"
    if overlap and not postgresql:
        raise PlantrackError("a replay overlaps deliveries only on PostgreSQL: SQLite has one writer at a time")
    with _rare_collections():
        return _replay(store, start, end, scenario, deliver, at, on_day, calendar or WorkCalendar(),
                       postgresql if overlap is None else overlap)


class _Courier:
    """Runs each morning's ``deliver`` (and the store's tidying, when due). With ``beside``
    (PostgreSQL), in a thread, while the next morning's watch is already reading and writing;
    otherwise at once.

    The next morning's transaction waits for the delivery before it commits (``collect``), so
    every delivery sees the store exactly as it stood on its own morning: the later habits,
    extensions and notices are not yet committed. A dispatch and a watch touch different rows
    (a dispatch updates notices that exist; a watch inserts new ones and updates occurrences),
    and the delivery never waits for the watch's locks. SQLite has one writer at a time:
    there the delivery runs in line, as it would without a courier.
    """

    def __init__(self, deliver: Callable[[dt.datetime, Directory], dict] | None, beside: bool):
        self.deliver = deliver
        self.pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="plantrack-replay") if deliver and beside else None
        # Each thread its own: a directory caches as it reads, and is not shared across threads.
        self.directory = Directory() if self.pool else None
        self.running: Future | None = None
        self.done: dict | None = None

    def start(self, as_of: dt.datetime, directory: Directory, then: Callable[[], None] | None = None) -> None:
        """Deliver the notices of ``as_of``, then run ``then`` (the store's tidying) on the same thread."""

        def run() -> dict | None:
            own = self.directory if self.directory is not None else directory
            done = self.deliver(as_of, own) if self.deliver else None
            if then is not None:
                then()
            return done

        if self.pool:
            self.running = self.pool.submit(run)
        else:
            self.done = run()

    def collect(self) -> dict | None:
        """The last delivery's summary, once it has ended (its error, if it failed)."""
        if self.running is not None:
            running, self.running = self.running, None
            self.done = running.result()
        done, self.done = self.done, None
        return done

    def close(self) -> None:
        if self.pool:
            self.pool.shutdown(wait=True)


def _replay(
    store: Store, start: dt.date, end: dt.date, scenario: ScenarioFile | None, deliver: Callable | None, at: dt.time,
    on_day: Callable[[ReplayDay], None] | None, calendar: WorkCalendar, overlap: bool,
) -> ReplayReport:
    with store.session() as session:
        last = session.scalar(select(func.max(WatchRun.day)))
        if last is not None and last >= start:
            raise PlantrackError(f"the store already has watch runs up to {last:%d/%m/%Y}; replay into a fresh database")
        habits = habit_submissions(session, scenario, start, end) if scenario else {}
    habit_days = sorted(habits)
    # Fresh statistics before the first morning: a store just synced (or built) has none, and
    # the planner then read every occurrence (a hash join) to build each day's digests.
    store.tidy()
    directory = Directory()
    feed = ScenarioFeed(scenario) if scenario else None
    report = ReplayReport(start, end)
    courier = _Courier(deliver, beside=overlap)
    morning: tuple | None = None  # (day, watch report, explicit events, habits) of the delivery under way

    def account(day: dt.date, found: WatchReport, explicit: ScenarioResult, handed_in: int, dispatched: dict | None):
        result = ReplayDay(day, found, explicit, handed_in, dispatched)
        report.days_watched += 1
        report.notices_created += found.notices_created
        report.notices_by_stage.update(found.by_stage)
        report.submissions += explicit.submissions + handed_in
        report.extensions += explicit.extensions
        for key, value in (dispatched or {}).items():
            if isinstance(value, int):
                report.dispatched[key] += value
        if on_day is not None:
            on_day(result)

    next_habit = 0  # index into habit_days of the first day not recorded yet
    mornings = 0
    day = start
    try:
        while day <= end:
            if calendar.is_working_day(day):
                as_of = dt.datetime.combine(day, at, tzinfo=TIMEZONE)
                with store.transaction() as session:
                    explicit = feed.apply_until(session, as_of) if feed else ScenarioResult()
                    first = next_habit
                    while next_habit < len(habit_days) and _habit_instant(habit_days[next_habit]) <= as_of:
                        next_habit += 1
                    handed_in = _record(session, habits, habit_days[first:next_habit])
                    found = watch(session, as_of, directory=directory)
                    dispatched = courier.collect()  # before this morning commits: see _Courier
                if morning is not None:
                    account(*morning, dispatched)
                mornings += 1
                # Vacuuming takes a second or so late in a national replay: on PostgreSQL it
                # runs after the delivery, beside the next watch (the two do not block each other).
                courier.start(as_of, directory, then=store.tidy if mornings % TIDY_EVERY == 0 else None)
                morning = (day, found, explicit, handed_in)
            day += dt.timedelta(days=1)
        if morning is not None:
            account(*morning, courier.collect())
    finally:
        courier.close()
    # Habit submissions made after the last watch (the day's 09:00) still happened.
    with store.transaction() as session:
        report.submissions += _record(session, habits, [d for d in habit_days[next_habit:] if d <= end])
    return report
