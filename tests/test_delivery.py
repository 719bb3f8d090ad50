"""Delivery outcomes under faults, against a real SMTP server (aiosmtpd) that answers as told.

Each test here failed on the code of 23/11/2026: a refused To recorded as sent, a 554
retried for ever, a slow DATA reply sent twice, a lease outlived, a whole batch re-sent
after a crash, counts in digest lines.
"""

import datetime as dt
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import update

from notifications.channels import REGISTRY, Channels, PooledSmtpSender
from notifications.dispatch import dispatch
from notifications.sink import SmtpSink
from plantrack.errors import PlantrackError
from plantrack.outbox import release
from plantrack.settings import DeliverySettings
from plantrack.states import NoticeState
from plantrack.store.models import Notice, Unit
from plantrack.tracking import request_adhoc

from .conftest import vn
from .test_notices import D, morning, notices, run_watch

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def sink():
    with SmtpSink() as running:
        yield running


def smtp(sink, **settings) -> Channels:
    return Channels(PooledSmtpSender(sink.url(), DeliverySettings(**settings)))


def delivered_ids(sink) -> list[int]:
    return sorted(int(i) for m in sink.messages for i in m["X-Plantrack-Notices"].split(","))


def only_sqlite(store):
    if store.engine.dialect.name != "sqlite":
        pytest.skip("the SMTP exchange does not depend on the database; timed once, on SQLite")


def test_a_refused_to_address_is_not_sent_to_the_cc_and_is_undeliverable_at_once(synced, sink):
    run_watch(synced, D(2020, 11, 9))
    sink.rcpt_answers["alpha@units.example"] = "550 5.1.1 <alpha@units.example>: no such user"
    report = dispatch(synced, morning(D(2020, 11, 9)), smtp(sink))
    assert (report.messages_sent, report.messages_undeliverable, report.notices_undeliverable) == (1, 1, 1)
    assert not report.healthy
    assert [m["To"] for m in sink.messages] == ["beta@units.example"]  # alpha's Cc got nothing either
    (alpha,) = notices(synced, recipient_id="t.alpha")
    assert alpha.state == NoticeState.UNDELIVERABLE and alpha.sent_at is None
    assert "alpha@units.example: 550 5.1.1" in alpha.result
    # Its coordinating office is told the next morning, in a digest of its own.
    (alert,) = notices(synced, recipient_id="t.office")
    assert alert.stage == f"undeliverable-{alpha.id}" and alert.state == NoticeState.PENDING
    assert alert.next_attempt_at == morning(D(2020, 11, 10)) - dt.timedelta(minutes=30)
    assert dispatch(synced, morning(D(2020, 11, 9)) + dt.timedelta(hours=2), smtp(sink)).messages_sent == 0
    later = dispatch(synced, morning(D(2020, 11, 10)), smtp(sink))
    assert later.messages_sent == 1 and later.healthy
    office = next(m for m in sink.messages if m["To"] == "office@committee.example")
    assert office["Subject"].startswith("Thư không gửi được: 1 thông báo về Kế hoạch số 1/KH-TEST")
    text = office.get_body(("plain",)).get_content()
    assert "Gửi tới: Sở Alpha" in text and "no such user" in text and "plantrack retry --unit" in text


def test_a_refused_cc_is_kept_in_the_proof_and_the_notice_counts_as_delivered(synced, sink):
    run_watch(synced, D(2020, 11, 9))
    sink.rcpt_answers["alpha.cc@units.example"] = "550 5.1.1 mailbox unavailable"
    report = dispatch(synced, morning(D(2020, 11, 9)), smtp(sink))
    assert report.messages_sent == 2 and report.healthy
    assert report.refused == ["t.alpha: alpha.cc@units.example (550 5.1.1 mailbox unavailable)"]
    (alpha,) = notices(synced, recipient_id="t.alpha")
    assert alpha.state == NoticeState.SENT and alpha.address == "email To: alpha@units.example"
    assert "refused: alpha.cc@units.example: 550 5.1.1" in alpha.result


