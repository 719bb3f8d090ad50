"""plantrack import in the formats plans really come in: a .docx whose header is the two-column
table of Decree 30/2020 and whose items Word numbers itself, with a task table of merged cells;
a PDF printed without blank lines between paragraphs, its header in two columns; a copy whose
task table is flattened into ``|`` rows; a legacy .doc; and a draft that finds no duty says so.
Each document is written here (not copied from the corpus) and drafts as its plain text does."""

from __future__ import annotations

import datetime as dt
import html
import shutil
from pathlib import Path

import pytest

from plantrack.importer import UnreadableDocument, import_document
from plantrack.importer.reading import read_document
from plantrack.loader import load_catalogue

from .conftest import ROOT

CHROMIUM = shutil.which("chromium")
needs_chromium = pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed (make test installs it)")

ISSUER = ["ỦY BAN NHÂN DÂN", "TỈNH NGHỆ AN"]
REPUBLIC = ["CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc"]
NUMBER, PLACE_DATE = "Số: 21/KH-UBND", "Nghệ An, ngày 05 tháng 12 năm 2025"
# The body: (numbering, text); "I" a part, "1" an item, "a" a sub-item, "-" a bullet, "" none.
BODY = [
    ("", "KẾ HOẠCH"),
    ("", "PHÒNG, CHỐNG DỊCH BỆNH MÙA ĐÔNG NĂM 2026"),
    ("", "Thực hiện Chỉ thị số 5/CT-TTg ngày 02/02/2025 của Thủ tướng Chính phủ, Ủy ban nhân dân tỉnh ban hành Kế hoạch phòng, "
         "chống dịch bệnh mùa đông năm 2026 trên địa bàn tỉnh như sau:"),
    ("I", "MỤC ĐÍCH, YÊU CẦU"),
    ("1", "Bảo đảm chủ động phòng, chống dịch bệnh, không để dịch lớn xảy ra trên địa bàn tỉnh trong mùa đông năm 2026."),
    ("I", "NHIỆM VỤ"),
    ("1", "Sở Y tế chủ trì xây dựng kế hoạch tiêm chủng mở rộng cho trẻ em dưới 5 tuổi, hoàn thành trước ngày 31/12/2025."),
    ("1", "Sở Tài chính bố trí kinh phí cho công tác phòng, chống dịch của các cơ sở y tế, hoàn thành trong quý I năm 2026."),
    ("1", "Sở Xây dựng chủ trì các nội dung sau:"),
    ("a", "Rà soát hệ thống cấp nước sạch tại các khu dân cư tập trung, hoàn thành trước ngày 15/3/2026."),
    ("a", "Hướng dẫn các chủ đầu tư bảo đảm vệ sinh môi trường tại các công trình đang thi công, thực hiện thường xuyên."),
    ("-", "Kiểm tra việc thu gom rác thải tại công trường."),
    ("I", "TỔ CHỨC THỰC HIỆN"),
    ("1", "Bộ Chỉ huy Quân sự tỉnh theo dõi, đôn đốc, tổng hợp kết quả thực hiện Kế hoạch, báo cáo Ủy ban nhân dân tỉnh "
          "trước ngày 15/12/2026."),
    ("", "Trong quá trình thực hiện, nếu có khó khăn, vướng mắc, các cơ quan, đơn vị báo cáo Ủy ban nhân dân tỉnh để xem xét, giải quyết."),
]
SIGNATURE = ["TM. ỦY BAN NHÂN DÂN", "KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH", "Nguyễn Văn An"]
RECIPIENTS = ["Nơi nhận:", "- Bộ Y tế;", "- Lưu: VT."]  # laid out beside the signature in a .docx and a PDF
APPENDIX = ["PHỤ LỤC", "DANH MỤC NHIỆM VỤ"]
TABLE = [
    ["TT", "Nội dung", "Cơ quan chủ trì", "Cơ quan phối hợp", "Thời gian hoàn thành"],
    ["I", "TRUYỀN THÔNG PHÒNG, CHỐNG DỊCH", "", "", ""],
    ["1", "In và phát hành tài liệu truyền thông về phòng bệnh mùa đông", "Sở Y tế", "Sở Tài chính", "Quý II/2026"],
    ["2", "Tập huấn kỹ năng truyền thông cho cán bộ y tế xã", "Sở Y tế", "Sở Tài chính", "Năm 2026"],
]


