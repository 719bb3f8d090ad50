"""Checks of each construct against the plan around it, once every file has been read.

The schema checks a construct alone and the loader checks that what it names exists; this
module checks that what it says fits the rest: its dates against the plan's period, a plan
against the plan it implements, a calendar against the holidays it sits on, who owes a report
against who receives it. Each finding names the file, the line and the field.

Two kinds of finding, as everywhere in loading:

* a **problem** (refused, nothing loads) for what no text can mean: an amendment dated before
  the plan it amends, a working day that a holiday overrides, a target figure for a text
  indicator, a report whose only owner is its receiver;
* a **warning** (it loads; ``validate`` prints it) for what a real text can say and an author
  should know: a duty's time frame or an ``after`` deadline beyond the plan's period, a plan
  that runs past the plan it implements, a duty whose only holders are groups with no member.

Contract: ``check_plans`` runs after the loader's own checks of each plan (every parent plan
exists, ``after`` chains resolve or were reported); it reports through the loader's
``problem(source, loc, message)`` and ``warn(source, loc, message)`` and changes nothing.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Callable

from .calendar import WorkCalendar
from .rules import dated
from .schema import CalendarDef, PlanFile

if TYPE_CHECKING:
    from .loader import Catalogue, SourceFile

Report = Callable[["SourceFile", tuple, str], None]


def _span(start: dt.date, end: dt.date) -> str:
    return f"{start:%d/%m/%Y}–{end:%d/%m/%Y}"


def check_plans(cat: "Catalogue", plan_source: dict[str, "SourceFile"], calendar_sources: list["SourceFile"],
                problem: Report, warn: Report) -> None:
    """Check every plan (and the deployment calendar) against what surrounds it."""
    for source in calendar_sources:
        _working_days(source, ("calendar",), source.model.calendar, cat.calendar, problem)
    for plan_id, source in plan_source.items():
        plan: PlanFile = source.model
        if plan.calendar is not None:
            _working_days(source, ("calendar",), plan.calendar, cat.plan_calendar(plan_id), problem)
        _against_parent(cat, source, plan_id, warn)
        _amendments(source, problem)
        _duties(cat, source, plan_id, warn)
        _targets(cat, source, plan_id, problem)
        _owed_to_itself(cat, source, plan_id, problem)
        _after_deadlines(cat, source, plan_id, warn)


def _working_days(source: "SourceFile", loc: tuple, definition: CalendarDef, applies: WorkCalendar, problem: Report) -> None:
    """A make-up working day on a day that stays a holiday: a holiday (public, or added by this
    calendar or one it sits on) wins over a working day, so the entry would be ignored."""
    for j, day in enumerate(definition.extra_working_days):
        reason = applies.rest_reason(day.date)  # ``applies`` lists the day as a working day: only a holiday answers
        if reason is not None:
            problem(source, (*loc, "extra_working_days", j, "date"),
                    f"{day.date:%d/%m/%Y} is listed as a working day but is a holiday ({reason.en}): a day cannot be both; "
                    "keep one of the two")


def _against_parent(cat: "Catalogue", source: "SourceFile", plan_id: str, warn: Report) -> None:
    """A plan issued before the plan it implements (a document cannot implement one that did
    not exist yet: its date, often assumed, or its parent is wrong), and a plan with its own
    period that ends after the plan it implements ends."""
    header = source.model.plan
    if header.parent is None:
        return
    parent_header = cat.plans[header.parent].plan
    if header.issued_on < parent_header.issued_on:
        warn(source, ("plan", "issued_on"),
             f"issued on {header.issued_on:%d/%m/%Y}, before the plan it implements ({parent_header.number}, "
             f"issued on {parent_header.issued_on:%d/%m/%Y}): the date or the parent is wrong")
    if header.period is None:
        return
    parent = cat.plan_period(header.parent)
    if header.period.end > parent.end:
        warn(source, ("plan", "period"), f"the plan runs {_span(header.period.start, header.period.end)}, past the end of the plan "
                                         f"it implements ({header.parent}: {_span(parent.start, parent.end)})")


def _amendments(source: "SourceFile", problem: Report) -> None:
    issued = source.model.plan.issued_on
    for i, amendment in enumerate(source.model.amendments):
        if amendment.issued_on < issued:
            problem(source, ("amendments", i, "issued_on"), f"the amendment is dated {amendment.issued_on:%d/%m/%Y}, before the plan it "
                                                            f"amends was issued ({issued:%d/%m/%Y})")


def _empty(cat: "Catalogue", groups: list[str]) -> bool:
    """True when every group is known and has no member (unknown groups are reported elsewhere)."""
    return bool(groups) and all(not cat.groups.get(g, [None]) for g in groups)


def _duties(cat: "Catalogue", source: "SourceFile", plan_id: str, warn: Report) -> None:
    """Duties held only by groups with no member, and time frames beyond the plan's period."""
    period = cat.plan_period(plan_id)
    for i, duty in enumerate(source.model.duties):
        fields = [f for f in ("lead_groups", "either_groups", "support_groups") if getattr(duty, f)]
        groups = [g for f in fields for g in getattr(duty, f)]
        if not (duty.lead or duty.either or duty.support) and _empty(cat, groups):
            warn(source, ("duties", i, fields[0]), f"no unit holds this duty yet: {', '.join(groups)} has no member; "
                                                   "its units take it on when they are registered")
        if duty.timeframe is None:
            continue
        start, until = duty.timeframe.span(dt.date.min, dt.date.max)  # the frame itself, not cut to the plan
        words = f"“{duty.timeframe.written}”" if duty.timeframe.written else "the time frame"
        here, plan_runs = ("duties", i, "timeframe"), f"the plan runs {_span(period.start, period.end)}"
        if start > period.end:
            warn(source, here, f"{words} starts on {start:%d/%m/%Y}, after the plan ends ({plan_runs}): the duty never runs within it")
        elif until < period.start:
            warn(source, here, f"{words} ends on {until:%d/%m/%Y}, before the plan starts ({plan_runs}): the duty never runs within it")
        elif period.end < until < dt.date.max:
            warn(source, here, f"{words} runs until {until:%d/%m/%Y}, after the plan ends ({plan_runs}): "
                               f"the duty is followed only to {period.end:%d/%m/%Y}")


