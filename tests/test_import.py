"""plantrack import: documents in each format read into drafts that validate once their review
marks are resolved; time phrases, units, header; bad input refused with nothing written."""

from __future__ import annotations

import datetime as dt
import io
import shutil

import pytest
from typer.testing import CliRunner

from plantrack.cli import app
from plantrack.errors import DefinitionError
from plantrack.importer import UnreadableDocument, import_document, write_draft
from plantrack.importer.draft import strip_reviews
from plantrack.importer.header import read_header, signer
from plantrack.importer.phrases import PHRASES, cell_timing, find_timings
from plantrack.importer.reading import paragraphs_of_lines, read_document
from plantrack.importer.units import UnitIndex
from plantrack.loader import load_catalogue

from .conftest import ROOT

CORPUS = ROOT.parent / "shared" / "corpus" / "plans"
NGHE_AN = CORPUS / "c5d930a5fc8373cd_980-KH-UBND.txt"
needs_corpus = pytest.mark.skipif(not NGHE_AN.exists(), reason="the corpus of ../shared is not on this machine")


@pytest.fixture(scope="module")
def catalogue():
    return load_catalogue(ROOT / "plan_definitions", ROOT / "examples" / "2025")


@pytest.mark.parametrize("phrase", PHRASES, ids=lambda p: p.name)
def test_every_time_phrase_reads_its_example(phrase):
    found = (cell_timing if phrase.in_cells_only else find_timings)(phrase.example, dt.date(2025, 11, 1))
    assert found and found[0].phrase == phrase.name, [t.phrase for t in found]
    assert (found[0].due is None) != (found[0].timeframe is None)


def test_time_phrases_give_the_dates_they_say():
    issued = dt.date(2025, 11, 18)
    [before] = find_timings("hoàn thành trước ngày 30/11/2025 để tổng hợp", issued)
    assert before.due == {"type": "one_off", "before": dt.date(2025, 11, 30)} and before.quoted == "trước ngày 30/11/2025"
    [yearly] = find_timings("báo cáo trước ngày 15 tháng 12 hằng năm", issued)
    assert yearly.due["cron"] == "0 0 15 12 *" and yearly.due["wording"] == "before"
    [quarter] = find_timings("Ban hành trong quý I năm 2026", issued)
    assert quarter.due == {"type": "within", "written": "Quý I/2026"}
    [months] = find_timings("Tháng 11 - 12/2025", issued)
    assert months.due["written"] == "Tháng 11 - 12/2025"
    [phase] = find_timings("Giai đoạn 2026 – 2030", issued)
    assert phase.timeframe == {"written": "Giai đoạn 2026 - 2030"}
    [periodic] = find_timings("định kỳ 6 tháng báo cáo kết quả", issued)
    assert periodic.due["period"] == "half_year" and periodic.due["basis"] == "assumed" and periodic.review
    assert find_timings("năm 2025", issued) == []  # a bare year in running text is not a deadline
    assert cell_timing("2025", issued)[0].due == {"type": "within", "written": "Năm 2025"}
    assert cell_timing("Thường xuyên", issued)[0].timeframe["ongoing"] is True
    assert find_timings("trước ngày 31/02/2026", issued) == []  # not a date: left to the person


def test_wrapped_lines_are_joined_into_paragraphs():
    lines = ["I. MỤC", "ĐÍCH, YÊU CẦU", "1. Mục đích", "Xác định phạm vi,", "trách nhiệm.", "- Bảo đảm", "sự lãnh đạo;", "", "II. NỘI DUNG"]
    assert [p.text for p in paragraphs_of_lines(lines)] == [
        "I. MỤC ĐÍCH, YÊU CẦU", "1. Mục đích Xác định phạm vi, trách nhiệm.", "- Bảo đảm sự lãnh đạo;", "II. NỘI DUNG"]


