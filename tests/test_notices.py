"""The watch, the outbox and delivery: a real SMTP server (aiosmtpd) receives what is sent.

Every store test runs on SQLite and PostgreSQL. Messages are parsed back from what the SMTP
server received; nothing about sending is mocked.
"""

import datetime as dt
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from sqlalchemy import select, update

from notifications.channels import AppriseEmailSender, AppriseUrlChannel, Channels, PooledSmtpSender
from notifications.dispatch import dispatch
from notifications.sink import SmtpSink
from plantrack.errors import PlantrackError
from plantrack.settings import DeliverySettings
from plantrack.outbox import claim
from plantrack.store.models import Notice, Occurrence, Unit
from plantrack.tracking import find_occurrence, grant_extension, record_submission, request_adhoc
from plantrack.watch import NOTICE_COLUMNS, _insert_new, _statements, acknowledge_escalation, watch

from .conftest import morning, vn

D = dt.date
PRODUCTION_URLS = AppriseUrlChannel(DeliverySettings(environment="production"))


def run_watch(store, day: dt.date):
    with store.transaction() as session:
        return watch(session, morning(day))


def notices(store, **where):
    with store.session() as session:
        query = select(Notice).order_by(Notice.id)
        for column, value in where.items():
            query = query.where(getattr(Notice, column) == value)
        return session.scalars(query).all()


def working_days(first: dt.date, last: dt.date):
    day = first
    while day <= last:
        if day.weekday() < 5:
            yield day
        day += dt.timedelta(days=1)


def ladder_of(store, unit: str) -> dict[str, tuple[dt.date, str]]:
    with store.session() as session:
        rows = session.execute(
            select(Notice.stage, Notice.planned_on, Notice.recipient_id)
            .join(Notice.occurrence)
            .where(Notice.occurrence.has(unit_id=unit))
        ).all()
    return {stage: (on, recipient) for stage, on, recipient in rows}


def test_each_ladder_step_is_written_on_its_working_day_to_the_right_recipient(synced):
    # Kế hoạch "before 16/11/2020" (due Monday 16/11); nobody hands it in.
    for day in working_days(D(2020, 11, 5), D(2020, 12, 4)):
        run_watch(synced, day)
    assert ladder_of(synced, "t.beta") == {
        "reminder-5": (D(2020, 11, 9), "t.beta"),
        "reminder-2": (D(2020, 11, 12), "t.beta"),
        "reminder-1": (D(2020, 11, 13), "t.beta"),
        "due": (D(2020, 11, 16), "t.beta"),
        "overdue-1": (D(2020, 11, 17), "t.beta"),
        "overdue-2": (D(2020, 11, 20), "t.beta"),
        "escalation-1": (D(2020, 11, 23), "t.office"),  # level 1: the unit's escalates_to
        "overdue-3": (D(2020, 11, 25), "t.beta"),
        "escalation-2": (D(2020, 11, 30), "t.committee"),  # level 2: one further up
    }


def test_the_ladder_of_a_request_made_before_tet_skips_the_holiday(synced):
    with synced.transaction() as session:
        _, (occurrence,) = request_adhoc(session, "t-plan", ["t.alpha"], vn(2021, 2, 3, 9), "Báo cáo nhanh", 5)
        assert occurrence.due_date == D(2021, 2, 17)  # 3, 4, 5, 8, 9 Feb, then Tết (10–16 Feb)
    for day in working_days(D(2021, 2, 3), D(2021, 2, 19)):
        run_watch(synced, day)
    steps = {stage: on for stage, (on, _) in ladder_of(synced, "t.alpha").items() if on >= D(2021, 2, 1)}
    assert steps == {
        "reminder-5": D(2021, 2, 3),
        "reminder-2": D(2021, 2, 8),
        "reminder-1": D(2021, 2, 9),  # the last working day before Tết
        "due": D(2021, 2, 17),
        "overdue-1": D(2021, 2, 18),
    }


def test_a_submission_stops_the_ladder_and_cancels_what_was_not_sent(synced, sink):
    run_watch(synced, D(2020, 11, 17))  # overdue-1 for both units, not dispatched yet
    with synced.transaction() as session:
        record_submission(session, find_occurrence(session, None, "t-plan", "ke-hoach", "t.alpha"), vn(2020, 11, 17, 10))
    report = dispatch(synced, vn(2020, 11, 17, 10, 30), Channels(PooledSmtpSender(sink.url())))
    assert report.notices_cancelled == 1 and report.messages_sent == 1
    assert [m["To"] for m in sink.messages] == ["beta@units.example"]
    for day in working_days(D(2020, 11, 18), D(2020, 12, 4)):
        run_watch(synced, day)
    assert set(ladder_of(synced, "t.alpha")) == {"overdue-1"}  # nothing after the submission
    assert "escalation-2" in ladder_of(synced, "t.beta")


