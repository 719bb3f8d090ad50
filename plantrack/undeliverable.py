"""Undeliverable notices across units: what the home and plan pages list for a coordinator.

Given-up notices are few among hundreds of thousands: they are read through the partial index
of undeliverable notices (``ix_notice_undeliverable``; the literal state in the query is what
lets SQLite use it) and filtered by the account's scope here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from sqlalchemy import select
from sqlalchemy.orm import Session

from .outbox import UNDELIVERABLE
from .store.models import Notice, Obligation, Occurrence, Unit

READ = 2000  # rows read at most; the pages list the latest ``shown``


@dataclass(frozen=True)
class Undeliverable:
    notice_id: int
    stage: str
    recipient_id: str
    recipient_name: str
    channel: str
    unit_id: str  # whose work the notice was about
    plan_id: str
    attempts: int
    result: str


def undeliverable(session: Session, in_scope: Callable[[str], bool], plan_id: str | None = None,
                  shown: int = 200) -> tuple[int, list[Undeliverable]]:
    """How many notices are undeliverable that concern units within ``in_scope`` (as recipient
    or as the unit whose work it was about), of ``plan_id`` when given; and the latest ``shown``."""
    query = (
        select(Notice.id, Notice.stage, Notice.recipient_id, Unit.name, Notice.channel, Occurrence.unit_id,
               Obligation.plan_id, Notice.attempts, Notice.result)
        .join(Occurrence, Notice.occurrence_id == Occurrence.id)
        .join(Obligation, Occurrence.obligation_id == Obligation.id)
        .join(Unit, Notice.recipient_id == Unit.id)
        .where(Notice.state == UNDELIVERABLE)
    )
    if plan_id is not None:
        query = query.where(Obligation.plan_id == plan_id)
    rows = [
        Undeliverable(*row[:8], row[8] or "")
        for row in session.execute(query.limit(READ)).all()
        if in_scope(row.recipient_id) or in_scope(row.unit_id)
    ]
    rows.sort(key=lambda r: -r.notice_id)
    return len(rows), rows[:shown]


def units_to_retry(rows: list[Undeliverable], in_scope: Callable[[str], bool]) -> list[str]:
    """The units whose notices a retry of ``rows`` releases (``outbox.release`` by unit)."""
    return sorted({r.recipient_id for r in rows if in_scope(r.recipient_id)} | {r.unit_id for r in rows if in_scope(r.unit_id)})
