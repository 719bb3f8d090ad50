"""What moved a deadline, and what to call it.

Every change of a deadline after the sync is an ``Extension`` row (the original is kept), but
not every one is an extension (gia hạn): a coordinator grants an extension; an amending
document (sửa đổi) may move a deadline either way; a compiling step counted from the last
hand-in (``plantrack.counted``) is recounted (tính lại), often to an earlier day. Each is named
for what it is, and a change to an earlier day is never headed "Gia hạn".

The kind is read from how the row's reason begins: the sync and ``counted`` write these
prefixes; anything else is a person's extension.
"""

from __future__ import annotations

import datetime as dt
from typing import NamedTuple

from .deadlines import NO_DEADLINE

AMENDMENT_PREFIX = "Sửa đổi theo văn bản"  # sync: "Sửa đổi theo văn bản <number> ngày <date>…"
RECOUNT_PREFIX = "Tính từ ngày nhận đủ"  # counted: "Tính từ ngày nhận đủ “<title>” kỳ …"

EXTENSION, AMENDMENT, RECOUNT, SET = "extension", "amendment", "recount", "set"


class Change(NamedTuple):
    kind: str  # extension, amendment, recount, set (a date given to work the text left without one)
    vi: str  # a heading: "Gia hạn", "Sửa đổi thời hạn", "Rút ngắn thời hạn", "Tính lại thời hạn"
    en: str
    since: str  # how a deadline shows where it came from: "gia hạn từ", "sửa đổi từ", "tính lại từ"
    since_en: str
    done: str  # what a reminder says happened: "đã gia hạn", "đã tính lại thời hạn"…


def kind_of(reason: str) -> str:
    if reason.startswith(AMENDMENT_PREFIX):
        return AMENDMENT
    if reason.startswith(RECOUNT_PREFIX):
        return RECOUNT
    return EXTENSION


def change(reason: str, previous: dt.date, new: dt.date) -> Change:
    """What a change of a deadline from ``previous`` to ``new`` is, by its reason; a date given
    to work that had none (``plantrack.undated``) is set, not extended."""
    if previous == NO_DEADLINE:
        return Change(SET, "Ấn định thời hạn", "Deadline set", "ấn định; trước đó", "set; before:",
                      "thời hạn do cơ quan điều phối ấn định")
    kind = kind_of(reason)
    if kind == RECOUNT:
        return Change(kind, "Tính lại thời hạn", "Deadline recounted", "tính lại từ", "recounted from",
                      "đã tính lại thời hạn từ ngày nhận đủ báo cáo")
    if kind == AMENDMENT:
        if new < previous:
            return Change(kind, "Rút ngắn thời hạn theo văn bản sửa đổi", "Deadline brought forward by an amendment",
                          "rút ngắn từ", "brought forward from", "thời hạn đã rút ngắn theo văn bản sửa đổi")
        return Change(kind, "Sửa đổi thời hạn theo văn bản sửa đổi", "Deadline amended", "sửa đổi từ", "amended from",
                      "thời hạn đã sửa đổi theo văn bản sửa đổi")
    if new < previous:  # not something grant_extension makes, but a row may say so
        return Change(kind, "Rút ngắn thời hạn", "Deadline brought forward", "rút ngắn từ", "brought forward from",
                      "thời hạn đã rút ngắn")
    return Change(kind, "Gia hạn", "Extension", "gia hạn từ", "ext. from", "đã gia hạn")


def latest_change(extensions, as_of: dt.datetime | None = None) -> Change | None:
    """The change in force (the latest granted by ``as_of``) among an occurrence's rows."""
    rows = [x for x in extensions if as_of is None or x.granted_at <= as_of]
    if not rows:
        return None
    last = max(rows, key=lambda x: x.granted_at)
    return change(last.reason, last.previous_due_date, last.new_due_date)


def overall(extensions, original: dt.date, effective: dt.date, as_of: dt.datetime | None = None) -> Change | None:
    """How a deadline in force came to differ from the original: the kind of the latest change,
    and the direction from the original (an amendment that brought it forward, then a recount,
    is a recount). None when they do not differ."""
    if effective == original:
        return None
    rows = [x for x in extensions if as_of is None or x.granted_at <= as_of]
    if not rows:
        return change("", original, effective)
    last = max(rows, key=lambda x: x.granted_at)
    return change(last.reason, original, effective)
