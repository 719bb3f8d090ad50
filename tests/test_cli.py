"""The command line, end to end, on SQLite and PostgreSQL."""

import datetime as dt
import os
import subprocess
import sys

import icalendar
import pytest
from sqlalchemy import func, select, text
from typer.testing import CliRunner

from plantrack.cli import app
from plantrack.store.models import Extension, Notice, Obligation, Submission
from plantrack.tracking import Status, count_statuses, status_rows

from .conftest import DEFINITIONS, ROOT, vn
from .test_loader import edit

SCENARIO = ROOT / "scenarios" / "hanoi-1030-demo.yaml"


def run(*args, expect=0):
    result = CliRunner().invoke(app, [str(a) for a in args])
    assert result.exit_code == expect, (result.exit_code, result.output, result.exception)
    return result


@pytest.fixture
def demo(store):
    run("sync", DEFINITIONS, "--db", store.url)
    run("scenario", SCENARIO, "--db", store.url)
    return store


def test_hanoi_plan_as_of_20_11_2020_shows_who_sent_their_plan(demo):
    result = run("status", "--plan", "03/KH-BCĐ389", "--obligation", "ke-hoach-trien-khai",
                 "--as-of", "2020-11-20", "--lang", "en", "--db", demo.url)
    lines = result.output.splitlines()

    def status_of(unit_name):
        (line,) = [row for row in lines if f" {unit_name} " in row and "│" in row]
        return line

    assert "done on time" in status_of("Công an TP")
    assert "done late" in status_of("BCĐ389 huyện Mê Linh")  # sent 17/11
    assert "overdue" in status_of("BCĐ389 huyện Mỹ Đức")  # never sent
    assert "overdue" in status_of("BCĐ389 huyện Ứng Hòa")  # sends on 24/11, after the as-of date
    ba_vi = status_of("BCĐ389 huyện Ba Vì")
    assert "in progress" in ba_vi and "23/11/2020 (ext. from 16/11/2020)" in ba_vi
    with demo.session() as session:
        rows = [r for r in status_rows(session, vn(2020, 11, 20, 23, 59), plan="hn-kh-03")
                if r.obligation_key == "ke-hoach-trien-khai"]
    counts = count_statuses(rows)
    assert len(rows) == 43
    assert (counts[Status.ON_TIME], counts[Status.LATE], counts[Status.OVERDUE], counts[Status.IN_PROGRESS]) == (34, 4, 4, 1)
    # On-time rate: 34 on time of the 42 that fell due (Ba Vì's extended deadline has not passed).
    assert "81%" in result.output


def test_vietnamese_output_has_diacritics(demo):
    result = run("status", "--plan", "hn-cv-1030", "--as-of", "20/11/2020", "--summary", "--db", demo.url)
    assert "Hoàn thành đúng hạn" in result.output and "Quá hạn" in result.output
    assert "Tình hình thực hiện đến hết ngày 20/11/2020" in result.output


def test_sync_twice_changes_nothing(store):
    first = run("sync", DEFINITIONS, "--db", store.url)
    assert "occurrence" in first.output and "3968" in first.output
    second = run("sync", DEFINITIONS, "--db", store.url)
    assert "nothing changed" in second.output


def test_validate_names_file_line_and_field_and_exits_2(mini_dir):
    edit(mini_dir / "plan.yaml", "    submit_to: t.office\n    due:\n      type: one_off", "    submit_to: t.ofice\n    due:\n      type: one_off")
    result = run("validate", mini_dir, expect=2)
    assert f"{mini_dir / 'plan.yaml'}:" in result.output
    assert "obligations[0].submit_to: unknown unit id 't.ofice'" in result.output
    assert "nothing was loaded" in result.output


def test_submit_extend_explain_request(store, mini_dir):
    run("sync", mini_dir, "--db", store.url)
    target = ["--plan", "t-plan", "--obligation", "ke-hoach", "--db", store.url]
    result = run("submit", *target, "--unit", "t.alpha", "--number", "5/KH-ALPHA", "--date", "2020-11-17",
                 "--document-date", "2020-11-16", "--link", "https://example.org/5")
    assert "late (deadline 16/11/2020)" in result.output
    result = run("extend", *target, "--unit", "t.beta", "--new-date", "21/11/2020", "--reason", "Chờ số liệu",
                 "--approver", "Chánh Văn phòng", "--at", "2020-11-16T10:00")
    assert "16/11/2020 → 23/11/2020" in result.output  # Saturday 21/11 moves to Monday 23/11
    result = run("explain", *target, "--unit", "t.beta")
    assert "Trước ngày 16/11/2020" in result.output and "Điều 148" in result.output
    assert "Gia hạn" in result.output and "Chờ số liệu" in result.output
    result = run("request", "--plan", "t-plan", "--obligation", "dot-xuat", "--unit", "t.alpha", "--unit", "t.beta",
                 "--working-days", "3", "--at", "2021-02-08T09:00", "--db", store.url)
    assert "from 2 unit(s), due 18/02/2021" in result.output
    with store.session() as session:
        assert session.scalar(select(func.count()).select_from(Submission)) == 1
        assert session.scalar(select(func.count()).select_from(Extension)) == 1
        assert session.scalar(select(func.count()).select_from(Obligation).where(Obligation.origin == "request")) == 1


