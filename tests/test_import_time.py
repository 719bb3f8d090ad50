"""plantrack import, time and period: time words are read only where the text says when
something is due, a day the text writes is never replaced by a default, a window that ends on an
event stays a window, the plan's period is found where the text states it, and every guessed
date says why. Each document is a minimal one written here in the shape of a real plan."""

from __future__ import annotations

import datetime as dt

import pytest

from plantrack.importer import import_document
from plantrack.loader import load_catalogue

from .conftest import ROOT

HEADER = ("ỦY BAN NHÂN DÂN\nTỈNH NGHỆ AN\n-------\n\nCỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nĐộc lập - Tự do - Hạnh phúc\n\n"
          "Số: {number}/KH-UBND\n\nNghệ An, ngày 20 tháng 11 năm 2025\n\nKẾ HOẠCH\n\n{title}\n\n"
          "Căn cứ Luật Tổ chức chính quyền địa phương ngày 16 tháng 6 năm 2025;\n\n"
          "Ủy ban nhân dân tỉnh ban hành Kế hoạch như sau:\n\n")
FOOTER = "\n\nNơi nhận:\n- Như trên;\n- Lưu: VT.\n\nTM. ỦY BAN NHÂN DÂN\nKT. CHỦ TỊCH\nPHÓ CHỦ TỊCH\nNguyễn Văn A\n"
DATE_MARKS = {"period_day_assumed", "day_without_year", "year_inferred", "on_request_assumed", "waits_on_event"}


@pytest.fixture(scope="module")
def catalogue():
    return load_catalogue(ROOT / "plan_definitions", ROOT / "examples" / "2025")


def draft_of(catalogue, tmp_path, body: str, title: str = "TRIỂN KHAI CHÍNH SÁCH HỖ TRỢ NĂM 2026", number: str = "31"):
    source = tmp_path / f"{number}.txt"
    source.write_text(HEADER.format(number=number, title=title) + body + FOOTER, encoding="utf-8")
    return import_document(source, catalogue)


def dues_of(draft, section: str) -> list[dict]:
    duty = next(d for d in draft.duties if d["section"] == section)
    return [o["due"] for o in draft.obligations if o["duty"] == duty["id"]]


def codes(entry: dict) -> set[str]:
    return {m.code for m in entry.get("review", [])}


def test_time_words_in_running_text_that_say_no_deadline_make_no_obligation(catalogue, tmp_path):
    """ "trợ cấp hằng tháng", a programme "giai đoạn 2021 - 2025", a report named "6 tháng đầu năm",
    "02 tháng cuối năm 2025 và những tháng đầu năm 2026": no deadline (the last is a running window from
    01/11/2025 whose end the text leaves open); the time label and the deadline clause are read."""
    draft = draft_of(catalogue, tmp_path, (
        "I. NHIỆM VỤ\n\n"
        "1. Sở Y tế chủ trì chi trả trợ cấp hàng tháng cho người có công theo quy định.\n\n"
        "2. Sở Tài chính tổng hợp kết quả thực hiện Chương trình mục tiêu quốc gia giảm nghèo giai đoạn 2021 - 2025.\n\n"
        "3. Sở Tài chính rà soát số liệu Báo cáo 6 tháng đầu năm 2026 của các sở.\n\n"
        "4. Sở Y tế tập trung thực hiện các nhiệm vụ trong 02 tháng cuối năm 2025 và những tháng đầu năm 2026.\n\n"
        "5. Sở Y tế xây dựng quy trình chi trả trợ cấp.\n\n"
        "Thời gian thực hiện: Quý I/2026.\n\n"
        "6. Sở Tài chính ban hành hướng dẫn thanh toán, hoàn thành trước ngày 15/12/2025.\n\n"
        "7. Về số vốn không giải ngân hết trong năm 2025: Sở Tài chính rà soát, báo cáo trong Quý I năm 2026.\n"))
    assert [dues_of(draft, s) for s in ("I.1", "I.2", "I.3", "I.4")] == [[], [], [], []]
    assert all("timeframe" not in d for d in draft.duties if d["section"] in ("I.1", "I.2", "I.3"))
    [running] = [d["timeframe"] for d in draft.duties if d["section"] == "I.4"]
    assert running["start"] == dt.date(2025, 11, 1) and "until" not in running and not running.get("ongoing")
    assert dues_of(draft, "I.5") == [{"type": "within", "written": "Quý I/2026", "basis": "stated", "note": "Văn bản: “Quý I/2026”"}]
    assert [d["before"] for d in dues_of(draft, "I.6")] == [dt.date(2025, 12, 15)]
    assert [d["written"] for d in dues_of(draft, "I.7")] == ["Quý I/2026"]  # "Về … trong năm 2025:" names the matter


