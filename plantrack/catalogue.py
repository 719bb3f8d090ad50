"""The catalogue: every unit, group, plan and calendar defined under the definition folders,
cross-checked (``loader.load_catalogue`` builds it), and the file each came from."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .calendar import WorkCalendar
from .errors import Problem
from .schema import (
    CalendarDef,
    CalendarFile,
    EscalationPolicy,
    GroupRule,
    IndicatorDef,
    ObligationDef,
    Period,
    PlanFile,
    RegistryFile,
    UnitDef,
)
from .yamlfile import locate, locate_node, node_tree


@dataclass
class SourceFile:
    """One parsed file: its path, the raw YAML tree (with line numbers, or plain and its text) and the model."""

    path: Path
    tree: Any
    model: RegistryFile | PlanFile | CalendarFile
    text: str | None = field(default=None, repr=False)  # kept by the fast reading, whose tree has no lines
    _nodes: Any = field(default=None, repr=False, compare=False)

    def line_of(self, *loc: str | int) -> int:
        """The line of the deepest node of ``loc`` (``yamlfile.locate``): in the tree read, or
        (read fast) in the text's nodes, composed once, the first time a line is asked for."""
        if self.text is None:
            return locate(self.tree, loc)
        if self._nodes is None:
            self._nodes = node_tree(self.text)
        return locate_node(self._nodes, loc)


