"""Prefect tasks over the domain core: loading and syncing plan definitions."""

from __future__ import annotations

from pathlib import Path

from prefect import task
from prefect.logging import get_run_logger

from plantrack.errors import PlantrackError
from plantrack.loader import load_catalogue
from plantrack.store.database import Store
from plantrack.store.sync import SyncReport, sync_catalogue


def retry_unless_bad_input(task, task_run, state) -> bool:
    """Retry I/O failures; a broken plan file or a bad request fails at once."""
    return not isinstance(state.result(raise_on_failure=False), PlantrackError)


@task(name="sync-plan-definitions", retries=2, retry_delay_seconds=[10, 60], retry_condition_fn=retry_unless_bad_input)
def sync_plan_definitions(definitions: list[str], database_url: str | None = None) -> SyncReport:
    """Check every definition file, then sync the store in one transaction.

    A broken file raises before anything is written (it is not retried: retrying cannot mend
    it); a database error is retried with backoff.
    """
    logger = get_run_logger()
    catalogue = load_catalogue(*(Path(p) for p in definitions))
    store = Store(database_url)
    try:
        with store.transaction() as session:
            report = sync_catalogue(session, catalogue, Path.cwd())
        store.tidy()  # a sync rewrites occurrences in bulk: the planner's statistics follow
    finally:
        store.dispose()
    for kind, added, changed, retired in report.summary():
        logger.info("%s: %d added, %d changed, %d retired", kind, added, changed, retired)
    return report