def test_the_header_is_read():
    texts = ["ỦY BAN NHÂN DÂN TỈNH NGHỆ AN -------", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM Độc lập - Tự do - Hạnh phúc",
             "Số: 980/KH-UBND", "Nghệ An, ngày 18 tháng 11 năm 2025", "KẾ HOẠCH THỰC HIỆN QUYẾT ĐỊNH SỐ 1899/QĐ-TTG",
             "Thực hiện Quyết định số 1899/QĐ-TTg ngày 04/9/2025 của Thủ tướng Chính phủ ban hành Kế hoạch;",
             "TM. ỦY BAN NHÂN DÂN KT. CHỦ TỊCH PHÓ CHỦ TỊCH Nguyễn Văn Đệ"]
    header = read_header(paragraphs_of_lines("\n\n".join(texts).splitlines()))
    assert (header.number, header.issued_on, header.doc_type, header.place) == ("980/KH-UBND", dt.date(2025, 11, 18), "ke_hoach", "Nghệ An")
    assert header.issuer_words.startswith("ỦY BAN NHÂN DÂN TỈNH NGHỆ AN")
    assert header.title.startswith("Thực hiện Quyết định")
    [cited] = header.cited
    assert (cited.number, cited.issued_on, cited.issuer, cited.implements) == ("1899/QĐ-TTg", dt.date(2025, 9, 4), "Thủ tướng Chính phủ", True)
    assert header.signed_by == "Phó Chủ tịch Nguyễn Văn Đệ" == signer("KT. CHỦ TỊCH PHÓ CHỦ TỊCH Nguyễn Văn Đệ")


def test_units_resolve_by_name_short_name_and_alias_within_the_issuer(catalogue):
    index = UnitIndex(catalogue, "vn.province.can-tho")
    found = index.resolve("Sở Tài chính; Sở NN&MT và Ủy ban nhân dân cấp xã")
    assert found.units == ["ct.stc", "ct.snnmt"] or set(found.units) == {"ct.stc", "ct.snnmt"}
    assert found.groups == ["ct.communes"]
    odd = index.resolve("Sở Tài chánh thành phố")
    assert not odd.units and odd.unresolved and "ct.stc" in odd.unresolved[0][1]  # a candidate for the person


@needs_corpus
def test_every_corpus_document_drafts_into_a_file_that_validates_once_reviewed(catalogue, tmp_path):
    """The plans and the directives (conclusions, telegrams, decisions) of the corpus."""
    for text in sorted(CORPUS.glob("*.txt")) + sorted((CORPUS.parent / "directives").glob("*.txt")):
        folder = tmp_path / text.stem
        draft = import_document(text, catalogue)
        written = write_draft(draft, text, folder)
        with pytest.raises(DefinitionError) as refused:
            load_catalogue(ROOT / "plan_definitions", ROOT / "examples" / "2025", folder)
        assert refused.value.problems and all("review mark left" in p.message for p in refused.value.problems), text.name
        assert sum(strip_reviews(path) for path in written) == draft.reviews == len(refused.value.problems)
        loaded = load_catalogue(ROOT / "plan_definitions", ROOT / "examples" / "2025", folder)
        assert draft.plan["id"] in loaded.plans, text.name


@needs_corpus
def test_a_task_table_in_text_gives_duties_units_and_dates(catalogue):
    draft = import_document(NGHE_AN, catalogue)
    duty = next(d for d in draft.duties if d["section"] == "PL I.1")
    assert duty["lead"] == ["na.bchqs"] and duty["lead_groups"] == ["na.communes"]
    [obligation] = [o for o in draft.obligations if o["duty"] == duty["id"]]
    assert obligation["due"] == {"type": "one_off", "before": dt.date(2025, 11, 30), "basis": "stated",
                                 "note": "Văn bản: “Trước ngày 30/11/2025”"}
    assert obligation["title"].startswith("Quyết định của Chủ tịch")  # the product column
    assert next(d for d in draft.duties if d["section"] == "PL II.1")["timeframe"]["ongoing"] is True
    assert draft.plan["issuer"] == "vn.province.nghe-an" and draft.plan["issued_on"] == dt.date(2025, 11, 18)


