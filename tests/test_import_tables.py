"""A plan's tables told apart by their header row: only task tables give duties. A budget table,
a table of coordinates and one of figures never do; a target table gives indicators; a task
table written as `|` rows is read; the columns after the time (Sản phẩm, Kinh phí, Ghi chú) are
never sub-tasks; the unit columns (Cơ quan chủ trì, Đơn vị thực hiện, Cơ quan phối hợp) give
lead and support; a target table's rows become targets where the plan has a report to carry
them. Each document is a minimal one written here, in the shape of a provincial plan."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from plantrack.importer.draft import draft_plan, write_draft
from plantrack.importer.reading import Document, Paragraph, Table, paragraphs_of_lines
from plantrack.loader import load_catalogue

from .conftest import ROOT
from .test_import import strip_reviews

DEFINITIONS = (ROOT / "plan_definitions", ROOT / "examples" / "2025")
HEAD = """ỦY BAN NHÂN DÂN
TỈNH NGHỆ AN

CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM
Độc lập - Tự do - Hạnh phúc

Số: 41/KH-UBND

Nghệ An, ngày 05 tháng 12 năm 2025

KẾ HOẠCH
Chuyển đổi số trên địa bàn tỉnh năm 2026

I. MỤC ĐÍCH, YÊU CẦU

Nâng cao chất lượng phục vụ người dân và doanh nghiệp.

II. NHIỆM VỤ

1. Sở Khoa học và Công nghệ chủ trì tổng hợp, báo cáo kết quả trước ngày 15/12/2026.
"""


@pytest.fixture(scope="module")
def catalogue():
    return load_catalogue(*DEFINITIONS)


def text_draft(body: str, catalogue, cells: bool = True, head: str = HEAD):
    """The draft of the plan with ``body`` after its head; ``cells``: a table flattened one cell
    a paragraph (blank lines between), as a PDF's or a web page's text gives it."""
    if cells:
        body = "\n\n".join(line for line in body.splitlines() if line.strip())
    lines = (head + "\n" + body).splitlines()
    return draft_plan(Document(Path("ke-hoach.txt"), "text", paragraphs_of_lines(lines)), catalogue)


def docx_draft(rows: list[list[str]], catalogue, before: str = "PHỤ LỤC I"):
    blocks = [*paragraphs_of_lines(HEAD.splitlines()), Paragraph(before, 40), Table(rows, 41)]
    return draft_plan(Document(Path("ke-hoach.docx"), "docx", blocks, where="paragraph"), catalogue)


def codes(draft) -> list[str]:
    return [m.code for m in draft.plan.get("review", [])]


def validates_once_reviewed(draft, tmp_path) -> None:
    folder = tmp_path / "draft"
    write_draft(draft, Path("ke-hoach.txt"), folder)
    for path in folder.iterdir():
        strip_reviews(path)
    load_catalogue(*DEFINITIONS, folder)


BUDGET = """
III. KINH PHÍ THỰC HIỆN

TT
Nội dung
Đơn vị chủ trì
Kinh phí (triệu đồng)
Năm 2026
Năm 2027
1
Nâng cấp trung tâm dữ liệu của tỉnh
Sở Khoa học và Công nghệ
12.500
6.000
6.500
2
Mua sắm thiết bị cho bộ phận một cửa
Sở Tài chính
3.200
3.200
0
"""


def test_a_budget_table_gives_no_duty_and_says_so(catalogue, tmp_path):
    draft = text_draft(BUDGET, catalogue)
    assert [d["section"] for d in draft.duties] == ["II.1"]  # the budget's rows are no duties
    assert not any(o for o in draft.obligations if "2027" in str(o.get("due")))
    [skipped] = [m for m in draft.plan["review"] if m.code == "table_skipped"]
    assert "bảng kinh phí" in skipped.vi and "Kinh phí (triệu đồng)" in skipped.vi
    validates_once_reviewed(draft, tmp_path)


def test_a_budget_table_of_a_docx_gives_no_duty(catalogue):
    rows = [["TT", "Nội dung", "Đơn vị chủ trì", "Kinh phí (triệu đồng)", "Nguồn vốn"],
            ["1", "Nâng cấp trung tâm dữ liệu của tỉnh", "Sở Khoa học và Công nghệ", "12.500", "Ngân sách tỉnh"]]
    draft = docx_draft(rows, catalogue)
    assert [d["section"] for d in draft.duties] == ["II.1"] and "table_skipped" in codes(draft)


COORDINATES = """
PHỤ LỤC II
VỊ TRÍ CÁC ĐIỂM QUAN TRẮC

