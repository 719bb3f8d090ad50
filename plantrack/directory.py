"""Reference data a run looks up again and again, read from the store once, on first need.

Units (escalation chain, names, addresses), obligations with their plan (what a digest line
names), and the live plans' calendars and policies. A morning watch or one dispatch makes its
own ``Directory``; a replay keeps one for all of its days, since a scenario changes submissions
and deadlines, never the registry or the plans. Whatever changes those (a sync) needs a new one.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass

from sqlalchemy import Text, and_, cast, select
from sqlalchemy.orm import Session

from .assumptions import assumed_owners, recipient_assumed, rule_assumed
from .calendar import WorkCalendar
from .recipients import superior_of
from .places import CAPITAL, PlaceNode, place_of
from .schema import EscalationPolicy
from .store.database import among
from .store.models import Duty, Obligation, Plan, Unit

BATCH = 5000  # ids per query


def channels_of(contacts: dict) -> list[str]:
    """The channels a unit can be reached on: e-mail if it has a To address, then its apprise URLs."""
    found = ["email"] if contacts.get("to") else []
    return found + [f"url:{i}" for i, _ in enumerate(contacts.get("channels") or [])]


@dataclass(frozen=True, slots=True)
class UnitEntry:
    id: str
    name: str  # full name, as in "Kính gửi"
    listed_name: str  # the short name where there is one, as in a list of units
    escalates_to: str | None
    live: bool  # not retired
    to: tuple[str, ...]
    cc: tuple[str, ...]
    urls: tuple[str, ...]  # apprise URLs of the unit's other channels
    channels: tuple[str, ...]  # "email" if it has a To address, then "url:0", "url:1"...
    former: tuple[tuple[dt.date, str, str], ...] = ()  # (until, name, listed name) of its former names, oldest first
    parent: str | None = None  # in the registry's tree (not the escalation chain)
    kind: str = ""
    place: str | None = None  # the registry's own ``place`` (plantrack.places), if given

    def name_on(self, day: dt.date) -> str:
        """The full name in force on ``day`` (a renamed body is addressed by the name it bore)."""
        return next((name for until, name, _ in self.former if day <= until), self.name)

    def listed_on(self, day: dt.date) -> str:
        return next((listed for until, _, listed in self.former if day <= until), self.listed_name)


@dataclass(frozen=True, slots=True)
class DutyEntry:
    """An obligation with what a reminder says about its plan."""

    plan_id: str
    plan_number: str
    plan_doc_type: str
    plan_title: str
    plan_issued_on: dt.date
    title: str
    section: str
    submit_to_name: str | None
    channel_hint: str | None  # how the text says to send it (an address, "văn bản"...)
    # recipients.as_stored: the receiver's relation ("superior") or position, and the copies.
    submit_relation: str | None = None
    submit_position: str | None = None
    copies: tuple[tuple[str, str | None], ...] = ()  # (unit, position or None) of each "đồng gửi"
    place: str = CAPITAL  # where the plan's issuer dates its documents (plantrack.places)
    deadline_assumed: bool = False  # the plan file's default, not the text's (``basis: assumed``)
    recipient_assumed: bool = False  # ``submit_to`` is the plan file's choice (``submit_to_basis: assumed``)
    assumed_owners: frozenset[str] = frozenset()  # units the duty assigns by the plan file's inference (``assumed:``)


def _former(text: str | None) -> tuple[tuple[dt.date, str, str], ...]:
    if not text or text == "[]":
        return ()
    return tuple((dt.date.fromisoformat(n["until"]), n["name"], n.get("short_name") or n["name"]) for n in json.loads(text))


class Directory:
    def __init__(self) -> None:
        self._units: dict[str, UnitEntry | None] = {}  # None: no such unit
        self._chained: set[str] = set()  # units whose escalation chain has been read
        self._duties: dict[int, DutyEntry | None] = {}
        self._rules: dict[str, tuple[WorkCalendar, EscalationPolicy]] | None = None
        self._chains: dict[str, tuple[str, ...]] = {}  # plan -> (office, head) from its coordination
        self._positions: dict[str, dict[str, str]] = {}  # plan -> {unit: the position its coordination names}
        self._overrides: dict[int, tuple[str, ...]] | None = None  # obligation -> its own escalate_to
        self._tree: dict[str, tuple] | None = None  # unit -> (parent, valid_from, valid_until, successor), for superiors
        self._parsed: dict[str, tuple[tuple, ...]] = {}  # contacts JSON text -> to, cc, urls, channels, (place,)
        self._places: dict[str, str] = {}  # unit -> where its documents are dated

    # --- units ------------------------------------------------------------------------------

    def load(self, session: Session, unit_ids) -> None:
        """Read those of these units not read yet."""
        missing = sorted(set(unit_ids) - self._units.keys())
        contacts = cast(Unit.contacts, Text)  # parsed once per distinct text, not per row
        columns = (Unit.id, Unit.name, Unit.short_name, Unit.escalates_to_id, Unit.retired, contacts, cast(Unit.former_names, Text),
                   Unit.parent_id, Unit.kind)
        connection = session.connection()
        for chunk in range(0, len(missing), BATCH):
            ids = missing[chunk : chunk + BATCH]
            self._units.update(dict.fromkeys(ids))  # None until found: unknown ids are not asked again
            for unit_id, name, short_name, chain, retired, text, former, parent, kind in connection.execute(
                select(*columns).where(among(session, Unit.id, ids))
            ).all():
                to, cc, urls, channels, (place,) = self._contacts(text)
                self._units[unit_id] = UnitEntry(unit_id, name, short_name or name, chain, not retired, to, cc, urls, channels,
                                                 _former(former), parent, kind, place)

    def units(self, session: Session, unit_ids) -> dict[str, UnitEntry]:
        """The entries of these units (unknown ids left out), reading only those not read yet."""
        unit_ids = set(unit_ids)
        self.load(session, unit_ids)
        return {unit_id: entry for unit_id in unit_ids if (entry := self._units[unit_id]) is not None}

    def chains(self, session: Session, unit_ids, levels: int = 2) -> None:
        """Read these units and the units ``levels`` steps up their escalation chains."""
        todo = set(unit_ids) - self._chained
        wanted = todo
        for _ in range(levels + 1):
            if not wanted:
                break
            self.load(session, wanted)
            wanted = {entry.escalates_to for entry in map(self._units.get, wanted) if entry and entry.escalates_to}
        self._chained.update(todo)

    def unit(self, unit_id: str) -> UnitEntry | None:
        """An entry read before (by ``load``, ``units`` or ``chains``); None if unknown or not read."""
        return self._units.get(unit_id)

    def place(self, session: Session, unit_id: str | None) -> str:
        """Where ``unit_id`` dates its documents (plantrack.places), reading its ancestors as needed."""
        if unit_id is None:
            return CAPITAL
        found = self._places.get(unit_id)
        if found is None:
            def node(uid: str) -> PlaceNode | None:
                self.load(session, [uid])
                entry = self._units.get(uid)
                return PlaceNode(entry.parent, entry.kind, entry.name, entry.place) if entry else None

            found = self._places[unit_id] = place_of(unit_id, node)
        return found

    def recipient(self, unit_id: str, level: int) -> str | None:
        """The live unit ``level`` steps up the escalation chain (level 0: the unit itself),
        or None where the chain breaks (no such unit, or a retired one on the way). The chain
        must have been read with ``chains``."""
        entry = self._units.get(unit_id)
        for _ in range(level):
            if entry is None or not entry.live or entry.escalates_to is None:
                return None
            entry = self._units.get(entry.escalates_to)
        return entry.id if entry is not None and entry.live else None

    def escalation_recipient(self, unit_id: str, level: int, plan_id: str, obligation_id: int) -> str | None:
        """Who is told at ``level`` (1, 2) that ``unit_id`` lags on an obligation: the
        obligation's own chain, else its plan's coordination (office, head), else the unit's
        ``escalates_to`` chain. A unit is never told about itself: the office's own lag goes
        to the head, and the head's to nobody. Read ``rules``, ``overrides`` and the chains'
        units first."""
        chain = (self._overrides or {}).get(obligation_id) or self._chains.get(plan_id)
        if not chain:
            return self.recipient(unit_id, level)
        if unit_id in chain[1:]:
            return None  # the head (or someone above the office): nobody above it in this plan
        chain = tuple(u for u in chain if u != unit_id)
        if level - 1 >= len(chain):
            return None
        entry = self._units.get(chain[level - 1])
        return entry.id if entry is not None and entry.live else None

    def overrides(self, session: Session) -> dict[int, tuple[str, ...]]:
        """Obligations with their own escalation chain (few): read once."""
        if self._overrides is None:
            self._overrides = {
                obligation_id: tuple(chain)
                for obligation_id, chain in session.execute(select(Obligation.id, Obligation.escalate_to)).all()
                if chain
            }
        return self._overrides

    def coordinators(self) -> set[str]:
        """Every unit named in a plan's or an obligation's chain (to be loaded with ``load``)."""
        return {u for chain in (*self._chains.values(), *(self._overrides or {}).values()) for u in chain}

    def _contacts(self, text: str | None) -> tuple[tuple[str, ...], ...]:
        text = text or "{}"
        parsed = self._parsed.get(text)
        if parsed is None:
            contacts = json.loads(text) or {}
            parsed = self._parsed[text] = (
                tuple(contacts.get("to") or ()), tuple(contacts.get("cc") or ()),
                tuple(contacts.get("channels") or ()), tuple(channels_of(contacts)), (contacts.get("place"),),
            )
        return parsed

    # --- obligations and plans ----------------------------------------------------------------

    def duties(self, session: Session, obligation_ids) -> dict[int, DutyEntry]:
        """The entries of these obligations (unknown ids left out), reading only those not read yet."""
        obligation_ids = set(obligation_ids)
        missing = sorted(obligation_ids - self._duties.keys())
        submit_to = Unit.__table__.alias("submit_to")
        connection = session.connection()
        for chunk in range(0, len(missing), BATCH):
            ids = missing[chunk : chunk + BATCH]
            for obligation_id in ids:
                self._duties[obligation_id] = None
            for obligation_id, *fields, recipients, issuer, rule, assignments in connection.execute(
                select(
                    Obligation.id, Plan.id, Plan.number, Plan.doc_type, Plan.title, Plan.issued_on, Obligation.title,
                    Obligation.section, submit_to.c.name, Obligation.channel, Obligation.recipients, Plan.issuer_id, Obligation.rule,
                    Duty.assignments,
                )
                .join(Plan, Obligation.plan_id == Plan.id)
                .outerjoin(submit_to, submit_to.c.id == Obligation.submit_to_id)
                .outerjoin(Duty, and_(Duty.plan_id == Obligation.plan_id, Duty.key == Obligation.duty_key))
                .where(among(session, Obligation.id, ids))
            ).all():
                recipients = recipients or {}
                submit = recipients.get("submit_to") or {}
                copies = tuple((c["unit"], c.get("position")) for c in recipients.get("copy_to") or ())
                self._duties[obligation_id] = DutyEntry(
                    *fields, submit.get("relation"), submit.get("position"), copies, self.place(session, issuer), rule_assumed(rule),
                    recipient_assumed(rule), assumed_owners(assignments),
                )
        return {obligation_id: self._duties[obligation_id] for obligation_id in obligation_ids if self._duties[obligation_id]}

    def position(self, session: Session, plan_id: str, unit_id: str) -> str | None:
        """The position a plan's coordination names for ``unit_id`` ("Thủ tướng Chính phủ" for
        the government as its head), which letters to it are addressed to; None: its name."""
        self.rules(session)
        return self._positions.get(plan_id, {}).get(unit_id)

    def superior(self, session: Session, unit_id: str, day: dt.date) -> str | None:
        """The managing body of ``unit_id`` on ``day`` (``submit_to: superior``): its parent in
        the registry, or the body that holds the parent's remit that day; None without one. The
        tree is read once, on first need."""
        if self._tree is None:
            self._tree = {row[0]: tuple(row[1:]) for row in session.connection().execute(
                select(Unit.id, Unit.parent_id, Unit.valid_from, Unit.valid_until, Unit.successor_id)).all()}
        tree = self._tree

        def body_on(current: str | None, when: dt.date) -> str | None:
            seen = set()
            while current is not None and current in tree and current not in seen:
                _, start, until, successor = tree[current]
                if (start is None or start <= when) and (until is None or when <= until):
                    return current
                if start is not None and when < start:
                    return None
                seen.add(current)
                current = successor
            return None

        return superior_of(lambda u: tree[u][0] if u in tree else None, body_on, unit_id, day)

    def rules(self, session: Session) -> dict[str, tuple[WorkCalendar, EscalationPolicy]]:
        """Each live plan's working calendar and escalation policy."""
        if self._rules is None:
            self._rules = {}
            for plan_id, calendar, escalation, coordination in session.execute(
                select(Plan.id, Plan.calendar, Plan.escalation, Plan.coordination).where(Plan.retired.is_(False))
            ).all():
                self._rules[plan_id] = (WorkCalendar.from_dict(calendar), EscalationPolicy(**escalation))
                chain = tuple(u for u in ((coordination or {}).get("office"), (coordination or {}).get("head")) if u)
                if chain:
                    self._chains[plan_id] = chain
                if (coordination or {}).get("positions"):
                    self._positions[plan_id] = coordination["positions"]
        return self._rules
