"""The header of a Decree 30/2020 document: who issued it, its number, place and date, its kind
and title, who signed it, and the documents it implements.

``read_header(paragraphs)`` reads the first page's form: the issuing body above "CỘNG HÒA XÃ
HỘI CHỦ NGHĨA VIỆT NAM", "Số: 980/KH-UBND", "Nghệ An, ngày 18 tháng 11 năm 2025", the kind in
capitals ("KẾ HOẠCH", "QUYẾT ĐỊNH") followed by the title, "Căn cứ …" and "Thực hiện …" with
the documents they cite, and the signature block ("KT. CHỦ TỊCH / PHÓ CHỦ TỊCH / name").
Anything not found stays None for the draft to mark.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from dataclasses import dataclass, field

from .reading import Paragraph

NUMBER = re.compile(r"^Số\s*:?\s*(\d+[\w./-]*/[\wĐđ.-]+(?:-[\wĐđ]+)*)", re.IGNORECASE)
PLACE_DATE = re.compile(r"^([^,]{2,40}),\s*ngày\s+(\d{1,2})\s+tháng\s+(\d{1,2})\s+năm\s+(\d{4})", re.IGNORECASE)
KINDS = {"KẾ HOẠCH": "ke_hoach", "QUYẾT ĐỊNH": "quyet_dinh", "CHỈ THỊ": "chi_thi", "THÔNG BÁO": "thong_bao", "CÔNG VĂN": "cong_van"}
BY_NUMBER = {"KH": "ke_hoach", "QĐ": "quyet_dinh", "CT": "chi_thi", "TB": "thong_bao"}
CITED = re.compile(r"(Quyết định|Kế hoạch|Chỉ thị|Nghị quyết|Nghị định|Thông tư|Công văn|Văn bản|Chương trình|Luật)\s+(?:số\s+)?"
                   r"(\d+[\w/.-]*/[\wĐđ.-]+)(?:\s+ngày\s+(\d{1,2})[/ ](?:tháng\s+)?(\d{1,2})[/ ](?:năm\s+)?(\d{4}))?"
                   r"(?:\s+của\s+([^,;]{3,80}?))?(?=[,;]|\s+về|\s+ban hành|\s+phê duyệt|\s+triển khai|\s+thực hiện|$)", re.IGNORECASE)
SIGNATURE = re.compile(r"^(?:TM\.|KT\.|Q\.|TL\.|TUQ\.)", re.IGNORECASE)


@dataclass
class Cited:
    kind: str
    number: str
    issued_on: dt.date | None
    issuer: str | None
    implements: bool  # "Thực hiện …": the plan implements it (a parent candidate)


@dataclass
class Header:
    issuer_words: str | None = None
    number: str | None = None
    doc_type: str | None = None
    place: str | None = None
    issued_on: dt.date | None = None
    title: str | None = None
    signed_by: str | None = None
    cited: list[Cited] = field(default_factory=list)
    body_from: int = 0  # the index of the first paragraph after the header


def read_header(paragraphs: list[Paragraph]) -> Header:
    header = Header()
    texts = [p.text for p in paragraphs]
    republic = next((i for i, t in enumerate(texts[:80]) if t.upper().startswith("CỘNG HÒA XÃ HỘI") or t.upper().startswith("CỘNG HOÀ XÃ HỘI")), None)
    if republic is not None:
        above = [t.strip(" -") for t in texts[max(0, republic - 3):republic] if t.strip(" -").isupper()]
        header.issuer_words = " ".join(above[-2:]).strip(" -") or None
    start = republic or 0
    for index in range(start, min(len(texts), start + 40)):
        text = texts[index]
        if header.number is None and (m := NUMBER.match(text)):
            header.number = m[1].rstrip(".")
            continue
        if header.issued_on is None and (m := PLACE_DATE.match(text)):
            header.place = m[1].strip()
            try:
                header.issued_on = dt.date(int(m[4]), int(m[3]), int(m[2]))
            except ValueError:
                pass
            continue
        if header.title is None and header.number and (kind := next((k for k in KINDS if text.upper().startswith(k)), None)):
            header.doc_type = KINDS[kind]
            rest = text[len(kind):].strip(" :")
            # Without a blank line after it, the title runs into the preamble ("Thực hiện …", "Căn cứ …").
            title, preamble = (re.split(r"\s(?=(?:Căn cứ|Thực hiện|Triển khai|Theo đề nghị)\s)", rest, maxsplit=1) + [""])[:2]
            if not title.strip():  # "KẾ HOẠCH" alone, the title in capitals on the paragraphs after it
                following = []
                for later in texts[index + 1:index + 4]:
                    if not (later.isupper() or later.startswith("(")) or later.startswith(("Căn cứ", "Thực hiện")):
                        break
                    following.append(later)
                title = " ".join(t for t in following if not t.startswith("("))
                index += len(following)
            header.title = sentence_case(title.strip(), texts) if title.strip() else None
            header.body_from = index + 1
            if preamble:
                texts = [*texts[:index + 1], preamble, *texts[index + 1:]]
            break
        if header.title is None and header.number and text.startswith(("V/v", "Về việc")):
            header.doc_type = "cong_van"
            header.title = text.split(" ", 1)[1] if " " in text else text
            header.body_from = index + 1
            break
    if header.doc_type is None and header.number:
        code = re.search(r"/([A-ZĐ]+)", header.number)
        header.doc_type = BY_NUMBER.get(code[1] if code else "", "cong_van")
    for text in texts[header.body_from:header.body_from + 40]:
        lead = text.split(" ", 1)[0].lower()
        if text.startswith(("Căn cứ", "Thực hiện", "Triển khai")) or lead in ("căn", "thực"):
            implements = text.startswith(("Thực hiện", "Triển khai"))
            for match in CITED.finditer(text):
                day = None
                if match[5]:
                    try:
                        day = dt.date(int(match[5]), int(match[4]), int(match[3]))
                    except ValueError:
                        pass
                header.cited.append(Cited(match[1], match[2], day, (match[6] or "").strip() or None, implements))
    for index, text in enumerate(texts):
        if SIGNATURE.match(text):  # the block may run over several paragraphs: "TM. …", "KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH", the name
            block = [text]
            for later in texts[index + 1:index + 5] if text.isupper() else []:  # a name ends the block
                if len(later) > 60:
                    break
                block.append(later)
                if not later.isupper():
                    break
            header.signed_by = signer(" ".join(block))
            break
    return header


ROLE = re.compile(r"(?:PHÓ\s+)?(?:CHỦ\s+TỊCH|THỦ\s+TƯỚNG|GIÁM\s+ĐỐC|BỘ\s+TRƯỞNG|TRƯỞNG\s+BAN|CHÁNH\s+VĂN\s+PHÒNG|TRƯỞNG\s+PHÒNG)")


def signer(block: str) -> str:
    """ "KT. CHỦ TỊCH PHÓ CHỦ TỊCH Nguyễn Văn Đệ" -> "Phó Chủ tịch Nguyễn Văn Đệ": the role last
    named in capitals and the name after it."""
    words = block.split()
    cut = next((i for i, w in enumerate(words) if not w.isupper() and w[:1].isupper()), len(words))
    name = " ".join(words[cut:])
    roles = ROLE.findall(" ".join(words[:cut]))
    role = roles[-1].capitalize().replace("tịch", "tịch").replace("chủ tịch", "Chủ tịch").replace("thủ tướng", "Thủ tướng") if roles else ""
    return f"{role} {name}".strip() or block[:200]


def sentence_case(title: str, texts: list[str]) -> str:
    """A title written in capitals, in the case the body writes its words: "THỰC HIỆN QUYẾT ĐỊNH SỐ
    1899/QĐ-TTG" -> "Thực hiện Quyết định số 1899/QĐ-TTg"."""
    if not title.isupper():
        return title
    body = " ".join(texts[:400])
    cased: Counter = Counter(re.findall(r"(?<=[a-zà-ỹ,;] )[\wÀ-ỹĐđ/.-]+", body))
    words = []
    for position, word in enumerate(title.split()):
        lower = word.lower()
        # An acronym ("HĐND", "UBND", "MTTQ"): consonants together that no Vietnamese word joins, written so in the body.
        joined = re.sub(r"NGH|CH|GH|GI|KH|NG|NH|PH|QU|TH|TR", "", word.strip(".,;:()"))
        acronym = re.search(r"[BCDĐGHKLMNPQRSTVX]{2}", joined) and re.search(rf"(?<!\w){re.escape(word)}(?!\w)", body)
        if any(c.isdigit() for c in word) or re.fullmatch(r"[IVXLC]{2,}[.,;:]?", word) or acronym:  # "5G", "XIV": as written
            words.append(word)
            continue
        variants = [w for w in (word.capitalize(), lower) if cased.get(w)] + [w for w in cased
                                                                               if w.lower() == lower and w not in (word.capitalize(), lower)]
        best = max(variants, key=lambda w: cased[w], default=lower)  # an acronym the body writes in capitals ("HĐND") stays so
        if "/" in word:  # a document number keeps the body's spelling
            best = next((w for w in cased if w.upper() == word), word)
        words.append(best[:1].upper() + best[1:] if position == 0 else best)
    return " ".join(words)


