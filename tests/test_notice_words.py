"""What a notice says: the place it is dated at, the text's own words for a deadline and a
channel, and, where the plan file assumes what the text does not say, one clause that says so.

Messages are sent to a real SMTP server (aiosmtpd) and read back from what it received.
"""

import datetime as dt

import pytest

from notifications.channels import Channels, PooledSmtpSender
from notifications.dispatch import dispatch
from notifications.sink import SmtpSink
from plantrack.assumptions import clause
from plantrack.directory import Directory
from plantrack.loader import load_catalogue
from plantrack.places import CAPITAL, PlaceNode, place_of, province_place
from plantrack.store.sync import sync_catalogue
from plantrack.watch import watch

from .conftest import DEFINITIONS, morning
from .test_loader import edit

D = dt.date
EXAMPLES = DEFINITIONS.parent / "examples" / "2025"
PROVINCE = """  - id: t.province
    name: Ủy ban nhân dân Tỉnh Quảng Ngãi
    kind: province
    contacts: {to: [ubnd@province.example]}
  - id: t.committee
    name: Ban Chỉ đạo thử nghiệm
    kind: committee
    parent: t.province
"""


def letters(store, mini_dir, sink, day: dt.date) -> dict[str, str]:
    """Sync the mini definitions as edited, run the watch and a dispatch on ``day``: each
    recipient's plain text, as the SMTP server received it."""
    with store.transaction() as session:
        sync_catalogue(session, load_catalogue(mini_dir))
    with store.transaction() as session:
        watch(session, morning(day))
    report = dispatch(store, morning(day), Channels(PooledSmtpSender(sink.url())))
    assert report.messages_sent and not report.errors
    return {m["To"]: m["Subject"] + "\n" + m.get_body(("plain",)).get_content() for m in sink.messages}


# --- the place ----------------------------------------------------------------------------


@pytest.mark.parametrize("name, place", [
    ("Ủy ban nhân dân Tỉnh Quảng Ngãi", "Quảng Ngãi"),
    ("Ủy ban nhân dân Thành phố Hà Nội", "Hà Nội"),
    ("UBND tỉnh Đắk Lắk", "Đắk Lắk"),
    ("Thành phố Cần Thơ", "Cần Thơ"),
])
def test_a_province_level_body_dates_its_documents_at_its_provinces_name(name, place):
    assert province_place(name) == place


def test_a_unit_takes_the_place_of_the_nearest_province_above_it_or_its_own_or_the_capital():
    tree = {
        "p": PlaceNode(None, "province", "Ủy ban nhân dân Tỉnh Quảng Ngãi", None),
        "p.committee": PlaceNode("p", "committee", "Ban Chỉ đạo 389 tỉnh", None),
        "p.office": PlaceNode("p.committee", "standing_office", "Cục QLTT", None),
        "hcm": PlaceNode(None, "province", "Ủy ban nhân dân Thành phố Hồ Chí Minh", "Thành phố Hồ Chí Minh"),
        "hcm.dept": PlaceNode("hcm", "department", "Sở Công Thương", None),
        "ministry": PlaceNode("gov", "ministry", "Bộ Công Thương", None),
        "gov": PlaceNode(None, "government", "Chính phủ", None),
    }
    assert place_of("p.office", tree.get) == "Quảng Ngãi"
    assert place_of("hcm.dept", tree.get) == "Thành phố Hồ Chí Minh"  # the registry's own place wins
    assert place_of("ministry", tree.get) == CAPITAL == "Hà Nội"
    assert place_of("nowhere", tree.get) == CAPITAL


def test_the_real_plans_are_dated_where_their_issuers_sit(store):
    with store.transaction() as session:
        sync_catalogue(session, load_catalogue(DEFINITIONS, EXAMPLES))
    directory = Directory()
    with store.session() as session:
        places = {unit: directory.place(session, unit) for unit in (
            "vn.bcd389", "hn.cqtt", "vn.province.gia-lai", "vn.province.dak-lak", "vn.province.ho-chi-minh", "vn.government")}
    assert places == {
        "vn.bcd389": "Hà Nội", "hn.cqtt": "Hà Nội", "vn.province.gia-lai": "Gia Lai", "vn.province.dak-lak": "Đắk Lắk",
        "vn.province.ho-chi-minh": "Thành phố Hồ Chí Minh", "vn.government": "Hà Nội",
    }