def test_a_docx_with_a_real_task_table(catalogue, tmp_path):
    import docx

    word = docx.Document()
    for text in ["ỦY BAN NHÂN DÂN THÀNH PHỐ CẦN THƠ", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Số: 201/KH-UBND",
                 "Cần Thơ, ngày 02 tháng 12 năm 2025", "KẾ HOẠCH", "Truyền thông về giảm nghèo năm 2025", "PHỤ LỤC"]:
        word.add_paragraph(text)
    table = word.add_table(rows=1, cols=5)
    for cell, text in zip(table.rows[0].cells, ["TT", "Nội dung", "Cơ quan chủ trì", "Cơ quan phối hợp", "Thời gian hoàn thành"]):
        cell.text = text
    for row in [["1", "Xây dựng kế hoạch truyền thông", "Sở Nông nghiệp và Môi trường", "Sở Tài chính", "Trước ngày 20/12/2025"],
                ["2", "Tuyên truyền trên báo, đài", "Sở Văn hóa, Thể thao và Du lịch", "", "Thường xuyên"]]:
        for cell, text in zip(table.add_row().cells, row):
            cell.text = text
    path = tmp_path / "ke-hoach.docx"
    word.save(path)
    draft = import_document(path, catalogue)
    assert draft.plan["number"] == "201/KH-UBND" and draft.plan["issuer"] == "vn.province.can-tho"
    first, second = draft.duties
    assert (first["section"], first["lead"], first["support"]) == ("PL 1", ["ct.snnmt"], ["ct.stc"])
    assert second["lead"] == ["ct.svhttdl"] and second["timeframe"]["ongoing"] is True
    [obligation] = draft.obligations
    assert obligation["due"]["before"] == dt.date(2025, 12, 20) and obligation["units"] == ["ct.snnmt"]


def test_a_pdf_without_text_is_refused_with_what_to_do(tmp_path):
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(595, 842)
    path = tmp_path / "scan.pdf"
    with path.open("wb") as stream:
        writer.write(stream)
    with pytest.raises(UnreadableDocument) as refused:
        read_document(path, 10**7, 10**6, 10)
    assert "no text layer" in str(refused.value) and "OCR" in refused.value.vi


@pytest.mark.parametrize("content, said", [
    (b"", "empty"), (b"\x00\x01\x02binary" * 10, "binary"), (b"PK\x03\x04" + b"\x00" * 40, "not a readable .docx"),
    (b"%PDF-1.7\n" + bytes(range(256)) * 8, "not a readable PDF"),
    ("Một đoạn văn không có số và ngày của văn bản.".encode(), "no document number"),
])
def test_bad_documents_get_a_clear_message_and_nothing_is_written(content, said, tmp_path):
    source = tmp_path / "in.txt"
    source.write_bytes(content)
    out = tmp_path / "drafts"
    result = CliRunner().invoke(app, ["import", str(source), "--output-dir", str(out)])
    assert result.exit_code == 2 and said in result.output and "Traceback" not in result.output
    assert not out.exists() or not any(out.iterdir())


def test_limits_come_before_reading(tmp_path):
    big = tmp_path / "big.txt"
    big.write_text("Số: 1/KH-UBND\n" + "chữ " * 1000, encoding="utf-8")
    with pytest.raises(UnreadableDocument, match="at most 100"):
        read_document(big, 100, 10**6, 10)
    with pytest.raises(UnreadableDocument, match="characters of text"):
        read_document(big, 10**7, 500, 10)


def test_the_cli_writes_the_draft_and_says_what_needs_a_person(tmp_path):
    source = tmp_path / "plan.txt"
    source.write_text(io.StringIO(
        "ỦY BAN NHÂN DÂN THÀNH PHỐ CẦN THƠ\n\nCỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\n\nSố: 7/KH-UBND\n\n"
        "Cần Thơ, ngày 01 tháng 12 năm 2025\n\nKẾ HOẠCH\nTRIỂN KHAI NĂM 2026\n\nII. NHIỆM VỤ\n\n"
        "1. Sở Tài chính chủ trì rà soát kinh phí, báo cáo Ủy ban nhân dân thành phố trước ngày 15/01/2026.\n").getvalue(),
        encoding="utf-8")
    out = tmp_path / "drafts"
    result = CliRunner().invoke(app, ["import", str(source), "--output-dir", str(out), "--registry", str(ROOT / "plan_definitions"),
                                      "--registry", str(ROOT / "examples" / "2025")])
    assert result.exit_code == 0, result.output
    assert "1 obligations" in result.output and "review marks" in result.output
    text = (out / "7-kh-ubnd-2026.yaml").read_text(encoding="utf-8") if (out / "7-kh-ubnd-2026.yaml").exists() else \
        next(out.glob("*.yaml")).read_text(encoding="utf-8")
    assert "before: 2026-01-15" in text and "submit_to: vn.province.can-tho" in text and "lead:\n      - ct.stc" in text


