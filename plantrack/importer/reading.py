"""A plan document as the document model (``model``): a header block, and paragraphs and tables
in reading order.

``read_document(path)`` takes a .docx (``word``: Word's own numbering written out, the header
table read into the header, every table with its merged cells), a legacy .doc (converted to
.docx by LibreOffice where it is installed), a PDF with a text layer (pypdf's layout extraction,
``pdftext``: the header's two columns, tables, paragraphs rebuilt from the lines) or plain UTF-8
text. The kind is told by the content, not the name. Limits come before work: the file's size
(``MAX_IMPORT_BYTES``); a .docx's members, inflated through ``untrusted.check_zip``
(``DOCUMENT_INFLATED``) before python-docx opens it; a PDF's pages, counted before any is
extracted, each page's content streams (``PDF_STREAM_BYTES``, sixteen times that in all) and the
text read (``MAX_IMPORT_CHARS``, counted page by page as they are extracted). Run it through
``untrusted.read_document_bounded`` (as ``import_document`` does): the worker process bounds its
time and memory.

Plain text and a PDF's text come hard-wrapped: a paragraph is cut into lines, and a table
into one cell per paragraph. Lines are joined into paragraphs here; a new one starts after a
blank line, or at a line that opens with a section mark ("I.", "1.", "1.1.", "a)", "-", "+"),
a label ("Cơ quan chủ trì:", "Thời gian thực hiện:") or a line of the header's form, where a
heading in capitals begins or ends, and after a line that ends a sentence. Tables flattened so are
put back together by ``structure``. A copy from the web may hold a table as rows of cells between
bars ("| 1 | Nội dung | Sở X | Quý IV/2025 |"): a run of such lines is a table (a row of dashes
under the header aside).

A document that cannot be read raises ``UnreadableDocument`` saying what could not be read (a
scanned PDF without text, an empty file, a foreign one, a .doc where LibreOffice is missing);
nothing is written.
"""

from __future__ import annotations

import re
import unicodedata
import zipfile
from pathlib import Path

from ..errors import PlantrackError
from ..settings import DOCUMENT_INFLATED, PDF_STREAM_BYTES
from .model import Document, HeaderBlock, Paragraph, Table, find_header

OLE2 = bytes.fromhex("D0CF11E0A1B11AE1")  # a compound file: Word 97-2003's .doc

__all__ = ["Document", "HeaderBlock", "Paragraph", "Table", "UnreadableDocument", "clean", "paragraphs_of_lines", "read_document"]


class UnreadableDocument(PlantrackError):
    """A document the importer cannot read; ``vi`` words it for a coordinator."""

    def __init__(self, message: str, vi: str):
        super().__init__(message)
        self.vi = vi


MARK = re.compile(r"^(?:[IVXLC]+\.\s|[A-Z]\.\s|\d{1,3}\.(?:\d+\.)*\s|\d{1,3}(?:\.\d+)+\s|[a-zđ]\)\s|[-–+•]\s|\(\d+\)\s|Điều\s+\d+\.)")  # not "2027. "
BARE_MARK = re.compile(r"[IVXLC]+\.?|[A-Z]\.|\d{1,3}(?:\.\d+)*\.?|[a-zđ]\)")
FORM = re.compile(r"^(?:Số\s*:|CỘNG\s+HÒA|CỘNG\s+HOÀ|Căn\s+cứ\s|Thực\s+hiện\s|Nơi\s+nhận|TM\.|KT\.|[^,\d]{2,40},\s*ngày\s+\d)")  # the header's lines
LABEL = re.compile(r"^(?:Cơ quan|Đơn vị)\s+(?:chủ trì|phối hợp)|^(?:Thời gian|Thời hạn)\s+(?:thực hiện|hoàn thành)|^Sản phẩm|^Nơi nhận",
                   re.IGNORECASE)


def clean(text: str) -> str:
    """One line of text: NFC, spaces collapsed; footnote marks ("[1]"), a web copy's emphasis
    ("**") and control characters out."""
    text = unicodedata.normalize("NFC", text)
    text = re.sub(r"\[\d{1,3}\]", "", text)
    text = text.replace("**", "").replace("__", "")  # emphasis of a copy from the web ("Số: **03** /KH-BCĐ389")
    text = re.sub(r"(\d)\s+/\s*(?=[A-ZĐ])", r"\1/", text)  # "03 /KH-BCĐ389": a number written apart
    text = "".join(" " if unicodedata.category(c)[0] in "CZ" else c for c in text)
    return " ".join(text.split())


