"""``within``: a time frame the text gives as a month, a quarter, a half-year, a year or a
range of them, kept as written ("Quý III/2026", "Tháng 11 - 12/2025", "năm 2026 - 2027",
"Quý IV/2025 - Quý II/2026", "6 tháng đầu năm 2026"). The work opens on the window's first day
(or the plan's issue, if later) and is due by its last day, which art. 148(5) may move; the
explanation quotes the text's words. Nothing is bent into an invented date."""

from __future__ import annotations

import calendar as months
import datetime as dt
import re
from typing import Literal

from pydantic import field_validator

from ..deadlines import Step, d, resolve_deadline
from .base import Dated, DueBase, RuleContext, register, window_text

_ROMAN = {"I": 1, "II": 2, "III": 3, "IV": 4}
_YEAR = r"(\d{4})"
# "Quý III/2026", a table's "Quí IV-2025", a decision's "quý I năm 2026"
_QUARTER = r"qu[ýí]\s*(I{1,3}|IV|[1-4])\s*(?:[/-]|\s*năm)\s*" + _YEAR
_MONTH = r"tháng\s*(\d{1,2})\s*(?:/\s*|\s+năm\s+)" + _YEAR  # "Tháng 12/2025", a conclusion's "tháng 12 năm 2025"
EXAMPLES = ("'Tháng 11/2025', 'Tháng 11 - 12/2025', 'Quý III/2026', 'Quý IV/2025 - Quý II/2026', 'Năm 2026', '2026', "
            "'năm 2026 - 2027', 'giai đoạn 2026 - 2027', 'quý I năm 2026', 'tháng 12 năm 2025', '6 tháng đầu năm 2026'")


def _month_end(year: int, month: int) -> dt.date:
    return dt.date(year, month, months.monthrange(year, month)[1])


def _quarter(number: str, year: str) -> tuple[dt.date, dt.date]:
    q = _ROMAN.get(number.upper()) or int(number)
    return dt.date(int(year), 3 * q - 2, 1), _month_end(int(year), 3 * q)


def parse_window(text: str) -> tuple[dt.date, dt.date]:
    """The first and last day of a time frame written in Vietnamese; ValueError otherwise."""
    t = " ".join(text.strip().lower().replace("–", "-").replace("—", "-").split())
    t = re.sub(r"^(trong|vào|từ)\s+", "", t)
    t = re.sub(r"^giai\s+đoạn\s+(?:năm\s*)?(?=\d{4}\s*-)", "năm ", t)  # "giai đoạn 2026 - 2030": a range of years
    patterns = [
        (rf"^{_QUARTER}\s*-\s*{_QUARTER}$", lambda m: (_quarter(m[1], m[2])[0], _quarter(m[3], m[4])[1])),
        (rf"^{_QUARTER}$", lambda m: _quarter(m[1], m[2])),
        (rf"^tháng\s*(\d{{1,2}})\s*-\s*(?:tháng\s*)?(\d{{1,2}})\s*/\s*{_YEAR}$",
         lambda m: (dt.date(int(m[3]), int(m[1]), 1), _month_end(int(m[3]), int(m[2])))),
        (rf"^{_MONTH}\s*-\s*{_MONTH}$", lambda m: (dt.date(int(m[2]), int(m[1]), 1), _month_end(int(m[4]), int(m[3])))),
        (rf"^{_MONTH}$", lambda m: (dt.date(int(m[2]), int(m[1]), 1), _month_end(int(m[2]), int(m[1])))),
        (rf"^6 tháng đầu năm\s*{_YEAR}$", lambda m: (dt.date(int(m[1]), 1, 1), dt.date(int(m[1]), 6, 30))),
        (rf"^6 tháng cuối năm\s*{_YEAR}$", lambda m: (dt.date(int(m[1]), 7, 1), dt.date(int(m[1]), 12, 31))),
        (rf"^năm\s*{_YEAR}\s*-\s*(?:năm\s*)?{_YEAR}$", lambda m: (dt.date(int(m[1]), 1, 1), dt.date(int(m[2]), 12, 31))),
        (rf"^năm\s*{_YEAR}$", lambda m: (dt.date(int(m[1]), 1, 1), dt.date(int(m[1]), 12, 31))),
        (rf"^{_YEAR}$", lambda m: (dt.date(int(m[1]), 1, 1), dt.date(int(m[1]), 12, 31))),  # a task table's "2025"
        (rf"^{_YEAR}\s*-\s*{_YEAR}$", lambda m: (dt.date(int(m[1]), 1, 1), dt.date(int(m[2]), 12, 31))),
    ]
    for pattern, window in patterns:
        match = re.match(pattern, t, re.IGNORECASE)
        if match:
            try:
                start, end = window(match)
            except ValueError:
                break  # a month 13
            if end < start:
                raise ValueError(f"{text!r} ends before it starts")
            return start, end
    raise ValueError(f"not a time frame this rule reads: {text!r}; write it as the text does, e.g. {EXAMPLES}")


@register
class WithinDue(DueBase):
    type: Literal["within"]
    written: str  # the text's words, e.g. "Quý III/2026"

    @field_validator("written")
    @classmethod
    def _readable(cls, value: str) -> str:
        if len(value) > 100 or any(ord(c) < 32 for c in value):
            raise ValueError("a time frame is one line of at most 100 characters")
        parse_window(value)
        return value

    @property
    def window(self) -> tuple[dt.date, dt.date]:
        return parse_window(self.written)

    def expand(self, context: RuleContext) -> list[Dated]:
        start, end = self.window
        rule = Step(
            end,
            f"Mục {context.section}: {context.title} — thời gian thực hiện “{self.written}” ({d(start)}–{d(end)}): "
            f"hạn là ngày cuối cùng của khoảng thời gian đó.",
            f"Section {context.section}: to be done within “{self.written}” ({d(start)}–{d(end)}): due by its last day.",
        )
        deadline = resolve_deadline(end, "at_latest_on", context.calendar, rule, self.basis_step(end), words=f"trong {self.written}")
        opens = max(start, min(context.issued_on, deadline.due_date))
        return [Dated("once", self.written, start, end, opens, deadline)]

    def problem(self, period_start, period_end, issued_on) -> str | None:
        start, end = self.window
        if start > period_end:
            return f"“{self.written}” starts after the plan ends ({window_text(period_start, period_end)})"
        return None

    def warnings(self, period_start, period_end, issued_on) -> list[tuple[tuple, str]]:
        start, end = self.window
        if end < issued_on:
            return [(("written",), f"“{self.written}” ended before the plan was issued ({issued_on:%d/%m/%Y})")]
        if end < period_start:
            return [(("written",), f"“{self.written}” ends before the plan starts ({window_text(period_start, period_end)})")]
        if end > period_end:  # one that starts after the plan ends is refused (``problem``)
            return [(("written",), f"“{self.written}” ends on {end:%d/%m/%Y}, after the plan ends ({window_text(period_start, period_end)}): "
                                   "it falls due then")]
        return []
