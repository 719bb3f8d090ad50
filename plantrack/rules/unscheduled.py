"""``unscheduled``: work the text asks for without a date ("kịp thời báo cáo", "xây dựng kế
hoạch chi tiết", "hằng năm" with no day). It is listed and tracked as open, "chưa có thời hạn",
and never chased: its occurrences carry ``deadlines.NO_DEADLINE`` until a coordinator sets a
date (``plantrack set-deadline``, or the form on the plan's page), after which they are
reminded and escalated like any other.

``written`` keeps the text's words; ``every`` makes one occurrence per calendar period of the
plan ("hằng năm": ``year``), each open from the period's first day; without it there is one.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import Field

from ..deadlines import NO_DEADLINE_VI, Step, d, undated_deadline
from .base import Dated, DueBase, RuleContext, register

_MONTHS = {"month": 1, "quarter": 3, "half_year": 6, "year": 12}
_ROMAN = ("I", "II", "III", "IV")


def _label(every: str, start: dt.date) -> tuple[str, str]:
    if every == "year":
        return f"{start.year}", f"Năm {start.year}"
    if every == "half_year":
        half = 1 if start.month <= 6 else 2
        return f"{start.year}-H{half}", f"6 tháng {'đầu' if half == 1 else 'cuối'} năm {start.year}"
    if every == "quarter":
        quarter = (start.month - 1) // 3
        return f"{start.year}-Q{quarter + 1}", f"Quý {_ROMAN[quarter]}/{start.year}"
    return f"{start:%Y-%m}", f"Tháng {start:%m/%Y}"


def calendar_periods(every: str, start: dt.date, end: dt.date) -> list[tuple[str, str, dt.date, dt.date]]:
    """The calendar months, quarters, half-years or years that meet [start, end], clipped to it."""
    step = _MONTHS[every]
    found = []
    year, month = start.year, (start.month - 1) // step * step + 1
    while dt.date(year, month, 1) <= end:
        first = dt.date(year, month, 1)
        following = dt.date(year + (month + step - 1) // 12, (month + step - 1) % 12 + 1, 1)
        last = following - dt.timedelta(days=1)
        key, label = _label(every, first)
        found.append((key, label, max(first, start), min(last, end)))
        year, month = following.year, following.month
    return found


@register
class UnscheduledDue(DueBase):
    type: Literal["unscheduled"]
    written: str | None = Field(default=None, min_length=1, max_length=200)  # the text's words: "kịp thời", "hằng năm"
    every: Literal["month", "quarter", "half_year", "year"] | None = None

    @property
    def phrase(self) -> str:
        return f"{NO_DEADLINE_VI} (“{self.written}”)" if self.written else NO_DEADLINE_VI

    def expand(self, context: RuleContext) -> list[Dated]:
        words = f"“{self.written}”" if self.written else "không nêu thời hạn"
        if self.every is None:
            periods = [("once", "Một lần", context.period_start, context.period_end)]
        else:
            periods = calendar_periods(self.every, context.period_start, context.period_end)
        found = []
        for key, label, start, end in periods:
            rule = Step(
                start,
                f"Mục {context.section}: {context.title} — văn bản ghi {words}, không nêu ngày (kỳ {label}, {d(start)}–{d(end)}).",
                f"Section {context.section}: the text says {self.written or 'nothing'} and gives no date ({key}).",
            )
            opens = max(start, min(context.issued_on, end))  # a period under way when the plan is issued opens then
            found.append(Dated(key, label, start, end, opens, undated_deadline(rule, self.phrase)))
        return found

    def period_keys(self) -> list[tuple[tuple, str]]:
        return [(("every",), "2026-H1")] if self.every else []