def test_a_day_the_text_writes_is_never_replaced_by_the_default(catalogue, tmp_path):
    """Decree 09/2019's day (the 15th of the period's last month) stands only where no day is written."""
    draft = draft_of(catalogue, tmp_path, (
        "I. NHIỆM VỤ\n\n"
        "1. Định kỳ hằng năm, Sở Tài chính báo cáo Ủy ban nhân dân tỉnh kết quả thực hiện, chậm nhất ngày 17 tháng 12.\n\n"
        "2. Sở Y tế báo cáo Ủy ban nhân dân tỉnh tình hình chi trả trước ngày 20 hằng tháng.\n\n"
        "3. Định kỳ 6 tháng, Bộ Chỉ huy Quân sự tỉnh báo cáo Ủy ban nhân dân tỉnh trước ngày 15/6 và 15/12 hằng năm.\n\n"
        "4. Định kỳ hằng quý, Sở Y tế báo cáo Ủy ban nhân dân tỉnh kết quả thực hiện.\n\n"
        "5. Định kỳ hằng quý, Sở Tài chính báo cáo Ủy ban nhân dân tỉnh trước ngày 20 của tháng cuối quý.\n\n"
        "6. Định kỳ hằng tháng, Sở Y tế báo cáo Ủy ban nhân dân tỉnh số ca bệnh, chậm nhất ngày 25.\n"))
    assert [(d["type"], d["cron"], d["wording"]) for d in dues_of(draft, "I.1")] == [("recurring", "0 0 17 12 *", "at_latest_on")]
    assert [(d["type"], d["cron"]) for d in dues_of(draft, "I.2")] == [("recurring", "0 0 20 * *")]
    assert sorted(d["cron"] for d in dues_of(draft, "I.3")) == ["0 0 15 12 *", "0 0 15 6 *"]
    [quarter_day] = dues_of(draft, "I.5")  # the 20th of the quarter's last month: Decree 09's cut-off, the written day
    assert (quarter_day["period"], quarter_day["days_after_cutoff"], quarter_day["basis"]) == ("quarter", 6, "stated")
    assert [(d["type"], d["cron"], d["wording"]) for d in dues_of(draft, "I.6")] == [("recurring", "0 0 25 * *", "at_latest_on")]
    written = [o for o in draft.obligations if o["section"] in ("I.1", "I.2", "I.3", "I.5", "I.6")]
    assert len(written) == 6 and not any("period_day_assumed" in codes(o) or o["due"].get("basis") == "assumed" for o in written)
    [quarterly] = [o for o in draft.obligations if o["section"] == "I.4"]  # no day written: the default, said so
    assert quarterly["due"]["type"] == "reporting_period" and quarterly["due"]["basis"] == "assumed"
    assert "period_day_assumed" in codes(quarterly)


def test_from_a_month_until_an_event_is_a_running_window_not_a_deadline(catalogue, tmp_path):
    draft = draft_of(catalogue, tmp_path, (
        "I. NHIỆM VỤ\n\n"
        "1. Sở Tài chính chủ trì tổ chức kiểm kê tài sản công tại các cơ quan, đơn vị.\n\n"
        "Thời gian thực hiện: Từ tháng 11/2025 đến khi kết thúc kiểm kê.\n\n"
        "2. Sở Y tế duy trì trực cấp cứu từ tháng 12/2025 cho đến khi kết thúc mùa mưa lũ.\n"))
    first, second = (next(d for d in draft.duties if d["section"] == s) for s in ("I.1", "I.2"))
    assert first["timeframe"]["start"] == dt.date(2025, 11, 1) and first["timeframe"]["until_event"] == "kết thúc kiểm kê"
    assert second["timeframe"]["start"] == dt.date(2025, 12, 1) and second["timeframe"]["until_event"] == "kết thúc mùa mưa lũ"
    assert dues_of(draft, "I.1") == dues_of(draft, "I.2") == []


