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

from plantrack.calendar import local_date
from plantrack.outbox import Digest, build_digests, claim, record_cancelled, record_failure, record_sent
from plantrack.store.database import Store

from .channels import Delivery, DeliveryError, Sender, send_to_url
from .render import render


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


def _deliver(email: Sender | None, digest: Digest, now: dt.datetime) -> tuple[Digest, str, Delivery | Exception]:
    message = render(digest, local_date(now))
    try:
        if digest.channel == "email":
            if email is None:
                raise DeliveryError("no SMTP server configured (set PLANTRACK_SMTP_URL)")
            return digest, message.subject, email.send(digest, message, now)
        return digest, message.subject, send_to_url(digest, message)
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
) -> DispatchReport:
    """Send every notice due by ``now``; returns what was sent, failed and cancelled."""
    worker = worker or worker_name()
    report = DispatchReport()
    with ThreadPoolExecutor(max_workers=threads, thread_name_prefix="plantrack-send") as pool:
        batches = 0
        while max_batches is None or batches < max_batches:
            notice_ids = claim(store, now, worker, batch)
            if not notice_ids:
                break
            batches += 1
            with store.session() as session:
                digests, obsolete = build_digests(session, notice_ids, now)
            outcomes = list(pool.map(lambda d: _deliver(email, d, now), digests))
            with store.transaction() as session:
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
    return report
