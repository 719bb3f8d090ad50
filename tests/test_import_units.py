"""plantrack import: who leads and who supports, read from the shape of the document (issue 26).

Each test drafts a minimal document written here (not copied from a real one) with one pattern
that real plans and directives use: a body heading over its sub-items, "phối hợp với", label
blocks, long texts and capitals in titles, a directive's units of work, and the marks that say
which leads are guesses."""

from __future__ import annotations

import datetime as dt

import pytest

from plantrack.importer.header import sentence_case
from plantrack.importer.draft import strip_reviews, write_draft
from plantrack.importer.units import UnitIndex, subject
from plantrack.loader import load_catalogue

from .conftest import ROOT
from .documents import draft_of

HEAD = ("ỦY BAN NHÂN DÂN TỈNH NGHỆ AN\n\nCỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\n\nSố: {number}/KH-UBND\n\n"
        "Nghệ An, ngày 02 tháng 12 năm 2025\n\nKẾ HOẠCH\nPHÒNG CHỐNG DỊCH NĂM 2026\n\n")


@pytest.fixture(scope="module")
def catalogue():
    return load_catalogue(ROOT / "plan_definitions", ROOT / "examples" / "2025")


def duty(draft, section: str) -> dict:
    return next(d for d in draft.duties if d["section"] == section)


def test_a_body_heading_owns_its_sub_items_unless_one_names_its_own_lead(catalogue, tmp_path):
    draft = draft_of(tmp_path, HEAD.format(number=21) +
                     "III. TỔ CHỨC THỰC HIỆN\n\n1. Sở Y tế\n\n"
                     "a) Phối hợp với Sở Tài chính rà soát danh mục thuốc dự phòng.\n\n"
                     "b) Hướng dẫn các cơ sở khám bệnh tổ chức tiêm chủng.\n\n"
                     "c) Sở Tài chính chủ trì bố trí kinh phí mua vắc xin.\n\n"
                     "2. Bộ Chỉ huy Quân sự tỉnh theo dõi, đôn đốc, tổng hợp.\n\n"
                     "IV. Ban Quản lý Khu kinh tế tỉnh\n\n1. Kiểm tra vệ sinh tại các khu công nghiệp.\n", catalogue)
    assert duty(draft, "III.1.a")["lead"] == ["na.syt"] and duty(draft, "III.1.a")["support"] == ["na.stc"]
    assert duty(draft, "III.1.b")["lead"] == ["na.syt"]  # not the coordinating office
    assert duty(draft, "III.1.c")["lead"] == ["na.stc"]  # a sub-item naming its own lead
    assert not any(m.code == "no_lead" for d in draft.duties for m in d.get("review", []))
    assert duty(draft, "IV.1")["lead"][0].startswith("draft.ban-quan-ly")  # a part headed by a body is its work


def test_phoi_hop_voi_never_makes_a_lead_and_bodies_are_known_by_their_kind(catalogue, tmp_path):
    draft = draft_of(tmp_path, HEAD.format(number=22) +
                     "II. NHIỆM VỤ\n\n1. Phối hợp với Sở Y tế kiểm tra an toàn thực phẩm tại các chợ.\n\n"
                     "2. Công an tỉnh chủ trì bảo đảm an ninh trật tự tại các điểm tiêm chủng.\n\n"
                     "3. Sở Tài chính phối hợp với các cơ quan liên quan bố trí kinh phí.\n\n"
                     "4. Tuyên truyền tư tưởng của Chủ tịch Hồ Chí Minh về chăm sóc sức khỏe Nhân dân.\n\n"
                     "5. Văn phòng Chính phủ theo dõi kết quả trên hệ thống.\n", catalogue)
    first = duty(draft, "II.1")
    assert first.get("lead") != ["na.syt"] and first["support"] == ["na.syt"]
    police = duty(draft, "II.2")["lead"]
    assert police == ["na.ca"]  # "Công an tỉnh": the issuer's province's police, a body of the 2025 registry
    third = duty(draft, "II.3")
    assert "lead" not in third and third["support"] == ["na.stc"]  # a body that only "phối hợp" supports
    fourth = duty(draft, "II.4")
    assert "vn.province.ho-chi-minh" not in fourth.get("lead", []) + fourth.get("support", [])  # a person is no city
    assert "vn.government" not in duty(draft, "II.5")["lead"]  # the Government's office is not the Government
    index = UnitIndex(catalogue, "vn.province.ho-chi-minh")
    assert index.resolve("UBND Thành phố Hồ Chí Minh").units == ["vn.province.ho-chi-minh"]
    assert index.resolve("đồng chí Chủ tịch Hồ Chí Minh").units == []
    assert UnitIndex(catalogue, "vn.province.ha-noi").resolve("Công an Thành phố chủ trì").units == ["hn.ca"]  # the city's own