@pytest.mark.parametrize("title, body, period", [
    ("PHÁT TRIỂN VĂN HÓA ĐỌC ĐẾN NĂM 2030 TRÊN ĐỊA BÀN TỈNH NGHỆ AN", "", (dt.date(2025, 11, 20), dt.date(2030, 12, 31))),
    ("PHÁT TRIỂN DU LỊCH CỘNG ĐỒNG 03 NĂM 2026 - 2028", "", (dt.date(2026, 1, 1), dt.date(2028, 12, 31))),
    ("CHUYỂN ĐỔI SỐ TRONG GIÁO DỤC", "III. THỜI GIAN THỰC HIỆN\n\nTừ năm 2026 đến năm 2030.\n\n",
     (dt.date(2026, 1, 1), dt.date(2030, 12, 31))),
    ("PHÁT ĐỘNG PHONG TRÀO THI ĐUA BẦU CỬ ĐẠI BIỂU HĐND NHIỆM KỲ 2026 - 2031",
     "3. Thời gian thi đua: từ tháng 12 năm 2025 đến hết tháng 3 năm 2026.\n\n", (dt.date(2025, 12, 1), dt.date(2026, 3, 31))),
], ids=["title-until-a-year", "title-years", "heading-value-on-next-line", "emulation-not-the-term"])
def test_the_plans_period_is_found_where_the_text_states_it(catalogue, tmp_path, title, body, period):
    draft = draft_of(catalogue, tmp_path, "I. MỤC ĐÍCH, YÊU CẦU\n\n1. Mục đích\n\nNâng cao nhận thức.\n\n" + body
                     + "IV. TỔ CHỨC THỰC HIỆN\n\n1. Sở Tài chính theo dõi, đôn đốc, tổng hợp.\n", title=title)
    assert (draft.plan["period"]["start"], draft.plan["period"]["end"]) == period
    assert not codes(draft.plan) & {"period_assumed", "period_until_event"}


def test_a_period_that_ends_on_an_event_says_so_and_one_not_stated_is_assumed_and_said(catalogue, tmp_path):
    ending = draft_of(catalogue, tmp_path, "II. THỜI GIAN THỰC HIỆN\n\nTừ tháng 11/2025 đến khi kết thúc đợt tổng điều tra.\n\n"
                      "III. NHIỆM VỤ\n\n1. Sở Tài chính theo dõi, đôn đốc, tổng hợp.\n", title="TỔNG ĐIỀU TRA KINH TẾ", number="32")
    assert ending.plan["period"]["start"] == dt.date(2025, 11, 1)
    [until] = [m for m in ending.plan["review"] if m.code == "period_until_event"]
    assert "kết thúc đợt tổng điều tra" in until.en and "sự kiện" in until.vi
    silent = draft_of(catalogue, tmp_path, "III. NHIỆM VỤ\n\n1. Sở Tài chính theo dõi, đôn đốc, tổng hợp.\n",
                      title="TỔNG ĐIỀU TRA KINH TẾ", number="33")
    assert silent.plan["period"] == {"start": dt.date(2025, 11, 20), "end": dt.date(2026, 12, 31)}
    assert "period_assumed" in codes(silent.plan)
    aims = draft_of(catalogue, tmp_path, "I. QUAN ĐIỂM\n\nPhát triển bền vững.\n\nII. MỤC TIÊU ĐẾN NĂM 2030\n\nPhủ sóng 100% thôn.\n\n"
                    "III. NHIỆM VỤ\n\n1. Sở Tài chính theo dõi, đôn đốc, tổng hợp.\n", title="PHÁT TRIỂN HẠ TẦNG SỐ", number="36")
    assert aims.plan["period"] == {"start": dt.date(2025, 11, 20), "end": dt.date(2030, 12, 31)}  # the aims' horizon, a guess said so
    assert codes(aims.plan) & {"period_assumed", "period_from_objectives"} == {"period_from_objectives"}


