"""A unit's history in the registry, as a page shows it: the name it bore on a day, the names it
had before, the bodies it came from and the ones it became (merged into, split into with the
part each took). Read from the store as the last sync wrote it; nothing here reads the clock.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from .store.models import Unit


@dataclass(frozen=True)
class Lineage:
    name: str  # the name in force on the day asked
    short_name: str | None
    former_names: list[dict] = field(default_factory=list)  # {"name", "short_name"?, "from"?, "until"}
    successor: tuple[str, str] | None = None  # (id, name): merged into
    split_to: list[tuple[str, str, str]] = field(default_factory=list)  # (id, name, the part it took)
    predecessors: list[tuple[str, str, str]] = field(default_factory=list)  # (id, name, "merged" or the part)

    @property
    def renamed(self) -> bool:
        return bool(self.former_names)


def name_on(unit: Unit, day: dt.date) -> tuple[str, str | None]:
    """The name and short name ``unit`` bore on ``day``."""
    for former in unit.former_names or []:
        if day <= dt.date.fromisoformat(former["until"]):
            return former["name"], former.get("short_name")
    return unit.name, unit.short_name


def lineage(session: Session, unit: Unit, day: dt.date) -> Lineage:
    """Where ``unit`` comes from and what it became, with its name on ``day``."""
    names, start = [], unit.valid_from
    for former in unit.former_names or []:
        until = dt.date.fromisoformat(former["until"])
        names.append({**former, "from": start, "until": until})
        start = until + dt.timedelta(days=1)
    wanted = {unit.successor_id, *(part["unit"] for part in unit.split_to or [])} - {None}
    named = dict(session.execute(select(Unit.id, Unit.name).where(Unit.id.in_(wanted))).all()) if wanted else {}
    # Bodies that ended into this one: by succession, or by a part of a split (a JSON list: read
    # the few units that were split at all and look inside).
    before = session.execute(
        select(Unit.id, Unit.name, Unit.successor_id, Unit.split_to)
        .where(or_(Unit.successor_id == unit.id, Unit.valid_until.is_not(None)), Unit.id != unit.id)
    ).all()
    predecessors = []
    for other_id, other_name, successor, parts in before:
        if successor == unit.id:
            predecessors.append((other_id, other_name, "merged"))
        for part in parts or []:
            if part["unit"] == unit.id:
                predecessors.append((other_id, other_name, part["scope"]))
    return Lineage(
        *name_on(unit, day), former_names=names,
        successor=(unit.successor_id, named.get(unit.successor_id, unit.successor_id)) if unit.successor_id else None,
        split_to=[(part["unit"], named.get(part["unit"], part["unit"]), part["scope"]) for part in unit.split_to or []],
        predecessors=sorted(predecessors),
    )