def paragraphs_of_lines(lines: list[str], first_line: int = 1, starts: set[int] | None = None) -> list[Paragraph]:
    """Hard-wrapped lines joined into paragraphs (see the module's contract); ``starts``: the
    indexes of lines known to open one (a PDF's indented first lines)."""
    found: list[Paragraph] = []
    current: list[str] = []
    start = first_line

    def close() -> None:
        if current:
            text = clean(" ".join(current))
            if text:
                found.append(Paragraph(text, start))
            current.clear()

    for number, raw in enumerate(lines, first_line):
        line = clean(raw)
        if not line or set(line) <= set("-_=*. "):  # a blank line, or a rule under a heading
            close()
            continue
        if current and (starts and number - first_line in starts or _starts_paragraph(current[-1], line)):
            close()
        if not current:
            start = number
        current.append(line)
    close()
    return found


def _caps(text: str) -> bool:
    letters = [c for c in text if c.isalpha()]
    return len(letters) >= 2 and all(c.isupper() for c in letters)


def _starts_paragraph(previous: str, line: str) -> bool:
    """Whether ``line`` opens a paragraph after ``previous`` in hard-wrapped text: a section
    mark, a label, a line of the header's form, a heading in capitals beginning or ending, or a
    sentence ended with the line before it."""
    if BARE_MARK.fullmatch(previous):  # "III." or "1." alone on its line: its heading follows
        return False
    if MARK.match(line) or (LABEL.match(line) and line[:1].isupper()) or FORM.match(line):
        return True
    if _caps(previous) != _caps(line) and not (previous.endswith(",") and " " not in line):  # not "…, vốn quốc tế," / "PPP."
        return True
    return previous.endswith((".", ":", ";")) and line[:1].isupper() and not previous.endswith(("TP.", "Tp.", "St.", "v.v."))


def read_document(path: Path, max_bytes: int, max_chars: int, max_pages: int) -> Document:
    path = Path(path)
    try:
        size = path.stat().st_size
        if size > max_bytes:
            raise UnreadableDocument(f"{path}: {size:,} bytes; a document may have at most {max_bytes:,}",
                                     f"Tệp {size:,} byte, quá giới hạn {max_bytes:,} byte.")
        data = path.read_bytes()
    except OSError as exc:
        raise UnreadableDocument(f"{path}: cannot be read ({exc.strerror or exc})", "Không đọc được tệp.") from None
    if not data.strip():
        raise UnreadableDocument(f"{path}: the file is empty", "Tệp rỗng.")
    if data[:8] == OLE2:  # Word 97-2003
        from .word import convert_doc

        document = _docx(path, convert_doc(path, data))
    elif data[:4] == b"PK\x03\x04":
        document = _docx(path, data)
    elif data[:5] == b"%PDF-":
        document = _pdf(path, data, max_pages, max_chars)
    else:
        document = _text(path, data)
    if document.chars > max_chars:
        raise UnreadableDocument(f"{path}: {document.chars:,} characters of text; a plan may have at most {max_chars:,}",
                                 f"Văn bản dài {document.chars:,} ký tự, quá giới hạn {max_chars:,}.")
    if not any(isinstance(b, Table) or b.text.strip() for b in document.blocks):
        raise UnreadableDocument(f"{path}: no text in it", "Văn bản không có chữ.")
    find_header(document)
    return document


