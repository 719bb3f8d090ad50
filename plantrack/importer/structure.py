"""A plan's body as candidate duties: its section tree, its labels and its task tables.

Decree 30/2020 gives the form: parts "I.", "II." (with a heading in capitals), items "1.",
"1.1." or "a)", bullets "-" and "+", and appendices ("PHỤ LỤC") that hold task tables (TT | Nội
dung | Cơ quan chủ trì | Cơ quan phối hợp | Thời gian | Sản phẩm). ``read_items`` walks the
blocks and returns one ``Item`` for each numbered item of a part that assigns work (nhiệm vụ,
giải pháp, nội dung, tổ chức thực hiện, báo cáo…; not mục đích, mục tiêu, kinh phí) and one for
each row of a task table (for each sub-task where a row holds several, each with its time).
An item keeps its section reference ("III.2.a", "PL I.3"), its words, the phrases naming its
lead and support units (from a label, a table column, or the body its text opens with), the body
heading above it that owns it ("1. Sở Y tế" over a) b) c); a part's "Đề nghị X … sau:"; a
letter's "Kính gửi:"), and its time phrases. Label blocks (Nhiệm vụ / Nội dung, Cơ quan chủ trì /
thực hiện / phối hợp, Thời gian thực hiện / Thời hạn hoàn thành, Sản phẩm, Kinh phí) belong to
the item they follow, whatever numbers them. In a part that is neither work nor aims ("VỀ MỘT SỐ
KIẾN NGHỊ" of a meeting's conclusions, a roadmap's phases, a campaign's "Thời gian trình khen
thưởng") an item counts when it gives work to a body or a day to do it by.

A duty is the unit of work at the lowest level where the text assigns it, its section the
document's numbering path (part, number, letter, then ".-N" for the N-th dash: "V.1.-2",
"II.2.3.a"): each dash under a body heading ("1. Sở Khoa học và Công nghệ:") or a theme's title
is a duty, and the heading none; a heading whose lettered or numbered sub-items carry the work
is none; each body's work in one item ("…; Bộ X hướng dẫn …") is a duty of its own; where a task
table assigns the tasks, the body's description of them is no second duty; the closing formula
("Trong quá trình thực hiện, nếu có khó khăn, vướng mắc …") and a decision's closing articles
are none. Resolving the units and writing the draft is ``draft``'s work.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .reading import Paragraph, Table
from .units import assignment, subject

ROMAN = re.compile(r"^([IVXLC]+)\.\s*(.*)$")
NUMBER = re.compile(r"^(\d+(?:\.\d+)*)\.?\s+(.*)$")
LETTER = re.compile(r"^([a-zđ])\)\s*(.*)$")
BULLET = re.compile(r"^[-–+•]\s*(.*)$")
APPENDIX = re.compile(r"^PHỤ\s+LỤC\b\s*([IVX]+|\d+)?", re.IGNORECASE)
END = re.compile(r"^(?:Nơi nhận|TM\.|KT\.|Q\.\s|TL\.|TUQ\.)", re.IGNORECASE)
# A decision's closing articles: "Điều 2. Quyết định này có hiệu lực …", "Điều 3. Bộ trưởng … chịu trách nhiệm thi hành …".
CLOSING_ARTICLE = re.compile(r"^Điều\s+\d+\s*\.\s*(?=.*(?:có\s+hiệu\s+lực|chịu\s+trách\s+nhiệm\s+thi\s+hành))", re.IGNORECASE)
WORK = re.compile(r"NHIỆM VỤ|GIẢI PHÁP|NỘI DUNG|TỔ CHỨC THỰC HIỆN|TRÁCH NHIỆM|HOẠT ĐỘNG|LỘ TRÌNH|BÁO CÁO|PHÂN CÔNG|TRIỂN KHAI", re.IGNORECASE)
# A roadmap ("III. LỘ TRÌNH THỰC HIỆN: 1. Giai đoạn 2025 - 2030 …") describes what is done when: its
# items count only where they give work to a body, as a part that is neither work nor aims.
ROADMAP = re.compile(r"^(?:LỘ\s+TRÌNH|CÁC\s+GIAI\s+ĐOẠN|GIAI\s+ĐOẠN)\b", re.IGNORECASE)
# A day the text sets for something to be done or sent ("gửi về Sở Nội vụ trước ngày 31/3/2026"):
# in a part that is neither work nor aims (a campaign's "Thời gian trình khen thưởng"), work.
DUE_DAY = re.compile(r"\b(?:trước|chậm\s+nhất(?:\s+là)?|hạn\s+chót(?:\s+là)?|không\s+quá|trong)\s+(?:ngày\s+)?"
                     r"(?:\d{1,2}\s*[/.-]\s*\d{1,2}\s*[/.-]\s*\d{4}|\d{1,2}\s+tháng\s+\d{1,2}\s+năm\s+\d{4})", re.IGNORECASE)
NOT_WORK = re.compile(r"^(?:MỤC ĐÍCH|YÊU CẦU|MỤC TIÊU|QUAN ĐIỂM|ĐỐI TƯỢNG|KINH PHÍ|NGUỒN|PHẠM VI|CĂN CỨ|TIÊU CHÍ|ĐÁNH GIÁ|SỐ LƯỢNG|CHỈ TIÊU)",
                      re.IGNORECASE)
CONTENTS = re.compile(r"^NỘI\s+DUNG\b", re.IGNORECASE)  # a part of contents: its themes describe activities
# Label blocks: they belong to the item they follow, whatever numbers them ("- ", "b) ", none).
LEAD_LABEL = re.compile(r"^(?:[-+•]\s*)?(?:Cơ quan|Đơn vị)\s+(?:chủ\s+trì(?:\s+(?:thực hiện|tham mưu thực hiện|tham mưu))?|thực\s+hiện|được\s+giao|"
                        r"tham\s+mưu(?:\s+thực\s+hiện)?)\s*:\s*(.*)$|^(?:[-+•]\s*)?Trách\s+nhiệm\s+thực\s+hiện\s*:\s*(.*)$", re.IGNORECASE)
SUPPORT_LABEL = re.compile(r"^(?:[-+•]\s*)?(?:Cơ quan|Đơn vị)\s+phối\s+hợp(?:\s+thực hiện)?\s*:\s*(.*)$", re.IGNORECASE)
TIME_LABEL = re.compile(r"^(?:[-+•]\s*)?(?:Thời\s+gian|Thời\s+hạn|Tiến\s+độ)\s*(?:thực\s+hiện|hoàn\s+thành|báo\s+cáo)?\s*:\s*(.*)$", re.IGNORECASE)
PRODUCT_LABEL = re.compile(r"^(?:[-+•]\s*)?(?:Sản\s+phẩm|Kết\s+quả)(?:\s+(?:dự\s+kiến|đầu\s+ra))?\s*:\s*(.*)$", re.IGNORECASE)
TASK_LABEL = re.compile(r"^(?:[-+•]\s*)?(?:Nhiệm\s+vụ|Nội\s+dung(?:\s+thực\s+hiện)?|Tên\s+nhiệm\s+vụ)\s*:\s*(.*)$", re.IGNORECASE)
BUDGET_LABEL = re.compile(r"^(?:[-+•]\s*)?Kinh\s+phí(?:\s+thực\s+hiện)?\s*:\s*(.*)$", re.IGNORECASE)
LABELS = (LEAD_LABEL, SUPPORT_LABEL, TIME_LABEL, PRODUCT_LABEL, TASK_LABEL, BUDGET_LABEL)
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
    owner: str = ""  # the body a heading above names ("1. Sở Y tế", then a) b) c)): it owns the item
    tentative: bool = False  # in a part that is neither work nor not work: kept only if it assigns work
    labelled: bool = False  # a label block has been read into it
    heading_support: list[str] = field(default_factory=list)  # "phối hợp với X" of the body heading that owns it
    lead_in: Item | None = None  # the lead-in above it that is no duty ("… các nhiệm vụ sau trong năm 2026:"): its time passes down


@dataclass
class _Open:
    section: str
    heading: str
    work: bool | None  # None: neither a part of work nor one of aims ("VỀ MỘT SỐ KIẾN NGHỊ"): its items that assign work count
    implicit: bool = False  # the text before any part heading


def _part(section: str, heading: str) -> _Open:
    if NOT_WORK.match(heading):
        return _Open(section, heading, False)
    if ROADMAP.match(heading):
        return _Open(section, heading, None)
    return _Open(section, heading, True if WORK.search(heading) else None)


def read_items(blocks: list[Paragraph | Table], unread: list[tuple[int, list[str]]] | None = None) -> list[Item]:
    """The items of the body; ``unread`` receives (line, header cells) of each table that looks
    like a task table but whose columns are not recognised (its rows are not read).

    A body heading ("1. Sở Y tế", "2. Các bộ, ngành, địa phương có trách nhiệm:", a part's
    lead-in "Đề nghị Thường trực Tỉnh ủy … sau:", a letter's "Kính gửi: …") owns the items under
    it (``Item.owner``); a label block ("Cơ quan thực hiện: …", "c) Thời gian thực hiện: …")
    belongs to the item it follows; a bullet after a label block opens an item of its own.
    Each table that gives no duty is noted in ``unread`` as a ``tables.TableNote`` (line,
    header cells, kind: targets, budget, coordinates, figures, or columns not recognised).
    """
    from .tables import HEADER_CELL, _rows_from_cells, _table_items, continues, join_pipe_rows, table_ends  # tables build on ``Item``

    blocks = join_pipe_rows(blocks)  # a table written as "| … |" rows, as a table
    unread = [] if unread is None else unread
    items: list[Item] = []
    # Before any part heading: a letter (công văn) numbers its tasks "1.", "2." with no parts, so
    # numbered items count there; unnumbered text (the header, the preamble) does not.
    part = _Open("", "", True, implicit=True)
    numbers: list[str] = []  # the numbered path within the part: ["2"], ["2", "1"], ["2", "a"]
    owners: dict[int, str] = {}  # the body heading at each depth (0: the part's lead-in)
    supports: dict[int, str] = {}  # the bodies a body heading at each depth names to support its sub-items
    current: Item | None = None
    bullets = 0  # bullets read in the current numbered item
    split: str | None = None  # the dash that opens each duty under a heading of dashes ("-", "+")
    dashed: list[Item] = []  # the duties of those dashes
    heading_labels: list[Item] | None = None  # the dashes a label block after them belongs to (those without labels of their own)
    appendix = ""
    ended = False
    cells: list[Paragraph] = []  # a task table flattened into paragraphs (plain text, PDF)
    in_table = False
    addressee: list[str] | None = None  # "Kính gửi:" then the addressees, one a paragraph

    def close() -> None:
        nonlocal current
        if current is not None and not (current.tentative and not assignment(current.text) and not current.lead and not current.owner
                                        and not DUE_DAY.search(current.text)):
            items.append(current)
        current = None

    def flush_table() -> None:
        nonlocal in_table
        if cells:
            items.extend(_rows_from_cells(cells, appendix or _ref(part.section, numbers), unread))  # "PL II.3", "IV.2.5"
            cells.clear()
        in_table = False

    def owner_above(depth: int) -> str:
        return next((owners[d] for d in sorted(owners, reverse=True) if d < depth), "")

    def open_item(section: str, words: str, line: int, depth: int) -> Item:
        for d in [d for d in owners if d >= depth]:
            del owners[d]
        for d in [d for d in supports if d >= depth]:
            del supports[d]
        item = Item(section, words, line, part.heading, owner=owner_above(depth), tentative=part.work is None,
                    heading_support=support_above(depth))
        heading = _body_heading(words)
        if heading:
            owners[depth] = heading
            if _heading_support(words):
                supports[depth] = _heading_support(words)
        return item

    def support_above(depth: int) -> list[str]:
        return [supports[d] for d in sorted(supports, reverse=True) if d < depth][:1]

    for block in blocks:
        if isinstance(block, Table):
            close()
            items.extend(_table_items(block, appendix or _ref(part.section, numbers), unread))
            continue
        text = block.text
        if addressee is not None:
            if BULLET.match(text) and len(text) <= 200:
                addressee.append(BULLET.match(text)[1].strip(" ;."))
                continue
            if addressee:  # each addressee as named, not what the line goes on to say of it
                owners[0] = "; ".join(subject(a) or a for a in addressee)
            addressee = None
        if APPENDIX.match(text) and in_table and continues(text, appendix):
            continue  # "PHỤ LỤC II (tiếp theo)": the same table goes on
        if APPENDIX.match(text):
            close()
            flush_table()
            number = APPENDIX.match(text)[1]
            appendix = f"PL {number}" if number else "PL"
            ended = False
            part = _Open(appendix, text, True)
            numbers, owners, supports = [], {}, {}
            continue
        if ended:
            if ATTACHED.match(text) and text[:1].isupper():  # a decision's attached plan: its text starts here
                ended, part, numbers, owners, supports = False, _Open("", text, False), [], {}, {}
            continue
        if in_table and table_ends(text):  # the body's text resumes after a flattened table
            flush_table()
        if (END.match(text) or CLOSING_ARTICLE.match(text)) and not in_table:
            close()
            ended = True
            continue
        if HEADER_CELL["number"].match(text) and not in_table:  # "TT", "STT": a task table's first cell
            close()
            in_table = True
        if in_table:
            cells.append(block)
            continue
        greeting = re.match(r"^Kính\s+gửi\s*:?\s*(.*)$", text, re.IGNORECASE)
        if greeting and part.implicit:  # a letter's addressees own its numbered tasks
            addressee = [greeting[1].strip(" ;.")] if greeting[1].strip(" ;.") else []
            continue
        roman = ROMAN.match(text)
        if roman and (_is_heading(roman[2]) or len(roman[2]) <= 120):  # "II. NHIỆM VỤ", or "II. Nhiệm vụ, giải pháp:"
            close()
            part = _part(f"{appendix + ' ' if appendix else ''}{roman[1]}", roman[2])
            numbers, owners, supports, bullets, split = [], {}, {}, 0, None
            if _body_heading(roman[2]):  # "II. Ban Quản lý các khu công nghiệp tỉnh": a part of one body's work
                owners[0] = _body_heading(roman[2])
            continue
        if part.work is False:
            continue
        number, letter = NUMBER.match(text), LETTER.match(text)
        rest = number[2] if number else letter[2] if letter else ""
        if (number or letter) and current is not None and numbers and any(p.match(rest) for p in LABELS) \
                and (letter or len(number[1].split(".")) > 1):
            _labels(current, rest)  # "b) Cơ quan thực hiện: …": a label of the item above, not an item
            continue
        if number and not re.match(r"^\d{4}\b", text):
            close()
            numbers = number[1].split(".")
            current = open_item(_ref(part.section, numbers), number[2], block.line, len(numbers))
            bullets, split = 0, None
            _labels(current, number[2])
            continue
        if letter and numbers:
            close()
            # the letter under the numbered path it sits in: "2.3." then "c)" is "2.3.c", a letter after a letter replaces it
            numbers = [*[n for n in numbers if n[:1].isdigit()], letter[1]]
            current = open_item(_ref(part.section, numbers), letter[2], block.line, len(numbers))
            bullets, split = 0, None
            _labels(current, letter[2])
            continue
        if current is None:
            if not numbers and (_is_heading(text) or text.startswith("(")):
                continue  # a title under the heading ("DANH MỤC NHIỆM VỤ", "(Kèm theo Kế hoạch số …)")
            if split is not None:  # a line after the dashes of a heading closed: the dashes are done
                continue
            if not numbers and not part.implicit:  # text right under a part's heading: an item of the part itself
                current = open_item(part.section, "", block.line, 0)
                if text.rstrip().endswith(":") and subject(text):  # "Đề nghị Thường trực Tỉnh ủy … sau:": it owns the items
                    owners[0] = subject(text)
            else:
                continue
        bullet = BULLET.match(text)
        # A dash that opens a sentence ("- Tổ chức …"), not a hard-wrapped line that starts with one ("- 2030 phấn đấu …").
        bullet = bullet if bullet and bullet[1][:1].isupper() or bullet and current.labelled else None
        bullets += 1 if bullet else 0  # the text's dashes, labels' too: ".-4" is the fourth dash
        if bullet and not any(p.match(text) for p in LABELS):
            if split is None and bullets == 1 and not current.labelled and current.section == _ref(part.section, numbers) \
                    and _heads_bullets(current.text, themes=not CONTENTS.match(part.heading)):
                split, dashed = text[0], []  # "1. Sở Y tế:" or a theme's title, then dashes: each dash a duty, the heading none
                if not current.text.rstrip().endswith("."):
                    current = None  # a sentence of work ("b) Hướng dẫn … thực hiện thường xuyên.") stays a duty too
            if split is not None and text[0] == split or current is not None and current.labelled:
                # a dash under a heading, or one after a label block: a task of its own, with its own labels
                close()
                current = Item(f"{_ref(part.section, numbers)}.-{bullets}", "", block.line, part.heading,
                               owner=owner_above(len(numbers) + 1), tentative=part.work is None,
                               heading_support=support_above(len(numbers) + 1))
                if split is not None:
                    text = bullet[1].strip()
                    dashed.append(current)
                    heading_labels = None
        elif split is not None and not bullet and any(p.match(text) for p in (LEAD_LABEL, SUPPORT_LABEL, TIME_LABEL)):
            # "Đơn vị chủ trì tham mưu thực hiện: …" after a heading's dashes: a label of the heading, so of each of its dashes
            if heading_labels is None:
                heading_labels = [item for item in dashed if item is not current and not item.labelled]
            for item in heading_labels:
                _labels(item, text)
        if not _labels(current, text):
            current.text = f"{current.text}\n{text}".strip()
    close()
    flush_table()
    return _duties_only([i for i in items if i.text or i.lead])


# Where a sentence or a clause of an item opens: after ". " or "; " before a capital.
_CLAUSE = re.compile(r"(?<=[.;])\s+(?=[A-ZĐÀÁẢÃẠÂĂÊÔƠƯÍÌỈĨỊÓÒỎÕỌÚÙỦŨỤÉÈẺẼẸÝỲỶỸỴ])")
# A clause's opening that is no body: "Để xác định vị trí cụ thể của dự án, …", "Đồng thời, …".
_LEAD_IN = re.compile(r"^(?:(?:Để|Trên\s+cơ\s+sở|Căn\s+cứ|Trong\s+(?:quá\s+trình|thời\s+gian))\b[^,;.]{0,200},|Đồng\s+thời,?)\s*",
                      re.IGNORECASE)


_SUPPORTS_ONLY = re.compile(r"^[\s,]*(?:(?:có\s+trách\s+nhiệm|chủ\s+động|tích\s+cực)\s+)?phối\s+hợp\b(?!\s+với)", re.IGNORECASE)


def _each_assignment(item: Item) -> list[Item]:
    """An item that gives work to a body and then, in a sentence or clause of its own, to
    another ("…, hoàn thành trong tháng 12 năm 2025; Bộ Khoa học và Công nghệ hướng dẫn …",
    "… trước ngày 15 tháng 12. Bộ Khoa học và Công nghệ tổng hợp …, báo cáo … trước ngày 30
    tháng 01"): one duty for each body's work, with the item's section. An item of a table, one
    with labels, or one whose opening names no body stays whole."""
    if item.from_table or item.labelled or item.lead or "\n" in item.text:
        return [item]
    clauses = _CLAUSE.split(item.text)
    first = assignment(clauses[0]) or ([item.owner] if item.owner else [])
    if not first:
        return [item]
    named = {b.casefold() for b in first}
    parts, start = [], 0
    for at in range(1, len(clauses)):
        clause = clauses[at]
        opening = clause[_LEAD_IN.match(clause).end():] if _LEAD_IN.match(clause) else clause
        body = subject(opening)
        if body and _SUPPORTS_ONLY.match(opening[opening.find(body) + len(body):]):
            continue  # "Sở Tài chính phối hợp thực hiện.": a support of the work above, not work of its own
        if clause.rstrip().endswith("/."):  # the body's closing formula ("Yêu cầu các sở, ngành … thực hiện nghiêm túc./.")
            continue
        if body and body.casefold() not in named and not any(body.casefold() in n or n in body.casefold() for n in named):
            parts.append(" ".join(clauses[start:at]))
            start = at
            named.add(body.casefold())
    if not parts:
        return [item]
    parts.append(" ".join(clauses[start:]))
    split = []
    for number, words in enumerate(parts):
        piece = Item(item.section, words, item.line, item.heading, owner=item.owner if number == 0 else "", tentative=item.tentative,
                     support=list(item.support) if number == 0 else [], time_cells=list(item.time_cells) if number == 0 else [],
                     notes=list(item.notes), heading_support=list(item.heading_support) if number == 0 else [])
        split.append(piece)
    return split


# A plan's closing formula: "Trong quá trình thực hiện, nếu có khó khăn, vướng mắc, các cơ quan … phản ánh về …".
CLOSING_FORMULA = re.compile(r"^Trong\s+quá\s+trình\b[^.;]{0,80}?\bnếu\s+có\s+(?:khó\s+khăn|vướng\s+mắc|phát\s+sinh)", re.IGNORECASE)
# Parts that organise the work and its follow-up, not a description of the tasks a table assigns.
ORGANISING = re.compile(r"TỔ\s+CHỨC\s+THỰC\s+HIỆN|TRÁCH\s+NHIỆM|PHÂN\s+CÔNG|THEO\s+DÕI|KIỂM\s+TRA|GIÁM\s+SÁT|BÁO\s+CÁO", re.IGNORECASE)


def _duties_only(items: list[Item]) -> list[Item]:
    """The items that assign work, at the lowest level where the text assigns it:

    - the closing formula ("Trong quá trình thực hiện, nếu có khó khăn, vướng mắc … phản ánh về …")
      asks for nothing to be tracked, numbered or not;
    - a heading whose sub-items carry the work ("1. Nâng cao nhận thức …" over a) b) c), "1. Sở
      Y tế" over its dashes) is not a duty of its own;
    - where the plan gives its tasks in a task table (an appendix "Danh mục nhiệm vụ": each row
      with its lead and time), the body's description of those tasks outside the part that
      organises the work ("Tổ chức thực hiện") is no second duty: an item there that names no
      body and carries no label is left to the table.
    """
    kept, lead_ins = [], []
    for at, item in enumerate(items):
        following = items[at + 1] if at + 1 < len(items) else None
        if not item.from_table and following is not None and following.section.startswith(f"{item.section}.") \
                and not (item.lead or item.support or item.time_cells or item.labelled) \
                and not item.text.rstrip().endswith(".") \
                and (_heads_bullets(item.text) or "\n" not in item.text and item.text.endswith(":")):
            if item.text.rstrip().endswith(":"):
                lead_ins.append(item)
            continue
        kept.append(item)
    kept = [part for item in kept for part in _each_assignment(item) if not CLOSING_FORMULA.match(part.text)]
    for item in kept:  # the nearest lead-in above, dropped as no duty, still gives its time to the items under it
        item.lead_in = next((i for i in reversed(lead_ins) if item.section.startswith(f"{i.section}.")), None)
    if sum(i.from_table for i in kept) >= 3:
        kept = [i for i in kept if i.from_table or i.lead or i.support or i.labelled or i.owner or ORGANISING.search(i.heading)
                or subject(i.text.split("\n", 1)[0]) or assignment(i.text)]
    return kept


def _heads_bullets(text: str, themes: bool = True) -> bool:
    """Whether an item's words so far are a heading whose dashes carry the work: a body heading
    ("1. Sở Khoa học và Công nghệ:", "Đề nghị Ủy ban Mặt trận Tổ quốc … và các đoàn thể") or a
    theme's title ("3. Nâng cao nhận thức, trách nhiệm …", no sentence of its own; not where
    ``themes`` is False: in a part of contents, "NỘI DUNG", a theme's dashes spell out one
    activity), or a lead-in that ends with a colon ("… cụ thể như sau:")."""
    text = text.strip()
    if not text or "\n" in text:
        return not text
    body = _body_heading(text)
    if body and len(text) <= len(body) + 40 or text.endswith(":") and len(text) <= 250:
        return True
    if not themes or assignment(text) or text.endswith((";", ",")):
        return False
    return len(text) <= 250 and not text.endswith((".", ")")) or len(text) <= 200 and text.count(". ") == 0


def _body_heading(words: str) -> str:
    """The body a numbered heading names ("Sở Y tế", "Các bộ, ngành, địa phương có trách nhiệm:",
    "Bộ Công an: chỉ đạo …"), which then owns the items under it; "" for a heading of work."""
    first = words.split("\n", 1)[0].strip()
    body = subject(first)
    if not body:
        return ""
    tail = first[len(body):].strip() if first.startswith(body) else first.split(body, 1)[-1].strip()
    alone = re.fullmatch(r"(?:có\s+trách\s+nhiệm|chịu\s+trách\s+nhiệm|thực\s+hiện)?\s*[:.]?", tail, re.IGNORECASE)
    return body if alone or tail.startswith(":") or _HEADING_ROLES.match(tail) else ""


# "2. Sở Giáo dục và Đào tạo chủ trì, phối hợp với Sở Y tế, Ủy ban nhân dân các xã:": a body heading
# that names its role and the bodies that support it in each of its sub-items.
_HEADING_ROLES = re.compile(r"^(?:là\s+cơ\s+quan\s+)?chủ\s+trì(?:,?\s+phối\s+hợp\s+với\s+(?P<support>[^:]{3,300}))?\s*:$", re.IGNORECASE)


def _heading_support(words: str) -> str:
    """The bodies a body heading says support its sub-items ("… chủ trì, phối hợp với X, Y:")."""
    first = words.split("\n", 1)[0].strip()
    body = _body_heading(first)
    found = _HEADING_ROLES.match(first[len(body):].strip()) if body and first.startswith(body) else None
    return (found["support"] or "").strip() if found else ""


def _is_heading(words: str) -> bool:
    letters = [c for c in words if c.isalpha()]
    return bool(letters) and sum(c.isupper() for c in letters) >= 0.6 * len(letters)


def _ref(part: str, numbers: list[str]) -> str:
    return ".".join([part, *numbers]) if part else ".".join(numbers)


def _labels(item: Item, text: str) -> bool:
    """Take a label's words into ``item``; True when ``text`` was a label. "Cơ quan thực hiện: Sở
    X chủ trì; Sở Y phối hợp" gives a lead and a support; a task's or a budget's label adds its
    words to the item's text."""
    for pattern, target in ((LEAD_LABEL, "lead"), (SUPPORT_LABEL, "support"), (TIME_LABEL, "time"), (PRODUCT_LABEL, "product"),
                            (TASK_LABEL, "task"), (BUDGET_LABEL, "budget")):
        match = pattern.match(text)
        if match:
            words = next((g for g in match.groups() if g is not None), "").strip()
            if target == "lead":
                lead, support = _split_roles(words)
                if lead:
                    item.lead.append(lead)
                if support:
                    item.support.append(support)
                item.opening_unit = False
            elif target == "support":
                item.support.append(words)
            elif target == "time":
                item.time_cells.append(words)
            elif target == "product":
                item.product = words
            elif words:
                item.text = f"{item.text}\n{words}".strip() if target == "task" else f"{item.text}\n{text}".strip()
            item.labelled = item.labelled or target in ("lead", "support", "time")
            return True
    return False


def _split_roles(words: str) -> tuple[str, str]:
    """ "Sở Y tế chủ trì; Sở Tài chính, UBND cấp xã phối hợp" -> ("Sở Y tế", "Sở Tài chính, UBND cấp xã")."""
    found = re.search(r"\bchủ\s+trì\b[,;.]?", words, re.IGNORECASE)
    if not found:
        return words, ""
    lead, rest = words[:found.start()].strip(" ,;.:"), words[found.end():].strip(" ,;.:")
    rest = re.sub(r"^(?:,\s*)?phối\s+hợp\s+(?:với\s+)?", "", rest, flags=re.IGNORECASE)
    rest = re.sub(r"\s*phối\s+hợp\s*\.?$", "", rest, flags=re.IGNORECASE)
    return (lead or words), rest
