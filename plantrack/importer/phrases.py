"""The time phrases of Vietnamese plans, read into the rules of the plan language.

Each pattern is one ``Phrase``: its name, a regular expression that finds it inside a
sentence or a table cell, an example it must read (tests run every example), and what it
gives: a **deadline** (an obligation's ``due`` rule: ``one_off``, ``within``, ``recurring``,
``reporting_period``, ``adhoc``) or a **time frame** (a running duty's ``timeframe``:
"thường xuyên", "giai đoạn 2026 - 2030", "năm 2025 và các năm tiếp theo", "từ tháng 11/2025 đến
khi kết thúc …"); "Sau khi có …" as a time gives both, a frame until the event and a deadline ``after`` it
whose day a person sets once it comes. A periodic report without a day ("định kỳ 6 tháng báo cáo") still gives a rule,
with the day it assumes and a reason for a person to check (``Timing.review``); "hằng năm báo
cáo" without a day is a report a year whose day is left to a person (``unscheduled``), and "định
kỳ hằng năm đánh giá" (no report) is work at a cadence (a running time frame).

``find_timings(text, issued_on)`` returns every phrase found in a **time position** of running
text, in the order of the text; where two overlap, the one registered first (the more precise: a
day beats "hằng năm") wins. A phrase is in a time position where its own words make it a
deadline clause ("trước ngày …", "chậm nhất …", "hoàn thành trong …", "định kỳ …", "báo cáo …
hằng quý", "từ … đến …"), where a time word leads it ("trong", "vào", "từ", "đến", "thời gian"),
where it opens the text, or where it ends a clause after a comma or a bracket ("…, quý IV/2025.").
"trợ cấp hằng tháng", "Chương trình … giai đoạn 2021 - 2025" or a report named "6 tháng đầu năm
2026" say no time. A day the text writes is never replaced by a default: a period without a day
("định kỳ hằng quý") takes Decree 09/2019's only where its sentence writes no day. A day without
a year is every year in a recurring clause ("định kỳ … trước ngày 20/11"), else the first such day
after the issue date, marked. ``cell_timing`` reads a table's time cell or a time label's words,
where a bare "2025" or "Thường xuyên" is a phrase too. Nothing here reads the clock.
"""

from __future__ import annotations

import calendar as months
import datetime as dt
import re
from dataclasses import dataclass
from typing import Callable

from ..rules.within import parse_window
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


@phrase("from_until_event", rf"(?:từ\s+(?:ngày\s+(?:{_DMY})|tháng\s*{_MON}\s*(?:/|\s+năm\s+){_YEAR}|năm\s+{_YEAR}|nay)\s*,?\s+)?"
        r"(?:cho\s+)?(?:đến|tới)\s+khi\s+([^.;\n()]{3,150})", "Từ tháng 11/2025 đến khi kết thúc kiểm kê")
def _from_until_event(m, issued_on):
    groups = m.groups()
    start = None
    if groups[0] or groups[3]:
        start = _date(m, 0)
    elif groups[6]:
        start = dt.date(int(groups[7]), int(groups[6]), 1)
    elif groups[8]:
        start = dt.date(int(groups[8]), 1, 1)
    event = " ".join(groups[9].split()).strip(" ,")
    frame = {"written": " ".join(m[0].split())[:300], "until_event": event[:300]}
    if start:
        frame["start"] = start
    return {"timeframe": frame}


@phrase("date_span", rf"từ\s+(?:ngày\s+)?(?:{_DMY})\s+(?:đến|tới)\s+(?:hết\s+)?(?:ngày\s+)?(?:{_DMY})", "từ ngày 01/12/2025 đến ngày 15/01/2026")
def _date_span(m, issued_on):
    return {"timeframe": {"written": " ".join(m[0].split()), "start": _date(m, 0), "until": _date(m, 6)}}


@phrase("month_span", rf"từ\s+tháng\s*{_MON}\s*(?:/|\s+năm\s+){_YEAR}\s+(?:đến|tới)\s+(?:hết\s+)?tháng\s*{_MON}\s*(?:/|\s+năm\s+){_YEAR}",
        "từ tháng 10 năm 2025 đến hết tháng 3 năm 2026")