@pytest.fixture(scope="module")
def catalogue():
    return load_catalogue(ROOT / "plan_definitions", ROOT / "examples" / "2025")


def labelled(body=BODY) -> list[str]:
    """The body's paragraphs with their numbers written out, as a plain text holds them."""
    counters = {"I": 0, "1": 0, "a": 0}
    out = []
    for kind, text in body:
        if kind == "I":
            counters.update({"I": counters["I"] + 1, "1": 0, "a": 0})
            out.append(f"{['I', 'II', 'III', 'IV'][counters['I'] - 1]}. {text}")
        elif kind == "1":
            counters.update({"1": counters["1"] + 1, "a": 0})
            out.append(f"{counters['1']}. {text}")
        elif kind == "a":
            counters["a"] += 1
            out.append(f"{'abcd'[counters['a'] - 1]}) {text}")
        elif kind == "-":
            out.append(f"- {text}")
        else:
            out.append(text)
    return out


def text_with_rows(path: Path) -> Path:
    """The plan as a copy from the web: paragraphs apart, the task table as ``|`` rows."""
    rows = [f"| {' | '.join(TABLE[0])} |", "|" + "---|" * len(TABLE[0])] + [f"| {' | '.join(row)} |" for row in TABLE[1:]]
    parts = [*ISSUER, *REPUBLIC, NUMBER, PLACE_DATE, *labelled(), *RECIPIENTS, *SIGNATURE, *APPENDIX, "\n".join(rows)]
    path.write_text("\n\n".join(parts) + "\n", encoding="utf-8")
    return path


def docx_numbered(path: Path) -> Path:
    """The plan as Word writes it: the header in a two-column table, the parts, items and
    sub-items numbered by Word (numbering.xml: upperRoman, decimal, lowerLetter, bullet), the parts
    in the style Heading 1, "Nơi nhận" beside the signature in a table, and the task table with its group's title merged across the row and
    the lead's cell merged down two rows."""
    import docx
    from docx.oxml import parse_xml
    from docx.oxml.ns import nsdecls

    word = docx.Document()
    header = word.add_table(rows=2, cols=2)
    for cell, lines in zip([*header.rows[0].cells, *header.rows[1].cells], [ISSUER, REPUBLIC, [NUMBER], [PLACE_DATE]]):
        cell.text = lines[0]
        for line in lines[1:]:
            cell.add_paragraph(line)
    levels = [("upperRoman", "%1."), ("decimal", "%2."), ("lowerLetter", "%3)"), ("bullet", "-")]
    numbering = word.part.numbering_part.element
    abstract = parse_xml(f'<w:abstractNum {nsdecls("w")} w:abstractNumId="90">' + "".join(
        f'<w:lvl w:ilvl="{i}"><w:start w:val="1"/><w:numFmt w:val="{fmt}"/><w:lvlText w:val="{text}"/></w:lvl>'
        for i, (fmt, text) in enumerate(levels)) + "</w:abstractNum>")
    numbering.insert(0, abstract)
    numbering.append(parse_xml(f'<w:num {nsdecls("w")} w:numId="90"><w:abstractNumId w:val="90"/></w:num>'))
    for kind, text in BODY:
        paragraph = word.add_paragraph(text, style="Heading 1" if kind == "I" else None)
        if kind:
            level = "I1a-".index(kind)
            paragraph._p.get_or_add_pPr().append(parse_xml(
                f'<w:numPr {nsdecls("w")}><w:ilvl w:val="{level}"/><w:numId w:val="90"/></w:numPr>'))
    closing = word.add_table(rows=1, cols=2)  # "Nơi nhận" beside the signature
    for cell, lines in zip(closing.rows[0].cells, (RECIPIENTS, SIGNATURE)):
        cell.text = lines[0]
        for line in lines[1:]:
            cell.add_paragraph(line)
    for text in APPENDIX:
        word.add_paragraph(text)
    table = word.add_table(rows=len(TABLE), cols=len(TABLE[0]))
    for row, values in zip(table.rows, TABLE):
        for cell, value in zip(row.cells, values):
            cell.text = value
    group = table.cell(1, 1).merge(table.cell(1, 4))
    group.text = TABLE[1][1]
    lead = table.cell(2, 2).merge(table.cell(3, 2))
    lead.text = "Sở Y tế"
    word.save(path)
    return path


