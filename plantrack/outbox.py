"""The outbox seen from a dispatcher: claim pending notices, group them, record what happened.

Claiming is one UPDATE per batch that stamps a lease on rows nobody else holds (on
PostgreSQL the rows are picked with ``FOR UPDATE SKIP LOCKED``; SQLite serialises writers),
so two dispatchers never hold the same notice; leases are measured on the database's clock
(``database_now``), never on a run's ``as_of``; a run renews the lease of what it holds
while it works (``renew_lease``). A dispatcher that dies leaves its lease to run out, and
the rows go back to the pool. Each message's outcome is recorded as soon as it is known, in
its own transaction, so a crash can at worst send again the one message per sending thread
whose acceptance was not yet written: never lose one.

A failure keeps the notices pending with a later ``next_attempt_at`` (back-off), or gives
them up as undeliverable (``record_failure``); each undeliverable notice queues an alert to
its unit's coordinating office (stage ``undeliverable-<id>``), due the next morning, which
makes the office's daily digest of undeliverable mail. ``release`` makes pending and
undeliverable notices due at once (``plantrack retry``). A dispatcher with nothing to send over the network (a simulated delivery) locks,
groups and records a batch in one transaction instead (``take_due``). Sending itself lives in
``notifications``; this module knows nothing of channels.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache

from sqlalchemy import Integer, Select, Update, and_, bindparam, case, func, literal_column, or_, select, tuple_, update
from sqlalchemy.orm import Session

from .assumptions import kinds_of
from .calendar import TIMEZONE, local_date
from .changes import overall
from .directory import Directory
from .schema import SUPERIOR
from .places import CAPITAL
from .settings import ALERT_HOUR, FIRST_RETRY, GIVE_UP_AFTER, LEASE, LONGEST_RETRY
from .states import ALERT_PREFIX, NoticeState, alert_stage
from .store.bulk import insert_rows, update_rows
from .store.database import Store, among_param, database_now, listed
from .store.models import Extension, Notice, Obligation, Occurrence, UTCDateTime


def backoff(attempts: int) -> dt.timedelta:
    """Wait before the next try after ``attempts`` failures: 5 min, 10, 20... capped at 6 h."""
    return min(FIRST_RETRY * 2 ** max(attempts - 1, 0), LONGEST_RETRY)


# A literal, not a bound value: PostgreSQL switches a prepared statement to a generic plan
# after a few runs, and a generic plan cannot use the partial index of pending notices for
# "state = $1". (SQLite plans with the bound value and would use it either way.)
PENDING = literal_column("'pending'")
UNDELIVERABLE = literal_column("'undeliverable'")  # as PENDING: the partial index ix_notice_undeliverable needs the literal


def _claimable(now, lease_now=None):
    """Pending, due by ``now`` (the run's instant), and not leased at ``lease_now`` (the
    database's clock; ``now`` when not given: a simulated run, which takes no lease)."""
    lease_now = now if lease_now is None else lease_now
    return and_(
        Notice.state == PENDING,
        Notice.next_attempt_at <= now,
        or_(Notice.lease_until.is_(None), Notice.lease_until < lease_now),
    )


@lru_cache(maxsize=1)
def _first_claim() -> Update:
    """The claim's first statement, built once (building costs more than running it)."""
    table = Notice.__table__
    # UPDATE … FROM (picked rows) joined on the primary key, and nothing else in the outer
    # WHERE: the picked rows are locked (FOR UPDATE SKIP LOCKED; SQLite runs one writer at a
    # time). With "id IN (subquery)", or the claimable test repeated outside, PostgreSQL
    # planned a nested loop that rescans the subquery per row: quadratic, 10x slower.
    picked = (
        select(table.c.id)
        .where(_claimable(bindparam("now", type_=UTCDateTime), bindparam("lease_now", type_=UTCDateTime)))
        .order_by(table.c.recipient_id, table.c.channel, table.c.id)
        .limit(bindparam("limit", type_=Integer))
        .with_for_update(skip_locked=True)
        .subquery("picked")
    )
    return (
        update(table)
        .where(table.c.id == picked.c.id)
        .values(claimed_by=bindparam("worker"), lease_until=bindparam("lease_end", type_=UTCDateTime))
        .returning(table.c.id, table.c.recipient_id, table.c.channel)
    )


@dataclass(frozen=True)
class Claimed:
    ids: list[int]  # the notices now leased to the worker
    drained: bool  # fewer than the limit were due: nothing else was waiting at that moment


def claim(store: Store, now: dt.datetime, worker: str, limit: int = 200, lease: dt.timedelta = LEASE) -> Claimed:
    """Lease up to ``limit`` notices due by ``now`` (plus the rest of their recipients' notices)
    to ``worker``.

    The lease is measured on the database's clock (``database_now``), not on ``now``: a
    dispatcher told a later ``--as-of`` than another's still sees that one's leases as live,
    and takes none of the rows it is sending. Rows come ordered by recipient, and the second statement takes the remaining rows of the
    recipients already claimed, so a recipient's notices of the day make one digest. When the
    first statement finds fewer than ``limit`` rows it took everything due, and the second is
    not needed.
    """
    table = Notice.__table__
    with store.transaction() as session:
        lease_now = database_now(session.connection())
        stamp = dict(claimed_by=worker, lease_until=lease_now + lease)
        claimed = session.connection().execute(
            _first_claim(), {"now": now, "lease_now": lease_now, "limit": limit, "worker": worker, "lease_end": lease_now + lease}
        ).all()
        if len(claimed) < limit:
            return Claimed(sorted(notice_id for notice_id, _, _ in claimed), drained=True)
        pairs = sorted({(recipient, channel) for _, recipient, channel in claimed})
        rest = (
            select(table.c.id)
            .where(_claimable(now, lease_now), tuple_(table.c.recipient_id, table.c.channel).in_(pairs))
            .with_for_update(skip_locked=True)
            .subquery("rest")
        )
        more = session.scalars(
            update(table).where(table.c.id == rest.c.id).values(**stamp).returning(table.c.id)
        ).all()
    return Claimed(sorted({notice_id for notice_id, _, _ in claimed} | set(more)), drained=False)


@dataclass(slots=True)  # not frozen: a frozen init costs 4 µs, and a replay makes 400,000 of these
class DigestItem:
    """One line of a digest: what one unit owes, at which stage of its ladder."""

    notice_id: int
    occurrence_id: int
    stage: str  # the latest stage of this occurrence among the digest's notices
    level: int
    plan_id: str
    plan_number: str
    plan_doc_type: str
    plan_title: str
    plan_issued_on: dt.date
    obligation_title: str
    section: str
    period_label: str
    unit_id: str
    unit_name: str
    deadline: dt.date
    original_deadline: dt.date
    submit_to: str | None
    channel_hint: str | None  # how the text says to send it (an address, "văn bản"...)
    earlier_notices: int  # notices already sent for this occurrence (counted for escalations only)
    # An alert (stage undeliverable-<id>): the notice that could not be delivered.
    failed_recipient: str | None = None
    failed_stage: str | None = None
    failure: str | None = None
    due_text: str | None = None  # the deadline in the text's words (Occurrence.due_text)
    copy_to: tuple[str, ...] = ()  # "đồng gửi": who else receives it, by name or position
    place: str = CAPITAL  # where the plan's issuer dates its documents: the letter is dated there
    changed: str | None = None  # what moved the deadline from the original ("đã gia hạn"…; plantrack.changes)
    assumed: tuple[str, ...] = ()  # what the plan file assumes here (plantrack.assumptions: deadline, owner, recipient)


@dataclass
class Digest:
    """Everything one recipient gets on one channel in one message."""

    recipient_id: str
    recipient_name: str
    channel: str
    to: list[str]
    cc: list[str]
    url: str | None  # the unit's apprise URL for a "url:N" channel
    escalation: bool = False
    alert: bool = False  # the coordinating office's digest of undeliverable notices
    items: list[DigestItem] = field(default_factory=list)
    # Every notice this message delivers: an occurrence whose earlier stage is still pending
    # (the dispatcher was down) is listed once, at its latest stage, but both notices are sent.
    notice_ids: list[int] = field(default_factory=list)
    # A reminder's copies ("đồng gửi"): the names listed under "Nơi nhận", and their addresses,
    # which are also in ``cc``.
    copies: list[str] = field(default_factory=list)
    copied: list[str] = field(default_factory=list)

    @property
    def message_id(self) -> str:
        """Stable for the same notices, so a resend after a crash carries the same Message-ID."""
        ids = sorted(self.notice_ids)
        return f"<plantrack.{self.recipient_id}.{ids[0]}-{ids[-1]}.{len(ids)}@plantrack.invalid>"


# Plain columns, not entities, and only the notice's own: a replay builds digests for
# hundreds of thousands of notices, which share a handful of obligations and units, read once
# each from the directory.
_DIGEST_COLUMNS = (
    Notice.id, Notice.recipient_id, Notice.channel, Notice.level, Notice.stage, Notice.deadline,
    Occurrence.id, Occurrence.first_submitted_at, Occurrence.retired, Occurrence.current_due_date,
    Occurrence.due_date, Occurrence.period_label, Occurrence.unit_id, Occurrence.obligation_id, Occurrence.due_text,
)
_DIGEST_ORDER = (
    Notice.recipient_id, Notice.channel, Notice.level, Obligation.plan_id, Notice.deadline, Occurrence.unit_id,
    Notice.planned_on,
)


def _digest_select(condition) -> Select:
    """The notices meeting ``condition``, with what their digest needs, in digest order."""
    return (
        select(*_DIGEST_COLUMNS)
        .join(Occurrence, Notice.occurrence_id == Occurrence.id)
        .join(Obligation, Occurrence.obligation_id == Obligation.id)
        .where(condition)
        .order_by(*_DIGEST_ORDER)
    )


@lru_cache(maxsize=2)
def _digest_rows(dialect_name: str) -> Select:
    """Claimed notices (:ids); built once."""
    return _digest_select(among_param(dialect_name, Notice.id, "ids"))


@lru_cache(maxsize=1)
def _due_rows() -> Select:
    """Up to :limit due notices, locked for this transaction (FOR UPDATE SKIP LOCKED on
    PostgreSQL; SQLite serialises writers); built once."""
    return (
        _digest_select(_claimable(bindparam("now", type_=UTCDateTime)))
        .limit(bindparam("limit", type_=Integer))
        .with_for_update(of=Notice, skip_locked=True)
    )


@lru_cache(maxsize=2)
def _notices_of_occurrences(dialect_name: str) -> Select:
    return select(Notice.occurrence_id, Notice.state, Notice.stage).where(
        among_param(dialect_name, Notice.occurrence_id, "ids")
    )


def build_digests(
    session: Session, notice_ids: list[int], now: dt.datetime, directory: Directory | None = None
) -> tuple[list[Digest], list[int]]:
    """Group claimed notices into digests. Notices that lost their point (the occurrence was
    handed in, or its deadline moved) come back as the second list, to be cancelled.

    Units and obligations come from ``directory`` (read on first need), one per dispatch or replay.
    """
    if not notice_ids:
        return [], []
    connection = session.connection()  # Core rows: no ORM bookkeeping
    dialect_name = connection.dialect.name
    rows = connection.execute(_digest_rows(dialect_name), {"ids": listed(dialect_name, notice_ids)}).all()
    return _group(session, rows, now, directory or Directory())


def take_due(
    session: Session, now: dt.datetime, limit: int, directory: Directory | None = None
) -> tuple[list[Digest], list[int], bool]:
    """Lock up to ``limit`` due notices until this transaction ends, and group them as
    ``build_digests`` does; the third value says nothing else was due.

    For a dispatcher that records the outcome in the same transaction and so needs no lease: a
    simulated delivery, which sends nothing. (A real send waits on the network: it claims a
    lease instead, and holds no transaction open while it sends.) A recipient cut off by the
    limit is left whole to the next batch, so that its notices still make one digest.
    """
    rows = session.connection().execute(_due_rows(), {"now": now, "limit": limit}).all()
    drained = len(rows) < limit
    if not drained:
        last = rows[-1][1:3]  # (recipient, channel) of the last row
        whole = [row for row in rows if row[1:3] != last]
        rows = whole or rows  # a single recipient over the limit goes as it is
    return (*_group(session, rows, now, directory or Directory()), drained)


@lru_cache(maxsize=2)
def _failures(dialect_name: str) -> Select:
    return select(Notice.id, Notice.recipient_id, Notice.stage, Notice.result, Notice.state).where(
        among_param(dialect_name, Notice.id, "ids")
    )


def _failed_notices(connection, dialect_name: str, rows: list) -> dict[int, tuple[str, str, str] | None]:
    """For the alerts among ``rows``: alert id -> (recipient, stage, error) of the notice it
    reports, or None when that notice is no longer undeliverable (a retry sent it)."""
    reported = {row[0]: int(row[4][len(ALERT_PREFIX):]) for row in rows if row[4].startswith(ALERT_PREFIX)}
    if not reported:
        return {}
    found = {
        notice_id: (recipient, stage, result or "") if state == NoticeState.UNDELIVERABLE else None
        for notice_id, recipient, stage, result, state in connection.execute(
            _failures(dialect_name), {"ids": listed(dialect_name, list(set(reported.values())))}
        ).all()
    }
    return {alert: found.get(failed) for alert, failed in reported.items()}


@lru_cache(maxsize=2)
def _changes_of(dialect_name: str) -> Select:
    return select(
        Extension.occurrence_id, Extension.reason, Extension.previous_due_date, Extension.new_due_date, Extension.granted_at,
    ).where(among_param(dialect_name, Extension.occurrence_id, "ids"))


def _changes(connection, dialect_name: str, rows: list, now: dt.datetime) -> dict[int, str]:
    """For the rows whose deadline is not the original: what moved it, as a reminder says it
    ("đã gia hạn", "đã tính lại thời hạn…"; plantrack.changes). Few rows: most deadlines never move."""
    moved = {row[6]: (row[10], row[5]) for row in rows if row[5] != row[10]}  # occurrence -> (original, deadline)
    if not moved:
        return {}
    found: dict[int, list] = {}
    for extension in connection.execute(_changes_of(dialect_name), {"ids": listed(dialect_name, list(moved))}).all():
        found.setdefault(extension.occurrence_id, []).append(extension)
    return {
        occurrence_id: said.done
        for occurrence_id, (original, deadline) in moved.items()
        if (said := overall(found.get(occurrence_id, []), original, deadline, now)) is not None
    }


def _group(session: Session, rows: list, now: dt.datetime, directory: Directory) -> tuple[list[Digest], list[int]]:
    if not rows:
        return [], []
    connection = session.connection()
    dialect_name = connection.dialect.name
    # Rows are unpacked by position below: a Row's attribute access costs about half a µs per
    # name, which at a dozen columns and hundreds of thousands of notices adds up.
    duties = directory.duties(session, {row[13] for row in rows})
    directory.load(session, {row[1] for row in rows} | {row[12] for row in rows})
    unit = directory.unit
    today = local_date(now)  # a renamed body is addressed by the name it bears today
    # Only escalations say how often the unit was told before. Counted here, not with
    # "state = 'sent'" in SQL: SQLite would then search the state index and read every notice
    # ever sent, instead of these occurrences' few.
    occurrence_ids = list({row[6] for row in rows if row[3] > 0})
    earlier: Counter[int] = Counter(
        occurrence_id
        for occurrence_id, state, stage in connection.execute(
            _notices_of_occurrences(dialect_name), {"ids": listed(dialect_name, occurrence_ids)}
        ).all()
        if state == NoticeState.SENT and not stage.startswith(ALERT_PREFIX)
    ) if occurrence_ids else Counter()
    copied_units = {unit_id for duty in duties.values() for unit_id, _ in duty.copies}
    if copied_units:
        directory.load(session, copied_units)
    failed = _failed_notices(connection, dialect_name, rows)
    changes = _changes(connection, dialect_name, rows, now)
    if failed:
        directory.load(session, {alert[0] for alert in failed.values() if alert})
    digests: dict[tuple[str, str, int], Digest] = {}
    latest: dict[tuple[str, str, int, int, int], int] = {}  # digest key + occurrence + level -> item index
    obsolete: list[int] = []
    for (
        notice_id, recipient_id, channel, level, stage, deadline, occurrence_id, first_submitted_at, retired,
        current_due_date, due_date, period_label, unit_id, obligation_id, due_text,
    ) in rows:
        alert = failed.get(notice_id, False)
        if alert is None:  # the notice it reported went out after all
            obsolete.append(notice_id)
            continue
        if alert is False:
            handed_in = first_submitted_at is not None and first_submitted_at <= now
            if handed_in or retired or current_due_date != deadline:
                obsolete.append(notice_id)
                continue
        kind = 2 if alert else int(level > 0)  # reminders, escalations and alerts go in separate digests
        key = (recipient_id, channel, kind)
        digest = digests.get(key)
        if digest is None:
            recipient = unit(recipient_id)
            url = None
            if channel.startswith("url:"):
                index = int(channel.split(":", 1)[1])
                url = recipient.urls[index] if index < len(recipient.urls) else None
            # An escalation to a plan's office or head named as a position is addressed to it.
            position = directory.position(session, duties[obligation_id].plan_id, recipient_id) if kind == 1 else None
            digest = digests[key] = Digest(
                recipient_id, position or recipient.name_on(today), channel, list(recipient.to), list(recipient.cc), url, kind == 1, kind == 2,
            )
        digest.notice_ids.append(notice_id)
        duty = duties[obligation_id]
        item = DigestItem(
            notice_id, occurrence_id, stage, level, duty.plan_id, duty.plan_number, duty.plan_doc_type, duty.plan_title,
            duty.plan_issued_on, duty.title, duty.section, period_label, unit_id, unit(unit_id).listed_on(today), deadline,
            due_date, duty.submit_to_name, duty.channel_hint, earlier[occurrence_id],
        )
        if duty.submit_relation or duty.submit_position or duty.copies:
            _name_recipients(session, directory, item, duty, digest, today, kind == 0)
        item.due_text = due_text if deadline == due_date else None  # an extension's date is the coordinator's, not the text's
        item.place = duty.place
        if deadline != due_date:
            item.changed = changes.get(occurrence_id)
        item.assumed = kinds_of(duty.deadline_assumed and deadline == due_date, unit_id in duty.assumed_owners, duty.recipient_assumed)
        if alert:
            failed_recipient, item.failed_stage, item.failure = alert
            entry = unit(failed_recipient)
            item.failed_recipient = entry.listed_on(today) if entry else failed_recipient
            digest.items.append(item)
            continue
        slot = key + (occurrence_id, level)
        if slot in latest:  # rows come in planned order: the later stage replaces the earlier
            digest.items[latest[slot]] = item
        else:
            latest[slot] = len(digest.items)
            digest.items.append(item)
    return list(digests.values()), obsolete


def _name_recipients(session: Session, directory: Directory, item: DigestItem, duty, digest: Digest, today: dt.date,
                     reminder: bool) -> None:
    """Who the item's report goes to and who gets a copy, by the names letters use: a position
    as written, a unit by its name of the day, ``superior`` as the unit's managing body on the
    deadline. A reminder copies (Cc) the copy recipients and lists them under "Nơi nhận"."""
    if duty.submit_position:
        item.submit_to = duty.submit_position
    elif duty.submit_relation == SUPERIOR:
        superior = directory.superior(session, item.unit_id, item.deadline)
        entry = directory.units(session, [superior]).get(superior) if superior else None
        item.submit_to = entry.name_on(today) if entry else None
    names = []
    for unit_id, position in duty.copies:
        entry = directory.unit(unit_id)
        if entry is None or not entry.live:
            continue
        names.append(position or entry.name_on(today))
        if reminder:
            if names[-1] not in digest.copies:
                digest.copies.append(names[-1])
            for address in entry.to:
                if address not in digest.cc and address not in digest.to:
                    digest.cc.append(address)
                    digest.copied.append(address)
    item.copy_to = tuple(names)


def record_sent(
    session: Session, sent: list[tuple[Digest, str, str]], worker: str | None, sent_at: dt.datetime
) -> int:
    """Mark the notices of sent digests as sent, with their proof: (digest, address, server answer).

    One bulk statement; only rows still leased to ``worker`` are touched (with no ``worker``,
    rows this transaction locked: see ``take_due``). Returns how many rows were marked.
    """
    rows = [
        (notice_id, address, message_id, result)
        for digest, address, result in sent
        for message_id, result in [(digest.message_id, result[:1000])]
        for notice_id in digest.notice_ids
    ]
    return update_rows(
        session, Notice.__table__, "id", ("address", "message_id", "result"), rows,
        constants={"state": NoticeState.SENT.value, "sent_at": sent_at, "lease_until": None}, increments=("attempts",),
        only_where={"claimed_by": worker, "state": NoticeState.PENDING.value} if worker else {"state": NoticeState.PENDING.value},
    )


def _held(digest: Digest, worker: str | None):
    return (
        Notice.id.in_(digest.notice_ids), Notice.state == NoticeState.PENDING,
        *([Notice.claimed_by == worker] if worker else []),
    )


def record_failure(
    session: Session, digest: Digest, worker: str | None, now: dt.datetime, error: str,
    final_after: int | None = None, give_up_after: dt.timedelta = GIVE_UP_AFTER, directory: Directory | None = None,
) -> dt.datetime | None:
    """Record a failed send of ``digest``; returns when it is tried again, or None if given up.

    Given up (undeliverable) when this is the ``final_after``-th try (1: at once), or when the
    notices first failed ``give_up_after`` ago; otherwise they stay pending and back off. Each
    notice given up (an alert itself excepted) queues an alert to its coordinating office.
    Like ``record_sent``, touches only rows leased to ``worker``, or locked here when it is None.
    """
    found = session.execute(select(Notice.attempts, Notice.first_failed_at).where(*_held(digest, worker))).all()
    if not found:  # the lease was lost meanwhile: another dispatcher has these notices
        return now
    attempts = 1 + max(attempts for attempts, _ in found)
    first_failed = min((first for _, first in found if first is not None), default=now)
    final = (final_after is not None and attempts >= final_after) or now - first_failed >= give_up_after
    error = error[:1000]
    common = dict(attempts=Notice.attempts + 1, result=error, lease_until=None,
                  first_failed_at=func.coalesce(Notice.first_failed_at, now))
    if not final:
        retry_at = now + backoff(attempts)
        session.execute(update(Notice).where(*_held(digest, worker)).values(next_attempt_at=retry_at, **common))
        return retry_at
    given_up = session.execute(
        update(Notice).where(*_held(digest, worker)).values(state=NoticeState.UNDELIVERABLE.value, **common)
        .returning(Notice.id)
    ).scalars().all()
    queue_alerts(session, [item for item in digest.items if item.notice_id in set(given_up)], digest, now, directory)
    return None


def alert_due(now: dt.datetime) -> dt.datetime:
    """Alerts wait for the next morning's watch: ALERT_HOUR local time on the next day."""
    day = local_date(now) + dt.timedelta(days=1)
    return dt.datetime(day.year, day.month, day.day, ALERT_HOUR, tzinfo=TIMEZONE).astimezone(dt.timezone.utc)


def queue_alerts(
    session: Session, items: list[DigestItem], digest: Digest, now: dt.datetime, directory: Directory | None = None
) -> int:
    """Queue, for each undeliverable notice in ``items``, an alert to the coordinating office
    of its unit: the unit's standing office (one step up its chain), or the head when the
    notice was itself to that office. Never for an alert. Returns how many were queued."""
    directory = directory or Directory()
    items = [item for item in items if not item.stage.startswith(ALERT_PREFIX)]
    if not items:
        return 0
    directory.chains(session, {item.unit_id for item in items}, 2)
    rows, due = [], alert_due(now)
    for item in items:  # one per occurrence: an item stands for its occurrence's notices in the digest
        office = directory.recipient(item.unit_id, 1)
        if office == digest.recipient_id:
            office = directory.recipient(item.unit_id, 2)
        if office is None or office == digest.recipient_id:
            continue
        rows.append((item.occurrence_id, alert_stage(item.notice_id), item.deadline, office, "email", 1, local_date(due)))
    return insert_rows(
        session, Notice.__table__, ("occurrence_id", "stage", "deadline", "recipient_id", "channel", "level", "planned_on"),
        rows, constants={"created_at": now, "state": NoticeState.PENDING.value, "attempts": 0, "next_attempt_at": due},
        skip_duplicates_of=("occurrence_id", "stage", "deadline", "recipient_id", "channel"),
    )


def renew_lease(store: Store, notice_ids: list[int], worker: str, lease: dt.timedelta = LEASE) -> int:
    """Extend the lease of the notices ``worker`` still holds to ``lease`` from the database's
    clock now; returns how many it holds."""
    if not notice_ids:
        return 0
    with store.transaction() as session:
        until = database_now(session.connection()) + lease
        return session.execute(
            update(Notice)
            .where(Notice.id.in_(notice_ids), Notice.claimed_by == worker, Notice.state == NoticeState.PENDING)
            .values(lease_until=until)
        ).rowcount


def release(session: Session, now: dt.datetime, unit_id: str | None = None, plan_id: str | None = None,
            states: tuple[NoticeState, ...] = (NoticeState.PENDING, NoticeState.UNDELIVERABLE)) -> int:
    """Make pending and undeliverable notices due at ``now`` (``plantrack retry``); returns how many.

    No recorded time changes (``created_at``, ``sent_at``; the result of the last try stays as
    the reason it was held). Leases held by a live run are left alone. An undeliverable notice
    starts a fresh give-up age. Alerts keep their morning: one whose notice is sent by then
    is cancelled.
    """
    lease_now = database_now(session.connection())  # leases are measured on the database's clock
    condition = [Notice.state.in_([state.value for state in states]), ~Notice.stage.startswith(ALERT_PREFIX),
                 or_(Notice.lease_until.is_(None), Notice.lease_until < lease_now)]
    if plan_id:
        condition.append(Notice.occurrence_id.in_(
            select(Occurrence.id).join(Obligation, Occurrence.obligation_id == Obligation.id).where(Obligation.plan_id == plan_id)
        ))
    if unit_id:  # notices to the unit, and notices about it (its escalations)
        condition.append(or_(Notice.recipient_id == unit_id,
                             Notice.occurrence_id.in_(select(Occurrence.id).where(Occurrence.unit_id == unit_id))))
    given_up = NoticeState.UNDELIVERABLE.value
    return session.execute(
        update(Notice).where(*condition).values(
            next_attempt_at=now, state=NoticeState.PENDING.value, lease_until=None, claimed_by=None,
            first_failed_at=case((Notice.state == given_up, None), else_=Notice.first_failed_at),
        ).execution_options(synchronize_session=False)
    ).rowcount


def retire_alerts(session: Session, now: dt.datetime) -> int:
    """Cancel the undeliverable alerts ("Thư không gửi được") whose notice has been sent since
    (``plantrack retry``, a retry from the dashboard): they no longer report anything. Read
    through the partial index of undeliverable notices (few rows). Returns how many."""
    alerts = session.execute(
        select(Notice.id, Notice.stage).where(Notice.state == UNDELIVERABLE, Notice.stage.startswith(ALERT_PREFIX))
    ).all()
    if not alerts:
        return 0
    reported = {alert_id: int(stage[len(ALERT_PREFIX):]) for alert_id, stage in alerts}
    dialect_name = session.connection().dialect.name
    sent = set(session.scalars(
        select(Notice.id).where(among_param(dialect_name, Notice.id, "ids"), Notice.state == NoticeState.SENT),
        {"ids": listed(dialect_name, sorted(set(reported.values())))},
    ).all())
    retired = [alert_id for alert_id, notice_id in reported.items() if notice_id in sent]
    if retired:
        session.execute(
            update(Notice)
            .where(Notice.id.in_(retired), Notice.state == UNDELIVERABLE)
            .values(state=NoticeState.CANCELLED.value, lease_until=None,
                    result=f"retired: the notice it reported was sent after all (seen {now.isoformat()})")
            .execution_options(synchronize_session=False)
        )
    return len(retired)


def waiting(session: Session) -> tuple[int, dt.datetime | None]:
    """How many notices are pending, and when the earliest is due."""
    count, first = session.execute(
        select(func.count(), func.min(Notice.next_attempt_at)).where(Notice.state == PENDING)
    ).one()
    return count, first


def record_cancelled(session: Session, notice_ids: list[int], now: dt.datetime) -> None:
    if notice_ids:
        session.execute(
            update(Notice)
            .where(Notice.id.in_(notice_ids), Notice.state == NoticeState.PENDING)
            .values(state=NoticeState.CANCELLED.value, lease_until=None,
                    result=f"not sent: handed in or deadline moved by {now.isoformat()}")
        )
