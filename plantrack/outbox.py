"""The outbox seen from a dispatcher: claim pending notices, group them, record what happened.

Claiming is one UPDATE per batch that stamps a lease on rows nobody else holds (on
PostgreSQL the rows are picked with ``FOR UPDATE SKIP LOCKED``; SQLite serialises writers),
so two dispatchers never hold the same notice. A dispatcher that dies leaves its lease to
run out, and the rows go back to the pool: a crash can at worst send a notice twice, never
lose one. A dispatcher with nothing to send over the network (a simulated delivery) locks,
groups and records a batch in one transaction instead (``take_due``). Sending itself lives in
``notifications``; this module knows nothing of channels.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache

from sqlalchemy import Integer, Select, Update, and_, bindparam, literal_column, or_, select, tuple_, update
from sqlalchemy.orm import Session

from .directory import Directory
from .store.bulk import update_rows
from .store.database import Store, among_param, listed
from .store.models import Notice, Obligation, Occurrence, UTCDateTime

LEASE = dt.timedelta(minutes=10)
FIRST_RETRY = dt.timedelta(minutes=5)
LONGEST_RETRY = dt.timedelta(hours=6)


def backoff(attempts: int) -> dt.timedelta:
    """Wait before the next try after ``attempts`` failures: 5 min, 10, 20... capped at 6 h."""
    return min(FIRST_RETRY * 2 ** max(attempts - 1, 0), LONGEST_RETRY)


# A literal, not a bound value: PostgreSQL switches a prepared statement to a generic plan
# after a few runs, and a generic plan cannot use the partial index of pending notices for
# "state = $1". (SQLite plans with the bound value and would use it either way.)
PENDING = literal_column("'pending'")


def _claimable(now):
    return and_(
        Notice.state == PENDING,
        Notice.next_attempt_at <= now,
        or_(Notice.lease_until.is_(None), Notice.lease_until < now),
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
        .where(_claimable(bindparam("now", type_=UTCDateTime)))
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
    """Lease up to ``limit`` due notices (plus the rest of their recipients' notices) to ``worker``.

    Rows come ordered by recipient, and the second statement takes the remaining rows of the
    recipients already claimed, so a recipient's notices of the day make one digest. When the
    first statement finds fewer than ``limit`` rows it took everything due, and the second is
    not needed.
    """
    stamp = dict(claimed_by=worker, lease_until=now + lease)
    table = Notice.__table__
    with store.transaction() as session:
        claimed = session.connection().execute(
            _first_claim(), {"now": now, "limit": limit, "worker": worker, "lease_end": now + lease}
        ).all()
        if len(claimed) < limit:
            return Claimed(sorted(notice_id for notice_id, _, _ in claimed), drained=True)
        pairs = sorted({(recipient, channel) for _, recipient, channel in claimed})
        rest = (
            select(table.c.id)
            .where(_claimable(now), tuple_(table.c.recipient_id, table.c.channel).in_(pairs))
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
    items: list[DigestItem] = field(default_factory=list)
    # Every notice this message delivers: an occurrence whose earlier stage is still pending
    # (the dispatcher was down) is listed once, at its latest stage, but both notices are sent.
    notice_ids: list[int] = field(default_factory=list)

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
    Occurrence.due_date, Occurrence.period_label, Occurrence.unit_id, Occurrence.obligation_id,
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
    return select(Notice.occurrence_id, Notice.state).where(among_param(dialect_name, Notice.occurrence_id, "ids"))


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
    # Only escalations say how often the unit was told before. Counted here, not with
    # "state = 'sent'" in SQL: SQLite would then search the state index and read every notice
    # ever sent, instead of these occurrences' few.
    occurrence_ids = list({row[6] for row in rows if row[3] > 0})
    earlier: Counter[int] = Counter(
        occurrence_id
        for occurrence_id, state in connection.execute(
            _notices_of_occurrences(dialect_name), {"ids": listed(dialect_name, occurrence_ids)}
        ).all()
        if state == "sent"
    ) if occurrence_ids else Counter()
    digests: dict[tuple[str, str, bool], Digest] = {}
    latest: dict[tuple[str, str, bool, int, int], int] = {}  # digest key + occurrence + level -> item index
    obsolete: list[int] = []
    for (
        notice_id, recipient_id, channel, level, stage, deadline, occurrence_id, first_submitted_at, retired,
        current_due_date, due_date, period_label, unit_id, obligation_id,
    ) in rows:
        handed_in = first_submitted_at is not None and first_submitted_at <= now
        if handed_in or retired or current_due_date != deadline:
            obsolete.append(notice_id)
            continue
        key = (recipient_id, channel, level > 0)
        digest = digests.get(key)
        if digest is None:
            recipient = unit(recipient_id)
            url = None
            if channel.startswith("url:"):
                index = int(channel.split(":", 1)[1])
                url = recipient.urls[index] if index < len(recipient.urls) else None
            digest = digests[key] = Digest(
                recipient_id, recipient.name, channel, list(recipient.to), list(recipient.cc), url, level > 0,
            )
        digest.notice_ids.append(notice_id)
        duty = duties[obligation_id]
        item = DigestItem(
            notice_id, occurrence_id, stage, level, duty.plan_id, duty.plan_number, duty.plan_doc_type, duty.plan_title,
            duty.plan_issued_on, duty.title, duty.section, period_label, unit_id, unit(unit_id).listed_name, deadline,
            due_date, duty.submit_to_name, duty.channel_hint, earlier[occurrence_id],
        )
        slot = key + (occurrence_id, level)
        if slot in latest:  # rows come in planned order: the later stage replaces the earlier
            digest.items[latest[slot]] = item
        else:
            latest[slot] = len(digest.items)
            digest.items.append(item)
    return list(digests.values()), obsolete


def record_sent(
    session: Session, sent: list[tuple[Digest, str, str]], worker: str | None, sent_at: dt.datetime
) -> None:
    """Mark the notices of sent digests as sent, with their proof: (digest, address, server answer).

    One bulk statement for the batch; only rows still leased to ``worker`` are touched (with
    no ``worker``, rows this transaction locked: see ``take_due``).
    """
    rows = [
        (notice_id, address, message_id, result)
        for digest, address, result in sent
        for message_id, result in [(digest.message_id, result[:1000])]
        for notice_id in digest.notice_ids
    ]
    update_rows(
        session, Notice.__table__, "id", ("address", "message_id", "result"), rows,
        constants={"state": "sent", "sent_at": sent_at, "lease_until": None}, increments=("attempts",),
        only_where={"claimed_by": worker, "state": "pending"} if worker else {"state": "pending"},
    )


def record_failure(session: Session, digest: Digest, worker: str | None, now: dt.datetime, error: str) -> dt.datetime:
    """Keep the notices pending and push their next try back; returns when that is. Like
    ``record_sent``, touches only rows leased to ``worker``, or locked here when it is None."""
    attempts = 1 + max(
        session.scalars(select(Notice.attempts).where(Notice.id.in_(digest.notice_ids))).all(), default=0
    )
    retry_at = now + backoff(attempts)
    session.execute(
        update(Notice)
        .where(Notice.id.in_(digest.notice_ids), Notice.state == "pending", *([Notice.claimed_by == worker] if worker else []))
        .values(attempts=Notice.attempts + 1, next_attempt_at=retry_at, result=error[:1000], lease_until=None)
    )
    return retry_at


def record_cancelled(session: Session, notice_ids: list[int], now: dt.datetime) -> None:
    if notice_ids:
        session.execute(
            update(Notice)
            .where(Notice.id.in_(notice_ids), Notice.state == "pending")
            .values(state="cancelled", lease_until=None, result=f"not sent: handed in or deadline moved by {now.isoformat()}")
        )
