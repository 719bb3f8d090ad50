"""A plan's tables, classified by their header row; its task tables as candidate duties.

Decree 30/2020 plans put their tasks in appendices ("PHỤ LỤC") as tables: TT | Nội dung | Cơ
quan chủ trì | Cơ quan phối hợp | Thời gian | Sản phẩm. Plans hold other tables too, and a
table is told by its header row (``classify``):

- a **task** table has a column of work (Nội dung, Nhiệm vụ, Hoạt động) and one of units
  (Cơ quan chủ trì / phối hợp, Đơn vị thực hiện) or of time (Thời gian, Thời hạn, Tiến độ);
- a **target** table has a column of targets (Chỉ tiêu) or a unit of measure (Đơn vị tính);
- a **budget** table counts money (Kinh phí, Dự toán, Nguồn vốn, triệu đồng);
- a **coordinates** table places points (Tọa độ, Kinh độ, Vĩ độ, X/Y);
- anything else is a table of **figures**.

Only task tables give duties: each row one ``Item`` (one per sub-task where a row holds several,
each with its time), named by the path of its group rows ("PL II.III.1.2.5", ``row_reference``);
the unit columns give lead and support; the columns after the time (Sản phẩm, Kinh phí, Ghi
chú) give the product or nothing, never a sub-task; the time column gives the row's
deliverable's window or its running time frame (``row_timings``). The others are
noted in ``unread`` as a ``TableNote`` (a target table with its rows, for indicators). A table
comes as a ``Table`` (a .docx; text whose rows are written ``| … | … |``, ``join_pipe_rows``)
or flattened into one paragraph per cell (plain text, PDF: ``_rows_from_cells``).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from .phrases import Timing, cell_timing
from .reading import Paragraph, Table
from .structure import Item, _is_heading
from .units import BODY, lists_bodies

_GROUP_MARK = re.compile(r"^([IVX]+|[A-Z])\.?(?:\s+(.*))?$")
_GROUP_PATH = re.compile(r"^((?:[IVX]+|[A-Z]|\d{1,2})(?:\.\d{1,2})+)\.?(?:\s+(.*))?$")  # "III.1", "III.1.2", "1.1"
_ROW_NUMBER = re.compile(r"\d{1,3}\.?")


class GROUP_ROW:  # noqa: N801  (used as a pattern)
    """ "I", "II.", "A.", "I. NÂNG CAO NHẬN THỨC": the row that opens a group of a task table."""

    @staticmethod
    def match(text: str):
        found = _GROUP_MARK.match(text)
        return found if found and (found[2] is None or found[2].isupper()) else None


def group_label(text: str, following: str = "", after: str = "") -> tuple[str, str] | None:
    """(label, title) of a task table's group row, flattened one cell a paragraph: "I" or "II."
    (a Roman number, a capital letter) or a numbered path "III.1", "III.1.2", "1.1", with its
    title in the same cell or in the next one. A bare label is a group's when its title is a
    heading in capitals, or when a title (no body, no time) comes next and a row's number or
    another group's label comes after it; a label with its title is a group's when the title is
    in capitals or, for a path ("III.1 Nhóm …"), when a row's number follows. Else the cell is a
    value ("I" as a resource code, "1.1" as a figure)."""
    found = _GROUP_MARK.match(text) or _GROUP_PATH.match(text)
    if not found:
        return None
    label, title = found[1], found[2]
    opens = bool(_ROW_NUMBER.fullmatch(after) or _GROUP_MARK.fullmatch(after) or _GROUP_PATH.fullmatch(after))
    if title:
        if title.isupper() and found.re is _GROUP_MARK:
            return label, title
        following_opens = bool(_ROW_NUMBER.fullmatch(following) or _GROUP_PATH.fullmatch(following))
        return (label, title) if (_is_heading(title) or found.re is _GROUP_PATH) and following_opens and len(title) <= 200 else None
    if not following or _ROW_NUMBER.fullmatch(following) or len(following) > 200 or _GROUP_MARK.fullmatch(following) \
            or _GROUP_PATH.fullmatch(following):
        return None  # a value ("I" of a column of resources, then the next group's "III"), not a group
    if _is_heading(following):
        return label, following
    if BODY.match(following) or _is_time_cell(following):
        return None
    return (label, following) if opens else None


def group_path(path: str, label: str) -> str:
    """The path of a group opened by ``label`` under the group ``path``: a Roman number or a
    letter opens a path of its own; a numbered path that starts with it ("III.1" under "III") is
    whole as written; one that does not ("1.2" under "I") goes under the Roman number's group."""
    if _GROUP_MARK.fullmatch(label):
        return label
    top = path.split(".")[0] if path else ""
    if not top or label.split(".")[0] == top or not _GROUP_MARK.fullmatch(top):
        return label
    return f"{top}.{label}"