# --- the plan's period ------------------------------------------------------------------------

@dataclass
class Period:
    """The period the text states: where it says so ("title", "heading", "label"), its words,
    and its first and last day; ``end`` is None where it runs until an event (``until_event``)."""

    start: dt.date
    end: dt.date | None
    written: str
    source: str
    until_event: str | None = None


_Y = r"(\d{4})"
_NOT_TERM = r"(?<!kỳ )(?<!khóa )(?<!khoá )(?<!Kỳ )"  # "nhiệm kỳ 2026 - 2031" is a term of office, not the plan's period
_DMY = r"(\d{1,2})\s*[/.-]\s*(\d{1,2})\s*[/.-]\s*(\d{4})|(\d{1,2})\s+tháng\s+(\d{1,2})\s+năm\s+(\d{4})"
_MY = r"tháng\s*(\d{1,2})\s*(?:/|\s+năm\s+)(\d{4})"
_FROM = rf"(?:kể\s+)?từ\s+(?:ngày\s+(?:{_DMY})|{_MY}|năm\s+{_Y}|nay|ngày\s+ký(?:\s+ban\s+hành)?)"
_TO = rf"(?:đến|tới)\s+(?:hết\s+)?(?:ngày\s+(?:{_DMY})|{_MY}|(?:năm\s+)?{_Y}\b)"
_EVENT = re.compile(r"(?:cho\s+)?(?:đến|tới)\s+khi\s+([^.;\n()]{3,150})", re.IGNORECASE)
# "III. THỜI GIAN THỰC HIỆN", "3. Thời gian thi đua: …", "Thời gian tổ chức phong trào thi đua: …", "Thời gian: …";
# not "Thời gian qua, tỉnh đã …" (a qualifier or a colon is needed).
PERIOD_HEADING = re.compile(r"^(?:[IVX]+\.|\d+(?:\.\d+)*\.?|[a-zđ]\))?\s*(?:[-–+]\s*)?(thời\s+gian(?:\s+(?:thực\s+hiện|triển\s+khai|thi\s+đua|"
                            r"tổ\s+chức[^:.]{0,60}|áp\s+dụng|kế\s+hoạch)(?:\s+(?:kế\s+hoạch|phong\s+trào(?:\s+thi\s+đua)?|đợt\s+thi\s+đua))?"
                            r"\s*[:.]?|\s*[:.]|\s*$))\s*(.*)$", re.IGNORECASE)

