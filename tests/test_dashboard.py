"""The dashboard, served by uvicorn and driven in Debian's chromium (Playwright), plus its
refusals checked over plain HTTP. The clock of the app is fixed at 20/11/2020 10:00."""

import datetime as dt
import shutil
import socket
import threading
import time

import httpx
import pytest
import uvicorn
from sqlalchemy import select

from notifications.channels import Channels
from notifications.dispatch import dispatch
from plantrack.accounts import add_coordinator
from plantrack.links import link_expiry, make_token
from plantrack.store.models import Notice, Submission
from plantrack.tracking import find_occurrence
from plantrack.watch import watch
from plantrack.web.app import create_app

from .conftest import DEFINITIONS, ROOT, vn

KEY = b"test-signing-key"
NOW = vn(2020, 11, 20, 10)
CHROMIUM = shutil.which("chromium")


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
        add_coordinator(session, "dieuphoi", "Nguyễn Văn Điều Phối", "mat-khau-demo", NOW)
    return store


@pytest.fixture
def server(hanoi, tmp_path):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    app = create_app(hanoi, KEY, lambda: NOW, tmp_path / "uploads")
    running = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=running.run, daemon=True)
    thread.start()
    for _ in range(100):
        if running.started:
            break
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    running.should_exit = True
    thread.join(10)


def token_for(store, unit, obligation="ke-hoach-trien-khai", plan="hn-cv-1030"):
    with store.session() as session:
        occurrence = find_occurrence(session, None, plan, obligation, unit)
        return occurrence.id, make_token(KEY, occurrence.id, occurrence.unit_id, link_expiry(occurrence.current_due_date))


@pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed (make test installs it)")
def test_a_coordinator_sees_the_plan_and_an_agency_submits_through_its_link(server, hanoi, tmp_path):
    from playwright.sync_api import sync_playwright

    occurrence_id, token = token_for(hanoi, "hn.district.my-duc")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        page = browser.new_page(viewport={"width": 1280, "height": 900})

        page.goto(f"{server}/ke-hoach/hn-kh-03?as_of=2020-11-20")
        assert page.locator("#as-of-line").inner_text() == "Số liệu đến hết ngày 20/11/2020."
        overdue = int(page.locator('#counts [data-status="overdue"] b').inner_text())
        assert overdue >= 1  # districts that had not sent their plan by 16/11
        my_duc = page.locator('#heatmap tr[data-unit="hn.district.my-duc"] td.cell').first
        assert my_duc.get_attribute("data-status") == "overdue"
        page.screenshot(path=str(tmp_path / "overview.png"), full_page=True)

        page.fill("#as_of", "2020-11-10")  # the as-of picker: before the deadline nothing is late
        page.click("#show")
        page.wait_for_url("**as_of=2020-11-10**")
        assert page.locator("#as-of-line").inner_text() == "Số liệu đến hết ngày 10/11/2020."
        assert page.locator('#counts [data-status="overdue"] b').inner_text() == "0"

        page.goto(f"{server}/nop/{token}")  # the agency follows the link in its notice
        assert "BCĐ389 huyện Mỹ Đức" in page.content() or "Mỹ Đức" in page.locator("main").inner_text()
        assert page.locator("#status").get_attribute("data-status") == "overdue"
        page.fill("#document_number", "88/KH-BCĐ")
        page.fill("#document_date", "2020-11-19")
        page.click("#send")
        assert "Đã ghi nhận báo cáo lúc 20/11/2020 10:00" in page.locator("#done").inner_text()
        assert page.locator("#status").get_attribute("data-status") == "late"

        page.goto(f"{server}/ke-hoach/hn-kh-03?as_of=2020-11-20")
        cell = page.locator('#heatmap tr[data-unit="hn.district.my-duc"] td.cell').first
        assert cell.get_attribute("data-status") != "overdue"
        assert int(page.locator('#counts [data-status="overdue"] b').inner_text()) == overdue - 1

        phone = browser.new_page(viewport={"width": 390, "height": 844}, is_mobile=True)
        phone.goto(f"{server}/ke-hoach/hn-kh-03?as_of=2020-11-20")
        assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")  # tables scroll inside
        browser.close()
    assert (tmp_path / "overview.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    with hanoi.session() as session:
        [submission] = session.query(Submission).filter_by(occurrence_id=occurrence_id).all()
    assert submission.document_number == "88/KH-BCĐ" and submission.submitted_at == NOW
    assert submission.recorded_by == "đường dẫn ký số (hn.district.my-duc)"


def test_links_refuse_tampering_other_units_and_expiry(server, hanoi):
    _, token = token_for(hanoi, "hn.district.my-duc")
    other_id, other = token_for(hanoi, "hn.district.ba-vi")
    occurrence, unit, expiry, signature = token.split(".", 1)[0], "hn.district.my-duc", token.split(".")[-2], token.split(".")[-1]
    forged = f"{other_id}.{unit}.{expiry}.{signature}"  # my-duc's signature on ba-vi's occurrence
    moved = f"{occurrence}.hn.district.ba-vi.{expiry}.{signature}"
    longer = f"{occurrence}.{unit}.{int(expiry) + 86400 * 365}.{signature}"
    for bad in (forged, moved, longer, "123", token[:-2] + "xx"):
        answer = httpx.get(f"{server}/nop/{bad}")
        assert answer.status_code == 403 and "Đường dẫn không hợp lệ" in answer.text
        posted = httpx.post(f"{server}/nop/{bad}", data={"document_number": "1/X"})
        assert posted.status_code == 403
    stale = make_token(KEY, int(occurrence), unit, vn(2020, 11, 19))
    expired = httpx.get(f"{server}/nop/{stale}")
    assert expired.status_code == 403 and "Đường dẫn đã hết hạn từ 19/11/2020" in expired.text
    with hanoi.session() as session:
        assert session.query(Submission).filter(Submission.recorded_by.like("đường dẫn%")).count() == 0
    empty = httpx.post(f"{server}/nop/{other}", data={})
    assert empty.status_code == 422 and "Đề nghị nhập số văn bản" in empty.text


def test_coordinator_actions_need_a_login_and_work_with_one(server, hanoi):
    with hanoi.session() as session:
        occurrence = find_occurrence(session, None, "hn-cv-1030", "ke-hoach-trien-khai", "hn.district.ung-hoa")
    anonymous = httpx.post(f"{server}/dieu-phoi/gia-han/{occurrence.id}", data={"new_date": "2020-11-27", "reason": "x"})
    assert anonymous.status_code == 403 and "Cần đăng nhập" in anonymous.text
    with httpx.Client(base_url=server) as client:
        assert client.post("/dang-nhap", data={"login": "dieuphoi", "password": "sai-mat-khau"}).status_code == 401
        client.post("/dang-nhap", data={"login": "dieuphoi", "password": "mat-khau-demo"})
        unit_page = client.get("/don-vi/hn.district.ung-hoa?as_of=2020-11-20")
        assert "Đường dẫn nộp" in unit_page.text  # coordinators can resend an agency its link
        csrf = unit_page.text.split('name="csrf" value="', 1)[1].split('"', 1)[0]
        no_csrf = client.post(f"/dieu-phoi/gia-han/{occurrence.id}", data={"new_date": "2020-11-27", "reason": "Địa bàn rộng"})
        assert no_csrf.status_code == 403
        granted = client.post(f"/dieu-phoi/gia-han/{occurrence.id}",
                              data={"new_date": "2020-11-27", "reason": "Địa bàn rộng", "csrf": csrf}, follow_redirects=True)
        assert "Đã gia hạn nhiệm vụ" in granted.text and "Nguyễn Văn Điều Phối" in granted.text
    with hanoi.session() as session:
        assert find_occurrence(session, occurrence.id).current_due_date == dt.date(2020, 11, 27)


def test_the_calendar_feed_lists_the_units_deadlines(server):
    import icalendar

    answer = httpx.get(f"{server}/lich/hn.district.ba-vi.ics")
    assert answer.status_code == 200 and answer.headers["content-type"].startswith("text/calendar")
    events = icalendar.Calendar.from_ical(answer.content).walk("VEVENT")
    assert any("Kế hoạch" in str(e["SUMMARY"]) for e in events) and len(events) >= 5


def test_a_file_handed_in_through_the_link_is_kept_and_recorded(server, hanoi, tmp_path):
    occurrence_id, token = token_for(hanoi, "hn.district.thach-that")
    answer = httpx.post(f"{server}/nop/{token}", data={"document_date": "2020-11-19"},
                        files={"file": ("Kế hoạch 12.pdf", b"%PDF-1.4 plan", "application/pdf")})
    assert answer.status_code == 200 and "Đã ghi nhận báo cáo" in answer.text
    [saved] = list((tmp_path / "uploads" / str(occurrence_id)).iterdir())
    assert saved.read_bytes() == b"%PDF-1.4 plan" and saved.name.endswith("-K-ho-ch-12.pdf")
    with hanoi.session() as session:
        [submission] = session.query(Submission).filter_by(occurrence_id=occurrence_id).all()
    assert submission.link == f"tệp: {saved}" and submission.document_date == dt.date(2020, 11, 19)
    future = httpx.post(f"{server}/nop/{token}", data={"document_number": "2/KH", "document_date": "2020-12-01"})
    assert future.status_code == 422 and "after it was submitted" in future.text  # nothing recorded twice
    with hanoi.session() as session:
        assert session.query(Submission).filter_by(occurrence_id=occurrence_id).count() == 1


def test_coordinators_request_reports_and_take_up_escalations(server, hanoi):
    from plantrack.store.models import Notice, Obligation

    for day in (20, 23):  # the watches up to level 1 of the 1030 ladder (5 working days after 16/11)
        with hanoi.transaction() as session:
            watch(session, vn(2020, 11, day, 7, 30))
        dispatch(hanoi, vn(2020, 11, day, 7, 30), Channels.stub())
    with httpx.Client(base_url=server, follow_redirects=True) as client:
        client.post("/dang-nhap", data={"login": "dieuphoi", "password": "mat-khau-demo"})
        assert "Tiếp nhận báo cáo chậm" not in client.get("/don-vi/hn.district.my-duc?as_of=2020-11-20").text
        page = client.get("/don-vi/hn.district.my-duc?as_of=2020-11-23").text
        csrf = page.split('name="csrf" value="', 1)[1].split('"', 1)[0]
        assert "Tiếp nhận báo cáo chậm" in page  # my-duc's missing plan went up to the office on 23/11
        with hanoi.session() as session:
            escalated = session.query(Notice).filter(Notice.level > 0, Notice.occurrence.has(unit_id="hn.district.my-duc")).first()
        taken = client.post(f"/dieu-phoi/xac-nhan/{escalated.occurrence_id}", data={"csrf": csrf})
        assert "không báo cáo lên cấp trên nữa" in taken.text
        asked = client.post("/dieu-phoi/yeu-cau", data={"plan": "hn-kh-03", "unit": "hn.district.my-duc",
                                                         "title": "Báo cáo nhanh vụ việc", "working_days": "3", "csrf": csrf})
        assert "Đã yêu cầu: Báo cáo nhanh vụ việc" in asked.text
        assert "Báo cáo nhanh vụ việc" in client.get("/don-vi/hn.district.my-duc").text
        home = client.get("/").text
        assert "Kế hoạch số 03/KH-BCĐ389" in home and "Công văn số 1030/CQTT-KT-PHLN" in home
    with hanoi.session() as session:
        acknowledged = session.get(Notice, escalated.id)
        assert acknowledged.acknowledged_by == "Nguyễn Văn Điều Phối"
        assert session.query(Obligation).filter_by(origin="request").count() == 1


@pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed (make test installs it)")
def test_a_unit_page_shows_undeliverable_notices_and_a_coordinator_sends_them_again(server, hanoi):
    from playwright.sync_api import sync_playwright
    from sqlalchemy import update

    with hanoi.transaction() as session:
        notice = session.scalars(select(Notice).where(Notice.recipient_id == "hn.district.my-duc").order_by(Notice.id)).first()
        session.execute(update(Notice).where(Notice.id == notice.id).values(
            state="undeliverable", sent_at=None, result="SMTP: To address refused, not sent: 550 5.1.1 no such user"))
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        page = browser.new_page()
        page.goto(f"{server}/don-vi/hn.district.my-duc?as_of=2020-11-20")
        failing = page.locator("#failing")
        assert "không gửi được" in failing.inner_text() and "550 5.1.1 no such user" in failing.inner_text()
        assert page.locator("#retry-form").count() == 0  # only coordinators may send again
        page.goto(f"{server}/dang-nhap?next=/don-vi/hn.district.my-duc")
        page.fill("#login", "dieuphoi")
        page.fill("#password", "mat-khau-demo")
        page.click("#sign-in")
        page.goto(f"{server}/don-vi/hn.district.my-duc?as_of=2020-11-20")
        page.click("#retry-form button")
        assert "Đã đưa 1 thông báo về hàng chờ" in page.locator("#notice").inner_text()
        browser.close()
    with hanoi.session() as session:
        again = session.get(Notice, notice.id)
        assert again.state == "pending" and again.next_attempt_at == NOW
