"""The time phrases of Vietnamese plans, read into the rules of the plan language.

Each pattern is one ``Phrase``: its name, a regular expression that finds it inside a
sentence or a table cell, an example it must read (tests run every example), and what it
gives: a **deadline** (an obligation's ``due`` rule: ``one_off``, ``within``, ``recurring``,
``reporting_period``, ``adhoc``) or a **time frame** (a running duty's ``timeframe``:
"thường xuyên", "giai đoạn 2026 - 2030", "năm 2025 và các năm tiếp theo"). A phrase that gives
no day ("định kỳ 6 tháng", "hằng năm") still gives a rule, with the day it assumes and a
reason for a person to check (``Timing.review``).

``find_timings(text, issued_on)`` returns every phrase found, in the order of the text; where
two overlap, the one registered first (the more precise: a day beats "hằng năm") wins. ``cell_timing`` reads a table's time cell, where a bare "2025"
or "Thường xuyên" is a phrase too. Nothing here reads the clock.
"""

from __future__ import annotations

import calendar as months
import datetime as dt
import re
from dataclasses import dataclass
from typing import Callable

from .marks import Mark, mark

_DAY = r"(\d{1,2})"
_MON = r"(\d{1,2})"
_YEAR = r"(\d{4})"
_DMY = rf"{_DAY}\s*[/.-]\s*{_MON}\s*[/.-]\s*{_YEAR}|{_DAY}\s+tháng\s+{_MON}\s+năm\s+{_YEAR}"
_ROMAN = {"I": 1, "II": 2, "III": 3, "IV": 4}
_YEARLY = r"(?:hằng|hàng)\s+năm"


@dataclass
class Timing:
    """A time phrase read: the words quoted, and a ``due`` rule or a ``timeframe``."""

    phrase: str  # the pattern's name
    quoted: str  # the words of the text
    start: int  # where they are in the text read
    due: dict | None = None
    timeframe: dict | None = None
    review: Mark | None = None  # why a person should check it (a day assumed, a year guessed)

    @property
    def deadline(self) -> bool:
        return self.due is not None


@dataclass(frozen=True)
class Phrase:
    name: str
    pattern: re.Pattern
    example: str
    read: Callable[[re.Match, dt.date], dict]  # -> {"due": …} or {"timeframe": …}, with "review" if any
    in_cells_only: bool = False  # a bare year or "thường xuyên" is a time only in a time column or after a label


def _date(match: re.Match, first: int) -> dt.date:
    groups = [g for g in match.groups()[first:first + 6] if g is not None][:3]
    day, month, year = (int(g) for g in groups)
    return dt.date(year, month, day)


def _month_end(year: int, month: int) -> dt.date:
    return dt.date(year, month, months.monthrange(year, month)[1])


def _quarter_text(number: str, year: str) -> str:
    roman = number.upper() if number.upper() in _ROMAN else {1: "I", 2: "II", 3: "III", 4: "IV"}[int(number)]
    return f"Quý {roman}/{year}"


PHRASES: list[Phrase] = []


def phrase(name: str, pattern: str, example: str, in_cells_only: bool = False):
    def register(read):
        PHRASES.append(Phrase(name, re.compile(pattern, re.IGNORECASE), example, read, in_cells_only))
        return read
    return register


@phrase("before_day_yearly", rf"trước\s+ngày\s+(?:{_DAY}\s*/\s*{_MON}|{_DAY}\s+tháng\s+{_MON})\s*(?:,\s*)?{_YEARLY}",
        "trước ngày 30 tháng 11 hằng năm")
def _before_yearly(m, issued_on):
    day, month = (int(g) for g in m.groups() if g is not None)
    return {"due": {"type": "recurring", "cron": f"0 0 {day} {month} *", "wording": "before", "key_format": "%Y"}}


@phrase("before_days_yearly", rf"trước\s+(?:các\s+)?ngày\s+{_DAY}\s*/\s*{_MON}\s+và\s+(?:ngày\s+)?{_DAY}\s*/\s*{_MON}\s*(?:,\s*)?{_YEARLY}",
        "trước ngày 01/6 và 15/11 hằng năm")
def _before_two_yearly(m, issued_on):
    return {"dues": [{"type": "recurring", "cron": f"0 0 {int(m[1])} {int(m[2])} *", "wording": "before", "key_format": "%Y"},
                     {"type": "recurring", "cron": f"0 0 {int(m[3])} {int(m[4])} *", "wording": "before", "key_format": "%Y"}]}