def test_a_temporary_refusal_of_the_to_address_backs_off(synced, sink):
    run_watch(synced, D(2020, 11, 9))
    sink.rcpt_answers["alpha@units.example"] = "450 4.2.1 mailbox busy"
    report = dispatch(synced, morning(D(2020, 11, 9)), smtp(sink))
    assert (report.messages_sent, report.messages_failed, report.messages_undeliverable) == (1, 1, 0)
    assert not report.healthy  # one went, one will be tried again: not green
    (alpha,) = notices(synced, recipient_id="t.alpha")
    assert alpha.state == NoticeState.PENDING and alpha.first_failed_at is not None


def test_a_run_that_sends_some_and_fails_others_exits_1_and_fails_the_flow(synced, sink, monkeypatch):
    """Partly delivered is not green: `plantrack dispatch` exits 1 and the flow raises after its
    artifact; once every message goes, exit 0 and no failure."""
    from typer.testing import CliRunner

    from flows.notices import DeliveryFailed, fail_unless_delivered
    from plantrack.cli import app

    run_watch(synced, D(2020, 11, 9))
    monkeypatch.setenv("PLANTRACK_SMTP_URL", sink.url())
    sink.rcpt_answers["alpha@units.example"] = "450 4.2.1 mailbox busy"
    at = morning(D(2020, 11, 9))
    result = CliRunner().invoke(app, ["dispatch", "--as-of", at.isoformat(), "--db", synced.url])
    assert result.exit_code == 1, result.output
    assert "Đã gửi 1 thư" in result.output and "lỗi tạm thời 1 thư" in result.output
    (alpha,) = notices(synced, recipient_id="t.alpha")
    assert alpha.state == NoticeState.PENDING
    del sink.rcpt_answers["alpha@units.example"]
    retried = dispatch(synced, alpha.next_attempt_at, smtp(sink))
    assert retried.messages_sent == 1 and retried.healthy
    fail_unless_delivered({"healthy": retried.healthy, "summary": retried.summary()})
    run_watch(synced, D(2020, 11, 12))
    sink.rcpt_answers["alpha@units.example"] = "450 4.2.1 mailbox busy"
    mixed = dispatch(synced, morning(D(2020, 11, 12)), smtp(sink))
    assert (mixed.messages_sent, mixed.messages_failed) == (1, 1) and not mixed.healthy
    with pytest.raises(DeliveryFailed, match="1 message\\(s\\) failed and 1 sent"):
        fail_unless_delivered({"healthy": mixed.healthy, "summary": mixed.summary()})
    del sink.rcpt_answers["alpha@units.example"]
    result = CliRunner().invoke(app, ["dispatch", "--as-of", mixed.next_retry_at.isoformat(), "--db", synced.url])
    assert result.exit_code == 0 and "Đã gửi 1 thư" in result.output, result.output


def test_sent_at_is_when_the_server_accepted_the_message(synced, sink, monkeypatch):
    """Under load the store answers slowly before the dispatch starts (here `retry`'s release)
    and the server answers DATA slowly: `sent_at` is the real time read after the server's
    answer, not the run's start plus the dispatch's own time."""
    from contextlib import contextmanager

    from typer.testing import CliRunner

    import plantrack.cli.delivery as commands
    from plantrack.cli import app
    from plantrack.store.database import Store

    class SlowStore(Store):  # the first transaction waits for the database, as on a loaded server
        waited = False

        @contextmanager
        def transaction(self):
            if not SlowStore.waited:
                SlowStore.waited = True
                time.sleep(1.0)
            with super().transaction() as session:
                yield session

    run_watch(synced, D(2020, 11, 9))
    monkeypatch.setenv("PLANTRACK_SMTP_URL", sink.url())
    monkeypatch.setattr(commands, "Store", SlowStore)
    sink.data_delay = 0.5
    before = dt.datetime.now(dt.timezone.utc)
    result = CliRunner().invoke(app, ["retry", "--db", synced.url])
    assert result.exit_code == 0, result.output
    sent = sorted(n.sent_at for n in notices(synced) if n.state == NoticeState.SENT)
    assert len(sent) == len(sink.accepted_at) == 2
    for sent_at, accepted_at in zip(sent, sorted(sink.accepted_at)):
        assert accepted_at <= sent_at < accepted_at + dt.timedelta(seconds=0.5), (sent_at, accepted_at)
    assert sent[0] >= before + dt.timedelta(seconds=1.5)


