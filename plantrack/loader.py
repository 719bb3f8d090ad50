"""Load a folder of plan definition files into a checked :class:`Catalogue`.

Every problem names the file, the line and the field, and says what was expected. Loading
is all or nothing: a single problem anywhere raises :class:`DefinitionError` with all the
problems found, and no caller gets a half-checked catalogue.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable

from pydantic import ValidationError
from ruamel.yaml import YAML
from ruamel.yaml.constructor import RoundTripConstructor
from ruamel.yaml.error import MarkedYAMLError

from .calendar import WorkCalendar
from .coherence import check_plans
from .errors import DefinitionError, Problem
from .recipients import check_coordination, check_recipients
from .rules import REGISTRY as RULES
from .union_errors import is_branch_tag, written_branch
from .settings import MAX_DEFINITION_BYTES, MAX_DEFINITION_FILES, MAX_YAML_VALUES
from .schema import (
    FILE_KINDS,
    GroupRule,
    CalendarDef,
    CalendarFile,
    EscalationPolicy,
    IndicatorDef,
    ObligationDef,
    Period,
    PlanFile,
    RegistryFile,
    UnitDef,
)

YAML_SUFFIXES = (".yaml", ".yml")


@dataclass
class SourceFile:
    """One parsed file: its path, the raw YAML tree (with line numbers) and the model."""

    path: Path
    tree: Any
    model: RegistryFile | PlanFile | CalendarFile

    def line_of(self, *loc: str | int) -> int:
        return locate(self.tree, loc)


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


# --- locating problems in YAML -----------------------------------------------------------


def locate(tree: Any, loc: Iterable[str | int]) -> int:
    """The 1-based line of the deepest node of ``loc`` that exists in ``tree``.

    pydantic puts union tags in its paths (e.g. ``due.one_off.before``); parts that are not
    in the YAML are skipped, so the line is that of the closest existing node.
    """
    line = 1
    node = tree
    for part in loc:
        lc = getattr(node, "lc", None)
        if isinstance(node, dict) and part in node:
            if lc is not None:
                line = lc.key(part)[0] + 1
            node = node[part]
        elif isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
            if lc is not None:
                line = lc.item(part)[0] + 1
            node = node[part]
    return line


_UNION_TAGS = set(RULES)  # pydantic names each due rule's union member by its type


def _field_path(loc: Iterable[str | int], tree: Any) -> str:
    """``obligations[2].due.before`` from a pydantic loc, without union tags."""
    text, node = "", tree
    for part in loc:
        if is_branch_tag(part, node, _UNION_TAGS):
            continue  # pydantic's name for the union member, not a YAML key
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
        exists = (isinstance(node, dict) and part in node) or (
            isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node)
        )
        node = node[part] if exists else None
    return text or "(top level)"


def _describe(error: dict) -> str:
    message = error["msg"].removeprefix("Value error, ")
    value = error.get("input")
    if error["type"] == "extra_forbidden":
        key = str(error["loc"][-1]) if error.get("loc") else ""
        if not key.isascii() or " " in key:  # the tail of a text cut by a ',' or ': ' in a { … } mapping
            return (f"unknown field {key!r}: if it is the end of a text with a ',' or ': ' in it, quote the whole text, "
                    'e.g. title: "Sơ kết, tổng kết"')
        return "unknown field (not part of the schema)"
    if error["type"] == "missing":
        return "required field is missing"
    if isinstance(value, (str, int, float, dt.date)) and not isinstance(value, bool):
        return f"{message}; got {value!r}"
    return message


# --- reading files -----------------------------------------------------------------------


class _TextTimestamps(RoundTripConstructor):
    """Leaves dates as text, so that pydantic (not the YAML parser) rejects 2020-13-05 with a line."""


_TextTimestamps.add_constructor("tag:yaml.org,2002:timestamp", RoundTripConstructor.construct_yaml_str)


def _yaml() -> YAML:
    yaml = YAML(typ="rt")
    yaml.Constructor = _TextTimestamps
    yaml.allow_duplicate_keys = False
    return yaml


def _plain(node: Any) -> Any:
    """ruamel's round-trip containers and scalars as plain Python values for pydantic."""
    if isinstance(node, dict):
        return {str(k): _plain(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_plain(v) for v in node]
    if isinstance(node, str):
        return str(node)
    return node


MAX_FILE_BYTES, MAX_NODES, MAX_FILES = MAX_DEFINITION_BYTES, MAX_YAML_VALUES, MAX_DEFINITION_FILES


def _expanded_size(path: Path, text: str) -> Problem | None:
    """What the YAML would expand to, counted on its events before anything is built: an
    alias counts as many values as its anchor holds (a 0.5 KB "billion laughs" file holds
    billions), so a file over ``MAX_NODES`` is refused without being constructed."""
    from ruamel.yaml import YAML as Events
    from ruamel.yaml.events import AliasEvent, CollectionEndEvent, CollectionStartEvent, ScalarEvent

    sizes: dict[str, int] = {}
    stack: list[list] = [[None, 0]]
    for event in Events(typ="safe").parse(text):  # the C parser (ruamel.yaml.clib): 0.3 s for 2 MB
        if isinstance(event, CollectionStartEvent):
            stack.append([event.anchor, 1])
            continue
        if isinstance(event, ScalarEvent):
            size = 1
            if event.anchor:
                sizes[event.anchor] = 1
        elif isinstance(event, AliasEvent):
            size = sizes.get(event.anchor, 1)
        elif isinstance(event, CollectionEndEvent) and len(stack) > 1:
            anchor, size = stack.pop()
            if anchor:
                sizes[anchor] = size
        else:
            continue
        stack[-1][1] += size
        if stack[0][1] + sum(entry[1] for entry in stack[1:]) > MAX_NODES:
            line = event.start_mark.line + 1 if event.start_mark else 1
            return Problem(path, line, "(yaml)", f"the file expands to more than {MAX_NODES:,} values through its aliases (*name): "
                                                 "plan files do not need that many; is it an alias bomb?")
    return None


def _yaml_problem(path: Path, exc: MarkedYAMLError) -> Problem:
    """A YAML syntax error in words a plan author acts on, at the line where it starts."""
    problem = f"{exc.problem or ''}".strip()
    context = f"{exc.context or ''}".strip()
    mark = exc.problem_mark or exc.context_mark
    field = "(yaml)"
    if "quoted scalar" in context and exc.context_mark is not None:
        mark = exc.context_mark  # where the quote opens, not where the file ends
        message = "a quoted value is not closed: add the closing quote (\" or ') on this line"
    elif "duplicate key" in problem:
        key = re.search(r'duplicate key "([^"]*)"', problem)
        field = key.group(1) if key else field
        message = f"the key {field!r} appears twice in the same mapping; keep one"
    elif "mapping values are not allowed" in problem:
        message = "a value with ': ' in it must be quoted, e.g. title: \"Kế hoạch: triển khai …\""
    elif "could not find expected ':'" in problem or "simple key" in context:
        message = f"{problem or context}: a value with ':' or '#' in it must be quoted"
    elif "found character '\\t'" in problem:
        message = "a tab is not allowed for indentation in YAML: indent with spaces"
    else:
        message = " ".join(part for part in (context, problem) if part) or "not valid YAML"
    return Problem(path, mark.line + 1 if mark else 1, field, message)


def parse_yaml_model(path: Path, choose_model) -> tuple[Any, Any, list[Problem]]:
    """Read ``path`` and validate it with the model ``choose_model(tree)`` returns.

    ``choose_model`` returns a pydantic model class, or a message when the file is not of a
    kind it knows. Returns (tree, model, problems); model is None when there are problems.
    Limits come first: the file's size, then what its aliases expand to.
    """
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            return None, None, [Problem(path, 1, "(file)", f"{size:,} bytes: a definition file has at most {MAX_FILE_BYTES:,}; split it")]
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        return None, None, [Problem(path, 1, "(file)", f"not UTF-8 text ({exc.reason} at byte {exc.start})")]
    except OSError as exc:
        return None, None, [Problem(path, 1, "(file)", f"cannot be read: {exc.strerror or exc}")]
    try:
        bomb = _expanded_size(path, text)
        if bomb is not None:
            return None, None, [bomb]
        tree = _yaml().load(text)
    except MarkedYAMLError as exc:
        return None, None, [_yaml_problem(path, exc)]
    except RecursionError:
        return None, None, [Problem(path, 1, "(yaml)", "nested too deeply")]
    marks = review_marks(path, tree)
    if marks:
        return tree, None, marks
    model_class = choose_model(tree)
    if isinstance(model_class, str):
        return tree, None, [Problem(path, 1, "(top level)", model_class)]
    try:
        return tree, model_class.model_validate(_plain(tree)), []
    except ValidationError as exc:
        problems = []
        for e in written_branch(exc.errors(), tree, _UNION_TAGS):
            loc = (*e["loc"], "type") if e["type"] in ("union_tag_invalid", "union_tag_not_found") else e["loc"]
            problems.append(Problem(path, locate(tree, loc), _field_path(loc, tree), _describe(e)))
        return tree, None, problems


def review_marks(path: Path, tree: Any, loc: tuple = ()) -> list[Problem]:
    """The ``review:`` marks that ``plantrack import`` leaves on what a person must check: a
    file is refused while one is left, each named with its line and reason."""
    found = []
    if isinstance(tree, dict):
        for name, value in tree.items():
            if name != "review":
                found += review_marks(path, value, (*loc, name))
                continue
            where = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in (*loc, name)).lstrip(".")
            for reason in value if isinstance(value, list) else [value]:
                found.append(Problem(path, _line_of(tree, name), where,
                                     f"review mark left by plantrack import: {reason} — resolve it, then delete the mark"))
    elif isinstance(tree, list):
        for number, value in enumerate(tree):
            found += review_marks(path, value, (*loc, number))
    return found


