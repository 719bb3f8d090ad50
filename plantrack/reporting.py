"""Compile a plan's progress report and write its files: what the CLI and the flow share."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from .exports.excel import write_workbook
from .exports.html import write_html
from .figures import latest_figures
from .progress import ProgressReport, Recipient, compile_report, report_recipients
from .store.database import Store
from .targets import target_progress


@dataclass
class WrittenReport:
    report: ProgressReport
    recipients: list[Recipient]
    files: list[Path]  # the workbook, then the HTML page


def report_files(report: ProgressReport, output_dir: Path) -> list[Path]:
    stem = f"bao-cao-tien-do-{report.plan_id}-{report.day.isoformat()}"
    return [write_workbook(report, output_dir / f"{stem}.xlsx"), write_html(report, output_dir / f"{stem}.html")]


def write_progress_report(store: Store, plan: str, as_of: dt.datetime, output_dir: Path) -> WrittenReport:
    with store.session() as session:
        report = compile_report(session, plan, as_of)
        report.figures = latest_figures(session, plan, as_of)
        report.targets = target_progress(session, plan, as_of)
        recipients = report_recipients(session, plan)
    return WrittenReport(report, recipients, report_files(report, output_dir))
