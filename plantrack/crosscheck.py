"""The checks across definition files: ids unique, references resolved, units' lifetimes and
successors, groups, plans against their parents, obligations, targets and recipients.
``cross_check(sources)`` gives the catalogue and the problems, each with its file and line."""

from __future__ import annotations

import datetime as dt
import unicodedata
from typing import Iterable

from pydantic import ValidationError

from .catalogue import Catalogue, SourceFile, to_work_calendar
from .coherence import check_plans
from .errors import Problem
from .recipients import check_coordination, check_recipients
from .schema import CalendarFile, GroupRule, ObligationDef, PlanFile, RegistryFile, UnitDef
from .yamlfile import _field_path


def cross_check(sources: list[SourceFile]) -> tuple[Catalogue, list[Problem]]:
    cat = Catalogue()
    problems: list[Problem] = []

    def problem(source: SourceFile, loc: tuple, message: str) -> None:
        problems.append(Problem(source.path, source.line_of(*loc), _field_path(loc, source.tree), message))

    def warn(source: SourceFile, loc: tuple, message: str) -> None:
        cat.warnings.append(Problem(source.path, source.line_of(*loc), _field_path(loc, source.tree), message))

    unit_source: dict[str, tuple[SourceFile, int]] = {}
    registries = [s for s in sources if isinstance(s.model, RegistryFile)]
    plans = [s for s in sources if isinstance(s.model, PlanFile)]
    calendars = [s for s in sources if isinstance(s.model, CalendarFile)]

    for source in calendars:
        cat.calendar = cat.calendar.merged(to_work_calendar(source.model.calendar))

    for source in registries:
        for i, unit in enumerate(source.model.units):
            if unit.id in cat.units:
                first, _ = unit_source[unit.id]
                problem(source, ("units", i, "id"), f"duplicate unit id {unit.id!r} (first defined in {first.path})")
                continue
            cat.units[unit.id] = unit
            cat.unit_registry[unit.id] = source.model.registry.id
            unit_source[unit.id] = (source, i)
        for name, members in source.model.groups.items():
            if name in cat.groups:
                problem(source, ("groups", name), f"duplicate group id {name!r}")
            cat.groups[name] = members if isinstance(members, list) else []  # a rule is filled below
            cat.group_registry[name] = source.model.registry.id

    def known_unit(source: SourceFile, loc: tuple, unit_id: str | None) -> None:
        if unit_id is not None and unit_id not in cat.units:
            problem(source, loc, f"unknown unit id {unit_id!r}{_suggest(unit_id, cat.units)}")

    for source in registries:
        for i, unit in enumerate(source.model.units):
            known_unit(source, ("units", i, "parent"), unit.parent)
            known_unit(source, ("units", i, "escalates_to"), unit.escalates_to)
        for name, members in source.model.groups.items():
            if isinstance(members, GroupRule):
                known_unit(source, ("groups", name, "under"), members.under)
                cat.group_rules[name] = members
                continue
            for j, member in enumerate(members):
                known_unit(source, ("groups", name, j), member)

    for source in registries:
        for i, unit in enumerate(source.model.units):
            for j, part in enumerate(unit.split_to):
                known_unit(source, ("units", i, "split_to", j, "unit"), part.unit)
                heir = cat.units.get(part.unit)
                if heir is not None and not heir.exists_on(unit.valid_until + dt.timedelta(days=1)):
                    problem(source, ("units", i, "split_to", j, "unit"),
                            f"{heir.id!r} does not exist on {unit.valid_until + dt.timedelta(days=1):%d/%m/%Y}, the day after {unit.id!r} ends")
            known_unit(source, ("units", i, "successor"), unit.successor)
            heir = cat.units.get(unit.successor) if unit.successor else None
            if heir is not None and not heir.exists_on(unit.valid_until + dt.timedelta(days=1)):
                problem(source, ("units", i, "successor"),
                        f"the successor {heir.id!r} does not exist on {unit.valid_until + dt.timedelta(days=1):%d/%m/%Y}, "
                        f"the day after {unit.id!r} ends")
    problems.extend(_same_names(cat, unit_source))

    for attribute in ("parent", "escalates_to", "successor"):
        for cycle in _cycles({u.id: getattr(u, attribute) for u in cat.units.values()}):
            source, index = unit_source[cycle[0]]
            problem(source, ("units", index, attribute), f"cycle in unit {attribute}: " + " → ".join(cycle + [cycle[0]]))

    if not problems:  # the tree is sound: fill the groups given by a rule
        carried = {tag for u in cat.units.values() for tag in u.tags}
        for name, rule in cat.group_rules.items():
            cat.groups[name] = [u.id for u in cat.units.values() if rule.takes(u, lambda unit_id, ancestor: _under(cat.units, unit_id, ancestor))]
            for j, tag in enumerate(rule.tags):  # a tag no unit carries yet may be one misspelt
                if tag not in carried and (close := _suggest(tag, carried)):
                    source = next(s for s in registries if name in s.model.groups)
                    warn(source, ("groups", name, "tags", j), f"no unit carries the tag {tag!r}{close}")

    plan_source: dict[str, SourceFile] = {}
    for source in plans:
        header = source.model.plan
        if header.id in cat.plans:
            problem(source, ("plan", "id"), f"duplicate plan id {header.id!r} (first defined in {plan_source[header.id].path})")
            continue
        cat.plans[header.id] = source.model
        cat.plan_files[header.id] = source.path
        plan_source[header.id] = source

    for source in plan_source.values():
        header = source.model.plan
        known_unit(source, ("plan", "issuer"), header.issuer)
        if header.coordination is not None:
            check_coordination(cat, source, header.coordination, problem, known_unit)
        for i, replaced in enumerate(header.replaces):
            if replaced.plan is None:
                continue
            if replaced.plan == header.id:
                problem(source, ("plan", "replaces", i, "plan"), "a plan cannot replace itself")
            elif replaced.plan not in cat.plans:
                problem(source, ("plan", "replaces", i, "plan"),
                        f"replaced plan {replaced.plan!r} does not exist{_suggest(replaced.plan, cat.plans)}; "
                        "leave out 'plan' when the replaced document is not encoded")
            elif replaced.plan == header.parent:
                problem(source, ("plan", "replaces", i, "plan"), "a plan cannot replace the plan it implements")
        if header.parent is not None and header.parent not in cat.plans:
            problem(source, ("plan", "parent"), f"parent plan {header.parent!r} does not exist{_suggest(header.parent, cat.plans)}")
        elif header.parent is None and header.period is None:
            problem(source, ("plan",), "a plan needs a 'period' (or a 'parent' plan to inherit it from)")

    for cycle in _cycles({pid: p.plan.parent for pid, p in cat.plans.items() if p.plan.parent in cat.plans}):
        problem(plan_source[cycle[0]], ("plan", "parent"), "cycle in parent plans: " + " → ".join(cycle + [cycle[0]]))

    if problems:  # periods and calendars below follow parents: they must be sound first
        return cat, problems

    for plan_id, source in plan_source.items():
        checkins = _check_in_obligations(cat, source, plan_id, problem)
        if checkins:
            cat.plans[plan_id] = source.model.model_copy(update={"obligations": [*source.model.obligations, *checkins]})
    for plan_id, source in plan_source.items():
        _check_plan(cat, source, plan_id, known_unit, problem, warn)
    check_plans(cat, plan_source, calendars, problem, warn)
    return cat, problems