def test_label_blocks_belong_to_the_item_they_follow(catalogue, tmp_path):
    draft = draft_of(tmp_path, HEAD.format(number=23) +
                     "II. NHIỆM VỤ\n\n1. Xây dựng cơ sở dữ liệu dịch bệnh\n\n"
                     "1.1. Nhiệm vụ: Số hóa hồ sơ giám sát dịch tễ của các xã.\n\n"
                     "1.2. Cơ quan thực hiện: Sở Y tế chủ trì; Sở Tài chính phối hợp.\n\n"
                     "1.3. Thời gian thực hiện: Trước ngày 31/3/2026.\n\n"
                     "2. Tập huấn cho cán bộ y tế cơ sở\n\n"
                     "- Tổ chức tập huấn kỹ năng giám sát.\n\n- Cơ quan thực hiện: Sở Tài chính chủ trì.\n\n"
                     "- Thời gian thực hiện: Thường xuyên.\n\n"
                     "- Biên soạn tài liệu hướng dẫn.\n\nĐơn vị chủ trì: Sở Y tế.\n\nThời gian thực hiện: Quý II năm 2026.\n\n"
                     "III. TỔ CHỨC THỰC HIỆN\n\n1. Kiểm tra, giám sát\n\na) Nội dung: Kiểm tra việc tiêm chủng tại các xã.\n\n"
                     "b) Cơ quan thực hiện: Sở Tài chính.\n\nc) Thời hạn hoàn thành: Trước ngày 30/6/2026.\n", catalogue)
    first = duty(draft, "II.1")
    # "2. Tập huấn …" is a theme's title: each of its dashes is a task, with the labels that follow it
    assert [d["section"] for d in draft.duties] == ["II.1", "II.2.-1", "II.2.-4", "III.1"]
    lettered = duty(draft, "III.1")
    assert lettered["lead"] == ["na.stc"] and "Kiểm tra việc tiêm chủng" in lettered["text"]
    assert [o["due"]["before"] for o in draft.obligations if o["duty"] == lettered["id"]] == [dt.date(2026, 6, 30)]
    assert first["lead"] == ["na.syt"] and first["support"] == ["na.stc"] and "Số hóa hồ sơ" in first["text"]
    [due] = [o["due"] for o in draft.obligations if o["duty"] == first["id"]]
    assert due["before"] == dt.date(2026, 3, 31)  # once, on the item
    assert duty(draft, "II.2.-1")["lead"] == ["na.stc"] and duty(draft, "II.2.-1")["timeframe"]["ongoing"] is True
    assert duty(draft, "II.2.-4")["lead"] == ["na.syt"]


def test_a_long_text_cut_says_so_and_titles_keep_their_capitals(catalogue, tmp_path):
    long = "Rà soát, kiểm tra các cơ sở sản xuất, kinh doanh thực phẩm trên địa bàn; " * 40
    draft = draft_of(tmp_path, HEAD.format(number=24) + f"II. NHIỆM VỤ\n\n1. Sở Y tế chủ trì: {long}\n", catalogue)
    [only] = draft.duties
    assert len(only["text"]) <= 2000 and any(m.code == "text_cut" for m in only["review"])
    body = ["triển khai mạng 5G tại xã", "Đại hội lần thứ XIV của Đảng", "bầu cử khóa XVI", "HĐND tỉnh"]
    assert sentence_case("TRIỂN KHAI MẠNG 5G CHÀO MỪNG ĐẠI HỘI XIV VÀ BẦU CỬ KHÓA XVI CỦA HĐND", body) == \
        "Triển khai mạng 5G chào mừng Đại hội XIV và bầu cử khóa XVI của HĐND"


