"""Dispatch: claim pending notices, render one digest per recipient and channel, send, record.

Each batch is claimed under a lease, which a keeper thread renews while the batch is being
sent, and its digests are sent by a few threads (sending is I/O). Each message's outcome is
written as soon as it is known, in its own transaction: a sent digest's notices get their
proof (when, to whom, which channel, each address's answer); a failed one's stay pending
with a later ``next_attempt_at``, or are given up as undeliverable, by the failure's kind
(``channels.FailureKind``):

- ``TEMPORARY`` and ``UNKNOWN``: back-off (5 min, doubling to 6 h), undeliverable once the
  first failure is ``give_up_after`` old (5 days);
- ``REJECTED``: undeliverable at the ``rejected_tries``-th try (3);
- ``REFUSED``: undeliverable at once.

A server that cannot be reached or never greets costs a connection timeout per message: after
``stop_after`` (3) connection failures in a row, the run stops sending. The messages of its batch
not yet tried are recorded as failed with the reason (back-off as usual), and no further batch
is claimed: the rest wait, still pending, for the next run.

The duplicate window is one message per sending thread: a dispatcher killed between a
server's acceptance and the commit of its record sends that message again after the lease.

Leases are measured on the database's clock (``outbox.claim``), so dispatchers told different
``--as-of`` instants never take each other's rows. The run's clock (``clock``) stamps
``sent_at`` and back-off; ``sent_at`` is read after the server's answer, so it is when the
server accepted the message. An entry point running in real time passes ``wall_clock``; one
given an ``--as-of`` passes ``run_clock(as_of)``, made when it reads the instant, so the time
spent before the dispatch starts (opening the store, loading the channels) is counted too.
The default, ``run_clock(now)`` started by ``dispatch``, is for replays and tests.
"""

from __future__ import annotations

import datetime as dt
import os
import socket
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Callable

from plantrack.calendar import local_date
from plantrack.directory import Directory
from plantrack.outbox import (
    Digest, DigestItem, build_digests, claim, record_cancelled, record_failure, record_sent, renew_lease, retire_alerts, take_due,
    waiting,
)
from plantrack.settings import GIVE_UP_AFTER, LEASE, PUBLIC_URL_VARIABLE, REJECTED_TRIES
from plantrack.store.database import Store

from .channels import Channels, Delivery, DeliveryError, FailureKind
from .render import LinkMaker, render

Clock = Callable[[], dt.datetime]


@dataclass
class DispatchReport:
    messages_sent: int = 0
    notices_sent: int = 0
    messages_failed: int = 0  # failed this time, to be tried again
    notices_failed: int = 0
    messages_unknown: int = 0  # of the failed: no answer after DATA (perhaps delivered)
    messages_undeliverable: int = 0  # given up this run
    notices_undeliverable: int = 0
    notices_cancelled: int = 0
    alerts_retired: int = 0  # undeliverable alerts whose notice this run (or an earlier) sent
    next_retry_at: dt.datetime | None = None  # the earliest retry of this run's failures
    waiting: int = 0  # notices pending after the run
    next_due_at: dt.datetime | None = None  # when the earliest of them is due
    # The duplicate window in time: from a server's answer to the commit of its record, summed
    # over the run's messages (a crash inside it re-sends that one message).
    recording_s: float = 0.0
    # The warning on the alert channel (PLANTRACK_ALERT_URL): "posted", "not posted: why", or None.
    alert: str | None = None
    # Why the run stopped sending before the end (consecutive connection failures), or None.
    stopped: str | None = None
    errors: list[str] = field(default_factory=list)
    undeliverable: list[str] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)  # addresses refused in messages that went
    sent: list[tuple[str, str, str]] = field(default_factory=list)  # (recipient, channel, subject)

    @property
    def healthy(self) -> bool:
        """Every message this run tried went: nothing failed (to be tried again) and nothing was
        given up. A run that delivered some messages and failed others is not healthy."""
        return not self.messages_undeliverable and not self.messages_failed

    def summary(self) -> dict:
        return {
            "messages_sent": self.messages_sent, "notices_sent": self.notices_sent,
            "messages_failed": self.messages_failed, "notices_failed": self.notices_failed,
            "messages_unknown": self.messages_unknown,
            "messages_undeliverable": self.messages_undeliverable, "notices_undeliverable": self.notices_undeliverable,
            "notices_cancelled": self.notices_cancelled, "alerts_retired": self.alerts_retired,
            "next_retry_at": self.next_retry_at.isoformat() if self.next_retry_at else None,
            "waiting": self.waiting, "next_due_at": self.next_due_at.isoformat() if self.next_due_at else None,
            "stopped": self.stopped, "alert": self.alert,
        }


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{threading.get_ident()}:{uuid.uuid4().hex[:6]}"


