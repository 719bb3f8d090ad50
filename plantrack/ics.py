"""A unit's deadlines as an iCalendar file (RFC 5545) that calendar applications import,
written by the ``icalendar`` package (escaping and line folding are its job).

Each occurrence is an all-day event on the deadline in force, with a reminder three days
before; the description carries the deadline's explanation. UIDs are stable, so importing a
newer file updates the events instead of duplicating them. Text from plan files or
requests is put on one line per field (a raw CR or LF never reaches the file).
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Iterable

from icalendar import Alarm, Calendar, Event

from .assumptions import sentence
from .tracking import OccurrenceStatus, Status

_CONTROL = re.compile(r"[\x00-\x1f\x7f]+")


def _line(text: str) -> str:
    return _CONTROL.sub(" ", text).strip()


def unit_calendar(
    unit_name: str,
    rows: Iterable[OccurrenceStatus],
    explanations: dict[int, list[dict]],
    generated_at: dt.datetime,
) -> str:
    calendar = Calendar()
    calendar.add("prodid", "-//plantrack//plantrack//VI")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", _line("Hạn báo cáo — " + unit_name))
    calendar.add("x-wr-timezone", "Asia/Ho_Chi_Minh")
    stamp = generated_at.astimezone(dt.timezone.utc)
    for row in rows:
        if not row.dated:
            continue  # work with no deadline yet has no day in a calendar
        done = row.status in (Status.ON_TIME, Status.LATE)
        summary = _line(f"{'✓ ' if done else ''}Hạn: {row.obligation_title} ({row.period_label}) — {row.plan_number}")
        description = [f"Văn bản: {row.plan_number}, mục {row.section}", f"Trạng thái: {row.status.vi}"]
        if row.change:
            description.append(f"Đã {row.change.since} {row.due_date:%d/%m/%Y} đến {row.effective_due:%d/%m/%Y}")
        if row.assumed:
            description.append(sentence(row.assumed))
        description += [step["vi"] for step in explanations.get(row.occurrence_id, [])]
        event = Event()
        event.add("uid", f"occurrence-{row.occurrence_id}@plantrack")
        event.add("dtstamp", stamp)
        event.add("dtstart", row.effective_due)
        event.add("dtend", row.effective_due + dt.timedelta(days=1))
        event.add("summary", summary)
        event.add("description", "\n".join(_line(part) for part in description))
        event.add("transp", "TRANSPARENT")
        event.add("categories", [_line(row.plan_number)])
        if not done:
            alarm = Alarm()
            alarm.add("action", "DISPLAY")
            alarm.add("description", summary)
            alarm.add("trigger", dt.timedelta(days=-3))
            event.add_component(alarm)
        calendar.add_component(event)
    return calendar.to_ical().decode("utf-8")
