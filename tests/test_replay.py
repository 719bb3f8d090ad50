"""The replay: habits hand in on their day, the ladder follows, simulated delivery sends nothing."""

import datetime as dt
import gc
import time

from sqlalchemy import select

from notifications.channels import SIMULATED, Channels
from notifications.dispatch import dispatch
from plantrack.calendar import TIMEZONE, WorkCalendar
from plantrack.replay import replay
from plantrack.scenario import Habit, ScenarioFile, ScenarioHeader
from plantrack.store.models import Notice, Obligation, Occurrence, Submission

D = dt.date


def test_habits_hand_in_on_their_working_day_and_the_ladder_stops_there(synced):
    scenario = ScenarioFile(scenario=ScenarioHeader(title="test"), habits=[
        Habit(units=["t.alpha"], obligations=["t-plan/ke-hoach"], submits="on_time", working_days=3),
        Habit(units=["t.beta"], obligations=["t-plan/ke-hoach"], submits="late", working_days=2),
    ])
    days = []
    report = replay(
        synced, D(2020, 11, 5), D(2020, 11, 30), scenario,
        lambda at, directory: dispatch(synced, at, Channels.stub(), directory=directory).summary(), on_day=days.append,
    )
    calendar = WorkCalendar()
    with synced.session() as session:
        rows = session.execute(
            select(Occurrence.unit_id, Occurrence.id, Occurrence.current_due_date, Submission.submitted_at)
            .join(Obligation, Occurrence.obligation_id == Obligation.id)
            .join(Submission, Submission.occurrence_id == Occurrence.id)
            .where(Obligation.key == "ke-hoach")
        ).all()
        handed = {unit: (occurrence_id, due, at) for unit, occurrence_id, due, at in rows}
        sent = session.scalars(select(Notice).where(Notice.state == "sent")).all()

    assert set(handed) == {"t.alpha", "t.beta"} and report.submissions == 2
    _, due, alpha_at = handed["t.alpha"]
    assert alpha_at == dt.datetime.combine(calendar.add_working_days(due, -3), dt.time(9), tzinfo=TIMEZONE)
    _, _, beta_at = handed["t.beta"]
    assert beta_at == dt.datetime.combine(calendar.add_working_days(due, 2), dt.time(9), tzinfo=TIMEZONE)
    # Each day's line counts what the habits handed in before that morning's watch.
    assert sum(day.habit_submissions for day in days) == 2

    by_unit = {}
    for notice in sent:
        unit = next(u for u, (oid, _, _) in handed.items() if oid == notice.occurrence_id)
        by_unit.setdefault(unit, []).append(notice)
        # Notices go out at 07:30; nothing is planned after the day the unit handed in.
        assert notice.planned_on <= handed[unit][2].date()
        assert notice.result == SIMULATED and notice.sent_at is not None
    assert {n.stage for n in by_unit["t.alpha"]} == {"reminder-5"}
    assert {"reminder-5", "reminder-2", "reminder-1", "due", "overdue-1"} <= {n.stage for n in by_unit["t.beta"]}
    assert report.dispatched["messages_sent"] > 0


def test_a_replay_collects_cycles_rarely_and_puts_the_collector_back(synced):
    before = gc.get_threshold()
    seen = []
    replay(synced, D(2020, 11, 5), D(2020, 11, 6), None,
           on_day=lambda day: seen.append((gc.get_threshold(), gc.get_freeze_count() > 0)))
    assert seen and all(threshold[0] > before[0] and frozen for threshold, frozen in seen)
    assert gc.get_threshold() == before and gc.get_freeze_count() == 0


def test_a_replay_with_the_watch_after_nine_counts_that_mornings_habits(synced):
    """Habits hand in at 09:00: a watch at 10:00 already sees that day's submissions."""
    scenario = ScenarioFile(scenario=ScenarioHeader(title="test"), habits=[
        Habit(obligations=["t-plan/ke-hoach"], submits="on_time", working_days=5),
    ])
    days = []
    replay(synced, D(2020, 11, 5), D(2020, 11, 20), scenario, at=dt.time(10), on_day=days.append)
    with synced.session() as session:
        due = session.scalar(
            select(Occurrence.current_due_date).join(Obligation, Occurrence.obligation_id == Obligation.id)
            .where(Obligation.key == "ke-hoach").limit(1)
        )
        assert session.scalar(select(Notice.id).limit(1)) is None  # handed in before any reminder
    handed_on = WorkCalendar().add_working_days(due, -5)
    assert [d.habit_submissions for d in days if d.day == handed_on] == [2]


