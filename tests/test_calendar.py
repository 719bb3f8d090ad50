import datetime as dt

from plantrack.calendar import WorkCalendar, end_of_local_day, local_date
from plantrack.deadlines import resolve_deadline, Step

D = dt.date
CAL = WorkCalendar()


def rule(day):
    return Step(day, "rule", "rule")


def test_weekdays_are_working_days_weekends_are_not():
    assert CAL.is_working_day(D(2020, 11, 16))  # Monday
    assert not CAL.is_working_day(D(2020, 11, 14))  # Saturday
    assert "Chủ nhật" in CAL.rest_reason(D(2020, 11, 15)).vi


def test_tet_comes_from_the_lunar_calendar():
    # Tết Tân Sửu: 12/02/2021; the civil-service break ran 10/02–16/02/2021.
    for day in range(10, 17):
        assert not CAL.is_working_day(D(2021, 2, day)), day
    assert "Tết Nguyên Đán" in CAL.rest_reason(D(2021, 2, 12)).vi
    assert CAL.is_working_day(D(2021, 2, 17))
    # Hùng Kings' day (10/3 lunar) fell on 21/04/2021.
    assert not CAL.is_working_day(D(2021, 4, 21))


def test_deadline_in_tet_moves_to_end_of_next_working_day_and_says_why():
    deadline = resolve_deadline(D(2021, 2, 12), "at_latest_on", CAL, rule(D(2021, 2, 12)))
    assert deadline.due_date == D(2021, 2, 17)
    shifted = [s for s in deadline.steps if "Điều 148" in s.vi]
    # Each skipped day (12, 13, 14, 15, 16 February) is listed with its reason.
    assert [s.date for s in shifted] == [D(2021, 2, d) for d in range(12, 17)]
    assert "Tết" in shifted[0].vi and "public holiday" in shifted[0].en
    assert deadline.steps[-1].date == D(2021, 2, 17)


def test_before_and_at_the_latest_on_are_different_deadlines():
    # "before Friday 20/11" ends on Thursday 19/11; "at the latest on 20/11" ends on 20/11.
    assert resolve_deadline(D(2020, 11, 20), "before", CAL, rule(D(2020, 11, 20))).due_date == D(2020, 11, 19)
    assert resolve_deadline(D(2020, 11, 20), "at_latest_on", CAL, rule(D(2020, 11, 20))).due_date == D(2020, 11, 20)


def test_cong_van_1030_before_monday_16_11_ends_on_the_monday():
    # The last day of "trước ngày 16/11/2020" is Sunday 15/11: art. 148(5) moves it to Monday 16/11.
    deadline = resolve_deadline(D(2020, 11, 16), "before", CAL, rule(D(2020, 11, 16)))
    assert deadline.due_date == D(2020, 11, 16)
    assert any("15/11/2020 là ngày nghỉ hằng tuần" in s.vi for s in deadline.steps)


def test_working_day_offsets_skip_rest_days():
    # 3 working days before Monday 16/11/2020 is Wednesday 11/11.
    assert CAL.add_working_days(D(2020, 11, 16), -3) == D(2020, 11, 11)
    # 5 working days after Tuesday 09/02/2021 jumps over Tết: 17, 18, 19, 22, 23 February.
    assert CAL.add_working_days(D(2021, 2, 9), 5) == D(2021, 2, 23)
    assert CAL.working_days_between(D(2021, 2, 9), D(2021, 2, 23)) == 5
    assert CAL.working_days_between(D(2021, 2, 23), D(2021, 2, 9)) == -5


def test_plan_added_holidays_and_make_up_working_days():
    calendar = WorkCalendar({D(2020, 11, 18): "Nghỉ bổ sung"}, {D(2020, 11, 21): "Làm bù thứ Bảy"})
    assert not calendar.is_working_day(D(2020, 11, 18))
    assert "Nghỉ bổ sung" in calendar.rest_reason(D(2020, 11, 18)).vi
    assert calendar.is_working_day(D(2020, 11, 21))  # a Saturday worked
    # A deadline on the added holiday moves one day; one on the make-up Saturday stays.
    assert resolve_deadline(D(2020, 11, 18), "at_latest_on", calendar, rule(D(2020, 11, 18))).due_date == D(2020, 11, 19)
    assert resolve_deadline(D(2020, 11, 21), "at_latest_on", calendar, rule(D(2020, 11, 21))).due_date == D(2020, 11, 21)
    merged = WorkCalendar().merged(calendar)
    assert not merged.is_working_day(D(2020, 11, 18))


def test_local_dates_are_viet_nam_dates():
    # 20:00 UTC on 15/11 is 03:00 on 16/11 in Hà Nội.
    assert local_date(dt.datetime(2020, 11, 15, 20, 0, tzinfo=dt.timezone.utc)) == D(2020, 11, 16)
    end = end_of_local_day(D(2020, 11, 16))
    assert local_date(end) == D(2020, 11, 16)
    assert local_date(end + dt.timedelta(microseconds=1)) == D(2020, 11, 17)


def test_a_calendar_survives_the_round_trip_through_the_store_format():
    calendar = WorkCalendar({D(2022, 1, 3): "Nghỉ bù"}, {D(2023, 5, 6): "Làm bù"})
    assert WorkCalendar.from_dict(calendar.as_dict()) == calendar
    assert WorkCalendar.from_dict(None) == WorkCalendar()


def _walk(calendar, day, count):
    """The definition: step one day at a time, counting working days."""
    step = dt.timedelta(days=1 if count >= 0 else -1)
    remaining = abs(count)
    while remaining:
        day += step
        if calendar.rest_reason(day) is None:
            remaining -= 1
    return day


def test_the_working_day_tables_agree_with_walking_day_by_day():
    """add_working_days and working_days_between answer from cached tables (bisect); across
    Tết, added holidays, make-up Saturdays, year ends and moves longer than the table."""
    import random

    calendar = WorkCalendar.from_dict({
        "extra_holidays": [{"date": "2021-02-15", "name": "nghỉ bù"}],
        "extra_working_days": [{"date": "2021-02-20", "name": "làm bù"}],
    })
    assert calendar.add_working_days(D(2021, 2, 19), 1) == D(2021, 2, 20)  # the make-up Saturday counts
    chance = random.Random(389)
    for _ in range(3000):
        day = D(2019, 6, 1) + dt.timedelta(days=chance.randrange(1800))
        count = chance.randint(-420, 420)
        assert calendar.add_working_days(day, count) == _walk(calendar, day, count), (day, count)
        other = day + dt.timedelta(days=chance.randint(-800, 800))
        low, high = min(day, other), max(day, other)
        between = sum(1 for k in range(1, (high - low).days + 1) if calendar.rest_reason(low + dt.timedelta(days=k)) is None)
        assert calendar.working_days_between(day, other) == (between if other >= day else -between), (day, other)
