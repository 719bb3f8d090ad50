"""Links and pages under abuse (issue 25, finding 5): a unit's calendar link follows the
account it was shown to, a token signed with absurd fields is refused cleanly, and a
province's account sees only its province's implementing plans on a parent plan's page.
Served by uvicorn, pages driven in Debian's chromium; fixtures of ``test_dashboard``."""

import httpx
import pytest
from typer.testing import CliRunner

from plantrack.accounts import Role, add_account
from plantrack.cli import app
from plantrack.keys import Purpose

from . import test_dashboard as dashboard
from .test_dashboard import CHROMIUM, KEYS, NOW, PASSWORD, sign_in, sign_in_browser, token_for

hanoi, server = dashboard.hanoi, dashboard.server  # the dashboard's fixtures: real plans, Hà Nội's demo, its accounts

UNIT = "hn.district.ba-vi"


def cli(store, *args):
    result = CliRunner().invoke(app, [*args, "--db", store.url], env={"PLANTRACK_SECRET_KEY": KEYS.current})
    assert result.exit_code == 0, result.output
    return result.output


@pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed (make test installs it)")
def test_a_units_calendar_link_is_shown_to_coordinators_only_and_dies_with_their_account(server, hanoi):
    from playwright.sync_api import sync_playwright

    with hanoi.transaction() as session:
        add_account(session, "hanoi2", "Cán bộ Hà Nội thứ hai", PASSWORD, NOW, Role.COORDINATOR, ["hn-kh-03"], "vn.province.ha-noi")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        seen = {}
        for login in ("xem", "hanoi", "hanoi2"):
            page = browser.new_context().new_page()
            sign_in_browser(page, server, login)
            page.wait_for_url(f"{server}/")
            page.goto(f"{server}/don-vi/{UNIT}")
            assert "Ba Vì" in page.locator("h1").inner_text()
            if login == "xem":  # a viewer reads the page, never the unit's own links
                assert page.locator("#ics").count() == 0 and page.locator("#own-links").count() == 0
                assert "/lich/" not in page.content() and "/don-vi-cua-toi/" not in page.content()
                continue
            seen[login] = (page.locator("#ics").get_attribute("href"), page.locator("#own-page").get_attribute("href"))
        calendar, own = seen["hanoi"]
        assert httpx.get(calendar).status_code == 200 and httpx.get(own).status_code == 200
        # The unit's own page shows the link it was opened with, not a fresh one outliving the account.
        page = browser.new_page()
        page.goto(own)
        assert page.locator("#ics").get_attribute("href") == calendar

        cli(hanoi, "account", "remove", "--login", "hanoi")
        assert httpx.get(calendar).status_code == 404
        refused = httpx.get(own)
        assert refused.status_code == 403 and "tài khoản" in refused.text
        assert all(httpx.get(link).status_code == 200 for link in seen["hanoi2"])  # another coordinator's still works
        cli(hanoi, "account", "add", "--login", "hanoi", "--name", "Cán bộ mới", "--password", PASSWORD, "--role", "coordinator")
        assert httpx.get(calendar).status_code == 404  # the login re-added is another account

        cli(hanoi, "feed", "--unit", UNIT, "--revoke")  # revoking the unit's links stops every one
        assert all(httpx.get(link).status_code in (403, 404) for link in seen["hanoi2"])
        browser.close()


def test_a_coordinator_losing_the_unit_or_the_right_to_act_loses_the_link(server, hanoi):
    with httpx.Client(base_url=server) as client:
        sign_in(client, "hanoi")
        html = client.get(f"/don-vi/{UNIT}").text
    calendar = html.split('id="ics"', 1)[0].rsplit('href="', 1)[1].split('"', 1)[0]
    assert httpx.get(calendar).status_code == 200
    with hanoi.transaction() as session:
        add_account(session, "hanoi", "Cán bộ Hà Nội", PASSWORD, NOW, Role.VIEWER, ["hn-kh-03"], "vn.province.ha-noi")
    assert httpx.get(calendar).status_code == 404


@pytest.mark.parametrize("expiry", [10**20, -(10**20), "20301231", 1.5, True, None])
def test_a_token_signed_with_fields_out_of_range_is_refused_in_vietnamese(server, hanoi, expiry):
    occurrence_id, _ = token_for(hanoi, "hn.district.my-duc")
    forged = KEYS.sign(Purpose.LINK, [occurrence_id, "hn.district.my-duc", expiry])
    for answer in (httpx.get(f"{server}/nop/{forged}"), httpx.post(f"{server}/nop/{forged}", data={"document_number": "1/KH"}),
                   httpx.get(f"{server}/nop/{forged}/bieu-so-lieu.xlsx")):
        assert answer.status_code == 400, answer.text
        assert "Đường dẫn không hợp lệ (sai định dạng)" in answer.text and answer.headers["content-type"].startswith("text/html")
    for fields in ([10**20, "hn.district.my-duc", 1], [UNIT, 10**20], [UNIT, 1, "hanoi", 10**20], [UNIT, True], [UNIT, 1, "hanoi"]):
        token = KEYS.sign(Purpose.FEED, fields) if fields[0] != 10**20 else KEYS.sign(Purpose.LINK, fields)
        for path in (f"/lich/{token}.ics", f"/don-vi-cua-toi/{token}", f"/nop/{token}"):
            assert httpx.get(f"{server}{path}").status_code in (400, 403, 404), (fields, path)


@pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed (make test installs it)")
def test_a_parent_plan_page_counts_only_the_implementing_plans_and_units_of_the_accounts_scope(server, hanoi):
    """Decision 319 is implemented by Gia Lai's plan; plan 399 by Hà Nội's plan 03 (owed by its
    districts through plan 1030). Accounts scoped to a subtree of units, every plan."""
    from playwright.sync_api import sync_playwright

    with hanoi.transaction() as session:
        add_account(session, "tinh-hn", "Cán bộ tỉnh Hà Nội", PASSWORD, NOW, Role.VIEWER, None, "vn.province.ha-noi")
        add_account(session, "tinh-gl", "Cán bộ tỉnh Gia Lai", PASSWORD, NOW, Role.VIEWER, None, "vn.province.gia-lai")
        add_account(session, "my-duc", "Cán bộ huyện Mỹ Đức", PASSWORD, NOW, Role.VIEWER, None, "hn.district.my-duc")

    def children(page, plan):
        page.goto(f"{server}/ke-hoach/{plan}?as_of=2020-11-20")
        rows = page.locator("#children tr[data-plan]")
        found = {}
        for i in range(rows.count()):
            found[rows.nth(i).get_attribute("data-plan")] = [int(n) for n in rows.nth(i).locator("td.num").all_inner_texts()[:-1]]
        implementers = page.locator("#implementers b").inner_text() if page.locator("#implementers").count() else None
        cards = [int(n) for n in page.locator("#counts .card[data-status] b").all_inner_texts()]
        return found, implementers, cards

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        seen, home = {}, {}
        for login in ("dieuphoi", "tinh-hn", "tinh-gl", "my-duc"):
            page = browser.new_context().new_page()
            sign_in_browser(page, server, login)
            page.wait_for_url(f"{server}/")
            seen[login] = {plan: children(page, plan) for plan in ("vn-qd-319-2023", "kh-399", "hn-cv-1030")}
            page.goto(f"{server}/?as_of=2020-11-20")
            rows = page.locator("tr[data-plan]")
            home[login] = {rows.nth(i).get_attribute("data-plan"): [int(n) for n in rows.nth(i).locator("td.num").all_inner_texts()[:-1]]
                           for i in range(rows.count())}
        browser.close()
    everything = seen["dieuphoi"]
    assert "gl-kh-tmdt" in everything["vn-qd-319-2023"][0] and "hn-kh-03" in everything["kh-399"][0]
    # Hà Nội's account: no trace of Gia Lai's plan, and only Hà Nội among the implementers.
    assert seen["tinh-hn"]["vn-qd-319-2023"][0] == {}
    assert seen["tinh-hn"]["kh-399"][0] == everything["kh-399"][0]  # Hà Nội's own plan, all its units
    assert int(everything["kh-399"][1].split("/")[1]) > 1 and seen["tinh-hn"]["kh-399"][1] == "1/1"  # of 63 provinces, its own
    assert seen["tinh-gl"]["vn-qd-319-2023"][0] == everything["vn-qd-319-2023"][0] and seen["tinh-gl"]["kh-399"][0] == {}
    # A district's account: Hà Nội's plan 03 counts the district's own work only, as its cards do.
    mine, _, cards = seen["my-duc"]["kh-399"]
    assert mine["hn-kh-03"] == cards and 0 < sum(cards) < sum(everything["kh-399"][0]["hn-kh-03"])
    # The home page: another province's implementing plan is not listed, and each plan counts
    # the account's units only (the district's Công văn 1030 row is its page's cards).
    assert "gl-kh-tmdt" in home["dieuphoi"] and "gl-kh-tmdt" in home["tinh-gl"]
    assert "gl-kh-tmdt" not in home["tinh-hn"] and "gl-kh-tmdt" not in home["my-duc"] and "hn-kh-03" in home["tinh-hn"]
    assert home["my-duc"]["hn-cv-1030"] == seen["my-duc"]["hn-cv-1030"][2]
    assert 0 < sum(home["my-duc"]["hn-cv-1030"]) < sum(home["dieuphoi"]["hn-cv-1030"])