def test_an_extension_restarts_the_ladder_from_the_new_date(synced):
    run_watch(synced, D(2020, 11, 16))
    with synced.transaction() as session:
        occurrence = find_occurrence(session, None, "t-plan", "ke-hoach", "t.beta")
        grant_extension(session, occurrence, D(2020, 11, 23), "xin gia hạn", "Chánh Văn phòng", vn(2020, 11, 16, 15))
    for day in working_days(D(2020, 11, 17), D(2020, 11, 24)):
        run_watch(synced, day)
    with synced.session() as session:
        beta = session.execute(
            select(Notice.stage, Notice.deadline, Notice.planned_on).where(Notice.occurrence.has(unit_id="t.beta"))
        ).all()
    assert ("due", D(2020, 11, 16), D(2020, 11, 16)) in beta
    assert ("reminder-1", D(2020, 11, 23), D(2020, 11, 20)) in beta  # the new ladder
    assert ("due", D(2020, 11, 23), D(2020, 11, 23)) in beta
    assert not [b for b in beta if b[1] == D(2020, 11, 16) and b[0].startswith("overdue")]


def test_a_renamed_body_is_addressed_by_the_name_it_bears_on_the_day(store, mini_dir, sink):
    """Names over time: Sở Alpha became "Sở Alpha và Beta" on 01/01/2022, keeping its id: a
    reminder of 2020 greets it by the name it bore then."""
    from plantrack.loader import load_catalogue
    from plantrack.store.sync import sync_catalogue

    from .test_loader import edit

    edit(mini_dir / "registry.yaml", "    name: Sở Alpha\n",
         "    name: Sở Alpha và Beta\n    former_names: [{name: Sở Alpha, until: 2021-12-31}]\n")
    with store.transaction() as session:
        sync_catalogue(session, load_catalogue(mini_dir))
    run_watch(store, D(2020, 11, 9))
    dispatch(store, morning(D(2020, 11, 9)), Channels(PooledSmtpSender(sink.url())))
    (alpha,) = [m for m in sink.messages if m["To"] == "alpha@units.example"]
    text = alpha.get_body(("plain",)).get_content()
    assert "Kính gửi: Sở Alpha." in text and "Sở Alpha và Beta" not in text


def test_digests_are_official_vietnamese_messages_to_the_registry_addresses(synced, sink):
    run_watch(synced, D(2020, 11, 9))
    report = dispatch(synced, morning(D(2020, 11, 9)), Channels(PooledSmtpSender(sink.url())))
    assert (report.messages_sent, report.notices_sent, report.messages_failed) == (2, 2, 0)
    by_to = {m["To"]: m for m in sink.messages}
    alpha = by_to["alpha@units.example"]
    assert alpha["Cc"] == "alpha.cc@units.example"
    assert sorted(sink.envelopes[[m["To"] for m in sink.messages].index("alpha@units.example")]) == [
        "alpha.cc@units.example", "alpha@units.example",
    ]
    assert alpha["Subject"].startswith("V/v đôn đốc thực hiện Kế hoạch số 1/KH-TEST")
    text = alpha.get_body(("plain",)).get_content()
    html = alpha.get_body(("html",)).get_content()
    for part in (text, html):
        assert "Kính gửi: Sở Alpha." in part
        # "trước ngày 16/11/2020": art. 148(5) carries Sunday 15/11 to Monday 16/11, a day the text
        # calls too late, so the message keeps to the text's words and counts no days to it.
        assert "Thời hạn: trước ngày 16/11/2020" in part or "<td>trước ngày 16/11/2020</td>" in part
        assert "16/11/2020 (thứ hai)" not in part and "sắp đến hạn (văn bản ghi “trước ngày 16/11/2020”)" in part
        assert "./." in part and "Nơi nhận" in part
    assert "<table" in html and "<table" not in text
    (notice,) = notices(synced, recipient_id="t.alpha")
    assert notice.state == "sent" and notice.message_id == alpha["Message-ID"]
    assert "alpha@units.example" in notice.address and "accepted by 127.0.0.1" in notice.result
    # Stamped by the run's clock: as of the run's start, plus the time the run took.
    assert morning(D(2020, 11, 9)) <= notice.sent_at < morning(D(2020, 11, 9)) + dt.timedelta(seconds=30)
    assert alpha["X-Plantrack-Notices"] == str(notice.id)


