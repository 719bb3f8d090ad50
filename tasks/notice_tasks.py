"""Prefect tasks over the watch and the dispatcher (coarse: the per-occurrence work is SQL)."""

from __future__ import annotations

import datetime as dt

from prefect import task
from prefect.logging import get_run_logger

from notifications.alerts import AlertChannel
from notifications.channels import AppriseUrlChannel, Channels, email_sender
from notifications.dispatch import dispatch, submission_links, wall_clock
from plantrack.settings import DeliverySettings
from plantrack.store.database import Store
from plantrack.watch import watch

from .plan_tasks import retry_unless_bad_input


@task(name="deadline-watch", retries=2, retry_delay_seconds=[10, 60], retry_condition_fn=retry_unless_bad_input)
def run_watch(as_of: dt.datetime, database_url: str | None = None) -> dict:
    """Write the day's ladder steps to the outbox (idempotent); returns what was found."""
    store = Store(database_url)
    try:
        with store.transaction() as session:
            report = watch(session, as_of)
            findings = [
                {"occurrence": f.occurrence_id, "plan": f.plan_id, "unit": f.unit_id, "deadline": f.deadline.isoformat(),
                 "category": f.category, "steps": [s.stage for s in f.steps]}
                for f in report.findings
                if f.steps
            ]
        store.tidy()  # once a morning: the day's notices, the planner's statistics
    finally:
        store.dispose()
    get_run_logger().info("watch as of %s: %s", as_of.isoformat(), report.summary())
    return {"summary": report.summary(), "findings": findings}


@task(name="dispatch-notices", retries=3, retry_delay_seconds=[30, 120, 600], retry_condition_fn=retry_unless_bad_input)
def run_dispatch(now: dt.datetime, smtp_url: str | None, database_url: str | None = None, real_time: bool = False) -> dict:
    """Send what is due; failed sends stay in the outbox with a later retry time, or are given up.

    ``real_time``: the flow runs on the real clock (no ``as_of``): sends are stamped with the
    real time the server accepted them, however long the task waited or was retried.

    The task does not fail for failed sends (the outbox keeps them, a task retry would only
    resend at once): the flow decides the run's state from the summary."""
    logger = get_run_logger()
    settings = DeliverySettings.from_environment()
    sender = email_sender(smtp_url, settings=settings)
    if sender is None:
        logger.warning("no SMTP server configured (PLANTRACK_SMTP_URL or a Secret block): e-mail notices stay pending")
    channels = Channels(sender, AppriseUrlChannel(settings))
    store = Store(database_url)
    try:
        report = dispatch(store, now, channels, link_for=submission_links(),  # with PLANTRACK_PUBLIC_URL
                          clock=wall_clock if real_time else None, alert=AlertChannel.from_environment())
    finally:
        store.dispose()
        channels.close()
    for line in report.undeliverable[:20]:
        logger.error("undeliverable: %s", line)
    for error in report.errors[:20]:
        logger.warning("not sent, will retry: %s", error)
    logger.info("dispatch: %s", report.summary())
    return {
        "summary": report.summary(), "healthy": report.healthy, "sent": report.sent, "errors": report.errors,
        "undeliverable": report.undeliverable, "refused": report.refused,
    }
