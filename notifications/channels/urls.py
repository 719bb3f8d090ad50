"""A unit's own channels (``contacts.channels``: chat, webhook...), posted through apprise.

Secrets stay out of plan files and out of the store: ``${NAME}`` in such a URL is read from
the environment, and only from variables named ``PLANTRACK_CHANNEL_…`` (``CHANNEL_PREFIX``),
so a plan file cannot make the server post its own secret key or SMTP password anywhere.
The proof of notice keeps the URL as the plan file wrote it, masked (``mask_url``): never
the expanded one. Outside production nothing is posted: the notice fails ``TEMPORARY``
with a message saying so (it stays pending, and goes when the setup is production).
"""

from __future__ import annotations

import datetime as dt
import os
import re

import apprise

from plantrack.masking import CHANNEL_PREFIX, VARIABLE, channel_url_problem, mask_url, variables_of
from plantrack.outbox import Digest
from plantrack.settings import ENVIRONMENT_VARIABLE, DeliverySettings

from ..render import Rendered
from .base import Delivery, DeliveryError, FailureKind, register
from .email import notify



def expand_environment(url: str, environ: dict[str, str] | None = None) -> str:
    environ = os.environ if environ is None else environ

    def value(match: re.Match) -> str:
        name = match.group(1)
        if not name.startswith(CHANNEL_PREFIX):
            raise DeliveryError(f"${{{name}}} is not a {CHANNEL_PREFIX}… variable: a channel URL may not read it", FailureKind.REFUSED)
        if name not in environ:
            raise DeliveryError(f"environment variable {name} (used by a unit's channel URL) is not set", FailureKind.REJECTED)
        return environ[name]

    return VARIABLE.sub(value, url)


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
        problem = channel_url_problem(digest.url)
        if problem is not None:  # a store written before the loader checked this
            raise DeliveryError(f"channel URL refused: {problem}", FailureKind.REFUSED)
        expanded = expand_environment(digest.url)
        hidden = [os.environ[name] for name in variables_of(digest.url) if len(os.environ.get(name, "")) >= 4]
        try:
            notify(expanded, message.text, message.subject, apprise.NotifyFormat.TEXT)
        except DeliveryError as exc:  # apprise's log may quote the URL: its secrets never reach the store
            text = str(exc)
            for value in hidden:
                text = text.replace(value, "***")
            raise DeliveryError(text, exc.kind) from None
        return Delivery(mask_url(digest.url), digest.channel, "sent through apprise")

    def close(self) -> None:
        pass
