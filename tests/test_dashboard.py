"""The dashboard, served by uvicorn and driven in Debian's chromium (Playwright), plus its
refusals checked over plain HTTP. The clock of the app is fixed at 20/11/2020 10:00.

Accounts of the fixture: ``dieuphoi`` (admin, everything), ``hanoi`` (coordinator of Hà Nội's
plan 03 and the plans implementing it, units under Hà Nội), ``xem`` (viewer, everything).
"""

import datetime as dt
import shutil
import socket
import time

import httpx
import pytest
from sqlalchemy import select

from notifications.channels import Channels
from notifications.dispatch import dispatch
from plantrack.accounts import Role, add_account
from plantrack.keys import demo_keyring
from plantrack.links import link_expiry, make_token
from plantrack.store.models import Notice, Submission
from plantrack.testing import serving
from plantrack.tracking import find_occurrence
from plantrack.watch import watch
from plantrack.web.app import create_app

from .conftest import DEFINITIONS, ROOT, vn

KEYS = demo_keyring("dashboard")
NOW = vn(2020, 11, 20, 10)
CHROMIUM = shutil.which("chromium")
PASSWORD = "mat-khau-demo"


@pytest.fixture
def hanoi(store):
    """The real plans, the demo scenario up to 19/11/2020, and the watches of 09/11-19/11."""
    from plantrack.cli import app
    from typer.testing import CliRunner

    for args in (["sync", str(DEFINITIONS)], ["scenario", str(ROOT / "scenarios" / "hanoi-1030-demo.yaml"), "--until", "2020-11-19"]):
        result = CliRunner().invoke(app, [*args, "--db", store.url])
        assert result.exit_code == 0, result.output
    day = dt.date(2020, 11, 9)
    while day < NOW.date():
        if day.weekday() < 5:
            morning = vn(day.year, day.month, day.day, 7, 30)
            with store.transaction() as session:
                watch(session, morning)
            dispatch(store, morning, Channels.stub())
        day += dt.timedelta(days=1)
    with store.transaction() as session:
        add_account(session, "dieuphoi", "Nguyễn Văn Điều Phối", PASSWORD, NOW, Role.ADMIN)
        add_account(session, "hanoi", "Cán bộ Hà Nội", PASSWORD, NOW, Role.COORDINATOR, ["hn-kh-03"], "vn.province.ha-noi")
        add_account(session, "xem", "Người xem", PASSWORD, NOW, Role.VIEWER)
    return store


@pytest.fixture
def server(hanoi, tmp_path):
    app = create_app(hanoi, KEYS, lambda: NOW, tmp_path / "uploads", "http://127.0.0.1:1")
    with serving(app) as url:
        app.state.context.public_url = url  # links are built from the address the test serves on
        yield url


def token_for(store, unit, obligation="ke-hoach-trien-khai", plan="hn-cv-1030", keys=KEYS):
    with store.session() as session:
        occurrence = find_occurrence(session, None, plan, obligation, unit)
        return occurrence.id, make_token(keys, occurrence.id, occurrence.unit_id, link_expiry(occurrence.current_due_date))


def csrf_of(html: str) -> str:
    return html.split('name="csrf" value="', 1)[1].split('"', 1)[0]


def sign_in_browser(page, server: str, login: str, password: str = PASSWORD) -> None:
    """Sign ``page`` in through the sign-in form, as a person would."""
    page.goto(f"{server}/dang-nhap")
    page.fill("#login", login)
    page.fill("#password", password)
    page.click("#sign-in")


def sign_in(client: httpx.Client, login: str, password: str = PASSWORD) -> httpx.Response:
    form = client.get("/dang-nhap")
    return client.post("/dang-nhap", data={"login": login, "password": password, "csrf": csrf_of(form.text)})


@pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed (make test installs it)")
def test_a_coordinator_signs_in_sees_the_plan_and_an_agency_submits_through_its_link(server, hanoi, tmp_path):
    from playwright.sync_api import sync_playwright

    occurrence_id, token = token_for(hanoi, "hn.district.my-duc")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        page = browser.new_page(viewport={"width": 1280, "height": 900})

        page.goto(f"{server}/ke-hoach/hn-kh-03?as_of=2020-11-20")  # anonymous: the sign-in page, nothing else
        assert "/dang-nhap" in page.url and page.locator("#sign-in").count() == 1
        assert "Mỹ Đức" not in page.content() and page.locator("#heatmap").count() == 0
        page.fill("#login", "hanoi")
        page.fill("#password", PASSWORD)
        page.click("#sign-in")
        page.wait_for_url("**/ke-hoach/hn-kh-03?as_of=2020-11-20")  # back where it was going
        assert page.locator("#as-of-line").inner_text() == "Số liệu đến hết ngày 20/11/2020."
        overdue = int(page.locator('#counts [data-status="overdue"] b').inner_text())
        assert overdue >= 1  # districts that had not sent their plan by 16/11
        my_duc = page.locator('#heatmap tr[data-unit="hn.district.my-duc"] td.cell').first
        assert my_duc.get_attribute("data-status") == "overdue"
        page.screenshot(path=str(tmp_path / "overview.png"), full_page=True)

        page.fill("#as_of", "2020-11-10")  # the as-of picker: before the deadline nothing is late
        page.click("#show")
        page.wait_for_url("**as_of=2020-11-10**")
        assert page.locator('#counts [data-status="overdue"] b').inner_text() == "0"

        page.goto(f"{server}/ke-hoach/kh-399")  # outside the Hà Nội coordinator's scope
        assert "Không có quyền" in page.locator("h1").inner_text()

        agency = browser.new_context().new_page()  # the agency, not signed in, follows its link
        agency.goto(f"{server}/nop/{token}")
        assert "Mỹ Đức" in agency.locator("main").inner_text()
        assert agency.locator("#status").get_attribute("data-status") == "overdue"
        agency.fill("#document_number", "88/KH-BCĐ")
        agency.fill("#document_date", "2020-11-19")
        agency.click("#send")
        assert "Đã ghi nhận báo cáo lúc 20/11/2020 10:00" in agency.locator("#done").inner_text()
        assert agency.locator("#status").get_attribute("data-status") == "late"
        assert "88/KH-BCĐ" in agency.locator("#current").inner_text()  # what was handed in, and a correction form
        assert agency.locator("#send").inner_text() == "Gửi bản sửa"
        agency.goto(f"{server}/don-vi/hn.district.my-duc")  # the link opens nothing else
        assert "/dang-nhap" in agency.url

        page.goto(f"{server}/ke-hoach/hn-kh-03?as_of=2020-11-20")
        assert int(page.locator('#counts [data-status="overdue"] b').inner_text()) == overdue - 1

        phone = browser.new_page(viewport={"width": 390, "height": 844}, is_mobile=True)
        phone.goto(f"{server}/dang-nhap")
        assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")

        page.click("#sign-out")
        page.wait_for_url("**/dang-nhap")
        page.goto(f"{server}/ke-hoach/hn-kh-03")
        assert "/dang-nhap" in page.url
        browser.close()
    assert (tmp_path / "overview.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    with hanoi.session() as session:
        [submission] = session.query(Submission).filter_by(occurrence_id=occurrence_id).all()
    assert submission.document_number == "88/KH-BCĐ" and submission.submitted_at == NOW
    assert submission.recorded_by == "đường dẫn ký số (hn.district.my-duc)"


@pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed (make test installs it)")
def test_the_national_overview_is_a_tree_opened_province_by_province(server, hanoi):
    """Plan 399 at the top: ministries and provinces, Hà Nội holding its committee, departments
    and districts (who owe Hà Nội's own plans) with a link to its plan 03; opened, Hà Nội shows
    its own row and its committee; opened again, the districts."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        sign_in_browser(page, server, "dieuphoi")
        page.goto(f"{server}/ke-hoach/kh-399?as_of=2020-11-20")
        top = page.locator("#heatmap tr[data-unit]")
        units = [top.nth(i).get_attribute("data-unit") for i in range(top.count())]
        assert "vn.province.ha-noi" in units and "vn.bct" in units and not [u for u in units if u.startswith("hn.")]
        hanoi_row = page.locator('#heatmap tr[data-unit="vn.province.ha-noi"]')
        assert int(hanoi_row.get_attribute("data-members")) > 30  # the city, its committee, departments and districts
        assert hanoi_row.locator("a.child-plan").first.inner_text() == "Kế hoạch số 03/KH-BCĐ389"
        overdue_national = int(page.locator('#counts [data-status="overdue"] b').inner_text())
        hanoi_row.locator("a.open").click()
        page.wait_for_url("**mo=vn.province.ha-noi**")
        assert page.locator("#trail").inner_text() == "Toàn bộ kế hoạch › Hà Nội"
        rows = page.locator("#heatmap tr[data-unit]")
        assert rows.first.get_attribute("data-own") == "yes" and rows.first.get_attribute("data-unit") == "vn.province.ha-noi"
        page.locator('#heatmap tr[data-unit="hn.bcd389"] a.open').click()
        page.wait_for_url("**mo=hn.bcd389**")
        assert page.locator('#heatmap tr[data-unit="hn.district.my-duc"]').count() == 1
        assert page.locator('#heatmap tr[data-unit="hn.district.my-duc"] td.cell[data-status="overdue"]').count() >= 1
        assert int(page.locator('#counts [data-status="overdue"] b').inner_text()) == overdue_national  # the cards stay the plan's
        page.locator("#trail a").first.click()
        page.wait_for_url("**/ke-hoach/kh-399?as_of=2020-11-20")
        phone = browser.new_page(viewport={"width": 390, "height": 844}, is_mobile=True)
        phone.context.add_cookies(page.context.cookies())
        phone.goto(f"{server}/ke-hoach/kh-399?as_of=2020-11-20&mo=vn.province.ha-noi")
        assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")  # the table scrolls in its box
        browser.close()


def test_an_anonymous_visitor_gets_only_the_sign_in_page(server, hanoi):
    with hanoi.session() as session:
        occurrence = find_occurrence(session, None, "hn-cv-1030", "ke-hoach-trien-khai", "hn.district.ung-hoa")
    for path in ("/", "/ke-hoach/hn-kh-03", "/ke-hoach/kh-399", "/don-vi/hn.district.ba-vi", "/tep/1"):
        answer = httpx.get(server + path)
        assert answer.status_code == 303 and answer.headers["location"].startswith("/dang-nhap?next="), path
    for path in ("/lich/hn.district.ba-vi.ics", "/don-vi-cua-toi/hn.district.ba-vi"):
        assert httpx.get(server + path).status_code in (403, 404), path
    answer = httpx.post(f"{server}/dieu-phoi/gia-han/{occurrence.id}", data={"new_date": "2020-11-27", "reason": "x"})
    assert answer.status_code == 303 and "/dang-nhap" in answer.headers["location"]
    login_page = httpx.get(f"{server}/dang-nhap").text
    for private in ("@", "smtp", "mailto", "hn.district"):
        assert private not in login_page.lower()


def test_each_role_reads_and_acts_only_within_its_scope(server, hanoi):
    with hanoi.transaction() as session:
        notice = session.scalars(select(Notice).where(Notice.recipient_id == "hn.district.my-duc").order_by(Notice.id)).first()
        notice.state, notice.result = "undeliverable", "SMTP: To address refused, not sent: 550 5.1.1 no such user (mx.hanoi.example:25)"
        occurrence = find_occurrence(session, None, "hn-cv-1030", "ke-hoach-trien-khai", "hn.district.ung-hoa")
    extension = {"new_date": "2020-11-27", "reason": "Địa bàn rộng"}
    with httpx.Client(base_url=server) as viewer:
        assert sign_in(viewer, "xem").status_code == 303
        page = viewer.get("/don-vi/hn.district.my-duc?as_of=2020-11-20")
        assert page.status_code == 200 and "Duyệt gia hạn" not in page.text and "retry-form" not in page.text
        assert "550 5.1.1" not in page.text and "(chỉ quản trị xem)" in page.text  # delivery details: admins only
        assert viewer.get("/ke-hoach/kh-399").status_code == 200  # a viewer of everything reads everything
        refused = viewer.post(f"/dieu-phoi/gia-han/{occurrence.id}", data={**extension, "csrf": csrf_of(page.text)})
        assert refused.status_code == 403 and "chỉ có quyền xem" in refused.text
    with httpx.Client(base_url=server) as hanoi_office:
        sign_in(hanoi_office, "hanoi")
        assert hanoi_office.get("/ke-hoach/hn-cv-1030").status_code == 200  # implements plan 03
        assert hanoi_office.get("/ke-hoach/kh-399").status_code == 403
        assert hanoi_office.get("/don-vi/vn.bct").status_code == 403  # a ministry, outside Hà Nội
        home = hanoi_office.get("/").text
        assert "03/KH-BCĐ389" in home and "399/KH-BCĐ389" not in home
        page = hanoi_office.get("/don-vi/hn.district.ung-hoa?as_of=2020-11-20")
        assert "Đường dẫn nộp" in page.text and "550 5.1.1" not in page.text
        no_csrf = hanoi_office.post(f"/dieu-phoi/gia-han/{occurrence.id}", data=extension)
        assert no_csrf.status_code == 403 and "CSRF" in no_csrf.text
        granted = hanoi_office.post(f"/dieu-phoi/gia-han/{occurrence.id}", data={**extension, "csrf": csrf_of(page.text)},
                                    follow_redirects=True)
        assert "Đã gia hạn nhiệm vụ" in granted.text and "Cán bộ Hà Nội" in granted.text
    with httpx.Client(base_url=server) as admin:
        sign_in(admin, "dieuphoi")
        page = admin.get("/don-vi/hn.district.my-duc?as_of=2020-11-20")
        assert "550 5.1.1 no such user" in page.text and 'id="retry-form"' in page.text
        assert 'data-active="yes"' in page.text and "đang thực hiện" in page.text  # the duties running on that day
        after = admin.get("/don-vi/hn.district.my-duc?as_of=2024-06-01").text  # the plan ended on 31/10/2023
        assert 'data-active="yes"' not in after and "đã hết thời gian thực hiện" in after
    with hanoi.transaction() as session:
        add_account(session, "my-duc", "Cán bộ Mỹ Đức", PASSWORD, NOW, Role.VIEWER, ["hn-kh-03"], "hn.district.my-duc")
    with httpx.Client(base_url=server) as district:
        sign_in(district, "my-duc")
        page = district.get("/ke-hoach/hn-cv-1030?as_of=2020-11-20").text
        assert page.count('<tr data-unit="') == 1 and 'data-unit="hn.district.my-duc"' in page  # its own row only
        overdue = page.split('data-status="overdue"', 1)[1].split("<b>", 1)[1].split("</b>", 1)[0]
        assert overdue == "1"  # the cards count its subtree, not the city
    with hanoi.session() as session:
        assert find_occurrence(session, occurrence.id).current_due_date == dt.date(2020, 11, 27)


def test_sessions_end_at_logout_password_change_and_removal(server, hanoi):
    from plantrack.accounts import remove_account, set_password

    def signed_in_client(password=PASSWORD):
        client = httpx.Client(base_url=server)
        assert sign_in(client, "xem", password).status_code == 303
        assert client.get("/").status_code == 200
        return client

    client = signed_in_client()
    cookie = client.cookies["plantrack_session"]
    forged = client.post("/dang-xuat", data={})  # a cross-site form cannot sign anyone out
    assert forged.status_code == 403 and client.get("/").status_code == 200
    client.post("/dang-xuat", data={"csrf": csrf_of(client.get("/").text)})
    replayed = httpx.get(f"{server}/", cookies={"plantrack_session": cookie})
    assert replayed.status_code == 303  # the stolen cookie of a closed session opens nothing

    client = signed_in_client()
    with hanoi.transaction() as session:
        set_password(session, "xem", "mot-mat-khau-moi", NOW)
    assert client.get("/").status_code == 303

    client = signed_in_client("mot-mat-khau-moi")
    with hanoi.transaction() as session:
        remove_account(session, "xem")
    assert client.get("/").status_code == 303


def test_sign_in_is_throttled_checked_against_csrf_and_never_leaks_which_logins_exist(server):
    with httpx.Client(base_url=server) as client:
        form = client.get("/dang-nhap")
        no_token = client.post("/dang-nhap", data={"login": "dieuphoi", "password": PASSWORD})
        assert no_token.status_code == 403
        assert "plantrack_session" not in client.cookies
        for _ in range(5):
            wrong = client.post("/dang-nhap", data={"login": "dieuphoi", "password": "sai-mat-khau", "csrf": csrf_of(form.text)})
            assert wrong.status_code == 401 and "Sai tên đăng nhập hoặc mật khẩu" in wrong.text
        locked = client.post("/dang-nhap", data={"login": "dieuphoi", "password": PASSWORD, "csrf": csrf_of(form.text)})
        assert locked.status_code == 429 and "tạm bị khóa" in locked.text
        assert "plantrack_session" not in client.cookies
        unknown = client.post("/dang-nhap", data={"login": "khong-co-ai", "password": "sai-mat-khau", "csrf": csrf_of(form.text)})
        assert unknown.status_code == 401 and unknown.text.count("Sai tên đăng nhập") == 1
        other = sign_in(client, "hanoi")  # another account from the same address still signs in
        assert other.status_code == 303


def test_equal_work_for_unknown_and_existing_logins(hanoi):
    from plantrack.accounts import authenticate
    from plantrack.store.models import Account

    with hanoi.session() as session:
        stored = session.get(Account, "xem").password_hash
    assert stored.startswith("$argon2id$") and "m=65536,t=3" in stored  # above OWASP's minimum (19 MiB, 2 passes)

    def cost(login):
        with hanoi.session() as session:
            started = time.perf_counter()
            for _ in range(3):
                assert authenticate(session, login, "sai-mat-khau") is None
            return time.perf_counter() - started

    cost("xem")  # warm up
    known, unknown = min(cost("xem") for _ in range(2)), min(cost("khong-co-ai") for _ in range(2))
    assert 0.5 < unknown / known < 2.0, (known, unknown)  # both run argon2id once


def test_links_refuse_tampering_other_units_purposes_non_ascii_and_expiry(server, hanoi):
    import base64
    import json

    from plantrack.keys import Purpose

    _, token = token_for(hanoi, "hn.district.my-duc")
    other_id, other = token_for(hanoi, "hn.district.ba-vi")
    payload, signature = token.rsplit(".", 1)
    moved = base64.urlsafe_b64encode(json.dumps([other_id, "hn.district.my-duc", 2**40]).encode()).decode().rstrip("=")
    forged = f"{moved}.{signature}"
    as_session = KEYS.sign(Purpose.SESSION, [other_id, "hn.district.ba-vi", 2**40])  # signed for another purpose
    other_key = make_token(demo_keyring("somebody-else"), other_id, "hn.district.ba-vi", vn(2021, 1, 1))
    for bad in (forged, as_session, other_key, "123", token[:-2] + "xx", token[:-1] + "đ", "ß" * 50):
        answer = httpx.get(f"{server}/nop/{bad}")
        assert answer.status_code == 403 and "Đường dẫn không hợp lệ" in answer.text, bad
        posted = httpx.post(f"{server}/nop/{bad}", data={"document_number": "1/X"})
        assert posted.status_code == 403
    with hanoi.session() as session:
        occurrence = find_occurrence(session, None, "hn-cv-1030", "ke-hoach-trien-khai", "hn.district.my-duc")
    stale = make_token(KEYS, occurrence.id, "hn.district.my-duc", vn(2020, 11, 19))
    expired = httpx.get(f"{server}/nop/{stale}")
    assert expired.status_code == 403 and "Đường dẫn đã hết hạn từ 19/11/2020" in expired.text
    cookie = httpx.get(f"{server}/", headers={"Cookie": ("plantrack_session=" + "đ" * 40).encode("utf-8")})
    assert cookie.status_code == 303  # a non-ASCII cookie is no session, not an error
    with hanoi.session() as session:
        assert session.query(Submission).filter(Submission.recorded_by.like("đường dẫn%")).count() == 0
    empty = httpx.post(f"{server}/nop/{other}", data={})
    assert empty.status_code == 422 and "Đề nghị nhập số văn bản" in empty.text


def test_a_rotated_key_keeps_old_links_valid_until_the_stated_day(hanoi, tmp_path):
    from plantrack.keys import Keyring

    old, new = demo_keyring("old-key"), demo_keyring("new-key")
    _, old_link = token_for(hanoi, "hn.district.my-duc", keys=old)
    rotated = Keyring(new.current, old.current, vn(2020, 11, 30, 23, 59))
    for clock, expected in ((NOW, 200), (vn(2020, 12, 1, 9), 403)):
        with serving(create_app(hanoi, rotated, lambda clock=clock: clock, tmp_path / "uploads")) as url:
            assert httpx.get(f"{url}/nop/{old_link}").status_code == expected


def test_uploads_are_limited_before_the_body_is_read(server, hanoi):
    from urllib.parse import urlsplit

    _, token = token_for(hanoi, "hn.district.thach-that")
    host, port = urlsplit(server).hostname, urlsplit(server).port

    def headers_only(path: str, length: int) -> str:
        """Send a request's headers and no body: the answer must come without it."""
        with socket.create_connection((host, port), timeout=10) as connection:
            connection.sendall(
                f"POST {path} HTTP/1.1\r\nHost: {host}\r\nContent-Type: multipart/form-data; boundary=x\r\n"
                f"Content-Length: {length}\r\n\r\n".encode()
            )
            return connection.recv(4096).decode("latin-1")

    assert headers_only(f"/nop/{token}", 200 * 1024 * 1024).startswith("HTTP/1.1 413")  # 200 MB announced
    assert headers_only("/nop/forged.token", 1024 * 1024).startswith("HTTP/1.1 403")  # a forged link reads no body
    assert headers_only("/dang-nhap", 1024 * 1024).startswith("HTTP/1.1 413")  # other forms are small


def test_a_handed_in_file_is_checked_kept_under_a_unique_name_and_corrected_within_a_quota(server, hanoi, tmp_path):
    from plantrack.handins import MAX_CORRECTIONS

    occurrence_id, token = token_for(hanoi, "hn.district.thach-that")
    for name, content, why in (
        ("Kế hoạch.pdf", b"MZ\x90\x00 not a pdf", "không phải là văn bản"),
        ("script.exe", b"MZ\x90\x00\x03\x00\x00\x00", "không phải là văn bản"),
        ("Kế hoạch.docx", b"%PDF-1.4 a pdf", "không khớp với nội dung"),
    ):
        refused = httpx.post(f"{server}/nop/{token}", files={"file": (name, content, "application/pdf")})
        assert refused.status_code == 422 and why in refused.text, name
    two_files = httpx.post(f"{server}/nop/{token}", files=[("file", ("a.pdf", b"%PDF-1.4 a")), ("file", ("b.pdf", b"%PDF-1.4 b"))])
    assert two_files.status_code == 422
    first = httpx.post(f"{server}/nop/{token}", data={"document_date": "2020-11-19"},
                       files={"file": ("../../Kế hoạch 12.pdf", b"%PDF-1.4 plan", "application/pdf")})
    assert first.status_code == 200 and "Đã ghi nhận báo cáo" in first.text and "Kế hoạch 12.pdf" in first.text
    again = httpx.post(f"{server}/nop/{token}", files={"file": ("../../Kế hoạch 12.pdf", b"%PDF-1.4 corrected", "application/pdf")})
    assert again.status_code == 200  # the same name in the same second: a correction, not an overwrite
    stored = sorted((tmp_path / "uploads" / str(occurrence_id)).iterdir())
    assert sorted(p.read_bytes() for p in stored) == [b"%PDF-1.4 corrected", b"%PDF-1.4 plan"]
    assert all("Kế" not in p.name and ".." not in p.name for p in stored)
    for index in range(MAX_CORRECTIONS - 1):
        assert httpx.post(f"{server}/nop/{token}", data={"document_number": f"{index}/KH"}).status_code == 200
    over = httpx.get(f"{server}/nop/{token}")
    assert over.status_code == 200 and "hết số lần sửa" in over.text and 'id="submit-form"' not in over.text
    refused = httpx.post(f"{server}/nop/{token}", data={"document_number": "10/KH"})
    assert refused.status_code == 422 and "đã được dùng" in refused.text
    with hanoi.session() as session:
        submissions = session.query(Submission).filter_by(occurrence_id=occurrence_id).order_by(Submission.id).all()
        occurrence = find_occurrence(session, occurrence_id)
    assert len(submissions) == MAX_CORRECTIONS + 1
    assert [s.superseded_at is None for s in submissions] == [False] * MAX_CORRECTIONS + [True]
    assert submissions[1].supersedes_id == submissions[0].id and occurrence.first_submitted_at == NOW
    assert submissions[0].file_name == "Kế hoạch 12.pdf" and submissions[0].link is None
    with httpx.Client(base_url=server) as admin:
        sign_in(admin, "dieuphoi")
        page = admin.get("/don-vi/hn.district.thach-that").text
        assert str(tmp_path) not in page and f"/tep/{submissions[0].id}" in page
        download = admin.get(f"/tep/{submissions[0].id}")
        assert download.content == b"%PDF-1.4 plan" and "attachment" in download.headers["content-disposition"]


def test_the_units_own_feed_link_opens_its_page_and_calendar_until_revoked(server, hanoi):
    import icalendar
    from typer.testing import CliRunner

    from plantrack.cli import app

    def feed(*extra):
        result = CliRunner().invoke(app, ["feed", "--unit", "hn.district.ba-vi", "--base-url", server, *extra, "--db", hanoi.url],
                                    env={"PLANTRACK_SECRET_KEY": KEYS.current})
        assert result.exit_code == 0, result.output
        return [line.split(": ", 1)[1].strip() for line in result.output.splitlines() if "http" in line]

    own_page, calendar = feed()
    answer = httpx.get(calendar)
    assert answer.status_code == 200 and answer.headers["content-type"].startswith("text/calendar")
    events = icalendar.Calendar.from_ical(answer.content).walk("VEVENT")
    assert any("Kế hoạch" in str(e["SUMMARY"]) for e in events) and len(events) >= 5
    page = httpx.get(own_page)
    assert page.status_code == 200 and "Ba Vì" in page.text and "Duyệt gia hạn" not in page.text
    new_page, new_calendar = feed("--revoke")
    assert httpx.get(calendar).status_code == 404 and httpx.get(own_page).status_code == 403
    assert httpx.get(new_calendar).status_code == 200 and httpx.get(new_page).status_code == 200


def test_headers_host_and_messages_cannot_be_forged(server, hanoi):
    answer = httpx.get(f"{server}/dang-nhap")
    for header in ("content-security-policy", "x-frame-options", "x-content-type-options", "referrer-policy"):
        assert header in answer.headers, header
    assert answer.headers["referrer-policy"] == "no-referrer" and "frame-ancestors 'none'" in answer.headers["content-security-policy"]
    assert httpx.get(f"{server}/dang-nhap", headers={"Host": "attacker.example"}).status_code == 400
    with httpx.Client(base_url=server) as client:
        sign_in(client, "dieuphoi")
        page = client.get("/don-vi/hn.district.my-duc", params={"thong_bao": "Đã duyệt. Gọi số 0900 để nhận tiền"})
        assert "0900" not in page.text and 'id="notice"' not in page.text
        assert f'href="{server}/nop/' in page.text  # links come from the configured address


def test_coordinators_request_reports_and_take_up_escalations(server, hanoi):
    from plantrack.store.models import Obligation

    for day in (20, 23):  # the watches up to level 1 of the 1030 ladder (5 working days after 16/11)
        with hanoi.transaction() as session:
            watch(session, vn(2020, 11, day, 7, 30))
        dispatch(hanoi, vn(2020, 11, day, 7, 30), Channels.stub())
    with httpx.Client(base_url=server, follow_redirects=True) as client:
        sign_in(client, "dieuphoi")
        assert "Tiếp nhận báo cáo chậm" not in client.get("/don-vi/hn.district.my-duc?as_of=2020-11-20").text
        page = client.get("/don-vi/hn.district.my-duc?as_of=2020-11-23").text
        csrf = csrf_of(page)
        assert "Tiếp nhận báo cáo chậm" in page  # my-duc's missing plan went up to the office on 23/11
        with hanoi.session() as session:
            escalated = session.query(Notice).filter(Notice.level > 0, Notice.occurrence.has(unit_id="hn.district.my-duc")).first()
        taken = client.post(f"/dieu-phoi/xac-nhan/{escalated.occurrence_id}", data={"csrf": csrf})
        assert "không báo cáo lên cấp trên nữa" in taken.text
        formula = client.post("/dieu-phoi/yeu-cau", data={"plan": "hn-kh-03", "unit": "hn.district.my-duc",
                                                           "title": "Báo cáo\r\nBcc: x@y", "working_days": "3", "csrf": csrf})
        assert formula.status_code == 422 and "one line" in formula.text
        zero = client.post("/dieu-phoi/yeu-cau", data={"plan": "hn-kh-03", "unit": "hn.district.my-duc", "title": "X",
                                                        "working_days": "0", "csrf": csrf})
        assert zero.status_code == 422
        asked = client.post("/dieu-phoi/yeu-cau", data={"plan": "hn-kh-03", "unit": "hn.district.my-duc",
                                                         "title": "Báo cáo nhanh vụ việc", "working_days": "3", "csrf": csrf})
        assert "Đã yêu cầu: Báo cáo nhanh vụ việc" in asked.text
        assert "Báo cáo nhanh vụ việc" in client.get("/don-vi/hn.district.my-duc").text
    with hanoi.session() as session:
        acknowledged = session.get(Notice, escalated.id)
        assert acknowledged.acknowledged_by == "Nguyễn Văn Điều Phối"
        assert session.query(Obligation).filter_by(origin="request").count() == 1


@pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed (make test installs it)")
def test_a_unit_page_shows_undeliverable_notices_and_an_admin_sends_them_again(server, hanoi):
    from playwright.sync_api import sync_playwright
    from sqlalchemy import update

    with hanoi.transaction() as session:
        notice = session.scalars(select(Notice).where(Notice.recipient_id == "hn.district.my-duc").order_by(Notice.id)).first()
        session.execute(update(Notice).where(Notice.id == notice.id).values(
            state="undeliverable", sent_at=None, result="SMTP: To address refused, not sent: 550 5.1.1 no such user"))
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        for login, sees_answer in (("xem", False), ("dieuphoi", True)):
            page = browser.new_context().new_page()
            page.goto(f"{server}/dang-nhap?next=/don-vi/hn.district.my-duc")
            page.fill("#login", login)
            page.fill("#password", PASSWORD)
            page.click("#sign-in")
            page.wait_for_url("**/don-vi/hn.district.my-duc")
            failing = page.locator("#failing").inner_text()
            assert "không gửi được" in failing and ("550 5.1.1 no such user" in failing) is sees_answer
            assert page.locator("#retry-form").count() == (1 if sees_answer else 0)  # a viewer may not send again
        page.click("#retry-form button")
        assert "Đã đưa 1 thông báo về hàng chờ" in page.locator("#notice").inner_text()
        browser.close()
    with hanoi.session() as session:
        again = session.get(Notice, notice.id)
        assert again.state == "pending" and again.next_attempt_at == NOW
