"""Due rules, one module each, behind one registry (``base.REGISTRY``).

``DueRule`` is the discriminated union of every registered rule model (the plan schema uses
it), and ``expand`` turns an obligation into occurrences through its rule. A rule type the
schema accepts but no module registers would be an error here, never a silent nothing
(``tests/test_rules.py`` checks that every one is registered).
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Union

from pydantic import Field

from ..calendar import WorkCalendar
from ..deadlines import OccurrenceSpec
from . import adhoc, after, external, milestone, one_off, recurring, reporting_period, unscheduled, within  # noqa: F401  (they register)
from .adhoc import AdhocDue
from .after import AfterDue
from .base import REGISTRY, Basis, Dated, DueBase, RuleContext, Strict, Wording, register
from .external import ExternalDue
from .milestone import Milestone, MilestoneDue
from .one_off import OneOffDue
from .recurring import CronDue, CronExpression
from .reporting_period import ReportingPeriodDue
from .unscheduled import UnscheduledDue
from .within import WithinDue, parse_window

DueRule = Annotated[Union[tuple(REGISTRY.values())], Field(discriminator="type")]


def dated(obligation, period, issued_on: dt.date, calendar: WorkCalendar, resolve=None) -> list[Dated]:
    """The dated periods of an obligation, whatever unit owes them."""
    context = RuleContext(obligation.section, obligation.title, period.start, period.end, issued_on, calendar, resolve)
    return obligation.due.expand(context)


def expand(obligation, units: list[str], period, issued_on: dt.date, calendar: WorkCalendar, resolve=None) -> list[OccurrenceSpec]:
    """All occurrences of ``obligation`` for ``units`` within the plan ``period`` (start, end);
    ``resolve`` gives the dated periods of another obligation (for ``after`` rules)."""
    due = obligation.due
    if type(due) not in REGISTRY.values():
        raise TypeError(f"due rule {type(due).__name__} is not registered in plantrack.rules")
    context = RuleContext(obligation.section, obligation.title, period.start, period.end, issued_on, calendar, resolve)
    dated = due.expand(context)
    return [
        OccurrenceSpec(unit, item.key, item.label, item.start, item.end, item.opens, item.deadline)
        for unit in units
        for item in dated
    ]


__all__ = [
    "REGISTRY", "AdhocDue", "AfterDue", "dated", "Basis", "CronDue", "CronExpression", "Dated", "DueBase", "DueRule", "ExternalDue",
    "Milestone", "MilestoneDue", "OneOffDue", "ReportingPeriodDue", "RuleContext", "Strict", "UnscheduledDue", "WithinDue", "Wording",
    "expand", "parse_window", "register",
]
