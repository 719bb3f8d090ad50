"""plantrack import, marks that tell the truth: a mark only where the draft guessed, and each
guess marked, about what was guessed. A body missing from the registries is a mark about the
registry entry, not about who leads; a class read as the registry's entry kept for it is no guess;
a duty whose text names only bodies that support it says it has no lead; a day the text writes
"hằng năm" is not a guessed year. Each document is a minimal one written here in the shape of a
real plan."""

from __future__ import annotations

import pytest

from plantrack.importer import import_document
from plantrack.loader import load_catalogue

from .conftest import ROOT

PROVINCE = ("ỦY BAN NHÂN DÂN\nTỈNH NGHỆ AN\n-------\n\nCỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nĐộc lập - Tự do - Hạnh phúc\n\n"
            "Số: 77/KH-UBND\n\nNghệ An, ngày 20 tháng 11 năm 2025\n\nKẾ HOẠCH\n\nTRIỂN KHAI CÔNG TÁC PHÁP CHẾ NĂM 2026\n\n"
            "Ủy ban nhân dân tỉnh ban hành Kế hoạch như sau:\n\n")
GOVERNMENT = ("THỦ TƯỚNG CHÍNH PHỦ\n\nCỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\n\nSố: 19/QĐ-TTg\n\nHà Nội, ngày 01 tháng 12 năm 2025\n\n"
              "QUYẾT ĐỊNH\nBAN HÀNH CHƯƠNG TRÌNH CHUYỂN ĐỔI SỐ NĂM 2026\n\n")
FOOTER = "\n\nNơi nhận:\n- Như trên;\n- Lưu: VT.\n\nTM. ỦY BAN NHÂN DÂN\nCHỦ TỊCH\nNguyễn Văn A\n"


@pytest.fixture(scope="module")
def catalogue():
    return load_catalogue(ROOT / "plan_definitions", ROOT / "examples" / "2025")


def draft_of(catalogue, tmp_path, header: str, body: str):
    source = tmp_path / "plan.txt"
    source.write_text(header + body + FOOTER, encoding="utf-8")
    return import_document(source, catalogue)


def duty(draft, section: str) -> dict:
    return next(d for d in draft.duties if d["section"] == section)


def about_lead(m) -> bool:
    """What a person reads as a doubt about who leads (the accuracy script's own test)."""
    return m.code in {"no_lead", "lead_from_support", "office_guessed"} or "lead" in m.code or m.values.get("role") == "lead"


def test_a_body_missing_from_the_registries_is_a_mark_about_its_entry_not_about_who_leads(catalogue, tmp_path):
    """ "Ban Pháp chế Hội đồng nhân dân tỉnh chủ trì …": the text names the lead plainly; what a
    person must check is the draft entry made for it (fails on the base: the mark said role=lead)."""
    draft = draft_of(catalogue, tmp_path, PROVINCE, (
        "I. NHIỆM VỤ\n\n1. Ban Pháp chế Hội đồng nhân dân tỉnh chủ trì rà soát các nghị quyết về pháp chế.\n"))
    first = duty(draft, "I.1")
    [found] = [m for m in first["review"] if m.code == "unit_not_found"]
    assert first["lead"] == [found.values["unit"]] and found.values["unit"].startswith("draft.")
    assert not any(about_lead(m) for m in first["review"])
    assert found.vi.startswith("Đơn vị chủ trì “Ban Pháp chế Hội đồng nhân dân tỉnh” chưa có trong danh mục")
    assert "check the entry" in found.en
    assert any(m.code == "new_unit" for u in draft.new_units for m in u["review"])  # the entry says so too