def test_a_directives_units_of_work_become_duties_with_their_leads_and_dates(catalogue, tmp_path):
    draft = draft_of(tmp_path,
                     "VĂN PHÒNG CHÍNH PHỦ\n\nCỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\n\nSố: 700/TB-VPCP\n\nHà Nội, ngày 03 tháng 12 năm 2025\n\n"
                     "THÔNG BÁO\nKẾT LUẬN CỦA THỦ TƯỚNG CHÍNH PHỦ TẠI CUỘC HỌP VỀ NHÀ Ở XÃ HỘI\n\n"
                     "I. ĐÁNH GIÁ CHUNG\n\n1. Các bộ, ngành đã tích cực triển khai.\n\n"
                     "II. VỀ CÁC KIẾN NGHỊ CỤ THỂ\n\n"
                     "1. Về vốn cho nhà ở xã hội: giao Bộ Tài chính chủ trì, phối hợp với Bộ Xây dựng đề xuất phương án, "
                     "báo cáo Thủ tướng Chính phủ trước ngày 20 tháng 12 năm 2025.\n\n"
                     "2. Bộ Xây dựng: rà soát các dự án chậm tiến độ, hoàn thành trong tháng 01 năm 2026.\n\n"
                     "3. Yêu cầu Bộ trưởng Bộ Công an chỉ đạo bảo đảm an ninh tại các công trình.\n\n"
                     "4. Nghiên cứu thêm về cơ chế thí điểm.\n", catalogue)
    sections = [d["section"] for d in draft.duties]
    assert sections == ["II.1", "II.2", "II.3"]  # the assessment is no work; a topic that gives no work to anyone is left out
    assert duty(draft, "II.1")["lead"] == ["vn.btc"] and duty(draft, "II.1")["support"] == ["vn.bxd"]
    assert duty(draft, "II.2")["lead"] == ["vn.bxd"] and duty(draft, "II.3")["lead"] == ["vn.bca"]
    due = {o["duty"]: o["due"] for o in draft.obligations}
    assert due[duty(draft, "II.1")["id"]]["before"] == dt.date(2025, 12, 20)
    assert due[duty(draft, "II.2")["id"]]["written"] == "Tháng 1/2026"


def test_a_telegrams_numbered_orders_go_to_the_bodies_their_heads_stand_for(catalogue, tmp_path):
    draft = draft_of(tmp_path,
                     "THỦ TƯỚNG CHÍNH PHỦ\n\nCỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\n\nSố: 251/CĐ-TTg\n\nHà Nội, ngày 05 tháng 12 năm 2025\n\n"
                     "CÔNG ĐIỆN\nVỀ VIỆC KHẮC PHỤC HẬU QUẢ MƯA LŨ\n\nTHỦ TƯỚNG CHÍNH PHỦ điện:\n\n- Bộ trưởng các Bộ: Quốc phòng, Xây dựng;\n\n"
                     "Thủ tướng Chính phủ yêu cầu:\n\n"
                     "1. Bộ trưởng Bộ Xây dựng chỉ đạo khôi phục giao thông, hoàn thành trước ngày 15 tháng 12 năm 2025.\n\n"
                     "2. Bộ Quốc phòng, Bộ Công an: bố trí lực lượng hỗ trợ người dân.\n\n"
                     "3. Giao Văn phòng Chính phủ theo dõi, đôn đốc việc thực hiện Công điện này.\n", catalogue)
    assert [d["lead"] for d in draft.duties[:2]] == [["vn.bxd"], ["vn.bqp", "vn.bca"]]
    [order] = draft.obligations
    assert order["units"] == ["vn.bxd"] and order["due"]["before"] == dt.date(2025, 12, 15)
    office = draft.plan["coordination"]["office"]
    assert office == duty(draft, "3")["lead"][0] and office != "vn.government"  # the Government's office, drafted as a unit


