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
