"""The progress report by e-mail to the head and the standing office, with its files attached."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from plantrack.assumptions import clause
from plantrack.exports.common import plan_label, rate_text
from plantrack.exports.html import render_report
from plantrack.progress import ProgressReport, Recipient
from plantrack.tracking import COUNTED, Status

from .channels import PooledSmtpSender
from .mime import Attachment

MIME_TYPES = {
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".html": "text/html",
}


def report_subject(report: ProgressReport) -> str:
    return (
        f"Báo cáo tiến độ thực hiện {plan_label(report.plan_doc_type, report.plan_number)} "
        f"(số liệu đến ngày {report.day:%d/%m/%Y})"
    )


def report_text(report: ProgressReport, recipients: list[Recipient]) -> str:
    lines = [
        report_subject(report),
        "",
        "Kính gửi: " + "; ".join(r.name for r in recipients) + ".",
        "",
        f"Hệ thống theo dõi thực hiện kế hoạch báo cáo tình hình thực hiện {plan_label(report.plan_doc_type, report.plan_number)} "
        f"({report.plan_title}) đến hết ngày {report.day:%d/%m/%Y}:",
        "",
        *[f"- {s.vi}: {report.counts[s]}" for s in COUNTED],
        f"- Tỷ lệ đúng hạn: {rate_text(report.rate)}",
        f"- Đơn vị có nhiệm vụ quá hạn: {len(report.lagging)}",
    ]
    if report.owed:
        lines += ["", "Các nhiệm vụ quá hạn lâu nhất:"]
        lines += [
            f"- {o.unit_name}: {o.obligation_title} ({o.period_label}), hạn {o.deadline:%d/%m/%Y}"
            f"{f' ({clause(o.assumed)})' if o.assumed else ''}, quá {o.days_late} ngày, "
            f"đã gửi {o.notices_sent} thông báo"
            for o in report.owed[:15]
        ]
        if len(report.owed) > 15:
            lines.append(f"- … và {len(report.owed) - 15} nhiệm vụ khác (xem tệp đính kèm)")
    lines += [
        "",
        "Chi tiết theo từng đơn vị và từng kỳ trong các tệp đính kèm (Excel và HTML)./.",
        "",
        "--",
        f"Progress report of {report.plan_number} as of {report.day.isoformat()}: "
        f"{report.counts[Status.OVERDUE]} overdue, on-time rate {rate_text(report.rate)}. Files attached.",
    ]
    return "\n".join(lines) + "\n"


def send_report(
    sender: PooledSmtpSender, report: ProgressReport, recipients: list[Recipient], files: list[Path], now: dt.datetime
) -> str:
    """One message to every recipient's To and Cc addresses; returns the SMTP server's answer."""
    to = [a for r in recipients for a in r.to]
    cc = [a for r in recipients for a in r.cc if a not in to]
    attachments = [Attachment(path.name, MIME_TYPES.get(path.suffix, "application/octet-stream"), path.read_bytes()) for path in files]
    return sender.send_document(to, cc, report_subject(report), report_text(report, recipients), render_report(report), attachments, now)