STT
Tên điểm
Tọa độ X (VN-2000)
Tọa độ Y (VN-2000)
1
Điểm quan trắc nước mặt sông Lam
2075432
0584321
2
Điểm quan trắc không khí khu công nghiệp
2071120
0590012
"""


def test_a_table_of_coordinates_gives_no_duty_and_says_so(catalogue, tmp_path):
    draft = text_draft(COORDINATES, catalogue)
    assert [d["section"] for d in draft.duties] == ["II.1"]
    [skipped] = [m for m in draft.plan["review"] if m.code == "table_skipped"]
    assert "bảng tọa độ" in skipped.vi
    validates_once_reviewed(draft, tmp_path)


TARGETS = """
PHỤ LỤC I
CHỈ TIÊU CHUYỂN ĐỔI SỐ NĂM 2026

TT
Chỉ tiêu
Đơn vị tính
Năm 2025
Năm 2026
1
Tỷ lệ hồ sơ thủ tục hành chính được xử lý trực tuyến toàn trình
%
60
80
2
Số doanh nghiệp công nghệ số được thành lập mới
doanh nghiệp
120
150
"""


def test_a_target_table_gives_indicators_and_targets_reported_through_the_plans_report(catalogue, tmp_path):
    draft = text_draft(TARGETS, catalogue)
    assert [d["section"] for d in draft.duties] == ["II.1"]
    assert [(i["name"], i.get("unit_of_measure"), i["kind"]) for i in draft.indicators] == [
        ("Tỷ lệ hồ sơ thủ tục hành chính được xử lý trực tuyến toàn trình", "%", "percentage"),
        ("Số doanh nghiệp công nghệ số được thành lập mới", "doanh nghiệp", "count")]
    [report] = draft.obligations  # II.1: "báo cáo kết quả trước ngày 15/12/2026" carries both
    assert report["indicators"] == [i["id"] for i in draft.indicators]
    first = draft.targets[0]
    assert (first["indicator"], first["value"], first["by"], first["obligation"], first["units"]) == (
        draft.indicators[0]["id"], 80, dt.date(2026, 12, 31), report["id"], ["vn.province.nghe-an"])
    assert first["baseline"] == {"value": 60, "on": dt.date(2025, 12, 31), "written": "Năm 2025: 60"}
    [mark] = first["review"]
    assert mark.code == "target_guessed" and "Năm 2026: 80" in mark.vi and "suy đoán" in mark.vi
    assert draft.summary()["targets"] == 2 and not any("review" in i for i in draft.indicators)
    validates_once_reviewed(draft, tmp_path)


def test_without_a_report_to_carry_them_the_targets_stay_a_mark_on_their_indicators(catalogue, tmp_path):
    draft = text_draft(TARGETS, catalogue, head=HEAD.replace(", báo cáo kết quả trước ngày 15/12/2026", " triển khai thực hiện"))
    assert not draft.targets and not draft.obligations and len(draft.indicators) == 2
    [mark] = draft.indicators[0]["review"]
    assert mark.code == "indicator_from_table" and "Năm 2026: 80" in mark.vi and "targets:" in mark.vi
    validates_once_reviewed(draft, tmp_path)


TASKS_WITH_PRODUCTS = """
PHỤ LỤC I
DANH MỤC NHIỆM VỤ