@needs_corpus
def test_a_docx_made_from_the_corpus_with_a_real_task_table(catalogue, tmp_path):
    from .documents import NGHE_AN_TABLE, docx_of

    draft = import_document(docx_of(NGHE_AN, tmp_path / "980.docx", NGHE_AN_TABLE), catalogue)
    assert (draft.plan["number"], draft.plan["issuer"], draft.plan["issued_on"]) == ("980/KH-UBND", "vn.province.nghe-an", dt.date(2025, 11, 18))
    assert draft.plan["signed_by"] == "Phó Chủ tịch Nguyễn Văn Đệ"
    rows = {d["section"]: d for d in draft.duties if d["section"].startswith("PL")}
    assert set(rows) == {"PL I.1", "PL II.1", "PL II.2", "PL II.5"}  # a group's merged title row is no task
    assert rows["PL I.1"]["lead"] == ["na.bchqs"] and rows["PL I.1"]["lead_groups"] == ["na.communes"]
    assert rows["PL II.5"]["lead"] == ["na.syt"] and rows["PL II.5"]["support"] == ["na.stc"]
    assert rows["PL II.1"]["timeframe"]["ongoing"] is True
    due = {o["duty"]: o["due"] for o in draft.obligations}
    assert due[rows["PL I.1"]["id"]]["before"] == dt.date(2025, 11, 30)
    assert due[rows["PL II.2"]["id"]] == {"type": "within", "written": "Năm 2025", "basis": "stated", "note": "Văn bản: “2025”"}
    body = [d for d in draft.duties if d["section"].startswith("IV.")]  # the body's paragraphs came through too
    assert len(body) == 4 and body[1]["lead"] == ["na.bchqs"]  # IV.5, the closing formula about difficulties, is no duty


@needs_corpus
@pytest.mark.skipif(shutil.which("chromium") is None, reason="Debian's chromium is not installed (make test installs it)")
def test_a_pdf_printed_from_the_corpus_drafts_as_its_text_does(catalogue, tmp_path):
    from .documents import CAN_THO, pdf_of

    from_pdf = import_document(pdf_of(CAN_THO, tmp_path / "159.pdf"), catalogue)
    from_text = import_document(CAN_THO, catalogue)
    assert from_pdf.plan["number"] == "159/KH-UBND" and from_pdf.plan["issued_on"] == dt.date(2025, 11, 19)
    assert from_pdf.plan["title"].startswith("Truyền thông về giảm nghèo đa chiều")
    shape = lambda d: [(x["section"], x.get("lead"), x.get("lead_groups")) for x in d.duties]  # noqa: E731
    assert shape(from_pdf) == shape(from_text) and len(from_pdf.duties) == 19  # each dash under a body heading a duty
    assert [o["due"] for o in from_pdf.obligations] == [o["due"] for o in from_text.obligations]


def test_every_review_mark_is_worded_in_english_and_vietnamese():
    from plantrack.importer.marks import WORDING, mark

    values = dict(kind="Quyết định", number="1/QĐ-TTg", plan="p", office="o", words="w", candidates=["a", "b"], section="I.1",
                  province="p", kept=1, length=2, role="lead", named_as="lead", unit="draft.x", name="Sở X", where="line 3", columns="TT | A")
    for code, (english, vietnamese) in WORDING.items():
        shown = mark(code, **values)
        assert shown.en and shown.vi and "{" not in shown.en + shown.vi, code
        assert any(c in shown.vi for c in "ăâđêôơưạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹ"), code  # Vietnamese, with diacritics
    assert mark("unit_not_found", **values).vi.startswith("Đơn vị chủ trì “w”")
    with pytest.raises(KeyError):
        mark("no-such-mark")