def test_a_habit_takes_its_share_of_periods_the_same_way_every_time():
    habit = Habit(units=["vn.province.*"], obligations=["kh-399/bao-cao-*"], submits="on_time", share=0.3)
    periods = [f"{year}-{month:02d}" for year in range(1950, 2034) for month in range(1, 13)]
    picked = [p for p in periods if habit.takes("vn.province.ha-noi", "kh-399", "bao-cao-thang", p)]
    assert 0.25 < len(picked) / len(periods) < 0.35
    assert picked == [p for p in periods if habit.takes("vn.province.ha-noi", "kh-399", "bao-cao-thang", p)]
    # Another unit gets its own draw, and patterns that do not fit take nothing.
    assert picked != [p for p in periods if habit.takes("vn.province.hue", "kh-399", "bao-cao-thang", p)]
    assert not any(habit.takes("vn.ministry.x", "kh-399", "bao-cao-thang", p) for p in periods)
    assert not any(habit.takes("vn.province.ha-noi", "kh-399", "ke-hoach", p) for p in periods)


def _analyze_count(store, table: str) -> int:
    from sqlalchemy import text

    with store.engine.connect() as connection:
        return connection.execute(text("SELECT analyze_count FROM pg_stat_user_tables WHERE relname = :t"), {"t": table}).scalar()


def test_a_replay_on_postgresql_refreshes_statistics_before_its_first_morning(synced):
    """A store just synced has no planner statistics (autovacuum may be off or not yet run):
    the first mornings then planned their digests as scans of every occurrence."""
    import pytest

    if synced.engine.dialect.name != "postgresql":
        pytest.skip("statistics are PostgreSQL's")
    before = _analyze_count(synced, "occurrence")
    seen = []
    replay(synced, D(2020, 11, 5), D(2020, 11, 5), None, on_day=lambda day: seen.append(_analyze_count(synced, "occurrence")))
    assert seen and seen[0] > before


def test_a_replay_store_on_postgresql_skips_commit_flushes_and_parallel_workers(postgres_url):
    from sqlalchemy import text

    from plantrack.store.database import Store

    settings = {}
    for durable in (True, False):
        store = Store(postgres_url, migrate=False, durable=durable)
        try:
            with store.engine.connect() as connection:
                settings[durable] = connection.execute(text(
                    "SELECT name, setting, reset_val FROM pg_settings"
                    " WHERE name IN ('synchronous_commit', 'max_parallel_workers_per_gather') ORDER BY name"
                )).all()
        finally:
            store.dispose()
    assert [setting for _, setting, _ in settings[False]] == ["0", "off"]
    assert all(setting == server_default for _, setting, server_default in settings[True])  # a durable store changes nothing


def _history(store):
    """Every notice by its key, with what became of it."""
    with store.session() as session:
        rows = session.execute(
            select(Occurrence.unit_id, Obligation.key, Occurrence.period_key, Notice.stage, Notice.deadline, Notice.recipient_id,
                   Notice.channel, Notice.planned_on, Notice.state, Notice.sent_at, Notice.result, Notice.address)
            .join(Occurrence, Notice.occurrence_id == Occurrence.id).join(Obligation, Occurrence.obligation_id == Obligation.id)
        ).all()
    return sorted(tuple(row) for row in rows)


