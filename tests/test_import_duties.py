"""Which items of a plan become duties, and their sections (``importer.structure``): the unit
of work at the lowest level where the text assigns it, named by the document's numbering path.
Each document is a minimal plan written here in the shape of Decree 30/2020, not one of the corpus."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from plantrack.loader import load_catalogue

from .documents import draft_of

ROOT = Path(__file__).resolve().parent.parent

HEAD = ("ỦY BAN NHÂN DÂN TỈNH NGHỆ AN\n\nCỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\n\nSố: {number}/KH-UBND\n\n"
        "Nghệ An, ngày 02 tháng 12 năm 2025\n\nKẾ HOẠCH\nPHÁT TRIỂN KHOA HỌC, CÔNG NGHỆ GIAI ĐOẠN 2026 - 2030\n\n"
        "I. MỤC ĐÍCH, YÊU CẦU\n\n1. Mục đích\n\nNâng cao năng lực đổi mới công nghệ của doanh nghiệp.\n\n")


@pytest.fixture(scope="module")
def catalogue():
    return load_catalogue(ROOT / "plan_definitions", ROOT / "examples" / "2025")


def sections(draft) -> list[str]:
    return [d["section"] for d in draft.duties]


def duty(draft, section: str) -> dict:
    return next(d for d in draft.duties if d["section"] == section)


def test_each_dash_under_a_body_heading_is_a_duty_of_that_body(catalogue, tmp_path):
    draft = draft_of(tmp_path, HEAD.format(number=31) +
                     "II. TỔ CHỨC THỰC HIỆN\n\n1. Sở Khoa học và Công nghệ:\n\n"
                     "- Chủ trì, theo dõi, đôn đốc các sở, ngành triển khai Kế hoạch.\n\n"
                     "- Phối hợp với Sở Tài chính xây dựng cơ chế hỗ trợ doanh nghiệp đổi mới công nghệ.\n\n"
                     "- Định kỳ hằng năm, báo cáo Ủy ban nhân dân tỉnh kết quả thực hiện.\n\n"
                     "2. Sở Tài chính: bố trí kinh phí thực hiện Kế hoạch theo phân cấp ngân sách.\n\n"
                     "3. Các sở, ban, ngành: căn cứ chức năng, nhiệm vụ, phối hợp với Sở Y tế và các doanh nghiệp: Công\n\n"
                     "- Nghệ Tĩnh, Bắc Trung Bộ triển khai Kế hoạch.\n", catalogue)
    # The heading names the body; its dashes carry the work: each a duty, numbered by its dash, led by the body.
    assert sections(draft)[:4] == ["II.1.-1", "II.1.-2", "II.1.-3", "II.2"]
    assert all(duty(draft, f"II.1.-{n}")["lead"] == ["na.skhcn"] for n in (1, 2, 3))
    assert duty(draft, "II.1.-2")["text"].startswith("Phối hợp với Sở Tài chính")
    assert duty(draft, "II.1.-2")["support"] == ["na.stc"]
    # A heading that runs on into a hard-wrapped line beginning with a dash is not a heading of dashes.
    assert sections(draft)[4:] == ["II.3"] and "Bắc Trung Bộ" in duty(draft, "II.3")["text"]


def test_each_dash_under_a_themes_title_is_a_duty_but_not_in_a_part_of_contents(catalogue, tmp_path):
    draft = draft_of(tmp_path, HEAD.format(number=32) +
                     "II. NHIỆM VỤ, GIẢI PHÁP\n\n1. Nâng cao năng lực đội ngũ cán bộ làm công tác khoa học\n\n"
                     "- Tổ chức tập huấn, bồi dưỡng kỹ năng quản lý nhiệm vụ khoa học.\n\n"
                     "- Thu hút chuyên gia, nhà khoa học tham gia tư vấn.\n\n"
                     "2. Sở Khoa học và Công nghệ chủ trì rà soát quy trình quản lý nhiệm vụ khoa học.\n\n"
                     "III. NỘI DUNG TRUYỀN THÔNG\n\n1. Hình thức truyền thông\n\n"
                     "- In ấn, phát hành tờ rơi về chính sách hỗ trợ.\n\n- Xây dựng chuyên mục trên báo, đài.\n", catalogue)
    assert sections(draft) == ["II.1.-1", "II.1.-2", "II.2", "III.1"]
    assert duty(draft, "II.1.-1")["text"] == "Tổ chức tập huấn, bồi dưỡng kỹ năng quản lý nhiệm vụ khoa học."
    # In a part of contents, a theme's dashes spell out one activity.
    assert "Xây dựng chuyên mục" in duty(draft, "III.1")["text"]


def test_a_heading_whose_sub_items_carry_the_work_is_not_a_duty(catalogue, tmp_path):
    draft = draft_of(tmp_path, HEAD.format(number=33) +
                     "II. NHIỆM VỤ, GIẢI PHÁP\n\n1. Hoàn thiện cơ chế, chính sách\n\n"
                     "a) Rà soát các chính sách hỗ trợ doanh nghiệp đổi mới công nghệ.\n\n"
                     "b) Xây dựng cơ chế đặt hàng nhiệm vụ khoa học.\n\n"
                     "2. Sở Y tế\n\na) Ứng dụng công nghệ số trong khám, chữa bệnh.\n\n"
                     "3. Tổ chức hội nghị sơ kết việc thực hiện Kế hoạch vào năm 2028.\n", catalogue)
    assert sections(draft) == ["II.1.a", "II.1.b", "II.2.a", "II.3"]
    assert duty(draft, "II.2.a")["lead"] == ["na.syt"]


def test_a_roadmaps_phases_are_no_duties_unless_they_give_work_to_a_body(catalogue, tmp_path):
    draft = draft_of(tmp_path, HEAD.format(number=34) +
                     "II. LỘ TRÌNH THỰC HIỆN\n\n1. Giai đoạn 2026 - 2027\n\n"
                     "- Hoàn thiện cơ chế, chính sách hỗ trợ đổi mới công nghệ.\n\n"
                     "- Hình thành mạng lưới tư vấn chuyển giao công nghệ.\n\n"
                     "2. Giai đoạn 2028 - 2030: Sở Khoa học và Công nghệ chủ trì tổng kết, đánh giá kết quả.\n\n"
                     "III. TỔ CHỨC THỰC HIỆN\n\n1. Sở Tài chính bố trí kinh phí thực hiện Kế hoạch.\n", catalogue)
    assert sections(draft) == ["II.2", "III.1"]
    assert duty(draft, "II.2")["lead"] == ["na.skhcn"]


def test_a_task_table_holds_the_tasks_the_body_only_describes(catalogue, tmp_path):
    rows = "".join(f"| {n} | {task} | Sở Khoa học và Công nghệ | Sở Tài chính | Năm 2027 |\n" for n, task in (
        (1, "Xây dựng cơ sở dữ liệu chuyên gia khoa học"), (2, "Hỗ trợ doanh nghiệp đổi mới công nghệ"),
        (3, "Tổ chức sàn giao dịch công nghệ")))
    draft = draft_of(tmp_path, HEAD.format(number=35) +
                     "II. NHIỆM VỤ, GIẢI PHÁP\n\n1. Xây dựng cơ sở dữ liệu chuyên gia khoa học.\n\n"
                     "2. Hỗ trợ doanh nghiệp đổi mới công nghệ.\n\n"
                     "3. Sở Y tế chủ trì ứng dụng công nghệ số trong khám, chữa bệnh.\n\n"
                     "(Chi tiết tại Phụ lục kèm theo)\n\n"
                     "III. TỔ CHỨC THỰC HIỆN\n\n1. Các sở, ban, ngành triển khai các nhiệm vụ được giao.\n\n"
                     "IV. THEO DÕI, KIỂM TRA VÀ CHẾ ĐỘ BÁO CÁO\n\n1. Tăng cường giám sát, đánh giá độc lập việc thực hiện Kế hoạch.\n\n"
                     "PHỤ LỤC\n\nDANH MỤC NHIỆM VỤ\n\n"
                     "| TT | Nội dung nhiệm vụ | Cơ quan chủ trì | Cơ quan phối hợp | Thời gian thực hiện |\n" + rows, catalogue)
    body = [s for s in sections(draft) if not s.startswith("PL")]
    assert body == ["II.3", "III.1", "IV.1"]  # the body's own words of the table's rows 1 and 2 are no second duty;
    # the parts that organise the work and its follow-up keep theirs
    assert len([s for s in sections(draft) if s.startswith("PL")]) == 3


def test_a_campaigns_item_with_a_day_to_send_by_is_a_duty_with_its_date(catalogue, tmp_path):
    draft = draft_of(tmp_path, HEAD.format(number=36) +
                     "II. HÌNH THỨC, THỜI GIAN KHEN THƯỞNG\n\n1. Hình thức khen thưởng: Bằng khen của Chủ tịch UBND tỉnh.\n\n"
                     "2. Thời gian trình khen thưởng: Hồ sơ đề nghị khen thưởng gửi về Sở Nội vụ trước ngày 31/3/2026 "
                     "để tổng hợp, thẩm định.\n", catalogue)
    assert sections(draft) == ["II.2"]
    [due] = [o["due"] for o in draft.obligations if o["duty"] == draft.duties[0]["id"]]
    assert due["before"] == dt.date(2026, 3, 31)


def test_sections_follow_the_numbering_path_down_to_the_letter(catalogue, tmp_path):
    draft = draft_of(tmp_path, HEAD.format(number=37) +
                     "II. NHIỆM VỤ, GIẢI PHÁP\n\n2. Phát triển hạ tầng khoa học\n\n2.3. Phòng thí nghiệm\n\n"
                     "a) Sở Khoa học và Công nghệ chủ trì đầu tư nâng cấp phòng thí nghiệm trọng điểm.\n\n"
                     "b) Sở Tài chính bố trí kinh phí mua sắm thiết bị.\n", catalogue)
    assert sections(draft) == ["II.2.3.a", "II.2.3.b"]


def test_a_themes_labels_after_its_dashes_belong_to_each_dash(catalogue, tmp_path):
    draft = draft_of(tmp_path, HEAD.format(number=38) +
                     "II. NHIỆM VỤ, GIẢI PHÁP\n\n1. Nâng cao năng lực đội ngũ làm công tác khoa học\n\n"
                     "- Tổ chức tập huấn kỹ năng quản lý nhiệm vụ khoa học.\n\n"
                     "- Thu hút chuyên gia tham gia hội đồng tư vấn.\n\n"
                     "Đơn vị chủ trì thực hiện: Sở Khoa học và Công nghệ.\n\nĐơn vị phối hợp: Sở Tài chính.\n\n"
                     "Thời gian thực hiện: Thường xuyên.\n", catalogue)
    assert sections(draft) == ["II.1.-1", "II.1.-2"]
    for section in ("II.1.-1", "II.1.-2"):
        assert duty(draft, section)["lead"] == ["na.skhcn"] and duty(draft, section)["support"] == ["na.stc"]
        assert duty(draft, section)["timeframe"]["ongoing"] is True


def test_each_bodys_work_in_one_item_is_a_duty_and_a_decisions_closing_articles_none(catalogue, tmp_path):
    draft = draft_of(tmp_path,
                     "THỦ TƯỚNG CHÍNH PHỦ\n\nCỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\n\nSố: 900/QĐ-TTg\n\n"
                     "Hà Nội, ngày 03 tháng 12 năm 2025\n\nQUYẾT ĐỊNH\nPHÊ DUYỆT CHƯƠNG TRÌNH PHÁT TRIỂN DỮ LIỆU SỐ\n\n"
                     "Điều 1. Phê duyệt Chương trình phát triển dữ liệu số với các nội dung sau:\n\n"
                     "I. TỔ CHỨC THỰC HIỆN\n\n"
                     "1. Các bộ, ngành, địa phương gửi báo cáo Bộ Khoa học và Công nghệ tình hình thực hiện trước ngày "
                     "15 tháng 12 hằng năm. Bộ Khoa học và Công nghệ tổng hợp, báo cáo Thủ tướng Chính phủ trước ngày 30 tháng 6 "
                     "năm 2026.\n\n"
                     "2. Về hạ tầng dữ liệu: đề nghị Bộ Công an xây dựng trung tâm dữ liệu, hoàn thành trong năm 2026; "
                     "Bộ Tài chính bố trí kinh phí thực hiện.\n\n"
                     "3. Bộ Công an chủ trì bảo đảm an ninh dữ liệu. Bộ Quốc phòng phối hợp thực hiện.\n\n"
                     "Điều 2. Quyết định này có hiệu lực kể từ ngày ký.\n\n"
                     "Điều 3. Các Bộ trưởng, Chủ tịch Ủy ban nhân dân các tỉnh chịu trách nhiệm thi hành Quyết định này.\n", catalogue)
    assert sections(draft) == ["I.1", "I.1", "I.2", "I.2", "I.3"]  # a body that only "phối hợp" gives no duty of its own
    first, second, third, fourth, _ = draft.duties
    assert first["text"].startswith("Các bộ, ngành, địa phương gửi báo cáo") and "tổng hợp" not in first["text"]
    assert second["text"].startswith("Bộ Khoa học và Công nghệ tổng hợp") and "Điều 2" not in second["text"]
    assert second["lead"] == ["vn.bkhcn"]
    assert third["text"].endswith("hoàn thành trong năm 2026;") and fourth["text"].startswith("Bộ Tài chính bố trí")
    assert [o["due"]["cron"] if o["due"]["type"] == "recurring" else o["due"]["at_latest_on"] if "at_latest_on" in o["due"]
            else o["due"].get("before") for o in draft.obligations if o["duty"] == second["id"]] == [dt.date(2026, 6, 30)]


def test_a_parts_lead_in_that_ends_with_a_colon_is_no_duty(catalogue, tmp_path):
    draft = draft_of(tmp_path, HEAD.format(number=39) +
                     "II. NHIỆM VỤ TRỌNG TÂM\n\nĐề nghị Thường trực Tỉnh ủy tập trung lãnh đạo, chỉ đạo thực hiện các nhiệm vụ "
                     "trong những tháng cuối năm; trong đó lưu ý một số nội dung trọng tâm sau:\n\n"
                     "1. Đẩy mạnh giải ngân vốn đầu tư công.\n\n2. Bảo đảm an sinh xã hội dịp Tết.\n", catalogue)
    assert sections(draft) == ["II.1", "II.2"]


def test_a_body_heading_that_names_its_role_and_supports_gives_them_to_each_dash(catalogue, tmp_path):
    draft = draft_of(tmp_path, HEAD.format(number=40) +
                     "II. TỔ CHỨC THỰC HIỆN\n\n1. Sở Y tế chủ trì, phối hợp với Sở Tài chính:\n\n"
                     "- Xây dựng phương án bảo đảm thuốc, vật tư khi có dịch.\n\n"
                     "- Tổ chức tập huấn cho cán bộ y tế cơ sở.\n", catalogue)
    assert sections(draft) == ["II.1.-1", "II.1.-2"]
    for section in ("II.1.-1", "II.1.-2"):
        assert duty(draft, section)["lead"] == ["na.syt"] and duty(draft, section)["support"] == ["na.stc"]


def test_the_closing_formula_about_difficulties_is_no_duty(catalogue, tmp_path):
    draft = draft_of(tmp_path, HEAD.format(number=41) +
                     "II. TỔ CHỨC THỰC HIỆN\n\n1. Sở Y tế chủ trì triển khai Kế hoạch.\n\n"
                     "2. Trong quá trình triển khai thực hiện, nếu có khó khăn, vướng mắc, các cơ quan, đơn vị kịp thời "
                     "phản ánh về Sở Y tế để tổng hợp, báo cáo Ủy ban nhân dân tỉnh xem xét.\n", catalogue)
    assert sections(draft) == ["II.1"]
