"""Units that owe something and have nowhere to be told: the generated registry carries no
e-mail address (no dataset has them), so ``plantrack validate`` counts, per plan, the units
owing one of its obligations that have neither an e-mail address (``contacts.to``) nor a
channel. A warning, not a refusal: the work is tracked all the same, only no notice reaches them.
"""

from __future__ import annotations

from dataclasses import dataclass

from .loader import Catalogue


@dataclass(frozen=True)
class Unaddressed:
    plan_id: str
    number: str
    owing: int  # units owing at least one of the plan's obligations
    missing: tuple[str, ...]  # those of them without an address, in id order


def has_address(catalogue: Catalogue, unit_id: str) -> bool:
    contacts = catalogue.units[unit_id].contacts
    return bool(contacts.to or contacts.channels)


def unaddressed(catalogue: Catalogue) -> list[Unaddressed]:
    """The plans (in id order) with units owing one of their obligations and no address."""
    found = []
    for plan_id in sorted(catalogue.plans):
        plan = catalogue.plans[plan_id]
        owing = {unit for obligation in plan.obligations for unit in catalogue.obligation_units(obligation)}
        missing = tuple(sorted(unit for unit in owing if not has_address(catalogue, unit)))
        if missing:
            found.append(Unaddressed(plan_id, plan.plan.number, len(owing), missing))
    return found