@dataclass
class Catalogue:
    """Everything defined under one folder, cross-checked."""

    units: dict[str, UnitDef] = field(default_factory=dict)
    unit_registry: dict[str, str] = field(default_factory=dict)
    groups: dict[str, list[str]] = field(default_factory=dict)
    group_registry: dict[str, str] = field(default_factory=dict)
    group_rules: dict[str, GroupRule] = field(default_factory=dict)  # groups given by a rule, filled from the units
    plans: dict[str, PlanFile] = field(default_factory=dict)
    plan_files: dict[str, Path] = field(default_factory=dict)
    calendar: WorkCalendar = field(default_factory=WorkCalendar)
    files: list[Path] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)  # what an author should know; nothing is refused
    _replaced: tuple[int, dict] | None = field(default=None, repr=False, compare=False)  # replaced_by's map, per plan count

    def plan_by_ref(self, ref: str) -> PlanFile | None:
        """A plan by id or by number (e.g. ``03/KH-BCĐ389``)."""
        if ref in self.plans:
            return self.plans[ref]
        return next((p for p in self.plans.values() if p.plan.number == ref), None)

    def plan_period(self, plan_id: str) -> Period:
        plan = self.plans[plan_id].plan
        while plan.period is None:
            plan = self.plans[plan.parent].plan  # checked: a plan without period has a parent
        return plan.period

    def replaced_by(self, plan_id: str) -> tuple[str, dt.date] | None:
        """The plan that replaces ``plan_id`` and the day it takes effect (the earliest, if several)."""
        if self._replaced is None or self._replaced[0] != len(self.plans):
            earliest: dict[str, tuple[dt.date, str]] = {}
            for other_id, other in self.plans.items():
                day = other.plan.effective_from or other.plan.issued_on
                for replaced in other.plan.replaces:
                    if replaced.plan is not None and (replaced.plan not in earliest or (day, other_id) < earliest[replaced.plan]):
                        earliest[replaced.plan] = (day, other_id)
            self._replaced = (len(self.plans), earliest)
        found = self._replaced[1].get(plan_id)
        return (found[1], found[0]) if found else None

    def indicators_of(self, plan_id: str) -> dict[str, IndicatorDef]:
        """The indicators a plan's obligations may carry: its own and those of the plans it
        implements (a reporting regime set once at the top); the nearest definition wins."""
        found: dict[str, IndicatorDef] = {}
        current, seen = plan_id, set()
        while current is not None and current in self.plans and current not in seen:
            seen.add(current)
            for indicator in self.plans[current].indicators:
                found.setdefault(indicator.id, indicator)
            current = self.plans[current].plan.parent
        return found

    def plan_escalation(self, plan_id: str) -> EscalationPolicy:
        """The plan's own policy, else the nearest ancestor's, else the defaults."""
        current: str | None = plan_id
        while current is not None:
            if self.plans[current].escalation is not None:
                return self.plans[current].escalation
            current = self.plans[current].plan.parent
        return EscalationPolicy()

    def plan_calendar(self, plan_id: str) -> WorkCalendar:
        """The deployment calendar, then each ancestor's additions, then the plan's own."""
        chain = []
        current: str | None = plan_id
        while current is not None:
            chain.append(self.plans[current])
            current = self.plans[current].plan.parent
        calendar = self.calendar
        for plan in reversed(chain):
            calendar = calendar.merged(to_work_calendar(plan.calendar))
        return calendar

    def expand_units(self, units: list[str], groups: list[str]) -> list[str]:
        """Unit ids plus the members of groups, without repeats, in a stable order."""
        seen: dict[str, None] = dict.fromkeys(units)
        for group in groups:
            seen.update(dict.fromkeys(self.groups[group]))
        return list(seen)

    def obligation_units(self, obligation: ObligationDef) -> list[str]:
        """The units that owe ``obligation``."""
        return self.expand_units(obligation.units, obligation.groups)

    def find_obligation(self, ref: str, plan_id: str) -> tuple[str, ObligationDef] | None:
        """The obligation ``ref`` names from ``plan_id``: "key" in the same plan, or "plan-id/key"."""
        other, _, key = ref.rpartition("/")
        owner = other or plan_id
        plan = self.plans.get(owner)
        found = next((o for o in plan.obligations if o.id == key), None) if plan else None
        return (owner, found) if found is not None else None

    def amendment_of(self, plan_id: str, key: str) -> tuple[str, Any] | None:
        """The latest amendment that moves an obligation's deadlines, with its plan: one that
        names it, or one that names an obligation it counts from (an ``after`` rule's deadline
        follows the deadline it is relative to, so amending that one amends it too)."""
        found, seen = [], set()
        current: tuple[str, str] | None = (plan_id, key)
        while current is not None and current not in seen:
            seen.add(current)
            owner, name = current
            plan = self.plans[owner]
            found += [(owner, a) for a in plan.amendments if name in a.obligations]
            definition = next((o for o in plan.obligations if o.id == name), None)
            relative = definition.due.obligation if definition is not None and definition.due.type == "after" else None
            target = self.find_obligation(relative, owner) if relative else None
            current = (target[0], target[1].id) if target else None
        return max(found, key=lambda f: (f[1].effective_from, f[1].issued_on)) if found else None

    def resolver(self, plan_id: str, chain: tuple = ()):
        """For ``after`` rules: the title and dated periods of the obligation a reference names."""
        from .rules import dated

        def resolve(ref: str):
            found = self.find_obligation(ref, plan_id)
            if found is None:
                raise ValueError(f"no obligation {ref!r}")
            owner, obligation = found
            if (owner, obligation.id) in chain:
                raise ValueError("a cycle of 'after' rules: " + " → ".join(f"{p}/{k}" for p, k in (*chain, (owner, obligation.id))))
            plan = self.plans[owner].plan
            return obligation.title, dated(obligation, self.plan_period(owner), plan.issued_on, self.plan_calendar(owner),
                                           self.resolver(owner, (*chain, (owner, obligation.id))))
        return resolve

    def unit_on(self, unit_id: str, day: dt.date) -> str | None:
        """The body that holds ``unit_id``'s duties on ``day``: the unit itself while it exists,
        then its successor (merged into) and theirs; None before it exists or without one."""
        seen = set()
        while unit_id is not None and unit_id not in seen:
            unit = self.units[unit_id]
            if unit.exists_on(day):
                return unit_id
            if unit.valid_from is not None and day < unit.valid_from:
                return None
            seen.add(unit_id)
            unit_id = unit.successor
        return None


def to_work_calendar(definition: CalendarDef | None) -> WorkCalendar | None:
    if definition is None:
        return None
    return WorkCalendar(
        {d.date: d.name for d in definition.extra_holidays},
        {d.date: d.name for d in definition.extra_working_days},
        definition.before_on_rest_day,
    )
