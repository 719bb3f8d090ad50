"""Progress reports: where a plan stands as of an instant, unit by unit and period by period.

The report is a plain value (no I/O beyond the queries that build it): the Excel and HTML
writers, the Prefect flow and the dashboard all read the same object. Periods are the plan's
half-years counted from its start (the rhythm of its six-monthly reports and reviews); each
occurrence falls in the period that holds its deadline in force.
"""

from __future__ import annotations

import calendar
import dataclasses
import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from typing import Callable

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from .assumptions import AssumedReader, sentence
from .calendar import local_date
from . import rollup
from .store.models import Notice, Obligation, Occurrence, Plan, Unit
from .tracking import COUNTED, Status, ancestors, descendant_plans, descendants, on_time_rate, resolve_plan

# Worst first: the colour of a heat-map cell is the worst status in it.
SEVERITY = (Status.OVERDUE, Status.LATE, Status.IN_PROGRESS, Status.NO_DEADLINE, Status.ON_TIME, Status.NOT_OPEN)


@dataclass(frozen=True)
class Period:
    index: int  # 1-based
    start: dt.date
    end: dt.date

    @property
    def label(self) -> str:
        return f"Kỳ {self.index} ({self.start:%m/%Y}–{self.end:%m/%Y})"

    @property
    def short(self) -> str:
        return f"{self.start:%m/%y}–{self.end:%m/%y}"


def half_years(start: dt.date, end: dt.date) -> list[Period]:
    """Six-month periods counted from ``start`` until ``end`` (the last one may be shorter)."""
    periods: list[Period] = []
    while (first := _add_months(start, 6 * len(periods))) <= end:
        last = min(_add_months(start, 6 * (len(periods) + 1)) - dt.timedelta(days=1), end)
        periods.append(Period(len(periods) + 1, first, last))
    return periods


def _add_months(day: dt.date, months: int) -> dt.date:
    """Same day ``months`` later, or the month's last day (31/08 + 6 months -> end of February)."""
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


@dataclass
class Cell:
    counts: dict[Status, int]

    @property
    def total(self) -> int:
        """What fell due in the period; work with no deadline yet falls in none (its colour shows it)."""
        return sum(self.counts[s] for s in COUNTED if s is not Status.NO_DEADLINE)

    @property
    def status(self) -> Status | None:
        """The worst status in the cell; None when nothing in it is open yet."""
        return next((s for s in SEVERITY if s is not Status.NOT_OPEN and self.counts[s]), None)


@dataclass
class UnitProgress:
    unit_id: str
    name: str
    kind: str
    counts: dict[Status, int]
    cells: list[Cell]  # one per report period
    notices_sent: int

    @property
    def rate(self) -> float | None:
        return on_time_rate(self.counts)


@dataclass(frozen=True)
class Owed:
    """An overdue occurrence: what a lagging unit owes."""

    occurrence_id: int
    unit_id: str
    unit_name: str
    plan_number: str
    obligation_title: str
    period_label: str
    deadline: dt.date
    days_late: int
    notices_sent: int
    assumed: tuple[str, ...] = ()  # what the plan file assumes here (plantrack.assumptions)

    @property
    def assumption(self) -> str:
        """In one sentence ("Văn bản không nêu thời hạn; cơ quan điều phối đặt hạn mặc định."), or ""."""
        return sentence(self.assumed)


@dataclass
class ChildPlan:
    """A plan implementing the reported one (a province's or a ministry's own plan)."""

    plan_id: str
    number: str
    title: str
    doc_type: str
    issuer_id: str
    issuer_name: str
    owner_id: str | None  # the unit of the parent plan that the issuer belongs to
    counts: dict[Status, int]
    by_unit: dict[str, dict[Status, int]] = field(default_factory=dict, repr=False)  # the counts unit by unit

    @property
    def rate(self) -> float | None:
        return on_time_rate(self.counts)


