"""Flows: the morning deadline watch (watch, then dispatch) and the dispatch of pending notices.

Both are entry points: they read the clock (unless given ``as_of``) and the SMTP URL
(``PLANTRACK_SMTP_URL``, else the Prefect Secret block named by ``smtp_secret_block``).
"""

from __future__ import annotations

import datetime as dt
import os

from prefect import flow
from prefect.artifacts import create_markdown_artifact
from prefect.logging import get_run_logger

from notifications.channels import SMTP_URL_VARIABLE
from plantrack.calendar import read_instant
from tasks.notice_tasks import run_dispatch, run_watch

CATEGORY_VI = {"due_soon": "sắp đến hạn", "due_today": "đến hạn hôm nay", "overdue": "quá hạn"}


def resolve_smtp_url(secret_block: str | None) -> str | None:
    """The SMTP URL from the environment, else from a Prefect Secret block; never logged."""
    if os.environ.get(SMTP_URL_VARIABLE):
        return os.environ[SMTP_URL_VARIABLE]
    if not secret_block:
        return None
    from prefect.blocks.system import Secret

    try:
        return Secret.load(secret_block).get()
    except ValueError:  # no such block
        get_run_logger().warning("no Secret block %r and no %s", secret_block, SMTP_URL_VARIABLE)
        return None


def entry_instant(as_of: str | None) -> dt.datetime:
    """The flow's clock: ``as_of`` (an ISO instant, or a date meaning the end of that day), else now."""
    if as_of is None:
        return dt.datetime.now(dt.timezone.utc)
    return read_instant(as_of, "as_of", date_means_end_of_day=True)


def watch_markdown(as_of: dt.datetime, found: dict, sent: dict | None) -> str:
    summary = found["summary"]
    lines = [
        f"# Theo dõi thời hạn / Deadline watch — {as_of.isoformat()}",
        "",
        "| | số lượng / count |",
        "|---|---:|",
        f"| sắp đến hạn / due soon | {summary['due_soon']} |",
        f"| đến hạn hôm nay / due today | {summary['due_today']} |",
        f"| quá hạn (tất cả) / overdue (all) | {summary['overdue_total']} |",
        f"| báo cáo lên cấp trên / escalated | {summary['escalated']} |",
        f"| thông báo mới / new notices | {summary['notices_created']} |",
    ]
    if sent is not None:
        s = sent["summary"]
        lines += [
            f"| thư đã gửi / messages sent | {s['messages_sent']} ({s['notices_sent']} notices) |",
            f"| thư lỗi, sẽ gửi lại / failed, will retry | {s['messages_failed']} |",
        ]
    if summary["unreachable"]:
        lines += ["", "**Không có địa chỉ nhận / unreachable:** " + ", ".join(summary["unreachable"])]
    findings = found["findings"]
    if findings:
        lines += ["", "## Thông báo hôm nay / today's steps", "", "| đơn vị / unit | kế hoạch / plan | hạn / deadline | tình trạng | bậc / steps |", "|---|---|---|---|---|"]
        lines += [
            f"| {f['unit']} | {f['plan']} | {f['deadline']} | {CATEGORY_VI[f['category']]} | {', '.join(f['steps'])} |"
            for f in findings[:200]
        ]
        if len(findings) > 200:
            lines.append(f"| … {len(findings) - 200} more | | | | |")
    if sent is not None and sent["errors"]:
        lines += ["", "## Lỗi gửi / delivery errors", ""] + [f"- {e}" for e in sent["errors"][:50]]
    return "\n".join(lines)


@flow(name="deadline-watch", log_prints=True)
def deadline_watch(
    as_of: str | None = None, database_url: str | None = None, smtp_secret_block: str | None = "plantrack-smtp-url",
    send: bool = True,
) -> dict:
    """Every working morning: write the day's reminders and escalations, then send them."""
    instant = entry_instant(as_of)
    found = run_watch(instant, database_url)
    sent = run_dispatch(instant, resolve_smtp_url(smtp_secret_block), database_url) if send else None
    create_markdown_artifact(key="deadline-watch", markdown=watch_markdown(instant, found, sent), description="Deadline watch")
    return {"watch": found["summary"], "dispatch": sent["summary"] if sent else None}


@flow(name="dispatch-notices", log_prints=True)
def dispatch_notices(
    as_of: str | None = None, database_url: str | None = None, smtp_secret_block: str | None = "plantrack-smtp-url"
) -> dict:
    """Send pending notices, retries included (runs every few minutes in working hours)."""
    instant = entry_instant(as_of)
    sent = run_dispatch(instant, resolve_smtp_url(smtp_secret_block), database_url)
    s = sent["summary"]
    create_markdown_artifact(
        key="dispatch-notices",
        markdown=f"# Gửi thông báo / Dispatch — {instant.isoformat()}\n\n"
        f"Đã gửi / sent: {s['messages_sent']} thư ({s['notices_sent']} thông báo); lỗi / failed: {s['messages_failed']}; "
        f"hủy / cancelled: {s['notices_cancelled']}; lần thử tới / next retry: {s['next_retry_at'] or '—'}",
        description="Dispatch of pending notices",
    )
    return s


if __name__ == "__main__":
    deadline_watch()
