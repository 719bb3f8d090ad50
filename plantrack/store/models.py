"""Tables of the store. Instants are UTC; civil dates (deadlines) are Viet Nam dates.

Rows that came from plan files are never deleted by a sync, only marked ``retired``: a
submission or extension may point at them, and statistics must keep them.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator):
    """Aware datetimes in, aware UTC datetimes out, on SQLite and PostgreSQL alike."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the store; pass an aware instant")
        value = value.astimezone(dt.timezone.utc)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: dt.datetime | None, dialect) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=dt.timezone.utc)
        return value.astimezone(dt.timezone.utc)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map = {dict[str, Any]: JSON, list[Any]: JSON, dt.datetime: UTCDateTime}


class Unit(Base):
    __tablename__ = "unit"

    id: Mapped[str] = mapped_column(String(100), primary_key=True)
    registry_id: Mapped[str] = mapped_column(String(100))
    name: Mapped[str] = mapped_column(Text)
    short_name: Mapped[str | None] = mapped_column(Text)
    kind: Mapped[str] = mapped_column(String(40))
    parent_id: Mapped[str | None] = mapped_column(String(100))
    escalates_to_id: Mapped[str | None] = mapped_column(String(100))
    head: Mapped[str | None] = mapped_column(Text)
    contacts: Mapped[dict[str, Any]] = mapped_column(default=dict)
    basis: Mapped[str] = mapped_column(String(20), default="stated")
    valid_from: Mapped[dt.date | None] = mapped_column(Date)  # a registry over time (schema.UnitDef)
    valid_until: Mapped[dt.date | None] = mapped_column(Date)
    successor_id: Mapped[str | None] = mapped_column(String(100))
    aliases: Mapped[list[Any]] = mapped_column(default=list)
    split_to: Mapped[list[Any]] = mapped_column(default=list)  # [{"unit", "scope"}]: who took which part of its remit
    former_names: Mapped[list[Any]] = mapped_column(default=list)  # [{"name", "short_name", "until"}], oldest first
    retired: Mapped[bool] = mapped_column(Boolean, default=False)


class UnitGroup(Base):
    """A named group of units from a registry (``schema.GroupRule`` groups stored with their
    members of the last sync), so that run-time requests can name a group."""

    __tablename__ = "unit_group"

    id: Mapped[str] = mapped_column(String(100), primary_key=True)
    registry_id: Mapped[str] = mapped_column(String(100))
    members: Mapped[list[Any]] = mapped_column(default=list)
    rule: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    retired: Mapped[bool] = mapped_column(Boolean, default=False)


class Plan(Base):
    __tablename__ = "plan"

    id: Mapped[str] = mapped_column(String(100), primary_key=True)
    number: Mapped[str] = mapped_column(String(100), index=True)  # not unique: provinces reuse numbers
    doc_type: Mapped[str] = mapped_column(String(30))
    title: Mapped[str] = mapped_column(Text)
    issuer_id: Mapped[str] = mapped_column(ForeignKey("unit.id"))
    signed_by: Mapped[str | None] = mapped_column(Text)
    issued_on: Mapped[dt.date] = mapped_column(Date)
    period_start: Mapped[dt.date] = mapped_column(Date)
    period_end: Mapped[dt.date] = mapped_column(Date)
    parent_id: Mapped[str | None] = mapped_column(ForeignKey("plan.id"))
    source_file: Mapped[str] = mapped_column(Text)
    sources: Mapped[list[Any]] = mapped_column(default=list)
    calendar: Mapped[dict[str, Any]] = mapped_column(default=dict)
    escalation: Mapped[dict[str, Any]] = mapped_column(default=dict)  # the policy in force, inherited
    coordination: Mapped[dict[str, Any]] = mapped_column(default=dict)  # {"office": id, "head": id}, or {}
    targets: Mapped[list[Any]] = mapped_column(default=list)  # schema.TargetDef as dicts, units resolved
    retired: Mapped[bool] = mapped_column(Boolean, default=False)


