"""A plan's body as candidate duties: its section tree, its labels and its task tables.

Decree 30/2020 gives the form: parts "I.", "II." (with a heading in capitals), items "1.",
"1.1." or "a)", bullets "-" and "+", and appendices ("PHỤ LỤC") that hold task tables (TT | Nội
dung | Cơ quan chủ trì | Cơ quan phối hợp | Thời gian | Sản phẩm). ``read_items`` walks the
blocks and returns one ``Item`` for each numbered item of a part that assigns work (nhiệm vụ,
giải pháp, nội dung, tổ chức thực hiện, báo cáo…; not mục đích, mục tiêu, kinh phí) and one for
each row of a task table (for each sub-task where a row holds several, each with its time).
An item keeps its section reference ("III.2.a", "PL I.3"), its words, the phrases naming its
lead and support units (from a label, a table column, or the body its text opens with), and its
time phrases. Resolving the units and writing the draft is ``draft``'s work.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .reading import Paragraph, Table

ROMAN = re.compile(r"^([IVXLC]+)\.\s*(.*)$")
NUMBER = re.compile(r"^(\d+(?:\.\d+)*)\.?\s+(.*)$")
LETTER = re.compile(r"^([a-zđ])\)\s*(.*)$")
BULLET = re.compile(r"^[-–+•]\s*(.*)$")
APPENDIX = re.compile(r"^PHỤ\s+LỤC\b\s*([IVX]+|\d+)?", re.IGNORECASE)
END = re.compile(r"^(?:Nơi nhận|TM\.|KT\.|Q\.\s|TL\.|TUQ\.)", re.IGNORECASE)
WORK = re.compile(r"NHIỆM VỤ|GIẢI PHÁP|NỘI DUNG|TỔ CHỨC THỰC HIỆN|TRÁCH NHIỆM|HOẠT ĐỘNG|LỘ TRÌNH|BÁO CÁO|PHÂN CÔNG|TRIỂN KHAI", re.IGNORECASE)
NOT_WORK = re.compile(r"^(?:MỤC ĐÍCH|YÊU CẦU|MỤC TIÊU|QUAN ĐIỂM|ĐỐI TƯỢNG|KINH PHÍ|NGUỒN|PHẠM VI|CĂN CỨ|TIÊU CHÍ|ĐÁNH GIÁ|SỐ LƯỢNG|CHỈ TIÊU)",
                      re.IGNORECASE)
LEAD_LABEL = re.compile(r"^(?:-\s*)?(?:Cơ quan|Đơn vị)\s+chủ\s+trì(?:\s+(?:thực hiện|tham mưu thực hiện|tham mưu))?\s*:\s*(.*)$", re.IGNORECASE)
SUPPORT_LABEL = re.compile(r"^(?:-\s*)?(?:Cơ quan|Đơn vị)\s+phối\s+hợp(?:\s+thực hiện)?\s*:\s*(.*)$", re.IGNORECASE)
TIME_LABEL = re.compile(r"^(?:-\s*)?(?:Thời\s+gian|Thời\s+hạn)\s+(?:thực\s+hiện|hoàn\s+thành|báo\s+cáo)?\s*:\s*(.*)$", re.IGNORECASE)
PRODUCT_LABEL = re.compile(r"^(?:-\s*)?Sản\s+phẩm(?:\s+dự\s+kiến)?\s*:\s*(.*)$", re.IGNORECASE)
ATTACHED = re.compile(r"^(?:KẾ HOẠCH|CHƯƠNG TRÌNH|QUY CHẾ|ĐỀ ÁN)\b[^a-zà-ỹ]*$|^\((?:Ban hành )?kèm theo", re.IGNORECASE)


@dataclass
class Item:
    section: str
    text: str
    line: int
    heading: str = ""  # the part's heading, for a person reading the draft
    lead: list[str] = field(default_factory=list)  # phrases naming the lead units
    support: list[str] = field(default_factory=list)
    time_cells: list[str] = field(default_factory=list)  # time words from a label or a table's time column
    product: str | None = None
    from_table: bool = False
    opening_unit: bool = True  # the body its text opens with may be its lead ("Sở Tài chính: chủ trì …")
    table: str = ""  # a task table's row: the table ("PL I"), its group ("A"), its number ("3"), its sub-task ("(b)")
    group: str = ""
    row: str = ""
    suffix: str = ""
    notes: list[str] = field(default_factory=list)  # what the reading noticed, for a review mark ("group_missing")


@dataclass
class _Open:
    section: str
    heading: str
    work: bool
    implicit: bool = False  # the text before any part heading


def read_items(blocks: list[Paragraph | Table], unread: list[tuple[int, list[str]]] | None = None) -> list[Item]:
    """The items of the body; ``unread`` receives a ``tables.TableNote`` (line, header cells,
    kind) for each table that gives no duty (see ``tables``: targets, budget, coordinates,
    figures, or columns not recognised)."""
    from .tables import HEADER_CELL, _rows_from_cells, _table_items, join_pipe_rows  # tables build on ``Item``

    blocks = join_pipe_rows(blocks)  # a table written as "| … |" rows, as a table
    unread = [] if unread is None else unread
    items: list[Item] = []
    # Before any part heading: a letter (công văn) numbers its tasks "1.", "2." with no parts, so
    # numbered items count there; unnumbered text (the header, the preamble) does not.
    part = _Open("", "", True, implicit=True)
    numbers: list[str] = []  # the numbered path within the part: ["2"], ["2", "1"], ["2", "a"]
    current: Item | None = None
    appendix = ""
    ended = False
    cells: list[Paragraph] = []  # a task table flattened into paragraphs (plain text, PDF)
    in_table = False

    def close() -> None:
        nonlocal current
        if current is not None:
            items.append(current)
        current = None

    def flush_table() -> None:
        nonlocal in_table
        if cells:
            items.extend(_rows_from_cells(cells, appendix, unread))
            cells.clear()
        in_table = False

    for block in blocks:
        if isinstance(block, Table):
            close()
            items.extend(_table_items(block, appendix, unread))
            continue
        text = block.text
        if APPENDIX.match(text):
            close()
            flush_table()
            number = APPENDIX.match(text)[1]
            appendix = f"PL {number}" if number else "PL"
            ended = False
            part = _Open(appendix, text, True)
            numbers = []
            continue
        if ended:
            if ATTACHED.match(text) and text[:1].isupper():  # a decision's attached plan: its text starts here
                ended, part, numbers = False, _Open("", text, False), []
            continue
        if END.match(text) and not in_table:
            close()
            ended = True
            continue
        if HEADER_CELL["number"].match(text) and not in_table:  # "TT", "STT": a task table's first cell
            close()
            in_table = True
        if in_table:
            cells.append(block)
            continue
        roman = ROMAN.match(text)
        if roman and (_is_heading(roman[2]) or len(roman[2]) <= 120):  # "II. NHIỆM VỤ", or "II. Nhiệm vụ, giải pháp:"
            close()
            heading = roman[2]
            part = _Open(f"{appendix + ' ' if appendix else ''}{roman[1]}", heading, bool(WORK.search(heading)) and not NOT_WORK.match(heading))
            numbers = []
            continue
        if not part.work:
            continue
        number, letter = NUMBER.match(text), LETTER.match(text)
        if number and not re.match(r"^\d{4}\b", text):
            close()
            numbers = number[1].split(".")
            current = Item(_ref(part.section, numbers), number[2], block.line, part.heading)
            _labels(current, number[2])
            continue
        if letter and numbers:
            close()
            numbers = [*numbers[:1], letter[1]] if len(numbers) >= 1 else [letter[1]]
            current = Item(_ref(part.section, numbers), letter[2], block.line, part.heading)
            _labels(current, letter[2])
            continue
        if current is None:
            if not numbers and (_is_heading(text) or text.startswith("(")):
                continue  # a title under the heading ("DANH MỤC NHIỆM VỤ", "(Kèm theo Kế hoạch số …)")
            if not numbers and not part.implicit:  # text right under a part's heading: an item of the part itself
                current = Item(part.section, "", block.line, part.heading)
            else:
                continue
        if not _labels(current, text):
            current.text = f"{current.text}\n{text}".strip()
    close()
    flush_table()
    return [i for i in items if i.text or i.lead]


def _is_heading(words: str) -> bool:
    letters = [c for c in words if c.isalpha()]
    return bool(letters) and sum(c.isupper() for c in letters) >= 0.6 * len(letters)


def _ref(part: str, numbers: list[str]) -> str:
    return ".".join([part, *numbers]) if part else ".".join(numbers)


def _labels(item: Item, text: str) -> bool:
    """Take a label's words into ``item``; True when ``text`` was a label."""
    for pattern, target in ((LEAD_LABEL, "lead"), (SUPPORT_LABEL, "support"), (TIME_LABEL, "time"), (PRODUCT_LABEL, "product")):
        match = pattern.match(text)
        if match:
            words = match[1].strip()
            if target == "lead":
                item.lead.append(words)
                item.opening_unit = False
            elif target == "support":
                item.support.append(words)
            elif target == "time":
                item.time_cells.append(words)
            else:
                item.product = words
            return True
    return False