@dataclass
class ProgressReport:
    plan_id: str
    plan_number: str
    plan_title: str
    plan_doc_type: str
    issuer_id: str
    as_of: dt.datetime
    periods: list[Period]
    units: list[UnitProgress]
    counts: dict[Status, int]
    owed: list[Owed]  # the longest overdue first; at most the limit asked for
    owed_total: int = 0  # how many are overdue in all
    children: list[ChildPlan] = field(default_factory=list)
    # Units of the top plan of a kind that implements it by plans of its own (provinces), and
    # which of them have such a plan loaded.
    implementers: list[tuple[str, str, list[str]]] = field(default_factory=list)  # (unit id, name, child plan ids)
    # The unit tree (id -> parent) and names of the registry, for the branches of the overview.
    parents: dict[str, str | None] = field(default_factory=dict, repr=False)
    names: dict[str, str] = field(default_factory=dict, repr=False)
    kinds: dict[str, str] = field(default_factory=dict, repr=False)
    own_units: set[str] = field(default_factory=set, repr=False)  # the units owing the reported plan itself
    # What the reports say, for the compiled report (``reporting`` fills them; pages leave them empty).
    figures: list = field(default_factory=list)  # figures.FigureReport of each obligation's latest period
    targets: list = field(default_factory=list)  # targets.TargetProgress

    @property
    def day(self) -> dt.date:
        return local_date(self.as_of)

    @property
    def rate(self) -> float | None:
        return on_time_rate(self.counts)

    @property
    def lagging(self) -> list[UnitProgress]:
        return [u for u in self.units if u.counts[Status.OVERDUE]]

    def period_totals(self) -> list[dict[Status, int]]:
        totals = []
        for index in range(len(self.periods)):
            found: Counter = Counter()
            for unit in self.units:
                found.update(unit.cells[index].counts)
            totals.append({status: found.get(status, 0) for status in Status})
        return totals


@dataclass
class Branch:
    """One row of the overview's tree: a unit with everything under it rolled up into it."""

    unit: UnitProgress  # the unit with the counts and cells of its whole branch
    members: int  # how many units with occurrences the row holds (1: the unit alone)
    own: bool  # the row of the opened unit's own occurrences
    plans: list[ChildPlan]  # the implementing plans its units issued

    @property
    def opens(self) -> bool:
        return self.members > 1 and not self.own


def branches(report: ProgressReport, node: str | None = None) -> list[Branch]:
    """The overview as a tree. At the top (``node`` None), each unit rolls up into its highest
    ancestor that owes the reported plan itself (a province's departments and districts, owing
    the province's implementing plan, into the province), or stays a row of its own; with
    ``node``, the rows are the units directly under it, each with its branch, and the node's
    own occurrences as a row of their own. Sorted as the report's units are."""
    parents = report.parents

    rows: dict[str, tuple[list[UnitProgress], bool]] = {}
    for unit in report.units:
        chain = list(ancestors(parents, unit.unit_id))  # the unit, its parent, ... up to the top of the registry
        if node is None:
            key, own = next((u for u in reversed(chain) if u in report.own_units), unit.unit_id), False
        elif unit.unit_id == node:
            key, own = node, True
        elif node in chain:
            key, own = chain[chain.index(node) - 1], False
        else:
            continue
        rows.setdefault((key, own), ([], own))[0].append(unit)
    found = []
    for (key, own), (members, _) in rows.items():
        counts, cells = _empty(), [_empty() for _ in report.periods]
        for member in members:
            for status, count in member.counts.items():
                counts[status] += count
            for index, cell in enumerate(member.cells):
                for status, count in cell.counts.items():
                    cells[index][status] += count
        rolled = UnitProgress(key, report.names.get(key, key), report.kinds.get(key, ""), counts, [Cell(c) for c in cells],
                              sum(m.notices_sent for m in members))
        plans = [c for c in report.children if c.owner_id == key or c.issuer_id == key]
        found.append(Branch(rolled, len(members), own, plans))
    found.sort(key=lambda b: (not b.own, -(b.unit.counts[Status.OVERDUE]), b.unit.rate if b.unit.rate is not None else 2, b.unit.unit_id))
    return found


