"""A unit's deadlines as an iCalendar file (RFC 5545) that calendar applications import.

Each occurrence is an all-day event on the deadline in force, with a reminder three days
before; the description carries the deadline's explanation. UIDs are stable, so importing a
newer file updates the events instead of duplicating them.
"""

from __future__ import annotations

import datetime as dt
from typing import Iterable

from .tracking import OccurrenceStatus, Status


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


def _fold(line: str) -> str:
    """Lines of at most 75 octets, continued with a leading space (RFC 5545 §3.1)."""
    encoded = line.encode("utf-8")
    if len(encoded) <= 75:
        return line
    parts, current = [], b""
    for char in line:
        piece = char.encode("utf-8")
        if len(current) + len(piece) > (75 if not parts else 74):
            parts.append(current.decode("utf-8"))
            current = b""
        current += piece
    parts.append(current.decode("utf-8"))
    return "\r\n ".join(parts)


def unit_calendar(
    unit_name: str,
    rows: Iterable[OccurrenceStatus],
    explanations: dict[int, list[dict]],
    generated_at: dt.datetime,
) -> str:
    stamp = generated_at.astimezone(dt.timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//plantrack//plantrack//VI",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        f"X-WR-CALNAME:{_escape('Hạn báo cáo — ' + unit_name)}",
        "X-WR-TIMEZONE:Asia/Ho_Chi_Minh",
    ]
    for row in rows:
        done = row.status in (Status.ON_TIME, Status.LATE)
        summary = f"{'✓ ' if done else ''}Hạn: {row.obligation_title} ({row.period_label}) — {row.plan_number}"
        description = [f"Văn bản: {row.plan_number}, mục {row.section}", f"Trạng thái: {row.status.vi}"]
        if row.extended:
            description.append(f"Đã gia hạn từ {row.due_date:%d/%m/%Y} đến {row.effective_due:%d/%m/%Y}")
        description += [step["vi"] for step in explanations.get(row.occurrence_id, [])]
        lines += [
            "BEGIN:VEVENT",
            f"UID:occurrence-{row.occurrence_id}@plantrack",
            f"DTSTAMP:{stamp}",
            f"DTSTART;VALUE=DATE:{row.effective_due:%Y%m%d}",
            f"DTEND;VALUE=DATE:{row.effective_due + dt.timedelta(days=1):%Y%m%d}",
            f"SUMMARY:{_escape(summary)}",
            f"DESCRIPTION:{_escape(chr(10).join(description))}",
            "TRANSP:TRANSPARENT",
            f"CATEGORIES:{_escape(row.plan_number)}",
        ]
        if not done:
            lines += [
                "BEGIN:VALARM",
                "ACTION:DISPLAY",
                f"DESCRIPTION:{_escape(summary)}",
                "TRIGGER:-P3D",
                "END:VALARM",
            ]
        lines.append("END:VEVENT")
    lines.append("END:VCALENDAR")
    return "\r\n".join(_fold(line) for line in lines) + "\r\n"
