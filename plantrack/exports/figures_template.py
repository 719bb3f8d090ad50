"""The Excel template a unit fills in with its figures: made for one unit and one period,
downloaded from its link, filled in and handed back through the same link.

The sheet ``Số liệu`` lists the obligation's indicators (code, name, unit of measure, what is
expected) with one column to fill; its header says which report, unit and period it is for,
and cell ``B4`` holds the occurrence's number, so that a template of another unit or period is
recognised and refused. ``read_template`` gives the figures as typed, or a ``FigureError``
naming the refused cells ("Ô D8 (Số tiền xử phạt): …"); any other workbook is not a template
and is kept as an ordinary file. A cell holding a formula counts for the result the spreadsheet
saved with it, as the sheet and the form say; a formula saved without a result, or with an
error for a result, is refused by name, never taken as empty. A template handed in is
untrusted: it is read only through ``untrusted.read_figures_bounded`` (a worker process, the
archive checked first).
"""

from __future__ import annotations

import io

from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Font, PatternFill, Protection
from openpyxl.worksheet.protection import SheetProtection

from ..figures import FigureError, parse_figure
from ..settings import TEMPLATE_ROWS
from ..untrusted import Refused

SHEET = "Số liệu"
FIRST_ROW = 8  # the first indicator's row
MARK = "plantrack:figures:v1"  # in cell F1, a hidden column: what says the workbook is a template
EXPECTED = {"count": "số nguyên", "amount": "số (đồng)", "percentage": "0–100", "yes_no": "có / không", "text": "chữ"}
FILL = PatternFill("solid", start_color="FFF2CC", end_color="FFF2CC")