def pdf_without_blank_lines(path: Path) -> Path:
    """The plan printed by chromium: the header in two columns, paragraphs with no space between
    them (pypdf reads no blank line), "Nơi nhận" beside the signature, the task table ruled."""
    from playwright.sync_api import sync_playwright

    def cells(values, tag="td"):
        return "".join(f"<{tag}>{html.escape(v)}</{tag}>" for v in values)

    head = (f"<table class='head'><tr><td>{'<br>'.join(ISSUER)}</td><td><b>{'<br>'.join(REPUBLIC)}</b></td></tr>"
            f"<tr><td>{NUMBER}</td><td><i>{PLACE_DATE}</i></td></tr></table>")
    closing = f"<table class='head'><tr><td style='text-align:left'>{'<br>'.join(RECIPIENTS)}</td><td>{'<br>'.join(SIGNATURE)}</td></tr></table>"
    body = "".join(f"<p>{html.escape(p)}</p>" for p in labelled()) + closing + "".join(f"<p>{html.escape(p)}</p>" for p in APPENDIX)
    table = "<table class='tasks'>" + "".join(f"<tr>{cells(row)}</tr>" for row in TABLE) + "</table>"
    document = ("<!DOCTYPE html><html lang='vi'><meta charset='utf-8'><style>body{font-family:'DejaVu Sans',sans-serif;font-size:12pt}"
                "p{margin:0;text-align:justify} .head{width:100%;text-align:center} .tasks{border-collapse:collapse}"
                ".tasks td{border:1px solid #000;vertical-align:top}</style>"
                f"<body>{head}{body}{table}</body></html>")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        page = browser.new_page()
        page.set_content(document)
        page.pdf(path=str(path), format="A4")
        browser.close()
    return path


def shape(draft) -> dict:
    """What a draft says, for comparing two formats of one document."""
    return {"number": draft.plan["number"], "issued_on": draft.plan["issued_on"], "issuer": draft.plan["issuer"],
            "title": draft.plan["title"], "signed_by": draft.plan["signed_by"],
            "duties": [(d["section"], d.get("lead"), d.get("lead_groups"), d.get("support"), d.get("timeframe")) for d in draft.duties],
            "obligations": [(o["section"], o["due"], o.get("units")) for o in draft.obligations]}


def test_a_task_table_in_rows_of_bars_is_read(catalogue, tmp_path):
    draft = import_document(text_with_rows(tmp_path / "21.txt"), catalogue)
    rows = {d["section"]: d for d in draft.duties if d["section"].startswith("PL")}
    assert set(rows) == {"PL I.1", "PL I.2"}, [d["section"] for d in draft.duties]
    assert rows["PL I.1"]["lead"] == ["na.syt"] and rows["PL I.1"]["support"] == ["na.stc"]
    due = {o["section"]: o["due"] for o in draft.obligations}
    assert due["PL I.1"] == {"type": "within", "written": "Quý II/2026", "basis": "stated", "note": "Văn bản: “Quý II/2026”"}