def _month_span(m, issued_on):
    return {"timeframe": {"written": " ".join(m[0].split()), "start": dt.date(int(m[2]), int(m[1]), 1), "until": _month_end(int(m[4]), int(m[3]))}}


@phrase("from_date", rf"(?:kể\s+)?từ\s+(?:ngày\s+)?(?:{_DMY})(?!\s*(?:đến|tới|-))", "Từ 01/7/2025")
def _from_date(m, issued_on):
    return {"timeframe": {"written": " ".join(m[0].split()), "start": _date(m, 0)}}


@phrase("before_day_monthly",
        rf"(?:(?:trước|chậm\s+nhất|muộn\s+nhất)\s*(?:là\s+)?(?:vào\s+)?|vào\s+)?ngày\s+{_DAY}\s*(?:,\s*)?(?:của\s+)?(?:hằng|hàng|mỗi)\s+tháng",
        "trước ngày 20 hằng tháng")
def _before_monthly(m, issued_on):
    wording = "before" if m[0].lower().startswith("trước") else "at_latest_on"
    return {"due": {"type": "recurring", "cron": f"0 0 {int(m[1])} * *", "wording": wording, "key_format": "%Y-%m"}}


@phrase("days_from_issue", r"trong\s+(?:thời\s+hạn\s+|vòng\s+)?(\d{1,3})\s+ngày\s*(?:,\s*)?(?:kể\s+)?từ\s+ngày\s+(?:ký|ban\s+hành|"
        r"(?:Kế\s+hoạch|Quyết\s+định|văn\s+bản)\s+(?:này\s+)?(?:được\s+)?(?:ký|ban\s+hành))", "trong thời hạn 15 ngày kể từ ngày ký")
def _days_from_issue(m, issued_on):
    return {"due": {"type": "one_off", "at_latest_on": issued_on + dt.timedelta(days=int(m[1]))}}


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


@phrase("before_days_no_year", rf"trước\s+(?:các\s+)?ngày\s+{_DAY}\s*/\s*{_MON}\s+và\s+(?:ngày\s+)?{_DAY}\s*/\s*{_MON}(?![\d/]|\s+năm)",
        "trước ngày 15/6 và 15/12")
def _before_two_no_year(m, issued_on):
    return {"dues": [{"type": "recurring", "cron": f"0 0 {int(m[1])} {int(m[2])} *", "wording": "before", "key_format": "%Y"},
                     {"type": "recurring", "cron": f"0 0 {int(m[3])} {int(m[4])} *", "wording": "before", "key_format": "%Y"}],
            "review": mark("day_without_year")}


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


@phrase("at_latest_no_year",
        rf"(?:chậm\s+nhất|muộn\s+nhất|hạn\s+chót)\s*(?:là\s+)?(?:vào\s+)?(?:ngày\s+)?(?:{_DAY}\s*/\s*{_MON}|{_DAY}\s+tháng\s+{_MON})(?![\d/]|\s+năm)",
        "chậm nhất ngày 17 tháng 12")
