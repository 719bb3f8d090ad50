"""The figures of a plan's reports on the dashboard, in Debian's chromium: totals with coverage,
units compared and the trend as SVG drawn on the server (no script), the national plan counting
Hà Nội by its units' reports, readable on a phone; a district's account sees its own branch."""

import re
import shutil

import httpx
import pytest

from plantrack.accounts import Role, add_account
from plantrack.keys import demo_keyring
from plantrack.store.sync import sync_catalogue
from plantrack.testing import apply_scenario_file, serving
from plantrack.web.app import create_app

from .conftest import ROOT, vn
from .test_dashboard import PASSWORD, sign_in, sign_in_browser

CHROMIUM = shutil.which("chromium")
NOW = vn(2021, 7, 1, 10)


@pytest.fixture
def app(store, real_catalogue, tmp_path):
    with store.transaction() as session:
        sync_catalogue(session, real_catalogue)
        add_account(session, "dieuphoi", "Điều phối", PASSWORD, NOW, Role.ADMIN)
        add_account(session, "ba-dinh", "Cán bộ Ba Đình", PASSWORD, NOW, Role.VIEWER, ["hn-kh-03"], "hn.district.ba-dinh")
    apply_scenario_file(store, ROOT / "scenarios" / "figures-demo.yaml")
    return create_app(store, demo_keyring("figures-page"), lambda: NOW, tmp_path / "uploads", "http://127.0.0.1:1")


@pytest.fixture
def server(app):
    with serving(app) as url:
        yield url


@pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed (make test installs it)")
def test_the_figures_page_compiles_compares_and_draws(server):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        page = browser.new_page()
        errors = []
        page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
        sign_in_browser(page, server, "dieuphoi")
        page.goto(f"{server}/ke-hoach/hn-kh-03")
        page.click("#figures-link")
        page.wait_for_url("**/ke-hoach/hn-kh-03/so-lieu")
        row = page.locator("#totals tr[data-indicator='vu-kiem-tra']").inner_text()
        assert "364 vụ" in row and "từ 8/43 đơn vị" in row
        assert "72,5%" in page.locator("#totals tr[data-indicator='ty-le-vi-pham']").inner_text()
        units = page.locator("#chart-units svg")
        assert units.count() == 1 and "Sở Công Thương" in units.inner_html() and "212 vụ" in units.inner_html()
        assert page.locator("#chart-trend svg").count() == 1 and page.locator("svg script").count() == 0
        page.select_option("select[name=chi_tieu]", "tien-xu-phat")
        page.click("#show")
        assert "Số tiền xử phạt vi phạm hành chính — theo đơn vị" in page.locator("#chart-units").inner_text()
        # The nation counts Hà Nội through the city, from its units' reports while it has none of its own.
        page.goto(f"{server}/ke-hoach/kh-399/so-lieu?ky=2021-H1")
        assert "Hà Nội" in page.locator("#rolled-up").inner_text()
        assert "364 vụ" in page.locator("#totals tr[data-indicator='vu-kiem-tra']").inner_text()
        phone = browser.new_page(viewport={"width": 390, "height": 844}, is_mobile=True)
        phone.context.add_cookies(page.context.cookies())
        phone.goto(f"{server}/ke-hoach/hn-kh-03/so-lieu")
        assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
        assert not [e for e in errors if "Content Security Policy" in e]  # nothing the policy had to block
        browser.close()


def test_an_account_of_a_district_sees_its_own_branch(server):
    with httpx.Client(base_url=server, follow_redirects=True) as client:
        sign_in(client, "ba-dinh")
        page = client.get("/ke-hoach/hn-kh-03/so-lieu").text
        assert "18 vụ" in page and "364 vụ" not in page and "từ 1/1 đơn vị" in page
        assert client.get("/ke-hoach/kh-399/so-lieu").status_code == 403