BODY_WORDS = ("ubnd", "ủy ban", "các bộ", "các sở", "cơ quan", "sở", "bộ ")  # a table cell naming bodies starts so
LETTERS = "a b c d đ e g h i k l m n o p q r s t u v x y".split()  # the Vietnamese alphabet of sub-items
HEADER_CELL = {  # a header cell's role: the first that matches
    "number": re.compile(r"^(?:S\.?\s?TT|TT|Số\s+TT)$", re.IGNORECASE),
    "coordinates": re.compile(r"t(?:ọa|oạ)\s+độ|kinh\s+độ|vĩ\s+độ|VN-?2000|^[XY]\s*(?:\(m\))?$", re.IGNORECASE),
    "money": re.compile(r"kinh\s+phí|dự\s+toán|nguồn\s+vốn|vốn\s+đầu\s+tư|tổng\s+mức|ngân\s+sách|(?:triệu|tỷ|nghìn)\s+đồng", re.IGNORECASE),
    "lead": re.compile(r"chủ\s+trì|^(?:cơ\s+quan|đơn\s+vị)(?:(?!phối\s+hợp).)*thực\s+hiện", re.IGNORECASE),
    "support": re.compile(r"phối\s+hợp", re.IGNORECASE),
    "time": re.compile(r"thời\s+(?:gian|hạn)|tiến\s+độ", re.IGNORECASE),
    "product": re.compile(r"sản\s+phẩm|kết\s+quả", re.IGNORECASE),
    "target": re.compile(r"chỉ\s+tiêu", re.IGNORECASE),
    "measure": re.compile(r"đơn\s+vị\s+tính|^đvt$", re.IGNORECASE),
    "note": re.compile(r"ghi\s+chú", re.IGNORECASE),
    "group": re.compile(r"thuộc\s+nhóm|nhóm\s+nhiệm\s+vụ", re.IGNORECASE),
    "content": re.compile(r"nội\s+dung|nhiệm\s+vụ|hoạt\s+động|tên", re.IGNORECASE),
}
MONEY_CELL = re.compile(r"^(?:ngân\s+sách|nguồn|kinh\s+phí|vốn|lồng\s+ghép|xã\s+hội\s+hóa)|(?:triệu|tỷ|nghìn)\s+đồng|^[\d.,]+$",
                        re.IGNORECASE)  # a cell of a budget column ("Ngân sách tỉnh", "Năm 2026: 500 triệu đồng", "1.500")


@dataclass
class TableNote:
    """A table that gives no duty: where it is, its header, its kind (``classify``) and, for a
    target table, its rows (each a mapping of role to cell, ``values`` the other columns)."""

    line: int
    header: list[str]
    kind: str
    rows: list[dict] = field(default_factory=list)

    def __iter__(self):  # (line, header) as the notes of unread tables were
        return iter((self.line, self.header))


def classify(roles: list[str]) -> str:
    """A table's kind from its columns' roles (see the module's contract)."""
    kinds = set(roles)
    if "coordinates" in kinds:
        return "coordinates"
    budget_like = "money" in kinds and "time" not in kinds and not {"lead", "support"} <= kinds
    if "content" in kinds and kinds & {"lead", "support", "time"} and not budget_like:
        return "task"
    if kinds & {"target", "measure"}:
        return "target"
    if "money" in kinds:
        return "budget"
    return "figures"


def _columns(header: list[str]) -> list[str]:
    roles = []
    for cell in header:
        role = next((name for name, pattern in HEADER_CELL.items() if pattern.search(cell) if name != "number" or pattern.match(cell)), "other")
        roles.append(role)
    return roles