def wall_clock() -> dt.datetime:
    """The real time (UTC): the clock of an entry point that runs without ``--as-of``."""
    return dt.datetime.now(dt.timezone.utc)


def run_clock(start: dt.datetime) -> Clock:
    """A clock that reads ``start`` at first and advances with the elapsed (monotonic) time."""
    origin = time.monotonic()
    return lambda: start + dt.timedelta(seconds=time.monotonic() - origin)


def submission_links(base_url: str | None = None, keyring=None) -> LinkMaker | None:
    """Signed submission links under the dashboard's address (``base_url``, else
    ``PLANTRACK_PUBLIC_URL``); None when no address is configured: reminders then carry none.
    Without a keyring, the entry point's (``keys.Keyring.from_environment``)."""
    from plantrack.keys import Keyring
    from plantrack.links import link_expiry, make_token

    base_url = base_url or os.environ.get(PUBLIC_URL_VARIABLE)
    if not base_url:
        return None
    keyring = keyring or Keyring.from_environment()
    base = base_url.rstrip("/")

    def link_for(item: DigestItem) -> str:
        return f"{base}/nop/{make_token(keyring, item.occurrence_id, item.unit_id, link_expiry(item.deadline))}"

    return link_for


def _deliver(
    channels: Channels, link_for: LinkMaker | None, digest: Digest, now: dt.datetime
) -> tuple[Digest, str, Delivery | DeliveryError]:
    message = render(digest, local_date(now), link_for=link_for)
    try:
        if digest.channel == "email":
            if channels.email is None:
                raise DeliveryError("no SMTP server configured (set PLANTRACK_SMTP_URL)")
            return digest, message.subject, channels.email.send(digest, message, now)
        return digest, message.subject, channels.url.send(digest, message, now)
    except DeliveryError as exc:
        return digest, message.subject, exc
    except Exception as exc:  # a channel bug must not lose the batch's other results
        return digest, message.subject, DeliveryError(f"{type(exc).__name__}: {exc}")


class _Breaker:
    """Counts connection failures in a row (over the sending threads); open after ``limit``."""

    def __init__(self, limit: int):
        self.limit, self.count, self.reason = limit, 0, None
        self._lock = threading.Lock()

    @property
    def open(self) -> bool:
        return self.reason is not None

    def note(self, outcome: Delivery | DeliveryError) -> None:
        with self._lock:
            if not (isinstance(outcome, DeliveryError) and outcome.connection):
                self.count = 0
                return
            self.count += 1
            if self.count >= self.limit and self.reason is None:
                self.reason = f"not tried: {self.count} connections to the server failed in a row ({outcome})"

    def skipped(self) -> DeliveryError:
        return DeliveryError(self.reason or "not tried", FailureKind.TEMPORARY, connection=True)


