"""Delivery channels: one module each, registered by name in ``base.REGISTRY``.

- ``smtp`` and ``apprise-email`` (``email.py``): e-mail to the configured SMTP server;
- ``apprise`` (``urls.py``): a unit's own chat or webhook URLs;
- ``stub`` (``stub.py``): simulated delivery, for replays.

``Channels`` is what a dispatcher is given: the channel for e-mail digests and the one for
``url:N`` digests. ``Channels.stub()`` simulates both.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .base import REGISTRY, Channel, Delivery, DeliveryError, FailureKind, register
from .email import SMTP_URL_VARIABLE, AppriseEmailSender, PooledSmtpSender, email_sender, smtp_url
from .stub import SIMULATED, StubChannel
from .urls import AppriseUrlChannel, expand_environment

Sender = Channel  # an e-mail channel


@dataclass
class Channels:
    email: Channel | None = None  # None: no SMTP server configured, e-mail notices wait
    url: Channel = field(default_factory=AppriseUrlChannel)

    @classmethod
    def stub(cls, keep: bool = False) -> "Channels":
        channel = StubChannel(keep)
        return cls(channel, channel)

    @property
    def simulated(self) -> bool:
        return bool(self.email is not None and self.email.simulated and self.url.simulated)

    def close(self) -> None:
        for channel in (self.email, self.url):
            if channel is not None:
                channel.close()


__all__ = [
    "REGISTRY", "SIMULATED", "SMTP_URL_VARIABLE", "AppriseEmailSender", "AppriseUrlChannel", "Channel", "Channels",
    "Delivery", "DeliveryError", "FailureKind", "PooledSmtpSender", "Sender", "StubChannel", "email_sender",
    "expand_environment", "register", "smtp_url",
]
