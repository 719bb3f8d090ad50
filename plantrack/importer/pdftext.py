"""A PDF's text layer into the document model.

``page_text(page)`` is pypdf's layout extraction (characters kept at their columns; the plain
extraction where the layout one fails). ``document_of_pages(path, pages)`` reads those lines:

- **The header's two columns**: on the first page, a line holding the republic ("CỘNG HÒA XÃ
  HỘI …") after other text is the two-column header; up to the place and date (or the kind of
  document, "KẾ HOẠCH"), each line is split at the republic's column into the left column (the
  issuing body, "Số: …") and the right one (republic, motto, place and date), which make the
  header block (``model.header_of_columns``) and its lines in a plain text's order.
- **Tables**: a run of lines of at least three pieces (two spaces or more apart) that start at
  the same columns is a table: a column starts where pieces start in two of its full lines; a row
  starts at a line with a value in its first column (in a table numbered "TT", only there), and a
  cell wrapped over several lines is joined back. A table that goes on over the next page (its
  columns, no text between) is one table, its header repeated or not. A prose line, justified
  (its pieces start anywhere) or at the margin, ends it.
- **Paragraphs**: the other lines, over page breaks, joined as hard-wrapped text
  (``reading.paragraphs_of_lines``: a label, a heading, a sentence's end); a line ends its
  paragraph too where the next line's first word would have fitted after it (the text's width is
  the right end most long lines reach). A line broken after a hyphen inside a number ("1179/QĐ-"
  / "UBND") is joined without a space. Page numbers are dropped where most pages carry one.
- **The closing block** in two columns ("Nơi nhận:" and its list beside "TM. ỦY BAN NHÂN DÂN",
  "KT. CHỦ TỊCH", the name): its lines column by column, as a plain text has them.
"""

from __future__ import annotations

import re
from pathlib import Path

from .model import DATE_LINE, KIND_LINE, REPUBLIC, SIGNATURE_LINE, Document, HeaderBlock, Paragraph, Table, header_of_columns

GAP = re.compile(r"\s{2,}")
NUMBER_COLUMN = re.compile(r"^(?:S\.?\s?TT|TT|Số\s+TT)\b", re.IGNORECASE)


def page_text(page) -> str:
    try:
        return page.extract_text(extraction_mode="layout") or ""
    except Exception:  # a layout pypdf cannot follow: the plain reading order
        return page.extract_text() or ""


def segments(line: str) -> list[tuple[int, str]]:
    """The pieces of a line two spaces or more apart, with where each starts."""
    found, position = [], 0
    for piece in GAP.split(line):
        start = line.index(piece, position) if piece else position
        if piece.strip():
            found.append((start, piece.strip()))
        position = start + len(piece)
    return found


# --- the header --------------------------------------------------------------------------------

def split_header(lines: list[str]) -> tuple[HeaderBlock | None, list[str], list[str]]:
    """(the header block, the lines above it, the lines after it) of a first page whose header is
    in two columns; (None, [], ``lines``) where it is not."""
    filled = [i for i, line in enumerate(lines) if line.strip()]
    republic = next((i for i in filled[:60] if any(REPUBLIC.match(text) and start > 0 and line[:start].strip()
                                                   for line in [lines[i]] for start, text in segments(line))), None)
    if republic is None:
        return None, [], lines
    pieces = segments(lines[republic])
    at = next(i for i, (start, text) in enumerate(pieces) if REPUBLIC.match(text))
    split = (pieces[at - 1][0] + len(pieces[at - 1][1]) + pieces[at][0]) // 2 + 2  # between the columns (the "- 2"s below)
    first = republic
    while first > 0 and republic - first < 3 and lines[first - 1].strip().isupper():  # the issuer's lines above the columns
        first -= 1
    left, right, end = [], [], republic
    for index in range(first, min(len(lines), republic + 14)):
        line = lines[index]
        if not line.strip():
            continue
        if index > republic and KIND_LINE.match(line.strip()) and not any(start < split - 2 for start, _ in segments(line)):
            break
        for start, text in segments(line):
            (left if start < split - 2 else right).append(text)
        end = index + 1
        if right and DATE_LINE.search(" ".join(right[-2:])) and re.search(r"năm\s+\d{4}", right[-1]):
            break
    before = lines[:first]
    return header_of_columns(left, right), before, lines[end:]