def test_a_letter_is_dated_at_the_place_of_the_body_that_issued_the_plan(store, mini_dir, sink):
    edit(mini_dir / "registry.yaml", "  - id: t.committee\n    name: Ban Chỉ đạo thử nghiệm\n    kind: committee\n", PROVINCE)
    received = letters(store, mini_dir, sink, D(2020, 11, 9))
    text = received["alpha@units.example"]
    assert "Quảng Ngãi, ngày 09 tháng 11 năm 2020" in text and "Hà Nội, ngày" not in text


def test_a_registry_place_overrides_the_one_the_tree_gives(store, mini_dir, sink):
    edit(mini_dir / "registry.yaml", "    kind: committee\n", "    kind: committee\n    place: Thành phố Thử Nghiệm\n")
    received = letters(store, mini_dir, sink, D(2020, 11, 9))
    assert "Thành phố Thử Nghiệm, ngày 09 tháng 11 năm 2020" in received["alpha@units.example"]


# --- the text's words ---------------------------------------------------------------------


def test_a_deadline_gone_when_the_plan_was_issued_is_announced_in_the_texts_words(store, mini_dir, sink):
    edit(mini_dir / "plan.yaml", "      before: 2020-11-16", "      before: 2020-11-01")  # issued on Thursday 05/11
    text = letters(store, mini_dir, sink, D(2020, 11, 5))["alpha@units.example"]
    assert ("Thời hạn: trước ngày 01/11/2020 (ngày này đã qua khi văn bản ban hành ngày 05/11/2020; "
            "hạn đến hết Thứ Năm, 05/11/2020)") in text
    assert "chậm nhất ngày 05/11/2020" not in text


@pytest.mark.parametrize("channel", [
    "qua hộp thư điện tử office@committee.example",
    "đồng gửi Sở Alpha",
    "office@committee.example",
])
def test_a_channel_is_written_as_the_text_writes_it(store, mini_dir, sink, channel):
    edit(mini_dir / "plan.yaml", "    submit_to: t.office\n    due:\n      type: one_off",
         f"    submit_to: t.office\n    channel: {channel}\n    due:\n      type: one_off")
    text = letters(store, mini_dir, sink, D(2020, 11, 9))["alpha@units.example"]
    assert f"Cách gửi (theo văn bản): {channel}\n" in text
    assert "qua qua" not in text and "qua đồng gửi" not in text


# --- what the plan file assumes -------------------------------------------------------------


def test_the_clause_names_what_is_assumed_in_one_sentence():
    assert clause(["deadline"]) == "văn bản không nêu thời hạn; cơ quan điều phối đặt hạn mặc định"
    assert clause(["recipient", "deadline"]) == (
        "văn bản không nêu thời hạn và nơi nhận; cơ quan điều phối đặt hạn mặc định và xác định nơi nhận")
    assert clause(["deadline"], english=True) == "the text does not give the deadline; the coordinator set a default one"
    assert clause([]) == ""


def test_a_reminder_says_when_its_deadline_is_the_coordinators_default(store, mini_dir, sink):
    received = letters(store, mini_dir, sink, D(2021, 6, 10))  # five working days before 17/06/2021
    text = received["alpha@units.example"]
    assert "Báo cáo 6 tháng" in text
    assert "Lưu ý: văn bản không nêu thời hạn; cơ quan điều phối đặt hạn mặc định." in text
    # The English summary line: this store's first watch also catches up the plan's overdue
    # items, the plan (stated deadline) and the report of 2020-H2 (assumed), in the same digest.
    assert "3 task(s) due or overdue" in text and "2 set by the coordinator where the text is silent." in text