OBJECTIVES_HEADING = re.compile(r"^[IVX]+\.\s*MỤC\s+TIÊU\b")
PART_ENDING_IN_TIME = re.compile(r"^[IVX]+\.\s.*\bTHỜI\s+GIAN\s+(?:THỰC\s+HIỆN|TRIỂN\s+KHAI|THI\s+ĐUA)\s*$")


def _day(groups: tuple, first: int) -> dt.date | None:
    values = [g for g in groups[first:first + 6] if g is not None][:3]
    if len(values) < 3:
        return None
    try:
        return dt.date(int(values[2]), int(values[1]), int(values[0]))
    except ValueError:
        return None


def period_of(words: str, issued_on: dt.date, single_year: bool = True) -> Period | None:
    """The period some words state: "giai đoạn 2026 - 2030", "03 năm 2026 - 2028", "từ năm 2026
    đến năm 2030", "từ tháng 10/2025 đến hết tháng 3/2026", "từ nay đến năm 2030", "đến năm 2030",
    "từ tháng 11/2025 đến khi kết thúc …", and (with ``single_year``) "năm 2026". A year given
    alone starts on 01/01 (or the issue date, if later) and ends on 31/12; a month on its first
    and last day; no start written is the issue date."""
    text = " ".join(words.split())

    def year_start(year: int) -> dt.date:
        return max(issued_on, dt.date(year, 1, 1))

    span = re.search(rf"{_FROM}\s*,?\s*{_TO}", text, re.IGNORECASE)
    if span:
        g = span.groups()
        start = _day(g, 0) or (dt.date(int(g[7]), int(g[6]), 1) if g[6] else None) or (year_start(int(g[8])) if g[8] else issued_on)
        tail = g[9:]
        end = _day(tail, 0)
        if end is None and tail[6]:
            end = dt.date(int(tail[7]), int(tail[6]), 1)
            end = dt.date(end.year, end.month, 28) + dt.timedelta(days=4)
            end -= dt.timedelta(days=end.day)
        if end is None and tail[8]:
            end = dt.date(int(tail[8]), 12, 31)
        if end and end >= start:
            return Period(start, end, span[0], "")
    event = _EVENT.search(text)
    if event:
        opening = re.search(rf"{_FROM}\s*,?\s*$", text[:event.start()], re.IGNORECASE)
        start = issued_on
        if opening:
            g = opening.groups()
            start = _day(g, 0) or (dt.date(int(g[7]), int(g[6]), 1) if g[6] else None) or (year_start(int(g[8])) if g[8] else issued_on)
        words_read = text[opening.start() if opening else event.start():event.end()]
        return Period(start, None, words_read, "", until_event=" ".join(event[1].split()).strip(" ,"))
    years = re.search(rf"{_NOT_TERM}(?:giai\s+đoạn\s+|năm\s+)?{_Y}\s*[-–]\s*(?:năm\s+)?{_Y}\b", text, re.IGNORECASE)
    if years and int(years[1]) <= int(years[2]) and int(years[2]) >= issued_on.year:
        return Period(year_start(int(years[1])), dt.date(int(years[2]), 12, 31), years[0], "")
    until = re.search(rf"(?:đến|tới)\s+(?:hết\s+)?năm\s+{_Y}", text, re.IGNORECASE)
    if until and int(until[1]) >= issued_on.year:
        return Period(issued_on, dt.date(int(until[1]), 12, 31), until[0], "")
    if single_year:
        year = re.search(rf"(?<!tháng )(?<!\d )\bnăm\s+{_Y}\b(?!\s*[-–])", text, re.IGNORECASE)
        if year and int(year[1]) >= issued_on.year:
            return Period(year_start(int(year[1])), dt.date(int(year[1]), 12, 31), year[0], "")
    return None


