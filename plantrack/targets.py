"""Where a plan's quantitative targets stand: the figures reported so far against a straight
path from the baseline to the target.

For each target (``schema.TargetDef``, as a sync stored it on the plan) and each unit
responsible, the figures come from the current submissions handed in by ``as_of`` to the
target's obligation (in the plan, or with the same id in the plans implementing it):

- a **stock** indicator (the share of officials trained) takes the unit's latest period;
- a **flow** indicator (trainings held) adds up its periods since the baseline;
- a **ratio** indicator is computed from its two parts, per unit and rolled up over the
  units (the sum of the numerators over the sum of the denominators); a sum or a maximum
  rolls up as such; any other has no roll-up.

The expected value on ``as_of`` is on the straight line from the baseline (its value and day,
or 0 on the plan's first day) to the target's value and day; a target is on track when what
was reported has reached it. Nothing here reads the clock.
"""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from .calendar import local_date
from .store.models import Figure, Obligation, Occurrence, Submission, Unit
from .tracking import descendant_plans, resolve_plan


class Standing(str, enum.Enum):
    REACHED = "reached"
    ON_TRACK = "on_track"
    BEHIND = "behind"
    NO_DATA = "no_data"

    @property
    def vi(self) -> str:
        return {"reached": "Đã đạt mục tiêu", "on_track": "Đạt tiến độ", "behind": "Chậm so với lộ trình",
                "no_data": "Chưa có số liệu"}[self.value]


@dataclass(frozen=True)
class UnitTarget:
    unit_id: str
    name: str
    value: float | None
    standing: Standing


@dataclass(frozen=True)
class TargetProgress:
    target: dict
    indicator: dict
    value: float | None  # rolled up over the units responsible
    expected: float  # on the straight path, on as_of
    standing: Standing
    units: list[UnitTarget]
    reporting: int  # units with a figure

    @property
    def coverage(self) -> str:
        return f"từ {self.reporting}/{len(self.units)} đơn vị"

    @property
    def by(self) -> dt.date:
        return dt.date.fromisoformat(str(self.target["by"]))


def expected_on(target: dict, plan_start: dt.date, day: dt.date) -> float:
    """The value on the straight path from the baseline to the target, on ``day``."""
    baseline = target.get("baseline") or {"value": 0.0, "on": plan_start.isoformat()}
    start, end = dt.date.fromisoformat(str(baseline["on"])), dt.date.fromisoformat(str(target["by"]))
    first, last = float(baseline["value"]), float(target["value"])
    if day <= start:
        return first
    if day >= end:
        return last
    return first + (last - first) * (day - start).days / (end - start).days


def _standing(value: float | None, expected: float, target: dict) -> Standing:
    if value is None:
        return Standing.NO_DATA
    rising = float(target["value"]) >= float((target.get("baseline") or {"value": 0})["value"])
    if (value >= float(target["value"])) if rising else (value <= float(target["value"])):
        return Standing.REACHED
    return Standing.ON_TRACK if ((value >= expected) if rising else (value <= expected)) else Standing.BEHIND


def target_progress(session: Session, plan_ref: str, as_of: dt.datetime) -> list[TargetProgress]:
    """Every target of the plan, with where it stands on ``as_of``."""
    plan = resolve_plan(session, plan_ref)
    if not plan.targets:
        return []
    family = descendant_plans(session, plan.id)
    names = dict(session.execute(select(Unit.id, Unit.name)).all())
    day = local_date(as_of)
    found = []
    for target in plan.targets:
        obligations = session.scalars(select(Obligation).where(
            Obligation.plan_id.in_(family), Obligation.key == target["obligation"], Obligation.retired.is_(False))).all()
        indicators = {i["id"]: i for o in obligations for i in o.indicators or []}
        indicator = indicators.get(target["indicator"], {"id": target["indicator"], "name": target["indicator"]})
        parts = indicator.get("ratio_of") if indicator.get("aggregate") == "ratio" else None
        wanted = parts or [target["indicator"]]
        rows = session.execute(
            select(Occurrence.unit_id, Occurrence.period_start, Occurrence.period_end, Figure.indicator, Figure.number,
                   Submission.submitted_at)
            .join(Submission, (Submission.occurrence_id == Occurrence.id) & Submission.superseded_at.is_(None))
            .join(Figure, Figure.submission_id == Submission.id)
            .where(Occurrence.obligation_id.in_([o.id for o in obligations]), Occurrence.retired.is_(False),
                   Occurrence.unit_id.in_(target["units"]), Submission.submitted_at <= as_of, Figure.indicator.in_(wanted),
                   Figure.number.is_not(None))
            .order_by(Occurrence.unit_id, Occurrence.period_end, Submission.submitted_at)
        ).all()
        since = dt.date.fromisoformat(str((target.get("baseline") or {}).get("on") or plan.period_start))
        per_unit: dict[str, dict[str, float]] = {}
        for unit_id, start, end, key, number, _ in rows:
            values = per_unit.setdefault(unit_id, {})
            if indicator.get("measure", "flow") == "flow" and not parts:
                if start >= since:
                    values[key] = values.get(key, 0.0) + number  # the periods since the baseline add up
            else:
                values[key] = number  # ordered by period: the latest wins (a stock, or a ratio's parts)
        expected = expected_on(target, plan.period_start, day)
        units = []
        for unit_id in target["units"]:
            values = per_unit.get(unit_id, {})
            value = _ratio(values, parts) if parts else values.get(target["indicator"])
            units.append(UnitTarget(unit_id, names.get(unit_id, unit_id), value, _standing(value, expected, target)))
        reporting = [u for u in units if u.value is not None]
        if parts:
            tops = [per_unit[u.unit_id] for u in reporting]
            denominator = sum(v[parts[1]] for v in tops)
            value = 100 * sum(v[parts[0]] for v in tops) / denominator if denominator else None
        elif indicator.get("aggregate") == "sum":
            value = sum(u.value for u in reporting) if reporting else None
        elif indicator.get("aggregate") == "max":
            value = max((u.value for u in reporting), default=None)
        else:
            value = None
        found.append(TargetProgress(target, indicator, value, expected, _standing(value, expected, target), units, len(reporting)))
    return found


def _ratio(values: dict[str, float], parts: list[str]) -> float | None:
    top, bottom = values.get(parts[0]), values.get(parts[1])
    return 100 * top / bottom if top is not None and bottom else None