def test_exclusions_are_noticed(catalogue, tmp_path):
    source = tmp_path / "plan.txt"
    source.write_text(
        "THỦ TƯỚNG CHÍNH PHỦ\n\nCỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\n\nSố: 9/QĐ-TTg\n\nHà Nội, ngày 01 tháng 12 năm 2025\n\n"
        "QUYẾT ĐỊNH\nVỀ KẾ HOẠCH NĂM 2026\n\nII. NHIỆM VỤ\n\n"
        "1. Bộ Công an, Bộ Tài chính, Bộ Xây dựng báo cáo kết quả gửi về Bộ Công an trước ngày 15/12/2026.\n\n"
        "2. Các bộ, ngành (trừ Bộ Xây dựng) và Bộ Tài chính triển khai thường xuyên.\n", encoding="utf-8")
    draft = import_document(source, catalogue)
    [report] = draft.obligations
    assert report["submit_to"] == "vn.bca" and "vn.bca" not in report["units"] and set(report["units"]) == {"vn.btc", "vn.bxd"}
    assert any(m.code == "receiver_excluded" for m in report["review"])
    second = draft.duties[1]
    assert "vn.bxd" not in second["lead"] and "vn.btc" in second["lead"]
    assert any(m.code == "unit_excluded" and m.values["unit"] == "vn.bxd" for m in second["review"])
    # "các bộ, ngành": the registry's entry kept for that class ("Các bộ, ngành liên quan"), read plainly, not a guess
    assert "vn.related-ministries" in second["lead"] and not any(m.code == "unit_by_prefix" for m in second["review"])
    assert second["timeframe"]["ongoing"] is True


def test_a_name_means_the_issuers_body_not_another_provinces(catalogue):
    bac_ninh = UnitIndex(catalogue, "vn.province.bac-ninh")
    found = bac_ninh.resolve("Sở Tư pháp chủ trì")
    assert found.units == ["bn.stp"]  # Bắc Ninh's own (the generated registry of 2025), not Hà Nội's hn.stp
    assert bac_ninh.resolve("UBND thành phố Hà Nội").units == ["vn.province.ha-noi"]  # named with its province: meant
    hanoi = UnitIndex(catalogue, "vn.province.ha-noi")
    assert hanoi.resolve("Sở Tư pháp").units == ["hn.stp"]


def test_aliases_and_the_bodies_of_2025_resolve(catalogue):
    import datetime as dt

    from copy import deepcopy

    aliased = deepcopy(catalogue)
    aliased.units["vn.bnnmt"] = aliased.units["vn.bnnmt"].model_copy(update={"aliases": ["Bộ NN-MT"]})
    index = UnitIndex(aliased, "vn.government", dt.date(2025, 11, 19))
    assert index.resolve("Bộ NN-MT chủ trì; Bộ Nông nghiệp và Môi trường").units == ["vn.bnnmt"]  # an alias, and the name
    customs = index.resolve("Tổng cục Hải quan")  # the name it bore until 28/02/2025: the same body, renamed
    assert customs.units == [next(u.id for u in catalogue.units.values() if any(f.name == "Tổng cục Hải quan" for f in u.former_names))]


def test_a_documents_date_is_not_a_deadline():
    issued = dt.date(2025, 11, 20)
    assert find_timings("Thực hiện Nghị quyết số 66-NQ/TW ngày 30 tháng 4 năm 2025 của Bộ Chính trị", issued) == []
    [due] = find_timings("hoàn thành trong tháng 4 năm 2026", issued)
    assert due.due == {"type": "within", "written": "Tháng 4/2026"}