def test_escalations_name_the_lagging_units_in_one_digest(synced, sink):
    run_watch(synced, D(2020, 11, 23))
    dispatch(synced, morning(D(2020, 11, 23)), Channels(PooledSmtpSender(sink.url())))
    (office,) = [m for m in sink.messages if m["To"] == "office@committee.example"]
    assert office["Subject"] == "V/v đôn đốc các đơn vị chậm thực hiện Kế hoạch số 1/KH-TEST (2 đơn vị)"
    text = office.get_body(("plain",)).get_content()
    assert "Kính gửi: Văn phòng Thường trực." in text
    assert "Sở Alpha: Gửi kế hoạch của đơn vị" in text and "Ban Chỉ đạo 389 huyện Beta" in text
    assert "đã quá hạn 7 ngày" in text


def test_running_the_watch_and_dispatch_twice_sends_nothing_new(synced, sink):
    sender = PooledSmtpSender(sink.url())
    for _ in range(2):
        run_watch(synced, D(2020, 11, 23))
        dispatch(synced, morning(D(2020, 11, 23)), Channels(sender))
    second = run_watch(synced, D(2020, 11, 23))
    assert second.notices_created == 0 and not second.by_stage
    # 23/11 is escalation day, and this store's first watch: each ladder is caught up, so each
    # unit gets its latest overdue notice (of 20/11) and the office one digest naming both.
    assert sink.count == 3
    assert len(notices(synced)) == 4 and all(n.state == "sent" for n in notices(synced))


def test_the_outbox_key_holds_when_two_watches_write_the_same_notices(synced):
    """The watch leaves out keys it has seen; a concurrent one relies on the unique index."""
    first = run_watch(synced, D(2020, 11, 23))
    written = notices(synced)
    rows = [tuple(getattr(n, c) for c in NOTICE_COLUMNS) for n in written]
    assert first.notices_created == len(rows) == 4  # overdue-2 and escalation-1 of alpha and beta
    with synced.transaction() as session:
        _insert_new(session, rows, written[0].created_at)  # what a watch that read the outbox before ours committed would write
    assert len(notices(synced)) == 4


def test_a_first_run_meeting_a_notice_written_meanwhile_counts_only_its_own(synced):
    """A first run of the day does not read the outbox; the unique key refuses a notice a
    concurrent watch (or an earlier run, before a calendar change) already wrote, and the
    report counts only what this run wrote."""
    with synced.session() as session:  # what 23/11's watch will write: escalation-1 for alpha and beta
        ids = {unit: find_occurrence(session, None, "t-plan", "ke-hoach", unit).id for unit in ("t.alpha", "t.beta")}
    earlier = morning(D(2020, 11, 20))
    with synced.transaction() as session:
        deadline = session.get(Occurrence, ids["t.alpha"]).current_due_date
        _insert_new(session, [(ids["t.alpha"], "escalation-1", deadline, "t.office", "email", 1, D(2020, 11, 23))], earlier)
    report = run_watch(synced, D(2020, 11, 23))  # the store's first: overdue-2 of both, and escalation-1
    assert report.notices_created == 3 and report.by_stage == {"overdue": 2, "escalation-1": 1}
    written = notices(synced, stage="escalation-1")
    assert len(written) == 2
    assert {n.occurrence_id: n.created_at for n in written} == {ids["t.alpha"]: earlier, ids["t.beta"]: morning(D(2020, 11, 23))}


def sqlite_plan(store, statement, parameters) -> str:
    with store.engine.connect() as connection:
        return " / ".join(row[-1] for row in connection.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, parameters))


def test_the_acknowledged_escalations_come_from_their_own_index_on_sqlite(synced):
    if synced.engine.dialect.name != "sqlite":
        pytest.skip("query plans of tiny PostgreSQL tables prefer sequential scans; checked on SQLite")
    query = _statements().acknowledged.compile(synced.engine)
    plan = sqlite_plan(synced, str(query), ("2020-11-01", "2020-12-01"))
    assert "ix_notice_acknowledged" in plan and "SCAN notice" not in plan, plan


def test_the_claim_reads_the_index_of_pending_notices_on_sqlite(synced):
    """The claim's own statement, as the dispatcher sends it, searches the partial index of
    pending notices (a sent notice is not in it) instead of scanning the outbox."""
    if synced.engine.dialect.name != "sqlite":
        pytest.skip("query plans of tiny PostgreSQL tables prefer sequential scans; checked on SQLite")
    from sqlalchemy import event

    run_watch(synced, D(2020, 11, 23))
    statements = []

    def keep(_conn, _cursor, statement, parameters, _context, _many):
        if statement.lstrip().upper().startswith("UPDATE NOTICE SET CLAIMED_BY"):
            statements.append((statement, parameters))

    event.listen(synced.engine, "before_cursor_execute", keep)
    try:
        assert claim(synced, morning(D(2020, 11, 23)), "w", limit=10).ids
    finally:
        event.remove(synced.engine, "before_cursor_execute", keep)
    plan = sqlite_plan(synced, *statements[0])
    assert "ix_notice_pending" in plan and "SCAN notice" not in plan, plan


