"""A plan's task tables as candidate duties.

Decree 30/2020 plans put their tasks in appendices ("PHỤ LỤC") as tables: TT | Nội dung | Cơ
quan chủ trì | Cơ quan phối hợp | Thời gian | Sản phẩm. ``_table_items`` reads a real table (a
.docx) by its header row; ``_rows_from_cells`` reads one flattened into a paragraph per cell
(plain text, PDF). Each row gives one ``Item`` (one per sub-task where a row holds several, each
with its time); a table that starts like a task table but whose columns are not recognised is
reported in ``unread``.
"""

from __future__ import annotations

import datetime as dt
import re

from .phrases import cell_timing
from .reading import Paragraph, Table
from .structure import Item, _is_heading
from .units import BODY

_GROUP_MARK = re.compile(r"^([IVX]+|[A-Z])\.?(?:\s+(.*))?$")


class GROUP_ROW:  # noqa: N801  (used as a pattern)
    """ "I", "II.", "A.", "I. NÂNG CAO NHẬN THỨC": the row that opens a group of a task table."""

    @staticmethod
    def match(text: str):
        found = _GROUP_MARK.match(text)
        return found if found and (found[2] is None or found[2].isupper()) else None

BODY_WORDS = ("ubnd", "ủy ban", "các bộ", "các sở", "cơ quan", "sở", "bộ ")  # a table cell naming bodies starts so
LETTERS = "a b c d đ e g h i k l m n o p q r s t u v x y".split()  # the Vietnamese alphabet of sub-items
HEADER_CELL = {
    "number": re.compile(r"^(?:S\.?\s?TT|TT|Số\s+TT)$", re.IGNORECASE),
    "lead": re.compile(r"chủ\s+trì", re.IGNORECASE),
    "support": re.compile(r"phối\s+hợp", re.IGNORECASE),
    "time": re.compile(r"thời\s+(?:gian|hạn)|tiến\s+độ", re.IGNORECASE),
    "product": re.compile(r"sản\s+phẩm|kết\s+quả", re.IGNORECASE),
    "target": re.compile(r"chỉ\s+tiêu", re.IGNORECASE),
    "group": re.compile(r"thuộc\s+nhóm|nhóm\s+nhiệm\s+vụ", re.IGNORECASE),
    "content": re.compile(r"nội\s+dung|nhiệm\s+vụ|tên", re.IGNORECASE),
}


def _columns(header: list[str]) -> list[str]:
    roles = []
    for cell in header:
        role = next((name for name, pattern in HEADER_CELL.items() if pattern.search(cell) if name != "number" or pattern.match(cell)), "other")
        roles.append(role)
    return roles


def _table_items(table: Table, appendix: str, unread: list) -> list[Item]:
    """The rows of a real table (a .docx): its header row names the columns."""
    if not table.rows:
        return []
    roles = _columns(table.rows[0])
    if "content" not in roles or not ({"lead", "time"} & set(roles)):
        # A layout table (the header's two columns) is no task table; one that starts like a task
        # table ("TT", "Nội dung", "chủ trì", "Thời gian" in its first row) is reported unread.
        if len(table.rows) >= 2 and len(table.rows[0]) >= 3 and set(roles) - {"other"}:
            unread.append((table.line, table.rows[0]))
        return []
    items, group = [], ""
    for number, row in enumerate(table.rows[1:], 1):
        cells = dict(zip(roles, row))
        content = cells.get("content", "").strip()
        mark = cells.get("number", "").strip().rstrip(".")
        if re.fullmatch(r"[IVX]+|[A-Z]", mark) and not cells.get("lead"):
            group = mark
            continue
        if not content:
            continue
        section = " ".join(filter(None, [appendix or "Bảng", ".".join(filter(None, [group, mark or str(number)]))]))
        item = Item(section, content, table.line, from_table=True, opening_unit=False)
        if cells.get("lead"):
            item.lead.append(cells["lead"])
        if cells.get("support"):
            item.support.append(cells["support"])
        if cells.get("time"):
            item.time_cells.append(cells["time"])
        item.product = cells.get("product") or None
        items.append(item)
    return items


