"""The progress report as an Excel workbook (openpyxl): summary, units, heat map, lagging units,
implementing plans. Every figure is a value, not a formula, so any reader shows it as is."""

from __future__ import annotations

from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from ..progress import ProgressReport
from ..tracking import Status
from .common import EMPTY_COLOUR, KIND_VI, STATUS_COLOUR, STATUS_COLUMNS, plan_label, rate_text

BOLD = Font(bold=True)
WRAP = Alignment(wrap_text=True, vertical="top")

SHEETS = ("Tổng hợp", "Đơn vị", "Bản đồ nhiệt", "Đơn vị chậm", "Kế hoạch triển khai")


def _append(sheet, values: list) -> int:
    """Append a row and return its number. (``sheet.max_row`` scans every cell: asked once per
    row, it made the national report quadratic, 4.6 s of it in that property alone.)"""
    sheet.append(values)
    return sheet._current_row  # openpyxl's own counter of appended rows


def _header(sheet, titles: list[str], widths: list[int]) -> None:
    row = _append(sheet, titles)
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
        sheet.cell(row=row, column=index).font = BOLD
    sheet.freeze_panes = f"A{row + 1}"  # a string: asking for the cell would create a blank row


def _fill(cell, colours: tuple[str, str]) -> None:
    cell.fill = PatternFill("solid", start_color=colours[0], end_color=colours[0])
    cell.font = Font(color=colours[1])


def write_workbook(report: ProgressReport, path: Path) -> Path:
    book = Workbook()
    summary = book.active
    summary.title = SHEETS[0]
    summary.column_dimensions["A"].width = 34
    summary.column_dimensions["B"].width = 70
    for label, value in [
        ("Báo cáo tiến độ thực hiện", f"{plan_label(report.plan_doc_type, report.plan_number)}"),
        ("Trích yếu", report.plan_title),
        ("Số liệu đến hết ngày", f"{report.day:%d/%m/%Y}"),
        ("Số đơn vị", len(report.units)),
        *[(status.vi, report.counts[status]) for status in STATUS_COLUMNS],
        ("Tỷ lệ đúng hạn", rate_text(report.rate)),
        ("Số đơn vị có nhiệm vụ quá hạn", len(report.lagging)),
    ]:
        row = _append(summary, [label, value])
        summary.cell(row=row, column=1).font = BOLD
        summary.cell(row=row, column=2).alignment = WRAP

    units = book.create_sheet(SHEETS[1])
    _header(units, ["Mã đơn vị", "Đơn vị", "Loại", *[s.vi for s in STATUS_COLUMNS], "Tỷ lệ đúng hạn", "Số thông báo đã gửi"],
            [28, 40, 20, 14, 14, 14, 10, 12, 12])
    for unit in report.units:
        units.append([unit.unit_id, unit.name, KIND_VI.get(unit.kind, unit.kind), *[unit.counts[s] for s in STATUS_COLUMNS],
                      rate_text(unit.rate), unit.notices_sent])

    heat = book.create_sheet(SHEETS[2])
    _header(heat, ["Đơn vị", *[p.label for p in report.periods]], [40, *[20] * len(report.periods)])
    for unit in report.units:
        row = _append(heat, [unit.name, *[_cell_text(cell.counts) for cell in unit.cells]])
        for index, cell in enumerate(unit.cells, start=2):
            _fill(heat.cell(row=row, column=index), STATUS_COLOUR.get(cell.status, EMPTY_COLOUR))
    heat.append([])
    row = _append(heat, ["Chú giải", *[s.vi for s in STATUS_COLUMNS]])
    for index, status in enumerate(STATUS_COLUMNS, start=2):
        _fill(heat.cell(row=row, column=index), STATUS_COLOUR[status])

    lagging = book.create_sheet(SHEETS[3])
    _header(lagging, ["Mã đơn vị", "Đơn vị", "Văn bản", "Nhiệm vụ", "Kỳ", "Thời hạn", "Số ngày quá hạn", "Số thông báo đã gửi",
                      "Ghi chú"],
            [28, 34, 22, 60, 18, 12, 10, 12, 40])
    for owed in report.owed:
        row = _append(lagging, [owed.unit_id, owed.unit_name, owed.plan_number, owed.obligation_title, owed.period_label,
                                owed.deadline, owed.days_late, owed.notices_sent, owed.assumption])
        lagging.cell(row=row, column=6).number_format = "DD/MM/YYYY"
        lagging.cell(row=row, column=4).alignment = WRAP
        lagging.cell(row=row, column=9).alignment = WRAP

    children = book.create_sheet(SHEETS[4])
    _header(children, ["Văn bản", "Cơ quan ban hành", "Thuộc đơn vị", *[s.vi for s in STATUS_COLUMNS], "Tỷ lệ đúng hạn"],
            [30, 30, 28, 14, 14, 14, 10, 12])
    for child in report.children:
        children.append([plan_label(child.doc_type, child.number), child.issuer_name, child.owner_id or "",
                         *[child.counts[s] for s in STATUS_COLUMNS], rate_text(child.rate)])
    if report.implementers:
        children.append([])
        have = sum(1 for _, _, plans in report.implementers if plans)
        children.append([f"Đơn vị đã có kế hoạch triển khai trong hệ thống: {have}/{len(report.implementers)}"])
        for unit_id, name, plans in report.implementers:
            children.append([name, unit_id, ", ".join(plans) if plans else "chưa có"])

    if report.figures:
        _figures_sheet(book.create_sheet("Số liệu"), report)
    if report.targets:
        _targets_sheet(book.create_sheet("Mục tiêu"), report)
        _targets_by_unit_sheet(book.create_sheet("Mục tiêu theo đơn vị"), report)

    path.parent.mkdir(parents=True, exist_ok=True)
    _as_text(book)
    book.save(path)
    return path


