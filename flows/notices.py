"""Flows: the morning deadline watch (watch, then dispatch) and the dispatch of pending notices.

Both are entry points: they read the clock (unless given ``as_of``) and the SMTP URL
(``PLANTRACK_SMTP_URL``, else the Prefect Secret block named by ``smtp_secret_block``).

Both keep to Viet Nam's working days: on a weekend or a public holiday (``WorkCalendar``)
they do nothing and say why in their artifact; what is pending waits for the next working
day's runs. A run fails (after writing its artifact, which says what) when any send failed,
whether it will be tried again or was given up as undeliverable, even if other messages went:
a green run means all the mail it tried went.
"""

from __future__ import annotations

import datetime as dt
import os

from prefect import flow
from prefect.artifacts import create_markdown_artifact
from prefect.logging import get_run_logger

from notifications.channels import SMTP_URL_VARIABLE
from plantrack.calendar import WorkCalendar, local_date, read_as_of
from plantrack.errors import PlantrackError
from tasks.notice_tasks import run_dispatch, run_watch


class DeliveryFailed(PlantrackError):
    """Some sends of the run failed or were given up (the artifact lists them)."""

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
    return read_as_of(as_of, "as_of") or dt.datetime.now(dt.timezone.utc)


def rest_day(instant: dt.datetime, calendar: WorkCalendar | None = None):
    """Why the local day of ``instant`` is not a working day (``RestDay``), or None."""
    return (calendar or WorkCalendar()).rest_reason(local_date(instant))


def skipped_on_rest_day(key: str, title: str, instant: dt.datetime) -> dict | None:
    """On a rest day: an artifact saying why the run does nothing, and the run's result;
    on a working day None."""
    reason = rest_day(instant)
    if reason is None:
        return None
    create_markdown_artifact(
        key=key, description=f"{title} (skipped: rest day)",
        markdown=f"# {title} — {instant.isoformat()}\n\n"
        f"Không chạy: hôm nay {local_date(instant):%d/%m/%Y} là {reason.vi}. Các thông báo đang chờ sẽ được gửi "
        f"vào ngày làm việc tiếp theo.\n\nSkipped: {reason.en}; pending notices wait for the next working day.",
    )
    get_run_logger().info("rest day (%s): nothing done", reason.en)
    return {"skipped": reason.en}


def dispatch_lines(sent: dict) -> list[str]:
    """The dispatch part of an artifact: counts in notices, what waits, what was given up."""
    s = sent["summary"]
    lines = [
        f"| thư đã gửi / messages sent | {s['messages_sent']} ({s['notices_sent']} thông báo / notices) |",
        f"| lỗi tạm thời, sẽ gửi lại / failed, will retry | {s['messages_failed']} ({s['notices_failed']}) |",
        f"| không rõ kết quả (không trả lời sau DATA) / unknown outcome | {s['messages_unknown']} |",
        f"| không gửi được / undeliverable | {s['messages_undeliverable']} ({s['notices_undeliverable']}) |",
        f"| hủy (đã nộp hoặc đổi hạn) / cancelled | {s['notices_cancelled']} |",
        f"| đang chờ / waiting | {s['waiting']} (sớm nhất / next {s['next_due_at'] or '—'}) |",
    ]
    if s.get("alert"):
        lines += ["", f"**Cảnh báo qua kênh riêng (PLANTRACK_ALERT_URL) / alert channel:** {s['alert']}"]
    if s.get("stopped"):
        lines += ["", f"**Dừng gửi: không kết nối được máy chủ thư nhiều lần liên tiếp / stopped:** {s['stopped']}"]
    if sent["undeliverable"]:
        lines += ["", "## Không gửi được / undeliverable", ""] + [f"- {e}" for e in sent["undeliverable"][:50]]
    if sent["errors"]:
        lines += ["", "## Lỗi gửi, sẽ gửi lại / delivery errors, will retry", ""] + [f"- {e}" for e in sent["errors"][:50]]
    if sent["refused"]:
        lines += ["", "## Địa chỉ bị từ chối / refused addresses", ""] + [f"- {e}" for e in sent["refused"][:50]]
    return lines