class _LeaseKeeper:
    """Renews the lease of a batch every third of the lease while the batch is being sent."""

    def __init__(self, store: Store, ids: list[int], worker: str, lease: dt.timedelta):
        self.store, self.ids, self.worker, self.lease = store, ids, worker, lease
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="plantrack-lease", daemon=True)

    def _run(self) -> None:
        while not self._stop.wait(self.lease.total_seconds() / 3):
            try:
                renew_lease(self.store, self.ids, self.worker, self.lease)  # on the database's clock
            except Exception:  # the database is away: the lease runs out, another run takes over
                pass

    def __enter__(self) -> "_LeaseKeeper":
        self._thread.start()
        return self

    def __exit__(self, *_exc) -> None:
        self._stop.set()
        self._thread.join()


class _Recorder:
    """Writes each outcome and counts it in the report (from several sending threads)."""

    def __init__(self, report: DispatchReport, worker: str | None, rejected_tries: int, give_up_after: dt.timedelta):
        self.report, self.worker = report, worker
        self.final_after = {FailureKind.REFUSED: 1, FailureKind.REJECTED: rejected_tries}
        self.give_up_after = give_up_after
        self._lock = threading.Lock()

    def add_time(self, seconds: float) -> None:
        with self._lock:
            self.report.recording_s += seconds

    def record(self, session, outcomes: list[tuple[Digest, str, Delivery | DeliveryError]], at: dt.datetime) -> None:
        """Write outcomes (one message's, or a whole batch's) as of ``at``, and count them:
        the delivered ones in one statement, each failure by its kind."""
        report = self.report
        delivered = [(digest, subject, outcome) for digest, subject, outcome in outcomes if isinstance(outcome, Delivery)]
        if delivered:
            record_sent(session, [(d, f"{o.channel} {o.address}", o.result) for d, _, o in delivered], self.worker, at)
            with self._lock:
                for digest, subject, outcome in delivered:
                    report.messages_sent += 1
                    report.notices_sent += len(digest.notice_ids)
                    report.sent.append((digest.recipient_id, digest.channel, subject))
                    report.refused += [f"{digest.recipient_id}: {a} ({answer})" for a, answer in outcome.refused.items()]
        for digest, _, outcome in outcomes:
            if not isinstance(outcome, Delivery):
                self._failed(session, digest, outcome, at)

    def _failed(self, session, digest: Digest, outcome: DeliveryError, at: dt.datetime) -> None:
        report = self.report
        retry_at = record_failure(
            session, digest, self.worker, at, str(outcome), self.final_after.get(outcome.kind), self.give_up_after,
        )
        line = f"{digest.recipient_id} [{digest.channel}]: {outcome}"
        with self._lock:
            if retry_at is None:
                report.messages_undeliverable += 1
                report.notices_undeliverable += len(digest.notice_ids)
                report.undeliverable.append(line)
                return
            report.messages_failed += 1
            report.notices_failed += len(digest.notice_ids)
            report.messages_unknown += outcome.kind is FailureKind.UNKNOWN
            report.errors.append(line)
            if report.next_retry_at is None or retry_at < report.next_retry_at:
                report.next_retry_at = retry_at


