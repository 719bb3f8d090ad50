"""Signed, expiring submission links (one unit, one occurrence, no account), and a unit's own
feed link (its page and calendar, revocable).

A submission token carries ``[occurrence, unit, expiry]`` signed with the keyring's link key
(``keys.Purpose.LINK``), so a link cannot be moved to another unit or occurrence, nor
extended, without the secret. A feed token carries ``[unit, generation]`` (printed by ``plantrack feed``)
or ``[unit, generation, login, account created]`` (shown on the dashboard to an acting
account): revoking a unit's feed raises its generation (``store.models.UnitFeed``) and every
earlier feed link stops working; removing the account a link was shown to (or taking the unit
or the right to act from it) stops that link. Checking takes the instant explicitly.
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
    """A link that is not valid; the message is for the person who opened it (Vietnamese).
    ``status``: the HTTP status a page answers with (403: refused)."""

    status = 403


class MalformedLink(LinkError):
    """A token signed with our key whose fields are not what a link carries (an expiry no date
    can hold, a negative one, text for a number): a bad request, never a server error."""

    status = 400


@dataclass(frozen=True)
class SubmissionGrant:
    occurrence_id: int
    unit_id: str
    expires_at: dt.datetime


LATEST_EXPIRY = int(dt.datetime(9000, 1, 1, tzinfo=dt.timezone.utc).timestamp())  # beyond: a forged or broken token


def _whole(value) -> bool:
    """A JSON integer (not a boolean, which Python counts as one)."""
    return isinstance(value, int) and not isinstance(value, bool)


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
    if not (isinstance(value, list) and len(value) == 3 and _whole(value[0]) and isinstance(value[1], str) and _whole(value[2])
            and 0 < value[0] < 2**62 and 0 <= value[2] <= LATEST_EXPIRY):
        raise MalformedLink("Đường dẫn không hợp lệ (sai định dạng).")
    expires_at = dt.datetime.fromtimestamp(value[2], dt.timezone.utc)
    if now > expires_at:
        raise LinkError(f"Đường dẫn đã hết hạn từ {expires_at.astimezone(TIMEZONE):%d/%m/%Y}. Đề nghị liên hệ cơ quan thường trực.")
    return SubmissionGrant(value[0], value[1], expires_at)


@dataclass(frozen=True)
class FeedGrant:
    """What a feed token carries: the unit, the feed's generation it was signed for, and, for
    a link shown on the dashboard, the account it was shown to (its login and the instant the
    account was created, so that a removed account re-added under the same login does not
    revive it). A link printed by ``plantrack feed`` is shown to no account."""

    unit_id: str
    generation: int
    shown_to: str | None = None
    account_since: int | None = None


def make_feed_token(keyring: Keyring, unit_id: str, generation: int, shown_to: tuple[str, dt.datetime] | None = None) -> str:
    """A feed token; ``shown_to`` (login, account created at) binds it to the account it is shown to."""
    if shown_to is None:
        return keyring.sign(Purpose.FEED, [unit_id, generation])
    login, since = shown_to
    return keyring.sign(Purpose.FEED, [unit_id, generation, login, int(since.timestamp())])


def read_feed_token(keyring: Keyring, token: str, now: dt.datetime) -> FeedGrant:
    """The grant of a feed token; the caller checks the generation is current and the account
    it was shown to (if any) is still there and may still see the unit."""
    value = keyring.read(Purpose.FEED, token, now)
    if not (isinstance(value, list) and len(value) in (2, 4) and isinstance(value[0], str) and _whole(value[1]) and 0 < value[1] < 2**62
            and (len(value) == 2 or (isinstance(value[2], str) and _whole(value[3]) and 0 <= value[3] <= LATEST_EXPIRY))):
        raise LinkError("Đường dẫn theo dõi không hợp lệ hoặc đã bị thu hồi.")
    return FeedGrant(*value)
