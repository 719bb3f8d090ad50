"""Work the text gives no date: finding it and setting its deadline.

``unscheduled``, ``external`` and ``after`` an event (``plantrack/rules``) make occurrences
whose deadline is ``deadlines.NO_DEADLINE``: tracked as open, "chưa có thời hạn", never chased
(the watch reads deadlines in a window of days around today, which that marker never enters).
A coordinator sets the date when it is known (the event happened, the law's schedule came
out): ``set_deadline`` records it like an extension, as of that instant, with who set it and
the reference it follows, so ``status --as-of`` an earlier instant still sees no deadline and
the watch reminds and chases from then on. Nothing here reads the clock.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from .deadlines import NO_DEADLINE, NO_DEADLINE_VI, set_deadline_deadline
from .errors import PlantrackError
from .store.models import Extension, Obligation, Occurrence, Unit
from .text import MAX_REASON, MAX_TITLE, single_line, text_block
from .tracking import (
    OccurrenceStatus, Status, effective_due_date, plan_calendar, previous_limit, resolve_plan, resolve_unit, status_rows,
)


def set_deadline(
    session: Session, occurrence: Occurrence, new_date: dt.date, reference: str, set_by: str, set_at: dt.datetime,
) -> Extension:
    """A coordinator sets the deadline ("chậm nhất ngày ``new_date``") of work that has none,
    following ``reference`` (the decision or document that fixes it). Refused for work that has
    a deadline already (that is an extension), for a date before the plan or more than a year
    after it, and before the occurrence's last recorded change."""
    reference = text_block(reference, "reference", MAX_REASON)
    set_by = single_line(set_by, "who sets it", MAX_TITLE)
    if not reference or not set_by:
        raise PlantrackError("setting a deadline needs the reference it follows and who sets it")
    if effective_due_date(occurrence, set_at) != NO_DEADLINE:
        raise PlantrackError(f"occurrence #{occurrence.id} has a deadline already: extend it (plantrack extend) instead")
    if occurrence.extensions and set_at < occurrence.extensions[-1].granted_at:
        raise PlantrackError("a deadline cannot be set before the last change of this occurrence")
    plan = occurrence.obligation.plan
    if new_date < plan.issued_on:
        raise PlantrackError(f"the date {new_date:%d/%m/%Y} is before the plan was issued ({plan.issued_on:%d/%m/%Y})")
    if new_date > previous_limit(occurrence):
        raise PlantrackError(f"the date {new_date:%d/%m/%Y} is more than a year after the plan ends ({plan.period_end:%d/%m/%Y})")
    deadline = set_deadline_deadline(new_date, reference, set_by, plan_calendar(plan))
    due = max(deadline.due_date, occurrence.opens_on)
    extension = Extension(
        occurrence=occurrence, previous_due_date=NO_DEADLINE, new_due_date=due, reason=reference,
        approved_by=set_by, granted_at=set_at, explanation=deadline.explanation(),
    )
    session.add(extension)
    occurrence.current_due_date = due
    return extension


def undated_occurrences(
    session: Session, plan: str, obligation: str, unit: str | None = None, period: str | None = None,
) -> list[Occurrence]:
    """The live occurrences of one obligation that have no deadline in force now (the stored
    one is the marker), for one unit and one period when given."""
    plan_row = resolve_plan(session, plan)
    found = session.scalars(select(Obligation).where(Obligation.plan_id == plan_row.id, Obligation.key == obligation,
                                                     Obligation.retired.is_(False))).first()
    if found is None:
        raise PlantrackError(f"plan {plan_row.id} has no obligation {obligation!r}")
    query = select(Occurrence).where(Occurrence.obligation_id == found.id, Occurrence.retired.is_(False),
                                     Occurrence.current_due_date == NO_DEADLINE).order_by(Occurrence.unit_id, Occurrence.period_key)
    if unit is not None:
        query = query.where(Occurrence.unit_id == resolve_unit(session, unit).id)
    if period is not None:
        query = query.where(Occurrence.period_key == period)
    rows = list(session.scalars(query))
    if not rows:
        raise PlantrackError(f"{plan_row.id}/{obligation}" + (f" for {unit}" if unit else "") + (f" in period {period!r}" if period else "")
                             + " has no occurrence without a deadline")
    return rows


def open_undated(session: Session, as_of: dt.datetime, plan: str | None = None, unit: str | None = None) -> list[OccurrenceStatus]:
    """The open occurrences with no deadline as of ``as_of`` (of a plan and those implementing
    it, of a unit and those under it), as ``status_rows`` gives them."""
    return [row for row in status_rows(session, as_of, plan, unit) if row.status is Status.NO_DEADLINE]


def undated_by_obligation(session: Session, plan_id: str, unit_ok=lambda unit_id: True) -> list[dict]:
    """A plan's own obligations that have open occurrences with no deadline (as stored now),
    each with its title, the text's words, the units (id -> name) and the periods still waiting
    for a date: what a plan's page lists, with the form that sets the date."""
    rows = session.execute(
        select(Obligation.key, Obligation.title, Occurrence.due_text, Occurrence.unit_id, Occurrence.period_key,
               func.coalesce(Unit.short_name, Unit.name))
        .join(Occurrence, Occurrence.obligation_id == Obligation.id)
        .join(Unit, Unit.id == Occurrence.unit_id)
        .where(Obligation.plan_id == plan_id, Obligation.retired.is_(False), Occurrence.retired.is_(False),
               Occurrence.current_due_date == NO_DEADLINE, Occurrence.first_submitted_at.is_(None))
        .order_by(Obligation.section, Obligation.key, Occurrence.period_key, Occurrence.unit_id)
    ).all()
    found: dict[str, dict] = {}
    for key, title, words, unit_id, period, name in rows:
        if not unit_ok(unit_id):
            continue
        entry = found.setdefault(key, {"key": key, "title": title, "words": words or NO_DEADLINE_VI, "units": {}, "periods": []})
        entry["units"].setdefault(unit_id, name)
        if period not in entry["periods"]:
            entry["periods"].append(period)
    return list(found.values())