class Duty(Base):
    __tablename__ = "duty"
    __table_args__ = (UniqueConstraint("plan_id", "key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    plan_id: Mapped[str] = mapped_column(ForeignKey("plan.id"))
    key: Mapped[str] = mapped_column(String(100))
    section: Mapped[str] = mapped_column(String(40))
    text: Mapped[str] = mapped_column(Text)
    # [{"unit": id, "role": "lead"|"support"}]: kept as a document, read with its duty.
    assignments: Mapped[list[Any]] = mapped_column(default=list)
    # The days it runs (timeframes.TimeFrame resolved in the plan period) and the text's words.
    active_from: Mapped[dt.date | None] = mapped_column(Date)
    active_until: Mapped[dt.date | None] = mapped_column(Date)
    timeframe: Mapped[dict[str, Any]] = mapped_column(default=dict)  # {"written", "until_event", "ongoing"}
    retired: Mapped[bool] = mapped_column(Boolean, default=False)


class Obligation(Base):
    __tablename__ = "obligation"
    __table_args__ = (UniqueConstraint("plan_id", "key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    plan_id: Mapped[str] = mapped_column(ForeignKey("plan.id"))
    key: Mapped[str] = mapped_column(String(100))
    duty_key: Mapped[str | None] = mapped_column(String(100))
    title: Mapped[str] = mapped_column(Text)
    kind: Mapped[str] = mapped_column(String(30))  # one_off, recurring, reporting_period, milestone, adhoc
    section: Mapped[str] = mapped_column(String(40))
    submit_to_id: Mapped[str | None] = mapped_column(String(100))
    # The receiver's relation or position and the copies (recipients.as_stored); {} for a plain receiver.
    recipients: Mapped[dict[str, Any]] = mapped_column(default=dict)
    channel: Mapped[str | None] = mapped_column(Text)
    rule: Mapped[dict[str, Any]] = mapped_column(default=dict)
    units: Mapped[list[Any]] = mapped_column(default=list)
    escalate_to: Mapped[list[Any] | None] = mapped_column(JSON, nullable=True)  # [level 1, level 2] overriding the plan's
    indicators: Mapped[list[Any]] = mapped_column(default=list)  # the figures its report carries (schema.IndicatorDef, as dicts)
    # A digest of the occurrences the last sync wrote for it: equal, and a sync leaves them unread.
    occurrences_digest: Mapped[str | None] = mapped_column(String(32))
    origin: Mapped[str] = mapped_column(String(20), default="plan")  # plan file, or "request" at run time
    retired: Mapped[bool] = mapped_column(Boolean, default=False)

    plan: Mapped[Plan] = relationship()


# The partial index's condition and the watch's query must be written alike (SQLite matches them by form).
UNWATCHED = "watched_due_date IS NULL OR watched_due_date <> current_due_date"
UNWATCHED_OPEN = f"first_submitted_at IS NULL AND ({UNWATCHED})"


class Occurrence(Base):
    __tablename__ = "occurrence"
    __table_args__ = (
        UniqueConstraint("obligation_id", "unit_id", "period_key"),
        # "What is due or overdue as of X" reads open rows by deadline only.
        Index("ix_occurrence_open_due", "retired", "first_submitted_at", "current_due_date"),
        Index("ix_occurrence_unit_due", "unit_id", "current_due_date"),
        Index("ix_occurrence_due_date", "due_date"),
        # A plan's own occurrences, with every column a status needs (rollup.status): the counts
        # of a coordinator's page are read from the index alone, not from the wide rows.
        Index("ix_occurrence_status", "obligation_id", "unit_id", "current_due_date", "due_date", "opens_on", "submitted_on",
              "first_submitted_at", "retired"),
        Index("ix_occurrence_period", "obligation_id", "period_key"),  # one period of a report: its figures
        # The open ladders the watch has not taken up (new rows, moved deadlines): the morning
        # reads these few, not every open row of the past (plantrack.watch); a row handed in
        # before its ladder began is never taken up, and leaves the index when it is handed in.
        Index("ix_occurrence_unwatched", "current_due_date", sqlite_where=text(UNWATCHED_OPEN), postgresql_where=text(UNWATCHED_OPEN)),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    obligation_id: Mapped[int] = mapped_column(ForeignKey("obligation.id"))
    unit_id: Mapped[str] = mapped_column(ForeignKey("unit.id"))
    period_key: Mapped[str] = mapped_column(String(40))
    period_label: Mapped[str] = mapped_column(Text)
    period_start: Mapped[dt.date] = mapped_column(Date)
    period_end: Mapped[dt.date] = mapped_column(Date)
    opens_on: Mapped[dt.date] = mapped_column(Date)
    due_date: Mapped[dt.date] = mapped_column(Date)  # the original deadline: statistics keep it
    current_due_date: Mapped[dt.date] = mapped_column(Date)  # after the latest extension
    explanation: Mapped[list[Any]] = mapped_column(default=list)
    # What reminders announce, in the text's words (deadlines.Deadline.phrase); None: the date.
    due_text: Mapped[str | None] = mapped_column(String(300))
    # A digest of what the last sync wrote (the values above, the explanation included): a sync
    # that changes nothing compares 32 characters a row, not the explanation's text.
    sync_digest: Mapped[str | None] = mapped_column(String(32))
    # The first submission's instant, kept here so open rows are found by index.
    first_submitted_at: Mapped[dt.datetime | None] = mapped_column()
    submitted_on: Mapped[dt.date | None] = mapped_column(Date)  # its civil date in Viet Nam: on time is a date comparison
    # The deadline whose reminder ladder the watch has taken up; another value (None: a new
    # row) means a ladder to catch up from its start on the next watch.
    watched_due_date: Mapped[dt.date | None] = mapped_column(Date)
    retired: Mapped[bool] = mapped_column(Boolean, default=False)

    obligation: Mapped[Obligation] = relationship()
    unit: Mapped[Unit] = relationship()
    submissions: Mapped[list["Submission"]] = relationship(
        back_populates="occurrence", order_by="Submission.submitted_at"
    )
    extensions: Mapped[list["Extension"]] = relationship(
        back_populates="occurrence", order_by="Extension.granted_at"
    )


class Submission(Base):
    __tablename__ = "submission"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    occurrence_id: Mapped[int] = mapped_column(ForeignKey("occurrence.id"), index=True)
    submitted_at: Mapped[dt.datetime] = mapped_column()
    document_number: Mapped[str | None] = mapped_column(Text)
    document_date: Mapped[dt.date | None] = mapped_column(Date)
    link: Mapped[str | None] = mapped_column(Text)
    note: Mapped[str | None] = mapped_column(Text)
    recorded_by: Mapped[str | None] = mapped_column(Text)
    # A file handed in: its name as sent (cleaned), where it is kept under the upload folder
    # (a unique name, never shown), and its size.
    file_name: Mapped[str | None] = mapped_column(String(200))
    file_path: Mapped[str | None] = mapped_column(String(300))
    file_bytes: Mapped[int | None] = mapped_column(Integer)
    # A correction supersedes the submission it replaces; the first hand-in's time still
    # decides on time or late (``occurrence.first_submitted_at``).
    supersedes_id: Mapped[int | None] = mapped_column(ForeignKey("submission.id"))
    superseded_at: Mapped[dt.datetime | None] = mapped_column()

    occurrence: Mapped[Occurrence] = relationship(back_populates="submissions")
    figures: Mapped[list["Figure"]] = relationship(back_populates="submission", order_by="Figure.indicator")


class Figure(Base):
    """One figure a submission reported for one of its obligation's indicators. A correction
    is a new submission with its own figures; the superseded ones stay (``plantrack.figures``)."""

    __tablename__ = "figure"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("submission.id"), index=True)
    indicator: Mapped[str] = mapped_column(String(100))
    number: Mapped[float | None] = mapped_column(Float)  # counts, amounts in đồng, percentages, yes (1) / no (0)
    text: Mapped[str | None] = mapped_column(Text)  # a text indicator

    submission: Mapped[Submission] = relationship(back_populates="figures")


class Extension(Base):
    __tablename__ = "extension"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    occurrence_id: Mapped[int] = mapped_column(ForeignKey("occurrence.id"), index=True)
    previous_due_date: Mapped[dt.date] = mapped_column(Date)
    new_due_date: Mapped[dt.date] = mapped_column(Date)
    reason: Mapped[str] = mapped_column(Text)
    approved_by: Mapped[str] = mapped_column(Text)
    granted_at: Mapped[dt.datetime] = mapped_column()
    explanation: Mapped[list[Any]] = mapped_column(default=list)

    occurrence: Mapped[Occurrence] = relationship(back_populates="extensions")


class Notice(Base):
    """The outbox: one row per notice, i.e. one occurrence, ladder stage, recipient and channel.

    The unique key is what makes a re-run of the watch, a retry or a second dispatcher
    harmless. A row stays ``pending`` until a send succeeds (a temporary failure pushes
    ``next_attempt_at`` back) or it is given up as ``undeliverable`` (``states.NoticeState``);
    ``lease_until`` marks a row a dispatcher is sending, so a
    dispatcher that dies mid-send leaves rows that another picks up when the lease ends.
    The sent row is the proof of notice: when, to which addresses, over which channel, and
    the server's answer.
    """

    __tablename__ = "notice"
    __table_args__ = (
        UniqueConstraint("occurrence_id", "stage", "deadline", "recipient_id", "channel", name="uq_notice_key"),
        # Only pending rows: the claim's index (see migration 0005). The claim says
        # state = 'pending' as a literal (outbox.PENDING) so that PostgreSQL can use it.
        Index("ix_notice_pending", "next_attempt_at", sqlite_where=text("state = 'pending'"),
              postgresql_where=text("state = 'pending'")),
        # The few notices given up on, which a unit's page lists (and an admin sends again).
        Index("ix_notice_undeliverable", "recipient_id", sqlite_where=text("state = 'undeliverable'"),
              postgresql_where=text("state = 'undeliverable'")),
        # The few escalations a coordinator took up, which the watch checks every morning.
        Index("ix_notice_acknowledged", "deadline", sqlite_where=text("acknowledged_at IS NOT NULL"),
              postgresql_where=text("acknowledged_at IS NOT NULL")),
        # On PostgreSQL the table has fillfactor 70 (migration 0005), so that a lease stamp can
        # be a heap-only update; SQLAlchemy 2.0 has no table option for it.
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    occurrence_id: Mapped[int] = mapped_column(ForeignKey("occurrence.id"))
    stage: Mapped[str] = mapped_column(String(40))  # reminder-5, due, overdue-2, escalation-1...
    deadline: Mapped[dt.date] = mapped_column(Date)  # the deadline the ladder was computed for
    level: Mapped[int] = mapped_column(Integer)  # 0 the unit, 1 its standing office, 2 the head
    recipient_id: Mapped[str] = mapped_column(ForeignKey("unit.id"))
    channel: Mapped[str] = mapped_column(String(40))  # "email", or "url:N" for the unit's Nth apprise URL
    planned_on: Mapped[dt.date] = mapped_column(Date)
    created_at: Mapped[dt.datetime] = mapped_column()
    state: Mapped[str] = mapped_column(String(20), default="pending")  # a states.NoticeState
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    first_failed_at: Mapped[dt.datetime | None] = mapped_column()  # the give-up age counts from here
    next_attempt_at: Mapped[dt.datetime] = mapped_column()
    claimed_by: Mapped[str | None] = mapped_column(String(100))
    lease_until: Mapped[dt.datetime | None] = mapped_column()
    sent_at: Mapped[dt.datetime | None] = mapped_column()
    address: Mapped[str | None] = mapped_column(Text)  # the To/Cc (or channel) it went to
    message_id: Mapped[str | None] = mapped_column(String(200))  # shared by the notices of one digest
    result: Mapped[str | None] = mapped_column(Text)  # the server's answer, or the last error
    acknowledged_at: Mapped[dt.datetime | None] = mapped_column()
    acknowledged_by: Mapped[str | None] = mapped_column(Text)

    occurrence: Mapped[Occurrence] = relationship()
    recipient: Mapped[Unit] = relationship()


class StoreState(Base):
    """One row: a token each sync draws anew, so that counts cached from an earlier state of the
    occurrences are not taken for the current one (``plantrack.freshness``)."""

    __tablename__ = "store_state"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    token: Mapped[str] = mapped_column(String(32))


class WatchRun(Base):
    """One run of the deadline watch: when it ran (as of), and what it found and wrote."""

    __tablename__ = "watch_run"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    as_of: Mapped[dt.datetime] = mapped_column()
    day: Mapped[dt.date] = mapped_column(Date, index=True)
    found: Mapped[dict[str, Any]] = mapped_column(default=dict)
    notices_created: Mapped[int] = mapped_column(Integer, default=0)


class Account(Base):
    """A person who signs in to the dashboard (``accounts.Role``: viewer, coordinator, admin),
    scoped to some plans (with the plans implementing them) and to a subtree of units; none
    means all. Agencies need no account: their links are signed."""

    __tablename__ = "account"

    login: Mapped[str] = mapped_column(String(100), primary_key=True)
    name: Mapped[str] = mapped_column(Text)
    password_hash: Mapped[str] = mapped_column(Text)  # argon2id (argon2-cffi's encoded form)
    created_at: Mapped[dt.datetime] = mapped_column()
    role: Mapped[str] = mapped_column(String(20), default="coordinator")
    plans: Mapped[list[Any] | None] = mapped_column(JSON, nullable=True)
    unit_root: Mapped[str | None] = mapped_column(String(100))
    password_changed_at: Mapped[dt.datetime | None] = mapped_column()


class LoginSession(Base):
    """A signed-in session, kept on the server so that logout, a password change or the
    account's removal end it at once. The cookie carries the id; the table keeps its SHA-256."""

    __tablename__ = "login_session"

    id_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    login: Mapped[str] = mapped_column(ForeignKey("account.login", ondelete="CASCADE"), index=True)
    created_at: Mapped[dt.datetime] = mapped_column()
    expires_at: Mapped[dt.datetime] = mapped_column()


class UnitFeed(Base):
    """The generation of a unit's own feed link (its page and calendar): revoking it raises
    the generation, and every link signed for an earlier one stops working."""

    __tablename__ = "unit_feed"

    unit_id: Mapped[str] = mapped_column(ForeignKey("unit.id"), primary_key=True)
    generation: Mapped[int] = mapped_column(Integer, default=1)
    changed_at: Mapped[dt.datetime] = mapped_column()