def plan_counts(session: Session, plan_ids: list[str], as_of: dt.datetime,
                unit_ok: Callable[[str], bool] | None = None) -> dict[str, dict[Status, int]]:
    """Each plan's own counts by status, in one grouped query (the home page); with
    ``unit_ok``, only the occurrences of the units it accepts (an account's subtree)."""
    joined, live = rollup.live_occurrences(plan_ids)
    found = {plan_id: _empty() for plan_id in plan_ids}
    if unit_ok is None:
        query = (
            select(Obligation.plan_id, rollup.status(as_of).label("status"), func.count())
            .select_from(joined.join(Unit, Unit.id == Occurrence.unit_id)).where(live).group_by(Obligation.plan_id, "status")
        )
        rows = [(plan_id, None, status, count) for plan_id, status, count in session.execute(query).all()]
    else:
        query = (
            select(Obligation.plan_id, Occurrence.unit_id, rollup.status(as_of).label("status"), func.count())
            .select_from(joined.join(Unit, Unit.id == Occurrence.unit_id)).where(live)
            .group_by(Obligation.plan_id, Occurrence.unit_id, "status")
        )
        rows = [row for row in session.execute(query).all() if unit_ok(row[1])]
    for plan_id, _, status, count in rows:
        found[plan_id][Status(status)] += count
    return found


def _empty() -> dict[Status, int]:
    return {status: 0 for status in Status}


def compile_report(session: Session, plan_ref: str, as_of: dt.datetime, implementing: bool = True,
                   owed_limit: int | None = None, notices: bool = True) -> ProgressReport:
    """The progress report of a plan (and, by default, the plans implementing it) as of ``as_of``.

    Counted in SQL (``rollup``): one grouped query for the statuses by plan, unit and period,
    one for the notices sent by unit (unless ``notices`` is False: a page that does not show
    them), one for the overdue items (at most ``owed_limit`` of them, the longest overdue first;
    ``owed_total`` says how many there are). Nothing loads the occurrences."""
    plan = resolve_plan(session, plan_ref)
    family = descendant_plans(session, plan.id) if implementing else [plan.id]
    periods = half_years(plan.period_start, plan.period_end)
    joined, live = rollup.live_occurrences(family)
    now = rollup.instant(as_of)
    due_now = rollup.due_in_force(now)
    inner = (
        select(Obligation.plan_id.label("plan_id"), Occurrence.unit_id.label("unit_id"),
               rollup.status(as_of, due_now).label("status"),
               rollup.period_index(due_now, [p.end for p in periods]).label("period"))
        .select_from(joined).where(live).subquery()
    )
    grouped = session.execute(
        select(inner.c.plan_id, inner.c.unit_id, inner.c.period, inner.c.status, func.count())
        .group_by(inner.c.plan_id, inner.c.unit_id, inner.c.period, inner.c.status)
    ).all()
    sent_by_unit = {} if not notices else dict(session.execute(
        select(Occurrence.unit_id, func.count(Notice.id)).select_from(joined.join(Notice, Notice.occurrence_id == Occurrence.id))
        .where(live, Notice.sent_at.is_not(None), Notice.sent_at <= now).group_by(Occurrence.unit_id)
    ).all())
    registry = session.execute(select(Unit.id, Unit.parent_id, Unit.kind, func.coalesce(Unit.short_name, Unit.name))).all()
    kinds = {unit_id: kind for unit_id, _, kind, _ in registry}
    names = {unit_id: name for unit_id, _, _, name in registry}

    totals, by_plan = _empty(), {}
    by_plan_unit: dict[str, dict[str, dict[Status, int]]] = {}
    by_unit: dict[str, tuple[dict[Status, int], list[dict[Status, int]]]] = {}
    for plan_id, unit_id, period, status_value, count in grouped:
        if unit_id not in names:
            continue  # an occurrence of a unit no longer in the store (status_rows joins the unit)
        status = Status(status_value)
        if unit_id not in by_unit:
            by_unit[unit_id] = (_empty(), [_empty() for _ in periods])
        counts, cells = by_unit[unit_id]
        counts[status] += count
        cells[period][status] += count
        totals[status] += count
        if plan_id not in by_plan:
            by_plan[plan_id] = _empty()
        by_plan[plan_id][status] += count
        by_plan_unit.setdefault(plan_id, {}).setdefault(unit_id, _empty())[status] += count
    units = [
        UnitProgress(unit_id, names[unit_id], kinds.get(unit_id, ""), counts, [Cell(c) for c in cells], sent_by_unit.get(unit_id, 0))
        for unit_id, (counts, cells) in by_unit.items()
    ]
    units.sort(key=lambda u: (-(u.counts[Status.OVERDUE]), u.rate if u.rate is not None else 2, u.unit_id))

    report = ProgressReport(
        plan.id, plan.number, plan.title, plan.doc_type, plan.issuer_id, as_of, periods, units, totals,
        _owed(session, joined, live, as_of, due_now, owed_limit), owed_total=totals[Status.OVERDUE],
        parents={unit_id: parent for unit_id, parent, _, _ in registry}, names=names, kinds=kinds,
        own_units={unit_id for plan_id, unit_id, *_ in grouped if plan_id == plan.id},
    )
    if implementing:
        _add_children(session, report, plan, by_plan_unit, report.own_units, registry)
    return report


