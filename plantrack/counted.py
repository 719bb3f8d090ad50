"""Deadlines counted from a hand-in: "N ngày làm việc kể từ ngày nhận đủ báo cáo của các đơn vị".

An ``after`` rule with ``counted_from: handed_in`` (``rules/after.py``) names the obligation it
compiles. Its occurrence of a period is first due N (working) days after the compiled reports'
deadline, a provisional date the sync writes. When the **last** of that period's compiled
reports is handed in, the deadline in force becomes N days after that day: it is recorded
like an amendment, as an ``Extension`` row granted at the instant of that hand-in, so
``status --as-of`` an earlier instant still sees the provisional date, the watch re-plans its
reminders for the new one, and ``explain`` shows how it was counted. Early reports move it
earlier, late ones later: that is what the text says.

A deadline a person set (an extension, an amendment) is left as it is: a compiling step that
has one is not re-dated. Re-dating is idempotent; it runs when a hand-in is recorded
(``after_handin``) and at the end of every sync (``redate_all``), so a compiling step synced
after its reports came in is dated too. Nothing here reads the clock.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from .changes import RECOUNT_PREFIX
from .calendar import WorkCalendar, local_date
from .deadlines import Step, d, resolve_deadline
from .store.models import Extension, Obligation, Occurrence, Plan

REASON = RECOUNT_PREFIX  # how a re-dating's Extension row begins (others are a person's or an amendment's)
_CACHE = "plantrack.counted.compilers"


def compiled_obligation(session: Session, compiler: Obligation) -> Obligation | None:
    """The obligation an ``after`` rule counts from (same plan: "key"; another: "plan-id/key")."""
    rule = compiler.rule or {}
    if rule.get("type") != "after" or not rule.get("obligation"):
        return None  # "sau khi có …": an event, not an obligation
    other, _, key = rule["obligation"].rpartition("/")
    return session.scalars(select(Obligation).where(Obligation.plan_id == (other or compiler.plan_id), Obligation.key == key,
                                                    Obligation.retired.is_(False))).first()


def _compilers(session: Session) -> dict[int, list[Obligation]]:
    """Live ``handed_in`` compilers by the id of the obligation they compile (cached per session)."""
    found = session.info.get(_CACHE)
    if found is None:
        found = {}
        rows = session.scalars(select(Obligation).where(Obligation.kind == "after", Obligation.retired.is_(False)))
        for compiler in rows:
            if (compiler.rule or {}).get("counted_from") == "handed_in":
                source = compiled_obligation(session, compiler)
                if source is not None:
                    found.setdefault(source.id, []).append(compiler)
        session.info[_CACHE] = found
    return found


def after_handin(session: Session, occurrence: Occurrence) -> int:
    """Re-date the compiling steps that wait for ``occurrence``'s period, if it was the last one."""
    compilers = _compilers(session).get(occurrence.obligation_id, [])
    return sum(_redate(session, compiler, occurrence.obligation, {occurrence.period_key}) for compiler in compilers)


def after_handins(session: Session, occurrence_ids: list[int]) -> int:
    """``after_handin`` for hand-ins recorded in bulk (a replay's habits): nothing is read when
    no step is counted from hand-ins, the common case."""
    compilers = _compilers(session)
    if not compilers or not occurrence_ids:
        return 0
    periods: dict[int, set[str]] = {}
    for start in range(0, len(occurrence_ids), 5000):
        for obligation_id, period_key in session.execute(
            select(Occurrence.obligation_id, Occurrence.period_key).distinct()
            .where(Occurrence.id.in_(occurrence_ids[start:start + 5000]), Occurrence.obligation_id.in_(list(compilers)))
        ).all():
            periods.setdefault(obligation_id, set()).add(period_key)
    count = 0
    for source_id, keys in periods.items():
        source = session.get(Obligation, source_id)
        count += sum(_redate(session, compiler, source, keys) for compiler in compilers[source_id])
    return count


def redate_all(session: Session) -> int:
    """Re-date every ``handed_in`` compiling step whose reports are all in (after a sync)."""
    session.info.pop(_CACHE, None)  # the sync may have changed the rules
    count = 0
    for source_id, compilers in _compilers(session).items():
        source = session.get(Obligation, source_id)
        count += sum(_redate(session, compiler, source, None) for compiler in compilers)
    return count


def _complete_periods(session: Session, source: Obligation, keys: Iterable[str] | None) -> dict[str, dt.datetime]:
    """Period key -> the instant its last report came in, for periods where every report is in."""
    query = (
        select(Occurrence.period_key, func.count(Occurrence.id), func.count(Occurrence.first_submitted_at),
               func.max(Occurrence.first_submitted_at))
        .where(Occurrence.obligation_id == source.id, Occurrence.retired.is_(False))
        .group_by(Occurrence.period_key)
    )
    if keys is not None:
        query = query.where(Occurrence.period_key.in_(list(keys)))
    return {key: last for key, total, handed, last in session.execute(query).all() if total and total == handed}


def _redate(session: Session, compiler: Obligation, source: Obligation, keys: Iterable[str] | None) -> int:
    complete = _complete_periods(session, source, keys)
    if not complete:
        return 0
    plan = session.get(Plan, compiler.plan_id)
    calendar = WorkCalendar.from_dict(plan.calendar)
    rule = compiler.rule
    count = 0
    occurrences = session.scalars(
        select(Occurrence).where(Occurrence.obligation_id == compiler.id, Occurrence.retired.is_(False),
                                 Occurrence.period_key.in_(list(complete)))
    )
    for occurrence in occurrences:
        last = complete[occurrence.period_key]
        if any(not x.reason.startswith(REASON) for x in occurrence.extensions):
            continue  # a person's extension or an amendment stands
        received = local_date(last)
        if rule.get("working_days") is not None:
            written = calendar.add_working_days(received, rule["working_days"])
            offset, offset_en = f"{rule['working_days']} ngày làm việc", f"{rule['working_days']} working days"
        else:
            written = received + dt.timedelta(days=rule["days"])
            offset, offset_en = f"{rule['days']} ngày", f"{rule['days']} days"
        step = Step(
            written,
            f"{REASON} “{source.title}” kỳ {occurrence.period_label}: báo cáo cuối cùng nhận ngày {d(received)}; "
            f"{offset} kể từ ngày đó = {d(written)}.",
            f"Counted from the day every '{source.title}' for {occurrence.period_key} was handed in: the last on "
            f"{d(received)}; {offset_en} from then = {d(written)}.",
        )
        deadline = resolve_deadline(written, "at_latest_on", calendar, step)
        new = max(deadline.due_date, occurrence.opens_on)
        if new == occurrence.current_due_date:
            continue
        session.add(Extension(
            occurrence=occurrence, previous_due_date=occurrence.current_due_date, new_due_date=new,
            reason=f"{REASON} “{source.title}” kỳ {occurrence.period_label} ({d(received)}): {offset} = {d(new)}",
            approved_by=f"Theo văn bản {plan.number}", granted_at=last, explanation=deadline.explanation(),
        ))
        occurrence.current_due_date = new
        count += 1
    return count