def template_bytes(occurrence) -> bytes:
    """The template of ``occurrence`` (an ORM row with its obligation, plan and unit)."""
    obligation, plan = occurrence.obligation, occurrence.obligation.plan
    book = Workbook()
    sheet = book.active
    sheet.title = SHEET
    sheet["A1"] = f"Biểu số liệu — {obligation.title}"
    sheet["A1"].font = Font(bold=True, size=13)
    sheet["A2"], sheet["B2"] = "Văn bản", plan.number
    sheet["A3"], sheet["B3"] = "Đơn vị báo cáo", occurrence.unit.name
    sheet["A4"], sheet["B4"] = "Mã nhiệm vụ (không sửa)", occurrence.id
    sheet["A5"], sheet["B5"] = "Kỳ báo cáo", occurrence.period_label
    sheet["A6"] = ("Điền số liệu vào cột D (ô màu vàng), rồi nộp lại tệp này qua đường dẫn nộp báo cáo. "
                   "Ô có công thức được nhận theo kết quả Excel đã tính khi lưu tệp.")
    sheet["F1"] = MARK
    sheet.column_dimensions["F"].hidden = True
    header = FIRST_ROW - 1
    for column, title in zip("ABCDE", ("Mã chỉ tiêu", "Chỉ tiêu", "Đơn vị tính", "Số liệu", "Ghi theo")):
        sheet[f"{column}{header}"] = title
        sheet[f"{column}{header}"].font = Font(bold=True)
    for offset, indicator in enumerate(obligation.indicators or []):
        row = FIRST_ROW + offset
        sheet[f"A{row}"], sheet[f"B{row}"] = indicator["id"], indicator["name"]
        sheet[f"C{row}"] = indicator.get("unit_of_measure") or ""
        sheet[f"D{row}"].fill = FILL
        sheet[f"D{row}"].protection = Protection(locked=False)
        sheet[f"E{row}"] = EXPECTED.get(indicator.get("kind", "count"), "")
        sheet[f"B{row}"].alignment = Alignment(wrap_text=True)
    for column, width in zip("ABCDE", (18, 50, 14, 18, 14)):
        sheet.column_dimensions[column].width = width
    sheet.protection = SheetProtection(sheet=True, formatCells=False, formatColumns=False)  # only column D is to be typed in
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def read_template(content: bytes, occurrence_id: int, indicators: list[dict]) -> dict[str, str] | None:
    """The figures typed in a template of occurrence ``occurrence_id`` (whose obligation has
    ``indicators``): indicator id -> text as typed; None when the workbook is not a template.

    Untrusted: call it through ``untrusted.read_figures_bounded``, which checks the archive
    first. A sheet of more than ``TEMPLATE_ROWS`` rows is refused as it is read (the template
    has one row per indicator); at most ten refused cells are named."""
    book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    try:
        if SHEET not in book.sheetnames or book[SHEET]["F1"].value != MARK:
            return None
        sheet = book[SHEET]
        if str(sheet["B4"].value).strip()[:40] != str(occurrence_id):
            raise FigureError(f"Tệp là biểu số liệu của nhiệm vụ khác (mã {str(sheet['B4'].value)[:40]}); đề nghị tải biểu của đúng kỳ này "
                              "từ đường dẫn nộp báo cáo.")
        indicators = {i["id"]: i for i in indicators}
        found, refused, blank = {}, [], {}
        # The rows read are bounded whatever the sheet's dimension says (missing rows come as empty ones).
        for count, row in enumerate(sheet.iter_rows(min_row=FIRST_ROW, max_row=FIRST_ROW + TEMPLATE_ROWS, max_col=4), 1):
            if count > TEMPLATE_ROWS:
                raise Refused(f"more than {TEMPLATE_ROWS} rows in a figures template",
                              f"Biểu số liệu có quá {TEMPLATE_ROWS} dòng: không phải biểu đã tải về từ đường dẫn. "
                              "Đề nghị tải lại biểu và chỉ điền cột D.")
            code, _, _, value = (cell.value for cell in row)
            if code is None:
                continue
            key = str(code).strip()[:60]
            if key not in indicators:
                refused.append(f"Ô A{row[0].row}: không có chỉ tiêu “{key}” trong báo cáo này")
                continue
            if row[3].data_type == "e":  # a formula whose result Excel saved as an error (#DIV/0!, #REF!…)
                refused.append(f"Ô D{row[0].row} ({indicators[key]['name']}): công thức cho kết quả lỗi {value}")
                continue
            if value is None or str(value).strip() == "":
                blank[row[0].row] = indicators[key]["name"]
                continue
            typed = _typed(value)
            try:
                parse_figure(indicators[key], typed)
            except FigureError as exc:
                refused.append(f"Ô D{row[0].row} ({indicators[key]['name']}): {str(exc).split(': ', 1)[-1][:200]}")
                continue
            found[key] = typed
        refused += _formulas_without_result(content, blank)
        if refused:
            more = f"; và {len(refused) - 10} ô khác" if len(refused) > 10 else ""
            raise FigureError("Biểu số liệu có ô chưa đúng — " + "; ".join(refused[:10]) + more + ".")
        return found
    finally:
        book.close()


def _formulas_without_result(content: bytes, blank: dict[int, str]) -> list[str]:
    """The cells of column D, among the rows ``blank`` (row -> indicator name) that read as
    empty, that hold a formula with no saved result (a file written by a program that does not
    calculate): refused by name rather than taken as empty. Read only when some row is blank."""
    if not blank:
        return []
    book = load_workbook(io.BytesIO(content), read_only=True, data_only=False)
    try:
        found = []
        for (cell,) in book[SHEET].iter_rows(min_row=min(blank), max_row=max(blank), min_col=4, max_col=4):
            if cell.row in blank and cell.data_type == "f":
                found.append(f"Ô D{cell.row} ({blank[cell.row]}): công thức chưa có kết quả đã tính (tệp được lưu bằng chương "
                             "trình không tính công thức); đề nghị mở tệp bằng Excel rồi lưu lại, hoặc gõ số liệu thay cho công thức")
        return found
    finally:
        book.close()


def _typed(value) -> str:
    """A cell as the unit typed it: numbers Excel stored as numbers become plain digits."""
    if isinstance(value, bool):
        return "có" if value else "không"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, (int, float)):
        return str(value)
    return str(value)

