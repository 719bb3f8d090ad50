"""Drafting a plan from its document on the dashboard, in Debian's chromium: a coordinator uploads
a .docx, reads the summary and the review marks, downloads the draft, which validates once its
marks are resolved; viewers and anonymous visitors cannot; a scan is refused in Vietnamese."""

from __future__ import annotations

import base64
import shutil

import httpx
import pytest

from plantrack.accounts import Role, add_account
from plantrack.keys import demo_keyring
from plantrack.loader import load_catalogue
from plantrack.testing import serving
from plantrack.web.app import create_app

from .conftest import ROOT, vn
from .documents import NGHE_AN, NGHE_AN_TABLE, docx_of
from .test_dashboard import PASSWORD, csrf_of, sign_in, sign_in_browser
from plantrack.importer.draft import strip_reviews

from .test_import import needs_corpus

CHROMIUM = shutil.which("chromium")
NOW = vn(2025, 12, 1, 9)
DEFINITIONS = (ROOT / "plan_definitions", ROOT / "examples" / "2025")


@pytest.fixture
def server(store, tmp_path):
    with store.transaction() as session:
        add_account(session, "dieuphoi", "Điều phối", PASSWORD, NOW, Role.COORDINATOR)
        add_account(session, "xem", "Người xem", PASSWORD, NOW, Role.VIEWER)
    app = create_app(store, demo_keyring("import-page"), lambda: NOW, tmp_path / "uploads", "http://127.0.0.1:1", definitions=DEFINITIONS)
    with serving(app) as url:
        yield url


@needs_corpus
@pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed (make test installs it)")
def test_a_coordinator_uploads_a_plan_and_downloads_a_draft_that_validates_once_reviewed(server, tmp_path):
    from playwright.sync_api import sync_playwright

    document = docx_of(NGHE_AN, tmp_path / "ke-hoach-980.docx", NGHE_AN_TABLE)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        page = browser.new_page(viewport={"width": 390, "height": 844}, accept_downloads=True)  # a phone
        sign_in_browser(page, server, "dieuphoi")
        page.click("#import-link")
        page.wait_for_url("**/nhap-ke-hoach")
        page.set_input_files("#document", str(document))
        page.click("#import-submit")
        page.wait_for_selector("#draft-title")
        assert "980/KH-UBND" in page.locator("#draft-title").inner_text()
        marks = int(page.locator("#review-count").inner_text())
        assert marks >= 1 and page.locator("#marks tr").count() == marks + 1  # each mark listed with its reason
        folder = tmp_path / "draft"
        folder.mkdir()
        links = page.locator("a.download")
        assert links.count() >= 1  # the plan, and the registry of the bodies not found if there are any
        for number in range(links.count()):
            with page.expect_download() as download:
                links.nth(number).click()
            download.value.save_as(folder / download.value.suggested_filename)
        saved = folder / "980-kh-ubnd-2025.yaml"
        page.screenshot(path=str(tmp_path / "import.png"), full_page=True)
        browser.close()
    assert "review:" in saved.read_text(encoding="utf-8")
    for path in folder.iterdir():
        strip_reviews(path)
    loaded = load_catalogue(*DEFINITIONS, folder)
    plan = loaded.plans["980-kh-ubnd-2025"]
    assert plan.plan.issuer == "vn.province.nghe-an" and any(d.section == "PL I.1" for d in plan.duties)


@needs_corpus
def test_viewers_and_anonymous_visitors_cannot_import_and_a_scan_is_refused(server, tmp_path):
    from pypdf import PdfWriter

    with httpx.Client(base_url=server, follow_redirects=False) as anonymous:
        assert anonymous.get("/nhap-ke-hoach").status_code == 303
    with httpx.Client(base_url=server, follow_redirects=True) as viewer:
        sign_in(viewer, "xem")
        assert viewer.get("/nhap-ke-hoach").status_code == 403
        token = csrf_of(viewer.get("/").text)
        refused = viewer.post("/nhap-ke-hoach", data={"csrf": token}, files={"document": ("a.txt", b"x", "text/plain")})
        assert refused.status_code == 403 and "chỉ có quyền xem" in refused.text
    writer = PdfWriter()
    writer.add_blank_page(595, 842)
    scan = tmp_path / "scan.pdf"
    with scan.open("wb") as stream:
        writer.write(stream)
    with httpx.Client(base_url=server, follow_redirects=True) as coordinator:
        sign_in(coordinator, "dieuphoi")
        token = csrf_of(coordinator.get("/nhap-ke-hoach").text)
        answer = coordinator.post("/nhap-ke-hoach", data={"csrf": token}, files={"document": ("scan.pdf", scan.read_bytes(), "application/pdf")})
        assert answer.status_code == 422 and "không có lớp chữ" in answer.text and "OCR" in answer.text
        forged = coordinator.post("/nhap-ke-hoach", data={"csrf": "x"}, files={"document": ("a.txt", NGHE_AN.read_bytes(), "text/plain")})
        assert forged.status_code == 403
        letter = ("ỦY BAN NHÂN DÂN TỈNH NGHỆ AN\n\nCỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\n\nSố: 5/KH-UBND\n\n"
                  "Nghệ An, ngày 01 tháng 12 năm 2025\n\nKẾ HOẠCH\nĐỐI NGOẠI NĂM 2026\n\nII. NHIỆM VỤ\n\n"
                  "1. Ban Quản lý Khu kinh tế tỉnh chủ trì, báo cáo trước ngày 15/01/2026.\n").encode()
        drafted = coordinator.post("/nhap-ke-hoach", data={"csrf": token}, files={"document": ("5.txt", letter, "text/plain")})
        assert drafted.status_code == 200 and drafted.text.count('class="download"') == 2
        registry = base64.b64decode(drafted.text.split('download="draft-5-kh-ubnd-units.yaml"', 1)[0].rsplit("base64,", 1)[1].split('"')[0])
        assert "draft.ban-quan-ly-khu-kinh-te" in registry.decode() and "Ban Quản lý Khu kinh tế tỉnh Nghệ An" in registry.decode()
        assert "Đơn vị chủ trì “Ban Quản lý Khu kinh tế tỉnh” chưa có trong danh mục" in drafted.text  # the marks, in Vietnamese
        too_big = coordinator.post("/nhap-ke-hoach", data={"csrf": token},
                                   files={"document": ("big.txt", b"a" * (21 * 1024 * 1024), "text/plain")})
        assert too_big.status_code == 413


@needs_corpus
def test_drafts_per_account_are_limited(store, tmp_path):
    from plantrack.web.guards import ImportThrottle

    with store.transaction() as session:
        add_account(session, "dieuphoi", "Điều phối", PASSWORD, NOW, Role.COORDINATOR)
    app = create_app(store, demo_keyring("import-page"), lambda: NOW, tmp_path / "uploads", "http://127.0.0.1:1", definitions=DEFINITIONS)
    app.state.import_throttle = ImportThrottle(per_account="2/hour")
    with serving(app) as url, httpx.Client(base_url=url, follow_redirects=True) as client:
        sign_in(client, "dieuphoi")
        token = csrf_of(client.get("/nhap-ke-hoach").text)
        answers = [client.post("/nhap-ke-hoach", data={"csrf": token}, files={"document": ("980.txt", NGHE_AN.read_bytes(), "text/plain")})
                   for _ in range(3)]
    assert [a.status_code for a in answers] == [200, 200, 429] and "quá nhiều bản nháp" in answers[2].text
