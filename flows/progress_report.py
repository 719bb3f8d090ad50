"""Flow: a plan's progress report as of a date, as Prefect artifacts, files and an e-mail.

An entry point: it reads the clock unless given ``as_of`` (a date means the end of that day,
Viet Nam time), and the SMTP URL as the notice flows do.
"""

from __future__ import annotations

from prefect import flow
from prefect.artifacts import create_markdown_artifact, create_table_artifact
from prefect.logging import get_run_logger

from plantrack.exports.common import KIND_VI, plan_label, rate_text
from plantrack.figures import format_value
from plantrack.progress import ProgressReport
from plantrack.tracking import COUNTED, Status
from tasks.report_tasks import compile_progress_report, email_progress_report

from .notices import entry_instant, resolve_smtp_url


def report_markdown(report: ProgressReport, files: list[str]) -> str:
    lines = [
        f"# Báo cáo tiến độ / Progress report — {plan_label(report.plan_doc_type, report.plan_number)}, đến hết ngày {report.day:%d/%m/%Y}",
        "",
        "| | số lượng / count |",
        "|---|---:|",
        *[f"| {s.vi} / {s.en} | {report.counts[s]} |" for s in COUNTED],
        f"| Tỷ lệ đúng hạn / on-time rate | {rate_text(report.rate)} |",
        f"| Đơn vị chậm / lagging units | {len(report.lagging)} |",
    ]
    if report.owed:
        lines += ["", "## Đơn vị chậm thực hiện / lagging units", "",
                  "| đơn vị / unit | nhiệm vụ / task | hạn / deadline | quá / days late | thông báo / notices | ghi chú / note |",
                  "|---|---|---|---:|---:|---|"]
        lines += [f"| {o.unit_name} | {o.obligation_title} ({o.period_label}) | {o.deadline:%d/%m/%Y} | {o.days_late} | {o.notices_sent} "
                  f"| {o.assumption} |" for o in report.owed[:100]]
    if report.implementers:
        have = [name for _, name, plans in report.implementers if plans]
        lines += ["", f"**Kế hoạch triển khai đã có / implementing plans loaded:** {len(have)}/{len(report.implementers)} ({', '.join(have) or '—'})"]
    for found in report.figures:
        lines += ["", f"## Số liệu / figures — {found.obligation_title}, {found.period_label}", "",
                  "| chỉ tiêu / indicator | tổng hợp / total | báo cáo / coverage |", "|---|---:|---|"]
        lines += [f"| {t.indicator['name']} | {format_value(t.indicator, t.value)} | {t.coverage} |" for t in found.totals]
    if report.targets:
        lines += ["", "## Mục tiêu / targets", "", "| mục tiêu / target | đạt / reached | lộ trình / path | đánh giá / standing |",
                  "|---|---:|---:|---|"]
        lines += [f"| {t.target['name']} | {format_value(dict(t.indicator, aggregate='sum'), t.value)} | "
                  f"{format_value(dict(t.indicator, aggregate='sum'), t.expected)} | {t.standing.vi} |" for t in report.targets]
    lines += ["", "Tệp / files: " + ", ".join(f"`{f}`" for f in files)]
    return "\n".join(lines)


@flow(name="progress-report", log_prints=True)
def progress_report(
    plan: str = "kh-399", as_of: str | None = None, output_dir: str = "var/reports", database_url: str | None = None,
    smtp_secret_block: str | None = "plantrack-smtp-url", send: bool = True,
) -> dict:
    """Compile, publish and e-mail a plan's progress report (scheduled around its reporting dates)."""
    instant = entry_instant(as_of)
    written = compile_progress_report(plan, instant, output_dir, database_url)
    report = written.report
    files = [str(path) for path in written.files]
    create_markdown_artifact(key=f"progress-{report.plan_id}", markdown=report_markdown(report, files), description="Progress report")
    create_table_artifact(
        key=f"progress-units-{report.plan_id}",
        table=[
            {"đơn vị": u.name, "loại": KIND_VI.get(u.kind, u.kind), **{s.vi: u.counts[s] for s in COUNTED},
             "tỷ lệ đúng hạn": rate_text(u.rate), "thông báo": u.notices_sent}
            for u in report.units
        ],
        description="Units by status",
    )
    answer = None
    if send:
        smtp_url = resolve_smtp_url(smtp_secret_block)
        if smtp_url is None:
            get_run_logger().warning("no SMTP server configured: the report is written but not e-mailed")
        else:
            answer = email_progress_report(written, smtp_url, instant)
    return {
        "plan": report.plan_id, "as_of": instant.isoformat(), "files": files, "emailed": answer,
        "counts": {s.value: report.counts[s] for s in COUNTED}, "overdue": report.counts[Status.OVERDUE],
    }


if __name__ == "__main__":
    progress_report()
