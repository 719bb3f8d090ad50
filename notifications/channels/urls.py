"""A unit's own channels (``contacts.channels``: chat, webhook...), posted through apprise.

``${NAME}`` in such a URL is taken from the environment, so tokens stay out of the plan
files. Outside production nothing is posted: the notice fails ``TEMPORARY`` with a message
saying so (it stays pending, and goes when the setup is production).
"""

from __future__ import annotations

import datetime as dt
import os
import re

import apprise

from plantrack.outbox import Digest
from plantrack.settings import ENVIRONMENT_VARIABLE, DeliverySettings

from ..render import Rendered
from .base import Delivery, DeliveryError, FailureKind, register
from .email import notify

_VARIABLE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")


def expand_environment(url: str) -> str:
    def value(match: re.Match) -> str:
        name = match.group(1)
        if name not in os.environ:
            raise DeliveryError(f"environment variable {name} (used by a unit's channel URL) is not set", FailureKind.REJECTED)
        return os.environ[name]

    return _VARIABLE.sub(value, url)


@register("apprise")
class AppriseUrlChannel:
    """The plain-text message to the unit's Nth apprise URL (``url:N``)."""

    simulated = False

    def __init__(self, settings: DeliverySettings | None = None):
        self.settings = settings or DeliverySettings()

    def send(self, digest: Digest, message: Rendered, now: dt.datetime) -> Delivery:
        if not digest.url:
            raise DeliveryError(f"{digest.recipient_id} has no channel {digest.channel}", FailureKind.REFUSED)
        if not self.settings.production:
            raise DeliveryError(
                f"not posted: a unit's own channel is only used in production ({ENVIRONMENT_VARIABLE}=production)"
            )
        url = expand_environment(digest.url)
        notify(url, message.text, message.subject, apprise.NotifyFormat.TEXT)
        plugin = apprise.Apprise.instantiate(url)
        return Delivery(plugin.url(privacy=True) if plugin else digest.channel, digest.channel, "sent through apprise")

    def close(self) -> None:
        pass