TT
Nội dung nhiệm vụ
Cơ quan chủ trì
Cơ quan phối hợp
Thời gian hoàn thành
Sản phẩm
Kinh phí
1
Rà soát, chuẩn hóa cơ sở dữ liệu dân cư phục vụ chuyển đổi số
Sở Khoa học và Công nghệ
Sở Tài chính
Quý I/2026
Báo cáo tháng 6/2026
Năm 2026: 500 triệu đồng
2
Xây dựng kho dữ liệu dùng chung của tỉnh
Sở Tài chính
Sở Khoa học và Công nghệ
Quý III/2026
Kho dữ liệu được đưa vào vận hành
Ngân sách tỉnh
"""


def test_the_columns_after_the_time_are_no_sub_tasks(catalogue, tmp_path):
    draft = text_draft(TASKS_WITH_PRODUCTS, catalogue)
    table = [d for d in draft.duties if d["section"].startswith("PL")]
    assert [d["section"] for d in table] == ["PL I.1", "PL I.2"]  # not "PL I.1(a)", "PL I.1(b)"
    assert [d["lead"] for d in table] == [["na.skhcn"], ["na.stc"]] and [d["support"] for d in table] == [["na.stc"], ["na.skhcn"]]
    products = [o for o in draft.obligations if o.get("section", "").startswith("PL")]
    assert [o["title"] for o in products] == ["Báo cáo tháng 6/2026", "Kho dữ liệu được đưa vào vận hành"]
    assert "đồng" not in str(products + table) and "Ngân sách" not in str(products + table)  # Kinh phí: no product, no deadline
    validates_once_reviewed(draft, tmp_path)


def test_a_docx_task_table_reads_its_unit_column_as_the_lead(catalogue):
    rows = [["TT", "Nhiệm vụ", "Đơn vị thực hiện", "Đơn vị phối hợp thực hiện", "Thời hạn hoàn thành", "Ghi chú"],
            ["1", "Xây dựng kho dữ liệu dùng chung của tỉnh", "Sở Tài chính", "Sở Khoa học và Công nghệ", "Quý III/2026", ""],
            ["2", "Rà soát cơ sở dữ liệu dân cư", "Sở Khoa học và Công nghệ", "Sở Tài chính", "Quý I/2026", "Thực hiện hằng năm"]]
    draft = docx_draft(rows, catalogue)
    table = [d for d in draft.duties if d["section"].startswith("PL")]
    assert [(d["section"], d["lead"], d["support"]) for d in table] == [
        ("PL I.1", ["na.stc"], ["na.skhcn"]), ("PL I.2", ["na.skhcn"], ["na.stc"])]


PIPE_ROWS = """
PHỤ LỤC I
DANH MỤC NHIỆM VỤ

| TT | Nội dung | Cơ quan chủ trì | Cơ quan phối hợp | Thời gian thực hiện |
|---|---|---|---|---|
| 1 | Xây dựng kho dữ liệu dùng chung của tỉnh | Sở Tài chính | Sở Khoa học và Công nghệ | Quý III/2026 |
| 2 | Tập huấn kỹ năng số cho cán bộ, công chức | Sở Khoa học và Công nghệ | | Quý II/2026 |
"""


def test_a_task_table_written_as_pipe_rows_is_read(catalogue, tmp_path):
    draft = text_draft(PIPE_ROWS, catalogue, cells=False)
    table = [d for d in draft.duties if d["section"].startswith("PL")]
    assert [(d["section"], d["lead"]) for d in table] == [("PL I.1", ["na.stc"]), ("PL I.2", ["na.skhcn"])]
    assert table[0]["support"] == ["na.skhcn"] and table[0]["text"] == "Xây dựng kho dữ liệu dùng chung của tỉnh"
    assert "Quý III/2026" in str([o for o in draft.obligations if o["section"] == "PL I.1"] or table[0].get("timeframe"))
    validates_once_reviewed(draft, tmp_path)


def test_a_table_of_figures_is_not_read_and_says_so(catalogue):
    rows = [["TT", "Tên đơn vị", "Số cán bộ", "Số máy tính"], ["1", "Văn phòng UBND tỉnh", "45", "50"]]
    draft = docx_draft(rows, catalogue, before="PHỤ LỤC III")
    assert [d["section"] for d in draft.duties] == ["II.1"] and "table_unread" in codes(draft)


def test_a_column_headed_don_vi_alone_is_the_lead_of_a_task_table_and_the_unit_of_measure_of_a_target_table(catalogue):
    tasks = docx_draft([["STT", "Nội dung công việc", "Đơn vị", "Thời gian"],
                        ["1", "Tập huấn kỹ năng số cho cán bộ, công chức", "Sở Khoa học và Công nghệ", "Quý II/2026"]], catalogue)
    assert [(d["section"], d["lead"]) for d in tasks.duties if d["section"].startswith("PL")] == [("PL I.1", ["na.skhcn"])]
    targets = docx_draft([["TT", "Chỉ tiêu", "Đơn vị", "Kết quả", "Cơ quan chủ trì theo dõi"],
                          ["1", "Tỷ lệ hồ sơ công việc được xử lý trên môi trường điện tử", "%", "100%", "Sở Khoa học và Công nghệ"]],
                         catalogue)
    [indicator] = targets.indicators
    assert indicator["unit_of_measure"] == "%" and indicator["kind"] == "percentage"
    [target] = targets.targets
    assert target["value"] == 100 and target["units"] == ["na.skhcn"] and "Kết quả: 100%" in target["review"][0].vi


def test_a_table_read_with_its_rule_of_dashes_gives_no_duty_of_it(catalogue):
    """A reader that gives a `|`-row table as a table may keep its "|---|---|" rule as a row."""
    rows = [["TT", "Nội dung", "Cơ quan chủ trì", "Thời gian thực hiện"], ["---", "---", "---", "---"],
            ["1", "Xây dựng kho dữ liệu dùng chung của tỉnh", "Sở Tài chính", "Quý III/2026"]]
    draft = docx_draft(rows, catalogue)
    assert [(d["section"], d["lead"]) for d in draft.duties if d["section"].startswith("PL")] == [("PL I.1", ["na.stc"])]


GROUPED = """
PHỤ LỤC II
DANH MỤC NHIỆM VỤ TRỌNG TÂM