def test_a_reminder_says_when_its_owner_is_the_plan_files_inference(store, mini_dir, sink):
    edit(mini_dir / "plan.yaml", "    lead_groups: [t.members]\n",
         "    lead: [t.alpha, t.beta]\n    assumed: {units: [t.beta], note: 'Văn bản nêu chung \"các huyện\"'}\n")
    received = letters(store, mini_dir, sink, D(2020, 11, 9))
    assert "Lưu ý: văn bản không nêu đơn vị thực hiện; cơ quan điều phối xác định đơn vị." in received["beta@units.example"]
    assert "Lưu ý:" not in received["alpha@units.example"]  # the text names it, and gives the deadline


def test_a_reminder_names_an_amendment_that_brought_its_deadline_forward(store, mini_dir, sink):
    plan = mini_dir / "plan.yaml"
    with store.transaction() as session:
        sync_catalogue(session, load_catalogue(mini_dir))
    edit(plan, "      before: 2020-11-16", "      before: 2020-11-12")
    edit(plan, "duties:\n", "amendments:\n  - {number: 5/KH-TEST, issued_on: 2020-11-06, effective_from: 2020-11-06, "
         "obligations: [ke-hoach]}\n\nduties:\n")
    text = letters(store, mini_dir, sink, D(2020, 11, 9))["alpha@units.example"]  # two working days before Wednesday 11/11
    assert "(thời hạn đã rút ngắn theo văn bản sửa đổi; hạn ban đầu 16/11/2020)" in text and "gia hạn" not in text


def test_the_demo_finds_a_reminder_whose_deadline_is_the_coordinators_default(store, mini_dir, tmp_path):
    from notifications.sink import first_containing

    mbox = tmp_path / "mail.mbox"
    with SmtpSink(mbox=mbox) as kept:
        letters(store, mini_dir, kept, D(2021, 6, 10))
    found = first_containing(mbox, "cơ quan điều phối đặt hạn mặc định")
    # a unit's reminder or, as this first watch also catches up overdue items, an office's digest
    assert found is not None and found["Subject"].startswith("V/v đôn đốc") and "1/KH-TEST" in found["Subject"]
    assert first_containing(mbox, "không có trong thư nào") is None


def test_a_reminder_says_when_its_recipient_is_the_plan_files_choice(store, mini_dir, sink):
    edit(mini_dir / "plan.yaml", "    submit_to: t.office\n    due:\n      type: one_off",
         "    submit_to: t.office\n    submit_to_basis: assumed\n    submit_to_note: Văn bản không nêu nơi nhận\n"
         "    due:\n      type: one_off")
    text = letters(store, mini_dir, sink, D(2020, 11, 9))["alpha@units.example"]
    assert "Lưu ý: văn bản không nêu nơi nhận; cơ quan điều phối xác định nơi nhận." in text


def test_a_check_in_sent_to_the_plans_office_by_default_says_the_recipient_is_assumed(store, mini_dir):
    from plantrack.tracking import status_rows

    from .conftest import vn
    from .test_timeframes import CHECK_IN

    edit(mini_dir / "plan.yaml", "    support: [t.office]\n", CHECK_IN)
    edit(mini_dir / "plan.yaml", "  period: {start: 2020-11-01, end: 2023-10-31}\n",
         "  period: {start: 2020-11-01, end: 2023-10-31}\n  coordination: {office: t.office, head: t.committee}\n")
    with store.transaction() as session:
        sync_catalogue(session, load_catalogue(mini_dir))
    with store.session() as session:
        (row, *_) = [r for r in status_rows(session, vn(2021, 7, 20), "t-plan") if r.obligation_key == "lap-ke-hoach.tien-do"]
    assert row.assumption == ("văn bản không nêu thời hạn và nơi nhận; "
                              "cơ quan điều phối đặt hạn mặc định và xác định nơi nhận")


def test_an_assumed_recipient_needs_a_note():
    from pydantic import ValidationError

    from plantrack.schema import ObligationDef

    with pytest.raises(ValidationError, match="assumed recipient needs"):
        ObligationDef.model_validate({"id": "o", "title": "Báo cáo", "section": "I", "units": ["u"], "submit_to": "x",
                                      "submit_to_basis": "assumed", "due": {"type": "one_off", "before": "2025-12-01"}})