@pytest.mark.parametrize(
    "args, message",
    [
        (["submit", "--plan", "t-plan", "--obligation", "ke-hoach", "--unit", "t.alpha", "--date", "31/02/2021"], "not a date"),
        (["submit", "--plan", "t-plan", "--obligation", "ke-hoach", "--unit", "t.zeta", "--date", "2020-11-12"], "no occurrence"),
        (["submit", "--plan", "t-plan", "--date", "2020-11-12"], "name the occurrence"),
        (["extend", "--plan", "t-plan", "--obligation", "ke-hoach", "--unit", "t.alpha", "--new-date", "2020-11-10",
          "--reason", "r", "--approver", "a", "--at", "2020-11-09"], "must be after"),
        (["request", "--plan", "kh-000", "--unit", "t.alpha", "--title", "X", "--at", "2021-01-04"], "no plan 'kh-000'"),
        (["status", "--as-of", "yesterday"], "not a date"),
    ],
)
def test_bad_input_gets_a_clear_error_and_writes_nothing(store, mini_dir, args, message):
    run("sync", mini_dir, "--db", store.url)
    result = run(*args, "--db", store.url, expect=2)
    assert message in result.output
    with store.session() as session:
        assert session.scalar(select(func.count()).select_from(Submission)) == 0
        assert session.scalar(select(func.count()).select_from(Extension)) == 0
        assert session.scalar(select(func.count()).select_from(Obligation).where(Obligation.origin == "request")) == 0


def test_calendar_writes_an_ics_file_a_calendar_application_reads(demo, tmp_path):
    path = tmp_path / "ba-vi.ics"
    run("calendar", "--unit", "hn.district.ba-vi", "--output", path, "--as-of", "2020-11-20", "--db", demo.url)
    raw = path.read_bytes()
    assert b"\r\n" in raw and all(len(line) <= 75 for line in raw.split(b"\r\n"))
    parsed = icalendar.Calendar.from_ical(raw)
    events = {str(e["UID"]): e for e in parsed.walk("VEVENT")}
    # Công văn 1030 plan (once) + 6 half-year reports + 3 reviews, all for BCĐ389 huyện Ba Vì.
    assert len(events) == 10
    plan_1030 = [e for e in events.values() if "1030/CQTT-KT-PHLN" in str(e["SUMMARY"])]
    (event,) = plan_1030
    assert event.decoded("DTSTART") == dt.date(2020, 11, 23)  # the extended deadline
    assert "Gửi Kế hoạch tăng cường chống buôn lậu" in str(event["SUMMARY"])
    assert "Đã gia hạn từ 16/11/2020 đến 23/11/2020" in str(event["DESCRIPTION"])
    assert any(c.name == "VALARM" for c in event.subcomponents)