def test_a_class_read_as_the_registrys_entry_kept_for_it_is_no_guess(catalogue, tmp_path):
    """ "Các bộ, ngành …" and the entry "Các bộ, ngành liên quan": read plainly, no mark; a body
    whose name only begins with the words is still a guess, and marked (fails on the base:
    unit_by_prefix on the class)."""
    draft = draft_of(catalogue, tmp_path, GOVERNMENT, (
        "II. NHIỆM VỤ\n\n1. Các bộ, ngành xây dựng kế hoạch chuyển đổi số của ngành mình.\n\n"
        "2. Bộ Khoa học và Công nghệ chủ trì xây dựng Khung kiến trúc số quốc gia.\n"))
    first = duty(draft, "II.1")
    assert first["lead"] == ["vn.related-ministries"]
    assert not any(m.code == "unit_by_prefix" for m in first.get("review", []))


def test_a_duty_whose_text_names_only_bodies_that_support_it_says_it_has_no_lead(catalogue, tmp_path):
    """ "Đơn vị phối hợp: Sở Tư pháp" and no "Đơn vị chủ trì": the draft does not invent a lead, and
    says who leads is not known (fails on the base: no mark about the lead)."""
    draft = draft_of(catalogue, tmp_path, PROVINCE, (
        "I. NHIỆM VỤ\n\n1. Ưu tiên chọn cán bộ có kinh nghiệm tham gia công tác pháp chế.\n\n"
        "Đơn vị phối hợp: Sở Tư pháp.\n\nThời gian thực hiện: Thường xuyên.\n"))
    first = duty(draft, "I.1")
    assert first.get("support") and not first.get("lead") and not first.get("lead_groups")
    [missing] = [m for m in first["review"] if m.code == "lead_missing"]
    assert about_lead(missing) and "ai chủ trì" in missing.vi and first["support"][0] in missing.en


def test_a_day_the_text_says_comes_every_year_is_not_a_guessed_year(catalogue, tmp_path):
    """ "định kỳ hằng năm … trước ngày 15 tháng 12": every year, as written, no mark; "định kỳ báo
    cáo … trước ngày 20/11" (no "hằng năm"): read as every year, and marked as read so (fails on
    the base: both marked day_without_year)."""
    draft = draft_of(catalogue, tmp_path, PROVINCE, (
        "I. NHIỆM VỤ\n\n1. Sở Tư pháp định kỳ hằng năm gửi báo cáo Ủy ban nhân dân tỉnh kết quả thực hiện trước ngày 15 tháng 12.\n\n"
        "2. Sở Nội vụ định kỳ báo cáo kết quả thực hiện trước ngày 20/11 về Ủy ban nhân dân tỉnh.\n"))
    first, second = ([o for o in draft.obligations if o["duty"] == duty(draft, s)["id"]] for s in ("I.1", "I.2"))
    assert [o["due"]["cron"] for o in first] == ["0 0 15 12 *"] and [o["due"]["cron"] for o in second] == ["0 0 20 11 *"]
    assert not any(m.code == "day_without_year" for m in first[0].get("review", []))
    assert any(m.code == "day_without_year" for m in second[0].get("review", []))


def test_a_deadline_of_a_duty_that_already_runs_on_is_not_marked_as_maybe_running(catalogue, tmp_path):
    """ "Hoàn thành trong năm 2026 và vận hành thường xuyên, liên tục": the deadline and the running
    time frame are both drafted, nothing to doubt; "tổng kết hằng năm, hoàn thành trong năm 2026"
    with no time frame may be a running duty, and says so (fails on the base: both marked)."""
    draft = draft_of(catalogue, tmp_path, PROVINCE, (
        "I. NHIỆM VỤ\n\n1. Sở Tư pháp xây dựng cơ sở dữ liệu văn bản pháp luật của tỉnh, hoàn thành trong năm 2026 "
        "và vận hành thường xuyên, liên tục.\n\n"
        "2. Sở Nội vụ tổ chức tổng kết công tác pháp chế hằng năm, hoàn thành trong năm 2026.\n"))
    first, second = (duty(draft, s) for s in ("I.1", "I.2"))
    assert first["timeframe"]["ongoing"] is True
    [built] = [o for o in draft.obligations if o["duty"] == first["id"]]
    [summed] = [o for o in draft.obligations if o["duty"] == second["id"]]
    assert built["due"]["written"] == summed["due"]["written"] == "Năm 2026"
    assert not any(m.code == "running_duty" for m in built.get("review", []))
    assert any(m.code == "running_duty" for m in summed["review"]) and "timeframe" not in second


