"""Plan documents in the formats agencies send, made from the corpus texts for the import tests:
a .docx (python-docx) with the body's paragraphs and a real Word table, and a PDF printed by
Debian's chromium (a real text layer, as a word processor's export has)."""

from __future__ import annotations

import html
import re
import shutil
from pathlib import Path

from .conftest import ROOT

CORPUS = ROOT.parent / "shared" / "corpus" / "plans"
CHROMIUM = shutil.which("chromium")
NGHE_AN = CORPUS / "c5d930a5fc8373cd_980-KH-UBND.txt"
CAN_THO = CORPUS / "d40513a8b25883ec_159-KH-UBND.txt"

# The first rows of Nghệ An 980/KH-UBND's Phụ lục, cell by cell as the text gives them.
NGHE_AN_TABLE = [
    ["TT", "Nội dung thực hiện", "Cơ quan chủ trì", "Cơ quan phối hợp", "Thời gian hoàn thành", "Sản phẩm dự kiến"],
    ["I", "KIỆN TOÀN VÀ HOÀN THIỆN CƠ CHẾ CHỈ ĐẠO, ĐIỀU HÀNH PHÒNG THỦ DÂN SỰ", "", "", "", ""],
    ["1", "Tổ chức lại Ban Chỉ huy Phòng thủ dân sự cấp tỉnh, cấp xã; ban hành quy chế hoạt động của Ban Chỉ huy phòng thủ dân sự "
          "các cấp (Điều 7, 8 Nghị định)", "Bộ CHQS tỉnh; UBND cấp xã", "Văn phòng Ban Chỉ huy; các sở, ban, ngành",
     "Trước ngày 30/11/2025", "Quyết định của Chủ tịch UBND cấp tỉnh, cấp xã"],
    ["II", "TRIỂN KHAI ĐỒNG BỘ VĂN BẢN QUY PHẠM PHÁP LUẬT, CƠ CHẾ, CHÍNH SÁCH VỀ PHÒNG THỦ DÂN SỰ", "", "", "", ""],
    ["1", "Triển khai thực hiện một số nội dung chi, mức chi đặc thù trong nội dung chi ngân sách cho hoạt động phòng thủ dân sự.",
     "Sở Tài chính", "Cơ quan, địa phương liên quan", "Thường xuyên", ""],
    ["2", "Triển khai thực hiện khi có sửa đổi hoặc ban hành mới Quyết định thay thế Quyết định số 118/2008/QĐ-TTg ngày 27/8/2008 "
          "của Thủ tướng Chính phủ ban hành Quy chế quản lý tài chính đối với hoạt động tìm kiếm cứu nạn, cứu hộ, ứng phó thiên tai, thảm họa.",
     "Sở Tài chính", "Cơ quan, địa phương liên quan", "2025", ""],
    ["5", "Hướng dẫn thanh toán chi phí khám bệnh, chữa bệnh, xử lý môi trường, phòng, chống dịch bệnh nguy hiểm trong phòng thủ dân sự",
     "Sở Y tế", "Sở Tài chính và cơ quan, địa phương liên quan", "2025", ""],
]


def paragraphs_of(path: Path) -> list[str]:
    """The text's paragraphs as a word processor holds them: after a blank line, or at a line
    that opens with a section mark (the corpus copies run some sections together)."""
    paragraphs: list[list[str]] = [[]]
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip() or re.match(r"^(?:[IVX]+\.|\d+\.|[a-zđ]\)|[-+])\s", line):
            paragraphs.append([])
        if line.strip():
            paragraphs[-1].append(line.strip())
    return [" ".join(p) for p in paragraphs if p]


def corpus_paragraphs(path: Path) -> list[str]:
    """The text's paragraphs before its task table."""
    paragraphs = paragraphs_of(path)
    start = next((i for i, p in enumerate(paragraphs) if p.startswith("ỦY BAN") or p.startswith("THỦ TƯỚNG")), 0)
    end = next((i for i, p in enumerate(paragraphs) if p.startswith("PHỤ LỤC")), len(paragraphs))
    return paragraphs[start:end]


def docx_of(path: Path, out: Path, table: list[list[str]] | None = None) -> Path:
    import docx

    word = docx.Document()
    for paragraph in corpus_paragraphs(path):
        word.add_paragraph(paragraph)
    if table:
        word.add_paragraph("PHỤ LỤC")
        word.add_paragraph("DANH MỤC NHIỆM VỤ")
        grid = word.add_table(rows=0, cols=len(table[0]))
        for row in table:
            cells = grid.add_row().cells
            for cell, text in zip(cells, row):
                cell.text = text
            if row[0] in ("I", "II") and not any(row[2:]):  # a group's row: its title across the columns
                cells[1].merge(cells[-1])
    word.save(out)
    return out


def pdf_of(path: Path, out: Path) -> Path:
    """The text printed to PDF by chromium, one paragraph per paragraph of the text."""
    from playwright.sync_api import sync_playwright

    paragraphs = paragraphs_of(path)
    start = next((i for i, p in enumerate(paragraphs) if p.startswith("ỦY BAN") or p.startswith("THỦ TƯỚNG")), 0)
    body = "".join(f"<p>{html.escape(p)}</p>" for p in paragraphs[start:])
    document = (f"<!DOCTYPE html><html lang='vi'><meta charset='utf-8'><style>body{{font-family:'DejaVu Sans',sans-serif;"
                f"font-size:11pt}} p{{margin:0 0 .6em}}</style><body>{body}</body></html>")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        page = browser.new_page()
        page.set_content(document)
        page.pdf(path=str(out), format="A4")
        browser.close()
    return out


def draft_of(tmp_path: Path, text: str, catalogue):
    """The draft of a plan written in a test, read as a text file."""
    from plantrack.importer import import_document

    source = tmp_path / "doc.txt"
    source.write_text(text, encoding="utf-8")
    return import_document(source, catalogue)
