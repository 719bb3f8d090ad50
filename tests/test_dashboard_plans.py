"""A plan's page and a unit's page for the plans of 2025, in Debian's chromium: the documents
around a plan (what it replaces, what amended it), a request to a whole group of units, and a
compiling step that shows what it waits for. The app's clock is fixed at 01/12/2026 10:00."""

import shutil

import httpx
import pytest

from plantrack.accounts import Role, add_account
from plantrack.keys import demo_keyring
from plantrack.loader import load_catalogue
from plantrack.store.sync import sync_catalogue
from plantrack.testing import serving
from plantrack.web.app import create_app

from .conftest import DEFINITIONS, ROOT, vn
from .test_dashboard import PASSWORD, sign_in, sign_in_browser
from .test_examples import WARDS

EXAMPLES = ROOT / "examples" / "2025"
NOW = vn(2026, 12, 1, 10)
CHROMIUM = shutil.which("chromium")
AMENDMENT = """amendments:
  - {number: 201/KH-UBND, issued_on: 2025-12-05, effective_from: 2025-12-08, obligations: [bao-cao-so-nganh],
     note: "Lùi hạn báo cáo của các sở, ngành."}

duties:
"""


@pytest.fixture
def plans_2025(store, tmp_path):
    extra = tmp_path / "extra"
    extra.mkdir()
    (extra / "wards.yaml").write_text(WARDS, encoding="utf-8")
    with store.transaction() as session:
        sync_catalogue(session, load_catalogue(DEFINITIONS, EXAMPLES, extra))
    # Cần Thơ amends its plan: the agencies' report moves from 20/12 to 24/12/2025, and the city's
    # compilation, five working days after it, moves with it (29/12 → 31/12/2025).
    (extra / "plans").mkdir()
    text = (EXAMPLES / "plans" / "can-tho-159-kh-ubnd.yaml").read_text(encoding="utf-8")
    text = text.replace("\nduties:\n", "\n" + AMENDMENT, 1).replace("at_latest_on: 2025-12-20, basis: assumed, note: '\"báo cáo",
                                                                        "at_latest_on: 2025-12-24, basis: assumed, note: '\"báo cáo", 1)
    (extra / "plans" / "can-tho.yaml").write_text(text, encoding="utf-8")
    examples = tmp_path / "examples"
    shutil.copytree(EXAMPLES, examples)
    (examples / "plans" / "can-tho-159-kh-ubnd.yaml").unlink()
    with store.transaction() as session:
        sync_catalogue(session, load_catalogue(DEFINITIONS, examples, extra))
        add_account(session, "dieuphoi", "Nguyễn Văn Điều Phối", PASSWORD, NOW, Role.ADMIN)
        add_account(session, "xem", "Người xem", PASSWORD, NOW, Role.VIEWER)
    return store


@pytest.fixture
def server(plans_2025, tmp_path):
    app = create_app(plans_2025, demo_keyring("plans-2025"), lambda: NOW, tmp_path / "uploads", "http://127.0.0.1:1")
    with serving(app) as url:
        app.state.context.public_url = url
        yield url


@pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed (make test installs it)")
def test_a_plan_page_shows_its_documents_and_requests_a_report_from_a_whole_group(server, plans_2025):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        page = browser.new_page()
        sign_in_browser(page, server, "dieuphoi")
        page.goto(f"{server}/ke-hoach/hcm-qd-2853-2025")
        replaced = page.locator("#documents tr[data-relation=replaces]")
        assert replaced.count() == 3  # the latest first
        assert [replaced.nth(i).inner_text().split("\t")[1].split("\n")[0] for i in range(3)] == ["1397/QĐ-UBND", "1179/QĐ-UBND", "3089/QĐ-UBND"]
        assert "Ủy ban nhân dân tỉnh Bình Dương" in replaced.nth(0).inner_text()
        assert page.locator("#documents tr[data-relation=source]").inner_text().startswith("Căn cứ")
        # The group of phường, xã, đặc khu holds the 168 of the registry of 2025 and one registered
        # later: one request reaches them all.
        option = page.locator("#adhoc-group select[name=group] option[value='hcm.communes']")
        assert option.inner_text() == "hcm.communes (169 đơn vị)"
        page.select_option("#adhoc-group select[name=group]", "hcm.communes")
        page.fill("#adhoc-group input[name=title]", "Báo cáo nhanh thiệt hại do triều cường")
        page.click("#adhoc-group button[type=submit]")
        assert "Đã yêu cầu 169 đơn vị của nhóm hcm.communes" in page.locator("#notice").inner_text()
        page.goto(f"{server}/don-vi/vn.ward.26732")  # the đặc khu Côn Đảo
        assert "Báo cáo nhanh thiệt hại do triều cường" in page.locator("#occurrences").inner_text()
        # Sở NN&MT's yearly evaluation compiles the communes' reports: its row says who is missing.
        page.goto(f"{server}/don-vi/hcm.snnmt?as_of=2026-12-01")
        waits = page.locator("#occurrences .waits").first.inner_text()
        assert "đã nộp 0/169" in waits
        # Cần Thơ's amendment is on its plan's page, with what it changed.
        page.goto(f"{server}/ke-hoach/ct-kh-159-2025")
        amended = page.locator("#documents tr[data-relation=amendment]").inner_text()
        assert "201/KH-UBND" in amended and "bao-cao-so-nganh" in amended and "08/12/2025" in amended
        page.goto(f"{server}/don-vi/ct.snnmt?as_of=2025-12-30")
        row = page.locator("#occurrences tr", has_text="Báo cáo tiến độ và kết quả").inner_text()
        assert "31/12/2025" in row and "sửa đổi từ 29/12/2025" in row  # an amendment, not an extension
        browser.close()


