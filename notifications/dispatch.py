"""Dispatch: claim pending notices, render one digest per recipient and channel, send, record.

Each batch is claimed under a lease, sent by a few threads (sending is I/O), and its
results are recorded in one transaction: sent notices get their proof (when, to whom, which
channel, the server's answer); failed ones stay pending with a later ``next_attempt_at``.
"""

from __future__ import annotations

import datetime as dt
import os
import socket
import threading
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Callable

from plantrack.calendar import local_date
from plantrack.directory import Directory
from plantrack.outbox import (
    Digest, DigestItem, build_digests, claim, record_cancelled, record_failure, record_sent, take_due,
)
from plantrack.store.database import Store

from .channels import Delivery, DeliveryError, Sender, send_to_url
from .render import LinkMaker, Rendered, render

UrlSender = Callable[[Digest, Rendered], Delivery]


@dataclass
class DispatchReport:
    messages_sent: int = 0
    notices_sent: int = 0
    messages_failed: int = 0
    notices_failed: int = 0
    notices_cancelled: int = 0
    next_retry_at: dt.datetime | None = None
    errors: list[str] = field(default_factory=list)
    sent: list[tuple[str, str, str]] = field(default_factory=list)  # (recipient, channel, subject)

    def summary(self) -> dict:
        return {
            "messages_sent": self.messages_sent, "notices_sent": self.notices_sent,
            "messages_failed": self.messages_failed, "notices_failed": self.notices_failed,
            "notices_cancelled": self.notices_cancelled,
            "next_retry_at": self.next_retry_at.isoformat() if self.next_retry_at else None,
        }


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{threading.get_ident()}:{uuid.uuid4().hex[:6]}"


SIMULATED = "simulated: not sent (replay)"


PUBLIC_URL_VARIABLE = "PLANTRACK_PUBLIC_URL"


def submission_links(base_url: str | None = None, key: bytes | None = None) -> LinkMaker | None:
    """Signed submission links under the dashboard's address (``base_url``, else
    ``PLANTRACK_PUBLIC_URL``); None when no address is configured: reminders then carry none."""
    from plantrack.links import SECRET_FILE, link_expiry, make_token, secret_key

    base_url = base_url or os.environ.get(PUBLIC_URL_VARIABLE)
    if not base_url:
        return None
    key = key or secret_key(None, SECRET_FILE)
    base = base_url.rstrip("/")

    def link_for(item: DigestItem) -> str:
        return f"{base}/nop/{make_token(key, item.occurrence_id, item.unit_id, link_expiry(item.deadline))}"

    return link_for


def simulated_url_send(digest: Digest, message: Rendered) -> Delivery:
    """Stands in for a unit's chat or webhook URL in a replay: a replay never posts to them."""
    return Delivery(digest.channel, digest.channel, SIMULATED)


def _deliver(
    email: Sender | None, urls: UrlSender, simulate: bool, link_for: LinkMaker | None, digest: Digest, now: dt.datetime
) -> tuple[Digest, str, Delivery | Exception]:
    if simulate:  # the proof-of-notice log says plainly that nothing was sent
        to = ", ".join(digest.to) if digest.channel == "email" else digest.channel
        return digest, "", Delivery(digest.channel, to, SIMULATED)
    message = render(digest, local_date(now), link_for=link_for)
    try:
        if digest.channel == "email":
            if email is None:
                raise DeliveryError("no SMTP server configured (set PLANTRACK_SMTP_URL)")
            return digest, message.subject, email.send(digest, message, now)
        return digest, message.subject, urls(digest, message)
    except DeliveryError as exc:
        return digest, message.subject, exc
    except Exception as exc:  # a channel bug must not lose the batch's other results
        return digest, message.subject, DeliveryError(f"{type(exc).__name__}: {exc}")


def dispatch(
    store: Store,
    now: dt.datetime,
    email: Sender | None,
    worker: str | None = None,
    batch: int = 200,
    threads: int = 4,
    max_batches: int | None = None,
    urls: UrlSender = send_to_url,
    simulate: bool = False,
    link_for: LinkMaker | None = None,
    directory: Directory | None = None,
) -> DispatchReport:
    """Send every notice due by ``now``; returns what was sent, failed and cancelled.

    ``urls`` delivers to the units' own apprise URLs. With ``simulate``, no message is composed
    or sent on any channel: each digest is recorded as delivered, marked as simulated (for
    what-if replays of a whole plan, where only the engine's decisions matter); with nothing to
    wait for, each batch is locked, grouped and recorded in one transaction, without a lease
    (``take_due``). ``link_for``
    gives reminders their signed submission links (``submission_links()``). ``directory``
    may carry units and obligations read before (a replay keeps one for all its days).
    """
    directory = directory or Directory()
    worker = worker or worker_name()
    report = DispatchReport()
    # One thread sends in line: a pool only pays off when sends wait on the network.
    pool = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="plantrack-send") if threads > 1 else None
    send_all = pool.map if pool else map
    try:
        batches, drained = 0, False
        while (max_batches is None or batches < max_batches) and not drained:
            if simulate:
                # Nothing goes over the network: lock, group and record in one transaction,
                # with no lease to take and give back.
                with store.transaction() as session:
                    digests, obsolete, drained = take_due(session, now, batch, directory)
                    if not digests and not obsolete:
                        break
                    batches += 1
                    outcomes = [_deliver(email, urls, simulate, link_for, digest, now) for digest in digests]
                    _record(session, report, outcomes, obsolete, None, now)
                continue
            claimed = claim(store, now, worker, batch)
            drained = claimed.drained
            if not claimed.ids:
                break
            batches += 1
            with store.session() as session:
                digests, obsolete = build_digests(session, claimed.ids, now, directory)
            outcomes = list(send_all(lambda d: _deliver(email, urls, simulate, link_for, d, now), digests))
            with store.transaction() as session:
                _record(session, report, outcomes, obsolete, worker, now)
    finally:
        if pool:
            pool.shutdown()
    return report


def _record(
    session, report: DispatchReport, outcomes: list[tuple[Digest, str, Delivery | Exception]], obsolete: list[int],
    worker: str | None, now: dt.datetime,
) -> None:
    """Write a batch's outcomes (sent, failed, cancelled) and count them in ``report``."""
    record_cancelled(session, obsolete, now)
    report.notices_cancelled += len(obsolete)
    sent = [(d, f"{o.channel} {o.address}", o.result) for d, _, o in outcomes if isinstance(o, Delivery)]
    record_sent(session, sent, worker, now)
    for digest, subject, outcome in outcomes:
        if isinstance(outcome, Delivery):
            report.messages_sent += 1
            report.notices_sent += len(digest.items)
            report.sent.append((digest.recipient_id, digest.channel, subject))
        else:
            retry_at = record_failure(session, digest, worker, now, str(outcome))
            report.messages_failed += 1
            report.notices_failed += len(digest.items)
            report.errors.append(f"{digest.recipient_id} [{digest.channel}]: {outcome}")
            if report.next_retry_at is None or retry_at < report.next_retry_at:
                report.next_retry_at = retry_at