TT
Nhiệm vụ
Cơ quan chủ trì
Cơ quan phối hợp
Thời gian thực hiện
I
Hoàn thiện thể chế
1
Xây dựng quy chế quản lý dữ liệu dùng chung của tỉnh
Sở Khoa học và Công nghệ
Sở Tư pháp
Quý II/2026
2
Ban hành danh mục cơ sở dữ liệu của tỉnh
Sở Khoa học và Công nghệ
Sở Tài chính
Quý III/2026
II
Phát triển hạ tầng số
1
Nâng cấp trung tâm dữ liệu của tỉnh
Sở Khoa học và Công nghệ
Sở Tài chính
Năm 2026
II.1
Nhóm nền tảng dùng chung
2
Triển khai nền tảng tích hợp, chia sẻ dữ liệu của tỉnh
Sở Khoa học và Công nghệ
Sở Tài chính
Năm 2027
"""


def test_a_group_rows_label_is_part_of_each_rows_section(catalogue, tmp_path):
    """ "I | Hoàn thiện thể chế", "II.1 | Nhóm …": a group's row whose title is in sentence case
    names the group; its rows are "PL II.<group>.<row>", and numbering that starts again under
    a new group is no missing heading."""
    draft = text_draft(GROUPED, catalogue)
    table = [d for d in draft.duties if d["section"].startswith("PL")]
    assert [d["section"] for d in table] == ["PL II.I.1", "PL II.I.2", "PL II.II.1", "PL II.II.1.2"]
    assert [d["text"] for d in table][2] == "Nâng cấp trung tâm dữ liệu của tỉnh"  # the group's title is no row's
    assert "group_missing" not in str(draft.duties)
    validates_once_reviewed(draft, tmp_path)


TIMES = """
PHỤ LỤC I
DANH MỤC NHIỆM VỤ