def dispatch(
    store: Store,
    now: dt.datetime,
    channels: Channels,
    worker: str | None = None,
    batch: int = 200,
    threads: int = 4,
    max_batches: int | None = None,
    link_for: LinkMaker | None = None,
    directory: Directory | None = None,
    clock: Clock | None = None,
    lease: dt.timedelta = LEASE,
    give_up_after: dt.timedelta = GIVE_UP_AFTER,
    rejected_tries: int = REJECTED_TRIES,
    record_each: bool = True,
    stop_after: int = 3,
    alert=None,
) -> DispatchReport:
    """Send every notice due by ``now`` over ``channels``; returns what was sent, failed and cancelled.

    With simulated channels (``Channels.stub()``, for what-if replays of a whole plan, where
    only the engine's decisions matter) no message is composed or sent: each batch is locked,
    grouped and recorded as delivered, marked as simulated, in one transaction (``take_due``).
    ``link_for`` gives reminders their signed submission links (``submission_links()``).
    ``directory`` may carry units and obligations read before (a replay keeps one for all its
    days). ``clock`` stamps sends and back-off (default: ``run_clock(now)``); leases are on the
    database's clock.

    ``record_each`` writes each message's outcome as the server answers (the duplicate window
    of one message per thread). A replay, whose store and clock are its own, passes False:
    a batch's outcomes are then written in one transaction once the batch is sent (a crash
    re-sends the batch), one transaction a batch instead of one a message.

    After ``stop_after`` connection failures in a row (``DeliveryError.connection``) the run
    sends nothing more: the batch's untried messages are recorded as failed with the reason
    (``report.stopped``), and no other batch is claimed.

    ``alert`` (``alerts.AlertChannel``, from ``PLANTRACK_ALERT_URL``) is told, apart from the
    mail server, when the run gave notices up or stopped sending (``report.alert``).
    """
    directory = directory or Directory()
    report = DispatchReport()
    if channels.simulated:
        return _simulate(store, now, channels, batch, max_batches, directory, _Recorder(report, None, 1, give_up_after))
    worker = worker or worker_name()
    clock = clock or run_clock(now)
    recorder = _Recorder(report, worker, rejected_tries, give_up_after)

    breaker = _Breaker(stop_after)

    def send_and_record(digest: Digest):
        if breaker.open:  # the server is away: do not wait on it again for each message
            outcome = (digest, "", breaker.skipped())
        else:
            outcome = _deliver(channels, link_for, digest, now)
            breaker.note(outcome[2])
        if not record_each:
            return outcome
        answered = time.perf_counter()
        with store.transaction() as session:
            recorder.record(session, [outcome], clock())
        recorder.add_time(time.perf_counter() - answered)

    # One thread sends in line: a pool only pays off when sends wait on the network.
    pool = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="plantrack-send") if threads > 1 else None
    try:
        batches, drained = 0, False
        while (max_batches is None or batches < max_batches) and not drained:
            claimed = claim(store, clock(), worker, batch, lease)
            drained = claimed.drained
            if not claimed.ids:
                break
            batches += 1
            with store.session() as session:
                digests, obsolete = build_digests(session, claimed.ids, now, directory)
            if obsolete:
                with store.transaction() as session:
                    record_cancelled(session, obsolete, now)
                report.notices_cancelled += len(obsolete)
            with _LeaseKeeper(store, claimed.ids, worker, lease):
                outcomes = list(pool.map(send_and_record, digests) if pool else map(send_and_record, digests))
                if not record_each:
                    with store.transaction() as session:
                        recorder.record(session, outcomes, clock())
            if breaker.open:
                report.stopped = breaker.reason
                break
    finally:
        if pool:
            pool.shutdown()
    if report.messages_sent:  # a notice given up may have gone now: its alert has lost its point
        with store.transaction() as session:
            report.alerts_retired = retire_alerts(session, clock())
    with store.session() as session:
        report.waiting, report.next_due_at = waiting(session)
    if alert is not None:
        from .alerts import delivery_warning

        warning = delivery_warning(report)
        if warning is not None:
            problem = alert.warn(*warning)
            report.alert = f"not posted: {problem}" if problem else "posted"
    return report


def _simulate(
    store: Store, now: dt.datetime, channels: Channels, batch: int, max_batches: int | None, directory: Directory,
    recorder: _Recorder,
) -> DispatchReport:
    """Nothing goes over the network: lock, group and record each batch in one transaction,
    with no lease to take and give back."""
    report = recorder.report
    batches, drained = 0, False
    while (max_batches is None or batches < max_batches) and not drained:
        with store.transaction() as session:
            digests, obsolete, drained = take_due(session, now, batch, directory)
            if not digests and not obsolete:
                break
            batches += 1
            record_cancelled(session, obsolete, now)
            report.notices_cancelled += len(obsolete)
            recorder.record(session, [(digest, "", channels.email.send(digest, None, now)) for digest in digests], now)
    return report
