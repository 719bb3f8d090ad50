"""From due rules to dated deadlines that can explain themselves.

A deadline is the *last day* (inclusive, Viet Nam civil date) on which a deliverable is on
time. It is computed in three steps, each recorded:

1. the rule gives a written date ("trước ngày 16/11/2020", "chậm nhất ngày 17/06/2021", a
   cron firing, the end of a reporting period plus N days...);
2. the wording fixes the last day: "before X" ends on X - 1, "at the latest on X" on X;
3. Civil Code 2015 art. 148(5): a last day that is a weekly rest day or a holiday moves to
   the end of the next working day. Each skipped day is listed with its reason.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from typing import Literal

from croniter import CroniterBadDateError, croniter

from .calendar import TIMEZONE, WorkCalendar, weekday_vi

Wording = Literal["before", "at_latest_on"]

CIVIL_CODE_148_5 = "khoản 5 Điều 148 Bộ luật Dân sự 2015"


@dataclass(frozen=True)
class Step:
    """One line of a deadline's explanation."""

    date: dt.date
    vi: str
    en: str

    def as_dict(self) -> dict:
        return {"date": self.date.isoformat(), "vi": self.vi, "en": self.en}

    @classmethod
    def from_dict(cls, data: dict) -> "Step":
        return cls(dt.date.fromisoformat(data["date"]), data["vi"], data["en"])


@dataclass(frozen=True)
class Deadline:
    due_date: dt.date  # the last day that is on time
    written_date: dt.date  # the date the rule gives, before wording and shifts
    steps: tuple[Step, ...]
    # What reminders announce, in the text's words ("trước ngày 16/11/2020 (chậm nhất Thứ Sáu,
    # 13/11/2020)"); never a day the text calls too late. None: announce the date itself.
    phrase: str | None = None

    def explanation(self) -> list[dict]:
        return [s.as_dict() for s in self.steps]


@dataclass(frozen=True)
class OccurrenceSpec:
    """One dated instance of an obligation for one unit and one period."""

    unit_id: str
    period_key: str
    period_label: str
    period_start: dt.date
    period_end: dt.date
    opens_on: dt.date
    deadline: Deadline


def d(day: dt.date) -> str:
    return f"{day:%d/%m/%Y}"


# --- work without a date in the text ---------------------------------------------------------

#: The deadline stored for work the text gives no date ("kịp thời", "sau khi có Quy chế", "theo
#: tiến độ của Luật …") until a coordinator sets one. It is a marker, never a day to show: it
#: lies beyond every watch window and is never "past", so the watch never chases such work, and
#: the status counts read it from the deadline index as "chưa có thời hạn" (``no_deadline``).
#: Whatever shows a deadline asks ``has_deadline`` first (``deadline_text`` does).
NO_DEADLINE = dt.date.max
NO_DEADLINE_VI = "chưa có thời hạn"


def has_deadline(day: dt.date | None) -> bool:
    return day is not None and day != NO_DEADLINE


def deadline_text(day: dt.date, words: str | None = None) -> str:
    """A deadline for people: the date, or, for work with none yet, the text's words (or
    "chưa có thời hạn")."""
    return d(day) if has_deadline(day) else (words or NO_DEADLINE_VI)


def undated_deadline(rule: Step, phrase: str) -> Deadline:
    """The deadline of work the text gives no date: ``phrase`` is what pages say until a
    coordinator sets a date (``tracking.set_deadline``)."""
    waiting = Step(
        NO_DEADLINE,
        "Văn bản không nêu ngày: việc được theo dõi là việc đang mở, không nhắc hạn, không tính quá hạn, "
        "cho đến khi cơ quan điều phối ấn định thời hạn (plantrack set-deadline).",
        "The text sets no date: tracked as open, never chased nor overdue, until a coordinator sets one.",
    )
    return Deadline(NO_DEADLINE, NO_DEADLINE, (rule, waiting), phrase)