def test_every_guessed_date_says_why_and_a_date_read_plainly_carries_no_mark(catalogue, tmp_path):
    draft = draft_of(catalogue, tmp_path, (
        "I. NHIỆM VỤ\n\n"
        "1. Sở Tài chính gửi báo cáo về Ủy ban nhân dân tỉnh chậm nhất ngày 17 tháng 12.\n\n"
        "2. Sở Y tế gửi báo cáo về Ủy ban nhân dân tỉnh trước ngày 10/12/2025.\n\n"
        "3. Sở Y tế định kỳ gửi báo cáo về Ủy ban nhân dân tỉnh trước ngày 20/11.\n\n"
        "4. Sở Tài chính báo cáo đột xuất khi có yêu cầu về Ủy ban nhân dân tỉnh.\n\n"
        "5. Sở Y tế gửi kế hoạch về Ủy ban nhân dân tỉnh trong thời hạn 15 ngày kể từ ngày ký.\n"))
    by_section = {o["section"]: o for o in draft.obligations}
    inferred = by_section["I.1"]  # a day without a year, outside a recurring clause: the next 17/12, and said so
    assert inferred["due"]["type"] == "one_off" and inferred["due"]["at_latest_on"] == dt.date(2025, 12, 17)
    assert codes(inferred) & DATE_MARKS == {"year_inferred"}
    assert any("17/12/2025" in m.en and "17/12/2025" in m.vi for m in inferred["review"] if m.code == "year_inferred")
    assert codes(by_section["I.2"]) & DATE_MARKS == set()  # read plainly: no mark about its date
    assert by_section["I.3"]["due"]["cron"] == "0 0 20 11 *" and codes(by_section["I.3"]) & DATE_MARKS == {"day_without_year"}
    assert codes(by_section["I.4"]) & DATE_MARKS == {"on_request_assumed"} and len([o for o in draft.obligations if o["section"] == "I.4"]) == 1
    assert by_section["I.5"]["due"]["at_latest_on"] == dt.date(2025, 12, 5) and codes(by_section["I.5"]) & DATE_MARKS == set()


def test_deadlines_and_the_period_agree_so_the_draft_validates_once_reviewed(catalogue, tmp_path):
    """An assumed period reaches the last year a deadline names; a deadline a stated period cannot
    hold is not drafted and its duty says so: either way the draft validates once its marks go."""
    from plantrack.importer import write_draft

    from .test_import import strip_reviews

    assumed = draft_of(catalogue, tmp_path, "I. NHIỆM VỤ\n\n1. Sở Tài chính xây dựng đề án.\n\nThời gian thực hiện: Năm 2027.\n",
                       title="XÂY DỰNG ĐỀ ÁN", number="34")
    assert assumed.plan["period"]["end"] == dt.date(2027, 12, 31) and "period_assumed" in codes(assumed.plan)
    assert [o["due"]["written"] for o in assumed.obligations] == ["Năm 2027"]
    stated = draft_of(catalogue, tmp_path, "I. NHIỆM VỤ\n\n1. Sở Tài chính tổng kết.\n\nThời gian thực hiện: Năm 2031.\n",
                      title="PHÁT TRIỂN GIAI ĐOẠN 2026 - 2030", number="35")
    assert stated.plan["period"]["end"] == dt.date(2030, 12, 31) and stated.obligations == []
    [duty] = stated.duties
    assert [m.values["words"] for m in duty["review"] if m.code == "time_outside_period"] == ["Năm 2031"]
    for number, draft in (("34", assumed), ("35", stated)):
        written = write_draft(draft, tmp_path / f"{number}.txt", tmp_path / f"out-{number}")
        assert sum(strip_reviews(path) for path in written) == draft.reviews
        assert draft.plan["id"] in load_catalogue(ROOT / "plan_definitions", ROOT / "examples" / "2025", tmp_path / f"out-{number}").plans


def test_a_lead_ins_time_is_the_time_of_each_item_under_it(catalogue, tmp_path):
    """ "Đề nghị … thực hiện các nhiệm vụ sau trong 02 tháng cuối năm 2025 và những tháng đầu năm
    2026:" over 1. 2.: each item runs from 01/11/2025, its end left open; an item with a time of its
    own keeps it; the items of the next part take nothing."""
    draft = draft_of(catalogue, tmp_path, (
        "I. NHIỆM VỤ TRỌNG TÂM\n\n"
        "Đề nghị Sở Tài chính tập trung thực hiện các nhiệm vụ sau trong 02 tháng cuối năm 2025 và những tháng đầu năm 2026:\n\n"
        "1. Đẩy mạnh giải ngân vốn đầu tư công.\n\n"
        "2. Rà soát các dự án chậm tiến độ, hoàn thành trước ngày 15/12/2025.\n\n"
        "II. TỔ CHỨC THỰC HIỆN\n\n"
        "1. Sở Nội vụ theo dõi, đôn đốc việc thực hiện Kế hoạch.\n"))
    first, second, other = (next(d for d in draft.duties if d["section"] == s) for s in ("I.1", "I.2", "II.1"))
    assert first["timeframe"]["start"] == dt.date(2025, 11, 1) and "until" not in first["timeframe"]
    assert "timeframe" not in second and [d["before"] for d in dues_of(draft, "I.2")] == [dt.date(2025, 12, 15)]
    assert "timeframe" not in other and dues_of(draft, "II.1") == []


