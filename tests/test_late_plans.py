"""A ladder is caught up from its own history (plantrack.watch).

Plans are loaded days after they are issued, stores start late, schedulers are down for weeks,
amendments and requests add occurrences whose first steps have passed. On its first watch each
such ladder gets the latest step of every level that has come due, as if its plan had been
watched all along; no level is skipped because its day passed before the plan was in the store.
Every test runs on SQLite and PostgreSQL.
"""

import datetime as dt

from sqlalchemy import select

from plantrack.calendar import TIMEZONE
from plantrack.loader import load_catalogue
from plantrack.store.models import Notice, Obligation, Occurrence
from plantrack.store.sync import sync_catalogue
from plantrack.tracking import request_adhoc
from plantrack.watch import watch

from .conftest import ROOT, morning

D = dt.date
EXAMPLES = ROOT / "examples" / "2025"


def watch_days(store, first: dt.date, last: dt.date):
    reports = []
    day = first
    while day <= last:
        if day.weekday() < 5:
            with store.transaction() as session:
                reports.append(watch(session, morning(day)))
        day += dt.timedelta(days=1)
    return reports


def ladder(store, plan: str, key: str | None = None, unit: str | None = None) -> dict[tuple[str, str], tuple]:
    """(unit, stage) -> (planned on, created on, recipient) of the notices of a plan's obligation."""
    query = (
        select(Occurrence.unit_id, Notice.stage, Notice.planned_on, Notice.created_at, Notice.recipient_id)
        .join(Occurrence, Notice.occurrence_id == Occurrence.id)
        .join(Obligation, Occurrence.obligation_id == Obligation.id)
        .where(Obligation.plan_id == plan)
    )
    if key:
        query = query.where(Obligation.key.like(key))
    if unit:
        query = query.where(Occurrence.unit_id == unit)
    with store.session() as session:
        return {(u, stage): (on, created.astimezone(TIMEZONE).date(), to) for u, stage, on, created, to in session.execute(query).all()}


def test_a_real_plan_loaded_after_its_deadline_gets_its_overdue_and_level_1_notices(store, tmp_path):
    """Nghệ An's 980/KH-UBND (18/11/2025): the communes and Bộ CHQS send their decision "trước
    ngày 30/11/2025". The store watched its other plans every morning; 980 is synced on 09/12."""
    from .test_registry_build import definitions_with_addresses

    # Bộ CHQS tỉnh is a generated unit: the address a coordinator enters (the registry has none)
    definitions = definitions_with_addresses(tmp_path, {"na.bchqs": "bchqs@nghean.example"})
    with store.transaction() as session:
        sync_catalogue(session, load_catalogue(definitions))
    watch_days(store, D(2025, 12, 1), D(2025, 12, 8))
    with store.transaction() as session:
        sync_catalogue(session, load_catalogue(definitions, EXAMPLES))
        deadlines = set(session.scalars(
            select(Occurrence.current_due_date).join(Obligation, Occurrence.obligation_id == Obligation.id)
            .where(Obligation.plan_id == "na-kh-980-2025", Obligation.key == "qd-to-chuc-lai-bch")
        ))
    assert deadlines == {D(2025, 12, 1)}  # Saturday 29/11 carried to Monday (art. 148(5))

    (report,) = watch_days(store, D(2025, 12, 9), D(2025, 12, 9))
    steps = ladder(store, "na-kh-980-2025", "qd-to-chuc-lai-bch")
    from .test_registry_build import package_wards

    communes = package_wards(40)  # Nghệ An's xã and phường of 2025, in the generated registry: no address yet
    assert {unit for unit, _ in steps} == {"na.bchqs"} | communes
    # no notice of their own (nowhere to send it); their lag still reaches the plan's office
    assert {stage for unit, stage in steps if unit in communes} == {"escalation-1"}
    assert {steps[(unit, "escalation-1")][2] for unit in communes} == {"na.bchqs"}
    units = {"na.bchqs"}
    for unit in units:
        # overdue-1 (02/12) and -2 (05/12) passed unwatched: the latest is written; level 1
        # fell on 08/12 (5 working days overdue): written too, all on 09/12.
        assert steps[(unit, "overdue-2")][:2] == (D(2025, 12, 5), D(2025, 12, 9))
        assert steps[(unit, "escalation-1")][:2] == (D(2025, 12, 8), D(2025, 12, 9))
        assert (unit, "overdue-1") not in steps and (unit, "reminder-5") not in steps
    # Bộ CHQS tỉnh is the plan's office: its own lag goes to the head, UBND tỉnh
    assert steps[("na.bchqs", "escalation-1")][2] == "vn.province.nghe-an"
    assert report.by_stage["escalation-1"] >= 1

    # taken up: the next mornings write each step once, on its own day
    watch_days(store, D(2025, 12, 10), D(2025, 12, 16))
    later = ladder(store, "na-kh-980-2025", "qd-to-chuc-lai-bch")
    for unit in units:
        assert later[(unit, "overdue-2")] == steps[(unit, "overdue-2")]
        assert later[(unit, "escalation-1")] == steps[(unit, "escalation-1")]
        assert later[(unit, "overdue-3")][:2] == (D(2025, 12, 10), D(2025, 12, 10))
        # (level 2 would go above the head: nobody)