def test_console_script_runs_in_a_fresh_process(tmp_path):
    env = {**os.environ, "PLANTRACK_DATABASE_URL": f"sqlite:///{tmp_path}/x.db"}
    result = subprocess.run(
        [sys.executable, "-m", "plantrack.cli", "validate", str(DEFINITIONS)],
        capture_output=True, text=True, env=env, cwd=tmp_path, timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert "3968 units, 6 plans" in result.stdout


def test_replay_prints_a_timeline_and_sends_through_a_local_sink(store, tmp_path):
    run("sync", DEFINITIONS, "--db", store.url)
    mbox = tmp_path / "mail.mbox"
    result = run("replay", "--from", "2020-11-05", "--to", "2020-11-24", "--scenario", SCENARIO,
                 "--scenario", ROOT / "scenarios" / "habits-2020-2023.yaml", "--mbox", mbox, "--db", store.url)
    assert "Thứ Hai  09/11/2020" in result.output or "Thứ Hai 09/11/2020" in result.output
    assert "nhắc trước hạn 43" in result.output  # reminder-5 of Công văn 1030 to all 43 units
    assert "báo cáo cấp 1 4" in result.output  # 23/11: the four units that never sent their plan
    import mailbox

    messages = list(mailbox.mbox(str(mbox)))
    assert len(messages) > 43
    assert f"Thư hộp thử (SMTP sink) nhận │ {len(messages):>8}".replace(" ", "") in result.output.replace(" ", "")
    again = run("replay", "--from", "2020-11-05", "--to", "2020-11-24", "--db", store.url, expect=2)
    assert "replay into a fresh database" in again.output


def test_a_simulated_replay_records_deliveries_but_sends_nothing(store, tmp_path):
    run("sync", DEFINITIONS, "--db", store.url)
    refused = run("replay", "--from", "2020-11-05", "--to", "2020-11-10", "--simulate", "--mbox", tmp_path / "m.mbox",
                  "--db", store.url, expect=2)
    assert "--simulate sends nothing" in refused.output
    result = run("replay", "--from", "2020-11-05", "--to", "2020-11-10", "--simulate", "--scenario", SCENARIO, "--db", store.url)
    assert "simulated delivery (nothing sent)" in result.output
    assert "SMTP sink" not in result.output
    with store.session() as session:
        results = set(session.scalars(select(Notice.result).where(Notice.state == "sent")))
    assert results == {"simulated: not sent (replay)"}
    sent_line = next(line for line in result.output.splitlines() if "Thư đã gửi (mô phỏng)" in line)
    assert int(sent_line.split("│")[-2]) > 0


def test_report_writes_both_files_and_mails_them_to_the_head_and_office(demo, tmp_path):
    from notifications.sink import SmtpSink

    refused = run("report", "--plan", "03/KH-BCĐ389", "--as-of", "20/11/2020", "--output-dir", tmp_path,
                  "--send", "--db", demo.url, expect=2)
    assert "--send needs an SMTP server" in refused.output
    with SmtpSink() as sink:
        result = run("report", "--plan", "03/KH-BCĐ389", "--as-of", "20/11/2020", "--output-dir", tmp_path,
                     "--send", "--smtp-url", sink.url(), "--db", demo.url)
    assert (tmp_path / "bao-cao-tien-do-hn-kh-03-2020-11-20.xlsx").exists()
    assert "Đã gửi tới Ban Chỉ đạo 389 thành phố Hà Nội" in result.output
    [mail] = sink.messages
    assert mail["Subject"].endswith("(số liệu đến ngày 20/11/2020)")
    assert len(list(mail.iter_attachments())) == 2


def test_dispatch_counts_notices_says_what_waits_and_retry_sends_now(store, monkeypatch):
    """A refused address: dispatch exits 1 and names it (no raw markup); `notices --state
    undeliverable` lists it; `retry` sends it once the address works, stamped with the real time."""
    from notifications.sink import SmtpSink

    run("sync", DEFINITIONS, "--db", store.url)
    run("watch", "--as-of", "2020-11-09", "--db", store.url)  # a bare date: the end of that day, as in the flows
    with store.session() as session:
        created = session.scalars(select(Notice.created_at)).all()
        first = session.scalars(select(Notice).order_by(Notice.id)).first()
        address = first.recipient.contacts["to"][0]
    assert set(created) == {dt.datetime(2020, 11, 9, 16, 59, 59, 999999, tzinfo=dt.timezone.utc)}
    with SmtpSink() as sink:
        monkeypatch.setenv("PLANTRACK_SMTP_URL", sink.url())
        sink.rcpt_answers[address] = "550 5.1.1 no such user"
        result = run("dispatch", "--as-of", "2020-11-09", "--db", store.url, expect=1)
        assert "[yellow]" not in result.output and "[/]" not in result.output
        assert "không gửi được: " in result.output and f"{address}: 550 5.1.1" in result.output
        with store.session() as session:
            undeliverable = session.scalar(select(func.count()).where(Notice.state == "undeliverable"))
            sent = session.scalar(select(func.count()).where(Notice.state == "sent"))
        assert undeliverable >= 1 and f"Đã gửi {sink.count} thư ({sent} thông báo)" in result.output
        listed = run("notices", "--state", "undeliverable", "--db", store.url)
        assert "undeliverable" in listed.output
        run("notices", "--state", "lost", "--db", store.url, expect=2)
        sink.rcpt_answers.clear()
        before = dt.datetime.now(dt.timezone.utc)
        retried = run("retry", "--db", store.url)
        assert f"Đã đưa {undeliverable} thông báo về hàng chờ" in retried.output
    with store.session() as session:
        assert session.scalar(select(func.count()).where(Notice.state == "undeliverable")) == 0
        late = session.scalars(select(Notice.sent_at).where(Notice.attempts == 2)).all()
    assert late and all(before - dt.timedelta(seconds=1) <= t <= dt.datetime.now(dt.timezone.utc) for t in late)


def test_sync_and_the_morning_watch_refresh_the_planners_statistics(store):
    """Without statistics (autovacuum is off on some servers) PostgreSQL scans every notice for
    a unit's page; a sync and each morning's watch analyze the tables they fill."""
    if store.engine.dialect.name != "postgresql":
        pytest.skip("statistics are PostgreSQL's; SQLite's plans are steered in the queries")

    def analyzed() -> int:
        with store.engine.connect() as connection:
            return connection.execute(text(
                "SELECT coalesce(sum(analyze_count + autoanalyze_count), 0) FROM pg_stat_user_tables "
                "WHERE relname IN ('occurrence', 'notice')")).scalar()

    before = analyzed()
    result = CliRunner().invoke(app, ["sync", str(DEFINITIONS), "--db", store.url])
    assert result.exit_code == 0, result.output
    after_sync = analyzed()
    result = CliRunner().invoke(app, ["watch", "--as-of", "2020-11-17", "--db", store.url])
    assert result.exit_code == 0, result.output
    assert before < after_sync < analyzed()