def test_a_docx_with_the_header_table_and_words_own_numbering_drafts_as_its_text(catalogue, tmp_path):
    from_text = import_document(text_with_rows(tmp_path / "21.txt"), catalogue)
    from_docx = import_document(docx_numbered(tmp_path / "21.docx"), catalogue)
    assert (from_docx.plan["number"], from_docx.plan["issued_on"], from_docx.plan["issuer"]) == (
        "21/KH-UBND", dt.date(2025, 12, 5), "vn.province.nghe-an")
    assert from_docx.plan["signed_by"] == "Phó Chủ tịch Nguyễn Văn An"
    sections = [d["section"] for d in from_docx.duties]
    assert {"II.1", "II.2", "II.3.a", "II.3.b", "III.1", "PL I.1", "PL I.2"} <= set(sections), sections
    lead = {d["section"]: d.get("lead") for d in from_docx.duties}
    assert lead["II.1"] == ["na.syt"] and lead["II.2"] == ["na.stc"] and lead["PL I.2"] == ["na.syt"]  # the merged cell repeats
    assert shape(from_docx) == shape(from_text)


def test_the_document_model_of_a_docx(tmp_path):
    document = read_document(docx_numbered(tmp_path / "21.docx"), 10**7, 10**6, 100)
    assert document.header.issuer == ISSUER and document.header.number == NUMBER and document.header.place_date == PLACE_DATE
    numbered = {p.text: (p.label, p.level) for p in document.paragraphs if p.label}
    assert numbered["II. NHIỆM VỤ"] == ("II.", 0)
    assert numbered["3. Sở Xây dựng chủ trì các nội dung sau:"] == ("3.", 1)
    assert numbered[f"b) {BODY[10][1]}"] == ("b)", 2)
    assert numbered[f"- {BODY[11][1]}"] == ("-", 3)
    [table] = document.tables
    assert table.rows[1] == ["I", "TRUYỀN THÔNG PHÒNG, CHỐNG DỊCH"]  # a span counted once
    assert table.rows[3][2] == "Sở Y tế" and table.continued[3][2] and not table.continued[2][2]


@needs_chromium
def test_a_pdf_without_blank_lines_and_a_two_column_header_drafts_as_its_text(catalogue, tmp_path):
    from_text = import_document(text_with_rows(tmp_path / "21.txt"), catalogue)
    from_pdf = import_document(pdf_without_blank_lines(tmp_path / "21.pdf"), catalogue)
    assert (from_pdf.plan["number"], from_pdf.plan["issued_on"], from_pdf.plan["issuer"]) == (
        "21/KH-UBND", dt.date(2025, 12, 5), "vn.province.nghe-an")
    assert from_pdf.plan["signed_by"] == "Phó Chủ tịch Nguyễn Văn An"  # the signature beside "Nơi nhận"
    assert shape(from_pdf) == shape(from_text)


def test_a_draft_without_duties_says_so(catalogue, tmp_path):
    source = tmp_path / "empty.txt"
    source.write_text("\n\n".join([*ISSUER, *REPUBLIC, NUMBER, PLACE_DATE, "KẾ HOẠCH", "KIỂM KÊ TÀI SẢN NĂM 2026",
                                   "Ủy ban nhân dân tỉnh giao các sở, ngành thực hiện theo chức năng, nhiệm vụ được giao.", *SIGNATURE]),
                      encoding="utf-8")
    draft = import_document(source, catalogue)
    assert draft.duties == []
    [empty] = [m for m in draft.plan["review"] if m.code == "no_duties"]
    assert "no duty" in empty.en and "không tìm thấy nhiệm vụ" in empty.vi.lower()


