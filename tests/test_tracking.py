import datetime as dt

import pytest
from sqlalchemy import func, select

from plantrack.errors import PlantrackError
from plantrack.store.models import Obligation, Occurrence
from plantrack.tracking import (
    Status,
    classify,
    count_statuses,
    find_occurrence,
    grant_extension,
    on_time_rate,
    record_submission,
    request_adhoc,
    status_rows,
)

from .conftest import vn

D = dt.date


def statuses(store, as_of, **filters):
    with store.session() as session:
        return {(r.unit_id, r.obligation_key, r.period_key): r.status for r in status_rows(session, as_of, **filters)}


def submit(store, unit, at, number=None, obligation="ke-hoach", period=None):
    with store.transaction() as session:
        occurrence = find_occurrence(session, plan="t-plan", obligation=obligation, unit=unit, period=period)
        record_submission(session, occurrence, at, number)


def test_the_four_statuses_as_of_any_instant(synced):
    # Deadline: "before 16/11/2020" = end of Monday 16/11 (15/11 is a Sunday).
    submit(synced, "t.alpha", vn(2020, 11, 16, 23, 30), "1/KH")  # late evening, still 16/11 in Hà Nội
    submit(synced, "t.beta", vn(2020, 11, 17, 0, 30), "2/KH")  # 16/11 in UTC, 17/11 in Hà Nội: late
    alpha, beta = ("t.alpha", "ke-hoach", "once"), ("t.beta", "ke-hoach", "once")

    at_noon = statuses(synced, vn(2020, 11, 16, 12))
    assert at_noon[alpha] == at_noon[beta] == Status.IN_PROGRESS
    just_after = statuses(synced, vn(2020, 11, 17, 0, 10))
    assert just_after[alpha] == Status.ON_TIME and just_after[beta] == Status.OVERDUE
    later = statuses(synced, vn(2020, 11, 20))
    assert later[alpha] == Status.ON_TIME and later[beta] == Status.LATE
    assert statuses(synced, vn(2020, 10, 31)) == {}  # before the plan period, nothing is open


def test_periods_not_yet_open_are_left_out_unless_asked(synced):
    as_of = vn(2020, 11, 20)
    shown = statuses(synced, as_of)
    assert ("t.alpha", "bao-cao-6-thang", "2020-H2") in shown  # open since the plan started
    assert ("t.alpha", "bao-cao-6-thang", "2021-H1") not in shown
    with synced.session() as session:
        everything = {(r.unit_id, r.obligation_key, r.period_key): r.status
                      for r in status_rows(session, as_of, include_not_open=True)}
    assert everything[("t.alpha", "bao-cao-6-thang", "2021-H1")] == Status.NOT_OPEN


def test_extension_moves_the_deadline_from_when_it_is_granted_and_keeps_the_original(synced):
    with synced.transaction() as session:
        occurrence = find_occurrence(session, plan="t-plan", obligation="ke-hoach", unit="t.beta")
        extension = grant_extension(session, occurrence, D(2020, 11, 21), "Thiếu số liệu", "Chánh Văn phòng", vn(2020, 11, 18, 9))
        # 21/11/2020 is a Saturday: the extended deadline ends on Monday 23/11.
        assert extension.new_due_date == D(2020, 11, 23) and extension.previous_due_date == D(2020, 11, 16)
    beta = ("t.beta", "ke-hoach", "once")
    assert statuses(synced, vn(2020, 11, 17, 12))[beta] == Status.OVERDUE  # before the extension was granted
    assert statuses(synced, vn(2020, 11, 18, 12))[beta] == Status.IN_PROGRESS
    submit(synced, "t.beta", vn(2020, 11, 23, 15), "3/KH")
    with synced.session() as session:
        (row,) = [r for r in status_rows(session, vn(2020, 11, 30)) if r.unit_id == "t.beta" and r.obligation_key == "ke-hoach"]
    assert row.status == Status.ON_TIME and row.extended
    assert row.due_date == D(2020, 11, 16) and row.effective_due == D(2020, 11, 23)


def test_extension_input_is_checked(synced):
    with synced.transaction() as session:
        occurrence = find_occurrence(session, plan="t-plan", obligation="ke-hoach", unit="t.beta")
        with pytest.raises(PlantrackError, match="must be after the deadline in force"):
            grant_extension(session, occurrence, D(2020, 11, 16), "x", "y", vn(2020, 11, 10))
        with pytest.raises(PlantrackError, match="reason and an approver"):
            grant_extension(session, occurrence, D(2020, 11, 30), " ", "y", vn(2020, 11, 10))


def test_submission_input_is_checked(synced):
    submit(synced, "t.alpha", vn(2020, 11, 12, 9), "1/KH")
    with pytest.raises(PlantrackError, match="already recorded"):
        submit(synced, "t.alpha", vn(2020, 11, 13, 9), "1/KH")
    with synced.transaction() as session:
        occurrence = find_occurrence(session, plan="t-plan", obligation="ke-hoach", unit="t.beta")
        with pytest.raises(PlantrackError, match="after it was submitted"):
            record_submission(session, occurrence, vn(2020, 11, 12, 9), "9/KH", D(2020, 11, 14))
    with pytest.raises(PlantrackError, match="add --period"):
        submit(synced, "t.alpha", vn(2021, 6, 1), "x", obligation="bao-cao-6-thang")
    with pytest.raises(PlantrackError, match="no occurrence"):
        submit(synced, "t.nobody", vn(2021, 6, 1), "x")