def resolve_deadline(
    written: dt.date, wording: Wording, calendar: WorkCalendar, rule: Step, basis_step: Step | None = None,
    words: str | None = None,
) -> Deadline:
    """Apply the wording, the deployment's "trước ngày" policy and art. 148(5) to a written
    date, recording every step; ``words`` is how the text puts it, when not a date (a time
    frame: the phrase then gives the last day, "trong Quý III/2026 (hạn cuối 30/09/2026, Thứ Tư)")."""
    window = words is not None
    steps = [rule] + ([basis_step] if basis_step else [])
    last_day = written
    if wording == "before":
        last_day = written - dt.timedelta(days=1)
        words = words or f"trước ngày {d(written)}"
        steps.append(
            Step(
                last_day,
                f"“Trước ngày {d(written)}”: ngày cuối cùng của thời hạn là {d(last_day)} ({weekday_vi(last_day)}).",
                f"“Before {d(written)}”: the last day of the period is {d(last_day)}.",
            )
        )
    else:
        words = words or f"chậm nhất ngày {d(written)}"
        steps.append(
            Step(
                last_day,
                f"“Chậm nhất ngày {d(written)}”: ngày cuối cùng của thời hạn là chính ngày đó ({weekday_vi(last_day)}).",
                f"“At the latest on {d(written)}”: that day is the last day of the period.",
            )
        )
    backwards = wording == "before" and calendar.before_policy == "previous_working_day"
    while (reason := calendar.rest_reason(last_day)) is not None:
        if backwards:
            earlier = last_day - dt.timedelta(days=1)
            steps.append(
                Step(
                    last_day,
                    f"{d(last_day)} là {reason.vi}; văn bản ghi “trước ngày {d(written)}” nên thời hạn lùi về ngày làm việc "
                    f"liền trước (quy ước “trước ngày” của kế hoạch: previous_working_day).",
                    f"{d(last_day)} is a {reason.en}; the text says “before {d(written)}”, so the period ends on the working "
                    "day before (this plan's “before” policy: previous_working_day).",
                )
            )
            last_day = earlier
            continue
        following = last_day + dt.timedelta(days=1)
        steps.append(
            Step(
                last_day,
                f"{d(last_day)} là {reason.vi}; theo {CIVIL_CODE_148_5}, thời hạn chuyển sang ngày tiếp theo.",
                f"{d(last_day)} is a {reason.en}; under Civil Code 2015 art. 148(5) the period moves on.",
            )
        )
        last_day = following
    too_late = wording == "before" and last_day >= written
    if too_late:  # art. 148(5) carried it to a day the text calls too late: reminders keep to the words
        steps.append(
            Step(
                last_day,
                f"Theo {CIVIL_CODE_148_5} hạn tính đến hết {d(last_day)}, nhưng văn bản ghi “trước ngày {d(written)}”: "
                f"thông báo nhắc việc ghi đúng lời văn bản, không nêu ngày {d(last_day)}.",
                f"Art. 148(5) carries the period to the end of {d(last_day)}, but the text says “before {d(written)}”: "
                "reminders quote the text and do not announce that day.",
            )
        )
    steps.append(
        Step(
            last_day,
            f"Hạn cuối: hết ngày {d(last_day)} ({weekday_vi(last_day)}), giờ Việt Nam.",
            f"Deadline: end of {d(last_day)} (Asia/Ho_Chi_Minh).",
        )
    )
    if too_late:
        phrase = words
    elif window:  # "trong Quý IV/2025 - Quý II/2026": the words name no day, so the last one is given
        phrase = f"{words} (hạn cuối {d(last_day)}, {weekday_vi(last_day)})"
    elif wording == "before" or last_day != written:
        phrase = f"{words} (đến hết {weekday_vi(last_day)}, {d(last_day)})"
    else:
        phrase = f"{words} ({weekday_vi(last_day)})"
    return Deadline(last_day, written, tuple(steps), phrase)


# --- periods -----------------------------------------------------------------------------

_MONTHS = {"month": 1, "quarter": 3, "half_year": 6, "year": 12}
_ROMAN = {1: "I", 2: "II", 3: "III", 4: "IV"}


def _month_shift(year: int, month: int, delta: int) -> tuple[int, int]:
    index = year * 12 + (month - 1) + delta
    return index // 12, index % 12 + 1


def _period_names(kind: str, year: int, end_month: int) -> tuple[str, str]:
    """(key, Vietnamese label) of the reporting period whose data ends in ``end_month``."""
    if kind == "month":
        return f"{year}-{end_month:02d}", f"Tháng {end_month:02d}/{year}"
    if kind == "quarter":
        q = end_month // 3
        return f"{year}-Q{q}", f"Quý {_ROMAN[q]}/{year}"
    if kind == "half_year":
        return (f"{year}-H1", f"6 tháng đầu năm {year}") if end_month == 6 else (f"{year}-H2", f"6 tháng cuối năm {year}")
    return f"{year}", f"Năm {year}"


