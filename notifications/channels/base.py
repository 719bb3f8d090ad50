"""What every delivery channel shares: the outcome of a send, its failure kinds, the registry.

A channel is an object with ``send(digest, message, now) -> Delivery`` and ``close()``; it
raises ``DeliveryError`` with a ``FailureKind`` that tells the outbox what to do next.
Each channel lives in its own module of this package and registers its class under a name
(``@register("smtp")``); ``tests/test_channels.py`` checks that every module's channel is
registered.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from plantrack.outbox import Digest

    from ..render import Rendered


class FailureKind(StrEnum):
    """Why a send failed, and so what the outbox does with the notices."""

    #: A 4xx answer or a network error: retried with back-off, undeliverable after the
    #: give-up age (``settings.GIVE_UP_AFTER``).
    TEMPORARY = "temporary"
    #: No final answer to DATA: the server may have the message. Not re-sent at once; a later
    #: retry carries the same Message-ID, so a receiving system can tell it is the same one.
    UNKNOWN = "unknown"
    #: The server rejected the message itself (5xx after MAIL or DATA, e.g. 554): tried
    #: ``settings.REJECTED_TRIES`` times in all, then undeliverable.
    REJECTED = "rejected"
    #: Every To address refused with 5xx, or no usable address: undeliverable at once.
    REFUSED = "refused"


class DeliveryError(Exception):
    """A send that failed; ``kind`` says whether and when it is tried again."""

    def __init__(self, message: str, kind: FailureKind = FailureKind.TEMPORARY, answers: dict[str, str] | None = None,
                 connection: bool = False):
        super().__init__(message)
        self.kind = kind
        self.answers = answers or {}  # address -> the server's answer to it
        # The server could not be reached or would not talk (connect, greeting, TLS, login):
        # nothing about this message; a run stops after a few of these in a row.
        self.connection = connection


@dataclass(frozen=True)
class Delivery:
    channel: str  # what the proof of notice shows: "email", or the apprise URL with secrets masked
    address: str  # the addresses that accepted it
    result: str  # the server's answer, per address where it gave one
    refused: dict[str, str] = field(default_factory=dict)  # Cc (or extra To) addresses refused


class Channel(Protocol):
    #: A simulated channel sends nothing: the dispatcher records a batch in one transaction.
    simulated: bool

    def send(self, digest: "Digest", message: "Rendered | None", now: dt.datetime) -> Delivery: ...

    def close(self) -> None: ...


REGISTRY: dict[str, type] = {}


def register(name: str):
    """Class decorator: make a channel class known under ``name``."""

    def decorate(cls: type) -> type:
        if name in REGISTRY and REGISTRY[name] is not cls:
            raise ValueError(f"channel {name!r} registered twice")
        cls.name = name
        REGISTRY[name] = cls
        return cls

    return decorate