def closing_columns(lines: list[str], at: int) -> tuple[list[str], int] | None:
    """The closing block in two columns from ``lines[at]`` ("Nơi nhận:" on the left, "TM. …" on
    the right of the same line), over the blank lines of the signature's space: its lines column
    by column, and the index after it; None where the line is no such block."""
    pieces = segments(lines[at])
    if len(pieces) != 2 or not any(SIGNATURE_LINE.match(text) for _, text in pieces):
        return None
    split = (pieces[0][0] + len(pieces[0][1]) + pieces[1][0]) // 2  # between the columns: the right one's lines are centred
    left, right, end, blanks = [], [], at, 0
    while end < len(lines) and blanks <= 8:
        found = segments(lines[end])
        named = any(not t.isupper() for t in right[1:]) and any(t.isupper() for t in right)  # the signer's name has come
        if not found:
            blanks += 1
            end += 1
            if named:
                break
            continue
        if any(start < split and start + len(text) > pieces[1][0] + 2 for start, text in found):
            break  # running text across the columns
        if named and any(start >= split or not (text[:1] in "-+•" or text[:1].islower()) for start, text in found):
            break  # the signature is done, and the recipients' list: what follows is something else ("PHỤ LỤC")
        for start, text in found:
            (left if start < split else right).append(text)
        end, blanks = end + 1, 0
    return left + right, end


# --- tables ------------------------------------------------------------------------------------

def _columns(rows: list[str]) -> list[int]:
    """The start of each column of a table's full lines: where a piece starts in at least two of
    them (or the only one), blank just before in all."""
    counts: dict[int, int] = {}
    for row in rows:
        for start, _ in segments(row):
            near = next((k for k in counts if abs(k - start) <= 1), start)
            counts[near] = counts.get(near, 0) + 1
    wanted = 1 if len(rows) == 1 else 2
    return sorted(k for k, n in counts.items()
                  if n >= wanted and all(k == 0 or k - 1 >= len(r) or r[k - 1] == " " for r in rows))


def _cells(line: str, starts: list[int]) -> list[str]:
    """A line's text in each column: word by word in a full line; in one of fewer pieces (a
    group's title across the row, a wrapped cell) each piece whole in the column it starts in."""
    cells = [""] * len(starts)

    def column(position: int) -> int:
        return max((k for k, s in enumerate(starts) if s <= position + 1), default=0)

    pieces = segments(line)
    if len(pieces) >= 3:
        pieces = [(m.start(), m[0]) for m in re.finditer(r"\S+", line)]
    for start, text in pieces:
        k = column(start)
        cells[k] = f"{cells[k]} {text}".strip()
    return cells


def _prose(line: str) -> bool:
    """A line of running text at the margin, not a cell."""
    pieces = segments(line)
    return len(pieces) == 1 and pieces[0][0] <= 1 and len(pieces[0][1]) > 40


def _fits(line: str, starts: list[int]) -> bool:
    """Whether a line's pieces each start at a column of the table (a row or a wrapped cell)."""
    pieces = segments(line)
    return bool(pieces) and not _prose(line) and all(any(abs(start - s) <= 1 for s in starts) for start, _ in pieces)


