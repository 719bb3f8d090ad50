"""Who receives an obligation's deliverable and who gets a copy, as the text names them.

A plan file writes a recipient as a unit id, as a position of a unit (``{position: "Thủ tướng
Chính phủ", unit: vn.government}``), or, for ``submit_to``, as the relation ``superior``: each
unit's own managing body, its parent in the registry, held on the deadline by whichever body
exists that day (a merged parent's successor). ``copy_to`` lists the units a copy goes to
("gửi về X, đồng gửi Y").

What this means for the letters: a reminder names both places ("Gửi về: X; đồng gửi: Y"), as
the text does, and the copy recipients are copied (Cc) on the unit's reminders for that
obligation and listed under "Nơi nhận", as an office copies the bodies a report concerns;
they are not reminded themselves (they owe nothing), nor told of escalations. A position is
what letters name; notices go to the unit's addresses.

This module holds the checks the loader runs on recipients and the resolution shared by the
loader and the directory; it reads no store.
"""

from __future__ import annotations

import datetime as dt
from typing import Callable

from .rules import dated
from .schema import SUPERIOR, ObligationDef, Recipient, UnitDef, recipient_unit


def as_stored(obligation: ObligationDef) -> dict:
    """The recipients a store keeps beside ``submit_to_id``: the relation or position of
    ``submit_to`` and the copies, each ``{"unit", "position"?}``; {} when there is none."""
    found: dict = {}
    if obligation.submit_to == SUPERIOR:
        found["submit_to"] = {"relation": SUPERIOR}
    elif isinstance(obligation.submit_to, Recipient):
        found["submit_to"] = obligation.submit_to.model_dump()
    if obligation.copy_to:
        found["copy_to"] = [copy.model_dump() if isinstance(copy, Recipient) else {"unit": copy} for copy in obligation.copy_to]
    return found


def superior_of(parent_of: Callable[[str], str | None], body_on: Callable[[str, dt.date], str | None],
                unit_id: str, day: dt.date) -> str | None:
    """The managing body of ``unit_id`` on ``day``: its parent, or the body holding the
    parent's remit that day; None where it has none."""
    parent = parent_of(unit_id)
    return body_on(parent, day) if parent is not None else None


def positions_of(unit: UnitDef) -> list[str]:
    """The positions a letter may address in ``unit``: its listed positions and its head."""
    return [*unit.positions, *([unit.head] if unit.head else [])]


def check_recipients(cat, source, plan_id: str, problem, known_unit) -> None:
    """Every recipient of the plan's obligations names a known unit and, where it gives one, a
    position the unit's entry lists; a copy is not the receiver itself nor given twice; and
    ``superior`` is refused where a unit that owes the obligation has no managing body on a
    deadline (the first such unit and day are named)."""
    plan = source.model
    for i, obligation in enumerate(cat.plans[plan_id].obligations[: len(plan.obligations)]):
        here = ("obligations", i)
        submit = obligation.submit_to
        if isinstance(submit, Recipient):
            _known_position(cat, source, here + ("submit_to",), submit, problem, known_unit)
        elif submit != SUPERIOR:
            known_unit(source, here + ("submit_to",), submit)
        seen = set()
        for j, copy in enumerate(obligation.copy_to):
            where = here + ("copy_to", j)
            if isinstance(copy, Recipient):
                _known_position(cat, source, where, copy, problem, known_unit)
            else:
                known_unit(source, where, copy)
            unit = recipient_unit(copy)
            if unit is not None and unit == recipient_unit(submit):
                problem(source, where, f"{unit!r} already receives it (submit_to): a copy goes to another body")
            elif unit in seen:
                problem(source, where, f"{unit!r} is listed twice")
            seen.add(unit)
        if submit == SUPERIOR:
            _check_superior(cat, source, plan_id, obligation, here + ("submit_to",), problem)


def check_coordination(cat, source, coordination, problem, known_unit) -> None:
    """The plan's office and head name known units, and known positions where they give one."""
    for role in ("office", "head"):
        recipient = getattr(coordination, role)
        if isinstance(recipient, Recipient):
            _known_position(cat, source, ("plan", "coordination", role), recipient, problem, known_unit)
        else:
            known_unit(source, ("plan", "coordination", role), recipient)


def _known_position(cat, source, loc: tuple, recipient: Recipient, problem, known_unit) -> None:
    known_unit(source, loc + ("unit",), recipient.unit)
    unit = cat.units.get(recipient.unit)
    if unit is not None and recipient.position not in positions_of(unit):
        listed = ", ".join(repr(p) for p in positions_of(unit)) or "none"
        problem(source, loc + ("position",), f"{recipient.unit!r} lists no position {recipient.position!r} (its positions: {listed}); "
                                             "add it to the unit's 'positions' in its registry")


def _check_superior(cat, source, plan_id: str, obligation: ObligationDef, loc: tuple, problem) -> None:
    units = [u for u in cat.obligation_units(obligation) if u in cat.units]
    period = cat.plan_period(plan_id)
    issued = cat.plans[plan_id].plan.issued_on
    if obligation.due.problem(period.start, period.end, issued):
        return  # a broken rule: reported by the due rule's own check
    if obligation.due.type == "adhoc":
        days = [period.start]
    else:
        try:
            days = sorted({item.deadline.due_date for item in dated(obligation, period, issued, cat.plan_calendar(plan_id),
                                                           cat.resolver(plan_id))})
        except ValueError:
            return  # a broken 'after' chain: reported by the due rule's own check
    parent_of = lambda unit_id: cat.units[unit_id].parent  # noqa: E731
    for unit_id in units:
        for day in days:
            body = cat.unit_on(unit_id, day)
            if body is None:
                continue  # the unit does not exist that day: it owes nothing then
            if superior_of(parent_of, cat.unit_on, body, day) is None:
                parent = cat.units[body].parent
                why = (f"{body!r} has no parent in the registry" if parent is None
                       else f"{body!r}'s parent {parent!r} has no body that holds it on {day:%d/%m/%Y}")
                problem(source, loc, f"'superior' is each unit's managing body, but {why} (deadline {day:%d/%m/%Y}): "
                                     "name the receiver instead")
                return