TT
Nội dung
Cơ quan chủ trì
Cơ quan phối hợp
Kết quả
Thời gian thực hiện
1
Xây dựng kho dữ liệu dùng chung của tỉnh
Sở Tài chính
Sở Khoa học và Công nghệ
Kho dữ liệu được vận hành
Năm 2026
2
Số hóa hồ sơ, kết quả giải quyết thủ tục hành chính
Sở Khoa học và Công nghệ
Sở Tài chính
Hồ sơ được số hóa
2026-2030
3
Ban hành quy chế khai thác dữ liệu
Sở Khoa học và Công nghệ
Sở Tư pháp
Quy chế được ban hành
Quý IV/2026
4
Theo dõi, cập nhật thường xuyên chỉ số chuyển đổi số của tỉnh
Sở Khoa học và Công nghệ
Sở Tài chính
Báo cáo thực hiện
Thường xuyên
"""


def test_a_time_cell_that_is_a_window_is_the_window_a_rows_product_is_due_in(catalogue, tmp_path):
    """A task table's time column says when the row's work is delivered: a window ("Năm 2026",
    "2026-2030", "Quý IV/2026") is a `within` rule on an obligation of the row's lead, not the
    duty's time frame; "Thường xuyên" is the duty's running time frame, with no obligation. A row
    whose work says "thường xuyên" keeps it as its work, not its time."""
    draft = text_draft(TIMES, catalogue)
    table = {d["section"]: d for d in draft.duties if d["section"].startswith("PL")}
    assert list(table) == ["PL I.1", "PL I.2", "PL I.3", "PL I.4"]
    assert not any(table[s].get("timeframe") for s in ("PL I.1", "PL I.2", "PL I.3"))
    due = {o["section"]: (o["due"]["type"], o["due"]["written"], o["units"]) for o in draft.obligations if o["section"].startswith("PL")}
    assert due == {"PL I.1": ("within", "Năm 2026", ["na.stc"]), "PL I.2": ("within", "Giai đoạn 2026 - 2030", ["na.skhcn"]),
                   "PL I.3": ("within", "Quý IV/2026", ["na.skhcn"])}
    assert table["PL I.4"]["timeframe"] == {"written": "Thường xuyên", "ongoing": True}
    assert table["PL I.4"]["text"].startswith("Theo dõi, cập nhật thường xuyên") and table["PL I.4"]["lead"] == ["na.skhcn"]
    validates_once_reviewed(draft, tmp_path)


BODY_TABLE = """
III. NHIỆM VỤ CỤ THỂ

TT
Nội dung
Cơ quan chủ trì
Cơ quan phối hợp
Thời gian thực hiện
1
Xây dựng kho dữ liệu dùng chung của tỉnh
Sở Tài chính
Sở Khoa học và Công nghệ
Quý III/2026

IV. TỔ CHỨC THỰC HIỆN

1. Sở Y tế chủ trì thẩm định các quy chế về dữ liệu y tế của tỉnh, hoàn thành trong Quý II/2026.

