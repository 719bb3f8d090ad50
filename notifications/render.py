"""Digests rendered as official-style Vietnamese messages (subject, plain text, HTML)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Callable
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from plantrack.assumptions import clause
from plantrack.calendar import weekday_vi
from plantrack.places import CAPITAL
from plantrack.exports.common import plan_label
from plantrack.outbox import Digest, DigestItem

TEMPLATES = Path(__file__).parent / "templates"

LEVEL_VI = {1: "cấp 1 (Cơ quan thường trực)", 2: "cấp 2 (Trưởng Ban Chỉ đạo)"}


@dataclass(frozen=True)
class Rendered:
    subject: str
    text: str
    html: str


def vn_date(day: dt.date) -> str:
    return f"{day:%d/%m/%Y}"


def vn_date_long(day: dt.date) -> str:
    return f"{day:%d/%m/%Y} ({weekday_vi(day).lower()})"


def announced(item: DigestItem) -> str:
    """The deadline as a reminder states it: the text's words where the rule has them (never a
    day the text calls too late), else the date and its weekday."""
    return item.due_text or vn_date_long(item.deadline)


def words_only(item: DigestItem) -> bool:
    """True when the last legal day is one the text calls too late ("trước ngày X" carried to
    X by art. 148(5)): the message then counts no days to it."""
    return bool(item.due_text) and "(" not in item.due_text


def situation(item: DigestItem, today: dt.date) -> str:
    """Where the item stands, in words: how long is left, or how late it is."""
    if item.failure is not None:
        return "không gửi được"
    if words_only(item) and item.stage.startswith("reminder-"):
        return f"sắp đến hạn (văn bản ghi “{item.due_text}”)"
    if words_only(item) and item.stage == "due":
        return f"đến hạn (văn bản ghi “{item.due_text}”); đề nghị gửi ngay"
    if item.stage.startswith("reminder-"):
        return f"còn {item.stage.split('-', 1)[1]} ngày làm việc đến hạn"
    if item.stage == "due":
        return "hôm nay là ngày cuối của thời hạn"
    return f"đã quá hạn {(today - item.deadline).days} ngày"


_environment = Environment(
    loader=FileSystemLoader(TEMPLATES),
    autoescape=select_autoescape(enabled_extensions=("html.j2",), default=False),
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
    keep_trailing_newline=True,
    auto_reload=False,  # templates ship with the package: no stat of both files per message
)
_environment.filters.update(vn_date=vn_date, vn_date_long=vn_date_long)


LinkMaker = Callable[[DigestItem], "str | None"]


def dated_at(digest: Digest) -> str:
    """Where the letter is dated: the place of the body that issued its plans (plantrack.places);
    when they differ, that of its first item's plan (the one the digest leads with)."""
    return digest.items[0].place if digest.items else CAPITAL


def render(digest: Digest, today: dt.date, place: str | None = None, link_for: LinkMaker | None = None) -> Rendered:
    """The message for one digest as of ``today`` (the local date it is sent), dated at
    ``place`` (default: ``dated_at``).

    ``link_for`` gives each item of a reminder its signed submission link (escalations,
    which go to a coordinator, carry none)."""
    place = place or dated_at(digest)
    plans = {}
    for item in digest.items:
        plans.setdefault(
            item.plan_id,
            {"label": plan_label(item.plan_doc_type, item.plan_number), "issued_on": item.plan_issued_on, "title": item.plan_title},
        )
    items = [
        {
            **{name: getattr(item, name) for name in item.__slots__},
            "plan_label": plan_label(item.plan_doc_type, item.plan_number),
            "situation": situation(item, today),
            "extended": item.deadline != item.original_deadline,
            "announced": announced(item),
            "level_label": LEVEL_VI.get(item.level, ""),
            "assumption": clause(item.assumed),
            "link": link_for(item) if link_for and not digest.escalation and not digest.alert else None,
        }
        for item in digest.items
    ]
    labels = " và ".join(plan["label"] for plan in plans.values())
    if digest.alert:
        kind = "undeliverable"
        units = sorted({item.unit_id for item in digest.items})
        subject = f"Thư không gửi được: {len(digest.items)} thông báo về {labels} (ngày {vn_date(today)})"
    elif digest.escalation:
        kind = "escalation"
        units = sorted({item.unit_id for item in digest.items})
        subject = f"V/v đôn đốc các đơn vị chậm thực hiện {labels} ({len(units)} đơn vị)"
    else:
        kind = "reminder"
        units = [digest.recipient_id]
        deadlines = sorted({(item.deadline, (item.due_text or vn_date(item.deadline)).split(" (", 1)[0]) for item in digest.items})
        subject = f"V/v đôn đốc thực hiện {labels} (thời hạn {', '.join(dict.fromkeys(text for _, text in deadlines[:3]))})"
    context = dict(
        subject=subject, digest=digest, plans=list(plans.values()), items=items, units=units, today=today,
        assumed_en=sum(1 for item in digest.items if item.assumed),
        place_date=f"{place}, ngày {today.day:02d} tháng {today.month:02d} năm {today.year}",
    )
    return Rendered(
        subject,
        _environment.get_template(f"{kind}.txt.j2").render(context),
        _environment.get_template(f"{kind}.html.j2").render(context),
    )
