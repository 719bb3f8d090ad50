"""Where a plan's quantitative targets stand: the figures reported so far against a straight
path from the baseline to the target.

For each target (``schema.TargetDef``, as a sync stored it on the plan) and each unit
responsible, the figures come from the current submissions handed in by ``as_of`` to the
target's obligation (in the plan, or with the same id in the plans implementing it):

- a **stock** indicator (the share of officials trained) takes the unit's latest period;
- a **flow** indicator (trainings held) adds up its periods since the baseline;
- a **ratio** indicator is computed from its two parts, per unit and rolled up over the
  units (the sum of the numerators over the sum of the denominators); a sum, a maximum or a
  ``latest`` indicator rolls up as such (the latest: the figure of the most recent period);
  a percentage reported without its parts rolls up as the mean of the units that reported
  it; a target's ``rollup`` (sum, max, min, mean, weighted by another indicator, latest)
  overrides that; a text does not roll up. Each rolled-up value says how it was made
  (``TargetProgress.how``: "trung bình của 12/17 đơn vị").

The expected value on ``as_of`` is on the straight line from the baseline (its value and day,
or 0 on the plan's first day) to the target's value and day; a target is on track when what
was reported has reached it. An entry with a baseline and no target value ("hiện có khoảng
180 trạm") is shown with its figures and never judged (``Standing.NOT_JUDGED``). Nothing here
reads the clock.
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
    NOT_JUDGED = "not_judged"  # a baseline alone: there is no target to judge against

    @property
    def vi(self) -> str:
        return {"reached": "Đã đạt mục tiêu", "on_track": "Đạt tiến độ", "behind": "Chậm so với lộ trình",
                "no_data": "Chưa có số liệu", "not_judged": "Mốc hiện trạng, không đánh giá"}[self.value]


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
    expected: float | None  # on the straight path, on as_of; None for a baseline alone
    standing: Standing
    units: list[UnitTarget]
    reporting: int  # units with a figure
    how: str | None = None  # how the value rolled up: "trung bình của 12/17 đơn vị"

    @property
    def judged(self) -> bool:
        """False for a baseline alone (no target value): shown, never judged."""
        return self.target.get("value") is not None

    @property
    def baseline_text(self) -> str | None:
        """The baseline as the text gives it, with its day: "hiện có khoảng 180 trạm (01/11/2025)"."""
        baseline = self.target.get("baseline")
        if not baseline:
            return None
        day = dt.date.fromisoformat(str(baseline["on"]))
        return f"{baseline.get('written') or baseline['value']} ({day:%d/%m/%Y})"

    @property
    def coverage(self) -> str:
        return f"từ {self.reporting}/{len(self.units)} đơn vị"

    @property
    def by(self) -> dt.date | None:
        return dt.date.fromisoformat(str(self.target["by"])) if self.target.get("by") else None


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


ROLLUP_WORDS = {
    "ratio": "tỷ lệ tính từ tổng các thành phần của {n} đơn vị",
    "sum": "tổng của {n} đơn vị",
    "max": "cao nhất trong {n} đơn vị",
    "min": "thấp nhất trong {n} đơn vị",
    "mean": "trung bình của {n} đơn vị",
    "weighted": "bình quân gia quyền theo {weight} của {n} đơn vị",
    "latest": "số liệu mới nhất, của {unit}",
}


def rollup_of(target: dict, indicator: dict) -> str | None:
    """How a target's figure rolls up over its units: the plan's ``rollup`` where it says,
    else a ratio from its parts, a sum, a maximum or the latest figure as the indicator
    aggregates, and a percentage reported without its parts as the mean of the units that
    reported it. None: it does not roll up (a text)."""
    if target.get("rollup"):
        return target["rollup"]
    aggregate = indicator.get("aggregate")
    if aggregate == "ratio" and indicator.get("ratio_of"):
        return "ratio"
    if aggregate in ("sum", "max", "latest"):
        return aggregate
    if indicator.get("kind") == "percentage":
        return "mean"
    return None


def target_progress(session: Session, plan_ref: str, as_of: dt.datetime) -> list[TargetProgress]:
    """Every target of the plan, with where it stands on ``as_of``; an entry with a baseline
    alone (no target value) is shown with its figures and never judged."""
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
        method = rollup_of(target, indicator)
        parts = indicator.get("ratio_of") if indicator.get("aggregate") == "ratio" else None
        weight = target.get("weight") if method == "weighted" else None
        wanted = [*(parts or [target["indicator"]]), *([weight] if weight else [])]
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
        reported_at: dict[str, tuple] = {}  # unit -> (period end, hand-in) of its latest figure of the indicator
        for unit_id, start, end, key, number, submitted_at in rows:
            values = per_unit.setdefault(unit_id, {})
            if key == target["indicator"]:
                reported_at[unit_id] = (end, submitted_at)
            if indicator.get("measure", "flow") == "flow" and not parts and key == target["indicator"]:
                if start >= since:
                    values[key] = values.get(key, 0.0) + number  # the periods since the baseline add up
            else:
                values[key] = number  # ordered by period: the latest wins (a stock, a ratio's parts, a weight)
        judged = target.get("value") is not None
        expected = expected_on(target, plan.period_start, day) if judged else None
        units = []
        for unit_id in target["units"]:
            values = per_unit.get(unit_id, {})
            value = _ratio(values, parts) if parts else values.get(target["indicator"])
            units.append(UnitTarget(unit_id, names.get(unit_id, unit_id), value,
                                    _standing(value, expected, target) if judged else Standing.NOT_JUDGED))
        reporting = [u for u in units if u.value is not None]
        value, how = _rolled_up(method, reporting, per_unit, parts, weight, reported_at, indicators, len(units))
        standing = _standing(value, expected, target) if judged else Standing.NOT_JUDGED
        found.append(TargetProgress(target, indicator, value, expected, standing, units, len(reporting), how))
    return found


def _rolled_up(method, reporting, per_unit, parts, weight, reported_at, indicators, total) -> tuple[float | None, str | None]:
    """The plan's figure from the units' and how it was made ("trung bình của 12/17 đơn vị")."""
    if method is None or not reporting:
        return None, None
    values = [u.value for u in reporting]
    words = ROLLUP_WORDS[method]
    if method == "ratio" and parts:
        denominator = sum(per_unit[u.unit_id][parts[1]] for u in reporting)
        value = 100 * sum(per_unit[u.unit_id][parts[0]] for u in reporting) / denominator if denominator else None
    elif method == "sum":
        value = sum(values)
    elif method == "max":
        value = max(values)
    elif method == "min":
        value = min(values)
    elif method == "mean":
        value = sum(values) / len(values)
    elif method == "weighted":
        weighed = [(u.value, per_unit[u.unit_id].get(weight)) for u in reporting]
        weighed = [(v, w) for v, w in weighed if w]
        total_weight = sum(w for _, w in weighed)
        reporting = weighed
        value = sum(v * w for v, w in weighed) / total_weight if total_weight else None
        words = words.replace("{weight}", (indicators.get(weight) or {}).get("name", weight).lower())
    else:  # latest: the figure of the most recent period, the last handed in
        newest = max(reporting, key=lambda u: reported_at.get(u.unit_id, (dt.date.min,)))
        return newest.value, words.format(unit=newest.name)
    if value is None:
        return None, None
    return value, words.format(n=f"{len(reporting)}/{total}")


def _ratio(values: dict[str, float], parts: list[str]) -> float | None:
    top, bottom = values.get(parts[0]), values.get(parts[1])
    return 100 * top / bottom if top is not None and bottom else None
