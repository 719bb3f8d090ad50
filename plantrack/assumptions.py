"""What the plan file assumes where the text is silent, said in one short clause.

A deadline with ``basis: assumed`` is the plan file's default; a unit a duty lists under
``assumed:`` owes the work by the plan file's reading; a ``submit_to`` with ``submit_to_basis:
assumed`` receives it by the plan file's choice. (A registry's ``basis: assumed`` is not the
plan's: it says the registry names a body for the texts it was written from, and a later plan
may name that body itself.) Whoever reads a reminder, a unit's page or calendar, ``duties`` or
a report is told so in one clause ("văn bản không nêu thời hạn; cơ quan điều phối đặt hạn mặc
định"), never left to take the default for the text's word.
"""

from __future__ import annotations

from typing import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from .store.models import Duty

DEADLINE, OWNER, RECIPIENT = "deadline", "owner", "recipient"
KINDS = (DEADLINE, OWNER, RECIPIENT)

# (what the text does not name, what the coordinator did), in Vietnamese and English
_WORDS = {
    DEADLINE: (("thời hạn", "đặt hạn mặc định"), ("the deadline", "set a default one")),
    OWNER: (("đơn vị thực hiện", "xác định đơn vị"), ("the unit", "named the unit")),
    RECIPIENT: (("nơi nhận", "xác định nơi nhận"), ("the recipient", "named the recipient")),
}


def _join(parts: list[str], last: str) -> str:
    return parts[0] if len(parts) == 1 else f"{', '.join(parts[:-1])} {last} {parts[-1]}"


def clause(kinds: Iterable[str], english: bool = False) -> str:
    """One clause for what is assumed ("" when nothing is): "văn bản không nêu thời hạn; cơ
    quan điều phối đặt hạn mặc định"; several in one ("… thời hạn và nơi nhận; … đặt hạn mặc
    định và xác định nơi nhận")."""
    chosen = [kind for kind in KINDS if kind in set(kinds)]
    if not chosen:
        return ""
    words = [_WORDS[kind][1 if english else 0] for kind in chosen]
    if english:
        return f"the text does not give {_join([w[0] for w in words], 'and')}; the coordinator {_join([w[1] for w in words], 'and')}"
    return f"văn bản không nêu {_join([w[0] for w in words], 'và')}; cơ quan điều phối {_join([w[1] for w in words], 'và')}"


def sentence(kinds: Iterable[str], english: bool = False) -> str:
    """The clause standing alone: capitalised, with its full stop ("" when nothing is assumed)."""
    said = clause(kinds, english)
    return f"{said[:1].upper()}{said[1:]}." if said else ""


def rule_assumed(rule: dict | None) -> bool:
    """Whether a stored due rule (``Obligation.rule``) is the plan file's default."""
    return bool(rule) and rule.get("basis") == "assumed"


def recipient_assumed(rule: dict | None) -> bool:
    """Whether a stored obligation's ``submit_to`` is the plan file's choice (kept beside its rule)."""
    return bool(rule) and rule.get("submit_to_basis") == "assumed"


def assumed_owners(assignments: list | None) -> frozenset[str]:
    """The units a stored duty (``Duty.assignments``) assigns by the plan file's inference."""
    return frozenset(a["unit"] for a in assignments or () if a.get("basis") == "assumed")


def kinds_of(deadline: bool, owner: bool, recipient: bool) -> tuple[str, ...]:
    return tuple(kind for kind, on in zip(KINDS, (deadline, owner, recipient)) if on)


class AssumedReader:
    """What the plan file assumes for one occurrence, reading each plan's duties' assumed
    assignments once, as its rows come."""

    def __init__(self, session: Session) -> None:
        self._session = session
        self._duties: dict[str, dict[str, frozenset[str]]] = {}  # plan -> duty key -> assumed units

    def __call__(self, plan_id: str, duty_key: str | None, rule: dict | None, unit_id: str, original: bool) -> tuple[str, ...]:
        """The kinds assumed (``kinds_of``); ``original``: the deadline in force is the rule's,
        not one a person or a document moved since (only then is it the plan file's default)."""
        duties = self._duties.get(plan_id)
        if duties is None:
            duties = self._duties[plan_id] = {
                key: assumed_owners(assignments)
                for key, assignments in self._session.execute(select(Duty.key, Duty.assignments).where(Duty.plan_id == plan_id)).all()
            }
        return kinds_of(original and rule_assumed(rule), unit_id in duties.get(duty_key or "", frozenset()), recipient_assumed(rule))