def test_a_letters_addressee_owns_its_numbered_tasks(catalogue, tmp_path):
    draft = draft_of(tmp_path,
                     "ỦY BAN NHÂN DÂN TỈNH NGHỆ AN\n\nCỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\n\nSố: 31/UBND-VX\n\n"
                     "Nghệ An, ngày 04 tháng 12 năm 2025\n\nV/v phòng chống dịch\n\nKính gửi:\n\n- Sở Y tế;\n\n"
                     "Ủy ban nhân dân tỉnh đề nghị:\n\n1. Tăng cường giám sát ca bệnh tại các xã.\n\n"
                     "2. Báo cáo kết quả trước ngày 15/12/2025.\n", catalogue)
    assert [d["lead"] for d in draft.duties] == [["na.syt"], ["na.syt"]]


def test_marks_tell_why_a_lead_is_a_guess_and_a_plain_lead_has_none(catalogue, tmp_path):
    draft = draft_of(tmp_path, HEAD.format(number=25) +
                     "II. NHIỆM VỤ\n\n1. Sở Y tế chủ trì kiểm tra các cơ sở.\n\n"
                     "2. Ủy ban nhân dân thành phố Hà Nội chủ trì chia sẻ kinh nghiệm.\n\n"
                     "3. Kiểm tra công tác phòng dịch tại các trường học.\n\n"
                     "4. Các cơ quan, đơn vị, địa phương chủ trì vận động Nhân dân.\n", catalogue)
    assert "review" not in duty(draft, "II.1")  # read plainly from the text: nothing to check
    assert [m.code for m in duty(draft, "II.2")["review"]] == ["lead_other_province"]
    assert [m.code for m in duty(draft, "II.3")["review"]] == ["no_lead"]
    marks = duty(draft, "II.4").get("review", [])
    assert any(m.code in ("lead_not_read", "class_without_group", "unit_by_prefix") for m in marks)  # named, but not read as a unit: said so


BAC_NINH = ("ỦY BAN NHÂN DÂN TỈNH BẮC NINH\n\nCỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\n\nSố: {number}/KH-UBND\n\n"
            "Bắc Ninh, ngày 02 tháng 12 năm 2025\n\nKẾ HOẠCH\nPHÁT TRIỂN THỂ THAO QUẦN CHÚNG NĂM 2026\n\n")


def test_support_is_read_in_every_sentence_and_in_the_bullets_of_a_body_heading(catalogue, tmp_path):
    draft = draft_of(tmp_path, HEAD.format(number=31) +
                     "III. TỔ CHỨC THỰC HIỆN\n\n"
                     "1. Sở Y tế chủ trì rà soát danh mục thuốc, với sự tham gia của Sở Tài chính.\n\n"
                     "2. Sở Tài chính chủ trì bố trí kinh phí, phối hợp với Sở Y tế lập dự toán; khi cần, phối hợp chặt chẽ "
                     "với Công an tỉnh bảo đảm an ninh.\n\n"
                     "3. Sở Công Thương\n\n- Kiểm tra thị trường thuốc.\n\n- Phối hợp với Sở Y tế xử lý vi phạm.\n", catalogue)
    assert duty(draft, "III.1")["lead"] == ["na.syt"] and duty(draft, "III.1")["support"] == ["na.stc"]
    second = duty(draft, "III.2")
    assert second["lead"] == ["na.stc"] and second["support"][0] == "na.syt" and len(second["support"]) == 2
    third = next(d for d in draft.duties if d["section"].startswith("III.3") and "Phối hợp" in d["text"])
    assert third["support"] == ["na.syt"]  # the bullet under "3. Sở Công Thương" names its support