@needs_corpus
def test_an_output_folder_that_cannot_be_written_is_said_so(tmp_path):
    blocked = tmp_path / "file"
    blocked.write_text("not a folder", encoding="utf-8")
    result = CliRunner().invoke(app, ["import", str(NGHE_AN), "--output-dir", str(blocked / "drafts"),
                                      "--registry", str(ROOT / "plan_definitions"), "--registry", str(ROOT / "examples" / "2025")])
    assert result.exit_code == 2 and "cannot write the draft" in result.output and "Traceback" not in result.output


def test_a_letter_numbers_its_tasks_without_parts_and_headings_may_be_in_sentence_case(catalogue, tmp_path):
    letter = tmp_path / "cong-van.txt"
    letter.write_text(
        "ỦY BAN NHÂN DÂN TỈNH NGHỆ AN\n\nCỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\n\nSố: 12/UBND-KT\n\nNghệ An, ngày 02 tháng 12 năm 2025\n\n"
        "V/v triển khai kiểm kê\n\nKính gửi: các sở, ngành.\n\n"
        "1. Sở Tài chính chủ trì rà soát, gửi báo cáo về Ủy ban nhân dân tỉnh trước ngày 20/12/2025.\n\n"
        "2. Sở Y tế hướng dẫn các cơ sở thực hiện thường xuyên.\n\n"
        "II. Tổ chức thực hiện\n\n1. Bộ Chỉ huy Quân sự tỉnh theo dõi, đôn đốc, tổng hợp.\n", encoding="utf-8")
    draft = import_document(letter, catalogue)
    assert draft.plan["doc_type"] == "cong_van" and draft.plan["title"] == "triển khai kiểm kê"
    assert [(d["section"], d["lead"]) for d in draft.duties] == [("1", ["na.stc"]), ("2", ["na.syt"]), ("II.1", ["na.bchqs"])]
    assert draft.plan["coordination"]["office"] == "na.bchqs"  # "II. Tổ chức thực hiện" in sentence case is a part
    [report] = draft.obligations
    assert report["due"]["before"] == dt.date(2025, 12, 20) and report["submit_to"] == "vn.province.nghe-an"


def test_a_table_whose_columns_are_not_recognised_is_said_so_and_a_layout_table_is_not(catalogue, tmp_path):
    import docx

    word = docx.Document()
    layout = word.add_table(rows=1, cols=2)  # the header's layout: issuer | republic
    layout.rows[0].cells[0].text, layout.rows[0].cells[1].text = "ỦY BAN NHÂN DÂN TỈNH NGHỆ AN", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
    for text in ["CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Số: 8/KH-UBND", "Nghệ An, ngày 01 tháng 12 năm 2025", "KẾ HOẠCH",
                 "PHÁT TRIỂN NĂM 2026", "PHỤ LỤC"]:
        word.add_paragraph(text)
    odd = word.add_table(rows=3, cols=4)
    for row, values in zip(odd.rows, [["TT", "Hạng mục", "Đơn vị đo", "Ghi chú"], ["1", "Đường", "km", ""], ["2", "Cầu", "cái", ""]]):
        for cell, value in zip(row.cells, values):
            cell.text = value
    path = tmp_path / "odd.docx"
    word.save(path)
    draft = import_document(path, catalogue)
    unread = [m for m in draft.plan["review"] if m.code == "table_unread"]
    assert len(unread) == 1 and "TT | Hạng mục | Đơn vị đo | Ghi chú" in unread[0].en and unread[0].values["where"].startswith("paragraph")
    assert "chưa được đọc" in unread[0].vi


def test_a_copy_from_the_web_reads_as_the_document():
    from plantrack.importer.reading import clean

    header = read_header(paragraphs_of_lines(["Số: **03** /KH-BCĐ389", "", "Hà Nội, ngày **05** tháng **11** năm 2020"]))
    assert (header.number, header.issued_on) == ("03/KH-BCĐ389", dt.date(2020, 11, 5))
    assert clean("ngày 15 / 11 / 2025 [1]") == "ngày 15 / 11 / 2025"  # a date keeps its spaces; a footnote mark goes