def reporting_periods(due, start: dt.date, end: dt.date) -> list[tuple[str, str, dt.date, dt.date]]:
    """Decree 09/2019 periods whose cut-off day falls within [start, end].

    ``due`` gives ``period`` (month, quarter, half_year, year) and ``cutoff_day``. A period
    ending in month M runs from the day after the cut-off of the month ``n`` months
    earlier to the cut-off day of M (e.g. half-year 1: 15/12 to 14/06).
    """
    step = _MONTHS[due.period]
    found = []
    for year in range(start.year, end.year + 1):
        for end_month in range(step, 13, step):
            period_end = dt.date(year, end_month, due.cutoff_day)
            if not (start <= period_end <= end):
                continue
            prev_year, prev_month = _month_shift(year, end_month, -step)
            period_start = dt.date(prev_year, prev_month, due.cutoff_day) + dt.timedelta(days=1)
            key, label = _period_names(due.period, year, end_month)
            found.append((key, label, period_start, period_end))
    return found


def cron_dates(expression: str, start: dt.date, end: dt.date) -> list[dt.date]:
    """Local dates on which ``expression`` fires within [start, end]."""
    begin = dt.datetime.combine(start, dt.time.min, tzinfo=TIMEZONE) - dt.timedelta(seconds=1)
    iterator = croniter(expression, begin)
    dates = []
    while True:
        try:
            fired = iterator.get_next(dt.datetime).date()
        except CroniterBadDateError:  # e.g. "0 0 31 2 *": valid syntax, never fires
            return dates
        if fired > end:
            return dates
        if not dates or dates[-1] != fired:
            dates.append(fired)


def add_years(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def whole_years(start: dt.date, end: dt.date) -> int:
    """How many whole years from ``start`` fit in a period ending on ``end``."""
    years = end.year - start.year
    anniversary_end = add_years(start, years) - dt.timedelta(days=1)
    return years if anniversary_end <= end else years - 1


def adhoc_deadline(
    requested_on: dt.date, working_days: int, calendar: WorkCalendar, title: str, default_note: str | None = None,
) -> Deadline:
    """The deadline of an ad-hoc request: N working days after the request date. With
    ``default_note`` the N is the plan file's default (``basis: assumed``), and explain says so."""
    written = calendar.add_working_days(requested_on, working_days)
    rule = Step(
        written,
        f"Yêu cầu đột xuất “{title}” ngày {d(requested_on)}: hạn trong {working_days} ngày làm việc = {d(written)}.",
        f"Ad-hoc request '{title}' of {d(requested_on)}: due within {working_days} working days = {d(written)}.",
    )
    basis = Step(
        written,
        f"Văn bản không nêu thời hạn này; tệp kế hoạch đặt mặc định: {default_note}",
        f"The text gives no such deadline; the plan file sets a default: {default_note}",
    ) if default_note else None
    return resolve_deadline(written, "at_latest_on", calendar, rule, basis)


def extension_deadline(previous: dt.date, new_date: dt.date, reason: str, approver: str, calendar: WorkCalendar) -> Deadline:
    rule = Step(
        new_date,
        f"Gia hạn từ {d(previous)} đến {d(new_date)}; lý do: {reason}; người duyệt: {approver}.",
        f"Extended from {d(previous)} to {d(new_date)}; reason: {reason}; approved by {approver}.",
    )
    return resolve_deadline(new_date, "at_latest_on", calendar, rule)


def set_deadline_deadline(new_date: dt.date, reference: str, set_by: str, calendar: WorkCalendar) -> Deadline:
    """The deadline a coordinator sets for work the text gave none ("chậm nhất ngày X")."""
    rule = Step(
        new_date,
        f"Văn bản không nêu thời hạn; {set_by} ấn định thời hạn {d(new_date)} theo {reference}.",
        f"The text set no date; {set_by} set {d(new_date)} following {reference}.",
    )
    return resolve_deadline(new_date, "at_latest_on", calendar, rule)