def find_table(lines: list[str], at: int) -> tuple[list[list[str]], int] | None:
    """The table starting at ``lines[at]`` and the index after it, or None: full lines (three
    pieces or more) whose pieces start where the first one's do (all but one), with the lines
    between them that are no running text."""
    if len(segments(lines[at])) < 3:
        return None
    known = {start for start, _ in segments(lines[at])}
    full, end, pending, index = [lines[at]], at + 1, 0, at + 1
    while index < len(lines) and pending <= 4:
        line = lines[index]
        index += 1
        if not line.strip():
            continue
        pieces = segments(line)
        if len(pieces) >= 3:
            if sum(not any(abs(start - k) <= 1 for k in known) for start, _ in pieces) > 1:
                break  # justified text, or another table
            known |= {start for start, _ in pieces}
            full.append(line)
            end, pending = index, 0
        elif _prose(line):
            break
        else:
            pending += 1
    if len(full) < 2 or len(_columns(full)) < 3:
        return None
    starts = _columns(full)
    while end < len(lines) and (not lines[end].strip() or _fits(lines[end], starts)):  # the last row's wrapped cells
        if lines[end].strip() and (len(segments(lines[end])) >= 3 or segments(lines[end])[0][0] <= 1):
            break  # a row would have come between; a line at the margin is the text after the table
        end += 1
    while end > at and not lines[end - 1].strip():
        end -= 1
    numbered = bool(NUMBER_COLUMN.match(_cells(lines[at], starts)[0] or ""))
    return _rows(lines[at:end], starts, numbered), end


def _rows(lines: list[str], starts: list[int], numbered: bool, rows: list[list[str]] | None = None) -> list[list[str]]:
    """The rows of a table's lines (added to ``rows``, a table's rows so far)."""
    rows = [] if rows is None else rows
    header_only = len(rows) == 1
    for line in lines:
        if not line.strip():
            continue
        cells = _cells(line, starts)
        opens = bool(cells[0]) if numbered or not rows else (bool(cells[0]) and sum(bool(c) for c in cells) >= 2)
        if len(rows) == 1 and numbered and not cells[0] and not header_only:
            opens = False  # the header's wrapped words
        if opens or not rows:
            rows.append(cells)
        else:
            rows[-1] = [old if not new else f"{old}\n{new}" if old and new[0] in "-+•" else f"{old} {new}".strip()
                        for old, new in zip(rows[-1], cells)]
    return rows


def continue_table(lines: list[str], starts: list[int], numbered: bool) -> int:
    """How many of a page's first lines go on with the table the page before ended with: rows and
    wrapped cells whose pieces start at its columns (at the margin, a row's number, or in a table
    not numbered, a row of two cells or more)."""
    end = 0
    while end < len(lines):
        line = lines[end]
        pieces = segments(line)
        if pieces and (not _fits(line, starts) or pieces[0][0] <= 1 and (
                not re.fullmatch(r"(?:\d{1,3}|[IVXLC]+|[A-Z])\.?", pieces[0][1].split()[0]) if numbered else len(pieces) < 2)):
            break
        end += 1
    while end and not lines[end - 1].strip():
        end -= 1
    return end


# --- the document ------------------------------------------------------------------------------

def _page_lines(text: str) -> list[str]:
    """A page's lines, blank ones at its edges left out."""
    lines = [line.rstrip() for line in text.splitlines()]
    while lines and not lines[-1].strip():
        lines.pop()
    while lines and not lines[0].strip():
        lines.pop(0)
    return lines