def _owed(session: Session, joined, live, as_of: dt.datetime, due_now, limit: int | None) -> list[Owed]:
    """The overdue occurrences, the longest overdue first, with the notices each was sent."""
    query = (
        select(Occurrence.id, Occurrence.unit_id, func.coalesce(Unit.short_name, Unit.name), Plan.number, Obligation.title,
               Occurrence.period_label, due_now.label("due"), Obligation.plan_id, Obligation.duty_key, Obligation.rule,
               Occurrence.due_date)
        .select_from(joined.join(Plan, Plan.id == Obligation.plan_id).join(Unit, Unit.id == Occurrence.unit_id))
        .where(live, rollup.status(as_of, due_now) == Status.OVERDUE.value)
        .order_by(due_now, Occurrence.unit_id, Obligation.title, Occurrence.id)
    )
    if limit == 0:
        return []
    if limit is not None:
        query = query.limit(limit)
    rows = session.execute(query).all()
    sent: Counter[int] = Counter()
    ids = [row[0] for row in rows]
    for chunk in range(0, len(ids), 5000):
        sent.update(dict(session.execute(
            select(Notice.occurrence_id, func.count(Notice.id))
            .where(Notice.occurrence_id.in_(ids[chunk:chunk + 5000]), Notice.sent_at.is_not(None), Notice.sent_at <= rollup.instant(as_of))
            .group_by(Notice.occurrence_id)
        ).all()))
    day = local_date(as_of)
    assumed = AssumedReader(session)
    return [Owed(occurrence_id, unit_id, name, number, title, label, due, (day - due).days, sent[occurrence_id],
                 assumed(plan_id, duty_key, rule, unit_id, due == original))
            for occurrence_id, unit_id, name, number, title, label, due, plan_id, duty_key, rule, original in rows]


def _add_children(session: Session, report: ProgressReport, plan: Plan, by_plan_unit: dict[str, dict[str, dict[Status, int]]],
                  own_units: set[str], registry: list) -> None:
    """Each implementing plan with its own counts, and which implementers have one loaded."""
    plan_ids = [p for p in descendant_plans(session, plan.id) if p != plan.id]
    if not plan_ids:
        return
    parents = {unit_id: parent for unit_id, parent, _, _ in registry}
    kinds = {unit_id: kind for unit_id, _, kind, _ in registry}
    names = {unit_id: name for unit_id, _, _, name in registry}

    def owner(unit_id: str) -> str | None:
        """The first unit of the reported plan at or above ``unit_id`` in the unit tree."""
        return next((u for u in ancestors(parents, unit_id) if u in own_units), None)

    edges = session.execute(select(Plan.id, Plan.parent_id).where(Plan.retired.is_(False))).all()
    children = select(Plan).where(Plan.parent_id == plan.id, Plan.retired.is_(False)).order_by(Plan.issued_on, Plan.id)
    for child in session.scalars(children):  # grandchildren count with their parent
        counts, by_unit = _empty(), {}
        for member in descendants(edges, child.id):
            for unit_id, unit_counts in by_plan_unit.get(member, {}).items():
                into = by_unit.setdefault(unit_id, _empty())
                for status, count in unit_counts.items():
                    counts[status] += count
                    into[status] += count
        report.children.append(
            ChildPlan(child.id, child.number, child.title, child.doc_type, child.issuer_id, names.get(child.issuer_id, child.issuer_id),
                      owner(child.issuer_id), counts, by_unit)
        )
    # Who implements by a plan of their own ("kế hoạch", not a dispatch): the kinds of the units
    # owning such a child plan (for plan 399, the provinces), each with its plans, if any.
    implementing_kinds = {kinds.get(c.owner_id) for c in report.children if c.owner_id and c.doc_type == "ke_hoach"}
    for unit_id in sorted(own_units):
        if kinds.get(unit_id) in implementing_kinds:
            report.implementers.append(
                (unit_id, names.get(unit_id, unit_id), [c.plan_id for c in report.children if c.owner_id == unit_id])
            )