def test_a_554_is_tried_three_times_then_undeliverable(synced, sink):
    run_watch(synced, D(2020, 11, 9))
    sink.data_answer = "554 5.7.1 message rejected by policy"
    at = morning(D(2020, 11, 9))
    for tries in range(1, 4):
        report = dispatch(synced, at, smtp(sink))
        if tries < 3:
            assert {n.state for n in notices(synced)} == {"pending"} and report.messages_failed == 2
            at = report.next_retry_at + dt.timedelta(seconds=1)
    states = [{n.state for n in notices(synced, level=0)}]
    assert states == [{"undeliverable"}]
    assert report.messages_undeliverable == 2 and not report.healthy
    assert all(n.attempts == 3 and "554 5.7.1" in n.result for n in notices(synced, state="undeliverable"))
    assert sink.count == 0


def test_temporary_failures_give_up_after_days(synced, sink):
    run_watch(synced, D(2020, 11, 9))
    sink.refusing = True  # 451 at DATA, for ever
    first = dispatch(synced, morning(D(2020, 11, 9)), smtp(sink))
    assert first.messages_failed == 2 and first.messages_undeliverable == 0
    four_days = dispatch(synced, morning(D(2020, 11, 13)), smtp(sink))
    assert four_days.messages_failed == 2 and four_days.messages_undeliverable == 0
    six_days = dispatch(synced, morning(D(2020, 11, 15)), smtp(sink))
    assert six_days.messages_undeliverable == 2 and {n.state for n in notices(synced, level=0)} == {"undeliverable"}


def test_a_run_of_nothing_but_failures_is_not_healthy(synced):
    run_watch(synced, D(2020, 11, 9))
    down = SmtpSink().start()
    port = down.port
    down.stop()
    sender = PooledSmtpSender(f"mailto://127.0.0.1:{port}/?from=plantrack@localhost&mode=insecure")
    report = dispatch(synced, morning(D(2020, 11, 9)), Channels(sender))
    assert report.messages_failed == 2 and not report.healthy


def test_a_server_that_never_greets_stops_the_run_after_three_connections(synced):
    """A server that accepts connections and never says 220 costs a timeout per message: after
    3 in a row the run stops; the others stay pending, backed off, with the reason."""
    import socket

    from plantrack.outbox import backoff

    expected = _many_units(synced, 6)  # 8 messages
    with socket.socket() as silent:  # the kernel completes the handshake; nobody ever answers
        silent.bind(("127.0.0.1", 0))
        silent.listen(64)
        port = silent.getsockname()[1]
        sender = PooledSmtpSender(f"mailto://127.0.0.1:{port}/?from=plantrack@localhost&mode=insecure&cto=0.5")
        at = morning(D(2020, 11, 9))
        started = time.monotonic()
        report = dispatch(synced, at, Channels(sender), threads=1)
        took = time.monotonic() - started
    assert report.stopped and "3 connections" in report.stopped and not report.healthy
    assert took < 3.5, took  # three timeouts of 0.5 s, not eight
    assert report.messages_failed == 8 and report.messages_sent == report.messages_undeliverable == 0
    stored = notices(synced)
    assert {n.id for n in stored} == expected and {n.state for n in stored} == {"pending"}
    untried = [n for n in stored if n.result.startswith("not tried: 3 connections to the server failed in a row")]
    assert len(untried) == 5 and all("cannot connect" in n.result for n in untried)
    assert all(at + backoff(1) <= n.next_attempt_at < at + backoff(1) + dt.timedelta(seconds=10) for n in stored)


