"""Prefect tasks for progress reports: compile and write the files, then e-mail them."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from prefect import task
from prefect.logging import get_run_logger

from notifications.channels import PooledSmtpSender
from plantrack.settings import DeliverySettings
from notifications.report_mail import send_report
from plantrack.reporting import WrittenReport, write_progress_report
from plantrack.store.database import Store

from .plan_tasks import retry_unless_bad_input


@task(name="compile-progress-report", retries=2, retry_delay_seconds=[10, 60], retry_condition_fn=retry_unless_bad_input)
def compile_progress_report(plan: str, as_of: dt.datetime, output_dir: str, database_url: str | None = None) -> WrittenReport:
    store = Store(database_url)
    try:
        written = write_progress_report(store, plan, as_of, Path(output_dir))
    finally:
        store.dispose()
    get_run_logger().info("progress report of %s as of %s: %s", plan, as_of.isoformat(), ", ".join(map(str, written.files)))
    return written


@task(name="email-progress-report", retries=3, retry_delay_seconds=[30, 120, 600], retry_condition_fn=retry_unless_bad_input)
def email_progress_report(written: WrittenReport, smtp_url: str, now: dt.datetime) -> str:
    """A failed send raises and is retried; after the last try the flow run fails, visibly."""
    sender = PooledSmtpSender(smtp_url, DeliverySettings.from_environment())
    try:
        answer = send_report(sender, written.report, written.recipients, written.files, now)
    finally:
        sender.close()
    get_run_logger().info("report e-mailed to %s: %s", ", ".join(r.unit_id for r in written.recipients), answer)
    return answer