@dataclass(frozen=True)
class Recipient:
    unit_id: str
    name: str
    to: list[str]
    cc: list[str]


def report_recipients(session: Session, plan_ref: str) -> list[Recipient]:
    """Who gets a plan's progress report: the head (the issuing committee) and its standing office,
    each by the position the plan's coordination names for it, if any ("Thủ tướng Chính phủ")."""
    plan = resolve_plan(session, plan_ref)
    positions = (plan.coordination or {}).get("positions") or {}
    found = []
    office = select(Unit).where(
        Unit.retired.is_(False), Unit.kind == "standing_office",
        (Unit.parent_id == plan.issuer_id) | (Unit.escalates_to_id == plan.issuer_id),
    )
    for unit in [session.get(Unit, plan.issuer_id), *session.scalars(office.order_by(Unit.id))]:
        if unit is not None and not unit.retired:
            contacts = unit.contacts or {}
            found.append(Recipient(unit.id, positions.get(unit.id, unit.name), list(contacts.get("to") or []),
                                   list(contacts.get("cc") or [])))
    return found


# --- counts moved by hand-ins, without counting again --------------------------------------


@dataclass(frozen=True)
class Moved:
    """One occurrence whose status at an instant was changed by new submissions."""

    plan_id: str
    unit_id: str
    due: dt.date  # the deadline in force at the instant: the report period it counts in
    before: Status
    after: Status


def moved_by_submissions(session: Session, after_id: int, upto_id: int, as_of: dt.datetime) -> list[Moved]:
    """The occurrences whose submissions with ids in (after_id, upto_id] change their status at
    ``as_of``, classified as ``tracking.status_rows`` does, before and after those submissions."""
    from .store.models import Submission
    from .tracking import classify, effective_due_date

    ids = set(session.scalars(select(Submission.occurrence_id).where(Submission.id > after_id, Submission.id <= upto_id)))
    found = []
    for chunk in _chunks(sorted(ids), 500):
        rows = session.execute(
            select(Occurrence, Obligation.plan_id).join(Obligation, Occurrence.obligation_id == Obligation.id)
            .join(Plan, Obligation.plan_id == Plan.id)
            .where(Occurrence.id.in_(chunk), Occurrence.retired.is_(False), Obligation.retired.is_(False), Plan.retired.is_(False))
        ).all()
        for occurrence, plan_id in rows:
            earlier = [s.submitted_at for s in occurrence.submissions if s.id <= after_id]
            due = effective_due_date(occurrence, as_of)

            def status(first: dt.datetime | None) -> Status:
                submitted = first if first is not None and first <= as_of else None
                return classify(occurrence.opens_on, effective_due_date(occurrence, submitted) if submitted else due, submitted, as_of)

            before, after = status(min(earlier) if earlier else None), status(occurrence.first_submitted_at)
            if before is not after:
                found.append(Moved(plan_id, occurrence.unit_id, due, before, after))
    return found


def plan_edges(session: Session) -> list[tuple[str, str | None]]:
    """(plan, the plan it implements) for every live plan."""
    return [tuple(row) for row in session.execute(select(Plan.id, Plan.parent_id).where(Plan.retired.is_(False))).all()]


def _chunks(items: list, size: int):
    for start in range(0, len(items), size):
        yield items[start:start + size]