def test_a_fresh_stores_first_watch_catches_up_every_level(synced):
    """Mini plan: due Monday 16/11/2020; the store's very first watch is on 24/11."""
    watch_days(synced, D(2020, 11, 24), D(2020, 11, 24))
    steps = ladder(synced, "t-plan", "ke-hoach")
    for unit in ("t.alpha", "t.beta"):
        assert {stage for u, stage in steps if u == unit} == {"overdue-2", "escalation-1"}
        assert steps[(unit, "escalation-1")] == (D(2020, 11, 23), D(2020, 11, 24), "t.office")


def test_an_outage_longer_than_ten_days_still_writes_each_level(synced):
    """The scheduler ran to 13/11, then was down until 07/12: level 1 (23/11), the last overdue
    notice (25/11) and level 2 (30/11) all passed. Each is written once on 07/12."""
    watch_days(synced, D(2020, 11, 5), D(2020, 11, 13))
    watch_days(synced, D(2020, 12, 7), D(2020, 12, 8))
    steps = ladder(synced, "t-plan", "ke-hoach", "t.alpha")
    assert {stage: on for (_, stage), (on, _, _) in steps.items()} == {
        "reminder-5": D(2020, 11, 9), "reminder-2": D(2020, 11, 12), "reminder-1": D(2020, 11, 13),
        "overdue-3": D(2020, 11, 25), "escalation-1": D(2020, 11, 23), "escalation-2": D(2020, 11, 30),
    }
    assert {created for (_, stage), (_, created, _) in steps.items() if not stage.startswith("reminder")} == {D(2020, 12, 7)}


def test_an_obligation_added_to_a_watched_plan_is_caught_up(synced, mini_dir):
    """A letter adds a report "trước ngày 20/11/2020" (last day 19/11); the plan file gets it
    on 27/11, while the watch ran every morning."""
    watch_days(synced, D(2020, 11, 5), D(2020, 11, 26))
    plan = mini_dir / "plan.yaml"
    plan.write_text(plan.read_text(encoding="utf-8").replace("  - id: bao-cao-6-thang\n", (
        "  - id: bao-cao-nhanh\n    title: Báo cáo nhanh\n    section: IV.3\n    groups: [t.members]\n"
        "    submit_to: t.office\n    due: {type: one_off, before: 2020-11-20}\n  - id: bao-cao-6-thang\n")), encoding="utf-8")
    with synced.transaction() as session:
        sync_catalogue(session, load_catalogue(mini_dir))
    watch_days(synced, D(2020, 11, 27), D(2020, 11, 27))
    steps = ladder(synced, "t-plan", "bao-cao-nhanh")
    for unit in ("t.alpha", "t.beta"):
        assert {stage: (on, created) for (u, stage), (on, created, _) in steps.items() if u == unit} == {
            "overdue-2": (D(2020, 11, 25), D(2020, 11, 27)), "escalation-1": (D(2020, 11, 26), D(2020, 11, 27)),
        }