def _drop_page_numbers(pages: list[list[str]]) -> None:
    """Each page's number alone on its first (or last) line left out where most pages carry one
    there (a table's row number that happens to be the page's stays), and a letter alone at a
    page's edge (a glyph left over)."""
    for position in (0, -1):
        numbered = [bool(lines) and lines[position].strip().strip("- ") == str(page) for page, lines in enumerate(pages, 1)]
        if sum(numbered) >= max(2, len(pages[1:]) // 2):
            for lines, drop in zip(pages, numbered):
                if drop:
                    lines.pop(position)
    for lines in pages:
        for position in (0, -1):
            if lines and len(lines[position].strip()) == 1 and lines[position].strip().isalpha():
                lines.pop(position)


def _width(lines: list[str]) -> int:
    """The text's width in columns: the right end most long lines reach."""
    ends = sorted(len(line) for line in lines if len(line.strip()) >= 40)
    return ends[int(0.9 * (len(ends) - 1))] if ends else 0


def _ends_paragraph(line: str, following: str, width: int) -> bool:
    """Whether ``line`` ends its paragraph: the next line's first word would have fitted after it
    (with room to spare: a justified line's end wavers by a few columns)."""
    first = following.split()[0] if following.split() else ""
    if line.isupper() and following.isupper() and len(line) >= 0.6 * width:  # capitals run wider than the columns count:
        return False  # a long heading's lines stay together
    return bool(width) and len(line) + 1 + len(first) < 0.88 * width


def _join_hyphens(flow: list[tuple[str, int]]) -> None:
    """A line broken after a hyphen inside a number ("1179/QĐ-" / "UBND ngày …"): the word is
    taken back onto the line, without a space."""
    for index in range(len(flow) - 1):
        line, following = flow[index][0], flow[index + 1][0]
        if re.search(r"\w-$", line) and re.match(r"\s*\w", following):
            word, _, rest = following.strip().partition(" ")
            flow[index] = (line + word, flow[index][1])
            flow[index + 1] = (rest, flow[index + 1][1])


def document_of_pages(path: Path, pages: list[str]) -> Document:
    from .reading import paragraphs_of_lines

    document = Document(path, "pdf", where="page")
    pages_lines = [_page_lines(text) for text in pages]
    _drop_page_numbers(pages_lines)
    width = _width([line for lines in pages_lines for line in lines])
    flow: list[tuple[str, int]] = []  # the running text's lines and their pages, across page breaks
    columns: list[int] = []  # where the last table's columns start, and whether it is numbered ("TT")
    numbered = False

    def close() -> None:
        _join_hyphens(flow)
        filled = [i for i, (line, _) in enumerate(flow) if line.strip()]
        starts = {after for before, after in zip(filled, filled[1:]) if _ends_paragraph(flow[before][0], flow[after][0], width)}
        for before, after in zip(filled, filled[1:]):  # the kind of document ("KẾ HOẠCH") stands alone above its title
            if KIND_LINE.match(flow[before][0].strip()) and len(flow[before][0].strip()) <= 12:
                starts |= {before, after}
        for paragraph in paragraphs_of_lines([line for line, _ in flow], 0, starts):
            document.blocks.append(Paragraph(paragraph.text, flow[paragraph.line][1]))
        flow.clear()

    for number, lines in enumerate(pages_lines, 1):
        if number == 1:
            header, before, lines = split_header(lines)
            if header is not None:
                flow.extend((line, number) for line in before)
                close()
                document.header = header
                document.blocks += [Paragraph(line, number) for line in header.lines()]
        index = 0
        last = document.blocks[-1] if document.blocks else None
        if not flow and isinstance(last, Table) and last.line == number - 1 and columns:
            index = continue_table(lines, columns, numbered)
            _rows(lines[:index], columns, numbered, last.rows)
            last.pad()
        while index < len(lines):
            closing = closing_columns(lines, index)
            if closing:
                close()
                block, index = closing
                document.blocks += [Paragraph(line, number) for line in block]
                continue
            table = find_table(lines, index)
            if table:
                close()
                rows, end = table
                if not _add_table(document, Table(rows, number)):
                    full = [line for line in lines[index:end] if len(segments(line)) >= 3]
                    columns, numbered = _columns(full), bool(NUMBER_COLUMN.match(rows[0][0]))
                index = end
                continue
            flow.append((lines[index], number))
            index += 1
    close()
    return document


def _add_table(document: Document, table: Table) -> bool:
    """A table, or the rest of the one before it where it goes on from the page before (True)."""
    last = document.blocks[-1] if document.blocks else None
    if isinstance(last, Table) and last.line == table.line - 1 and len(last.rows[0]) == len(table.rows[0]):
        rows = table.rows[1:] if table.rows[0] == last.rows[0] else table.rows
        last.rows += rows
        last.pad()
        return True
    document.blocks.append(table)
    return False
