"""Working days in Viet Nam and the Civil Code rule for deadlines that end on a rest day.

A working day is Monday to Friday, minus Vietnamese public holidays (the ``holidays``
package, country VN, which computes Tết and the Hùng Kings day from lunar tables), minus
holidays that a plan or deployment adds, plus make-up working days (e.g. a Saturday worked
in exchange for a bridged holiday) that a plan or deployment adds.
"""

from __future__ import annotations

import datetime as dt
import re
from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays

from .errors import PlantrackError

TIMEZONE = ZoneInfo("Asia/Ho_Chi_Minh")

_WEEKDAY_VI = ["Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy", "Chủ nhật"]


def weekday_vi(day: dt.date) -> str:
    return _WEEKDAY_VI[day.weekday()]


_WEEKDAY_EN = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]


@lru_cache(maxsize=128)
def _vn_holidays(year: int, language: str) -> dict[dt.date, str]:
    return dict(holidays.country_holidays("VN", years=year, language=language))


@dataclass(frozen=True)
class RestDay:
    """Why a date is not a working day, for people (Vietnamese) and in English."""

    vi: str
    en: str


@dataclass(frozen=True)
class WorkCalendar:
    """Decides whether a civil date is a working day, and says why not.

    ``extra_holidays`` and ``extra_working_days`` map a date to its name; a make-up working
    day wins over a weekend, an extra holiday wins over a make-up day.
    """

    extra_holidays: dict[dt.date, str] = field(default_factory=dict)
    extra_working_days: dict[dt.date, str] = field(default_factory=dict)
    # "trước ngày X" whose last day X - 1 is a rest day: ``civil_code`` (the default) lets art.
    # 148(5) carry it to the next working day, which the text calls too late, so reminders then
    # quote only the text's words; ``previous_working_day`` ends it on the last working day
    # before X instead. Set per deployment (calendar.yaml) or per plan.
    before_on_rest_day: str | None = None
    # Working days as sorted ordinals, per span of years, filled on first use: the watch and a
    # replay ask for millions of "N working days from D", which a bisect answers at once.
    _spans: dict[tuple[int, int], tuple[list[int], frozenset[int]]] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )

    def merged(self, other: "WorkCalendar | None") -> "WorkCalendar":
        if other is None:
            return self
        return WorkCalendar(
            {**self.extra_holidays, **other.extra_holidays},
            {**self.extra_working_days, **other.extra_working_days},
            other.before_on_rest_day or self.before_on_rest_day,
        )

    @property
    def before_policy(self) -> str:
        return self.before_on_rest_day or "civil_code"

    def as_dict(self) -> dict:
        """The additions as JSON-able data (how the store keeps a plan's calendar)."""
        return {
            "extra_holidays": [{"date": d.isoformat(), "name": n} for d, n in sorted(self.extra_holidays.items())],
            "extra_working_days": [{"date": d.isoformat(), "name": n} for d, n in sorted(self.extra_working_days.items())],
            **({"before_on_rest_day": self.before_on_rest_day} if self.before_on_rest_day else {}),
        }

    @classmethod
    def from_dict(cls, data: dict | None) -> "WorkCalendar":
        data = data or {}
        return _calendar_of(
            tuple((d["date"], d["name"]) for d in data.get("extra_holidays", [])),
            tuple((d["date"], d["name"]) for d in data.get("extra_working_days", [])),
            data.get("before_on_rest_day"),
        )

    def rest_reason(self, day: dt.date) -> RestDay | None:
        """Why ``day`` is not a working day (``None`` when it is one)."""
        if day in self.extra_holidays:
            name = self.extra_holidays[day]
            return RestDay(f"ngày nghỉ bổ sung: {name}", f"added holiday: {name}")
        public = _vn_holidays(day.year, "vi").get(day)
        if public is not None:
            english = _vn_holidays(day.year, "en_US")[day]
            return RestDay(f"ngày lễ, Tết: {public}", f"public holiday: {english}")
        if day in self.extra_working_days:
            return None
        if day.weekday() >= 5:
            return RestDay(f"ngày nghỉ hằng tuần ({weekday_vi(day)})", f"weekly rest day ({_WEEKDAY_EN[day.weekday()]})")
        return None

    def _working(self, first_year: int, last_year: int) -> tuple[list[int], frozenset[int]]:
        """The working days of the years first_year..last_year, as sorted ordinals and a set."""
        span = self._spans.get((first_year, last_year))
        if span is None:
            if first_year == last_year:  # each year is decided once; longer spans join years
                first, last = dt.date(first_year, 1, 1).toordinal(), dt.date(first_year, 12, 31).toordinal()
                ordinals = [o for o in range(first, last + 1) if self.rest_reason(dt.date.fromordinal(o)) is None]
            else:
                ordinals = [o for year in range(first_year, last_year + 1) for o in self._working(year, year)[0]]
            span = self._spans[(first_year, last_year)] = (ordinals, frozenset(ordinals))
        return span

    def is_working_day(self, day: dt.date) -> bool:
        return day.toordinal() in self._working(day.year, day.year)[1]

    def next_working_day(self, day: dt.date) -> dt.date:
        """The first working day strictly after ``day``."""
        return self.add_working_days(day, 1)

    def add_working_days(self, day: dt.date, count: int) -> dt.date:
        """Move ``count`` working days from ``day`` (negative: backwards).

        ``add_working_days(d, 3)`` is the third working day after ``d``;
        ``add_working_days(d, -3)`` is "3 working days before d". ``d`` itself is not counted.
        """
        if count == 0:
            return day
        # A year either side covers any ladder; a longer move takes the day-by-day walk.
        ordinals, _ = self._working(day.year - 1, day.year + 1)
        ordinal = day.toordinal()
        index = bisect_right(ordinals, ordinal) + count - 1 if count > 0 else bisect_left(ordinals, ordinal) + count
        if 0 <= index < len(ordinals):
            return dt.date.fromordinal(ordinals[index])
        step = dt.timedelta(days=1 if count >= 0 else -1)
        remaining = abs(count)
        while remaining:
            day += step
            if self.is_working_day(day):
                remaining -= 1
        return day

    def working_days_between(self, start: dt.date, end: dt.date) -> int:
        """Working days in (start, end]; negative when end is before start."""
        if end < start:
            return -self.working_days_between(end, start)
        ordinals, _ = self._working(start.year, end.year)
        return bisect_right(ordinals, end.toordinal()) - bisect_right(ordinals, start.toordinal())