def test_a_viewer_sees_no_group_request_and_cannot_post_one(server):
    with httpx.Client(base_url=server, follow_redirects=True) as client:
        sign_in(client, "xem")
        page = client.get("/ke-hoach/hcm-qd-2853-2025").text
        assert 'id="documents"' in page and 'id="adhoc-group"' not in page
        csrf = page.split('name="csrf" value="', 1)[1].split('"', 1)[0] if 'name="csrf"' in page else ""
        refused = client.post("/dieu-phoi/yeu-cau-nhom", data={"plan": "hcm-qd-2853-2025", "group": "hcm.communes",
                                                               "title": "X", "working_days": "3", "csrf": csrf})
        assert refused.status_code == 403


@pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed (make test installs it)")
def test_a_unit_page_shows_the_name_of_its_day_and_where_its_duties_went(server):
    """Tổng cục Hải quan became Cục Hải quan on 01/03/2025 (same body, same id); Bộ TT&TT was
    merged into Bộ KH&CN, its press remit split to Bộ VHTTDL: 399's press duty (III.2, third
    bullet) is held by Bộ VHTTDL after that day, its other duties by Bộ KH&CN."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        page = browser.new_page()
        sign_in_browser(page, server, "dieuphoi")
        page.goto(f"{server}/don-vi/vn.btc.tchq?as_of=2020-12-01")
        assert page.locator("h1").inner_text() == "Tổng cục Hải quan"
        assert page.locator("#current-name").inner_text() == "Nay là: Cục Hải quan"
        page.goto(f"{server}/don-vi/vn.btc.tchq?as_of=2026-12-01")
        assert page.locator("h1").inner_text() == "Cục Hải quan" and page.locator("#current-name").count() == 0
        page.locator("#lineage summary").click()
        assert page.locator("#lineage li[data-former='2025-02-28']").inner_text() == "Tên cũ đến 28/02/2025: Tổng cục Hải quan (TCHQ)"
        page.goto(f"{server}/don-vi/vn.bvhttdl?as_of=2026-12-01")
        assert page.locator(".duty[data-duty='btttt-bao-chi']").count() == 1
        assert page.locator(".duty[data-duty='btttt-thanh-tra']").count() == 0
        page.locator("#lineage summary").click()
        assert page.locator("#lineage li[data-predecessor='vn.btttt']").inner_text().startswith("Tiếp nhận một phần (báo chí, xuất bản")
        page.goto(f"{server}/don-vi/vn.bkhcn?as_of=2026-12-01")
        assert page.locator(".duty[data-duty='btttt-thanh-tra']").count() == 1
        assert page.locator(".duty[data-duty='btttt-bao-chi']").count() == 0
        page.goto(f"{server}/don-vi/vn.btttt?as_of=2024-12-01")  # before the reorganisation it holds both itself
        assert page.locator(".duty[data-duty='btttt-bao-chi']").count() == 1 and page.locator(".duty[data-duty='btttt-thanh-tra']").count() == 1
        page.locator("#lineage summary").click()
        assert "Hợp nhất vào: Bộ Khoa học và Công nghệ" in page.locator("#lineage").inner_text()
        assert page.locator("#lineage li[data-split='vn.bvhttdl']").inner_text().endswith("sang: Bộ Văn hóa, Thể thao và Du lịch")
        browser.close()