def test_a_class_with_no_group_becomes_a_draft_group_of_the_issuers_province(catalogue, tmp_path):
    draft = draft_of(tmp_path, BAC_NINH.format(number=32) +
                     "III. TỔ CHỨC THỰC HIỆN\n\n1. Các sở, ban, ngành xây dựng kế hoạch hưởng ứng.\n\n"
                     "2. Các cơ quan báo chí tuyên truyền giải chạy, phối hợp với các sở, ban, ngành.\n\n"
                     "3. UBND các xã, phường tổ chức giải chạy.\n", catalogue)
    departments, press = "draft.vn-province-bac-ninh.department", "draft.vn-province-bac-ninh.press"
    assert duty(draft, "III.1")["lead_groups"] == [departments]
    assert duty(draft, "III.2")["lead_groups"] == [press] and duty(draft, "III.2")["support_groups"] == [departments]
    assert duty(draft, "III.3")["lead_groups"] == ["bn.communes"]  # the 2025 registry's group of the class is taken
    assert draft.new_groups[departments] == {"kinds": ["department"], "under": "vn.province.bac-ninh"}
    assert any(m.code == "new_group" for m in duty(draft, "III.1")["review"])
    written = write_draft(draft, tmp_path / "doc.txt", tmp_path / "out")
    for path in written:
        strip_reviews(path)
    loaded = load_catalogue(ROOT / "plan_definitions", ROOT / "examples" / "2025", tmp_path / "out")
    assert loaded.group_rules[departments].under == "vn.province.bac-ninh"  # the draft loads with its groups
    # A registered entry that stands for the class is taken where there is one ("Các sở, ban, ngành tỉnh Đồng Tháp").
    assert UnitIndex(catalogue, "vn.province.dong-thap").resolve("Sở, ban, ngành có liên quan").units == ["dt.so-nganh"]
    assert UnitIndex(catalogue, "vn.province.nghe-an").resolve("UBND các xã, phường").groups == ["na.communes"]
    # A class written without "các" ("Bộ, ngành có liên quan" in a table's cell) is that class.
    assert UnitIndex(catalogue, "vn.government").resolve("Bộ, ngành có liên quan").units == ["vn.related-ministries"]


def test_a_body_of_a_province_not_registered_is_one_draft_unit_in_every_duty(catalogue, tmp_path):
    draft = draft_of(tmp_path, BAC_NINH.format(number=33) +
                     "III. TỔ CHỨC THỰC HIỆN\n\n1. Sở Dân tộc và Tôn giáo chủ trì tổ chức giải chạy.\n\n"
                     "2. Sở Dân tộc và Tôn giáo tỉnh hướng dẫn các câu lạc bộ.\n\n"
                     "3. Giao Sở Dân tộc và Tôn giáo tỉnh Bắc Ninh tổng hợp kết quả.\n\n"
                     "4. SỞ DÂN TỘC, TÔN GIÁO\n\na) Báo cáo kết quả.\n", catalogue)
    leads = [duty(draft, f"III.{n}")["lead"] for n in (1, 2, 3, "4.a")]
    assert leads[0] == leads[1] == leads[2] == leads[3] and leads[0][0].startswith("draft.")
    made = [u for u in draft.new_units if u["id"] == leads[0][0]]
    assert len(made) == 1 and made[0]["name"] == "Sở Dân tộc và Tôn giáo tỉnh Bắc Ninh"


def test_a_body_heading_in_capitals_owns_its_items_and_ban_hanh_is_no_body(catalogue, tmp_path):
    draft = draft_of(tmp_path, HEAD.format(number=34) +
                     "III. TỔ CHỨC THỰC HIỆN\n\n1. SỞ Y TẾ\n\na) Hướng dẫn các cơ sở khám bệnh tổ chức tiêm chủng.\n\n"
                     "b) Kiểm tra, giám sát việc bảo quản vắc xin.\n\n2. CÔNG AN TỈNH\n\na) Bảo đảm an ninh tại các điểm tiêm.\n\n"
                     "3. BAN QUẢN LÝ KHU KINH TẾ TỈNH\n\na) Kiểm tra vệ sinh tại các khu công nghiệp.\n", catalogue)
    assert duty(draft, "III.1.a")["lead"] == ["na.syt"] and duty(draft, "III.1.b")["lead"] == ["na.syt"]
    assert duty(draft, "III.2.a")["lead"] == ["na.ca"]
    assert duty(draft, "III.3.a")["lead"][0].startswith("draft.ban-quan-ly")  # a body not registered: drafted from the heading
    assert subject("BAN HÀNH KẾ HOẠCH TRIỂN KHAI CHƯƠNG TRÌNH") == "" and subject("BÁO CÁO KẾT QUẢ") == ""
    assert subject("UBND CÁC XÃ, PHƯỜNG") == "UBND CÁC XÃ, PHƯỜNG"  # as written; resolved case-blind


