"""Checks between a plan and the plan it implements (its ``parent``), once the loader has found
every parent and no cycle: what a plan author should know, nothing refused.

A plan cannot implement a document that did not exist yet: one issued before its parent has a
wrong date (often an assumed one) or names the wrong parent.
"""

from __future__ import annotations

from .schema import PlanFile


def parent_warnings(plans: dict[str, PlanFile], plan_id: str) -> list[tuple[tuple, str]]:
    """``(loc, message)`` for each thing the plan ``plan_id`` says that its parent contradicts."""
    header = plans[plan_id].plan
    parent = plans.get(header.parent) if header.parent else None
    if parent is None:
        return []
    found = []
    if header.issued_on < parent.plan.issued_on:
        found.append((("plan", "issued_on"),
                      f"issued on {header.issued_on:%d/%m/%Y}, before the plan it implements ({parent.plan.number}, "
                      f"issued on {parent.plan.issued_on:%d/%m/%Y}): the date or the parent is wrong"))
    return found