def fail_unless_delivered(sent: dict | None) -> None:
    """Raise ``DeliveryFailed`` (the flow run ends Failed) when any send of the run failed."""
    if sent is not None and not sent["healthy"]:
        s = sent["summary"]
        raise DeliveryFailed(
            f"{s['notices_undeliverable']} notice(s) undeliverable, {s['messages_failed']} message(s) failed and "
            f"{s['messages_sent']} sent: see the run's artifact"
        )


def watch_markdown(as_of: dt.datetime, found: dict, sent: dict | None) -> str:
    summary = found["summary"]
    lines = [
        f"# Theo dõi thời hạn / Deadline watch — {as_of.isoformat()}",
        "",
        "| | số lượng / count |",
        "|---|---:|",
        f"| sắp đến hạn / due soon | {summary['due_soon']} |",
        f"| đến hạn hôm nay / due today | {summary['due_today']} |",
        f"| quá hạn (kế hoạch đang hiệu lực) / overdue (plans in force) | {summary['overdue_total']} |",
        f"| báo cáo lên cấp trên / escalated | {summary['escalated']} |",
        f"| thông báo mới / new notices | {summary['notices_created']} |",
    ]
    if sent is not None:
        lines += dispatch_lines(sent)
    if summary["unreachable"]:
        lines += ["", "**Không có địa chỉ nhận / unreachable:** " + ", ".join(summary["unreachable"])]
    findings = found["findings"]
    if findings:
        lines += ["", "## Thông báo hôm nay / today's steps", "",
                  "| đơn vị / unit | kế hoạch / plan | hạn / deadline | tình trạng | bậc / steps |", "|---|---|---|---|---|"]
        lines += [
            f"| {f['unit']} | {f['plan']} | {f['deadline']} | {CATEGORY_VI[f['category']]} | {', '.join(f['steps'])} |"
            for f in findings[:200]
        ]
        if len(findings) > 200:
            lines.append(f"| … {len(findings) - 200} more | | | | |")
    return "\n".join(lines)


@flow(name="deadline-watch", log_prints=True)
def deadline_watch(
    as_of: str | None = None, database_url: str | None = None, smtp_secret_block: str | None = "plantrack-smtp-url",
    send: bool = True, on_rest_days: bool = False,
) -> dict:
    """Every working morning: write the day's reminders and escalations, then send them."""
    instant = entry_instant(as_of)
    skipped = None if on_rest_days else skipped_on_rest_day("deadline-watch", "Theo dõi thời hạn / Deadline watch", instant)
    if skipped:
        return skipped
    found = run_watch(instant, database_url)
    sent = run_dispatch(instant, resolve_smtp_url(smtp_secret_block), database_url, real_time=as_of is None) if send else None
    create_markdown_artifact(key="deadline-watch", markdown=watch_markdown(instant, found, sent), description="Deadline watch")
    fail_unless_delivered(sent)
    return {"watch": found["summary"], "dispatch": sent["summary"] if sent else None}


@flow(name="dispatch-notices", log_prints=True)
def dispatch_notices(
    as_of: str | None = None, database_url: str | None = None, smtp_secret_block: str | None = "plantrack-smtp-url",
    on_rest_days: bool = False,
) -> dict:
    """Send pending notices, retries included (runs every few minutes in working hours)."""
    instant = entry_instant(as_of)
    title = "Gửi thông báo / Dispatch"
    skipped = None if on_rest_days else skipped_on_rest_day("dispatch-notices", title, instant)
    if skipped:
        return skipped
    sent = run_dispatch(instant, resolve_smtp_url(smtp_secret_block), database_url, real_time=as_of is None)
    create_markdown_artifact(
        key="dispatch-notices",
        markdown="\n".join([f"# {title} — {instant.isoformat()}", "", "| | |", "|---|---:|", *dispatch_lines(sent)]),
        description="Dispatch of pending notices",
    )
    fail_unless_delivered(sent)
    return sent["summary"]


if __name__ == "__main__":
    deadline_watch()