Nơi nhận:
- Bộ Khoa học và Công nghệ;
- Sở Tài chính;
- Lưu: VT.
"""


def test_a_flattened_table_ends_where_the_bodys_text_resumes(catalogue, tmp_path):
    """A table flattened one cell a paragraph ends at a part heading of the body ("IV. TỔ CHỨC
    THỰC HIỆN") or the recipients' list: what follows is read as the body, not as the last row."""
    draft = text_draft(BODY_TABLE, catalogue)
    sections = [d["section"] for d in draft.duties]
    assert sections == ["II.1", "III.1", "IV.1"]  # the table's row 1 under part III
    [row] = [d for d in draft.duties if d["section"] == "III.1"]
    assert row["text"] == "Xây dựng kho dữ liệu dùng chung của tỉnh" and row["support"] == ["na.skhcn"]
    [iv] = [d for d in draft.duties if d["section"] == "IV.1"]
    assert iv["lead"] == ["na.syt"] and "Lưu" not in str(draft.duties)
    validates_once_reviewed(draft, tmp_path)


TRAILER = TIMES.split("4\nTheo dõi")[0] + """Quyết định 41/KH-UBND năm 2025 về chuyển đổi số trên địa bàn tỉnh
Văn bản này chưa cập nhật nội dung Tiếng Anh
"""


def test_words_after_a_rows_last_column_are_no_sub_task(catalogue):
    """Past the time, the last column, a row holds nothing more: the words after it (a web
    page's trailer) are no sub-task "(b)"."""
    draft = text_draft(TRAILER, catalogue)
    assert [d["section"] for d in draft.duties if d["section"].startswith("PL")] == ["PL I.1", "PL I.2", "PL I.3"]
    assert "Tiếng Anh" not in str(draft.duties)


GROUP_COLUMN = """
PHỤ LỤC I
BẢNG PHÂN CÔNG NHIỆM VỤ

STT
Cơ quan chủ trì
Cơ quan phối hợp
Thuộc nhóm nhiệm vụ
Nội dung nhiệm vụ
Sản phẩm
Thời hạn hoàn thành
1
Sở Khoa học và Công nghệ
- Sở Tài chính;
- Sở Xây dựng;
- Các trường đại học, viện nghiên cứu.
Hoàn thiện cơ chế, chính sách về dữ liệu
- Xây dựng quy chế chia sẻ dữ liệu giữa các cơ quan của tỉnh.
- Quy chế được ban hành.
Quý II/2026
- Xây dựng danh mục dữ liệu mở của tỉnh.
- Danh mục được công bố.
Quý IV/2026
"""


def test_the_cell_of_a_group_of_tasks_column_is_no_part_of_the_rows_work(catalogue):
    """ "Thuộc nhóm nhiệm vụ" names the group a row's tasks belong to, not a task: each sub-task's
    text is its own; a list of support bodies ends with a line that names no registered body."""
    draft = text_draft(GROUP_COLUMN, catalogue)
    table = [d for d in draft.duties if d["section"].startswith("PL")]
    assert [(d["section"], d["text"]) for d in table] == [
        ("PL I.1(a)", "- Xây dựng quy chế chia sẻ dữ liệu giữa các cơ quan của tỉnh."),
        ("PL I.1(b)", "- Xây dựng danh mục dữ liệu mở của tỉnh.")]
    assert table[0]["lead"] == ["na.skhcn"] and {"na.stc", "na.sxd"} <= set(table[0]["support"])


SUPPORT_BY_PLACE = """
PHỤ LỤC
NHIỆM VỤ VÀ GIẢI PHÁP

STT
NHIỆM VỤ
CHỦ TRÌ
PHỐI HỢP
THỜI GIAN
1
Xây dựng cơ chế đặt hàng nghiên cứu khoa học của tỉnh
Sở Khoa học và Công nghệ
Viện, Trường; Sở Tài chính
2026
"""


def test_the_cell_in_the_support_columns_place_is_the_support_whatever_it_names(catalogue):
    """Between the lead's cell and the time's, the support column's cell is the support even when
    it opens with no body's word ("Viện, Trường; Sở Tài chính"): it is not the row's work."""
    draft = text_draft(SUPPORT_BY_PLACE, catalogue)
    [row] = [d for d in draft.duties if d["section"].startswith("PL")]
    assert row["text"] == "Xây dựng cơ chế đặt hàng nghiên cứu khoa học của tỉnh"
    assert row["lead"] == ["na.skhcn"] and "na.stc" in row["support"]


CONTINUED = GROUPED.replace("II\nPhát triển hạ tầng số\n", """PHỤ LỤC II (tiếp theo)
TT
Nhiệm vụ
Cơ quan chủ trì
Cơ quan phối hợp
Thời gian thực hiện
II
Phát triển hạ tầng số
""")


def test_a_table_continued_over_pages_goes_on_under_its_continuation_heading(catalogue):
    """ "PHỤ LỤC II (tiếp theo)" and the header row repeated on the next page continue the same
    table: its rows keep their groups' paths, none is read from the header's cells."""
    draft = text_draft(CONTINUED, catalogue)
    table = [d for d in draft.duties if d["section"].startswith("PL")]
    assert [d["section"] for d in table] == ["PL II.I.1", "PL II.I.2", "PL II.II.1", "PL II.II.1.2"]
    assert "table_unread" not in codes(draft) and "table_skipped" not in codes(draft)


def test_a_docx_task_tables_group_rows_name_the_path_of_their_rows(catalogue):
    rows = [["TT", "Nhiệm vụ", "Cơ quan chủ trì", "Thời gian thực hiện"],
            ["I", "Hoàn thiện thể chế", "", ""],
            ["1", "Xây dựng quy chế quản lý dữ liệu dùng chung của tỉnh", "Sở Khoa học và Công nghệ", "Quý II/2026"],
            ["II", "Phát triển hạ tầng số", "", ""],
            ["II.1", "Nhóm nền tảng dùng chung", "", ""],
            ["1", "Triển khai nền tảng tích hợp, chia sẻ dữ liệu của tỉnh", "Sở Tài chính", "Năm 2027"]]
    draft = docx_draft(rows, catalogue, before="PHỤ LỤC II")
    assert [(d["section"], d["lead"]) for d in draft.duties if d["section"].startswith("PL")] == [
        ("PL II.I.1", ["na.skhcn"]), ("PL II.II.1.1", ["na.stc"])]