@phrase("before_date", rf"trước\s+(?:ngày\s+)?(?:{_DMY})", "trước ngày 15/11/2025")
def _before(m, issued_on):
    return {"due": {"type": "one_off", "before": _date(m, 0)}}


@phrase("at_latest_date", rf"(?:chậm\s+nhất|muộn\s+nhất|hạn\s+chót)\s*(?:là\s+)?(?:vào\s+)?(?:ngày\s+)?(?:{_DMY})", "chậm nhất ngày 20/12/2025")
def _latest(m, issued_on):
    return {"due": {"type": "one_off", "at_latest_on": _date(m, 0)}}


@phrase("before_day_no_year", rf"trước\s+ngày\s+(?:{_DAY}\s*/\s*{_MON}|{_DAY}\s+tháng\s+{_MON})(?![\d/]|\s+năm)", "trước ngày 25 tháng 12")
def _before_no_year(m, issued_on):
    day, month = (int(g) for g in m.groups() if g is not None)
    return {"due": {"type": "recurring", "cron": f"0 0 {day} {month} *", "wording": "before", "key_format": "%Y"},
            "review": mark("day_without_year")}


@phrase("before_year", rf"trước\s+năm\s+{_YEAR}", "trước năm 2027")
def _before_year(m, issued_on):
    return {"due": {"type": "one_off", "before": dt.date(int(m[1]), 1, 1)}}


@phrase("quarter_range", rf"qu[ýí]\s*(I{{1,3}}|IV|[1-4])\s*(?:[/-]|năm)\s*{_YEAR}\s*-\s*qu[ýí]\s*(I{{1,3}}|IV|[1-4])\s*(?:[/-]|năm)\s*{_YEAR}",
        "Quý IV/2025 - Quý II/2026")
def _quarters(m, issued_on):
    return {"due": {"type": "within", "written": f"{_quarter_text(m[1], m[2])} - {_quarter_text(m[3], m[4])}"}}


@phrase("quarter", rf"qu[ýí]\s*(I{{1,3}}|IV|[1-4])\s*(?:[/-]\s*|\s+năm\s+){_YEAR}", "Quý III/2026")
def _quarter(m, issued_on):
    return {"due": {"type": "within", "written": _quarter_text(m[1], m[2])}}


@phrase("month_range", rf"tháng\s*{_MON}\s*(?:-|đến)\s*(?:tháng\s*)?{_MON}\s*(?:/|\s+năm\s+){_YEAR}", "Tháng 11 - 12/2025")
def _months(m, issued_on):
    return {"due": {"type": "within", "written": f"Tháng {int(m[1])} - {int(m[2])}/{m[3]}"}}


@phrase("month", rf"tháng\s*{_MON}\s*(?:/|\s+năm\s+){_YEAR}", "trong tháng 12/2025")
def _month(m, issued_on):
    return {"due": {"type": "within", "written": f"Tháng {int(m[1])}/{m[2]}"}}


@phrase("half_year", rf"6\s+tháng\s+(đầu|cuối)\s+năm\s+{_YEAR}", "6 tháng đầu năm 2026")
def _half(m, issued_on):
    return {"due": {"type": "within", "written": f"6 tháng {m[1].lower()} năm {m[2]}"}}


@phrase("from_year_on", rf"(?:từ\s+)?năm\s+{_YEAR}\s+và\s+(?:các|những)\s+năm\s+tiếp\s+theo", "năm 2025 và các năm tiếp theo")
def _from_year_on(m, issued_on):
    return {"timeframe": {"written": f"năm {m[1]} và các năm tiếp theo"}}


@phrase("year_range", rf"từ\s+năm\s+{_YEAR}\s+(?:đến|tới)\s+(?:hết\s+)?năm\s+{_YEAR}", "từ năm 2026 đến năm 2030")
def _year_range(m, issued_on):
    return {"timeframe": {"written": f"Giai đoạn {m[1]} - {m[2]}"}}


@phrase("from_year", rf"từ\s+(sau\s+)?năm\s+{_YEAR}(?!\s+(?:và|đến)\b)", "thí điểm từ sau năm 2027")
def _from_year(m, issued_on):
    year = int(m[2]) + (1 if m[1] else 0)
    return {"timeframe": {"written": " ".join(m[0].split()), "start": dt.date(year, 1, 1)}}


