"""The document model every reader produces (.docx, PDF, text): a header block, and the body's
paragraphs and tables in reading order.

- ``Paragraph``: its text (with the numbering label written out in front, as a plain text has
  it, also where Word numbers it itself), where it starts, the label alone ("II.", "3.", "b)",
  "-") and its level (0 for a part, 1 for an item…) where the format says so (Word's list level,
  a "Heading n" style), else None.
- ``Table``: rows of cells in reading order. A cell merged across columns is counted once (its
  ``spans`` says how many grid columns it covers); a cell merged down repeats its value in each
  row it covers, and ``continued`` marks the repeats (True where the cell goes on from the row
  above).
- ``HeaderBlock``: the first page's form of Decree 30/2020: the issuing body's lines (left
  column), the republic and its motto (right column), the number ("Số: …") and the place and
  date, and the title's lines (the kind, "KẾ HOẠCH", and what follows in capitals). A reader
  that sees the two columns (a .docx's header table, a PDF's columns) fills it from them and puts
  its lines at the head of the body in the order a plain text has them (``HeaderBlock.lines``);
  for the rest ``find_header`` reads it from the paragraphs.

The readers are ``reading`` (text, the entry point), ``word`` (.docx, .doc) and ``pdftext``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

REPUBLIC = re.compile(r"^CỘNG\s+H[OÒ]À?\s+XÃ\s+HỘI|^CỘNG\s+HOÀ|^CỘNG\s+HÒA|^Độc\s+lập\s*[-–]\s*Tự\s+do", re.IGNORECASE)
NUMBER_LINE = re.compile(r"^Số\s*:", re.IGNORECASE)
DATE_LINE = re.compile(r"^[^,\d]{2,40},\s*ngày\s+\d|ngày\s+\d{1,2}\s+tháng\s+\d{1,2}", re.IGNORECASE)
KIND_LINE = re.compile(r"^(?:KẾ HOẠCH|QUYẾT ĐỊNH|CHỈ THỊ|THÔNG BÁO|CÔNG ĐIỆN|CHƯƠNG TRÌNH|NGHỊ QUYẾT|CÔNG VĂN)\b")
SIGNATURE_LINE = re.compile(r"^(?:Nơi\s+nhận\s*:?|TM\.|KT\.|Q\.\s|TL\.|TUQ\.)", re.IGNORECASE)  # the closing block
RULE = re.compile(r"^[-_=*.–—\s]*$")  # a rule under a heading: "-------"


@dataclass
class Paragraph:
    text: str
    line: int  # where it starts: a line of a text file, a paragraph of a .docx, a page of a PDF
    label: str = ""  # its numbering label, where the format gives it apart ("II.", "3.", "b)", "-")
    level: int | None = None  # 0 a part, 1 an item, 2 a sub-item… where the format says so


@dataclass
class Table:
    rows: list[list[str]]
    line: int
    continued: list[list[bool]] | None = None  # per cell: the value goes on from the row above (merged down)
    spans: list[list[int]] | None = None  # per cell: how many grid columns it covers (merged across)

    def __post_init__(self):
        self.continued = self.continued or []
        self.spans = self.spans or []
        self.pad()

    def pad(self) -> None:
        """Rows added without their marks (a table going on over a page) get plain cells'."""
        self.continued += [[False] * len(row) for row in self.rows[len(self.continued):]]
        self.spans += [[1] * len(row) for row in self.rows[len(self.spans):]]

    def grid(self) -> list[list[str]]:
        """The rows with a cell per grid column: a cell merged across is followed by empty ones."""
        return [[part for cell, span in zip(row, spans) for part in [cell, *[""] * (span - 1)]]
                for row, spans in zip(self.rows, self.spans)]


@dataclass
class HeaderBlock:
    issuer: list[str] = field(default_factory=list)
    republic: list[str] = field(default_factory=list)
    number: str | None = None
    place_date: str | None = None
    title: list[str] = field(default_factory=list)
    other: list[str] = field(default_factory=list)  # the columns' other lines ("V/v …", a second date line)

    def lines(self) -> list[str]:
        """The header as a plain text has it: issuer, republic, number, place and date."""
        return [*self.issuer, *self.republic, *filter(None, [self.number]), *self.other, *filter(None, [self.place_date])]


@dataclass
class Document:
    path: Path
    kind: str  # "docx", "pdf", "text"
    blocks: list[Paragraph | Table] = field(default_factory=list)
    where: str = "line"  # what ``line`` counts: "line", "paragraph", "page"
    header: HeaderBlock = field(default_factory=HeaderBlock)

    @property
    def paragraphs(self) -> list[Paragraph]:
        return [b for b in self.blocks if isinstance(b, Paragraph)]

    @property
    def tables(self) -> list[Table]:
        return [b for b in self.blocks if isinstance(b, Table)]

    @property
    def chars(self) -> int:
        return sum(len(b.text) if isinstance(b, Paragraph) else sum(len(c) for r in b.rows for c in r) for b in self.blocks)


def header_of_columns(left: list[str], right: list[str]) -> HeaderBlock:
    """The header block of the form's two columns, each a list of lines: on the left the issuing
    body then "Số: …" (and "V/v …"), on the right the republic, its motto, then the place and date
    (perhaps over two lines: "Nghệ An, ngày 05 tháng 12" / "năm 2025")."""
    block = HeaderBlock()
    left = [t for t in left if not RULE.match(t)]
    right = [t for t in right if not RULE.match(t)]
    for position, text in enumerate(left):
        if NUMBER_LINE.match(text) and block.number is None:
            block.number = text
        elif block.number is None:
            block.issuer.append(text)
        else:
            block.other.append(text)
    dated = next((i for i, t in enumerate(right) if DATE_LINE.search(t)), None)
    if dated and not REPUBLIC.match(right[dated - 1]) and not right[dated - 1].isupper() and "," not in right[dated - 1]:
        dated -= 1  # the place's name wrapped: "Thành phố Hồ Chí" / "Minh, ngày 21 tháng 11 năm 2025"
        right = [*right[:dated], f"{right[dated]} {right[dated + 1]}", *right[dated + 2:]]
    if dated is None and block.number is None:  # "Số: …" in the right column's place: the columns the other way round
        dated = len(right)
    block.republic = right[:dated] if dated is not None else right
    if dated is not None and dated < len(right):
        date = " ".join(right[dated:dated + 2]) if not re.search(r"năm\s+\d{4}", right[dated]) else right[dated]
        block.place_date = date
        block.other += right[dated + (1 if date == right[dated] else 2):]
    return block


def find_header(document: Document) -> None:
    """Fill what the reader left of ``document.header`` from the paragraphs: the issuer's lines
    above the republic, the number, the place and date, and the title's lines."""
    header = document.header
    texts = [p.text for p in document.paragraphs[:80]]
    republic = next((i for i, t in enumerate(texts) if REPUBLIC.match(t)), None)
    if republic is not None and not header.republic:
        header.republic = [texts[republic]]
        if not header.issuer:
            header.issuer = [t for t in texts[max(0, republic - 3):republic] if t.isupper()]
    start = republic or 0
    for index, text in enumerate(texts[start:start + 40], start):
        if header.number is None and NUMBER_LINE.match(text):
            header.number = text
        elif header.place_date is None and DATE_LINE.match(text):
            header.place_date = text
        elif not header.title and KIND_LINE.match(text):
            header.title = [text]
            for later in texts[index + 1:index + 4]:
                if not later.isupper():
                    break
                header.title.append(later)
            break