def test_a_slow_final_reply_to_data_is_waited_for_not_sent_twice(synced, sink):
    """RFC 5321 gives the server 10 minutes after the final dot; the old client gave up at
    15 s and sent again on a new connection."""
    only_sqlite(synced)
    run_watch(synced, D(2020, 11, 9))
    sink.data_delay = 20
    report = dispatch(synced, morning(D(2020, 11, 9)), smtp(sink), threads=2)
    assert report.messages_sent == 2 and sink.count == 2
    assert {n.state for n in notices(synced)} == {"sent"}


def test_no_answer_after_data_is_unknown_not_resent_at_once_and_keeps_its_message_id(synced, sink):
    only_sqlite(synced)
    run_watch(synced, D(2020, 11, 9))
    sink.data_delay = 3
    at = morning(D(2020, 11, 9))
    report = dispatch(synced, at, smtp(sink, data_timeout_s=1), threads=1)
    assert (report.messages_sent, report.messages_failed, report.messages_unknown) == (0, 2, 2)
    time.sleep(3)  # the sink keeps both messages once its delay is over
    assert sink.count == 2
    first_ids = sorted(m["Message-ID"] for m in sink.messages)
    assert {n.state for n in notices(synced)} == {"pending"}
    assert dispatch(synced, at + dt.timedelta(minutes=1), smtp(sink, data_timeout_s=1)).messages_failed == 0  # backing off
    sink.data_delay = 0
    later = dispatch(synced, report.next_retry_at + dt.timedelta(minutes=1), smtp(sink))
    assert later.messages_sent == 2
    assert sorted(m["Message-ID"] for m in sink.messages[2:]) == first_ids


def _many_units(store, count: int) -> set[int]:
    with store.transaction() as session:
        session.add_all(
            Unit(id=f"t.extra{i:02d}", registry_id="mini", name=f"Đơn vị {i}", kind="department", escalates_to_id="t.office",
                 contacts={"to": [f"extra{i}@units.example"]})
            for i in range(count)
        )
        request_adhoc(session, "t-plan", [f"t.extra{i:02d}" for i in range(count)], vn(2020, 11, 2, 9), "Báo cáo nhanh", 5)
    run_watch(store, D(2020, 11, 9))
    return {n.id for n in notices(store)}


def test_a_run_that_outlives_its_lease_keeps_it(synced, sink):
    """The lease is renewed while a run works: a second dispatcher starting after the first
    lease would have run out takes nothing that is in flight."""
    only_sqlite(synced)
    expected = _many_units(synced, 6)
    sink.data_delay = 0.5  # 8 messages, one at a time: 4 s, against a lease of 1.2 s
    now = morning(D(2020, 11, 9))
    lease = dt.timedelta(seconds=1.2)
    first = threading.Thread(target=dispatch, args=(synced, now, smtp(sink)), kwargs=dict(threads=1, lease=lease, worker="slow"))
    first.start()
    time.sleep(2)
    second = dispatch(synced, now + dt.timedelta(seconds=2), smtp(sink), threads=1, lease=lease, worker="second")
    first.join()
    assert second.messages_sent == 0
    assert delivered_ids(sink) == sorted(expected)  # each once


