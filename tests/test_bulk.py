"""The bulk writes (one statement per batch) store exactly what the ORM would, on both databases."""

import datetime as dt

from sqlalchemy import select

from plantrack.store.bulk import insert_rows, update_rows
from plantrack.store.models import Notice, Occurrence, Submission
from plantrack.watch import KEY_COLUMNS, NOTICE_COLUMNS

from .conftest import vn


def _occurrences(store):
    with store.session() as session:
        return session.scalars(select(Occurrence).order_by(Occurrence.id).limit(3)).all()


def test_insert_and_update_rows_round_trip_dates_instants_and_conditions(synced):
    occurrences = _occurrences(synced)
    queued = vn(2020, 11, 9, 7, 30)
    rows = [
        (occ.id, "reminder-2", occ.current_due_date, occ.unit_id, "email", 0, dt.date(2020, 11, 9))
        for occ in occurrences
    ]
    constants = {"created_at": queued, "state": "pending", "attempts": 0, "next_attempt_at": queued}
    with synced.transaction() as session:
        insert_rows(session, Notice.__table__, NOTICE_COLUMNS, rows, constants=constants, skip_duplicates_of=KEY_COLUMNS)
        # The same keys again, plus one new: the duplicates are skipped, not an error.
        again = rows[:1] + [(occurrences[0].id, "due", occurrences[0].current_due_date, occurrences[0].unit_id, "email", 0,
                             occurrences[0].current_due_date)]
        insert_rows(session, Notice.__table__, NOTICE_COLUMNS, again, constants=constants, skip_duplicates_of=KEY_COLUMNS)
    with synced.session() as session:
        stored = session.scalars(select(Notice).order_by(Notice.id)).all()
    assert len(stored) == 4
    assert [(n.occurrence_id, n.stage, n.deadline, n.planned_on) for n in stored[:3]] == [
        (r[0], r[1], r[2], r[6]) for r in rows
    ]
    assert all(n.created_at == queued and n.next_attempt_at == queued and n.state == "pending" for n in stored)

    # Mark two as sent by worker "w": only rows leased to "w" and still pending change.
    with synced.transaction() as session:
        for notice in session.scalars(select(Notice)):
            notice.claimed_by = "w" if notice.id != stored[1].id else "other"
    sent_at = vn(2020, 11, 9, 8, 0)
    with synced.transaction() as session:
        update_rows(
            session, Notice.__table__, "id", ("address", "result"),
            [(stored[0].id, "email a@b.vn", "250 OK"), (stored[1].id, "email c@d.vn", "250 OK")],
            constants={"state": "sent", "sent_at": sent_at, "lease_until": None}, increments=("attempts",),
            only_where={"claimed_by": "w", "state": "pending"},
        )
    with synced.session() as session:
        after = {n.id: n for n in session.scalars(select(Notice))}
    first, second = after[stored[0].id], after[stored[1].id]
    assert (first.state, first.address, first.result, first.sent_at, first.attempts) == ("sent", "email a@b.vn", "250 OK", sent_at, 1)
    assert (second.state, second.address, second.attempts) == ("pending", None, 0)  # leased to another worker


def test_bulk_inserts_in_batches_keep_every_row(synced, monkeypatch):
    import plantrack.store.bulk as bulk

    monkeypatch.setattr(bulk, "BATCH", 2)  # several statements for five rows
    occurrence = _occurrences(synced)[0]
    at = vn(2020, 11, 10, 9)
    with synced.transaction() as session:
        insert_rows(session, Submission.__table__, ("occurrence_id", "note"), [(occurrence.id, f"lần {k}") for k in range(5)],
                    constants={"submitted_at": at, "recorded_by": "test"})
    with synced.session() as session:
        notes = session.scalars(select(Submission.note).where(Submission.recorded_by == "test").order_by(Submission.id)).all()
        instants = set(session.scalars(select(Submission.submitted_at).where(Submission.recorded_by == "test")))
    assert notes == [f"lần {k}" for k in range(5)] and instants == {at}


def test_bulk_writes_store_instants_and_dates_as_the_orm_does(synced):
    """Same text on SQLite (where comparisons of instants are comparisons of text), same values
    on PostgreSQL: a row written in bulk and one written by the ORM are indistinguishable."""
    from sqlalchemy import text

    occurrence = _occurrences(synced)[0]
    at = vn(2020, 11, 10, 9)
    with synced.transaction() as session:
        insert_rows(session, Submission.__table__, ("occurrence_id", "document_date"), [(occurrence.id, dt.date(2020, 11, 9))],
                    constants={"submitted_at": at, "recorded_by": "bulk"})
        session.add(Submission(occurrence_id=occurrence.id, document_date=dt.date(2020, 11, 9), submitted_at=at, recorded_by="orm"))
    with synced.engine.connect() as connection:
        stored = dict(
            (who, (str(instant), str(day)))
            for who, instant, day in connection.execute(text(
                "SELECT recorded_by, submitted_at, document_date FROM submission WHERE recorded_by IN ('bulk', 'orm')"
            ))
        )
    assert stored["bulk"] == stored["orm"]


AWKWARD_TEXTS = ['a,b', 'c"d', "e\\f", "Sở {Tư pháp}", "NULL", "", " space ", None]


def test_bulk_writes_keep_awkward_text_exactly(synced):
    """Quotes, backslashes, commas, braces, diacritics, the word NULL, empty and missing text:
    each row's note comes back as written (on PostgreSQL the batch travels as array text)."""
    occurrence = _occurrences(synced)[0]
    with synced.transaction() as session:
        insert_rows(session, Submission.__table__, ("occurrence_id", "note"), [(occurrence.id, note) for note in AWKWARD_TEXTS],
                    constants={"submitted_at": vn(2020, 11, 10, 9), "recorded_by": "awkward"})
    with synced.session() as session:
        notes = session.scalars(select(Submission.note).where(Submission.recorded_by == "awkward").order_by(Submission.id)).all()
    assert notes == AWKWARD_TEXTS


def test_array_literal_round_trips_through_postgresql(postgres_url):
    from sqlalchemy import create_engine

    from plantrack.store.bulk import array_literal
    from plantrack.store.database import engine_url

    columns = [
        ("INTEGER", [1, -2, None, 30]),
        ("TEXT", AWKWARD_TEXTS),
        ("DATE", [dt.date(2020, 11, 16), None]),
        ("TIMESTAMP WITH TIME ZONE", [vn(2020, 11, 9, 7, 30), dt.datetime(2023, 1, 20, tzinfo=dt.timezone.utc)]),
        ("BOOLEAN", [True, False, None]),
    ]
    engine = create_engine(engine_url(postgres_url))
    try:
        with engine.connect() as connection:
            for sql_type, values in columns:
                back = connection.exec_driver_sql(f"SELECT %(v)s::{sql_type}[]", {"v": array_literal(values)}).scalar()
                assert back == values, sql_type
    finally:
        engine.dispose()