def read_period(title: str | None, texts: list[str], issued_on: dt.date) -> Period | None:
    """The period where the text states it: a "Thời gian thực hiện" (thi đua, triển khai, tổ chức
    …) heading, its value on the same line or the next; the title ("… giai đoạn 2026 - 2030",
    "… đến năm 2030 trên địa bàn …", "… 03 năm 2026 - 2028", "… năm 2026"). A numbered or capital
    heading is read before the title; the title before a plain label (a duty's "Thời gian thực
    hiện: …" gives the plan's period only as a span of years or until an event); last, the aims'
    part heading ("II. MỤC TIÊU ĐẾN NĂM 2030", ``source`` "objectives": a guess to mark). None
    where the text states none."""
    strong, weak = [], []
    for index, text in enumerate(texts[:600]):
        heading = PERIOD_HEADING.match(text)
        if heading is None and PART_ENDING_IN_TIME.match(text):  # "II. PHẠM VI VÀ THỜI GIAN THỰC HIỆN", its value below
            heading = PERIOD_HEADING.match("Thời gian thực hiện")
        if not heading or len(text) > 400:
            continue
        value = heading[2].strip()
        if not value and index + 1 < len(texts) and len(texts[index + 1]) <= 300:
            value = texts[index + 1]  # "Thời gian thực hiện" then "Từ năm 2026 đến năm 2030" on the next line
        numbered = bool(re.match(r"^(?:[IVX]+\.|\d+(?:\.\d+)*\.?\s)", text)) or heading[1].isupper()
        (strong if numbered else weak).append(value)
    for value in strong:
        found = period_of(value, issued_on)
        if found:
            found.source = "heading"
            return found
    if title:
        found = period_of(title, issued_on, single_year=False) or period_of(title, issued_on)
        if found and found.until_event is None:
            found.source = "title"
            return found
    for value in weak:
        found = period_of(value, issued_on, single_year=False)
        if found and (found.until_event or found.end and found.end.year > found.start.year):
            found.source = "label"
            return found
    for text in texts[:600]:  # "II. MỤC TIÊU ĐẾN NĂM 2030": the aims' horizon, a guess the draft marks
        if OBJECTIVES_HEADING.match(text) and text.isupper() and (found := period_of(text, issued_on, single_year=False)) and found.end:
            found.source = "objectives"
            return found
    return None
