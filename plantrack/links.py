"""Signed, expiring submission links (one unit, one occurrence, no account), and a unit's own
feed link (its page and calendar, revocable).

A submission token carries ``[occurrence, unit, expiry]`` signed with the keyring's link key
(``keys.Purpose.LINK``), so a link cannot be moved to another unit or occurrence, nor
extended, without the secret. A feed token carries ``[unit, generation]``: revoking a unit's
feed raises its generation (``store.models.UnitFeed``) and every earlier feed link stops
working. Checking takes the instant explicitly.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from .calendar import TIMEZONE, end_of_local_day
from .deadlines import has_deadline
from .errors import PlantrackError
from .keys import Keyring, Purpose
from .settings import LINK_LIFETIME



class LinkError(PlantrackError):
    """A link that is not valid; the message is for the person who opened it (Vietnamese)."""


@dataclass(frozen=True)
class SubmissionGrant:
    occurrence_id: int
    unit_id: str
    expires_at: dt.datetime


def make_token(keyring: Keyring, occurrence_id: int, unit_id: str, expires_at: dt.datetime) -> str:
    return keyring.sign(Purpose.LINK, [occurrence_id, unit_id, int(expires_at.timestamp())])


def link_expiry(deadline: dt.date, made_on: dt.date | None = None) -> dt.datetime:
    """When a submission link expires: a while after the deadline in force, or, for work with
    no deadline yet, as long after ``made_on``, the day the link is made."""
    if not has_deadline(deadline):
        if made_on is None:
            raise PlantrackError("a link to work with no deadline needs the day it is made")
        deadline = made_on
    return end_of_local_day(deadline + LINK_LIFETIME)


def read_token(keyring: Keyring, token: str, now: dt.datetime) -> SubmissionGrant:
    """The grant a token carries, or a LinkError saying plainly why it is refused."""
    value = keyring.read(Purpose.LINK, token, now)
    if value is None:
        raise LinkError("Đường dẫn không hợp lệ: chữ ký không đúng (đường dẫn đã bị sửa, đã quá hạn đổi khóa, hoặc không do hệ thống cấp).")
    if not (isinstance(value, list) and len(value) == 3 and isinstance(value[0], int) and isinstance(value[1], str)
            and isinstance(value[2], int)):
        raise LinkError("Đường dẫn không hợp lệ (sai định dạng).")
    expires_at = dt.datetime.fromtimestamp(value[2], dt.timezone.utc)
    if now > expires_at:
        raise LinkError(f"Đường dẫn đã hết hạn từ {expires_at.astimezone(TIMEZONE):%d/%m/%Y}. Đề nghị liên hệ cơ quan thường trực.")
    return SubmissionGrant(value[0], value[1], expires_at)


def make_feed_token(keyring: Keyring, unit_id: str, generation: int) -> str:
    return keyring.sign(Purpose.FEED, [unit_id, generation])


def read_feed_token(keyring: Keyring, token: str, now: dt.datetime) -> tuple[str, int]:
    """``(unit, generation)`` of a feed token; the caller checks the generation is current."""
    value = keyring.read(Purpose.FEED, token, now)
    if not (isinstance(value, list) and len(value) == 2 and isinstance(value[0], str) and isinstance(value[1], int)):
        raise LinkError("Đường dẫn theo dõi không hợp lệ hoặc đã bị thu hồi.")
    return value[0], value[1]