def test_a_legacy_doc_without_libreoffice_is_refused_with_what_to_do(tmp_path, monkeypatch):
    from plantrack.importer import word

    path = tmp_path / "old.doc"
    path.write_bytes(bytes.fromhex("D0CF11E0A1B11AE1") + b"\x00" * 2000)  # an OLE2 compound file, as Word 97-2003 writes
    monkeypatch.setattr(word, "soffice", lambda: None)
    with pytest.raises(UnreadableDocument) as refused:
        read_document(path, 10**7, 10**6, 100)
    assert "LibreOffice" in str(refused.value) and ".docx" in refused.value.vi and "LibreOffice" in refused.value.vi


@pytest.mark.skipif(shutil.which("soffice") is None and shutil.which("libreoffice") is None,
                    reason="LibreOffice (soffice) is not installed here: a .doc cannot be made or converted")
def test_a_legacy_doc_is_converted_through_libreoffice(catalogue, tmp_path):
    import subprocess

    docx_path = docx_numbered(tmp_path / "21.docx")
    office = shutil.which("soffice") or shutil.which("libreoffice")
    subprocess.run([office, "--headless", "--convert-to", "doc", "--outdir", str(tmp_path / "doc"), str(docx_path)], check=True, timeout=120)
    draft = import_document(tmp_path / "doc" / "21.doc", catalogue)
    assert draft.plan["number"] == "21/KH-UBND" and any(d["section"] == "II.1" for d in draft.duties)


def test_a_pdfs_layout_lines_give_the_header_paragraphs_and_a_table_over_pages():
    """pypdf's layout lines, written here: the header's two columns, paragraphs with no blank line
    between them (one ends where the next line's first word would have fitted), a number broken
    after its hyphen, page numbers, and a table going on over the next page."""
    from plantrack.importer.pdftext import document_of_pages

    full = "Sở Y tế chủ trì xây dựng kế hoạch tiêm chủng mở rộng cho trẻ em dưới năm tuổi theo Quyết định số 12/QĐ-"
    first = "\n".join([
        "   ỦY BAN NHÂN DÂN                     CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "     TỈNH NGHỆ AN                        Độc lập - Tự do - Hạnh phúc",
        "   Số: 21/KH-UBND                      Nghệ An, ngày 05 tháng 12 năm 2025",
        "KẾ HOẠCH",
        "Phòng, chống dịch bệnh mùa đông",
        "II. NHIỆM VỤ",
        "1. " + full,
        "UBND ngày 02/02/2025 của Ủy ban nhân dân tỉnh và các văn bản hướng dẫn của Bộ Y tế có liên quan",
        "đến công tác này",
        "Bảo đảm kinh phí cho các cơ sở y tế của tỉnh trong cả giai đoạn thực hiện kế hoạch phòng dịch.",
    ])
    table = ["TT  Nội dung                         Cơ quan chủ trì    Thời gian",
             "1   In tài liệu truyền thông         Sở Y tế            Quý II/2026"]
    second = "\n".join(["2", *table, "2   Tập huấn cán bộ y tế xã          Sở Y tế            Năm 2026"])
    third = "\n".join(["3", "3   Kiểm tra việc thực hiện          Sở Y tế            Quý IV/2026",
                       "    tại các xã",
                       "Nơi nhận:"])
    document = document_of_pages(Path("x.pdf"), [first, second, third])
    assert document.header.issuer == ["ỦY BAN NHÂN DÂN", "TỈNH NGHỆ AN"] and document.header.number == "Số: 21/KH-UBND"
    texts = [p.text for p in document.paragraphs]
    assert texts[:6] == [*ISSUER, *REPUBLIC, NUMBER, PLACE_DATE]
    assert f"1. {full}UBND ngày 02/02/2025 của Ủy ban nhân dân tỉnh và các văn bản hướng dẫn của Bộ Y tế có liên quan đến công tác này" in texts
    assert texts[texts.index("II. NHIỆM VỤ") + 2].startswith("Bảo đảm kinh phí")  # "đến công tác này" ended its paragraph
    [tasks] = document.tables
    assert tasks.rows == [["TT", "Nội dung", "Cơ quan chủ trì", "Thời gian"], ["1", "In tài liệu truyền thông", "Sở Y tế", "Quý II/2026"],
                          ["2", "Tập huấn cán bộ y tế xã", "Sở Y tế", "Năm 2026"],
                          ["3", "Kiểm tra việc thực hiện tại các xã", "Sở Y tế", "Quý IV/2026"]]
    assert texts[-1] == "Nơi nhận:" and "2" not in texts and "3" not in texts