def test_a_time_read_in_a_later_bullet_says_it_may_be_that_bullets_own(catalogue, tmp_path):
    """ "- Các sở … báo cáo trước ngày 20/11 hằng năm" then "- Sở Tư pháp tổng hợp … trước ngày
    30/11 hằng năm" in one duty: the first bullet's time is the duty's, the second's may be its own
    bullet's (another body's) and says so (fails on the base: no mark on either)."""
    draft = draft_of(catalogue, tmp_path, PROVINCE, (
        "II. NỘI DUNG\n\n1. Chế độ báo cáo\n\n"  # a part of contents: the dashes spell out one duty
        "- Các sở, ban, ngành báo cáo kết quả thực hiện về Sở Tư pháp trước ngày 20/11 hằng năm.\n\n"
        "- Sở Tư pháp tổng hợp, báo cáo Ủy ban nhân dân tỉnh trước ngày 30/11 hằng năm.\n"))
    first = duty(draft, "II.1")
    reports = {o["due"]["cron"]: o for o in draft.obligations if o["duty"] == first["id"]}
    assert set(reports) == {"0 0 20 11 *", "0 0 30 11 *"}
    assert not any(m.code == "time_in_bullet" for m in reports["0 0 20 11 *"].get("review", []))
    [later] = [m for m in reports["0 0 30 11 *"]["review"] if m.code == "time_in_bullet"]
    assert "gạch đầu dòng" in later.vi and "30/11" in later.en


def test_leads_taken_from_several_bullets_say_so(catalogue, tmp_path):
    """ "Công tác theo dõi, kiểm tra" over "- Sở Tư pháp là cơ quan thường trực …" and "- Các sở, ban,
    ngành …": no body leads the whole; the bodies the bullets open with are set as its leads, a guess
    that says so (fails on the base: no mark)."""
    draft = draft_of(catalogue, tmp_path, PROVINCE, (
        "II. NỘI DUNG\n\n1. Công tác theo dõi, kiểm tra\n\n"  # a part of contents: the dashes spell out one duty
        "- Sở Tư pháp là cơ quan thường trực, theo dõi, đôn đốc việc thực hiện Kế hoạch.\n\n"
        "- Sở Nội vụ kiểm tra việc bố trí công chức làm công tác pháp chế.\n"))
    first = duty(draft, "II.1")
    assert len(first["lead"]) == 2
    [guess] = [m for m in first["review"] if m.code == "lead_from_bullets"]
    assert about_lead(guess) and "Sở Nội vụ" in guess.vi


def test_a_new_lead_that_may_be_this_provinces_registered_body_says_so(catalogue, tmp_path):
    """ "Sở Khoa học, Kỹ thuật và Công nghệ chủ trì …" in a plan of Nghệ An: no registered name, but
    the province's Sở Khoa học và Công nghệ may be meant; the mark is about the lead (fails on the
    base: a mark about a new unit only)."""
    draft = draft_of(catalogue, tmp_path, PROVINCE, (
        "I. NHIỆM VỤ\n\n1. Sở Khoa học, Kỹ thuật và Công nghệ chủ trì xây dựng cơ sở dữ liệu pháp chế.\n"))
    first = duty(draft, "I.1")
    assert first["lead"][0].startswith("draft.")
    [maybe] = [m for m in first["review"] if m.code == "lead_maybe_registered"]
    assert about_lead(maybe) and maybe.values["name"] == "na.skhcn" and "na.skhcn" in maybe.vi
