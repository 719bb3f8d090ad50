"""Figures through a unit's link, in Debian's chromium: typed in the form, then through the
Excel template downloaded from the link, filled in and handed back; a wrong cell is named."""

import io
import shutil

import httpx
import pytest
from openpyxl import load_workbook

from plantrack.figures import compile_figures
from plantrack.keys import demo_keyring
from plantrack.links import link_expiry, make_token
from plantrack.testing import serving
from plantrack.tracking import find_occurrence
from plantrack.web.app import create_app

from .conftest import vn
from .test_figures import with_indicators  # noqa: F401  (the fixture)

CHROMIUM = shutil.which("chromium")
KEYS = demo_keyring("figures")
NOW = vn(2021, 6, 15, 10)


@pytest.fixture
def served(with_indicators, tmp_path):  # noqa: F811
    app = create_app(with_indicators, KEYS, lambda: NOW, tmp_path / "uploads", "http://127.0.0.1:1")
    with serving(app) as url:
        app.state.context.public_url = url
        yield url


def link(store, unit):
    with store.session() as session:
        occurrence = find_occurrence(session, None, "t-plan", "bao-cao-6-thang", unit, "2021-H1")
        return occurrence.id, make_token(KEYS, occurrence.id, unit, link_expiry(occurrence.current_due_date))


def filled(template: bytes, values: dict[str, object]) -> bytes:
    book = load_workbook(io.BytesIO(template))
    sheet = book["Số liệu"]
    for row in range(8, 8 + 10):
        code = sheet[f"A{row}"].value
        if code in values:
            sheet[f"D{row}"] = values[code]
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed (make test installs it)")
def test_a_unit_hands_in_figures_by_form_and_by_excel_template(served, with_indicators, tmp_path):  # noqa: F811
    from playwright.sync_api import sync_playwright

    store = with_indicators
    _, token = link(store, "t.alpha")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        page = browser.new_page()
        page.goto(f"{served}/nop/{token}")
        assert page.locator("#figures input[data-indicator]").count() == 5
        page.fill("input[data-indicator='vu-kiem-tra']", "12")
        page.fill("input[data-indicator='vu-vi-pham']", "3")
        page.fill("input[data-indicator='tien-phat']", "1.250.000.000")
        page.fill("input[data-indicator='co-ke-hoach']", "có")
        page.fill("#document_number", "5/BC-ALPHA")
        page.click("#send")
        assert "Đã ghi nhận báo cáo" in page.locator("#done").inner_text()
        assert page.locator("#current-figures tr[data-indicator='tien-phat'] td").inner_text() == "1.250.000.000 đồng"
        assert page.locator("input[data-indicator='vu-kiem-tra']").input_value() == "12"  # ready for a correction

        # The template: downloaded from the link, filled in, handed back as the file.
        with page.expect_download() as download:
            page.click("#template")
        template = (tmp_path / "mau.xlsx")
        download.value.save_as(template)
        wrong = tmp_path / "sai.xlsx"
        wrong.write_bytes(filled(template.read_bytes(), {"vu-kiem-tra": "mười bốn", "tien-phat": -5}))
        page.set_input_files("#file", str(wrong))
        page.fill("input[data-indicator='vu-kiem-tra']", "")
        page.click("#send")
        error = page.locator("#error").inner_text()
        assert "Ô D8 (Số vụ kiểm tra): “mười bốn” không phải là một số" in error and "Ô D10 (Số tiền xử phạt)" in error
        right = tmp_path / "dung.xlsx"
        right.write_bytes(filled(template.read_bytes(), {"vu-kiem-tra": 14, "vu-vi-pham": 3, "tien-phat": 1250000000,
                                                         "co-ke-hoach": "có"}))
        page.set_input_files("#file", str(right))
        page.fill("input[data-indicator='vu-kiem-tra']", "")
        page.click("#send")
        assert "Đã ghi nhận báo cáo" in page.locator("#done").inner_text()
        assert page.locator("#current-figures tr[data-indicator='vu-kiem-tra'] td").inner_text() == "14 vụ"
        browser.close()
    with store.session() as session:
        totals = {t.indicator["id"]: t.value for t in compile_figures(session, "t-plan", "bao-cao-6-thang", "2021-H1").totals}
    assert totals["vu-kiem-tra"] == 14  # the template's figures took the place of the form's


