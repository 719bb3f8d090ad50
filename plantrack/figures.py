"""What the reports say: figures handed in for an obligation's indicators, and their totals.

- **In**: ``record_figures`` takes what a unit typed ("12", "1.250.000.000", "85,5", "có") for
  each indicator of the obligation, checks it against the indicator's kind and keeps it with
  the submission. A refused value is a ``FigureError`` in Vietnamese that names the indicator
  and says what is expected; nothing of that hand-in is kept (the caller's transaction). A
  correction is a new submission with its own figures: the superseded ones stay.
- **Up**: ``compile_figures`` adds up one period of one obligation under a unit of the tree (or
  the whole plan), by each indicator's aggregation (sum, maximum, latest, a ratio of two sums),
  always with its coverage: how many of the units that owe the report have reported figures,
  and which have not. Computed from the current submissions of that period, in SQL.

Nothing here reads the clock.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from .calendar import local_date
from .errors import PlantrackError
from .store.database import among
from .store.models import Figure, Obligation, Occurrence, Submission, Unit
from .text import MAX_NOTE, text_block
from .tracking import ancestors, descendant_plans, resolve_plan

MAX_NUMBER = 1e15  # đồng: a thousand trillion is more than any fine or seizure


class FigureError(PlantrackError):
    """A figure that is refused; the message is for the unit (Vietnamese)."""


_YES = {"có", "co", "x", "1", "yes", "đã", "da", "rồi"}
_NO = {"không", "khong", "0", "no", "chưa", "chua"}
_GROUPED = re.compile(r"^-?\d{1,3}(\.\d{3})+(,\d+)?$")  # 1.250.000.000 or 1.250,5: Vietnamese grouping
_PLAIN = re.compile(r"^-?\d+([.,]\d+)?$")


def parse_figure(indicator: dict, raw: str) -> tuple[float | None, str | None]:
    """The value of ``raw`` for ``indicator`` (its stored definition): (number, None) or (None, text)."""
    name = indicator["name"]
    raw = (raw or "").strip()
    kind = indicator.get("kind", "count")
    if kind == "text":
        return None, text_block(raw, name, MAX_NOTE)
    if kind == "yes_no":
        word = raw.casefold()
        if word in _YES:
            return 1.0, None
        if word in _NO:
            return 0.0, None
        raise FigureError(f"“{name}”: ghi “có” hoặc “không” (nhận được “{raw[:40]}”).")
    compact = raw.replace(" ", "").replace("\u00a0", "")
    if _GROUPED.match(compact):
        compact = compact.replace(".", "").replace(",", ".")
    elif _PLAIN.match(compact):
        compact = compact.replace(",", ".")
    else:
        raise FigureError(f"“{name}”: “{raw[:40]}” không phải là một số.")
    value = float(compact)
    if value < 0:
        raise FigureError(f"“{name}”: số liệu không được âm ({raw}).")
    if kind == "count" and value != int(value):
        raise FigureError(f"“{name}”: phải là số nguyên ({raw}).")
    if kind == "percentage" and value > 100:
        raise FigureError(f"“{name}”: tỷ lệ phần trăm không quá 100 ({raw}).")
    if value > MAX_NUMBER:
        raise FigureError(f"“{name}”: số quá lớn ({raw}).")
    return value, None


def record_figures(session: Session, submission: Submission, values: dict[str, str]) -> list[Figure]:
    """Keep ``values`` (indicator id -> what was typed) with ``submission``; every indicator of
    the obligation that is given is checked, an unknown one is refused, a blank one is left out."""
    indicators = {i["id"]: i for i in submission.occurrence.obligation.indicators or []}
    unknown = sorted(set(values) - set(indicators))
    if unknown:
        known = ", ".join(indicators) or "không có chỉ tiêu nào"
        raise FigureError(f"Báo cáo này không có chỉ tiêu {', '.join(unknown)} (các chỉ tiêu: {known}).")
    found = []
    for key, raw in values.items():
        if raw is None or not str(raw).strip():
            continue
        number, text = parse_figure(indicators[key], str(raw))
        figure = Figure(submission=submission, indicator=key, number=number, text=text)
        session.add(figure)
        found.append(figure)
    return found


@dataclass
class Total:
    """One indicator over a set of units for one period, with who reported it."""

    indicator: dict
    value: float | None  # None: nothing to add up (a text, or no figure yet)
    reported: list[str]  # units whose figure counts
    missing: list[str]  # units that owe the report and have no figure for it

    @property
    def coverage(self) -> str:
        owed = len(self.reported) + len(self.missing)
        return f"từ {len(self.reported)}/{owed} đơn vị"


@dataclass
class FigureReport:
    plan_id: str
    obligation_key: str
    obligation_title: str
    period_key: str
    period_label: str
    node: str | None
    totals: list[Total]
    by_unit: dict[str, dict[str, float | str | None]] = field(default_factory=dict)  # unit -> indicator -> value
    names: dict[str, str] = field(default_factory=dict)  # unit -> its short name (or name)
    rolled_up: list[str] = field(default_factory=list)  # units counted by their branch's figures, having none of their own


def compile_figures(session: Session, plan_ref: str, obligation_key: str, period_key: str, node: str | None = None) -> FigureReport:
    """The totals of one period of an obligation (in the plan or the plans implementing it that
    carry an obligation of that key), under ``node`` in the unit tree or for every unit."""
    found = compile_periods(session, plan_ref, obligation_key, [period_key], node)
    if period_key not in found:
        raise PlantrackError(f"no occurrence of {resolve_plan(session, plan_ref).id}/{obligation_key} for period {period_key!r}")
    return found[period_key]


def compile_periods(session: Session, plan_ref: str, obligation_key: str, period_keys: list[str], node: str | None = None,
                    only: list[str] | None = None) -> dict[str, FigureReport]:
    """``compile_figures`` for several periods at once (a trend): one query for all of them;
    with ``only``, just those indicators (and a ratio's parts)."""
    plan = resolve_plan(session, plan_ref)
    obligations = session.scalars(select(Obligation).where(
        Obligation.plan_id.in_(descendant_plans(session, plan.id)), Obligation.key == obligation_key, Obligation.retired.is_(False)
    )).all()
    own = next((o for o in obligations if o.plan_id == plan.id), None)
    if own is None:
        raise PlantrackError(f"plan {plan.id} has no obligation {obligation_key!r}")
    if not own.indicators:
        raise PlantrackError(f"{plan.id}/{obligation_key} carries no indicators: add 'indicators:' to it in the plan file")
    indicators = own.indicators
    if only is not None:
        wanted = set(only) | {part for i in indicators if i["id"] in only for part in i.get("ratio_of") or []}
        indicators = [i for i in indicators if i["id"] in wanted]
    # Every indicator is read and ``only`` applied here: a filter on figure in the join lets
    # PostgreSQL, before its statistics catch up with a bulk load, nest loops over every figure.
    figure_join = Figure.submission_id == Submission.id
    rows = session.execute(
        select(Occurrence.period_key, Occurrence.unit_id, Occurrence.period_label, Figure.indicator, Figure.number, Figure.text,
               Submission.submitted_at)
        .select_from(Occurrence)
        .outerjoin(Submission, (Submission.occurrence_id == Occurrence.id) & Submission.superseded_at.is_(None))
        .outerjoin(Figure, figure_join)
        .where(Occurrence.obligation_id.in_([o.id for o in obligations]), Occurrence.period_key.in_(list(period_keys)),
               Occurrence.retired.is_(False))
        .order_by(Occurrence.period_key, Occurrence.unit_id, Submission.submitted_at)
    ).all()
    registry = session.execute(select(Unit.id, Unit.parent_id, Unit.short_name, Unit.name)).all()
    parents = {unit_id: parent for unit_id, parent, _, _ in registry}
    names = {unit_id: short or name for unit_id, _, short, name in registry}
    wanted_ids = {i["id"] for i in indicators}
    by_period: dict[str, list] = {}
    for row in rows:
        by_period.setdefault(row[0], []).append(row[1:] if row[3] is None or row[3] in wanted_ids else (*row[1:3], None, None, None, row[6]))
    return {key: _compile_period(plan.id, obligation_key, own.title, key, node, indicators, period_rows, parents, names)
            for key, period_rows in by_period.items()}


def touched_periods(session: Session, plan_ref: str, obligation_key: str, after_id: int, upto_id: int) -> set[str]:
    """The periods of the obligation (across the cascade) that the submissions numbered in
    (after_id, upto_id] were handed in for: only their totals can have changed (a hand-in, a
    correction superseding an earlier one, its figures). Read by the submissions' ids alone."""
    handed = set(session.scalars(select(Submission.occurrence_id).where(Submission.id > after_id, Submission.id <= upto_id)))
    if not handed:
        return set()
    plan = resolve_plan(session, plan_ref)
    obligations = select(Obligation.id).where(Obligation.key == obligation_key, Obligation.plan_id.in_(descendant_plans(session, plan.id)))
    # Two steps, by primary keys: joined in one query, PostgreSQL's planner may scan every occurrence.
    return set(session.scalars(select(Occurrence.period_key).distinct().where(
        among(session, Occurrence.id, sorted(handed)), Occurrence.obligation_id.in_(obligations))))


def _compile_period(plan_id: str, obligation_key: str, title: str, period_key: str, node: str | None, indicators: list[dict],
                    rows: list, parents: dict, names: dict) -> FigureReport:
    owing, by_unit, label = [], {}, rows[0][1]
    latest: dict[tuple[str, str], dt.datetime] = {}
    for unit_id, _, indicator, number, text, submitted_at in rows:
        if node and node not in ancestors(parents, unit_id):
            continue
        if unit_id not in by_unit:
            owing.append(unit_id)
            by_unit[unit_id] = {}
        if indicator is not None:  # the latest current submission's figure wins
            by_unit[unit_id][indicator] = number if text is None else text
            latest[(unit_id, indicator)] = submitted_at
    # Up the cascade: a unit whose superior (in the unit tree) also owes this report is counted
    # through it. The superior's own figure stands for its branch (its report compiles them);
    # where it has none, its branch's figures are rolled up in its place.
    owed = set(owing)

    def nearest_owing_above(unit_id: str) -> str | None:
        return next((u for u in ancestors(parents, parents.get(unit_id)) if u in owed and u != unit_id), None)

    below: dict[str, list[str]] = {}
    tops = []
    for unit_id in owing:
        above = nearest_owing_above(unit_id)
        if above is None:
            tops.append(unit_id)
        else:
            below.setdefault(above, []).append(unit_id)
    counted = {unit_id: _rolled(unit_id, indicators, by_unit, below) for unit_id in tops}
    rolled_up = {u for u in tops if any(by_unit[u].get(i["id"]) is None and counted[u].get(i["id"]) is not None for i in indicators)}
    totals = []
    for indicator in indicators:
        key = indicator["id"]
        reported = [u for u in tops if counted[u].get(key) is not None]
        missing = [u for u in tops if u not in reported]
        totals.append(Total(indicator, _aggregate(indicator, reported, counted, latest), reported, missing))
    # A ratio is of the sums of its two parts over the units that reported both.
    for total in totals:
        if total.indicator.get("aggregate") == "ratio":
            top, bottom = total.indicator["ratio_of"]
            both = [u for u in tops if isinstance(counted[u].get(top), float) and isinstance(counted[u].get(bottom), float)]
            denominator = sum(counted[u][bottom] for u in both)
            total.reported, total.missing = both, [u for u in tops if u not in both]
            total.value = 100 * sum(counted[u][top] for u in both) / denominator if denominator else None
    owing = tops
    return FigureReport(plan_id, obligation_key, title, period_key, label, node, totals, by_unit,
                        {u: names.get(u, u) for u in by_unit}, sorted(rolled_up))


def _rolled(unit_id: str, indicators: list[dict], by_unit: dict, below: dict) -> dict:
    """A unit's figures for the total: its own, else its branch's rolled up (sums and maxima;
    a ratio follows from its parts, which are sums)."""
    found = dict(by_unit[unit_id])
    branch = [_rolled(child, indicators, by_unit, below) for child in below.get(unit_id, [])]
    for indicator in indicators:
        key, how = indicator["id"], indicator.get("aggregate", "sum")
        values = [b[key] for b in branch if isinstance(b.get(key), float)]
        if found.get(key) is not None or not values:
            continue
        if how == "sum":
            found[key] = float(sum(values))
        elif how == "max":
            found[key] = float(max(values))
    return found


def _aggregate(indicator: dict, reported: list[str], by_unit: dict, latest: dict) -> float | None:
    how = indicator.get("aggregate", "sum")
    values = [by_unit[u][indicator["id"]] for u in reported]
    if not values or how in ("none", "ratio") or indicator.get("kind") == "text":
        return None
    if how == "sum":
        return float(sum(values))
    if how == "max":
        return float(max(values))
    # latest: the figure of the unit that reported last
    return float(by_unit[max(reported, key=lambda u: latest[(u, indicator["id"])])][indicator["id"]])


def format_value(indicator: dict, value: float | str | None) -> str:
    """A figure as a Vietnamese reader writes it: 1.250.000.000 đồng, 85,5%, có/không."""
    if value is None:
        return "—"
    if isinstance(value, str):
        return value
    kind = indicator.get("kind", "count")
    if kind == "yes_no" and indicator.get("aggregate") in (None, "none"):
        return "có" if value else "không"
    if kind == "percentage":
        return f"{value:.1f}".replace(".", ",") + "%"
    whole = f"{value:,.0f}".replace(",", ".") if value == int(value) else f"{value:,.2f}".replace(",", " ").replace(".", ",").replace(" ", ".")
    unit = indicator.get("unit_of_measure")
    return f"{whole} {unit}" if unit else whole


def latest_figures(session: Session, plan_ref: str, as_of: dt.datetime) -> list[FigureReport]:
    """For each obligation of the plan whose report carries indicators, the totals of its latest
    period due by ``as_of`` (what the standing office's periodic report compiles)."""
    plan = resolve_plan(session, plan_ref)
    found = []
    for obligation in session.scalars(select(Obligation).where(Obligation.plan_id == plan.id, Obligation.retired.is_(False))
                                      .order_by(Obligation.section, Obligation.key)):
        if not obligation.indicators:
            continue
        period = session.execute(
            select(Occurrence.period_key).where(Occurrence.obligation_id == obligation.id, Occurrence.retired.is_(False),
                                                Occurrence.current_due_date <= local_date(as_of))
            .order_by(Occurrence.current_due_date.desc()).limit(1)
        ).scalar()
        if period is not None:
            found.append(compile_figures(session, plan.id, obligation.key, period))
    return found
