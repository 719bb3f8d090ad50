"""Replay: run the morning watch day by day over a date range, with a simulated clock.

Each working day at ``at`` (07:30 by default): the scenario's events up to that instant are
recorded (explicit submissions and extensions, then the habits' submissions), the watch
writes the day's notices, and ``deliver`` (the dispatcher, given by the entry point) sends
them. The result is the plan's history as the engine would have lived it.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from typing import Callable

from sqlalchemy import func, insert, select, update
from sqlalchemy.orm import Session

from .calendar import TIMEZONE, WorkCalendar
from .errors import PlantrackError
from .scenario import ScenarioFeed, ScenarioFile, ScenarioResult
from .store.database import Store
from .store.models import Obligation, Occurrence, Plan, Submission, WatchRun
from .tracking import find_occurrence
from .watch import WatchReport, watch

HABIT_TIME = dt.time(9, 0)  # habits hand in at 09:00, after that morning's watch


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


def habit_submissions(session: Session, scenario: ScenarioFile, start: dt.date, end: dt.date) -> list[tuple[dt.datetime, int]]:
    """(instant, occurrence id) of every submission the habits make up to ``end``, in time order.

    Occurrences named by an explicit event of the scenario are left to those events.
    """
    if not scenario.habits:
        return []
    named = set()
    for event in [*scenario.submissions, *scenario.extensions]:
        named.add(find_occurrence(session, None, event.plan, event.obligation, event.unit, event.period).id)
    calendars = {plan.id: WorkCalendar.from_dict(plan.calendar) for plan in session.scalars(select(Plan))}
    rows = session.execute(
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
    )
    found = []
    for occurrence_id, unit_id, period_key, opens_on, due, plan_id, key in rows:
        if occurrence_id in named:
            continue
        habit = next((h for h in scenario.habits if h.takes(unit_id, plan_id, key, period_key)), None)
        if habit is None or habit.submits == "never":
            continue
        offset = -habit.working_days if habit.submits == "on_time" else max(habit.working_days, 1)
        day = max(calendars[plan_id].add_working_days(due, offset) if offset else due, opens_on)
        if day <= end:
            found.append((dt.datetime.combine(day, HABIT_TIME, tzinfo=TIMEZONE), occurrence_id))
    return sorted(found)


def _record(session: Session, batch: list[tuple[dt.datetime, int]]) -> None:
    """Bulk-record habit submissions (a replay of a national plan makes hundreds of thousands)."""
    if not batch:
        return
    session.execute(
        insert(Submission),
        [{"occurrence_id": oid, "submitted_at": at, "recorded_by": "scenario habit"} for at, oid in batch],
    )
    session.execute(update(Occurrence), [{"id": oid, "first_submitted_at": at} for at, oid in batch])


def replay(
    store: Store,
    start: dt.date,
    end: dt.date,
    scenario: ScenarioFile | None = None,
    deliver: Callable[[dt.datetime], dict] | None = None,
    at: dt.time = dt.time(7, 30),
    on_day: Callable[[ReplayDay], None] | None = None,
    calendar: WorkCalendar | None = None,
) -> ReplayReport:
    """Watch (and deliver) every working day from ``start`` to ``end``, as of ``at`` local time."""
    if end < start:
        raise PlantrackError("the replay ends before it starts")
    calendar = calendar or WorkCalendar()
    with store.session() as session:
        last = session.scalar(select(func.max(WatchRun.day)))
        if last is not None and last >= start:
            raise PlantrackError(f"the store already has watch runs up to {last:%d/%m/%Y}; replay into a fresh database")
        habits = habit_submissions(session, scenario, start, end) if scenario else []
    feed = ScenarioFeed(scenario) if scenario else None
    report = ReplayReport(start, end)
    next_habit = 0
    day = start
    while day <= end:
        if calendar.is_working_day(day):
            as_of = dt.datetime.combine(day, at, tzinfo=TIMEZONE)
            with store.transaction() as session:
                explicit = feed.apply_until(session, as_of) if feed else ScenarioResult()
                first = next_habit
                while next_habit < len(habits) and habits[next_habit][0] <= as_of:
                    next_habit += 1
                _record(session, habits[first:next_habit])
                found = watch(session, as_of)
            dispatched = deliver(as_of) if deliver else None
            result = ReplayDay(day, found, explicit, next_habit - first, dispatched)
            report.days_watched += 1
            report.notices_created += found.notices_created
            report.notices_by_stage.update(found.by_stage)
            report.submissions += explicit.submissions + result.habit_submissions
            report.extensions += explicit.extensions
            for key, value in (dispatched or {}).items():
                if isinstance(value, int):
                    report.dispatched[key] += value
            if on_day is not None:
                on_day(result)
        day += dt.timedelta(days=1)
    # Habit submissions made after the last watch (the day's 09:00) still happened.
    with store.transaction() as session:
        after_last_watch = [h for h in habits[next_habit:] if h[0].date() <= end]
        _record(session, after_last_watch)
        report.submissions += len(after_last_watch)
    return report
