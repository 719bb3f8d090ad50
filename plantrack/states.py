"""The states of a notice and the kinds of its ladder stage, as documented enums.

They are ``str`` enums: the store keeps the plain text (``notice.state`` is a VARCHAR), so
a member compares equal to the stored value and no migration is needed.
"""

from __future__ import annotations

from enum import StrEnum


class NoticeState(StrEnum):
    """Where a notice is in the outbox."""

    #: Waiting for its first send or for a retry (``next_attempt_at``).
    PENDING = "pending"
    #: The server (or channel) accepted it for at least one To address: the proof of notice.
    SENT = "sent"
    #: Not sent because it lost its point: the unit handed in, or the deadline moved.
    CANCELLED = "cancelled"
    #: Given up: refused for good (5xx, no address) or failing past the give-up age. The
    #: coordinating office is told in its daily digest; ``plantrack retry`` releases it.
    UNDELIVERABLE = "undeliverable"


class StageKind(StrEnum):
    """What a notice's stage means; the stage text adds a count (``reminder-5``, ``overdue-2``)."""

    REMINDER = "reminder"  # reminder-N: N working days before the deadline
    DUE = "due"  # on the deadline
    OVERDUE = "overdue"  # overdue-N: the Nth notice after the deadline
    ESCALATION_1 = "escalation-1"  # to the unit's standing office
    ESCALATION_2 = "escalation-2"  # to the committee head
    UNDELIVERABLE = "undeliverable"  # undeliverable-<notice id>: the office is told a notice failed

    @classmethod
    def of(cls, stage: str) -> "StageKind":
        """``reminder-5`` -> REMINDER, ``escalation-1`` -> ESCALATION_1."""
        if stage.startswith("escalation") or stage == "due":
            return cls(stage)
        return cls(stage.split("-", 1)[0])


ALERT_PREFIX = StageKind.UNDELIVERABLE.value + "-"


def alert_stage(notice_id: int) -> str:
    """The stage of the alert that tells the office notice ``notice_id`` was undeliverable."""
    return f"{ALERT_PREFIX}{notice_id}"
