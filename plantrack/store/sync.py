"""Bring the store in line with a checked catalogue: idempotent, in one transaction.

Rows are compared field by field; only differences are written. Rows that left the plan
files are marked retired (never deleted), so submissions and extensions survive; they come
back to life if the definition returns. Ad-hoc obligations raised at run time are not
touched. Running a sync twice reports no change the second time.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from ..rules import expand
from ..changes import AMENDMENT_PREFIX
from ..counted import redate_all
from ..deadlines import has_deadline
from ..errors import PlantrackError
from ..freshness import touch
from ..loader import Catalogue
from ..recipients import as_stored
from ..schema import recipient_unit
from .bulk import insert_rows, update_rows
from .models import Duty, Extension, Obligation, Occurrence, Plan, Unit, UnitGroup


@dataclass
class SyncReport:
    """What a sync added, changed, retired or restored, by kind of row."""

    added: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    changed: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    retired: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))

    @property
    def is_empty(self) -> bool:
        return not any((self.added, self.changed, self.retired))

    def count(self, action: str, kind: str) -> int:
        return len(getattr(self, action).get(kind, []))

    def summary(self) -> list[tuple[str, int, int, int]]:
        kinds = ["unit", "group", "plan", "duty", "obligation", "occurrence"]
        return [(k, self.count("added", k), self.count("changed", k), self.count("retired", k)) for k in kinds]


def _jsonable(value: Any) -> Any:
    """Dates as ISO strings, so a value compares equal after a round trip through JSON."""
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def _apply(row: Any, values: dict[str, Any]) -> bool:
    """Set ``values`` on ``row``; True when anything differed."""
    changed = False
    for name, value in values.items():
        if getattr(row, name) != value:
            setattr(row, name, value)
            changed = True
    return changed


def _reconcile(
    session: Session,
    report: SyncReport,
    kind: str,
    existing: dict[Any, Any],
    desired: dict[Any, dict[str, Any]],
    make: callable,
    label: callable,
) -> dict[Any, Any]:
    """Add, update, retire rows of one kind; returns the live rows by key."""
    live = {}
    for key, values in desired.items():
        row = existing.get(key)
        if row is None:
            row = make(key, values)
            session.add(row)
            report.added[kind].append(label(key))
        elif _apply(row, {**values, "retired": False}):
            report.changed[kind].append(label(key))
        live[key] = row
    for key, row in existing.items():
        if key not in desired and not row.retired:
            row.retired = True
            report.retired[kind].append(label(key))
    return live


class DeadlineRewrite(PlantrackError):
    """A sync that would change deadlines already in the store with no amending document to
    say so: history would be rewritten (an on-time hand-in could become late)."""


class RetireRefused(PlantrackError):
    """A sync that would retire whole plans or registries, which is what a missing or empty
    plans folder looks like; it is done only when asked for (``allow_retire``)."""


def whole_retirements(session: Session, catalogue: Catalogue) -> tuple[list[str], list[str], int]:
    """(plans, registries, open occurrences) a sync of ``catalogue`` would retire entirely."""
    plans = [p for p in session.scalars(select(Plan.id).where(Plan.retired.is_(False)).order_by(Plan.id)) if p not in catalogue.plans]
    kept = set(catalogue.unit_registry.values())
    registries = [r for r in session.scalars(select(Unit.registry_id).where(Unit.retired.is_(False)).distinct().order_by(Unit.registry_id))
                  if r not in kept]
    occurrences = session.scalar(
        select(func.count()).select_from(Occurrence).join(Obligation, Occurrence.obligation_id == Obligation.id)
        .where(Obligation.plan_id.in_(plans), Occurrence.retired.is_(False))
    ) if plans else 0
    return plans, registries, occurrences or 0


def sync_catalogue(session: Session, catalogue: Catalogue, base: Path | None = None, *, allow_retire: bool = False,
                   rewrite_deadlines: bool = False) -> SyncReport:
    """Make the store match ``catalogue``. The caller owns the transaction. Retiring a whole
    plan or registry is refused (``RetireRefused``, nothing written) unless ``allow_retire``;
    a changed deadline is recorded as of the amendment that names it, or refused
    (``DeadlineRewrite``) unless ``rewrite_deadlines`` (the plan file itself was wrong)."""
    if not allow_retire:
        plans, registries, occurrences = whole_retirements(session, catalogue)
        if plans or registries:
            what = "; ".join(part for part in (
                f"{len(plans)} plan(s): {', '.join(plans)} ({occurrences} occurrences)" if plans else "",
                f"{len(registries)} registr{'y' if len(registries) == 1 else 'ies'}: {', '.join(registries)}" if registries else "",
            ) if part)
            raise RetireRefused(
                f"this sync would retire {what}, because their files are not in the definitions given. "
                "If a folder or file is missing, nothing was changed; to retire them, sync again with --allow-retire."
            )
    report = SyncReport()
    _sync_units(session, catalogue, report)
    _sync_groups(session, catalogue, report)
    session.flush()
    plans = _sync_plans(session, catalogue, report, base)
    session.flush()
    _sync_duties(session, catalogue, report)
    obligations = _sync_obligations(session, catalogue, report, plans)
    session.flush()
    _sync_occurrences(session, catalogue, report, obligations, rewrite_deadlines)
    session.flush()
    redate_all(session)  # compiling steps counted from hand-ins that are all in already
    touch(session)  # counts cached from the store before this sync no longer hold
    session.flush()
    return report


def _sync_units(session: Session, catalogue: Catalogue, report: SyncReport) -> None:
    desired = {
        unit.id: {
            "registry_id": catalogue.unit_registry[unit.id],
            "name": unit.name,
            "short_name": unit.short_name,
            "kind": unit.kind,
            "parent_id": unit.parent,
            "escalates_to_id": unit.escalates_to,
            "head": unit.head,
            # The registry's ``place`` rides in the contacts column (where its letters come from),
            # only when given: no migration, and no churn for the units without one.
            "contacts": _jsonable({**unit.contacts.model_dump(), **({"place": unit.place} if unit.place else {})}),
            "basis": unit.basis,
            "valid_from": unit.valid_from,
            "valid_until": unit.valid_until,
            "successor_id": unit.successor,
            "aliases": list(unit.aliases),
            "split_to": [part.model_dump() for part in unit.split_to],
            "former_names": [_jsonable(n.model_dump(exclude_none=True)) for n in unit.former_names],
        }
        for unit in catalogue.units.values()
    }
    existing = {u.id: u for u in session.scalars(select(Unit))}
    _reconcile(session, report, "unit", existing, desired, lambda k, v: Unit(id=k, **v), str)


def _sync_groups(session: Session, catalogue: Catalogue, report: SyncReport) -> None:
    desired = {
        name: {
            "registry_id": catalogue.group_registry.get(name, ""),
            "members": members,
            "rule": catalogue.group_rules[name].model_dump() if name in catalogue.group_rules else None,
        }
        for name, members in catalogue.groups.items()
    }
    existing = {g.id: g for g in session.scalars(select(UnitGroup))}
    _reconcile(session, report, "group", existing, desired, lambda k, v: UnitGroup(id=k, **v), str)


def _plan_depth(catalogue: Catalogue, plan_id: str) -> int:
    depth, parent = 0, catalogue.plans[plan_id].plan.parent
    while parent is not None:
        depth, parent = depth + 1, catalogue.plans[parent].plan.parent
    return depth


def _sync_plans(session: Session, catalogue: Catalogue, report: SyncReport, base: Path | None) -> dict[str, Plan]:
    desired = {}
    # Parents first: the plan table refers to itself.
    for plan_id in sorted(catalogue.plans, key=lambda p: (_plan_depth(catalogue, p), p)):
        header = catalogue.plans[plan_id].plan
        period = catalogue.plan_period(plan_id)
        path = catalogue.plan_files[plan_id]
        if base is not None:
            try:
                path = path.resolve().relative_to(base.resolve())
            except ValueError:
                pass
        calendar = catalogue.plan_calendar(plan_id)  # merged, so run-time shifts need no YAML
        desired[plan_id] = {
            "escalation": catalogue.plan_escalation(plan_id).model_dump(),
            "coordination": header.coordination.as_stored() if header.coordination else {},
            "targets": [_jsonable({**t.model_dump(exclude_none=True, exclude={"groups"}),
                                   "units": catalogue.expand_units(t.units, t.groups)}) for t in catalogue.plans[plan_id].targets],
            "number": header.number,
            "doc_type": header.doc_type,
            "title": header.title,
            "issuer_id": header.issuer,
            "signed_by": header.signed_by,
            "issued_on": header.issued_on,
            "period_start": period.start,
            "period_end": period.end,
            "parent_id": header.parent,
            "source_file": str(path),
            # The documents around the plan, by relation: what it implements or draws on, what
            # amends it (the history of its deadlines), what it replaces and what replaced it.
            "sources": _jsonable(
                [{"relation": "source", **s.model_dump(exclude_none=True)} for s in header.sources]
                + [{"relation": "amendment", **a.model_dump(exclude_none=True)} for a in catalogue.plans[plan_id].amendments]
                + [{"relation": "replaces", **r.model_dump(exclude_none=True)} for r in header.replaces]
                + ([{"relation": "replaced_by", "plan": replaced[0], "number": catalogue.plans[replaced[0]].plan.number,
                     "effective_from": replaced[1]}] if (replaced := catalogue.replaced_by(plan_id)) else [])
            ),
            "calendar": calendar.as_dict(),
        }
    existing = {p.id: p for p in session.scalars(select(Plan))}
    # A plan already stored may now name a new plan as its parent, and a flush writes its
    # updates before its inserts: the new plans (parents first) are written on their own first.
    fresh = {plan_id: values for plan_id, values in desired.items() if plan_id not in existing}
    if fresh:
        existing.update(_reconcile(session, report, "plan", {}, fresh, lambda k, v: Plan(id=k, **v), str))
        session.flush()
    return _reconcile(session, report, "plan", existing, desired, lambda k, v: Plan(id=k, **v), str)


def _sync_duties(session: Session, catalogue: Catalogue, report: SyncReport) -> None:
    desired = {}
    for plan_id, plan in catalogue.plans.items():
        for duty in plan.duties:
            assumed = set(duty.assumed.units) if duty.assumed else set()
            assignments = [
                {"unit": u, "role": role, **({"basis": "assumed"} if u in assumed else {}),
                 **({"held_by": duty.held_by[u]} if u in duty.held_by else {})}
                for role in ("lead", "either", "support")
                for u in catalogue.expand_units(getattr(duty, role), getattr(duty, f"{role}_groups"))
            ]
            period = catalogue.plan_period(plan_id)
            frame = duty.timeframe
            start, until = frame.span(period.start, period.end) if frame else (period.start, period.end)
            replaced = catalogue.replaced_by(plan_id)
            if replaced is not None:  # a replaced plan's duties stop the day before its successor takes effect
                until = max(start, min(until, replaced[1] - dt.timedelta(days=1)))
            desired[(plan_id, duty.id)] = {
                "section": duty.section, "text": duty.text, "assignments": assignments, "active_from": start, "active_until": until,
                "timeframe": {**(frame.model_dump(exclude_none=True, exclude={"start", "until"}, mode="json") if frame else {}),
                              **({"assumed_note": duty.assumed.note} if duty.assumed else {})},
            }
    existing = {(d.plan_id, d.key): d for d in session.scalars(select(Duty))}
    _reconcile(
        session, report, "duty", existing, desired,
        lambda k, v: Duty(plan_id=k[0], key=k[1], **v), lambda k: f"{k[0]}/{k[1]}",
    )


def _sync_obligations(
    session: Session, catalogue: Catalogue, report: SyncReport, plans: dict[str, Plan]
) -> dict[tuple[str, str], Obligation]:
    desired = {}
    for plan_id, plan in catalogue.plans.items():
        duties = {d.id: d.escalate_to for d in plan.duties if d.escalate_to}
        indicators = catalogue.indicators_of(plan_id)
        for obligation in plan.obligations:
            desired[(plan_id, obligation.id)] = {
                "duty_key": obligation.duty,
                "title": obligation.title,
                "kind": obligation.due.type,
                "section": obligation.section,
                "submit_to_id": recipient_unit(obligation.submit_to),
                "recipients": as_stored(obligation),
                "channel": obligation.channel,
                # The due rule, and beside it (only when assumed: no churn) whether the recipient is the
                # plan file's choice: the column holds what a reminder says about the obligation's terms.
                "rule": _jsonable({**obligation.due.model_dump(), **({"submit_to_basis": "assumed", "submit_to_note": obligation.submit_to_note}
                                                                     if obligation.submit_to_basis == "assumed" else {})}),
                "units": catalogue.obligation_units(obligation),
                # The obligation's own chain, else its duty's, else (None) the plan's.
                "escalate_to": obligation.escalate_to or duties.get(obligation.duty),
                "indicators": [_jsonable({**indicators[key].model_dump(exclude_none=True), "aggregate": indicators[key].aggregation})
                               for key in obligation.indicators],
            }
    existing = {
        (o.plan_id, o.key): o for o in session.scalars(select(Obligation).where(Obligation.origin == "plan"))
    }
    return _reconcile(
        session, report, "obligation", existing, desired,
        lambda k, v: Obligation(plan_id=k[0], key=k[1], origin="plan", **v), lambda k: f"{k[0]}/{k[1]}",
    )


def _owed_on(spec) -> dt.date:
    """The day that decides who owes an occurrence: its deadline, or, for work the text gives no
    date, the end of its period (not the marker: a body created years later owes none of it)."""
    return spec.deadline.due_date if has_deadline(spec.deadline.due_date) else spec.period_end


# The columns of an occurrence a sync writes, after its key; "explanation" goes as its JSON text.
_OCCURRENCE_VALUES = ("period_label", "period_start", "period_end", "opens_on", "due_date", "explanation", "due_text", "sync_digest")


def _sync_occurrences(
    session: Session, catalogue: Catalogue, report: SyncReport, obligations: dict[tuple[str, str], Obligation],
    rewrite_deadlines: bool = False,
) -> None:
    """Occurrences in bulk (``store.bulk``), not as ORM objects: a national tree has hundreds
    of thousands, and a sync that changes nothing must compare them cheaply. The stored
    rows are compared by a digest of what was written (``sync_digest``), not column by column."""
    desired: dict[tuple[int, str, str], tuple] = {}
    digests: dict[int, str] = {}  # obligation -> digest of all its occurrences
    labels: dict[int, str] = {}
    amending: dict[int, tuple[str, object]] = {}  # obligation id -> (plan, its latest amendment)
    for (plan_id, key), row in obligations.items():
        plan = catalogue.plans[plan_id]
        definition = next(o for o in plan.obligations if o.id == key)
        labels[row.id] = f"{plan_id}/{key}"
        amendment = catalogue.amendment_of(plan_id, key)
        if amendment is not None:
            amending[row.id] = amendment
        specs = expand(
            definition,
            catalogue.obligation_units(definition),
            catalogue.plan_period(plan_id),
            plan.plan.issued_on,
            catalogue.plan_calendar(plan_id),
            catalogue.resolver(plan_id, ((plan_id, key),)),
        )
        replaced = catalogue.replaced_by(plan_id)
        if replaced is not None:  # what falls due once the replacing plan is in force is its, not this one's
            specs = [spec for spec in specs if _owed_on(spec) < replaced[1]]
        texts: dict[int, tuple[str, str]] = {}  # per deadline (shared by every unit of a period; specs hold it)
        whole = hashlib.blake2b(digest_size=16)
        for spec in specs:
            # The body that exists on the deadline owes it: a unit merged away hands its later
            # occurrences to its successor, and one not yet created owes none.
            holder = catalogue.unit_on(spec.unit_id, _owed_on(spec))
            if holder is None or (row.id, holder, spec.period_key) in desired:
                continue
            deadline = spec.deadline
            known = texts.get(id(deadline))
            if known is None:
                text = json.dumps(deadline.explanation())
                digest = hashlib.blake2b(
                    "\x1f".join(map(str, (spec.period_label, spec.period_start, spec.period_end, spec.opens_on, deadline.due_date,
                                           deadline.phrase, text))).encode(), digest_size=16,
                ).hexdigest()
                known = texts[id(deadline)] = (text, digest)
            desired[(row.id, holder, spec.period_key)] = (
                spec.period_label, spec.period_start, spec.period_end, spec.opens_on, deadline.due_date, known[0], deadline.phrase,
                known[1],
            )
            whole.update(f"{holder}\x1f{spec.period_key}\x1f{known[1]}\x1e".encode())
        digests[row.id] = whole.hexdigest()
    # An obligation whose occurrences are as the last sync wrote them is left unread.
    unchanged = {row.id for row in obligations.values() if row.occurrences_digest == digests.get(row.id)}
    desired = {key: values for key, values in desired.items() if key[0] not in unchanged}
    table = Occurrence.__table__
    connection = session.connection()  # plain rows: the ORM's result machinery costs seconds here
    extended = {row[0] for row in connection.execute(select(Extension.occurrence_id).distinct()).all()}
    existing = {
        (obligation_id, unit_id, period_key): (occurrence_id, current, retired, due, digest)
        for occurrence_id, obligation_id, unit_id, period_key, current, retired, due, digest in connection.execute(
            select(table.c.id, table.c.obligation_id, table.c.unit_id, table.c.period_key, table.c.current_due_date, table.c.retired,
                   table.c.due_date, table.c.sync_digest)
            .join(Obligation, table.c.obligation_id == Obligation.id)
            .where(Obligation.origin == "plan", Obligation.id.not_in(unchanged) if unchanged else True)
        ).all()
    }
    counts: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    rewrites: list[tuple] = []
    added, changed, amended = [], [], []
    due_index = _OCCURRENCE_VALUES.index("due_date")
    for key, values in desired.items():
        found = existing.get(key)
        if found is None:
            added.append((*key, *values, values[due_index], False))
            counts["added"][labels[key[0]]] += 1
            continue
        occurrence_id, current, retired, original_due, digest = found
        if values[due_index] != original_due and not rewrite_deadlines:
            if key[0] not in amending:
                rewrites.append((labels[key[0]], key[1], key[2], original_due, values[due_index]))
            else:
                amended.append((occurrence_id, key[0], values))
            continue
        if values[-1] == digest and not retired:
            continue
        if values[due_index] != original_due and occurrence_id not in extended:
            current = values[due_index]  # an extension, where granted, still stands
        changed.append((occurrence_id, *values, current, False))
        counts["changed"][labels[key[0]]] += 1
    if rewrites:
        shown = "; ".join(f"{label} {unit} {period}: {old:%d/%m/%Y} → {new:%d/%m/%Y}" for label, unit, period, old, new in rewrites[:5])
        raise DeadlineRewrite(
            f"this sync would change {len(rewrites)} deadline(s) already in the store ({shown}"
            f"{'; …' if len(rewrites) > 5 else ''}) with no amending document: add the document under the plan's "
            "'amendments:' (number, issued_on, effective_from, obligations), or sync with --rewrite-deadlines if "
            "the plan file itself was wrong. Nothing was changed."
        )
    # Stored in deadline order: a morning's work (the watch's window, that day's notices and
    # submissions) then sits on a few neighbouring pages of the table and its indexes, not on
    # thousands. Unit by unit, one replayed day wrote 9 ms of pages at commit; by deadline, 1.5.
    added.sort(key=lambda row: (row[3 + due_index], row[0], row[1], row[2]))
    columns = ("obligation_id", "unit_id", "period_key", *_OCCURRENCE_VALUES, "current_due_date", "retired")
    insert_rows(session, table, columns, added, raw=("explanation",))
    update_rows(session, table, "id", columns[3:], changed, raw=("explanation",))
    retired = [(found[0],) for key, found in existing.items() if key not in desired and not found[2]]
    update_rows(session, table, "id", (), retired, constants={"retired": True})
    for key, found in existing.items():
        if key not in desired and not found[2]:
            # Occurrences of an obligation that itself left the plan files have no live label.
            counts["retired"][labels.get(key[0], f"obligation#{key[0]} (retired obligation)")] += 1
    for occurrence_id, obligation_id, values in amended:
        row = session.get(Occurrence, occurrence_id)
        if _amend(session, row, dict(zip(_OCCURRENCE_VALUES, values)), *amending[obligation_id], catalogue):
            counts["changed"][labels[obligation_id]] += 1
    for row in obligations.values():
        if row.id not in unchanged:
            row.occurrences_digest = digests.get(row.id)
    # An obligation that left the plan files had its occurrences retired: if it comes back, they
    # must be read again.
    session.execute(
        update(Obligation).where(Obligation.origin == "plan", Obligation.id.not_in([row.id for row in obligations.values()]),
                                 Obligation.occurrences_digest.is_not(None)).values(occurrences_digest=None)
    )
    for action, by_obligation in counts.items():
        for label, count in by_obligation.items():
            getattr(report, action)["occurrence"].extend([label] * count)


def _amend(session: Session, row: Occurrence, values: dict, plan_id: str, amendment, catalogue: Catalogue) -> bool:
    """Record an amended deadline as of the amendment's effective day, the original kept; a
    second sync of the same amendment changes nothing. True when something was recorded."""
    from ..calendar import start_of_local_day

    reason = f"{AMENDMENT_PREFIX} {amendment.number} ngày {amendment.issued_on:%d/%m/%Y}"
    if any(x.reason.startswith(reason) and x.new_due_date == values["due_date"] for x in row.extensions):
        return False
    issuer = catalogue.units[catalogue.plans[plan_id].plan.issuer].name
    note = f": {amendment.note}" if amendment.note else ""
    session.add(Extension(
        occurrence=row, previous_due_date=row.current_due_date, new_due_date=values["due_date"], reason=reason + note,
        approved_by=issuer, granted_at=start_of_local_day(amendment.effective_from), explanation=json.loads(values["explanation"]),
    ))
    row.current_due_date, row.due_text = values["due_date"], values["due_text"]
    return True


def occurrence_summary(report: SyncReport, action: str) -> Iterable[tuple[str, int]]:
    """Occurrence changes grouped by obligation, for display."""
    counts: dict[str, int] = defaultdict(int)
    for label in getattr(report, action).get("occurrence", []):
        counts[label] += 1
    return sorted(counts.items())