def _unit_column(roles: list[str], header: list[str]) -> list[str]:
    """A task table's roles with a column headed "Đơn vị" or "Cơ quan" alone taken as the lead's
    where no column says "chủ trì" or "thực hiện" (beside "Chỉ tiêu", "Đơn vị" is the unit of
    measure: a target table keeps it)."""
    if "lead" in roles:
        return roles
    bare = re.compile(r"(?:cơ\s+quan|đơn\s+vị)(?:\s*[,/]\s*(?:cơ\s+quan|đơn\s+vị))?", re.IGNORECASE)
    return ["lead" if role == "other" and bare.fullmatch(cell.strip()) else role for role, cell in zip(roles, header)]


def _table_items(table: Table, appendix: str, unread: list) -> list[Item]:
    """The rows of a real table (a .docx): its header row names the columns."""
    if not table.rows:
        return []
    roles = _columns(table.rows[0])
    kind = classify(roles)
    if kind == "task":
        roles = _unit_column(roles, table.rows[0])
    else:
        # A layout table (the header's two columns) is no table of the plan's; one whose first
        # row names columns is noted, with its kind (a target table with its rows).
        if len(table.rows) >= 2 and len(table.rows[0]) >= 3 and set(roles) - {"other"}:
            rows = _target_rows(roles, table.rows[0], table.rows[1:]) if kind == "target" else []
            unread.append(TableNote(table.line, table.rows[0], kind, rows))
        return []
    items, group = [], ""
    rows = [r for r in table.rows[1:]  # without a "|---|---|" rule kept as a row
            if not (any(_DASHES.fullmatch(c.strip()) for c in r) and all(_DASHES.fullmatch(c.strip()) or not c.strip() for c in r))]
    for number, row in enumerate(rows, 1):
        cells = dict(zip(roles, row))
        content = cells.get("content", "").strip()
        mark = cells.get("number", "").strip().rstrip(".")
        if (re.fullmatch(r"[IVX]+|[A-Z]", mark) or _GROUP_PATH.fullmatch(mark)) and not cells.get("lead") and not cells.get("time"):
            group = group_path(group, mark)  # a group's row: "I | Hoàn thiện thể chế", "III.1 | Nhóm …"
            continue
        if not content:
            continue
        section = row_reference(appendix or "Bảng", group, mark or str(number))
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
        if header and (GROUP_ROW.match(text) or _GROUP_PATH.fullmatch(text) or re.fullmatch(r"\d+\.?", text) or len(text) > 80):
            break
        header.append(text)
        index += 1
    roles = _columns(header)
    kind = classify(roles)
    if kind == "task":
        roles = _unit_column(roles, header)
    else:
        rows = _target_rows(roles, header, _flat_rows(cells[index:])) if kind == "target" else []
        unread.append(TableNote(cells[0].line, header, kind, rows))
        return []
    time_first = "product" in roles and "time" in roles and roles.index("time") < roles.index("product")
    lead_before_content = "lead" in roles and roles.index("lead") < roles.index("content")
    items: list[Item] = []
    group, row, parts, line = "", "", [], 0

    def flush() -> None:
        if row and parts:
            items.extend(_row_items(appendix, group, row, parts, line, time_first, lead_before_content, roles))

    width = len(header)
    skip = 0  # cells already read: a group's title, a header repeated on a new page
    restarted: set[str] = set()  # groups named for a heading the text lacks
    rest = cells[index:]
    for position, cell in enumerate(rest):
        if skip:
            skip -= 1
            continue
        text = cell.text
        if width >= 2 and [c.text for c in rest[position:position + width]] == header:
            skip = width - 1  # the header again, on the next page: the same table goes on
            continue
        following = rest[position + 1].text if position + 1 < len(rest) else ""
        after = rest[position + 2].text if position + 2 < len(rest) else ""
        label = group_label(text, following, after)
        if label:
            flush()
            group, row, parts = group_path(group, label[0]), "", []
            skip = 0 if text != label[0] and text.rstrip(".") != label[0] else 1  # the title in the next cell
            continue
        if re.fullmatch(r"\d{1,3}\.?", text):
            flush()
            if row.isdigit() and int(text.rstrip(".")) <= int(row):  # numbering starts again: a group's heading is missing
                group = f"(sau {group})" if group else "(tiếp)"
                restarted.add(group)
            row, parts, line = text.rstrip("."), [], cell.line
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