def test_the_figures_page_follows_a_new_report(server, app, store, tmp_path):
    """A hand-in with figures after the page was cached: the page is brought up to date (its
    period counted again, the others kept) and reads as a server that never cached it."""
    from plantrack.figures import record_figures
    from plantrack.tracking import find_occurrence, record_submission

    counts = app.state.context.counts
    pages = ["/ke-hoach/hn-kh-03/so-lieu?ky=2021-H1", "/ke-hoach/kh-399/so-lieu?ky=2021-H1"]
    with httpx.Client(base_url=server, follow_redirects=True) as client:
        sign_in(client, "dieuphoi")
        assert "364 vụ" in client.get(pages[0]).text
        client.get(pages[1])
        counted = counts.misses
        with store.transaction() as session:
            occurrence = find_occurrence(session, None, "hn-kh-03", "bao-cao-6-thang", "hn.district.cau-giay", "2021-H1")
            submission = record_submission(session, occurrence, vn(2021, 6, 16, 9), "7/BC-CG")
            session.flush()
            record_figures(session, submission, {"vu-kiem-tra": "6"})
        updated = [client.get(path).text for path in pages]
    assert "370 vụ" in updated[0] and "từ 9/43 đơn vị" in updated[0]
    assert counts.misses == counted and counts.updates >= 2  # brought up to date, not counted again
    fresh_app = create_app(store, demo_keyring("figures-page"), lambda: NOW, tmp_path / "fresh", "http://127.0.0.1:1")
    with serving(fresh_app) as fresh_url, httpx.Client(base_url=fresh_url, follow_redirects=True) as client:
        sign_in(client, "dieuphoi")
        fresh = [client.get(path).text for path in pages]
    assert [_main(p) for p in updated] == [_main(p) for p in fresh]


def _main(html: str) -> str:
    """A page's content, without what differs between two drawings (pygal's chart ids)."""
    return re.sub(r"chart-[0-9a-f-]{36}", "chart", html.split("<main", 1)[1].split("</main>", 1)[0])


def test_the_figures_page_shows_each_units_standing_on_a_target(app, store, tmp_path):
    from .test_targets import REPORTS, hand_in

    with store.transaction() as session:
        hand_in(session, REPORTS)
    later = create_app(store, demo_keyring("figures-page"), lambda: vn(2024, 1, 10, 9), tmp_path / "later", "http://127.0.0.1:1")
    with serving(later) as url, httpx.Client(base_url=url, follow_redirects=True) as client:
        sign_in(client, "dieuphoi")
        page = client.get("/ke-hoach/gl-kh-tmdt/so-lieu?ky=2023").text
    block = page.split('<details class="target-units" data-target="dao-tao-can-bo">', 1)[1].split("</details>", 1)[0]
    from plantrack.figures import format_value
    from plantrack.targets import target_progress

    with store.session() as session:
        [progress] = [p for p in target_progress(session, "gl-kh-tmdt", vn(2024, 1, 10, 9)) if p.target["id"] == "dao-tao-can-bo"]
    shown = dict(progress.indicator, aggregate="sum")
    assert [u.unit_id for u in progress.units] == ["gl.sct"] and progress.units[0].value is not None  # the department reports it
    for unit in progress.units:  # each unit's row: its figure and its standing
        row = block.split(f'<tr data-unit="{unit.unit_id}" data-standing="{unit.standing.value}">', 1)[1].split("</tr>", 1)[0]
        assert format_value(shown, unit.value) in row and unit.standing.vi in row


def test_the_figures_export_as_csv_unit_by_unit_with_the_totals(server):
    import csv
    import io

    with httpx.Client(base_url=server, follow_redirects=True) as client:
        sign_in(client, "dieuphoi")
        answer = client.get("/ke-hoach/hn-kh-03/so-lieu.csv?bao_cao=bao-cao-6-thang&ky=2021-H1")
        assert answer.status_code == 200 and answer.headers["content-type"].startswith("text/csv")
        assert 'filename="so-lieu-hn-kh-03-bao-cao-6-thang-2021-H1.csv"' in answer.headers["content-disposition"]
        assert answer.content.startswith("\ufeff".encode())  # Excel reads it as UTF-8
        rows = list(csv.reader(io.StringIO(answer.content.decode("utf-8-sig"))))
        header, *units, totals, coverage = rows
        column = next(i for i, name in enumerate(header) if name.startswith("Số vụ kiểm tra"))
        assert totals[1] == "Tổng hợp" and float(totals[column]) == 364 and coverage[column] == "từ 8/43 đơn vị"
        assert sum(float(r[column]) for r in units if r[column]) == 364 and len(units) == 43
        assert any(r[0] == "hn.district.ba-dinh" and "Ba Đình" in r[1] for r in units)
    with httpx.Client(base_url=server, follow_redirects=True) as client:  # a district's account: its branch only
        sign_in(client, "ba-dinh")
        rows = list(csv.reader(io.StringIO(client.get("/ke-hoach/hn-kh-03/so-lieu.csv?ky=2021-H1").content.decode("utf-8-sig"))))
        assert [r[0] for r in rows[1:-2]] == ["hn.district.ba-dinh"]