def test_words_numbering_restarts_levels_and_honours_a_start_override():
    from docx.oxml import parse_xml
    from docx.oxml.ns import nsdecls

    from plantrack.importer.word import Numbering

    root = parse_xml(f'<w:numbering {nsdecls("w")}><w:abstractNum w:abstractNumId="1">'
                     '<w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="decimal"/><w:lvlText w:val="%1."/></w:lvl>'
                     '<w:lvl w:ilvl="1"><w:start w:val="1"/><w:numFmt w:val="decimal"/><w:lvlText w:val="%1.%2."/></w:lvl>'
                     '<w:lvl w:ilvl="2"><w:start w:val="1"/><w:numFmt w:val="bullet"/><w:lvlText w:val="\uf0b7"/></w:lvl>'
                     '</w:abstractNum><w:num w:numId="1"><w:abstractNumId w:val="1"/></w:num>'
                     '<w:num w:numId="2"><w:abstractNumId w:val="1"/><w:lvlOverride w:ilvl="0"><w:startOverride w:val="5"/>'
                     '</w:lvlOverride></w:num></w:numbering>')
    numbering = Numbering(root)
    labels = [numbering.label(num, level) for num, level in [("1", 0), ("1", 1), ("1", 1), ("1", 2), ("1", 0), ("1", 1), ("2", 0)]]
    assert labels == ["1.", "1.1.", "1.2.", "-", "2.", "2.1.", "5."]


def test_a_style_numbered_by_word_gives_its_labels_and_level(tmp_path):
    """Word templates number their headings through the style: the style's numPr names the list,
    the list's level names the style (w:lvl/w:pStyle)."""
    import docx
    from docx.oxml import parse_xml
    from docx.oxml.ns import nsdecls

    word = docx.Document()
    numbering = word.part.numbering_part.element
    numbering.insert(0, parse_xml(
        f'<w:abstractNum {nsdecls("w")} w:abstractNumId="91">'
        '<w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="upperRoman"/><w:pStyle w:val="Heading1"/><w:lvlText w:val="%1."/></w:lvl>'
        '<w:lvl w:ilvl="1"><w:start w:val="1"/><w:numFmt w:val="decimal"/><w:pStyle w:val="Heading2"/><w:lvlText w:val="%2."/></w:lvl>'
        '</w:abstractNum>'))
    numbering.append(parse_xml(f'<w:num {nsdecls("w")} w:numId="91"><w:abstractNumId w:val="91"/></w:num>'))
    for name in ("Heading 1", "Heading 2"):
        word.styles[name].element.get_or_add_pPr().append(parse_xml(f'<w:numPr {nsdecls("w")}><w:numId w:val="91"/></w:numPr>'))
    for text, style in [("NHIỆM VỤ", "Heading 1"), ("Sở Y tế", "Heading 2"), ("Sở Tài chính", "Heading 2"), ("TỔ CHỨC THỰC HIỆN", "Heading 1"),
                        ("Sở Xây dựng", "Heading 2"), ("Lời văn", None)]:
        word.add_paragraph(text, style=style)
    word.save(tmp_path / "styled.docx")
    document = read_document(tmp_path / "styled.docx", 10**7, 10**6, 100)
    assert [(p.text, p.level) for p in document.paragraphs] == [
        ("I. NHIỆM VỤ", 0), ("1. Sở Y tế", 1), ("2. Sở Tài chính", 1), ("II. TỔ CHỨC THỰC HIỆN", 0), ("1. Sở Xây dựng", 1), ("Lời văn", None)]