def _check_in_obligations(cat: Catalogue, source: SourceFile, plan_id: str, problem) -> list[ObligationDef]:
    """The progress reports of running duties (``check_in``): one obligation each, owed by the
    duty's leads, recurring within the duty's time frame, sent to the plan's office."""
    plan: PlanFile = source.model
    period = cat.plan_period(plan_id)
    taken = {o.id for o in plan.obligations}
    office = plan.plan.coordination.office_id if plan.plan.coordination else None
    found = []
    for i, duty in enumerate(plan.duties):
        if duty.check_in is None:
            continue
        here = ("duties", i, "check_in")
        key = f"{duty.id}.tien-do"
        if key in taken:
            problem(source, here, f"the check-in makes the obligation {key!r}, which the plan already has")
            continue
        units, groups = [*duty.lead, *duty.either], [*duty.lead_groups, *duty.either_groups]
        if not units and not groups:
            problem(source, here, "a check-in is owed by the duty's leads: give it 'lead' (chủ trì) units or groups")
            continue
        start, until = duty.timeframe.span(period.start, period.end) if duty.timeframe else (period.start, period.end)
        due = {"type": "recurring", "cron": duty.check_in.cron, "first": start, "last": until, "key_format": "%Y-%m-%d",
               "basis": duty.check_in.basis, **({"note": duty.check_in.note} if duty.check_in.note else {})}
        try:
            obligation = ObligationDef.model_validate({
                "id": key, "title": duty.check_in.title, "section": duty.section, "duty": duty.id, "units": units, "groups": groups,
                "submit_to": duty.check_in.submit_to or office, "due": due,
                # No recipient given: the plan's coordinating office, by this file's choice.
                **({} if duty.check_in.submit_to or office is None else {
                    "submit_to_basis": "assumed", "submit_to_note": "Văn bản không nêu nơi nhận báo cáo tiến độ: cơ quan thường trực của kế hoạch."}),
            })
        except ValidationError as exc:
            problem(source, here, "; ".join(e["msg"] for e in exc.errors()))
            continue
        if not obligation.due.firings(period.start, period.end):
            problem(source, here + ("cron",), f"cron {duty.check_in.cron!r} never falls due while the duty runs "
                                              f"({start:%d/%m/%Y}–{until:%d/%m/%Y})")
            continue
        found.append(obligation)
    return found