@phrase("until_year", rf"từ\s+nay\s+đến\s+(?:hết\s+)?(?:năm\s+){_YEAR}", "từ nay đến hết năm 2025")
def _until_year(m, issued_on):
    return {"timeframe": {"written": " ".join(m[0].split()), "until": dt.date(int(m[1]), 12, 31)}}


@phrase("phase", rf"giai\s+đoạn\s+(?:năm\s+)?{_YEAR}\s*[-–]\s*(?:năm\s+)?{_YEAR}", "Giai đoạn 2026 - 2030")
def _phase(m, issued_on):
    return {"timeframe": {"written": f"Giai đoạn {m[1]} - {m[2]}"}}


@phrase("within_year", rf"(?:trong|ban\s+hành\s+trong|hoàn\s+thành\s+trong|thực\s+hiện\s+trong|cuối)\s+năm\s+{_YEAR}", "hoàn thành trong năm 2026")
def _within_year(m, issued_on):
    return {"due": {"type": "within", "written": f"Năm {m[1]}"}}


@phrase("periodic", r"(?:định\s+kỳ\s*(?:mỗi\s+)?(6\s+tháng|hằng\s+quý|hàng\s+quý|quý|hằng\s+tháng|hàng\s+tháng|tháng|hằng\s+năm|hàng\s+năm|năm)"
        r"|(?:báo\s+cáo\s+)?(hằng\s+quý|hàng\s+quý|hằng\s+tháng|hàng\s+tháng|6\s+tháng\s+và\s+năm|6\s+tháng,\s*năm))", "định kỳ 6 tháng")
def _periodic(m, issued_on):
    words = " ".join((m[1] or m[2]).lower().split())
    period = "half_year" if words.startswith("6 tháng") else "quarter" if "quý" in words else "month" if "tháng" in words else "year"
    return {"due": {"type": "reporting_period", "period": period, "cutoff_day": 14, "days_after_cutoff": 1,
                    "basis": "assumed", "note": "Thông lệ Nghị định 09/2019: số liệu đến ngày 14, gửi ngày 15 của tháng cuối kỳ"},
            "review": mark("period_day_assumed")}


@phrase("daily", r"báo\s+cáo\s+(?:\S+\s+){0,4}?(?:hằng|hàng|mỗi)\s+ngày|(?:hằng|hàng|mỗi)\s+ngày\s*(?:,\s*)?báo\s+cáo", "báo cáo hằng ngày")
def _daily(m, issued_on):
    return {"due": {"type": "recurring", "cron": "0 0 * * *", "key_format": "%Y-%m-%d"}}


@phrase("yearly", rf"(?:báo\s+cáo\s+(?:\S+\s+){{0,6}}?{_YEARLY}|{_YEARLY}\s*(?:,\s*)?báo\s+cáo)", "hằng năm báo cáo")
def _yearly(m, issued_on):
    return {"due": {"type": "recurring", "cron": "0 0 15 12 *", "key_format": "%Y", "basis": "assumed",
                    "note": "Văn bản ghi “hằng năm”, không nêu ngày: đặt mặc định 15/12"},
            "review": mark("yearly_day_assumed")}


@phrase("on_request", r"(?:đột\s+xuất|khi\s+có\s+yêu\s+cầu)", "báo cáo đột xuất khi có yêu cầu")
def _on_request(m, issued_on):
    return {"due": {"type": "adhoc", "working_days": 5, "basis": "assumed", "note": "Báo cáo đột xuất: mặc định 05 ngày làm việc"},
            "review": mark("on_request_assumed")}


_RUNNING = r"thường\s+xuyên|liên\s+tục|hằng\s+năm|hàng\s+năm"


@phrase("ongoing", rf"^(?:thực\s+hiện\s+)?(?:{_RUNNING})(?:\s*,?\s*(?:và\s+)?(?:liên\s+tục|thường\s+xuyên|lâu\s+dài))*\b",
        "Thường xuyên, liên tục", in_cells_only=True)
def _ongoing(m, issued_on):
    return {"timeframe": {"written": " ".join(m[0].split()), "ongoing": True}}


