"""The fast message composer, read back by the standard library's parser."""

import email
from email import policy

import pytest

from notifications.mime import Attachment, compose, header

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

SUBJECT = (
    "V/v đôn đốc thực hiện Kế hoạch số 399/KH-BCĐ389 và Kế hoạch số 03/KH-BCĐ389 "
    "(thời hạn 16/11/2020, 30/11/2020, 15/12/2020) — Ưu tiên: khẩn"
)


def parse(raw: str):
    return email.message_from_string(raw, policy=policy.default)


def compose_one(**overrides):
    fields = dict(
        from_header="=?utf-8?b?VsSDbiBwaMOybmc=?= <plantrack@localhost>",
        to=["ubnd@hanoi.gov.vn", "vp@hanoi.gov.vn"],
        cc=["bcd389@hanoi.gov.vn"],
        subject=SUBJECT,
        date="Mon, 16 Nov 2020 07:30:00 +0700",
        message_id="<plantrack.x.1-3.3@plantrack.invalid>",
        text="Kính gửi: Ủy ban nhân dân huyện Ba Vì\nThời hạn: 16/11/2020 (thứ hai)./.\n",
        html="<p>Kính gửi: <b>Ủy ban nhân dân huyện Ba Vì</b></p><p>./.</p>",
        extra={"X-Plantrack-Notices": [str(n) for n in range(100000, 100400)]},
    )
    fields.update(overrides)
    return compose(**fields)


def test_headers_and_bodies_read_back_exactly():
    raw = compose_one()
    message = parse(raw)
    assert message["Subject"] == SUBJECT
    assert str(message["From"]) == "Văn phòng <plantrack@localhost>"
    assert [a.addr_spec for a in message["To"].addresses] == ["ubnd@hanoi.gov.vn", "vp@hanoi.gov.vn"]
    assert [a.addr_spec for a in message["Cc"].addresses] == ["bcd389@hanoi.gov.vn"]
    assert message["Message-ID"] == "<plantrack.x.1-3.3@plantrack.invalid>"
    notices = "".join(str(message["X-Plantrack-Notices"]).split()).split(",")
    assert notices == [str(n) for n in range(100000, 100400)]
    assert message.get_content_type() == "multipart/alternative"
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    assert text == "Kính gửi: Ủy ban nhân dân huyện Ba Vì\nThời hạn: 16/11/2020 (thứ hai)./.\n"
    assert "<b>Ủy ban nhân dân huyện Ba Vì</b>" in html
    assert not message.defects and not any(part.defects for part in message.walk())


def test_every_line_is_ascii_and_short():
    raw = compose_one()
    assert raw.isascii()
    head = raw.split("\n\n", 1)[0]
    assert max(len(line) for line in head.split("\n")) <= 78
    assert max(len(line) for line in raw.split("\n")) <= 78


@pytest.mark.parametrize("name", ["Subject", "X-Very-Long-Header-Name-For-Testing"])
def test_encoded_words_never_split_a_character(name):
    value = "Ủy ban " * 40 + "ỗ"
    line = header(name, value)
    assert all(len(part) <= 78 for part in line.split("\n"))
    assert str(parse(line + "\n\nbody")[name]) == value


def test_international_domain_and_refused_local_part():
    message = parse(compose_one(to=["vanthu@bộcôngthương.vn"], cc=[]))
    domain = message["To"].addresses[0].domain
    assert domain.startswith("xn--") and domain.encode("ascii").decode("idna") == "bộcôngthương.vn"
    assert "Cc" not in message
    with pytest.raises(ValueError, match="local part must be ASCII"):
        compose_one(to=["văn.thư@hanoi.gov.vn"])
    with pytest.raises(ValueError, match="not an e-mail address"):
        compose_one(to=["hanoi.gov.vn"])


def test_attachments_come_after_the_text_and_html():
    workbook = bytes(range(256)) * 40
    raw = compose_one(attachments=[Attachment("bao-cao-tien-do.xlsx", XLSX, workbook)])
    message = parse(raw)
    assert message.get_content_type() == "multipart/mixed"
    assert message.get_body(("plain",)).get_content().startswith("Kính gửi: Ủy ban nhân dân huyện Ba Vì")
    [attached] = list(message.iter_attachments())
    assert attached.get_filename() == "bao-cao-tien-do.xlsx" and attached.get_content_type() == XLSX
    assert attached.get_content() == workbook
    # The long Office type name alone passes 78 columns; RFC 5322's hard limit is 998.
    assert max(len(line) for line in raw.split("\n")) <= 998
    with pytest.raises(ValueError, match="plain ASCII"):
        compose_one(attachments=[Attachment("báo-cáo.xlsx", XLSX, b"x")])
