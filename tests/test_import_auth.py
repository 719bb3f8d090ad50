"""The import page checks who asks before it reads what is sent: an anonymous or read-only POST
of a large document is answered while its body is still on the way; a coordinator still drafts."""

from __future__ import annotations

import socket
import time
from urllib.parse import urlsplit

import httpx

from .test_dashboard import csrf_of, sign_in
from .test_import_web import server  # noqa: F401  (the fixture)

LETTER = ("ỦY BAN NHÂN DÂN TỈNH NGHỆ AN\n\nCỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\n\nSố: 5/KH-UBND\n\n"
          "Nghệ An, ngày 01 tháng 12 năm 2025\n\nKẾ HOẠCH\nĐỐI NGOẠI NĂM 2026\n\nII. NHIỆM VỤ\n\n"
          "1. Ban Quản lý Khu kinh tế tỉnh chủ trì, báo cáo trước ngày 15/01/2026.\n").encode()


def answer_before_the_body(url: str, cookie: str | None) -> tuple[int, float]:
    """(status, seconds) of a POST that states 15 MB and sends 1 KB of it, then waits."""
    parts = urlsplit(url)
    head = (f"POST /nhap-ke-hoach HTTP/1.1\r\nHost: {parts.hostname}\r\nContent-Type: multipart/form-data; boundary=b\r\n"
            f"Content-Length: {15 * 1024 * 1024}\r\n" + (f"Cookie: plantrack_session={cookie}\r\n" if cookie else "") + "\r\n")
    started = time.monotonic()
    with socket.create_connection((parts.hostname, parts.port), timeout=10) as connection:
        connection.sendall(head.encode() + b"--b\r\nContent-Disposition: form-data; name=\"document\"; filename=\"a.txt\"\r\n\r\n"
                           + b"a" * 1024)
        try:
            status_line = connection.recv(200).split(b"\r\n", 1)[0]
        except TimeoutError:
            return 0, time.monotonic() - started
    return int(status_line.split()[1]), time.monotonic() - started


def test_an_anonymous_or_read_only_post_is_refused_before_its_body_is_read(server):  # noqa: F811
    status, seconds = answer_before_the_body(server, None)
    assert status == 303 and seconds < 5  # to the sign-in page
    with httpx.Client(base_url=server, follow_redirects=True) as viewer:
        sign_in(viewer, "xem")
        cookie = viewer.cookies["plantrack_session"]
    status, seconds = answer_before_the_body(server, cookie)
    assert status == 403 and seconds < 5


def test_a_coordinator_still_drafts_and_a_forged_form_is_refused(server):  # noqa: F811
    with httpx.Client(base_url=server, follow_redirects=True, timeout=120) as coordinator:
        sign_in(coordinator, "dieuphoi")
        token = csrf_of(coordinator.get("/nhap-ke-hoach").text)
        forged = coordinator.post("/nhap-ke-hoach", data={"csrf": "x"}, files={"document": ("5.txt", LETTER, "text/plain")})
        assert forged.status_code == 403
        drafted = coordinator.post("/nhap-ke-hoach", data={"csrf": token}, files={"document": ("5.txt", LETTER, "text/plain")})
        assert drafted.status_code == 200 and drafted.text.count('class="download"') == 2
        assert "Đơn vị chủ trì “Ban Quản lý Khu kinh tế tỉnh” chưa có trong danh mục" in drafted.text