@phrase("bare_year", rf"^(?:năm\s+)?{_YEAR}\s*$", "2025", in_cells_only=True)
def _bare_year(m, issued_on):
    return {"due": {"type": "within", "written": f"Năm {m[1]}"}}


@phrase("until_event", r"^(?:sau\s+khi|khi)\s+(?:có|được)\s+.{3,200}$|^theo\s+kế\s+hoạch\s+riêng$", "Sau khi có Quy chế của TW",
        in_cells_only=True)
def _until_event(m, issued_on):
    return {"timeframe": {"written": m[0][:300], "until_event": m[0][:300]},
            "review": mark("waits_on_event")}


@phrase("hours_after", r"trong\s+(?:vòng\s+)?\d{1,3}(?:\s*[-–]\s*\d{1,3})?\s+giờ\s+(?:sau\s+khi|kể\s+từ\s+khi)\s+([^,;.]{3,80})",
        "trong 24-48 giờ sau khi nước rút")
def _hours_after(m, issued_on):
    return {"timeframe": {"written": " ".join(m[0].split())[:300], "until_event": " ".join(m[0].split())[:300]},
            "review": mark("waits_on_event")}


@phrase("bare_year_range", rf"^(?:năm\s+)?{_YEAR}\s*[-–]\s*(?:năm\s+)?{_YEAR}\s*$", "2026 - 2030", in_cells_only=True)
def _bare_years(m, issued_on):
    return {"timeframe": {"written": f"Giai đoạn {m[1]} - {m[2]}"}}


DATED_ONLY = {"month", "within_year", "month_range"}
_DOCUMENT_DATE = re.compile(r"ngày\s+\d{1,2}\s*$", re.IGNORECASE)
ONGOING_WORDS = re.compile(r"thường\s+xuyên|liên\s+tục", re.IGNORECASE)
# In running text, "thường xuyên" says when only where it ends a clause or goes with "liên tục":
# not "giáo dục thường xuyên" (continuing education), "thường xuyên xảy ra" (often).
RUNNING = re.compile(r"thường\s+xuyên\s*,?\s*(?:và\s+)?liên\s+tục|(?<!giáo dục )thường\s+xuyên(?=\s*[.;,)]|\s*$)|"
                     r"liên\s+tục(?=\s*[.;,)]|\s*$)|một\s+cách\s+thường\s+xuyên", re.IGNORECASE | re.MULTILINE)


def find_timings(text: str, issued_on: dt.date, cell: bool = False) -> list[Timing]:
    """Every time phrase in ``text``: the longest where two overlap, in the order of the text.
    With ``cell``, also the phrases read only in a time column or after a time label."""
    found: list[Timing] = []
    for p in PHRASES:
        if p.in_cells_only and not cell:
            continue
        for match in p.pattern.finditer(text):
            if p.name in DATED_ONLY and _DOCUMENT_DATE.search(text, 0, match.start()):
                continue  # "Nghị quyết … ngày 30 tháng 4 năm 2025": a document's date, not a time to do something
            try:
                read = p.read(match, issued_on)
            except ValueError:  # a 31/02: not a date; left for the person
                continue
            quoted = match[0].strip(" ,;.")
            for due in read.get("dues") or [read.get("due")]:  # "trước ngày 01/6 và 15/11 hằng năm": two deadlines
                found.append(Timing(p.name, quoted, match.start(), due, read.get("timeframe"), read.get("review")))
    kept: list[Timing] = []
    for timing in found:  # in the order of PHRASES: the more precise first (a day beats "hằng năm")
        end = timing.start + len(timing.quoted)
        if any(timing.start < k.start + len(k.quoted) and k.start < end and k.phrase != timing.phrase for k in kept):
            continue  # overlaps a phrase already kept (the deadlines of one phrase all stay)
        kept.append(timing)
    return sorted(kept, key=lambda t: t.start)


def cell_timing(text: str, issued_on: dt.date) -> list[Timing]:
    """A table's time cell: its phrases; "Thường xuyên" or a bare year count here."""
    found = find_timings(text, issued_on, cell=True)
    running = ONGOING_WORDS.search(text)
    if running and not any(t.timeframe and t.timeframe.get("ongoing") for t in found):  # "… trong năm 2026 và vận hành thường xuyên, liên tục"
        found.append(Timing("ongoing", running[0], running.start(), timeframe={"written": running[0], "ongoing": True}))
    return found