def _rows_from_cells(cells: list[Paragraph], appendix: str, unread: list) -> list[Item]:
    """A task table flattened into one paragraph per cell: the header's cells first, then each
    row from its number. Empty cells leave no paragraph, so cells are told apart by what they
    say: time words go to the time column, a body's name to the lead (then support) column,
    the rest to the content (and, after the time, the product)."""
    header: list[str] = []
    index = 0
    while index < len(cells) and len(header) < 10:
        text = cells[index].text
        if header and (GROUP_ROW.match(text) or re.fullmatch(r"\d+\.?", text) or len(text) > 80):
            break
        header.append(text)
        index += 1
    roles = _columns(header)
    if "content" not in roles:
        unread.append((cells[0].line, header))
        return []
    time_first = "product" in roles and "time" in roles and roles.index("time") < roles.index("product")
    lead_before_content = "lead" in roles and roles.index("lead") < roles.index("content")
    items: list[Item] = []
    group, row, parts, line = "", "", [], 0

    def flush() -> None:
        if row and parts:
            items.extend(_row_items(appendix, group, row, parts, line, time_first, lead_before_content, roles))

    titled = False  # the group's title has been read
    restarted: set[str] = set()  # groups named for a heading the text lacks
    rest = cells[index:]
    for position, cell in enumerate(rest):
        text = cell.text
        following = rest[position + 1].text if position + 1 < len(rest) else ""
        group_row = GROUP_ROW.match(text)
        if group_row and not group_row[2] and not _is_heading(following):
            group_row = None  # a bare "I" that no title follows is a cell's value (a resource code), not a group
        if group_row:
            flush()
            group, row, parts, titled = group_row[1], "", [], bool(group_row[2])
            continue
        if re.fullmatch(r"\d{1,3}\.?", text):
            flush()
            if row.isdigit() and int(text.rstrip(".")) <= int(row):  # numbering starts again: a group's heading is missing
                group = f"(sau {group})" if group else "(tiếp)"
                restarted.add(group)
            row, parts, line = text.rstrip("."), [], cell.line
            continue
        if group and not row and not titled:
            titled = True  # the group's title, on a paragraph of its own
            continue
        if group and not row:
            row, line = "-", cell.line  # a group of one row, without a number: "D. BỘ KHOA HỌC VÀ CÔNG NGHỆ", then its cells
        if row:
            parts.append((text, _is_time_cell(text)))
    flush()
    for item in items:
        if item.group in restarted:
            item.notes.append("group_missing")
    return _shortest_references(items)


def _is_time_cell(text: str) -> bool:
    """Whether a cell of a flattened table is its time column: time words early in a cell that
    is not a bullet of content ("- Giám sát … quan trắc tự động liên tục" is content)."""
    if text.startswith(("-", "+", "•")) or len(text) > 400:
        return False
    found = cell_timing(text, dt.date(2000, 1, 1))
    return bool(found) and (found[0].start <= 60 or len(text) <= 100)


def _shortest_references(items: list[Item]) -> list[Item]:
    """A row is named by its group and number ("PL I.3"), or by its number alone where the
    numbers run on across the groups ("PL 8"); a group's only row by the group ("PL I D")."""
    keys = [(i.group, i.row) for i in items]
    numbered = [row for group, row in dict.fromkeys(keys) if row != "-"]
    unique = len(numbered) == len(set(numbered))
    for item in items:
        row = "" if item.row == "-" else item.row
        name = row if unique and row else ".".join(filter(None, [item.group, row]))
        item.section = " ".join(filter(None, [item.table, name])) + item.suffix
    return items


def _row_items(appendix, group, row, parts, line, time_first, lead_before_content, roles) -> list[Item]:
    section = " ".join(filter(None, [appendix or "Bảng", ".".join(filter(None, [group, row]))]))
    leads: list[str] = []
    supports: list[str] = []
    chunks: list[tuple[list[str], str | None, str | None]] = []  # (content, time, product)
    content: list[str] = []
    body_cells = 0
    last_was_body = False
    time_not_last = "time" in roles and roles.index("time") < len(roles) - 1 and not time_first
    product_before_time = "time" in roles and any(r in ("target", "product") and i < roles.index("time") for i, r in enumerate(roles))
    for position, (text, is_time) in enumerate(parts):
        bare = text.lstrip("-+• ")
        looks_like_body = bool(BODY.match(bare)) or bare.lower().startswith(BODY_WORDS)
        if is_time:
            product = content.pop() if product_before_time and len(content) >= 2 else None  # "Chỉ tiêu đạt được", "Sản phẩm"
            chunks.append((content, text, product))
            content = []
            continue
        bodies = leads if body_cells == 1 else supports
        if (looks_like_body and bodies and last_was_body and text.startswith(("-", "+"))
                and bodies[-1].rstrip().endswith((";", ","))):
            bodies[-1] = f"{bodies[-1]} {text}"  # one cell listing bodies line by line: "- Bộ Xây dựng; - Bộ Công Thương; …"
            continue
        last_was_body = False
        if looks_like_body and body_cells < 2 and (lead_before_content and not content or not lead_before_content and content and not chunks):
            (leads if body_cells == 0 else supports).append(text)
            body_cells += 1
            last_was_body = True
            continue
        if time_first and chunks and not content:  # the product column, after the time: one cell, perhaps of several bullets
            words, time, product = chunks[-1]
            chunks[-1] = (words, time, f"{product}\n{text}" if product else text)
            continue
        if time_not_last and chunks and not content:
            continue  # a column after the time that is no product ("Nguồn lực": "I, II, III, IV")
        content.append(text)
    if content or not chunks:
        chunks.append((content, None, None))
    items = []
    real = [c for c in chunks if c[0] or c[1]]
    for number, (words, time, product) in enumerate(real):
        suffix = f"({LETTERS[number]})" if len(real) > 1 and number < len(LETTERS) else ""
        item = Item(f"{section}{suffix}", "\n".join(words) or (real[0][0][0] if real[0][0] else ""), line, from_table=True, opening_unit=False)
        item.lead, item.support = list(leads), list(supports)
        item.table, item.group, item.row, item.suffix = appendix or "Bảng", group, row, suffix
        if time:
            item.time_cells.append(time)
        item.product = product
        items.append(item)
    return items
