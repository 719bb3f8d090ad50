import datetime as dt

import pytest
from pydantic import ValidationError

from plantrack.calendar import WorkCalendar
from plantrack.deadlines import adhoc_deadline, cron_dates, reporting_periods
from plantrack.rules import expand
from plantrack.schema import ObligationDef, Period, ReportingPeriodDue

D = dt.date
PERIOD = Period(start=D(2020, 11, 1), end=D(2023, 10, 31))


def obligation(due: dict) -> ObligationDef:
    return ObligationDef.model_validate({"id": "x", "title": "X", "section": "IV", "units": ["u"], "due": due})


def test_decree_09_half_years_within_the_plan_period():
    due = ReportingPeriodDue(type="reporting_period", period="half_year", days_after_cutoff=3)
    periods = reporting_periods(due, PERIOD.start, PERIOD.end)
    assert [p[0] for p in periods] == ["2020-H2", "2021-H1", "2021-H2", "2022-H1", "2022-H2", "2023-H1"]
    key, label, start, end = periods[1]
    assert (start, end) == (D(2020, 12, 15), D(2021, 6, 14))
    assert label == "6 tháng đầu năm 2021"


def test_quarters_and_years_follow_the_same_cut_off():
    quarter = ReportingPeriodDue(type="reporting_period", period="quarter", days_after_cutoff=0)
    first = reporting_periods(quarter, D(2021, 1, 1), D(2021, 12, 31))[0]
    assert first[:2] == ("2021-Q1", "Quý I/2021") and first[2:] == (D(2020, 12, 15), D(2021, 3, 14))
    year = ReportingPeriodDue(type="reporting_period", period="year", days_after_cutoff=0)
    assert reporting_periods(year, D(2021, 1, 1), D(2021, 12, 31))[0][2:] == (D(2020, 12, 15), D(2021, 12, 14))


def test_half_year_report_due_on_saturday_moves_to_monday():
    specs = expand(
        obligation({"type": "reporting_period", "period": "half_year", "days_after_cutoff": 3}),
        ["u"], PERIOD, D(2020, 11, 5), WorkCalendar(),
    )
    by_key = {s.period_key: s for s in specs}
    assert by_key["2021-H1"].deadline.due_date == D(2021, 6, 17)  # Thursday
    assert by_key["2022-H2"].deadline.written_date == D(2022, 12, 17)  # Saturday
    assert by_key["2022-H2"].deadline.due_date == D(2022, 12, 19)  # Monday
    assert by_key["2020-H2"].opens_on == PERIOD.start  # clipped to the plan start


def test_milestones_cover_each_plan_year():
    specs = expand(
        obligation({
            "type": "milestone", "days_after": 10, "basis": "assumed", "note": "n",
            "milestones": [{"key": "1y", "label": "Sơ kết 01 năm", "years_after_start": 1},
                           {"key": "3y", "label": "Tổng kết 03 năm", "years_after_start": 3}],
        }),
        ["u"], PERIOD, D(2020, 11, 5), WorkCalendar(),
    )
    one, three = specs
    assert one.period_end == D(2021, 10, 31) and one.deadline.written_date == D(2021, 11, 10)
    assert three.period_end == D(2023, 10, 31) and three.deadline.written_date == D(2023, 11, 10)
    assert three.opens_on == D(2022, 11, 1)
    assert any("tệp kế hoạch đặt mặc định" in s.vi for s in one.deadline.steps)  # assumed, and says so


def test_recurring_cron_deadlines_in_viet_nam_time():
    assert cron_dates("0 0 17 6,12 *", D(2020, 11, 1), D(2021, 12, 31)) == [D(2020, 12, 17), D(2021, 6, 17), D(2021, 12, 17)]
    specs = expand(obligation({"type": "recurring", "cron": "0 0 1 * *", "key_format": "%Y-%m"}),
                   ["a", "b"], Period(start=D(2021, 1, 1), end=D(2021, 3, 31)), D(2020, 12, 1), WorkCalendar())
    assert [(s.unit_id, s.period_key) for s in specs] == [
        ("a", "2021-01"), ("a", "2021-02"), ("a", "2021-03"), ("b", "2021-01"), ("b", "2021-02"), ("b", "2021-03")
    ]
    # 01/01/2021 is New Year's Day: the deadline moves to Monday 04/01.
    assert specs[0].deadline.due_date == D(2021, 1, 4)


def test_adhoc_obligations_have_no_occurrences_until_requested():
    assert expand(obligation({"type": "adhoc"}), ["u"], PERIOD, D(2020, 11, 5), WorkCalendar()) == []
    deadline = adhoc_deadline(D(2021, 2, 8), 3, WorkCalendar(), "Báo cáo nhanh")
    assert deadline.due_date == D(2021, 2, 18)  # 9, 17, 18 February: Tết in between


@pytest.mark.parametrize(
    "due, message",
    [
        ({"type": "one_off"}, "exactly one of 'before' or 'at_latest_on'"),
        ({"type": "one_off", "before": "2020-11-16", "at_latest_on": "2020-11-16"}, "exactly one"),
        ({"type": "one_off", "before": "2020-11-16", "basis": "assumed"}, "needs a 'note'"),
        ({"type": "recurring", "cron": "0 0 32 * *"}, "not a 5-field cron expression"),
        ({"type": "weekly"}, "does not match any of the expected tags"),
    ],
)
def test_due_rules_reject_bad_input(due, message):
    with pytest.raises(ValidationError) as caught:
        obligation(due)
    assert message in str(caught.value)