def test_a_template_of_another_unit_is_refused(served, with_indicators):  # noqa: F811
    store = with_indicators
    _, alpha = link(store, "t.alpha")
    _, beta = link(store, "t.beta")
    with httpx.Client(base_url=served) as client:
        template = client.get(f"/nop/{beta}/bieu-so-lieu.xlsx")
        assert template.status_code == 200 and template.headers["content-type"].startswith("application/vnd.openxmlformats")
        answer = client.post(f"/nop/{alpha}", files={"file": ("bieu.xlsx", filled(template.content, {"vu-kiem-tra": 2}))})
    assert answer.status_code == 422 and "biểu số liệu của nhiệm vụ khác" in answer.text


def with_results(workbook: bytes, results: dict[str, tuple[str | None, str]]) -> bytes:
    """``workbook`` with the formula cells named in ``results`` (cell -> (type, value)) given
    the result a spreadsheet program saves with them (openpyxl saves none)."""
    import re
    import zipfile

    source, out = zipfile.ZipFile(io.BytesIO(workbook)), io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename.startswith("xl/worksheets/"):
                text = data.decode()
                for cell, (kind, value) in results.items():
                    text, count = re.subn(rf'<c r="{cell}"([^>]*)><f>([^<]*)</f><v></v></c>',
                                          lambda m: f'<c r="{cell}"{m[1]}{f" t={chr(34)}{kind}{chr(34)}" if kind else ""}>'
                                                    f'<f>{m[2]}</f><v>{value}</v></c>', text)
                    assert count == 1, cell
                data = text.encode()
            target.writestr(item, data)
    return out.getvalue()


@pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed (make test installs it)")
def test_formula_cells_count_for_their_saved_result_and_are_named_when_there_is_none(served, with_indicators, tmp_path):  # noqa: F811
    from playwright.sync_api import sync_playwright

    from plantrack.store.models import Submission

    store = with_indicators
    occurrence_id, token = link(store, "t.alpha")
    template = httpx.get(f"{served}/nop/{token}/bieu-so-lieu.xlsx").content
    unsaved = tmp_path / "chua-tinh.xlsx"  # as a program that does not calculate saves it
    unsaved.write_bytes(with_results(filled(template, {"vu-kiem-tra": "=SUM(10,4)", "vu-vi-pham": "=1/0", "tien-phat": 5}),
                                     {"D9": ("e", "#DIV/0!")}))
    calculated = tmp_path / "da-tinh.xlsx"  # as Excel saves it: each formula with its result
    calculated.write_bytes(with_results(filled(template, {"vu-kiem-tra": "=SUM(10,4)", "vu-vi-pham": 3}), {"D8": ("n", "14")}))
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        page = browser.new_page()
        page.goto(f"{served}/nop/{token}")
        assert "ô có công thức được nhận theo kết quả Excel đã tính" in page.locator("#figures").inner_text()  # what the form says
        page.set_input_files("#file", str(unsaved))
        page.click("#send")
        error = page.locator("#error").inner_text()
        assert "Ô D8 (Số vụ kiểm tra): công thức chưa có kết quả đã tính" in error
        assert "Ô D9 (Số vụ vi phạm): công thức cho kết quả lỗi #DIV/0!" in error and "D10" not in error
        with store.session() as session:
            assert session.query(Submission).filter_by(occurrence_id=occurrence_id).count() == 0
        assert not list((tmp_path / "uploads").rglob("*.xlsx"))  # nothing of the refused file is kept
        page.set_input_files("#file", str(calculated))
        page.click("#send")
        assert "Đã ghi nhận báo cáo" in page.locator("#done").inner_text()
        assert page.locator("#current-figures tr[data-indicator='vu-kiem-tra'] td").inner_text() == "14 vụ"
        browser.close()