def _check_plan(cat: Catalogue, source: SourceFile, plan_id: str, known_unit, problem, warn) -> None:
    plan: PlanFile = source.model
    period = cat.plan_period(plan_id)
    def known_groups(loc: tuple, groups: list[str]) -> None:
        for j, group in enumerate(groups):
            if group not in cat.groups:
                problem(source, loc + (j,), f"unknown group {group!r}{_suggest(group, cat.groups)}")

    duty_ids: set[str] = set()
    for i, duty in enumerate(plan.duties):
        if duty.id in duty_ids:
            problem(source, ("duties", i, "id"), f"duplicate duty id {duty.id!r}")
        duty_ids.add(duty.id)
        for role in ("lead", "support", "either"):
            for j, unit_id in enumerate(getattr(duty, role)):
                known_unit(source, ("duties", i, role, j), unit_id)
            known_groups(("duties", i, f"{role}_groups"), getattr(duty, f"{role}_groups"))
        for j, unit_id in enumerate(duty.escalate_to or []):
            known_unit(source, ("duties", i, "escalate_to", j), unit_id)
        if duty.check_in is not None:
            known_unit(source, ("duties", i, "check_in", "submit_to"), duty.check_in.submit_to)
        named = set(cat.expand_units(duty.lead + duty.support + duty.either,
                                     [g for g in duty.lead_groups + duty.support_groups + duty.either_groups if g in cat.groups]))
        for ended, part in duty.held_by.items():
            here = ("duties", i, "held_by", ended)
            unit = cat.units.get(ended)
            if unit is None:
                continue  # an unknown unit, reported above
            if ended not in named:
                problem(source, here, f"held_by names {ended!r}, which this duty does not assign")
            elif unit.valid_until is None:
                problem(source, here, f"{ended!r} has not ended (no valid_until): no one holds its duties for it")
            elif part != unit.successor and part not in {p.unit for p in unit.split_to}:
                parts = ", ".join(filter(None, [unit.successor, *(p.unit for p in unit.split_to)])) or "none"
                problem(source, here, f"{part!r} is not one of the bodies {ended!r} was merged or split into ({parts})")

    indicators = cat.indicators_of(plan_id)
    seen_indicators: set[str] = set()
    for i, indicator in enumerate(plan.indicators):
        if indicator.id in seen_indicators:
            problem(source, ("indicators", i, "id"), f"duplicate indicator id {indicator.id!r}")
        seen_indicators.add(indicator.id)
        for j, part in enumerate(indicator.ratio_of or []):
            found = indicators.get(part)
            if found is None:
                problem(source, ("indicators", i, "ratio_of", j), f"unknown indicator {part!r}{_suggest(part, indicators)}")
            elif found.kind not in ("count", "amount") or part == indicator.id:
                problem(source, ("indicators", i, "ratio_of", j), f"{part!r} is a {found.kind}: a ratio is of two counts or amounts")

    carried = {o.id: set(o.indicators) for o in plan.obligations}
    period = cat.plan_period(plan_id) if (plan.plan.period is not None or plan.plan.parent in cat.plans) else None
    for i, target in enumerate(plan.targets):
        here = ("targets", i)
        if target.indicator not in indicators:
            problem(source, here + ("indicator",), f"unknown indicator {target.indicator!r}{_suggest(target.indicator, indicators)}")
        if target.obligation not in carried:
            problem(source, here + ("obligation",), f"unknown obligation {target.obligation!r} in this plan")
        elif target.indicator not in carried[target.obligation] and target.indicator in indicators:
            ratio = indicators[target.indicator].ratio_of or []
            if not ratio or not set(ratio) <= carried[target.obligation]:
                problem(source, here + ("obligation",), f"the report {target.obligation!r} does not carry the indicator "
                                                        f"{target.indicator!r}: add it to that obligation's 'indicators'")
        for j, unit_id in enumerate(target.units):
            known_unit(source, here + ("units", j), unit_id)
        known_groups(here + ("groups",), target.groups)
        if target.weight is not None and target.weight not in indicators:
            problem(source, here + ("weight",), f"unknown indicator {target.weight!r}{_suggest(target.weight, indicators)}")
        elif target.weight is not None and target.weight not in carried.get(target.obligation, {target.weight}):
            problem(source, here + ("weight",), f"the report {target.obligation!r} does not carry the indicator {target.weight!r}")
        if period is not None and target.by is not None and not period.start <= target.by <= period.end + dt.timedelta(days=366):
            warn(source, here + ("by",), f"the target's day {target.by:%d/%m/%Y} is outside the plan's period "
                                         f"({period.start:%d/%m/%Y}–{period.end:%d/%m/%Y})")

    check_recipients(cat, source, plan_id, problem, known_unit)  # submit_to, copy_to: units, positions, superiors

    known_obligations = {o.id for o in plan.obligations}
    for i, amendment in enumerate(plan.amendments):
        if amendment.effective_from < amendment.issued_on:
            problem(source, ("amendments", i, "effective_from"), "an amendment cannot take effect before it is issued")
        for j, key in enumerate(amendment.obligations):
            if key not in known_obligations:
                problem(source, ("amendments", i, "obligations", j), f"unknown obligation {key!r} in this plan")

    obligation_ids: set[str] = set()
    for i, obligation in enumerate(plan.obligations):
        here = ("obligations", i)
        if obligation.id in obligation_ids:
            problem(source, here + ("id",), f"duplicate obligation id {obligation.id!r}")
        obligation_ids.add(obligation.id)
        if obligation.duty is not None and obligation.duty not in duty_ids:
            problem(source, here + ("duty",), f"unknown duty id {obligation.duty!r} in this plan")
        for j, unit_id in enumerate(obligation.units):
            known_unit(source, here + ("units", j), unit_id)
        known_groups(here + ("groups",), obligation.groups)
        if not obligation.units and obligation.groups and all(not cat.groups.get(g, [None]) for g in obligation.groups):
            warn(source, here + ("groups",), f"no unit owes this yet: {', '.join(obligation.groups)} has no member; "
                                             "its units take it on when they are registered")
        for j, unit_id in enumerate(obligation.escalate_to or []):
            known_unit(source, here + ("escalate_to", j), unit_id)
        for j, key in enumerate(obligation.indicators):
            if key not in indicators:
                problem(source, here + ("indicators", j), f"unknown indicator {key!r}: define it under 'indicators:' of this plan "
                                                          f"or of a plan it implements{_suggest(key, indicators)}")
        due, issued = obligation.due, plan.plan.issued_on
        if due.type == "after" and due.obligation is not None:
            found = cat.find_obligation(due.obligation, plan_id)
            if found is None:
                problem(source, here + ("due", "obligation"), f"no obligation {due.obligation!r} (write 'key' of this plan or 'plan-id/key')")
                continue
            if found[1].due.type == "adhoc":
                problem(source, here + ("due", "obligation"), f"{due.obligation!r} is ad hoc: it has no dates to count from")
                continue
            try:
                cat.resolver(plan_id, ((plan_id, obligation.id),))(due.obligation)
            except ValueError as exc:
                problem(source, here + ("due", "obligation"), str(exc))
                continue
        message = due.problem(period.start, period.end, issued)
        if message:
            problem(source, here + ("due",), message)
        for loc, key in due.period_keys():  # the store keeps a period's key in 40 characters
            if len(key) > 40:
                problem(source, here + ("due",) + loc, f"this makes period keys of {len(key)} characters, like {key[:50]!r}; at most 40")
        for loc, text in due.warnings(period.start, period.end, issued):
            warn(source, here + ("due",) + loc, text)


