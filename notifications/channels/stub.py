"""The stub channel: delivers nothing, records what it was given (as dramatiq's StubBroker).

For what-if replays of a whole plan, where only the engine's decisions matter: the
dispatcher sees ``simulated`` and neither renders nor sends; it locks, groups and records
each batch in one transaction (``outbox.take_due``), and the proof of notice says plainly
that nothing was sent. ``stub.digests`` keeps what went through when ``keep`` is set.
"""

from __future__ import annotations

import datetime as dt

from plantrack.outbox import Digest

from .base import Delivery, register

SIMULATED = "simulated: not sent (replay)"


@register("stub")
class StubChannel:
    simulated = True

    def __init__(self, keep: bool = False):
        self.keep = keep
        self.digests: list[Digest] = []

    def send(self, digest: Digest, message, now: dt.datetime) -> Delivery:
        if self.keep:
            self.digests.append(digest)
        to = ", ".join(digest.to) if digest.channel == "email" else digest.channel
        return Delivery(digest.channel, to, SIMULATED)

    def close(self) -> None:
        pass