def _line_of(mapping: Any, name: str) -> int:
    try:
        return mapping.lc.key(name)[0] + 1
    except (AttributeError, KeyError, TypeError):
        return 1


def _definition_kind(tree: Any):
    kinds = [k for k in FILE_KINDS if isinstance(tree, dict) and k in tree]
    if "plan" in kinds and "registry" not in kinds:
        return FILE_KINDS["plan"]  # a plan may carry its own calendar
    if len(kinds) != 1:
        return "expected a mapping with exactly one of the top-level keys " + ", ".join(FILE_KINDS)
    return FILE_KINDS[kinds[0]]


def parse_file(path: Path) -> tuple[SourceFile | None, list[Problem]]:
    tree, model, problems = parse_yaml_model(path, _definition_kind)
    return (SourceFile(path, tree, model) if model is not None else None), problems


def definition_files(folder: Path) -> list[Path]:
    """The YAML files under ``folder`` (``.yaml``/``.yml`` in any case), following symbolic
    links to folders once each."""
    if folder.is_file():
        return [folder]
    if not folder.is_dir():
        raise DefinitionError([Problem(folder, 0, "(path)", "no such file or folder")])
    found, seen = [], set()
    for root, folders, files in os.walk(folder, followlinks=True):
        real = os.path.realpath(root)
        if real in seen:  # a link back up the tree
            folders[:] = []
            continue
        seen.add(real)
        folders.sort()
        found += [Path(root) / name for name in files if Path(name).suffix.lower() in YAML_SUFFIXES and not name.startswith(".")]
        if len(found) > MAX_FILES:
            raise DefinitionError([Problem(folder, 0, "(path)", f"more than {MAX_FILES} definition files: is this the right folder?")])
    return sorted(found)


def load_catalogue(*folders: Path) -> Catalogue:
    """Parse and cross-check every YAML file under ``folders``; raise on any problem."""
    paths = [p for folder in folders for p in definition_files(Path(folder))]
    sources, problems = [], []
    for path in paths:
        source, found = parse_file(path)
        problems += found
        if source is not None:
            sources.append(source)
    if problems:
        raise DefinitionError(problems)
    catalogue, problems = _cross_check(sources)
    if problems:
        raise DefinitionError(problems)
    catalogue.files = paths
    return catalogue


# --- checks across files -----------------------------------------------------------------


def _cross_check(sources: list[SourceFile]) -> tuple[Catalogue, list[Problem]]:
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