_CLOSING = re.compile(
    r"^(?:Nơi\s+nhận|TM\.|KT\.|TL\.|TUQ\.|Q\.\s)"  # the recipients' list, a signature block
    r"|^Điều\s+\d+\s*\."  # a decision's next article
    r"|^[IVX]+\.\s*(?:TỔ\s+CHỨC\s+THỰC\s+HIỆN|KINH\s+PHÍ|CHẾ\s+ĐỘ\s+BÁO\s+CÁO|ĐIỀU\s+KHOẢN|HIỆU\s+LỰC)",  # a part of the body
    re.IGNORECASE)


def table_ends(text: str) -> bool:
    """Whether a paragraph read while a flattened table is open is the body's text resuming, so
    that the table ends before it: the recipients' list ("Nơi nhận:"), a signature block ("TM.",
    "KT."), a decision's next article ("Điều 2."), a part heading of the body that no task table
    names a group by ("IV. TỔ CHỨC THỰC HIỆN", "V. KINH PHÍ", "CHẾ ĐỘ BÁO CÁO"). A part heading in
    capitals alone is no end: "I. NÂNG CAO NHẬN THỨC" opens a group of the table's rows."""
    return bool(_CLOSING.match(text.strip()))


_CONTINUED = re.compile(r"^PHỤ\s+LỤC\b\s*([IVX]+|\d+)?\s*[\(\-–]?\s*tiếp(?:\s+theo)?\b", re.IGNORECASE)


def continues(text: str, appendix: str) -> bool:
    """Whether an appendix heading read while its table is open continues that table: "PHỤ LỤC II
    (tiếp theo)", "Phụ lục (tiếp)" under the appendix of the same number (``appendix``: "PL II",
    "PL")."""
    found = _CONTINUED.match(text.strip())
    return bool(found) and appendix == (f"PL {found[1]}" if found[1] else "PL")


def _is_time_cell(text: str) -> bool:
    """Whether a cell of a flattened table is its time column: time words early in a cell that
    is not a bullet of content ("- Giám sát … quan trắc tự động liên tục" is content)."""
    if text.startswith(("-", "+", "•")) or len(text) > 400:
        return False
    found = cell_timing(text, dt.date(2000, 1, 1))
    if found and all(t.phrase == "ongoing" for t in found):  # "Thường xuyên", not "Theo dõi, cập nhật thường xuyên các chỉ số …"
        return found[0].start <= 12 or len(text) <= 40
    return bool(found) and (found[0].start <= 60 or len(text) <= 100)


WINDOWS = ("phase", "bare_year_range")  # time frames a cell writes as a window: "Giai đoạn 2026 - 2027", "2026-2030"


def row_timings(cell: list[Timing], text: list[Timing]) -> tuple[list[Timing], list[Timing]]:
    """A task table row's time frames (the first is the duty's) and deadlines (each an
    obligation of the row's lead), from the phrases of its time cell (``cell``) and of its words
    (``text``). The time column says when the row's work is delivered: a window ("2025",
    "2026-2030", "Quý IV/2025", "Năm 2026", "Giai đoạn 2026 - 2027") is the window its product is
    due in (``within``), not a time the duty runs in; a day is a deadline; running words
    ("Thường xuyên", "Hằng năm", "liên tục"), a start ("Từ năm 2026") or an event are the duty's
    time frame. Of the row's words, only a day or a cadence counts (a window there is the work's
    subject: "chương trình cho giai đoạn 2026 - 2030"), with the cell read."""
    frames, deadlines = [], []
    for timing in cell:
        if timing.deadline:
            deadlines.append(timing)
        elif timing.phrase in WINDOWS and set(timing.timeframe) == {"written"}:
            deadlines.append(Timing(timing.phrase, timing.quoted, timing.start, due={"type": "within", "written": timing.timeframe["written"]},
                                    review=timing.review))
        else:
            frames.append(timing)
    deadlines += [t for t in text if t.deadline and t.due["type"] in ("one_off", "recurring", "reporting_period")]
    return frames, deadlines


def row_reference(table: str, group: str, row: str) -> str:
    """A row's section: the path from its table's place down, joined by '.': "PL II.III.1.2.5"
    (Phụ lục II, group III.1.2, row 5), "IV.2.5" (row 5 of a table under IV.2 of the body); after
    a bare "PL" (an appendix without a number) or "Bảng" (a table before any part) the path
    follows a space ("PL I.3", "PL 8")."""
    name = ".".join(filter(None, [group, row]))
    if not name:
        return table
    return f"{table} {name}" if table in ("PL", "Bảng") else f"{table}.{name}"