def _figures_sheet(sheet, report: ProgressReport) -> None:
    """The figures compiled from the units' reports, each with its coverage (a Decree 09 data table)."""
    _header(sheet, ["Báo cáo", "Kỳ", "Chỉ tiêu", "Đơn vị tính", "Tổng hợp", "Số đơn vị báo cáo", "Số đơn vị chưa báo cáo", "Ghi chú"],
            [34, 22, 50, 14, 18, 14, 14, 40])
    for found in report.figures:
        rolled = ", ".join(found.names.get(u, u) for u in found.rolled_up)
        for total in found.totals:
            value = total.value if total.indicator.get("kind") != "percentage" or total.value is None else round(total.value, 1)
            row = _append(sheet, [found.obligation_title, found.period_label, total.indicator["name"],
                                  "%" if total.indicator.get("kind") == "percentage" else total.indicator.get("unit_of_measure") or "",
                                  value, len(total.reported), len(total.missing),
                                  f"tổng hợp từ đơn vị cấp dưới: {rolled}" if rolled else ""])
            sheet.cell(row=row, column=5).number_format = "#,##0.0" if total.indicator.get("kind") == "percentage" else "#,##0"
            sheet.cell(row=row, column=3).alignment = WRAP


def _targets_sheet(sheet, report: ProgressReport) -> None:
    """The targets: reported, expected on the path, the target, the standing; and a bar chart."""
    from openpyxl.chart import BarChart, Reference

    _header(sheet, ["Mục tiêu", "Đạt được", "Theo lộ trình", "Mục tiêu", "Thời hạn", "Đánh giá", "Số đơn vị báo cáo"],
            [60, 12, 14, 12, 12, 22, 14])
    first = None
    for progress in report.targets:
        row = _append(sheet, [progress.target["name"], None if progress.value is None else round(progress.value, 1),
                              None if progress.expected is None else round(progress.expected, 1),
                              float(progress.target["value"]) if progress.judged else f"mốc: {progress.baseline_text}", progress.by,
                              progress.standing.vi, progress.coverage + (f" ({progress.how})" if progress.how else "")])
        sheet.cell(row=row, column=5).number_format = "DD/MM/YYYY"
        first = first or row
        sheet.cell(row=row, column=1).alignment = WRAP
    chart = BarChart()
    chart.type, chart.title, chart.y_axis.title = "bar", "Tiến độ so với lộ trình", "Giá trị"
    data = Reference(sheet, min_col=2, max_col=4, min_row=first - 1, max_row=first + len(report.targets) - 1)
    chart.add_data(data, titles_from_data=True)
    chart.set_categories(Reference(sheet, min_col=1, min_row=first, max_row=first + len(report.targets) - 1))
    chart.width, chart.height = 24, 4 + 2 * len(report.targets)
    sheet.add_chart(chart, f"A{first + len(report.targets) + 2}")


def _targets_by_unit_sheet(sheet, report: ProgressReport) -> None:
    """Each target, unit by unit: what it reported and whether it is on the path."""
    _header(sheet, ["Mục tiêu", "Đơn vị", "Đạt được", "Đánh giá"], [50, 40, 12, 22])
    for progress in report.targets:
        for unit in progress.units:
            _append(sheet, [progress.target["name"], unit.name, None if unit.value is None else round(unit.value, 1), unit.standing.vi])


FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _as_text(book) -> None:
    """Text that starts like a formula (an ad-hoc title "=HYPERLINK(…)") stays text: openpyxl
    would store it as a formula, which Excel runs when the file is opened."""
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if isinstance(cell.value, str) and cell.value.startswith(FORMULA_START):
                    cell.data_type = "s"


def _cell_text(counts: dict[Status, int]) -> str:
    """'3/4 đúng hạn' style: done on time out of what fell in the period."""
    total = sum(counts[s] for s in STATUS_COLUMNS)
    if not total:
        return ""
    parts = [f"{counts[s]} {label}" for s, label in
             ((Status.ON_TIME, "đúng hạn"), (Status.LATE, "muộn"), (Status.IN_PROGRESS, "đang làm"), (Status.OVERDUE, "quá hạn"),
              (Status.NO_DEADLINE, "chưa có hạn"))
             if counts[s]]
    return ", ".join(parts)