def test_adhoc_request_due_in_working_days_across_tet(synced):
    with synced.transaction() as session:
        obligation, occurrences = request_adhoc(
            session, "1/KH-TEST", ["t.alpha", "t.beta"], vn(2021, 2, 8, 10), template="dot-xuat", working_days=3
        )
        assert obligation.title == "Báo cáo đột xuất" and obligation.origin == "request"
        assert [o.due_date for o in occurrences] == [D(2021, 2, 18)] * 2
    rows = statuses(synced, vn(2021, 2, 19))
    assert rows[("t.alpha", obligation.key, "2021-02-08")] == Status.OVERDUE


def test_a_failed_request_writes_nothing(synced):
    with pytest.raises(PlantrackError, match="no unit 't.gamma'"):
        with synced.transaction() as session:
            request_adhoc(session, "t-plan", ["t.alpha", "t.gamma"], vn(2021, 2, 8), "X", 3)
    with synced.session() as session:
        assert session.scalar(select(func.count()).select_from(Obligation).where(Obligation.origin == "request")) == 0
        assert session.scalar(select(func.count()).select_from(Occurrence).where(Occurrence.period_key == "2021-02-08")) == 0


def test_counts_and_on_time_rate(synced):
    submit(synced, "t.alpha", vn(2020, 11, 12, 9), "1/KH")
    with synced.session() as session:
        rows = [r for r in status_rows(session, vn(2020, 11, 20)) if r.obligation_key == "ke-hoach"]
    counts = count_statuses(rows)
    assert counts[Status.ON_TIME] == 1 and counts[Status.OVERDUE] == 1
    assert on_time_rate(counts) == 0.5
    assert on_time_rate(count_statuses([])) is None


def test_classify_is_a_pure_function_of_its_inputs():
    opens, due = D(2020, 11, 9), D(2020, 11, 16)
    assert classify(opens, due, None, vn(2020, 11, 8)) == Status.NOT_OPEN
    assert classify(opens, due, None, vn(2020, 11, 16, 23, 59)) == Status.IN_PROGRESS
    assert classify(opens, due, None, vn(2020, 11, 17)) == Status.OVERDUE
    assert classify(opens, due, vn(2020, 11, 20), vn(2020, 11, 19)) == Status.OVERDUE  # submitted later than as_of
    assert classify(opens, due, vn(2020, 11, 20), vn(2020, 11, 21)) == Status.LATE


def test_due_window_reads_only_open_rows_due_by_the_horizon(synced):
    submit(synced, "t.alpha", vn(2020, 11, 12, 9), "1/KH")
    with synced.transaction() as session:
        occurrence = find_occurrence(session, plan="t-plan", obligation="ke-hoach", unit="t.beta")
        grant_extension(session, occurrence, D(2020, 12, 30), "x", "y", vn(2020, 11, 13))
    with synced.session() as session:
        def window(as_of, due_by):
            return {(r.unit_id, r.obligation_key, r.period_key)
                    for r in status_rows(session, as_of, due_by=due_by, open_only=True)}

        # Before the extension: beta's plan is due 16/11 and open; alpha's is done.
        assert window(vn(2020, 11, 12, 12), D(2020, 11, 20)) == {("t.beta", "ke-hoach", "once")}
        # After it, beta's deadline (30/12) is past the horizon; the half-year reports (17/12) are in it.
        assert window(vn(2020, 11, 14), D(2020, 12, 20)) == {
            ("t.alpha", "bao-cao-6-thang", "2020-H2"), ("t.beta", "bao-cao-6-thang", "2020-H2")
        }
        # As of a date before alpha handed in, alpha's plan is still open.
        assert ("t.alpha", "ke-hoach", "once") in window(vn(2020, 11, 11), D(2020, 11, 20))


def test_the_due_window_query_uses_an_index_on_sqlite(store, mini_dir):
    if store.engine.dialect.name != "sqlite":
        pytest.skip("query plans of tiny PostgreSQL tables prefer sequential scans; checked on SQLite")
    from sqlalchemy import text

    plan = "\n".join(
        row[-1] for row in store.engine.connect().execute(text(
            "EXPLAIN QUERY PLAN SELECT id FROM occurrence WHERE retired = 0 AND due_date <= '2020-12-01' "
            "AND (first_submitted_at IS NULL OR first_submitted_at > '2020-11-20')"
        ))
    )
    assert "USING INDEX" in plan and "SCAN occurrence" not in plan.replace("USING INDEX", "")


def test_unit_filter_includes_the_units_below_it(synced):
    with synced.session() as session:
        below_committee = {r.unit_id for r in status_rows(session, vn(2020, 11, 20), unit="t.committee")}
        only_alpha = {r.unit_id for r in status_rows(session, vn(2020, 11, 20), unit="t.alpha")}
    assert below_committee == {"t.alpha", "t.beta"} and only_alpha == {"t.alpha"}