def test_a_first_stage_then_a_running_one_gives_a_deadline_and_a_time_frame(catalogue, tmp_path):
    import docx

    word = docx.Document()
    for text in ["ỦY BAN NHÂN DÂN TỈNH NGHỆ AN", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Số: 9/KH-UBND", "Nghệ An, ngày 01 tháng 12 năm 2025",
                 "KẾ HOẠCH", "QUAN TRẮC MÔI TRƯỜNG GIAI ĐOẠN 2026 - 2030", "PHỤ LỤC"]:
        word.add_paragraph(text)
    table = word.add_table(rows=0, cols=4)
    for row in [["TT", "Nội dung", "Cơ quan chủ trì", "Thời gian thực hiện"],
                ["1", "Xây dựng mạng lưới quan trắc", "Sở Tài chính", "Hoàn thành trong giai đoạn 2026 - 2027 và vận hành thường xuyên, liên tục"],
                ["2", "Mô hình tái chế", "Sở Y tế", "Nghiên cứu trong giai đoạn 2026 - 2027. Tổ chức thí điểm từ sau năm 2027"],
                ["3", "Giám sát dữ liệu", "Sở Y tế", "Giai đoạn 2026 - 2030"]]:
        for cell, text in zip(table.add_row().cells, row):
            cell.text = text
    path = tmp_path / "9.docx"
    word.save(path)
    draft = import_document(path, catalogue)
    assert draft.plan["period"] == {"start": dt.date(2026, 1, 1), "end": dt.date(2030, 12, 31)}
    first, second, third = draft.duties
    due = {o["duty"]: o["due"] for o in draft.obligations}
    assert first["timeframe"]["ongoing"] is True and due[first["id"]]["written"] == "Giai đoạn 2026 - 2027"
    assert second["timeframe"]["start"] == dt.date(2028, 1, 1) and due[second["id"]]["written"] == "Giai đoạn 2026 - 2027"
    # a table's window, the whole plan's too, is the window its work is delivered in (bench/gold/README.md "Time")
    assert "timeframe" not in third and due[third["id"]] == {"type": "within", "written": "Giai đoạn 2026 - 2030", "basis": "stated",
                                                             "note": "Văn bản: “Giai đoạn 2026 - 2030”"}


def test_a_recipient_the_text_does_not_name_stays_marked_as_the_plan_files(catalogue, tmp_path):
    source = tmp_path / "plan.txt"
    source.write_text(
        "ỦY BAN NHÂN DÂN TỈNH NGHỆ AN\n\nCỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\n\nSố: 13/KH-UBND\n\nNghệ An, ngày 02 tháng 12 năm 2025\n\n"
        "KẾ HOẠCH\nKiểm kê\n\nII. NHIỆM VỤ\n\n1. Sở Tài chính báo cáo kết quả kiểm kê trước ngày 20/12/2025.\n\n"
        "III. TỔ CHỨC THỰC HIỆN\n\n1. Bộ Chỉ huy Quân sự tỉnh theo dõi, đôn đốc, tổng hợp.\n", encoding="utf-8")
    [report] = import_document(source, catalogue).obligations
    assert any(m.code == "recipient_guessed" for m in report["review"])
    assert report["submit_to_basis"] == "assumed" and report["submit_to_note"]


def test_a_report_its_only_owner_would_send_to_itself_gets_no_recipient(catalogue, tmp_path):
    """Validation refuses a unit reporting to itself; a draft whose only owner is the body it
    would send to (the plan's own office) leaves the recipient out and says so."""
    source = tmp_path / "plan.txt"
    source.write_text(
        "THỦ TƯỚNG CHÍNH PHỦ\n\nCỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\n\nSố: 9/QĐ-TTg\n\nHà Nội, ngày 01 tháng 12 năm 2025\n\n"
        "QUYẾT ĐỊNH\nVỀ KẾ HOẠCH NĂM 2026\n\nII. NHIỆM VỤ\n\n"
        "1. Bộ Công an xây dựng kế hoạch, báo cáo Bộ Công an trước ngày 15/12/2026.\n", encoding="utf-8")
    draft = import_document(source, catalogue)
    [report] = draft.obligations
    assert report["units"] == ["vn.bca"] and "submit_to" not in report
    assert any(m.code == "self_report" and m.values["unit"] == "vn.bca" for m in report["review"])