def test_a_support_cell_naming_bodies_by_their_kind_alone_is_read_as_support(catalogue, tmp_path):
    cells = ["PHỤ LỤC", "NHIỆM VỤ VÀ GIẢI PHÁP", "STT", "NHIỆM VỤ", "CHỦ TRÌ", "PHỐI HỢP", "THỜI GIAN",
             "1", "Xây dựng chương trình hỗ trợ đổi mới công nghệ cho hợp tác xã.", "Sở Khoa học và Công nghệ",
             "Viện, Trường; Doanh nghiệp; Sở, ban, ngành có liên quan", "2026",
             "2", "Hướng dẫn nông dân truy xuất nguồn gốc sản phẩm.", "Sở Công Thương", "Viện, Trường; Sở, ban, ngành liên quan",
             "Thường xuyên"]
    head = HEAD.replace("NGHỆ AN", "ĐỒNG THÁP").replace("Nghệ An", "Đồng Tháp")
    draft = draft_of(tmp_path, head.format(number=35) + "II. NHIỆM VỤ\n\n1. Sở Tài chính chủ trì bố trí kinh phí.\n\n"
                     + "\n\n".join(cells) + "\n", catalogue)
    first, second = (d for d in draft.duties if d["section"].startswith("PL"))
    assert first["lead"] == ["dt.skhcn"] and "Viện" not in first["text"]  # the cell is no part of the task
    assert first["support"] == ["dt.so-nganh"]  # the registered entry for "các sở, ban, ngành"
    assert first["support_groups"] == ["draft.vn-province-dong-thap.enterprise"]  # "Doanh nghiệp": a class, drafted as a group
    assert second["lead"] == ["dt.sct"] and second["support"] == ["dt.so-nganh"]
    index = UnitIndex(catalogue, "vn.province.dong-thap")
    assert index.resolve("Hiệp hội Doanh nghiệp tỉnh").units == ["dt.hiep-hoi-dn"]  # a body's name is not the class
    assert index.resolve("Hiệp hội Doanh nghiệp tỉnh").classes == []


def test_a_central_body_is_known_without_uy_ban_trung_uong_in_a_national_plan_only(catalogue):
    national = UnitIndex(catalogue, "vn.government")
    assert national.resolve("Mặt trận Tổ quốc Việt Nam và các tổ chức thành viên").units == ["vn.mttq"]
    # A province's plan means the province's own committee of the Front, never the central one.
    assert "vn.mttq" not in UnitIndex(catalogue, "vn.province.nghe-an").resolve("Ủy ban Mặt trận Tổ quốc Việt Nam tỉnh").units


def test_a_registered_name_written_without_va_or_its_commas_is_that_unit(catalogue):
    index = UnitIndex(catalogue, "vn.province.dong-thap")
    assert index.resolve("Sở Văn hóa, Thể thao, Du lịch").units == ["dt.svhttdl"]
    assert index.resolve("Sở Khoa học, Công nghệ tỉnh").units == ["dt.skhcn"]
    assert UnitIndex(catalogue, "vn.province.bac-ninh").resolve("Sở Văn hóa, Thể thao, Du lịch").units == ["bn.svhttdl"]  # not another province's
    assert UnitIndex(catalogue, "vn.province.bac-ninh").resolve("Sở Dân tộc, Tôn giáo").units == []  # registered in no province


def test_a_kinds_list_after_other_bodies_names_its_bodies_too(catalogue):
    text = "Ban Quản lý Khu kinh tế tỉnh và các Sở: Tài chính, Y tế chủ trì kiểm tra."
    assert subject(text) == "Ban Quản lý Khu kinh tế tỉnh và các Sở: Tài chính, Y tế"
    found = UnitIndex(catalogue, "vn.province.nghe-an").resolve(subject(text))
    assert found.units == ["na.stc", "na.syt"] and [w for w, _ in found.unresolved] == ["Ban Quản lý Khu kinh tế tỉnh"]
    found = UnitIndex(catalogue, "vn.province.nghe-an").resolve(subject("Công an tỉnh và các Sở: Tài chính, Y tế chủ trì kiểm tra."))
    assert found.units == ["na.ca", "na.stc", "na.syt"]
    assert subject("Sở Y tế: hướng dẫn các cơ sở khám bệnh.") == "Sở Y tế"  # a body and its work after the colon