def _latest_no_year(m, issued_on):
    day, month = (int(g) for g in m.groups() if g is not None)
    return {"due": {"type": "recurring", "cron": f"0 0 {day} {month} *", "wording": "at_latest_on", "key_format": "%Y"},
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


@phrase("months_end_of_year",
        rf"trong\s+(\d{{1,2}})\s+tháng\s+cuối\s+năm\s+{_YEAR}(\s*,?\s*(?:và\s+)?(?:những|các|mấy)\s+tháng\s+đầu\s+năm\s+{_YEAR})?",
        "trong 02 tháng cuối năm 2025 và những tháng đầu năm 2026")
def _months_end_of_year(m, issued_on):
    # "trong 02 tháng cuối năm 2025": from November to the year's end; "… và những tháng đầu năm 2026": it runs on, its end unsaid
    count, year = int(m[1]), int(m[2])
    if not 1 <= count <= 12:
        raise ValueError("not a count of months")
    frame = {"written": " ".join(m[0].split()), "start": dt.date(year, 13 - count, 1)}
    if not m[3]:
        frame["until"] = dt.date(year, 12, 31)
    return {"timeframe": frame}


@phrase("phase", rf"giai\s+đoạn\s+(?:năm\s+)?{_YEAR}\s*[-–]\s*(?:năm\s+)?{_YEAR}", "Giai đoạn 2026 - 2030")
def _phase(m, issued_on):
    return {"timeframe": {"written": f"Giai đoạn {m[1]} - {m[2]}"}}


@phrase("within_year", rf"(?:trong|ban\s+hành\s+trong|hoàn\s+thành\s+trong|thực\s+hiện\s+trong|cuối)\s+năm\s+{_YEAR}", "hoàn thành trong năm 2026")
def _within_year(m, issued_on):
    if re.search(r"tháng\s+$", m.string[max(0, m.start() - 8):m.start()], re.IGNORECASE):
        raise ValueError("“02 tháng cuối năm 2025”: a span of months, not the year")
    return {"due": {"type": "within", "written": f"Năm {m[1]}"}}


_PERIOD_WORDS = r"6\s+tháng|hằng\s+quý|hàng\s+quý|quý|hằng\s+tháng|hàng\s+tháng|tháng|hằng\s+năm|hàng\s+năm|năm"
_PER_REPORT = r"hằng\s+quý|hàng\s+quý|hằng\s+tháng|hàng\s+tháng|mỗi\s+quý|mỗi\s+tháng|6\s+tháng\s+và\s+(?:hằng\s+|hàng\s+)?năm|6\s+tháng,\s*năm"


def _reporting(words: str) -> dict:
    words = " ".join(words.lower().split())
    period = "half_year" if words.startswith("6 tháng") else "quarter" if "quý" in words else "month" if "tháng" in words else "year"
    return {"due": {"type": "reporting_period", "period": period, "cutoff_day": 14, "days_after_cutoff": 1,
                    "basis": "assumed", "note": "Thông lệ Nghị định 09/2019: số liệu đến ngày 14, gửi ngày 15 của tháng cuối kỳ"},
            "review": mark("period_day_assumed")}


@phrase("periodic",
        rf"định\s+kỳ\s*(?:mỗi\s+)?\(?\s*({_PERIOD_WORDS})\b|báo\s+cáo\s+(?:[^\s.;]+\s+){{0,6}}?({_PER_REPORT})\b|({_PER_REPORT})\s*,?\s*báo\s+cáo",
        "định kỳ 6 tháng báo cáo kết quả")
def _periodic(m, issued_on):
    return _reporting(m[1] or m[2] or m[3])


@phrase("periodic_cell", rf"^(?:báo\s+cáo\s+)?({_PER_REPORT})\b", "Hằng quý", in_cells_only=True)
def _periodic_cell(m, issued_on):
    return _reporting(m[1])


@phrase("daily", r"báo\s+cáo\s+(?:\S+\s+){0,4}?(?:hằng|hàng|mỗi)\s+ngày|(?:hằng|hàng|mỗi)\s+ngày\s*(?:,\s*)?báo\s+cáo", "báo cáo hằng ngày")
def _daily(m, issued_on):
    return {"due": {"type": "recurring", "cron": "0 0 * * *", "key_format": "%Y-%m-%d"}}


@phrase("yearly", rf"(?:báo[ \t]+cáo[ \t]+(?:[^\s]+[ \t]+){{0,6}}?{_YEARLY}|{_YEARLY}[ \t]*(?:,[ \t]*)?báo[ \t]+cáo)", "hằng năm báo cáo")
def _yearly(m, issued_on):
    # "hằng năm báo cáo" with no day: one report a year, open until a person sets its day (no date guessed)
    return {"due": {"type": "unscheduled", "written": " ".join(m[0].split())[:200], "every": "year"}}


@phrase("on_request", r"(?:báo\s+cáo\s+)?(?:đột\s+xuất(?:\s*(?:,\s*)?khi\s+có\s+yêu\s+cầu)?|khi\s+có\s+yêu\s+cầu)", "báo cáo đột xuất khi có yêu cầu")
def _on_request(m, issued_on):
    return {"due": {"type": "adhoc", "working_days": 5, "basis": "assumed", "note": "Báo cáo đột xuất: mặc định 05 ngày làm việc"},
            "review": mark("on_request_assumed")}


_RUNNING = r"thường\s+xuyên|liên\s+tục|hằng\s+năm|hàng\s+năm"


@phrase("ongoing", rf"^(?:thực\s+hiện\s+)?(?:{_RUNNING})(?:\s*,?\s*(?:và\s+)?(?:liên\s+tục|thường\s+xuyên|lâu\s+dài))*\b",
        "Thường xuyên, liên tục", in_cells_only=True)
def _ongoing(m, issued_on):
    return {"timeframe": {"written": " ".join(m[0].split()), "ongoing": True}}


@phrase("by_yearly_plan", rf"^theo\s+(?:các\s+)?(?:kế\s+hoạch|chương\s+trình)\b[^.;\n]{{0,120}}?\b{_YEARLY}\b", "Theo kế hoạch công tác hằng năm",
        in_cells_only=True)
def _by_yearly_plan(m, issued_on):
    # "Thời gian thực hiện: Theo kế hoạch công tác tư pháp hằng năm": done every year as that plan sets, a running duty
    return {"timeframe": {"written": " ".join(m[0].split()), "ongoing": True}}


@phrase("bare_year", rf"^(?:năm\s+)?{_YEAR}\s*$", "2025", in_cells_only=True)
def _bare_year(m, issued_on):
    return {"due": {"type": "within", "written": f"Năm {m[1]}"}}


@phrase("until_event", r"^(?:sau\s+khi|khi)\s+(?:có|được)\s+.{3,200}$|^theo\s+kế\s+hoạch\s+riêng$", "Sau khi có Quy chế của TW",
        in_cells_only=True)
def _until_event(m, issued_on):
    after = re.match(r"(?i:sau\s+khi)\s+(.+)$", " ".join(m[0].split()))
    if after:  # "Sau khi có Quy chế của TW": the work waits on it, and is due once it comes (a person sets the day then)
        return {"timeframe": {"written": m[0][:300], "until_event": m[0][:300]},
                "due": {"type": "after", "event": after[1].strip(" .;,")[:200]}}
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

# Phrases whose own words make a deadline clause or a time frame: read wherever they stand.
SELF_PLACED = {"days_from_issue", "from_until_event", "date_span", "month_span", "from_date", "before_day_monthly", "before_day_yearly",
               "before_days_yearly", "before_days_no_year", "before_date", "at_latest_date", "at_latest_no_year", "before_day_no_year",
               "before_year",
               "months_end_of_year", "from_year_on", "year_range", "from_year", "until_year", "within_year", "periodic", "daily", "yearly",
               "on_request", "hours_after"}
# A window ("Quý IV/2025", "tháng 12/2025", "giai đoạn 2026 - 2030") in running text is a time only after a time word …
_LED = re.compile(r"(?:\b(?:trước|trong|vào|từ|đến|tới|hết|xong|thời\s+gian|thời\s+hạn|dự\s+kiến|chậm\s+nhất|muộn\s+nhất|hạn\s+chót|hoàn\s+thành|"
                  r"thực\s+hiện\s+trong|kể\s+từ|cuối|đầu|giữa|ngay)|[:(\[–-])\s*(?:ngày\s+)?$", re.IGNORECASE)
# … or where it opens the text, or ends a clause after a comma or a bracket ("…, quý IV/2025.").
_OPENS = re.compile(r"(?:^|\n)\s*(?:[-+•*]\s*)?(?:\(\s*)?$")
_AFTER_COMMA = re.compile(r"[,(]\s*$")
_ENDS = re.compile(r"^\s*\)?\s*(?:[.;\n]|$)")
_RECURRING = re.compile(r"hằng\s+năm|hàng\s+năm|mỗi\s+năm|định\s+kỳ|các\s+năm|năm\s+(?:tiếp\s+theo|sau)\b", re.IGNORECASE)
_EVERY_YEAR = re.compile(r"(?:hằng|hàng|mỗi)\s+năm", re.IGNORECASE)
_SENTENCE_END = re.compile(r"[.;\n]")
_REPORT = re.compile(r"báo\s+cáo", re.IGNORECASE)
_TOPIC = re.compile(r"^\s*(?:\d+\.\s*)?Về\s+[^:\n]{3,400}:")  # a conclusion's matter: "Về dự án …: Bộ X …"
_DAY_OF_MONTH = re.compile(r"(trước|chậm\s+nhất|muộn\s+nhất|vào|ngày)\s*(?:là\s+)?(?:vào\s+)?(?:ngày\s+)?(\d{1,2})(?![\d/.]|\s*tháng\s*\d|\s*-)",
                           re.IGNORECASE)


def _in_time_position(text: str, start: int, end: int) -> bool:
    before = text[max(0, start - 40):start]
    return bool(_LED.search(before) or _OPENS.search(before) or (_AFTER_COMMA.search(before) and _ENDS.match(text[end:end + 5])))


def _sentence_of(text: str, start: int, end: int) -> tuple[int, int]:
    """The clause around text[start:end]: from the last ".", ";" or line break before it to the next one."""
    opening = max((m.end() for m in _SENTENCE_END.finditer(text, 0, start)), default=0)
    closing = _SENTENCE_END.search(text, end)
    return opening, closing.start() if closing else len(text)


def _next_day(day: int, month: int, issued_on: dt.date) -> dt.date:
    """The first day D/M on or after the issue date (a 29/02 falls back to the 28th)."""
    for year in (issued_on.year, issued_on.year + 1):
        try:
            candidate = dt.date(year, month, day)
        except ValueError:
            candidate = dt.date(year, month, 28)
        if candidate >= issued_on:
            return candidate
    return candidate


def find_timings(text: str, issued_on: dt.date, cell: bool = False) -> list[Timing]:
    """Every time phrase in ``text`` (in a time position, unless ``cell``): the longest where two
    overlap, in the order of the text. With ``cell`` (a time column, a time label's words), every
    phrase counts, and also those read only there ("2025", "Thường xuyên")."""
    found: list[Timing] = []
    topic = 0 if cell or not (m := _TOPIC.match(text)) else m.end()
    for p in PHRASES:
        if p.in_cells_only and not cell:
            continue
        for match in p.pattern.finditer(text):
            if match.start() < topic:
                continue  # "Về điều chuyển số vốn không giải ngân trong năm 2025: …": the matter, not its time
            if p.name in DATED_ONLY and _DOCUMENT_DATE.search(text, 0, match.start()):
                continue  # "Nghị quyết … ngày 30 tháng 4 năm 2025": a document's date, not a time to do something
            if not cell and p.name not in SELF_PLACED and not _in_time_position(text, match.start(), match.end()):
                continue  # "Chương trình … giai đoạn 2021 - 2025", "Báo cáo 6 tháng đầu năm 2026": a name, not a time
            if not cell and p.name == "on_request" and not _REPORT.search(text, *_sentence_of(text, match.start(), match.end())):
                continue  # "bản tin … phát hành định kỳ và đột xuất": no report asked for
            try:
                read = p.read(match, issued_on)
            except ValueError:  # a 31/02: not a date; left for the person
                continue
            quoted = match[0].strip(" ,;.")
            if read.get("timeframe") is not None:  # a time frame, and with "Sau khi có …" a deadline after it too
                found.append(Timing(p.name, quoted, match.start(), None, read["timeframe"], read.get("review")))
            for due in read.get("dues") or ([read["due"]] if read.get("due") else []):  # "trước ngày 01/6 và 15/11 hằng năm": two
                found.append(Timing(p.name, quoted, match.start(), due, None, read.get("review")))
    kept: list[Timing] = []
    for timing in found:  # in the order of PHRASES: the more precise first (a day beats "hằng năm")
        end = timing.start + len(timing.quoted)
        if any(timing.start < k.start + len(k.quoted) and k.start < end and k.phrase != timing.phrase for k in kept):
            continue  # overlaps a phrase already kept (the deadlines of one phrase all stay)
        kept.append(timing)
    if not cell:  # "ngay từ đầu tháng 5/2021" in a plan of 2025: history, not a time to do something
        kept = [t for t in kept if t.phrase in SELF_PLACED or not _over_before(t, issued_on)]
    return sorted(_written_days_win(text, kept, issued_on), key=lambda t: t.start)


def _over_before(timing: Timing, issued_on: dt.date) -> bool:
    """Whether the time a phrase gives is over before the plan is issued."""
    try:
        if timing.due is not None:
            due = timing.due
            if due["type"] == "one_off":
                return (due.get("before") or due.get("at_latest_on")) < issued_on
            if due["type"] == "within":
                return parse_window(due["written"])[1] < issued_on
        elif timing.timeframe.get("until"):
            return timing.timeframe["until"] < issued_on
        elif timing.timeframe.get("written") and not timing.timeframe.get("start"):
            return parse_window(timing.timeframe["written"])[1] < issued_on
    except (ValueError, KeyError, TypeError):
        return False
    return False


_DAYS = {"days_from_issue", "before_day_monthly", "before_day_yearly", "before_days_yearly", "before_days_no_year", "before_date",
         "at_latest_date", "at_latest_no_year", "before_day_no_year"}


def _written_days_win(text: str, timings: list[Timing], issued_on: dt.date) -> list[Timing]:
    """A day the text writes is never replaced: a period without a day ("định kỳ hằng quý") is
    dropped where its sentence writes one ("định kỳ 6 tháng, trước ngày 15/6 và 15/12"), and a
    day without a year is every year in a recurring clause, else the next such day (marked)."""
    result = []
    for timing in timings:
        clause = _sentence_of(text, timing.start, timing.start + len(timing.quoted))
        if timing.phrase in ("periodic", "yearly") and any(
                t.phrase in _DAYS and clause[0] <= t.start < clause[1] for t in timings):
            continue  # "định kỳ hằng năm … trước ngày 15 tháng 12": the written day is the rule
        if timing.phrase == "periodic" and not _REPORT.search(text, *clause):
            # "định kỳ (hằng năm) đánh giá tiến độ": work done at a cadence, not a report with a deadline
            words = " ".join(timing.quoted.replace("(", " ").split())
            timing = Timing("cadence", timing.quoted, timing.start, timeframe={"written": words, "ongoing": True})
            result.append(timing)
            continue
        day_only = _DAY_OF_MONTH.search(text, *clause) if timing.phrase == "periodic" else None
        if day_only:
            wording = "before" if day_only[1].lower().startswith("trước") else "at_latest_on"
            day = int(day_only[2])
            if timing.due["period"] == "month":  # "định kỳ hằng tháng, báo cáo trước ngày 20": the 20th of every month
                timing = Timing("before_day_monthly", timing.quoted, timing.start,
                                {"type": "recurring", "cron": f"0 0 {day} * *", "wording": wording, "key_format": "%Y-%m"})
            elif 14 < day <= 28 and re.search(r"tháng\s+cuối", text[clause[0]:clause[1]], re.IGNORECASE):
                # "định kỳ hằng quý, trước ngày 20 của tháng cuối quý": Decree 09's cut-off, the written day
                timing = Timing(timing.phrase, timing.quoted, timing.start,
                                {"type": "reporting_period", "period": timing.due["period"], "cutoff_day": 14,
                                 "days_after_cutoff": day - 14, "wording": wording})
            else:  # a day the draft cannot place in the period: the default stays, and the mark says a day was written
                timing = Timing(timing.phrase, timing.quoted, timing.start, timing.due,
                                review=mark("period_day_unread", words=day_only[0]))
        if timing.phrase in ("before_day_no_year", "before_days_no_year", "at_latest_no_year") and not _RECURRING.search(text, *clause):
            cron = timing.due["cron"].split()
            day = _next_day(int(cron[2]), int(cron[3]), issued_on)
            wording = timing.due["wording"] if timing.due["wording"] == "before" else "at_latest_on"
            timing = Timing(timing.phrase, timing.quoted, timing.start, {"type": "one_off", wording: day},
                            review=mark("year_inferred", words=day.strftime("%d/%m/%Y")))
        elif timing.phrase in ("before_day_no_year", "before_days_no_year", "at_latest_no_year") and _EVERY_YEAR.search(text, *clause):
            # "định kỳ hằng năm gửi báo cáo … trước ngày 15 tháng 12": the text says every year, nothing is guessed
            timing = Timing(timing.phrase, timing.quoted, timing.start, timing.due, timing.timeframe)
        result.append(timing)
    return result


def cell_timing(text: str, issued_on: dt.date) -> list[Timing]:
    """A table's time cell: its phrases; "Thường xuyên" or a bare year count here."""
    found = find_timings(text.strip().rstrip(".;,").rstrip(), issued_on, cell=True)  # "Năm 2026." is a bare year too
    running = ONGOING_WORDS.search(text)
    if running and not any(t.timeframe and t.timeframe.get("ongoing") for t in found):  # "… trong năm 2026 và vận hành thường xuyên, liên tục"
        found.append(Timing("ongoing", running[0], running.start(), timeframe={"written": running[0], "ongoing": True}))
    return found