def test_a_dispatcher_told_a_later_as_of_takes_nothing_another_is_sending(synced, sink):
    """Leases are measured on the database's clock: a second dispatcher whose --as-of is 11
    minutes ahead of the first's (past the first's lease on the as-of clock) takes none of the
    rows the first is still sending, on a slow server."""
    run_watch(synced, D(2020, 11, 9))
    expected = {n.id for n in notices(synced)}
    sink.data_delay = 1.5
    now = morning(D(2020, 11, 9))
    first = threading.Thread(target=dispatch, args=(synced, now, smtp(sink)), kwargs=dict(threads=2, worker="first"))
    first.start()
    time.sleep(0.5)  # the first holds both digests and waits on the server
    ahead = dispatch(synced, now + dt.timedelta(minutes=11), smtp(sink), threads=2, worker="ahead")
    first.join()
    assert ahead.messages_sent == 0
    assert delivered_ids(sink) == sorted(expected)  # each notice once
    assert {n.claimed_by for n in notices(synced)} == {"first"}


def test_each_message_is_recorded_as_it_is_accepted(synced, sink):
    """Killing a dispatcher inside a batch repeats at most the message in flight per kill
    (one sending thread), and loses nothing: a few SIGKILLs at random points of real runs."""
    expected = _many_units(synced, 30)
    url = synced.engine.url.render_as_string(hide_password=False)
    sink.data_delay = 0.02
    environment = {**os.environ, "PLANTRACK_SMTP_URL": sink.url(), "PYTHONPATH": str(ROOT)}
    command = [sys.executable, "-m", "plantrack.cli", "dispatch", "--threads", "1", "--db", url,
               "--as-of", "2020-11-09T07:30:00+07:00"]
    kills = 0
    for kill_at in (3, 11, 20):
        process = subprocess.Popen(command, env=environment, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        deadline = time.monotonic() + 60
        while sink.count < kill_at and process.poll() is None and time.monotonic() < deadline:
            time.sleep(0.002)
        if process.poll() is None:
            process.send_signal(signal.SIGKILL)
            kills += 1
        process.wait()
        with synced.transaction() as session:  # the lease of the killed run would run out 10 minutes later
            session.execute(update(Notice).where(Notice.state == "pending").values(lease_until=None))
    finished = subprocess.run(command, env=environment, cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert finished.returncode == 0, finished.stderr
    received = delivered_ids(sink)
    assert set(received) == expected  # nothing lost
    repeats = len(received) - len(set(received))
    assert kills >= 2 and repeats <= kills, (kills, repeats)
    assert {n.state for n in notices(synced)} == {"sent"}


def test_counts_are_notices_not_digest_lines(synced, sink):
    run_watch(synced, D(2020, 11, 9))  # reminder-5, left pending (the dispatcher was down)
    run_watch(synced, D(2020, 11, 12))  # reminder-2 of the same occurrences
    report = dispatch(synced, morning(D(2020, 11, 12)), smtp(sink))
    assert (report.messages_sent, report.notices_sent) == (2, 4)


def test_retry_releases_undeliverable_notices_without_touching_recorded_times(synced, sink):
    run_watch(synced, D(2020, 11, 9))
    sink.rcpt_answers["alpha@units.example"] = "550 5.1.1 no such user"
    dispatch(synced, morning(D(2020, 11, 9)), smtp(sink))
    (before,) = notices(synced, recipient_id="t.alpha")
    del sink.rcpt_answers["alpha@units.example"]
    later = morning(D(2020, 11, 9)) + dt.timedelta(hours=1)
    with synced.transaction() as session:
        assert release(session, later, unit_id="t.alpha") == 1
    (released,) = notices(synced, recipient_id="t.alpha")
    assert (released.state, released.created_at, released.first_failed_at) == ("pending", before.created_at, None)
    report = dispatch(synced, later, smtp(sink))
    assert report.messages_sent == 1
    (after,) = notices(synced, recipient_id="t.alpha")
    assert after.state == "sent" and later <= after.sent_at < later + dt.timedelta(seconds=30)
    # The office's alert about it, due the next morning, has lost its point.
    morning_after = dispatch(synced, morning(D(2020, 11, 10)), smtp(sink))
    assert (morning_after.messages_sent, morning_after.notices_cancelled) == (0, 1)
    assert not [m for m in sink.messages if m["To"] == "office@committee.example"]


def test_an_undeliverable_warning_is_retired_once_retry_delivers_its_notice(synced, sink, monkeypatch):
    """The unit's address and then the office's are refused: the reminder and the warning about
    it are both undeliverable. Once `plantrack retry` delivers the reminder, the warning is
    cancelled with the reason, not left undeliverable."""
    from typer.testing import CliRunner

    from plantrack.cli import app

    run_watch(synced, D(2020, 11, 9))
    sink.rcpt_answers["alpha@units.example"] = "550 5.1.1 no such user"
    dispatch(synced, morning(D(2020, 11, 9)), smtp(sink))
    sink.rcpt_answers["office@committee.example"] = "550 5.1.1 no such user"
    dispatch(synced, morning(D(2020, 11, 10)), smtp(sink))
    (alpha,) = notices(synced, recipient_id="t.alpha")
    (warning,) = notices(synced, recipient_id="t.office")
    assert (alpha.state, warning.state, warning.stage) == ("undeliverable", "undeliverable", f"undeliverable-{alpha.id}")
    sink.rcpt_answers.clear()
    monkeypatch.setenv("PLANTRACK_SMTP_URL", sink.url())
    result = CliRunner().invoke(app, ["retry", "--db", synced.url])
    assert result.exit_code == 0, result.output
    (alpha,) = notices(synced, recipient_id="t.alpha")
    (warning,) = notices(synced, recipient_id="t.office")
    assert alpha.state == "sent"
    assert warning.state == "cancelled" and warning.result.startswith("retired: the notice it reported was sent")
    assert not [m for m in sink.messages if m["To"] == "office@committee.example"]


def test_when_the_mail_server_refuses_everything_the_warning_goes_to_the_alert_url(synced, sink, webhook, monkeypatch):
    """Every address refused: the reminders are given up, and the next morning the warning to
    the office is given up too. Each run posts its warning on PLANTRACK_ALERT_URL (a webhook
    here), which does not go through the mail server."""
    from typer.testing import CliRunner

    from plantrack.cli import app

    hook_url, received = webhook
    for address in ("alpha@units.example", "beta@units.example", "office@committee.example"):
        sink.rcpt_answers[address] = "550 5.7.1 relaying denied"
    monkeypatch.setenv("PLANTRACK_SMTP_URL", sink.url())
    monkeypatch.setenv("PLANTRACK_ALERT_URL", hook_url)
    run_watch(synced, D(2020, 11, 9))
    first = CliRunner().invoke(app, ["dispatch", "--as-of", morning(D(2020, 11, 9)).isoformat(), "--db", synced.url])
    run_watch(synced, D(2020, 11, 10))
    second = CliRunner().invoke(app, ["dispatch", "--as-of", morning(D(2020, 11, 10)).isoformat(), "--db", synced.url])
    assert first.exit_code == second.exit_code == 1
    assert sink.count == 0 and "cảnh báo qua PLANTRACK_ALERT_URL: đã gửi" in second.output
    (reminders, warnings) = received
    assert reminders["title"] == "Thư không gửi được: 2 thông báo"
    assert "t.alpha [email]" in reminders["message"] and "t.beta [email]" in reminders["message"]
    assert warnings["title"].startswith("Thư không gửi được:") and "t.office [email]" in warnings["message"]
    assert "550 5.7.1 relaying denied" in warnings["message"]
    assert {n.state for n in notices(synced, recipient_id="t.office")} == {"undeliverable"}


def test_staging_refuses_a_remote_server_unless_mail_is_redirected(sink):
    remote = "mailto://smtp.example.org:587/?from=plantrack@example.org&mode=starttls"
    with pytest.raises(PlantrackError, match="PLANTRACK_MAIL_REDIRECT"):
        PooledSmtpSender(remote, DeliverySettings())
    PooledSmtpSender(remote, DeliverySettings(redirect_to="me@example.org"))  # no connection is made yet
    PooledSmtpSender(remote, DeliverySettings(environment="production"))


def test_a_redirect_sends_every_message_to_one_address(synced, sink):
    run_watch(synced, D(2020, 11, 9))
    report = dispatch(synced, morning(D(2020, 11, 9)), smtp(sink, redirect_to="tester@staging.example"))
    assert report.messages_sent == 2
    assert sink.envelopes == [["tester@staging.example"]] * 2
    alpha = next(m for m in sink.messages if m["X-Plantrack-Original-To"] == "alpha@units.example")
    assert alpha["To"] == "tester@staging.example" and alpha["X-Plantrack-Original-Cc"] == "alpha.cc@units.example"
    assert alpha["Subject"].startswith("[THỬ NGHIỆM] V/v đôn đốc")


def test_the_settings_refuse_bad_values():
    with pytest.raises(PlantrackError, match="PLANTRACK_SMTP_DATA_TIMEOUT"):
        DeliverySettings.from_environment({"PLANTRACK_SMTP_DATA_TIMEOUT": "ten"})
    with pytest.raises(PlantrackError, match="PLANTRACK_MAIL_REDIRECT"):
        DeliverySettings.from_environment({"PLANTRACK_MAIL_REDIRECT": "a@x.org, b@y.org"})
    settings = DeliverySettings.from_environment({"PLANTRACK_ENVIRONMENT": "Production"})
    assert settings.production and settings.data_timeout_s == 600


def test_every_channel_module_registers_its_channel():
    import importlib
    import pkgutil

    import notifications.channels as package

    modules = [m.name for m in pkgutil.iter_modules(package.__path__) if m.name != "base"]
    registered = {cls.__module__.rsplit(".", 1)[1] for cls in REGISTRY.values()}
    for name in modules:
        importlib.import_module(f"notifications.channels.{name}")
    assert set(modules) == registered == {"email", "urls", "stub"}
    assert set(REGISTRY) == {"smtp", "apprise-email", "apprise", "stub"}
    assert all(hasattr(cls, "send") and hasattr(cls, "close") and isinstance(cls.simulated, bool) for cls in REGISTRY.values())


def test_two_first_uses_of_a_new_store_do_not_race_on_the_migration(tmp_path):
    """Both 07:30 flows open a store nobody has opened: one migrates, the others wait."""
    from sqlalchemy import create_engine, text

    from plantrack.store.database import engine_url

    admin_url = os.environ.get("PLANTRACK_TEST_POSTGRES_URL")
    admin = create_engine(engine_url(admin_url), isolation_level="AUTOCOMMIT") if admin_url else None
    # SQLite's switch to WAL on a new file refused at once under load (1 round in 30 with 3
    # processes on a busy machine): more rounds and processes than PostgreSQL gets.
    urls = [f"sqlite:///{tmp_path}/fresh{round_}.db" for round_ in range(6)]
    if admin is not None:
        for round_ in range(3):
            with admin.connect() as connection:
                connection.execute(text(f"DROP DATABASE IF EXISTS plantrack_first_use_{round_}"))
                connection.execute(text(f"CREATE DATABASE plantrack_first_use_{round_}"))
            urls.append(admin_url.rsplit("/", 1)[0] + f"/plantrack_first_use_{round_}")
    try:
        for url in urls:
            processes = [
                subprocess.Popen([sys.executable, "-m", "plantrack.cli", "notices", "--limit", "1", "--db", url], cwd=ROOT,
                                 env={**os.environ, "PYTHONPATH": str(ROOT)}, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                 text=True)
                for _ in range(4 if url.startswith("sqlite") else 3)
            ]
            results = [(p.wait(timeout=120), p.stderr.read()) for p in processes]
            assert all(code == 0 for code, _ in results), (url, results)
    finally:
        if admin is not None:
            with admin.connect() as connection:
                for round_ in range(3):
                    connection.execute(text(f"DROP DATABASE IF EXISTS plantrack_first_use_{round_} WITH (FORCE)"))
            admin.dispose()
