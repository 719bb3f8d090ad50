"""A duty's time frame: the window over which it runs, as the text gives it.

Plans set running duties, not only deliverables: "thường xuyên" (all through the plan), "từ
tháng 11/2025 đến khi kết thúc kiểm kê" (from a date until an event), "năm 2025 và các năm
tiếp theo" (from a year on), "Quý III/2026" (a window). ``TimeFrame`` keeps the words and the
dates they mean; ``span`` resolves it against the plan's period, and a duty is **active** on a
day inside its span (``plantrack duties --as-of``, the unit page).
"""

from __future__ import annotations

import datetime as dt
import re

from pydantic import model_validator

from .rules.base import Strict
from .rules.within import parse_window

_FROM_YEAR_ON = re.compile(r"^(?:từ\s+)?năm\s+(\d{4})\s+và\s+(?:các|những)\s+năm\s+tiếp\s+theo$", re.IGNORECASE)
_ONGOING = re.compile(r"^(thường xuyên|liên tục|hằng năm|hàng năm|định kỳ)$", re.IGNORECASE)


class TimeFrame(Strict):
    written: str | None = None  # the text's words
    start: dt.date | None = None  # default: the plan's start (or the written window's)
    until: dt.date | None = None  # default: the plan's end (or the written window's)
    until_event: str | None = None  # "đến khi kết thúc kiểm kê": runs until then, at most to the plan's end
    ongoing: bool = False  # "thường xuyên": all through the plan

    @model_validator(mode="after")
    def _consistent(self) -> "TimeFrame":
        for text in (self.written, self.until_event):
            if text is not None and (len(text) > 300 or any(ord(c) < 32 for c in text)):
                raise ValueError("a time frame's words are one line of at most 300 characters")
        if self.start and self.until and self.until < self.start:
            raise ValueError(f"the time frame ends ({self.until}) before it starts ({self.start})")
        if self.written and not (self.start or self.until or self.ongoing or self.until_event):
            _read(self.written)  # words alone must say when: refuse what cannot be read
        return self

    def span(self, period_start: dt.date, period_end: dt.date) -> tuple[dt.date, dt.date]:
        """The first and last day the duty runs, within the plan."""
        start, until = self.start, self.until
        if self.written and not self.ongoing and (start is None or until is None):
            read = _read(self.written, strict=bool(self.until_event or start or until))
            if read is not None:
                start, until = start or read[0], until or read[1]
        return max(start or period_start, period_start), min(until or period_end, period_end)

    def label(self) -> str:
        return self.written or ("thường xuyên" if self.ongoing else "")


def _read(written: str, strict: bool = False) -> tuple[dt.date, dt.date | None] | None:
    """Dates that a time frame's words give: a window, "năm X và các năm tiếp theo", or ongoing."""
    text = " ".join(written.split())
    if _ONGOING.match(text):
        return None
    match = _FROM_YEAR_ON.match(text)
    if match:
        return dt.date(int(match[1]), 1, 1), None
    try:
        return parse_window(text)
    except ValueError:
        if strict:
            return None
        raise ValueError(
            f"cannot tell when {written!r} runs: give 'start'/'until' (or 'ongoing: true', or 'until_event'), "
            "or words such as 'thường xuyên', 'Quý III/2026', 'năm 2025 và các năm tiếp theo'"
        ) from None


def active_on(start: dt.date | None, until: dt.date | None, day: dt.date) -> bool:
    return (start is None or start <= day) and (until is None or day <= until)