def test_overlapped_deliveries_leave_the_history_of_one_morning_after_another(synced, mini_dir):
    """On PostgreSQL a morning's delivery runs beside the next morning's watch. It must still see
    the store as of its own morning: the extension granted and the report handed in after the
    12/11 watch do not touch that morning's reminders, exactly as in a replay one step at a time."""
    import pytest
    from sqlalchemy import text

    from plantrack.loader import load_catalogue
    from plantrack.scenario import ScenarioExtension, ScenarioSubmission
    from plantrack.store.models import Base
    from plantrack.store.sync import sync_catalogue

    if synced.engine.dialect.name != "postgresql":
        pytest.skip("SQLite delivers in line")
    scenario = ScenarioFile(
        scenario=ScenarioHeader(title="test"),
        extensions=[ScenarioExtension(plan="t-plan", obligation="ke-hoach", unit="t.alpha", granted_at=dt.datetime(
            2020, 11, 12, 9, tzinfo=TIMEZONE), new_date=D(2020, 11, 30), reason="xin gia hạn", approved_by="t.office")],
        submissions=[ScenarioSubmission(plan="t-plan", obligation="ke-hoach", unit="t.beta",
                                        submitted_at=dt.datetime(2020, 11, 12, 10, tzinfo=TIMEZONE))],
        habits=[Habit(obligations=["t-plan/bao-cao-6-thang"], submits="late", working_days=4)],
    )
    def deliver(at, directory):
        if at.date() == D(2020, 11, 12):  # a slow morning: the next watch is done long before
            time.sleep(0.5)
        return dispatch(synced, at, Channels.stub(), directory=directory).summary()

    runs = {}
    for overlap in (False, True):
        days = []
        report = replay(
            synced, D(2020, 11, 5), D(2021, 7, 31), scenario, deliver,
            on_day=lambda day: days.append((day.day, day.watch.notices_created, dict(day.watch.by_stage), day.dispatched)),
            overlap=overlap,
        )
        runs[overlap] = (_history(synced), days, report)
        with synced.engine.begin() as connection:  # the same start again
            connection.execute(text(f"TRUNCATE {', '.join(t.name for t in Base.metadata.sorted_tables)} RESTART IDENTITY CASCADE"))
        with synced.transaction() as session:
            sync_catalogue(session, load_catalogue(mini_dir))
    (history, days, report), (overlapped_history, overlapped_days, overlapped_report) = runs[False], runs[True]
    assert overlapped_history == history and overlapped_days == days
    assert overlapped_report == report and report.extensions == 1 and report.submissions > 1
    # The 12/11 reminder of the unit that got its extension that day was sent, not cancelled.
    assert ("t.alpha", "ke-hoach", D(2020, 11, 16)) in {(unit, key, deadline) for unit, key, _, _, deadline, _, _, planned_on, state,
                                                        *_ in history if planned_on == D(2020, 11, 12) and state == "sent"}


def test_overlap_is_refused_on_sqlite(synced):
    import pytest

    from plantrack.errors import PlantrackError

    if synced.engine.dialect.name != "sqlite":
        pytest.skip("PostgreSQL overlaps")
    with pytest.raises(PlantrackError, match="one writer"):
        replay(synced, D(2020, 11, 5), D(2020, 11, 6), None, lambda at, directory: {}, overlap=True)


def test_a_replay_tidies_the_store_first_and_every_few_mornings_after_their_delivery(synced, monkeypatch):
    import threading

    import plantrack.replay as replay_module

    monkeypatch.setattr(replay_module, "TIDY_EVERY", 2)
    events = []
    tidy = synced.tidy

    def tidy_and_note():
        events.append(("tidy", threading.current_thread() is threading.main_thread()))
        tidy()

    monkeypatch.setattr(synced, "tidy", tidy_and_note)

    def deliver(at, directory):
        events.append((at.date(), threading.current_thread() is threading.main_thread()))
        return {}

    replay(synced, D(2020, 11, 5), D(2020, 11, 11), None, deliver)  # Thu, Fri, Mon, Tue, Wed
    in_line = synced.engine.dialect.name == "sqlite"  # PostgreSQL delivers and tidies beside the next watch
    assert events == [
        ("tidy", True),
        (D(2020, 11, 5), in_line), (D(2020, 11, 6), in_line), ("tidy", in_line),
        (D(2020, 11, 9), in_line), (D(2020, 11, 10), in_line), ("tidy", in_line),
        (D(2020, 11, 11), in_line),
    ]


def test_habits_date_a_step_counted_from_their_hand_ins(store, mini_dir):
    """A replay's habits hand in in bulk: a step due "5 working days after every report is in"
    is dated from the last of them, as a hand-in through the CLI or a link dates it."""
    from plantrack.loader import load_catalogue
    from plantrack.store.sync import sync_catalogue
    from plantrack.tracking import find_occurrence

    from .test_loader import edit

    edit(mini_dir / "plan.yaml", "  - id: dot-xuat\n", "  - id: tong-hop\n    title: Báo cáo tổng hợp 6 tháng\n"
         "    section: IV.3\n    units: [t.office]\n    submit_to: t.committee\n"
         "    due: {type: after, obligation: bao-cao-6-thang, working_days: 5, counted_from: handed_in}\n  - id: dot-xuat\n")
    with store.transaction() as session:
        sync_catalogue(session, load_catalogue(mini_dir))
    scenario = ScenarioFile(scenario=ScenarioHeader(title="test"), habits=[
        Habit(units=["t.alpha", "t.beta"], obligations=["t-plan/bao-cao-6-thang"], submits="on_time", working_days=2),
    ])
    replay(store, D(2021, 6, 1), D(2021, 6, 30), scenario, lambda at, directory: {})
    with store.session() as session:
        step = find_occurrence(session, None, "t-plan", "tong-hop", "t.office", "2021-H1")
        assert step.due_date == D(2021, 6, 24)  # provisional: 5 working days after the reports' deadline, 17/06
        assert step.current_due_date == D(2021, 6, 22)  # both came in on Tuesday 15/06, two working days early