def _text(path: Path, data: bytes) -> Document:
    for encoding in ("utf-8-sig", "utf-16"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise UnreadableDocument(f"{path}: neither a .docx, a PDF nor UTF-8 text", "Không phải tệp .docx, PDF hay văn bản UTF-8.")
    if "\x00" in text:
        raise UnreadableDocument(f"{path}: a binary file, not a .docx, a PDF or text", "Tệp nhị phân, không phải .docx, PDF hay văn bản.")
    document = Document(path, "text")
    lines = text.splitlines()
    run_from = 0
    index = 0
    while index < len(lines):
        if BAR_ROW.match(lines[index]):
            end = index
            while end < len(lines) and BAR_ROW.match(lines[end]):
                end += 1
            if end - index >= 2:
                document.blocks += paragraphs_of_lines(lines[run_from:index], run_from + 1)
                document.blocks.append(_bar_table(lines[index:end], index + 1))
                run_from = index = end
                continue
        index += 1
    document.blocks += paragraphs_of_lines(lines[run_from:], run_from + 1)
    return document


BAR_ROW = re.compile(r"^\s*\|.*\|\s*$")


def _bar_table(lines: list[str], line: int) -> Table:
    """Rows of cells between bars; the row of dashes under a header ("|---|:---|") aside."""
    rows = []
    for text in lines:
        cells = [clean(c) for c in text.strip().strip("|").split("|")]
        if all(re.fullmatch(r":?-{2,}:?", c) or not c for c in cells):
            continue
        rows.append(cells)
    return Table(rows, line)


def _docx(path: Path, data: bytes) -> Document:
    import io

    import docx

    from ..untrusted import Refused, check_zip

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            if "word/document.xml" not in archive.namelist():
                raise UnreadableDocument(f"{path}: a ZIP archive but not a Word document (.docx)", "Tệp nén nhưng không phải văn bản Word (.docx).")
        try:  # every member through the counting reader before python-docx inflates any
            check_zip(data, max_total=DOCUMENT_INFLATED)
        except Refused as exc:
            raise UnreadableDocument(f"{path}: {exc}", exc.vi) from None
        word = docx.Document(io.BytesIO(data))
    except UnreadableDocument:
        raise
    except Exception as exc:  # python-docx raises several kinds on a damaged file
        raise UnreadableDocument(f"{path}: not a readable .docx ({type(exc).__name__})", "Tệp .docx bị hỏng, không đọc được.") from None
    from .word import read_docx

    return read_docx(path, word)


def _content_bytes(page) -> int:
    """What a page's content streams and its form XObjects decode to, in bytes."""
    from pypdf.generic import ArrayObject

    def streams(value):
        value = value.get_object() if value is not None else None
        if isinstance(value, ArrayObject):
            return [item.get_object() for item in value]
        return [value] if value is not None else []

    total = sum(len(s.get_data()) for s in streams(page.get("/Contents")))
    resources = page.get("/Resources")
    objects = resources.get_object().get("/XObject") if resources is not None else None
    for item in (objects.get_object().values() if objects is not None else []):
        item = item.get_object()
        if item.get("/Subtype") == "/Form":
            total += len(item.get_data())
    return total


def _pdf(path: Path, data: bytes, max_pages: int, max_chars: int) -> Document:
    import io
    import logging

    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    from .pdftext import document_of_pages, page_text

    logging.getLogger("pypdf").setLevel(logging.ERROR)
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            raise UnreadableDocument(f"{path}: the PDF is encrypted", "Tệp PDF có mật khẩu, không đọc được.")
        count = len(reader.pages)  # the page tree only: nothing is extracted before the limits
        if count > max_pages:
            raise UnreadableDocument(f"{path}: {count} pages; a plan may have at most {max_pages}",
                                     f"Tệp PDF có {count} trang, quá giới hạn {max_pages}.")
        pages, chars, streamed = [], 0, 0
        for number, page in enumerate(reader.pages, 1):
            size = _content_bytes(page)
            streamed += size
            if size > PDF_STREAM_BYTES or streamed > PDF_STREAM_BYTES * 16:
                raise UnreadableDocument(f"{path}: page {number}'s content streams decode to {size:,} bytes ({streamed:,} so far); "
                                         f"at most {PDF_STREAM_BYTES:,} a page, {PDF_STREAM_BYTES * 16:,} in all",
                                         f"Trang {number} của tệp PDF có nội dung quá lớn để đọc.")
            text = page_text(page)
            chars += len(" ".join(text.split()))
            if chars > max_chars:  # counted page by page: the rest is not extracted
                raise UnreadableDocument(f"{path}: more than {max_chars:,} characters of text by page {number}",
                                         f"Văn bản dài quá {max_chars:,} ký tự (đến trang {number}).")
            pages.append(text)
    except UnreadableDocument:
        raise
    except (PdfReadError, Exception) as exc:  # a damaged PDF fails in many ways inside pypdf
        raise UnreadableDocument(f"{path}: not a readable PDF ({type(exc).__name__})", "Tệp PDF bị hỏng, không đọc được.") from None
    if not any(p.strip() for p in pages):
        raise UnreadableDocument(
            f"{path}: the PDF has no text layer (a scan?): run it through OCR, or import the .docx",
            "Tệp PDF không có lớp chữ (bản quét?): hãy nhận dạng chữ (OCR) hoặc dùng bản .docx.")
    return document_of_pages(path, pages)