def test_a_time_label_that_follows_a_yearly_plan_is_a_running_duty(catalogue, tmp_path):
    """ "Thời gian thực hiện: Theo kế hoạch công tác tư pháp hằng năm": done every year as that plan
    sets, a running duty (not an unread time)."""
    draft = draft_of(catalogue, tmp_path, (
        "I. NHIỆM VỤ\n\n1. Tổ chức tập huấn kỹ năng xây dựng pháp luật cho cán bộ, công chức.\n\n"
        "Đơn vị chủ trì: Sở Tư pháp.\n\nThời gian thực hiện: Theo kế hoạch công tác tư pháp hàng năm.\n"))
    first = next(d for d in draft.duties if d["section"] == "I.1")
    assert first["timeframe"]["ongoing"] is True and dues_of(draft, "I.1") == []
    assert not any(m.code == "time_unread" for m in first.get("review", []))


def test_a_yearly_report_is_read_within_one_line_of_text(catalogue, tmp_path):
    """ "… hằng năm" ending one cell or line and "Báo cáo …" opening the next are not "hằng năm báo
    cáo"; written on one line they are."""
    from plantrack.importer.phrases import find_timings

    on = dt.date(2025, 11, 20)
    assert [t.phrase for t in find_timings("Rà soát danh mục công trình hằng năm\nBáo cáo Ban Chỉ huy tỉnh", on)] == []
    assert [t.due["type"] for t in find_timings("Rà soát danh mục công trình, hằng năm báo cáo Ban Chỉ huy tỉnh", on)] == ["unscheduled"]


def test_a_month_written_in_words_is_a_window_of_the_plan_language():
    """ "tháng 12 năm 2025", as a conclusion writes it, is the window "Tháng 12/2025"."""
    from plantrack.rules.within import parse_window

    assert parse_window("tháng 12 năm 2025") == parse_window("Tháng 12/2025") == (dt.date(2025, 12, 1), dt.date(2025, 12, 31))


def test_a_products_window_is_its_deadline_not_a_time_frame_too(catalogue, tmp_path):
    """ "Sản phẩm: …" with "Thời gian hoàn thành: Tháng 12/2025" or "Năm 2026-2027": the product is
    due within that window; the same window is not also drafted as the duty's running time."""
    draft = draft_of(catalogue, tmp_path, (
        "I. NHIỆM VỤ\n\n1. Xây dựng quy chế phối hợp quản lý dữ liệu dùng chung.\n\n"
        "Cơ quan chủ trì: Sở Khoa học và Công nghệ.\n\nSản phẩm: Quyết định ban hành quy chế.\n\n"
        "Thời gian hoàn thành: Tháng 12/2025.\n\n"
        "2. Xây dựng nền tảng tích hợp dữ liệu cấp tỉnh.\n\n"
        "Cơ quan chủ trì: Sở Khoa học và Công nghệ.\n\nSản phẩm: Nền tảng được vận hành.\n\n"
        "Thời gian thực hiện: Năm 2026-2027.\n"))
    first, second = (next(d for d in draft.duties if d["section"] == s) for s in ("I.1", "I.2"))
    assert [d["written"] for d in dues_of(draft, "I.1")] == ["Tháng 12/2025"] and "timeframe" not in first
    assert [d["written"] for d in dues_of(draft, "I.2")] == ["Giai đoạn 2026 - 2027"] and "timeframe" not in second


def test_a_time_that_waits_on_an_event_is_due_once_it_comes(catalogue, tmp_path):
    """ "Thời gian thực hiện: Sau khi có hướng dẫn của Bộ Tư pháp": the work waits on the event
    (a time frame until it) and is due after it, a day a person sets then (nothing guessed)."""
    draft = draft_of(catalogue, tmp_path, (
        "I. NHIỆM VỤ\n\n1. Ban hành quy chế phối hợp kiểm tra văn bản quy phạm pháp luật.\n\n"
        "Cơ quan chủ trì: Sở Tư pháp.\n\nThời gian thực hiện: Sau khi có hướng dẫn của Bộ Tư pháp.\n"))
    first = next(d for d in draft.duties if d["section"] == "I.1")
    assert first["timeframe"]["until_event"].startswith("Sau khi có hướng dẫn")
    [due] = dues_of(draft, "I.1")
    assert due["type"] == "after" and due["event"] == "có hướng dẫn của Bộ Tư pháp"