def test_a_deadline_an_amendment_brings_forward_is_caught_up(synced, mini_dir):
    """Watched daily; on 13/11 an amendment moves "trước ngày 16/11" to "trước ngày 12/11"
    (last day 11/11): the new ladder's overdue notice of 12/11 is written that morning."""
    watch_days(synced, D(2020, 11, 5), D(2020, 11, 12))
    plan = mini_dir / "plan.yaml"
    text = plan.read_text(encoding="utf-8").replace("      before: 2020-11-16", "      before: 2020-11-12")
    plan.write_text(text.replace("duties:\n", "amendments:\n  - {number: 5/KH-TEST, issued_on: 2020-11-12, effective_from: 2020-11-12, "
                                 "obligations: [ke-hoach], note: Rút ngắn thời hạn}\n\nduties:\n"), encoding="utf-8")
    with synced.transaction() as session:
        sync_catalogue(session, load_catalogue(mini_dir))
    watch_days(synced, D(2020, 11, 13), D(2020, 11, 13))
    with synced.session() as session:
        rows = session.execute(select(Notice.stage, Notice.deadline, Notice.planned_on).join(Occurrence).where(
            Occurrence.unit_id == "t.alpha", Notice.deadline == D(2020, 11, 11))).all()
    assert rows == [("overdue-1", D(2020, 11, 11), D(2020, 11, 12))]


def test_a_request_recorded_late_is_caught_up(synced):
    """A request by letter of 16/11 (5 working days: due 23/11) recorded on 02/12: level 1
    (30/11) passed before the request was in the store."""
    watch_days(synced, D(2020, 11, 5), D(2020, 12, 1))
    with synced.transaction() as session:
        obligation, _ = request_adhoc(session, "t-plan", ["t.alpha"], morning(D(2020, 11, 16)), title="Báo cáo vụ việc", working_days=5)
        key = obligation.key
    watch_days(synced, D(2020, 12, 2), D(2020, 12, 2))
    steps = ladder(synced, "t-plan", key)
    assert {stage: (on, created) for (_, stage), (on, created, _) in steps.items()} == {
        "overdue-3": (D(2020, 12, 2), D(2020, 12, 2)), "escalation-1": (D(2020, 11, 30), D(2020, 12, 2)),
    }


def test_a_plan_that_ended_before_it_was_loaded_is_not_chased_for_its_past(synced):
    """The mini plan ends on 31/10/2023; a store whose first watch is on 04/12/2023 does not
    escalate its reports of 2020-2023 (they are tracked, as their statuses show)."""
    (report,) = watch_days(synced, D(2023, 12, 4), D(2023, 12, 4))
    assert report.notices_created == 0 and report.overdue_total == 0
    with synced.session() as session:  # taken up: not read again every morning
        assert session.scalar(select(Occurrence.id).where(Occurrence.watched_due_date.is_(None),
                                                          Occurrence.current_due_date < D(2023, 12, 4)).limit(1)) is None


def test_the_ladders_to_take_up_come_from_their_own_index_on_sqlite(synced):
    """Each morning reads the ladders not taken up from the partial index that holds only them,
    not every open row of the past through the open rows' index."""
    import pytest

    from plantrack.watch import _statements

    if synced.engine.dialect.name != "sqlite":
        pytest.skip("query plans of tiny PostgreSQL tables prefer sequential scans; checked on SQLite")
    # not handed in: the partial index of open ladders not taken up (a row handed in before its
    # ladder began is never taken up, and is not in it); handed in after a past day watched: the
    # open rows' index, by that instant
    for query, index in zip(_statements().unwatched, ("ix_occurrence_unwatched", "ix_occurrence_open_due")):
        compiled = query.compile(synced.engine)
        values = compiled.construct_params({"high": "2020-12-01", "day": "2020-11-20", "as_of": "2020-11-20 00:00:00.000000"})
        with synced.engine.connect() as connection:
            plan = " / ".join(row[-1] for row in connection.exec_driver_sql(
                "EXPLAIN QUERY PLAN " + str(compiled), tuple(values[name] for name in compiled.positiontup)))
        assert f"SEARCH occurrence USING INDEX {index}" in plan, plan


def test_the_watch_command_on_a_store_synced_late_writes_the_missed_levels(store, mini_dir):
    """The operator's path: `plantrack sync`, then the morning's `plantrack watch` a week after
    the deadline, on a store with no watch before."""
    from typer.testing import CliRunner

    from plantrack.cli import app

    runner = CliRunner()
    synced = runner.invoke(app, ["sync", str(mini_dir), "--db", store.url])
    assert synced.exit_code == 0, synced.output
    result = runner.invoke(app, ["watch", "--as-of", "2020-11-24T07:30:00+07:00", "--db", store.url])
    assert result.exit_code == 0, result.output
    line = " ".join(result.output.split())
    assert "báo cáo cấp 1 2" in line and "không có thông báo mới" not in line