@lru_cache(maxsize=64)
def _calendar_of(holidays_: tuple[tuple[str, str], ...], working_days: tuple[tuple[str, str], ...],
                 before_on_rest_day: str | None = None) -> WorkCalendar:
    """One calendar object per distinct set of additions, so its working-day tables are built
    once (a watch reads each plan's calendar from the store every morning)."""
    return WorkCalendar(
        {dt.date.fromisoformat(d): name for d, name in holidays_},
        {dt.date.fromisoformat(d): name for d, name in working_days},
        before_on_rest_day,
    )


def local_date(instant: dt.datetime) -> dt.date:
    """The civil date in Viet Nam of an aware instant."""
    if instant.tzinfo is None:
        raise ValueError("instants must be timezone-aware")
    return instant.astimezone(TIMEZONE).date()


def start_of_local_day(day: dt.date) -> dt.datetime:
    """Midnight at the start of ``day`` in Viet Nam, as an aware UTC instant."""
    return dt.datetime.combine(day, dt.time.min, tzinfo=TIMEZONE).astimezone(dt.timezone.utc)


def end_of_local_day(day: dt.date) -> dt.datetime:
    """The last microsecond of ``day`` in Viet Nam, as an aware UTC instant."""
    local = dt.datetime.combine(day, dt.time.max, tzinfo=TIMEZONE)
    return local.astimezone(dt.timezone.utc)


# --- dates and instants as people write them ----------------------------------------------

_DMY = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")


def parse_date(text: str, what: str = "date") -> dt.date:
    """``YYYY-MM-DD`` or ``DD/MM/YYYY``."""
    text = text.strip()
    match = _DMY.match(text)
    try:
        if match:
            return dt.date(int(match[3]), int(match[2]), int(match[1]))
        return dt.date.fromisoformat(text)
    except ValueError:
        raise PlantrackError(f"{what}: {text!r} is not a date (use YYYY-MM-DD or DD/MM/YYYY)") from None


def read_instant(text: str, what: str, *, date_means_end_of_day: bool) -> dt.datetime:
    """An aware instant from an ISO date-time (Viet Nam time when it has no offset) or a date:
    the end of that day, or its start, in Viet Nam."""
    if "T" in text or " " in text.strip():
        try:
            instant = dt.datetime.fromisoformat(text.strip())
        except ValueError:
            raise PlantrackError(f"{what}: {text!r} is not an ISO date-time (e.g. 2020-11-16T09:30)") from None
        return instant if instant.tzinfo else instant.replace(tzinfo=TIMEZONE)
    day = parse_date(text, what)
    if date_means_end_of_day:
        return end_of_local_day(day)
    return dt.datetime.combine(day, dt.time.min, tzinfo=TIMEZONE)


def read_as_of(text: str | None, what: str = "--as-of") -> dt.datetime | None:
    """The one reading of an ``--as-of`` (CLI) or ``as_of`` (flows): an ISO instant (Viet Nam
    time when it has no offset), or a date meaning the end of that day; None stays None (the
    entry point then reads the clock)."""
    return None if text is None else read_instant(text, what, date_means_end_of_day=True)