def _targets(cat: "Catalogue", source: "SourceFile", plan_id: str, problem: Report) -> None:
    indicators = cat.indicators_of(plan_id)
    for i, target in enumerate(source.model.targets):
        indicator = indicators.get(target.indicator)
        if indicator is not None and indicator.kind == "text":
            problem(source, ("targets", i, "indicator"), f"{target.indicator!r} is a text indicator: it has no figure to reach; "
                                                         "a target needs a count, amount, percentage or yes_no indicator")


def _only(cat: "Catalogue", units: list[str], groups: list[str], receiver: str | None) -> bool:
    """True when every unit named, directly or in a listed group, is ``receiver``. A group given
    by a rule is open (units registered later join it), so it never makes this true."""
    if receiver is None or not (units or groups):
        return False
    if any(g not in cat.groups or g in cat.group_rules for g in groups):
        return False
    return set(units) | {m for g in groups for m in cat.groups[g]} == {receiver}


def _owed_to_itself(cat: "Catalogue", source: "SourceFile", plan_id: str, problem: Report) -> None:
    """A report whose only owner is the unit it is sent to. One receiver among several owners
    stays allowed: the compiling body hands in its own part too (real plans say so)."""
    plan: PlanFile = source.model
    for i, obligation in enumerate(plan.obligations):
        if _only(cat, obligation.units, obligation.groups, obligation.submit_to):
            problem(source, ("obligations", i, "submit_to"), f"{obligation.submit_to!r} is the only unit that owes this report and "
                                                             "the one it is sent to: a unit does not report to itself")
    office = plan.plan.coordination.office if plan.plan.coordination else None
    for i, duty in enumerate(plan.duties):
        if duty.check_in is None:
            continue
        receiver = duty.check_in.submit_to or office
        if _only(cat, [*duty.lead, *duty.either], [*duty.lead_groups, *duty.either_groups], receiver):
            where = "its 'submit_to'" if duty.check_in.submit_to else "the plan's office"
            problem(source, ("duties", i, "check_in"), f"the progress report goes to {receiver!r} ({where}), the only unit that leads "
                                                       "this duty: a unit does not report to itself")


def _after_deadlines(cat: "Catalogue", source: "SourceFile", plan_id: str, warn: Report) -> None:
    """``after`` steps whose own offset carries a deadline past the plan's end (a step counted
    from a deadline already past it, as a final review's, follows it without a warning)."""
    plan: PlanFile = source.model
    period = cat.plan_period(plan_id)
    for i, obligation in enumerate(plan.obligations):
        due = obligation.due
        if due.type != "after" or due.obligation is None:
            continue  # an event's step has no date until a coordinator sets one
        try:
            _, before = cat.resolver(plan_id)(due.obligation)
            own = dated(obligation, period, plan.plan.issued_on, cat.plan_calendar(plan_id),
                        cat.resolver(plan_id, ((plan_id, obligation.id),)))
        except ValueError:
            continue  # an unknown obligation or a cycle: reported by the loader
        base = {item.key: item.deadline.due_date for item in before}
        late = [item for item in own if item.deadline.written_date > period.end and base.get(item.key, period.end) <= period.end]
        if late:
            first, verb = late[0], "falls" if len(late) == 1 else "fall"
            warn(source, ("obligations", i, "due"), f"{len(late)} of its deadlines {verb} after the plan ends ({_span(period.start, period.end)}), "
                                                    f"the first (period {first.key!r}) on {first.deadline.written_date:%d/%m/%Y}; "
                                                    "they are still tracked")
