"""Statuses counted in SQL: what a coordinator's page needs, without loading the occurrences.

``tracking.classify`` says where one occurrence stands; this module says the same thing as one
SQL expression, so that a page asks the database for counts (by plan, unit, report period and
status) and gets a few thousand rows back whatever the number of occurrences behind them:

- the deadline in force at an instant is the occurrence's own, or the latest extension or
  amendment granted by then (a correlated subquery, read only for occurrences that have one:
  ``current_due_date`` differs from ``due_date``);
- a hand-in by ``as_of`` is on time when its local day (``submitted_on``) is no later than the
  deadline in force **when it came**; otherwise the occurrence is overdue, not open yet or in
  progress on ``as_of``'s local day, or open with no deadline (``no_deadline``: the deadline in
  force is the marker ``deadlines.NO_DEADLINE``, read from the same index).

``tests/test_rollup.py`` checks it against ``tracking.status_rows`` row for row.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Date, and_, case, func, literal, select
from sqlalchemy.sql.elements import ColumnElement

from .calendar import local_date
from .deadlines import NO_DEADLINE
from .store.models import Extension, Obligation, Occurrence, UTCDateTime

OCC = Occurrence.__table__
EXT = Extension.__table__


def due_in_force(instant) -> ColumnElement:
    """The deadline in force at ``instant`` (a column or a literal instant)."""
    latest = (
        select(EXT.c.new_due_date)
        .where(EXT.c.occurrence_id == OCC.c.id, EXT.c.granted_at <= instant)
        .order_by(EXT.c.granted_at.desc(), EXT.c.id.desc())
        .limit(1)
        .scalar_subquery()
    )
    return case((OCC.c.current_due_date == OCC.c.due_date, OCC.c.due_date), else_=func.coalesce(latest, OCC.c.due_date))


def instant(as_of: dt.datetime):
    return literal(as_of, UTCDateTime())


def status(as_of: dt.datetime, due_now: ColumnElement | None = None) -> ColumnElement:
    """A ``tracking.Status`` value, as ``classify`` gives it, for each occurrence row."""
    now = instant(as_of)
    today = literal(local_date(as_of), Date())
    handed_in = and_(OCC.c.first_submitted_at.is_not(None), OCC.c.first_submitted_at <= now)
    due = due_now if due_now is not None else due_in_force(now)
    return case(
        (handed_in, case((OCC.c.submitted_on <= due_in_force(OCC.c.first_submitted_at), "on_time"), else_="late")),
        (today > due, "overdue"),
        (today < OCC.c.opens_on, "not_open"),
        (due == literal(NO_DEADLINE, Date()), "no_deadline"),  # the text gives no date, none set yet
        else_="in_progress",
    )


def period_index(due: ColumnElement, ends: list[dt.date]) -> ColumnElement:
    """The index of the report period holding ``due`` (periods end on ``ends``); deadlines past
    the last end count in the last period, as ``progress`` places them."""
    if len(ends) < 2:
        return literal(0)  # one period holds every deadline (a CASE needs at least one WHEN)
    return case(*((due <= literal(end, Date()), index) for index, end in enumerate(ends[:-1])), else_=len(ends) - 1)


def live_occurrences(plan_ids: list[str]):
    """The live occurrences of live obligations of these plans, joined to their obligation.

    The occurrences are picked by obligation from ``ix_occurrence_status``, which holds every
    column ``status`` reads: the wide rows themselves are not read."""
    obligations = Obligation.__table__
    wanted = select(obligations.c.id).where(obligations.c.plan_id.in_(plan_ids), obligations.c.retired.is_(False))
    return (
        OCC.join(obligations, OCC.c.obligation_id == obligations.c.id),
        # "retired IS NOT true", not "IS false": SQLite would pick the index that starts with
        # retired (every row) over the one by obligation.
        and_(OCC.c.obligation_id.in_(wanted), OCC.c.retired.is_not(True), obligations.c.retired.is_(False),
             obligations.c.plan_id.in_(plan_ids)),
    )