def _shortest_references(items: list[Item]) -> list[Item]:
    """A row is named by its group and number ("PL I.3"), or by its number alone where the
    numbers run on across the groups ("PL 8"); a group's only row by the group ("PL I D")."""
    keys = [(i.group, i.row) for i in items]
    numbered = [row for group, row in dict.fromkeys(keys) if row != "-"]
    unique = len(numbered) == len(set(numbered))
    for item in items:
        row = "" if item.row == "-" else item.row
        item.section = row_reference(item.table, "" if unique and row else item.group, row) + item.suffix
    return items


def _cells_to_time(parts: list[tuple[str, bool]], position: int) -> int:
    """How many cells come after ``parts[position]`` before the next time cell (all, if none)."""
    return next((n for n, (_, is_time) in enumerate(parts[position + 1:]) if is_time), len(parts) - position - 1)


def _row_items(appendix, group, row, parts, line, time_first, lead_before_content, roles) -> list[Item]:
    section = row_reference(appendix or "Bảng", group, row)
    leads: list[str] = []
    supports: list[str] = []
    chunks: list[tuple[list[str], str | None, str | None]] = []  # (content, time, product)
    content: list[str] = []
    body_cells = 0
    last_was_body = False
    time_not_last = "time" in roles and roles.index("time") < len(roles) - 1 and not time_first
    product_before_time = "time" in roles and any(r in ("target", "product") and i < roles.index("time") for i, r in enumerate(roles))
    after_time_columns = "time" in roles and roles.index("time") < len(roles) - 1
    support_next = 0  # content, lead, support … time: how many columns from the support's to the time's
    if not lead_before_content and {"content", "lead", "support", "time"} <= set(roles) \
            and roles.index("content") < roles.index("lead") < roles.index("support") < roles.index("time"):
        support_next = roles.index("time") - roles.index("support")
    group_column = "group" in roles and "content" in roles and roles.index("group") < roles.index("content")
    for position, (text, is_time) in enumerate(parts):
        bare = text.lstrip("-+• ")
        if is_time and position == 0 and not lead_before_content and len(text) > 40:
            is_time = False  # a row's first cell is its work ("Rà soát … hằng năm"), its time comes after
        if after_time_columns and chunks and not content:  # a cell of a column after the time: never a sub-task
            if "money" in roles and MONEY_CELL.search(bare):
                continue  # Kinh phí: "Ngân sách tỉnh năm 2026" is no deadline
            is_time = False
        looks_like_body = bool(BODY.match(bare)) or bare.lower().startswith(BODY_WORDS) or lists_bodies(bare)
        if is_time:
            product = content.pop() if product_before_time and len(content) >= 2 else None  # "Chỉ tiêu đạt được", "Sản phẩm"
            chunks.append((content, text, product))
            content = []
            continue
        bodies = leads if body_cells == 1 else supports
        if (bodies and last_was_body and text.startswith(("-", "+")) and bodies[-1].rstrip().endswith((";", ","))
                and (looks_like_body or len(text) <= 80)):  # "- Các trường đại học, viện nghiên cứu." ends the list
            bodies[-1] = f"{bodies[-1]} {text}"  # one cell listing bodies line by line: "- Bộ Xây dựng; - Bộ Công Thương; …"
            continue
        last_was_body = False
        if (not looks_like_body and body_cells == 1 and support_next and content and not chunks and len(text) <= 200
                and _cells_to_time(parts, position) == support_next - 1):
            looks_like_body = True  # the support column's cell, where the columns say it is ("Viện, Trường; Doanh nghiệp")
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
        if (group_column and not content and not chunks and not text.startswith(("-", "+", "•"))
                and position + 1 < len(parts) and not parts[position + 1][1]):
            group_column = False  # "Thuộc nhóm nhiệm vụ": the row's group of tasks, not its work
            continue
        content.append(text)
    time_last = "time" in roles and roles.index("time") == len(roles) - 1
    if content and chunks and time_last and not lead_before_content and chunks[-1][1]:
        content = []  # words after the last column's cell: the table has ended (a web page's trailer), no sub-task
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


# --- target tables ---------------------------------------------------------------------------

