"""A Word document into the document model: a .docx, and a legacy .doc through LibreOffice.

``read_docx(path, data, check)`` walks the body's paragraphs and tables in order (inside content
controls too). python-docx's ``paragraph.text`` leaves out the numbers Word puts in front of a
list's paragraphs, so they are rendered here from ``numbering.xml``: the paragraph's ``numPr``
(or its style's, up the ``basedOn`` chain) names a list and a level; each list (an abstract
numbering, restarted where a ``num`` overrides its start) counts its levels, a level restarting
the ones below it, and the level's ``lvlText`` ("%1.", "%2.%3.", "%3)") is written with each
level's format (decimal, decimalZero, lowerLetter, upperLetter, lowerRoman, upperRoman); a
bullet is written "-" ("+" where Word's is a plus). The label goes in front of the text and
into ``Paragraph.label``; the list level, or n - 1 for a "Heading n" style, into ``level``.

Tables are read from their XML: a cell merged across (``gridSpan``) is one cell that spans its
columns; a cell merged down (``vMerge``) repeats the value of the cell it continues, marked
``continued``. A table near the top that holds the form's header (the republic, "Số: …", the
place and date) is the header block (``model.header_of_columns``): its lines go to the head of
the body, and it is no table. Nor is the closing block laid out in a table ("Nơi nhận:" and the
signature side by side): its lines are paragraphs, column by column.

``convert_doc(path, data)``: a Word 97-2003 file (an OLE2 compound file) converted to .docx by
LibreOffice (``soffice --headless --convert-to docx``) in a temporary folder within
``CONVERT_SECONDS``; where LibreOffice is not installed, ``UnreadableDocument`` says what to do.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

from .model import DATE_LINE, NUMBER_LINE, REPUBLIC, SIGNATURE_LINE, Document, Paragraph, Table, header_of_columns

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
CONVERT_SECONDS = 45  # LibreOffice's conversion of a .doc (the worker's whole read has DOCUMENT_SECONDS)
HEADING = re.compile(r"^(?:Heading|Đầu đề|Tiêu đề)\s*(\d)$", re.IGNORECASE)


# --- numbering ---------------------------------------------------------------------------------

def _roman(number: int) -> str:
    out = ""
    for value, letters in ((1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"), (50, "L"), (40, "XL"),
                           (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I")):
        while number >= value:
            out, number = out + letters, number - value
    return out


def _letters(number: int) -> str:
    """Word's letters: a … z, then aa … zz."""
    number = max(number, 1)
    return chr(ord("a") + (number - 1) % 26) * ((number - 1) // 26 + 1)


def number_text(number: int, fmt: str) -> str:
    if fmt == "decimalZero":
        return f"{number:02d}"
    if fmt == "lowerLetter":
        return _letters(number)
    if fmt == "upperLetter":
        return _letters(number).upper()
    if fmt == "lowerRoman":
        return _roman(number).lower()
    if fmt == "upperRoman":
        return _roman(number)
    if fmt == "none":
        return ""
    return str(number)


class Numbering:
    """The lists of ``numbering.xml`` and their counters, as Word renders them in reading order."""

    def __init__(self, root):
        self.levels: dict[str, dict[int, tuple[str, str, int]]] = {}  # abstract id -> level -> (format, text, start)
        self.nums: dict[str, tuple[str, dict[int, int]]] = {}  # num id -> (abstract id, start overrides)
        self.counts: dict[str, dict[int, int]] = {}
        self.styled: dict[str, int] = {}  # a style linked to a list's level (``w:lvl/w:pStyle``): its level
        self.started: set[str] = set()
        if root is None:
            return
        for abstract in root.iter(f"{W}abstractNum"):
            levels = {}
            for level in abstract.iter(f"{W}lvl"):
                fmt, text, start = (level.find(f"{W}{name}") for name in ("numFmt", "lvlText", "start"))
                linked = level.find(f"{W}pStyle")
                if linked is not None:
                    self.styled[linked.get(f"{W}val")] = int(level.get(f"{W}ilvl", "0"))
                levels[int(level.get(f"{W}ilvl", "0"))] = (fmt.get(f"{W}val", "decimal") if fmt is not None else "decimal",
                                                           text.get(f"{W}val", "") if text is not None else "",
                                                           int(start.get(f"{W}val", "1")) if start is not None else 1)
            self.levels[abstract.get(f"{W}abstractNumId")] = levels
        for num in root.iter(f"{W}num"):
            abstract = num.find(f"{W}abstractNumId")
            overrides = {}
            for override in num.iter(f"{W}lvlOverride"):
                start = override.find(f"{W}startOverride")
                if start is not None:
                    overrides[int(override.get(f"{W}ilvl", "0"))] = int(start.get(f"{W}val", "1"))
            if abstract is not None:
                self.nums[num.get(f"{W}numId")] = (abstract.get(f"{W}val"), overrides)

    def label(self, num_id: str, level: int) -> str:
        """The next label of list ``num_id`` at ``level``; "" where there is none."""
        if num_id not in self.nums:
            return ""
        abstract, overrides = self.nums[num_id]
        levels = self.levels.get(abstract, {})
        if level not in levels:
            return ""
        counts = self.counts.setdefault(abstract, {})
        if num_id not in self.started:
            self.started.add(num_id)
            for at, start in overrides.items():
                counts[at] = start - 1
        counts[level] = counts.get(level, levels[level][2] - 1) + 1
        for deeper in [k for k in counts if k > level]:  # a level restarts the ones below it
            del counts[deeper]
        fmt, text, _ = levels[level]
        if fmt == "bullet":
            return "+" if text.strip() == "+" else "-"

        def value(match: re.Match) -> str:
            at = int(match[1]) - 1
            if at not in levels:
                return ""
            return number_text(counts.get(at, levels[at][2]), levels[at][0])

        return re.sub(r"%(\d)", value, text).strip()


def _num_pr(p, styles: dict, styled: dict[str, int]) -> tuple[str, int] | None:
    """The list (numId) and level of a paragraph: its own ``numPr`` or its style's (up the
    ``basedOn`` chain); a style's level is the one the list links to it, else 0."""
    ppr = p.find(f"{W}pPr")
    num_pr = ppr.find(f"{W}numPr") if ppr is not None else None
    style = ppr.find(f"{W}pStyle") if ppr is not None else None
    style_id = owner = style.get(f"{W}val") if style is not None else None
    seen = 0
    while num_pr is None and style_id in styles and seen < 10:
        element, based_on = styles[style_id]
        ppr = element.find(f"{W}pPr")
        num_pr = ppr.find(f"{W}numPr") if ppr is not None else None
        owner = style_id
        style_id, seen = based_on, seen + 1
    if num_pr is None:
        return None
    num, ilvl = num_pr.find(f"{W}numId"), num_pr.find(f"{W}ilvl")
    if num is None or num.get(f"{W}val") in (None, "0"):
        return None
    level = int(ilvl.get(f"{W}val", "0")) if ilvl is not None else styled.get(owner or "", 0)
    return num.get(f"{W}val"), level


# --- the body ----------------------------------------------------------------------------------

class _Reader:
    def __init__(self, word):
        from .reading import clean

        self.clean = clean
        self.part = word.part
        try:
            self.numbering = Numbering(word.part.numbering_part.element)
        except (KeyError, NotImplementedError, AttributeError):
            self.numbering = Numbering(None)
        self.styles: dict[str, tuple] = {}
        self.heading: dict[str, int] = {}
        try:
            for style in word.styles.element.iter(f"{W}style"):
                style_id = style.get(f"{W}styleId")
                based = style.find(f"{W}basedOn")
                self.styles[style_id] = (style, based.get(f"{W}val") if based is not None else None)
                name = style.find(f"{W}name")
                heading = HEADING.match(name.get(f"{W}val", "") if name is not None else "")
                if heading:
                    self.heading[style_id] = int(heading[1]) - 1
        except (KeyError, AttributeError):
            pass

    def paragraph(self, p) -> tuple[str, str, int | None]:
        """A paragraph's text (its soft line breaks kept as "\\n"), label and level."""
        from docx.text.paragraph import Paragraph as DocxParagraph

        text = DocxParagraph(p, self.part).text
        numbered = _num_pr(p, self.styles, self.numbering.styled)
        label, level = "", None
        if numbered:
            label, level = self.numbering.label(*numbered), numbered[1]
        ppr = p.find(f"{W}pPr")
        style = ppr.find(f"{W}pStyle") if ppr is not None else None
        if level is None and style is not None and style.get(f"{W}val") in self.heading:
            level = self.heading[style.get(f"{W}val")]
        if label and text.strip() and not text.lstrip().startswith(label):
            text = f"{label} {text.lstrip()}"
        return text, label, level

    def cell_text(self, tc) -> str:
        lines = []
        for p in tc.iter(f"{W}p"):
            text, _, _ = self.paragraph(p)
            lines += [self.clean(part) for part in text.split("\n") if self.clean(part)]
        return "\n".join(lines)

    def table(self, tbl, number: int) -> Table:
        rows, continued, spans = [], [], []
        above: dict[int, str] = {}  # grid column -> the value of the cell that starts a merge down
        for tr in tbl.findall(f"{W}tr"):
            cells, marks, widths, column = [], [], [], 0
            for tc in tr.findall(f"{W}tc"):
                tcpr = tc.find(f"{W}tcPr")
                span_el = tcpr.find(f"{W}gridSpan") if tcpr is not None else None
                merge = tcpr.find(f"{W}vMerge") if tcpr is not None else None
                span = int(span_el.get(f"{W}val", "1")) if span_el is not None else 1
                if merge is not None and merge.get(f"{W}val", "continue") == "continue":
                    cells.append(above.get(column, ""))
                    marks.append(True)
                else:
                    text = self.cell_text(tc)
                    cells.append(text)
                    marks.append(False)
                    above[column] = text
                widths.append(span)
                column += span
            rows.append(cells)
            continued.append(marks)
            spans.append(widths)
        return Table(rows, number, continued, spans)


def _is_closing_table(table: Table) -> bool:
    """The closing block laid out in a table: "Nơi nhận:" and its list on the left, the signature
    ("TM. ỦY BAN NHÂN DÂN", "KT. CHỦ TỊCH", the name) on the right."""
    lines = [line for row in table.rows for cell in row for line in cell.split("\n")]
    return len(table.rows) <= 3 and max(len(r) for r in table.rows) <= 3 and any(SIGNATURE_LINE.match(t) for t in lines)


def _is_header_table(table: Table) -> bool:
    lines = [line for row in table.rows for cell in row for line in cell.split("\n")]
    return any(REPUBLIC.match(t) for t in lines) or (any(NUMBER_LINE.match(t) for t in lines) and any(DATE_LINE.search(t) for t in lines))


def read_docx(path: Path, word) -> Document:
    """The model of an opened python-docx document (see the module's contract)."""
    reader = _Reader(word)
    document = Document(path, "docx", where="paragraph")
    number = 0
    header_found = False  # the header's table has come: a table now is no header

    def walk(parent) -> None:
        nonlocal number, header_found
        for child in parent:
            if child.tag == f"{W}sdt":
                content = child.find(f"{W}sdtContent")
                if content is not None:
                    walk(content)
                continue
            if child.tag == f"{W}p":
                number += 1
                text, label, level = reader.paragraph(child)
                # A paragraph may hold soft line breaks; a heading and its text are kept apart.
                for position, part in enumerate(text.split("\n")):
                    cleaned = reader.clean(part)
                    if cleaned:
                        document.blocks.append(Paragraph(cleaned, number, label if position == 0 else "", level if position == 0 else None))
            elif child.tag == f"{W}tbl":
                number += 1
                table = reader.table(child, number)
                if not header_found and number <= 80 and _is_header_table(table):
                    header_found = True
                    grid = table.grid()
                    left = [line for row in grid for line in (row[0] if row else "").split("\n") if line]
                    right = [line for row in grid for cell in row[1:] for line in cell.split("\n") if line]
                    columns = header_of_columns(left, right)
                    for field in ("issuer", "republic", "other"):
                        getattr(document.header, field).extend(getattr(columns, field))
                    document.header.number = document.header.number or columns.number
                    document.header.place_date = document.header.place_date or columns.place_date
                    document.blocks += [Paragraph(line, number) for line in columns.lines()]
                elif table.rows and _is_closing_table(table):  # its lines as a plain text has them: column by column
                    grid = table.grid()
                    for column in range(max(len(r) for r in grid)):
                        document.blocks += [Paragraph(line, number) for row in grid if column < len(row)
                                            for line in row[column].split("\n") if line]
                else:
                    document.blocks.append(table)

    walk(word.element.body)
    return document


# --- legacy .doc -------------------------------------------------------------------------------

def soffice() -> str | None:
    """LibreOffice's command, where it is installed."""
    return shutil.which("soffice") or shutil.which("libreoffice")


def convert_doc(path: Path, data: bytes) -> bytes:
    """The .docx LibreOffice makes of a legacy .doc (``data``); ``UnreadableDocument`` where it
    is not installed, fails or takes longer than ``CONVERT_SECONDS``."""
    from .reading import UnreadableDocument

    office = soffice()
    if office is None:
        raise UnreadableDocument(
            f"{path}: a legacy Word document (.doc); LibreOffice (soffice) is not installed here to convert it: "
            "save it as .docx in Word (File > Save As) or install LibreOffice",
            "Tệp Word cũ (.doc): máy chủ chưa cài LibreOffice để chuyển đổi. Hãy mở tệp trong Word, lưu lại dạng .docx "
            "(Tệp > Lưu thành) rồi tải lên.")
    with tempfile.TemporaryDirectory(prefix="plantrack-doc-") as folder:
        source = Path(folder) / "document.doc"
        source.write_bytes(data)
        out = Path(folder) / "out"
        profile = Path(folder) / "profile"  # its own profile: no lock shared with a LibreOffice already running
        try:
            subprocess.run([office, f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to", "docx",
                            "--outdir", str(out), str(source)], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL, timeout=CONVERT_SECONDS, check=False,
                           env={**os.environ, "HOME": folder})
        except subprocess.TimeoutExpired:
            raise UnreadableDocument(f"{path}: LibreOffice took more than {CONVERT_SECONDS} s to convert the .doc",
                                     f"Chuyển đổi tệp .doc quá {CONVERT_SECONDS} giây: hãy lưu lại dạng .docx rồi tải lên.") from None
        except OSError as exc:
            raise UnreadableDocument(f"{path}: LibreOffice could not be run ({exc})",
                                     "Không chạy được LibreOffice để chuyển đổi tệp .doc: hãy lưu lại dạng .docx rồi tải lên.") from None
        converted = out / "document.docx"
        if not converted.exists():
            raise UnreadableDocument(f"{path}: LibreOffice could not convert the .doc (damaged?)",
                                     "LibreOffice không chuyển đổi được tệp .doc (tệp hỏng?): hãy lưu lại dạng .docx rồi tải lên.")
        return converted.read_bytes()