def _name_key(name: str) -> str:
    return " ".join(unicodedata.normalize("NFC", name).casefold().split())


def _same_names(cat: Catalogue, unit_source: dict) -> list[Problem]:
    """One body under two ids: two units that exist at the same time and share a name (a
    former name while it was in force) or an alias (a merged province must not keep a
    predecessor's entry alive)."""
    holders: dict[str, list[tuple[str, dt.date, dt.date]]] = {}
    for unit in cat.units.values():
        life = (unit.valid_from, unit.valid_until)
        spans = [*unit.names(), *((alias, *life) for alias in unit.aliases)]
        for name, start, end in spans:  # a former name counts while it was in force
            holders.setdefault(_name_key(name), []).append((unit.id, start or dt.date.min, end or dt.date.max))
    found = []
    for name, held in holders.items():
        reported = set()
        for i, (first, a_start, a_end) in enumerate(held):
            for second, b_start, b_end in held[i + 1:]:
                if first != second and (first, second) not in reported and max(a_start, b_start) <= min(a_end, b_end):
                    reported.add((first, second))
                    source, index = unit_source[second]
                    found.append(Problem(source.path, source.line_of("units", index, "name"), _field_path(("units", index, "name"), source.tree),
                                         f"the name {name!r} is also {first!r}'s while both exist: one body under two ids? "
                                         "(end one with valid_until and successor, or tell them apart)"))
    return found


def _under(units: dict[str, UnitDef], unit_id: str, ancestor: str) -> bool:
    """True when ``ancestor`` is a parent of ``unit_id`` at any depth (not the unit itself)."""
    seen, current = set(), units[unit_id].parent
    while current is not None and current not in seen:
        if current == ancestor:
            return True
        seen.add(current)
        current = units[current].parent if current in units else None
    return False


def _cycles(edges: dict[str, str | None]) -> list[list[str]]:
    """Cycles in a graph where each node has at most one successor, each reported once."""
    cycles, done = [], set()
    for start in edges:
        path, position = [], {}
        node = start
        while node is not None and node not in done and node not in position:
            position[node] = len(path)
            path.append(node)
            node = edges.get(node)
        if node is not None and node in position:
            cycles.append(path[position[node]:])
        done.update(path)
    return cycles


def _suggest(value: str, known: Iterable[str]) -> str:
    import difflib

    close = difflib.get_close_matches(value, list(known), n=1, cutoff=0.75)
    return f" (did you mean {close[0]!r}?)" if close else ""