def _flat_rows(cells: list[Paragraph]) -> list[list[str]]:
    """A flattened table's rows, each from its number ("1", "2.": the next one, or 1 again, so
    that a figure of a cell is no row's number); a group's row ("I", "A.") and its title are
    left out."""
    rows: list[list[str]] = []
    grouped, last = False, 0
    for cell in cells:
        text = cell.text
        if re.fullmatch(r"\d{1,3}\.?", text) and int(text.rstrip(".")) in (last + 1, 1):
            rows.append([text])
            grouped, last = False, int(text.rstrip("."))
        elif GROUP_ROW.match(text):
            grouped = True
        elif rows and not grouped:
            rows[-1].append(text)
    return rows


def _target_rows(roles: list[str], header: list[str], rows: list[list[str]]) -> list[dict]:
    """A target table's rows: ``name`` (the Chỉ tiêu or Nội dung column), ``unit`` (Đơn vị
    tính), ``lead`` (a unit column) and ``values``: (column, cell) of the others (the years,
    the values); a group's row (a Roman number or a heading in capitals) is left out."""
    found = []
    for row in rows:
        cells = list(zip(roles, header, row))
        name = next((c.strip() for r, _, c in cells if r in ("target", "content") and c.strip()), "")
        number = next((c.strip().rstrip(".") for r, _, c in cells if r == "number"), "")
        if not name or re.fullmatch(r"[IVX]+|[A-Z]", number) or _is_heading(name):
            continue
        unit = next((c.strip() for r, _, c in cells if r == "measure" and c.strip()), "")
        if not unit:  # "Đơn vị" alone beside "Chỉ tiêu": the unit of measure, when its cell is short ("%", "doanh nghiệp")
            unit = next((c.strip() for r, h, c in cells if re.fullmatch(r"đơn\s+vị", h.strip(), re.IGNORECASE) and 0 < len(c.strip()) <= 20), "")
        found.append({
            "name": name,
            "unit": unit,
            "lead": next((c.strip() for r, _, c in cells if r == "lead" and c.strip()), ""),
            "values": [(h.strip(), c.strip()) for r, h, c in cells
                       if r in ("other", "time", "product", "money") and c.strip() and c.strip() != unit],
        })
    return found


# --- tables written as `|` rows --------------------------------------------------------------

_DASHES = re.compile(r":?-{3,}:?")


def join_pipe_rows(blocks: list[Paragraph | Table]) -> list[Paragraph | Table]:
    """``blocks`` with each run of paragraphs written as table rows ("| TT | Nội dung | … |", a
    web copy's or a converter's table, hard-wrapped into one paragraph or several) made a
    ``Table``; a run whose cells do not line up into rows is left as it was."""
    found: list[Paragraph | Table] = []
    run: list[Paragraph] = []

    def close() -> None:
        table = pipe_table(run) if run else None
        found.extend([table] if table else run)
        run.clear()

    for block in blocks:
        if isinstance(block, Paragraph) and block.text.startswith("|") and block.text.count("|") >= 3:
            run.append(block)
            continue
        close()
        found.append(block)
    close()
    return found


def pipe_table(paragraphs: list[Paragraph]) -> Table | None:
    """The rows of ``paragraphs`` written "| a | b | | c | d |" (rows joined by a space, so
    that an empty token parts two rows): the header's width is given by the row of dashes
    under it ("|---|---|"), else by the header's first empty token. None when they do not line up."""
    tokens: list[str] = []
    for paragraph in paragraphs:
        text = paragraph.text.strip()
        if not text.endswith("|"):
            return None
        if tokens:
            tokens.append("")
        tokens.extend(t.strip() for t in text.split("|")[1:-1])
    dashes = next((i for i, t in enumerate(tokens) if _DASHES.fullmatch(t)), None)
    width = dashes - 1 if dashes else (tokens.index("") if "" in tokens else len(tokens))
    if width < 2 or (len(tokens) + 1) % (width + 1):
        return None
    rows = [tokens[start:start + width] for start in range(0, len(tokens), width + 1)]
    if any(tokens[start + width] for start in range(0, len(tokens) - width, width + 1)):
        return None  # a row's boundary holds text: the rows do not line up
    rows = [r for r in rows if not all(_DASHES.fullmatch(c) for c in r)]
    return Table(rows, paragraphs[0].line) if len(rows) >= 2 else None