def test_an_smtp_outage_delays_but_loses_nothing(synced):
    run_watch(synced, D(2020, 11, 9))
    down = SmtpSink()  # take a free port, then leave it closed
    down.start()
    port = down.port
    down.stop()
    sender = PooledSmtpSender(f"mailto://127.0.0.1:{port}/?from=plantrack@localhost&mode=insecure")
    first = dispatch(synced, morning(D(2020, 11, 9)), Channels(sender))
    assert (first.messages_sent, first.messages_failed) == (0, 2)
    pending = notices(synced)
    assert all(n.state == "pending" and n.attempts == 1 and "127.0.0.1" in n.result for n in pending)
    retry_in = first.next_retry_at - morning(D(2020, 11, 9))
    assert dt.timedelta(minutes=5) <= retry_in < dt.timedelta(minutes=5, seconds=30)
    assert first.waiting == 2 and first.next_due_at == first.next_retry_at
    early = dispatch(synced, morning(D(2020, 11, 9)) + dt.timedelta(minutes=2), Channels(sender))
    assert early.messages_failed == 0 and early.messages_sent == 0  # backing off, not hammering
    with SmtpSink(port=port) as back:
        later = dispatch(synced, morning(D(2020, 11, 9)) + dt.timedelta(minutes=6), Channels(sender))
        assert later.messages_sent == 2 and back.count == 2
    assert all(n.state == "sent" and n.attempts == 2 for n in notices(synced))


def test_a_dispatcher_that_dies_holding_notices_does_not_lose_them(synced, sink):
    run_watch(synced, D(2020, 11, 9))
    now = morning(D(2020, 11, 9))
    # Then it dies without recording. Leases run out on the database's clock, not the as-of.
    assert len(claim(synced, now, "crashed-worker", lease=dt.timedelta(seconds=2)).ids) == 2
    sender = PooledSmtpSender(sink.url())
    assert dispatch(synced, now + dt.timedelta(minutes=11), Channels(sender)).messages_sent == 0  # still leased
    time.sleep(2.1)
    assert dispatch(synced, now, Channels(sender)).messages_sent == 2  # lease ran out
    assert sink.count == 2