def with_moves(report: ProgressReport, moves: list[Moved], plan_edges: list[tuple[str, str | None]]) -> ProgressReport | None:
    """A copy of ``report`` with ``moves`` applied (the cached report is left as it is); None when
    a move falls outside what the report holds (a unit it has no row for): count again then.
    Only for reports without overdue items or notice counts, which moves do not keep."""
    if report.owed or any(u.notices_sent for u in report.units):
        return None
    family = set(descendants(plan_edges, report.plan_id))
    moves = [m for m in moves if m.plan_id in family]
    if not moves:
        return dataclasses.replace(report)
    units = {u.unit_id: u for u in report.units}
    if any(m.unit_id not in units for m in moves):
        return None
    child_of = {member: child.plan_id for child in report.children for member in descendants(plan_edges, child.plan_id)}
    changed: dict[str, UnitProgress] = {}
    counts = dict(report.counts)
    children = {c.plan_id: c for c in report.children}
    copied_children: dict[str, ChildPlan] = {}
    for move in moves:
        unit = changed.get(move.unit_id)
        if unit is None:
            old = units[move.unit_id]
            unit = changed[move.unit_id] = dataclasses.replace(
                old, counts=dict(old.counts), cells=[Cell(dict(c.counts)) for c in old.cells])
        index = _period_index(report.periods, move.due)
        for target in (unit.counts, unit.cells[index].counts, counts):
            target[move.before] -= 1
            target[move.after] += 1
        if move.plan_id in child_of:
            root = child_of[move.plan_id]
            child = copied_children.get(root)
            if child is None:
                old_child = children[root]
                child = copied_children[root] = dataclasses.replace(
                    old_child, counts=dict(old_child.counts), by_unit={u: dict(c) for u, c in old_child.by_unit.items()})
            child.counts[move.before] -= 1
            child.counts[move.after] += 1
            mine = child.by_unit.setdefault(move.unit_id, _empty())
            mine[move.before] -= 1
            mine[move.after] += 1
    new_units = [changed.get(u.unit_id, u) for u in report.units]
    new_units.sort(key=lambda u: (-(u.counts[Status.OVERDUE]), u.rate if u.rate is not None else 2, u.unit_id))
    return dataclasses.replace(report, units=new_units, counts=counts,
                               children=[copied_children.get(c.plan_id, c) for c in report.children])


def within_scope(report: ProgressReport, plan_ok: Callable[[str], bool], unit_ok: Callable[[str], bool] | None) -> ProgressReport:
    """A copy of ``report`` holding only what an account's scope covers: the units it may see
    (``unit_ok``; None: every unit), and the implementing plans it may see (``plan_ok``) that
    were issued within its units or owe work there, each counting only the units it may see;
    the implementers listed are those within its units. The cards (``counts``) count its units."""
    children = [c for c in report.children if plan_ok(c.plan_id)]
    if unit_ok is None:
        return dataclasses.replace(report, children=children)
    scoped = []
    for child in children:
        mine = {u: c for u, c in child.by_unit.items() if unit_ok(u)}
        if not (mine or unit_ok(child.issuer_id)):
            continue
        counts = _empty()
        for unit_counts in mine.values():
            for status, count in unit_counts.items():
                counts[status] += count
        scoped.append(dataclasses.replace(child, counts=counts, by_unit=mine))
    kept = {c.plan_id for c in scoped}
    units = [u for u in report.units if unit_ok(u.unit_id)]
    counts = {s: sum(u.counts[s] for u in units) for s in report.counts}
    implementers = [(unit_id, name, [p for p in plans if p in kept]) for unit_id, name, plans in report.implementers if unit_ok(unit_id)]
    return dataclasses.replace(report, children=scoped, units=units, counts=counts, implementers=implementers)


def counts_with_moves(counts: dict[str, dict[Status, int]], moves: list[Moved],
                      unit_ok: Callable[[str], bool] | None = None) -> dict[str, dict[Status, int]]:
    """The home page's counts by plan with ``moves`` applied (those of the units ``unit_ok``
    accepts, if given), as a copy."""
    found = {plan_id: dict(c) for plan_id, c in counts.items()}
    for move in moves:
        if move.plan_id in found and (unit_ok is None or unit_ok(move.unit_id)):
            found[move.plan_id][move.before] -= 1
            found[move.plan_id][move.after] += 1
    return found


def _period_index(periods: list[Period], day: dt.date) -> int:
    """As ``rollup.period_index`` places a deadline: the first period ending on or after it, else the last."""
    for index, period in enumerate(periods[:-1]):
        if day <= period.end:
            return index
    return len(periods) - 1