def test_two_dispatchers_never_send_the_same_notice(synced, sink):
    with synced.transaction() as session:  # 40 units, so the two dispatchers overlap in time
        session.add_all(
            Unit(id=f"t.extra{i}", registry_id="mini", name=f"Đơn vị {i}", kind="department", escalates_to_id="t.office",
                 contacts={"to": [f"extra{i}@units.example"]})
            for i in range(40)
        )
        request_adhoc(session, "t-plan", [f"t.extra{i}" for i in range(40)], vn(2020, 11, 2, 9), "Báo cáo nhanh", 5)
    run_watch(synced, D(2020, 11, 9))
    expected = {n.id for n in notices(synced)}
    assert len(expected) == 42
    now = morning(D(2020, 11, 9))
    reports = []

    def worker(name):
        reports.append(dispatch(synced, now, Channels(PooledSmtpSender(sink.url())), worker=name, batch=3, threads=2))

    threads = [threading.Thread(target=worker, args=(f"dispatcher-{i}",)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    delivered = [int(i) for m in sink.messages for i in m["X-Plantrack-Notices"].split(",")]
    assert sorted(delivered) == sorted(expected)  # every notice exactly once
    assert all(r.messages_sent for r in reports), "both dispatchers took part"
    assert {n.claimed_by for n in notices(synced)} == {"dispatcher-0", "dispatcher-1"}


def test_an_acknowledged_escalation_goes_no_further(synced, sink):
    for day in working_days(D(2020, 11, 23), D(2020, 11, 23)):
        run_watch(synced, day)
    with synced.transaction() as session:
        occurrence = find_occurrence(session, None, "t-plan", "ke-hoach", "t.alpha")
        assert acknowledge_escalation(session, occurrence, "Chánh Văn phòng", vn(2020, 11, 23, 9)) == 1
        with pytest.raises(PlantrackError, match="no escalation"):
            acknowledge_escalation(session, occurrence, "Chánh Văn phòng", vn(2020, 11, 23, 9))
    report = dispatch(synced, vn(2020, 11, 23, 9, 30), Channels(PooledSmtpSender(sink.url())))
    # The two units' overdue notices (a first watch catches up) and the office's digest; alpha's
    # escalation was cancelled on acknowledging.
    assert (report.messages_sent, report.notices_cancelled) == (3, 0)
    (office,) = [m for m in sink.messages if m["To"] == "office@committee.example"]
    assert "Sở Alpha" not in office.get_body(("plain",)).get_content()
    assert "Ban Chỉ đạo 389 huyện Beta" in office.get_body(("plain",)).get_content()
    for day in working_days(D(2020, 11, 24), D(2020, 12, 4)):
        run_watch(synced, day)
    assert "escalation-2" not in ladder_of(synced, "t.alpha")
    assert "escalation-2" in ladder_of(synced, "t.beta")


def test_e_mail_through_apprise_and_a_webhook_channel(synced, sink, webhook):
    hook_url, received = webhook
    with synced.transaction() as session:
        session.execute(
            update(Unit).where(Unit.id == "t.beta").values(contacts={"to": ["beta@units.example"], "channels": [hook_url]})
        )
    run_watch(synced, D(2020, 11, 9))
    report = dispatch(synced, morning(D(2020, 11, 9)), Channels(AppriseEmailSender(sink.url()), PRODUCTION_URLS))
    assert report.messages_sent == 3 and not report.errors
    assert sorted(m["To"] for m in sink.messages) == ["alpha@units.example", "beta@units.example"]
    subject = sink.messages[0]["Subject"]
    assert subject.startswith("V/v đôn đốc thực hiện Kế hoạch số 1/KH-TEST")
    (hook,) = received
    assert hook["title"].startswith("V/v đôn đốc") and "Kính gửi: Ban Chỉ đạo 389 huyện Beta." in hook["message"]
    (webhook_notice,) = notices(synced, channel="url:0")
    assert webhook_notice.state == "sent" and webhook_notice.address.startswith("json://")


def test_a_plan_that_ends_before_on_the_working_day_before_announces_that_day(store, mini_dir, sink):
    from plantrack.loader import load_catalogue
    from plantrack.store.sync import sync_catalogue
    from plantrack.tracking import find_occurrence

    from .test_loader import edit

    edit(mini_dir / "plan.yaml", "duties:\n", "calendar: {before_on_rest_day: previous_working_day}\n\nduties:\n")
    with store.transaction() as session:
        sync_catalogue(session, load_catalogue(mini_dir))
    with store.session() as session:
        occurrence = find_occurrence(session, None, "t-plan", "ke-hoach", "t.alpha")
        assert occurrence.due_date == D(2020, 11, 13)  # Friday: the last working day before 16/11
        assert occurrence.due_text == "trước ngày 16/11/2020 (đến hết Thứ Sáu, 13/11/2020)"
        assert any("previous_working_day" in step["vi"] for step in occurrence.explanation)
    run_watch(store, D(2020, 11, 11))  # two working days before Friday 13/11
    dispatch(store, morning(D(2020, 11, 11)), Channels(PooledSmtpSender(sink.url())))
    alpha = next(m for m in sink.messages if m["To"] == "alpha@units.example")
    text = alpha.get_body(("plain",)).get_content()
    assert "Thời hạn: trước ngày 16/11/2020 (đến hết Thứ Sáu, 13/11/2020)" in text and "còn 2 ngày làm việc" in text
    assert "(thời hạn trước ngày 16/11/2020)" in alpha["Subject"]


def test_a_unit_channel_needing_a_missing_secret_stays_pending(synced, sink):
    with synced.transaction() as session:
        session.execute(
            update(Unit).where(Unit.id == "t.beta").values(
                contacts={"to": ["beta@units.example"], "channels": ["json://127.0.0.1:9/${PLANTRACK_CHANNEL_TEST_UNSET}"]}
            )
        )
    run_watch(synced, D(2020, 11, 9))
    report = dispatch(synced, morning(D(2020, 11, 9)), Channels(PooledSmtpSender(sink.url()), PRODUCTION_URLS))
    assert report.messages_sent == 2 and report.messages_failed == 1
    assert "PLANTRACK_CHANNEL_TEST_UNSET" in report.errors[0]
    (pending,) = notices(synced, state="pending")
    assert pending.channel == "url:0"


def test_a_channel_url_cannot_read_the_servers_secrets_and_its_proof_is_masked(synced, sink, monkeypatch):
    """A URL naming PLANTRACK_SECRET_KEY is refused, never posted; an allowed one is posted with
    its secret, and the proof of notice keeps the URL as written, masked."""
    import threading

    received = []

    class Hook(BaseHTTPRequestHandler):
        def do_POST(self):
            received.append((self.path, json.loads(self.rfile.read(int(self.headers["Content-Length"])))))
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args):
            pass

    monkeypatch.setenv("PLANTRACK_SECRET_KEY", "the-servers-own-secret-key-0123456789abcdef")
    monkeypatch.setenv("PLANTRACK_CHANNEL_BETA_HOOK", "hook-token-5f2a9c41")
    server = HTTPServer(("127.0.0.1", 0), Hook)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    port = server.server_port
    try:
        with synced.transaction() as session:
            session.execute(update(Unit).where(Unit.id == "t.beta").values(contacts={"to": ["beta@units.example"], "channels": [
                f"json://127.0.0.1:{port}/steal/${{PLANTRACK_SECRET_KEY}}", f"json://127.0.0.1:{port}/ok/${{PLANTRACK_CHANNEL_BETA_HOOK}}",
            ]}))
        run_watch(synced, D(2020, 11, 9))
        dispatch(synced, morning(D(2020, 11, 9)), Channels(PooledSmtpSender(sink.url()), PRODUCTION_URLS))
    finally:
        server.shutdown()
    assert [path for path, _ in received] == ["/ok/hook-token-5f2a9c41"]  # the secret key went nowhere
    (refused,) = notices(synced, channel="url:0")
    assert refused.state == "undeliverable" and "PLANTRACK_SECRET_KEY" in refused.result
    (sent,) = notices(synced, channel="url:1")
    assert sent.state == "sent" and sent.address.startswith(f"json://127.0.0.1:{port}/ok/${{PLANTRACK_CHANNEL_BETA_HOOK}}")
    stored = " ".join(str(getattr(n, column) or "") for n in notices(synced) for column in ("address", "result"))
    assert "hook-token-5f2a9c41" not in stored and "the-servers-own-secret-key" not in stored


def test_urls_are_masked_with_their_path_tokens():
    from plantrack.masking import channel_url_problem, mask_url

    assert mask_url("json://user:pa55word@hooks.example/T0AB12CD34/B0XY98765432zz/xoxb12345abcdefgh?token=abc") == (
        "json://user:***@hooks.example/T0AB12CD34/***/***?token=***"
    )
    assert mask_url("mailto://u:secret@smtp.example:587") == "mailto://u:***@smtp.example:587"
    assert "PLANTRACK_CHANNEL_" in channel_url_problem("json://x/${PLANTRACK_SMTP_URL}")
    assert "secret token" in channel_url_problem("tgram://123456789:AAHk2x9sQwErTyUiOp/987654")
    assert channel_url_problem("tgram://${PLANTRACK_CHANNEL_BOT}/${PLANTRACK_CHANNEL_CHAT}") is None


def test_reminders_carry_a_signed_link_for_their_unit_and_escalations_none(synced, sink):
    import re

    from notifications.dispatch import submission_links
    from plantrack.links import read_token

    from plantrack.keys import demo_keyring

    key = demo_keyring("notice-test")
    links = submission_links("https://theodoi.example/", key)
    run_watch(synced, D(2020, 11, 9))
    dispatch(synced, morning(D(2020, 11, 9)), Channels(PooledSmtpSender(sink.url())), link_for=links)
    alpha = next(m for m in sink.messages if m["To"] == "alpha@units.example")
    text = alpha.get_body(("plain",)).get_content()
    html = alpha.get_body(("html",)).get_content()
    (url,) = re.findall(r"https://theodoi\.example/nop/\S+", text)
    # each field on its own line: the recipient, then the link
    assert "\n   Gửi về: Văn phòng Thường trực\n" in text and f"\n   Nộp báo cáo trực tuyến: {url}\n" in text
    assert f'href="{url}"' in html
    grant = read_token(key, url.rsplit("/", 1)[1], morning(D(2020, 11, 9)))
    (notice,) = notices(synced, recipient_id="t.alpha")
    assert (grant.occurrence_id, grant.unit_id) == (notice.occurrence_id, "t.alpha")
    assert grant.expires_at.date() > D(2021, 2, 1)  # valid well past the deadline (16/11) for late submissions

    for day in working_days(D(2020, 11, 10), D(2020, 11, 23)):
        run_watch(synced, day)
    dispatch(synced, morning(D(2020, 11, 23)), Channels(PooledSmtpSender(sink.url())), link_for=links)
    office = next(m for m in sink.messages if m["To"] == "office@committee.example")
    assert "/nop/" not in office.get_body(("plain",)).get_content()


def _three_requests_each(store):
    """Two ad hoc requests to both member units, besides their plan due 16/11: three reminders
    each on 09/11/2020."""
    with store.transaction() as session:
        for k in range(2):
            request_adhoc(session, "t-plan", ["t.alpha", "t.beta"], vn(2020, 11, 2, 9 + k), f"Báo cáo nhanh {k}", 5)
    run_watch(store, D(2020, 11, 9))
    assert len(notices(store)) == 6


@pytest.mark.parametrize("batch, messages", [(4, 2), (2, 4)])
def test_a_simulated_dispatch_locks_and_records_in_one_go_keeping_each_recipient_whole(synced, batch, messages):
    """No lease is taken (nothing is sent). A batch limit that cuts a recipient's notices leaves
    them to the next batch, so each recipient still gets one digest; a recipient with more
    notices than the limit is split, since no batch could take it whole."""
    _three_requests_each(synced)
    report = dispatch(synced, morning(D(2020, 11, 9)), Channels.stub(), batch=batch)
    assert (report.messages_sent, report.notices_sent) == (messages, 6)
    assert sorted(recipient for recipient, _, _ in report.sent) == ["t.alpha"] * (messages // 2) + ["t.beta"] * (messages // 2)
    stored = notices(synced)
    assert {(n.state, n.claimed_by, n.lease_until, n.attempts) for n in stored} == {("sent", None, None, 1)}
    assert len({n.message_id for n in stored}) == messages


def test_notices_locked_by_a_simulated_dispatch_are_skipped_by_another(synced):
    from plantrack.outbox import take_due

    if synced.engine.dialect.name != "postgresql":
        pytest.skip("SQLite runs one writer at a time")
    _three_requests_each(synced)
    now = morning(D(2020, 11, 9))
    with synced.transaction() as first:
        taken, _, drained = take_due(first, now, limit=3)
        assert [d.recipient_id for d in taken] == ["t.alpha"] and not drained
        with synced.transaction() as second:  # meanwhile, on another connection
            others, _, drained = take_due(second, now, limit=10)
            assert [d.recipient_id for d in others] == ["t.beta"] and drained
            assert len(others[0].notice_ids) == 3


def _recipients_plan(store, mini_dir, sink, submit_to: str, copy_to: str) -> None:
    """The mini plan with Beta managed by the standing office and "ke-hoach" sent as given."""
    from plantrack.loader import load_catalogue
    from plantrack.store.sync import sync_catalogue

    from .test_loader import edit

    edit(mini_dir / "registry.yaml", "    parent: t.committee\n    escalates_to: t.office\n    contacts: {to: [beta@",
         "    parent: t.office\n    escalates_to: t.office\n    contacts: {to: [beta@")
    edit(mini_dir / "plan.yaml", "    groups: [t.members]\n    submit_to: t.office\n    due:\n      type: one_off",
         f"    groups: [t.members]\n    submit_to: {submit_to}\n    copy_to: {copy_to}\n    due:\n      type: one_off")
    with store.transaction() as session:
        sync_catalogue(session, load_catalogue(mini_dir))
    run_watch(store, D(2020, 11, 9))
    dispatch(store, morning(D(2020, 11, 9)), Channels(PooledSmtpSender(sink.url())))


def test_each_unit_sends_to_its_own_superior_with_a_copy_named_and_copied(store, mini_dir, sink):
    """"Gửi về cơ quan quản lý cấp trên, đồng gửi Trưởng Ban": each reminder names the unit's
    own managing body and the copy; the copy's address is in Cc and it is listed under "Nơi
    nhận"; it gets no reminder of its own and nothing is called a channel."""
    _recipients_plan(store, mini_dir, sink, "superior", "[{position: Trưởng Ban, unit: t.committee}]")
    by_to = {m["To"]: m for m in sink.messages}
    assert set(by_to) == {"alpha@units.example", "beta@units.example"}  # the copy is reminded of nothing
    alpha, beta = (m.get_body(("plain",)).get_content() for m in (by_to["alpha@units.example"], by_to["beta@units.example"]))
    assert "Gửi về: Ban Chỉ đạo thử nghiệm; đồng gửi: Trưởng Ban" in alpha
    assert "Gửi về: Văn phòng Thường trực; đồng gửi: Trưởng Ban" in beta
    for message, text in ((by_to["alpha@units.example"], alpha), (by_to["beta@units.example"], beta)):
        assert "head@committee.example" in message["Cc"]
        assert "Nơi nhận:\n- Như trên;\n- Trưởng Ban (đồng gửi);\n" in text and "- head@committee.example" not in text
        assert "qua đồng gửi" not in text
    html = by_to["alpha@units.example"].get_body(("html",)).get_content()
    assert "Đồng gửi: Trưởng Ban" in html and "- Trưởng Ban (đồng gửi);" in html


def test_a_request_made_from_an_obligation_keeps_its_receivers_and_copies(store, mini_dir, sink):
    """A request made from the plan's "báo cáo đột xuất" goes, like it, to each unit's superior
    with a copy."""
    from .test_loader import edit

    edit(mini_dir / "plan.yaml", "    groups: [t.members]\n    due: {type: adhoc",
         "    groups: [t.members]\n    submit_to: superior\n    copy_to: [{position: Trưởng Ban, unit: t.committee}]\n    due: {type: adhoc")
    _recipients_plan(store, mini_dir, sink, "t.office", "[]")
    with store.transaction() as session:
        request_adhoc(session, "t-plan", ["t.beta"], vn(2020, 11, 10, 9), "Báo cáo nhanh", 5, template="dot-xuat")
    run_watch(store, D(2020, 11, 11))
    dispatch(store, morning(D(2020, 11, 11)), Channels(PooledSmtpSender(sink.url())))
    beta = [m for m in sink.messages if m["To"] == "beta@units.example"][-1].get_body(("plain",)).get_content()
    assert "Báo cáo nhanh" in beta and beta.count("Gửi về: Văn phòng Thường trực; đồng gửi: Trưởng Ban") >= 1


def test_a_receiver_given_as_a_position_is_named_so(store, mini_dir, sink):
    """{position: "Trưởng Ban", unit: t.committee}: the reminder says to report to the
    position, while the units' notices still go to their own addresses."""
    _recipients_plan(store, mini_dir, sink, "{position: Trưởng Ban, unit: t.committee}", "[t.office]")
    alpha = next(m for m in sink.messages if m["To"] == "alpha@units.example")
    text = alpha.get_body(("plain",)).get_content()
    assert "Gửi về: Trưởng Ban; đồng gửi: Văn phòng Thường trực" in text
    assert "office@committee.example" in alpha["Cc"] and "alpha.cc@units.example" in alpha["Cc"]
    assert "- alpha.cc@units.example;" in text  # the unit's own Cc is listed as before


def test_an_escalation_to_a_head_named_as_a_position_is_addressed_to_the_position(store, mini_dir, sink):
    """coordination: {head: {position: Trưởng Ban, unit: t.committee}}: the level-2 letter says
    "Kính gửi: Trưởng Ban" and goes to the committee's address; the office keeps its name."""
    from plantrack.loader import load_catalogue
    from plantrack.store.sync import sync_catalogue

    from .test_loader import edit

    edit(mini_dir / "plan.yaml", "  issued_on: 2020-11-05\n",
         "  issued_on: 2020-11-05\n  coordination: {office: t.office, head: {position: Trưởng Ban, unit: t.committee}}\n")
    with store.transaction() as session:
        sync_catalogue(session, load_catalogue(mini_dir))
    for day in (D(2020, 11, 23), D(2020, 11, 30)):  # level 1, then level 2
        run_watch(store, day)
        dispatch(store, morning(day), Channels(PooledSmtpSender(sink.url())))
    by_to = {m["To"]: m.get_body(("plain",)).get_content() for m in sink.messages}
    assert "Kính gửi: Trưởng Ban.\n" in by_to["head@committee.example"]
    assert "Đề nghị Trưởng Ban chỉ đạo, đôn đốc" in by_to["head@committee.example"]
    assert "Kính gửi: Văn phòng Thường trực.\n" in by_to["office@committee.example"]
    from notifications.report_mail import report_text
    from plantrack.progress import compile_report, report_recipients

    with store.session() as session:  # the progress report, too, is addressed to the position
        recipients = report_recipients(session, "t-plan")
        text = report_text(compile_report(session, "t-plan", morning(D(2020, 11, 30))), recipients)
    assert "Kính gửi: Trưởng Ban; Văn phòng Thường trực.\n" in text


def test_the_superior_is_the_body_that_holds_the_parent_on_the_deadline(store, mini_dir, sink):
    """Beta's office ends on 10/11/2020 and a new one takes over: the reminder of 09/11 for a
    report due on 16/11 sends it to the body that will receive it that day."""
    from .test_loader import NEW_OFFICE, edit

    registry = mini_dir / "registry.yaml"
    edit(registry, "    name: Văn phòng Thường trực\n", "    name: Văn phòng Thường trực\n    valid_until: 2020-11-10\n    successor: t.office-2\n")
    edit(registry, "\ngroups:", "\n" + NEW_OFFICE)
    _recipients_plan(store, mini_dir, sink, "superior", "[]")
    beta = next(m for m in sink.messages if m["To"] == "beta@units.example").get_body(("plain",)).get_content()
    assert "Gửi về: Văn phòng Thường trực (mới)\n" in beta and "đồng gửi" not in beta
