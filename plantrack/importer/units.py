"""Which registered units and groups a phrase of a plan names.

``UnitIndex`` is built from a catalogue (the registries): every unit's name, short name,
aliases and former names, and the same names without the locality they end with ("Sở Tài chính
thành phố Cần Thơ" is "Sở Tài chính" in a plan of Cần Thơ). ``resolve(text)`` finds the names in
a phrase, longest first, preferring the units under the issuing body, then the national ones
(a name written without its "và" or commas is met too: ``loosely``); class phrases ("các sở,
ban, ngành", "UBND cấp xã", "Bộ, ngành có liên quan", "doanh nghiệp") are mapped to a group
whose rule takes those kinds under the issuer, else to a registered entry standing for the whole
class ("Các sở, ban, ngành tỉnh Đồng Tháp"), else come back in ``classes`` with their kinds (the
draft makes a group of them: ``draft._new_group``). What looks like a body but matches nothing
comes back as ``unresolved`` with the closest names as candidates, for a person to decide. A
heading in capitals ("1. SỞ Y TẾ") is read as a name is written, never "BAN HÀNH …", "BÁO CÁO …".

Bodies are known by their kind (Sở …, Công an tỉnh, Bộ Chỉ huy Quân sự …, Ban Quản lý …, Báo …,
Đài …, Tập đoàn …); a registered name inside a longer one is not that body ("Chính phủ" in "Văn
phòng Chính phủ"), nor is a place's bare name after a person's title or an idea ("Chủ tịch Hồ
Chí Minh"). ``subject`` reads the body a clause opens with (a head of a body stands for it:
"Bộ trưởng Bộ Xây dựng"), ``assignment`` the bodies a directive gives work to ("Về …: giao Bộ X
chủ trì …"); neither ever takes the object of "phối hợp (với)".
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
import unicodedata
from dataclasses import dataclass, field

from ..loader import Catalogue

_ABBREVIATIONS = [
    (r"\bubnd\b", "ủy ban nhân dân"), (r"\bhđnd\b", "hội đồng nhân dân"), (r"\bmttq\b", "mặt trận tổ quốc"),
    (r"\btp\.?\s", "thành phố "), (r"\buỷ\b", "ủy"), (r"\bthuỷ\b", "thủy"), (r"\bhoá\b", "hóa"), (r"\bhòa\b", "hòa"),
    (r"\bkh&cn\b", "khoa học và công nghệ"), (r"\bnn&mt\b", "nông nghiệp và môi trường"), (r"\bchqs\b", "chỉ huy quân sự"),
]
_LOCALITY = re.compile(r"\s+(?:của\s+)?(?:thành phố|tỉnh|huyện|quận|xã|phường)\s+[^,;()]+$")
# A phrase that names a body: a kind of body, then its proper name in capitals ("Sở Nội vụ",
# "Hội Nông dân tỉnh", "Trường Đại học Bách khoa"); what a person should look at when it
# matches nothing. Not "cơ sở", "xã hội số", "thị trường", "báo cáo", "ban hành", "bộ máy".
_KINDS = (r"Sở|Bộ Chỉ huy|Báo và Phát thanh, Truyền hình|Bộ|Ban Chỉ huy|Ban Chỉ đạo|Ban|Ủy ban|Uỷ ban|UBND|Công an|Cục|Chi cục|"
          r"Văn phòng|Đài|Báo|Trung tâm|Hội|"
          r"Liên đoàn|Liên minh|Liên hiệp|Hiệp hội|Tập đoàn|Tổng cục|Thanh tra|Tòa án|Viện kiểm sát|Thường trực|Tỉnh ủy|Thành ủy|"
          r"Tỉnh đoàn|Thành đoàn|Viện|Trường|Kho bạc|Ngân hàng|Bảo hiểm xã hội|Quân khu|Bộ đội|Tổng công ty|Công ty|Đảng ủy")
# Words before a body that make it the one addressed: "Giao Sở Tư pháp …", "Đề nghị Ban Tuyên giáo …",
# "Bộ trưởng Bộ Xây dựng" and "Chủ tịch UBND các tỉnh" (a head of a body stands for the body).
ADDRESS = re.compile(r"^(?:(?:giao(?:\s+cho)?|đề\s+nghị|yêu\s+cầu|kính\s+gửi\s*:?)\s+)?(?:(?:bộ\s+trưởng|thủ\s+trưởng|chủ\s+tịch|giám\s+đốc|"
                     r"trưởng\s+ban|tổng\s+giám\s+đốc|chánh\s+văn\s+phòng|người\s+đứng\s+đầu)(?:,\s*[^,]{0,40}?)?\s+(?=(?:các\s+)?\w+\s))?",
                     re.IGNORECASE)
# A kind, then its proper name in capitals, or the place it serves ("Công an tỉnh", "Bộ Chỉ huy quân sự tỉnh").
BODY = re.compile(rf"^(?:(?i:các)\s+)?(?:{_KINDS})\s+(?:nhân dân\s+|cấp\s+\w+\s+|(?i:quân\s+sự)\s+|các\s+)?"
                  r"(?:[A-ZĐÀ-ỸẠ-Ỹ0-9]|(?:tỉnh|thành\s+phố|xã|phường|đặc\s+khu|quốc\s+gia|trung\s+ương)\b)")
# What follows a body's name in a sentence: what it is to do (lower case: "Bộ Xây dựng" is a name, "xây dựng" a verb).
VERBS = (r"có\s+trách\s+nhiệm|chịu\s+trách\s+nhiệm|chủ\s+trì|phối\s+hợp|tham\s+mưu|căn\s+cứ|thực\s+hiện|"
         r"tổ\s+chức(?!\s+(?:chính\s+trị|thành\s+viên|xã\s+hội|quốc\s+tế|đoàn\s+thể|hội|,))|xây\s+dựng|chỉ\s+đạo|bố\s+trí|hướng\s+dẫn|tập\s+trung|khẩn\s+trương|chủ\s+động|tiếp\s+tục|tăng\s+cường|nghiên\s+cứu|rà\s+soát|xem\s+xét|làm\s+việc|"
         r"đẩy\s+mạnh|là\s+cơ\s+quan|là\s+đầu\s+mối|định\s+kỳ|quan\s+tâm|bảo\s+đảm|đảm\s+bảo|ban\s+hành|vận\s+động|theo\s+dõi|đôn\s+đốc|"
         r"tổng\s+hợp|kiểm\s+tra|triển\s+khai|báo\s+cáo|sớm|trình|cung\s+cấp|hoàn\s+thành|phát\s+huy|tuyên\s+truyền|thẩm\s+định|"
         r"giám\s+sát|rà\s+soát|nắm|theo\s+chức\s+năng|trong\s+phạm\s+vi|với\s+vai\s+trò|thường\s+xuyên|ưu\s+tiên|cập\s+nhật|phổ\s+biến|"
         r"đề\s+xuất|xử\s+lý|lồng\s+ghép|chuẩn\s+bị|điều\s+chỉnh|nâng\s+cao|duy\s+trì|gửi|giải\s+quyết|tiếp\s+nhận|phát\s+triển")
_SUBJECT_END = re.compile(rf":|\.\s|\s+(?:{VERBS})\b")


_KIND_LIST = re.compile(rf"\b(?i:các)\s+({_KINDS}|(?i:bộ|sở|tập\s+đoàn|tổng\s+công\s+ty|đài|báo|ban))\s*:\s*")


def spell_out_lists(text: str, known=None) -> str:
    """ "các Bộ: Tài chính, Công Thương, Xây dựng" -> "Bộ Tài chính; Bộ Công Thương; Bộ Xây dựng", "các Tập
    đoàn: Bưu chính Viễn thông Việt Nam, …": a kind, then the proper names it stands before (each
    begins with a capital; the first word in lower case ends the list). ``known(name)`` tells a
    registered name, so that "Văn hóa, Thể thao và Du lịch" stays one."""
    found = _KIND_LIST.search(text)
    if not found:
        return text
    kind = found[1][:1].upper() + found[1][1:].lower()
    names, rest = [], text[found.end():]
    for piece in re.split(r"(,\s*)", rest):  # not at "và": "Bộ Thông tin và Truyền thông" is one name
        if not piece or re.fullmatch(r",\s*", piece):
            continue
        if not piece[:1].isupper():
            break
        name = _SUBJECT_END.split(piece, maxsplit=1)[0].strip(" .;")
        if names and known is not None and known(f"{names[-1]}, {name}") and not known(f"{kind} {name}"):
            names[-1] = f"{names[-1]}, {name}"
        else:
            names.append(f"{kind} {name}")
        if name != piece.strip(" .;"):
            break
    if not names:
        return text
    consumed = rest.find(names[-1].split(" ", len(kind.split()))[-1]) + len(names[-1]) - len(kind) - 1
    return f"{text[:found.start()]}{'; '.join(names)}{rest[consumed:]}"


_SMALL = {"và", "các", "của", "cấp", "tỉnh", "thành", "phố", "xã", "phường", "nhân", "dân", "quân", "sự"}
# What a kind's word begins in capitals that is no body: "BAN HÀNH", "BÁO CÁO", "BỘ MÁY", "HỘI NGHỊ", "TRƯỜNG HỢP".
_NOT_A_BODY = re.compile(r"^(?:ban\s+hành|báo\s+cáo|bộ\s+(?:máy|tiêu|chỉ\s+số|công\s+cụ|hồ\s+sơ)|hội\s+(?:nghị|thảo|nhập|thi|diễn)|"
                         r"sở\s+hữu|đài\s+thọ|trường\s+hợp|viện\s+dẫn|thanh\s+tra\s*,|công\s+an\s+ninh|văn\s+phòng\s+phẩm)\b")


def title_of(text: str) -> str:
    """A name written in capitals as a name is written ("SỞ Y TẾ" -> "Sở Y Tế", "UBND CÁC XÃ,
    PHƯỜNG" -> "UBND các xã, phường"): each word capitalised but the small ones, abbreviations kept."""
    kind = re.match(rf"(?i:(?:các\s+)?(?:{_KINDS}))(?=\s|$)", text)
    written = ""
    if kind:  # the kind as the kinds are written ("Công an", "Bộ Chỉ huy"), the name after it capitalised
        lowered = kind[0].lower()
        written = next((k for k in _KINDS.split("|") if k.lower() == lowered.removeprefix("các ")), kind[0])
        written = ("các " if lowered.startswith("các ") else "") + written
        text = text[kind.end():].strip()
    words = [written] if written else []
    for word in text.split(" "):
        lower = word.lower()
        plain = re.sub(r"\W", "", lower)
        if plain in ("ubnd", "hđnd", "mttq") or re.search(r"&", word):
            words.append(word)
        else:
            words.append(lower if plain in _SMALL and words else lower[:1].upper() + lower[1:])
    return " ".join(w for w in words if w)


def _in_capitals(text: str) -> bool:
    letters = [c for c in text if c.isalpha()]
    return len(letters) >= 4 and sum(c.isupper() for c in letters) >= 0.8 * len(letters)


def subject(text: str) -> str:
    """The body a clause opens with, as the text names it: "Sở Tài chính" of "Sở Tài chính chủ trì
    …", "Bộ Xây dựng" of "Giao Bộ trưởng Bộ Xây dựng khẩn trương …", "Thường trực Tỉnh ủy" of
    "Đề nghị Thường trực Tỉnh ủy tập trung …"; "" when it opens with no body (a verb, a topic,
    "Phối hợp với …": the object of "phối hợp" is never the one who leads)."""
    text = unicodedata.normalize("NFC", text).strip(" -+•*")
    line = text.split("\n", 1)[0]
    if _in_capitals(line):  # "SỞ Y TẾ" of a heading, not "BAN HÀNH KẾ HOẠCH": read as a name is written, given back as written
        titled = title_of(line)
        if _NOT_A_BODY.match(key(line)):
            return ""
        body = _subject(titled + text[len(line):])
        at = titled.find(body) if body else -1
        return line[at:at + len(body)] if at >= 0 and len(titled) == len(line) else body
    return _subject(text)


def _subject(text: str) -> str:
    rest = text[ADDRESS.match(text).end():]
    listed = _KIND_LIST.match(rest)
    if listed:  # "các Tập đoàn: A, B tổ chức …": the kind and its names, spelled out by ``resolve``
        return (rest[:listed.end()] + _SUBJECT_END.split(rest[listed.end():], maxsplit=1)[0]).strip(" ,.:;")[:300]
    capital = rest[:1].upper() + rest[1:]
    rest = capital if rest[:4].lower() in ("các ", "ubnd") or rest[:1].islower() and BODY.match(capital) else rest
    if not (BODY.match(rest) or re.match(r"^(?:UBND|Ủy ban nhân dân|Các cơ quan|Các đơn vị|Các địa phương)\b", rest)
            or re.match(rf"^các\s+(?i:{_KINDS})\b", rest, re.IGNORECASE)):
        return ""
    body = _SUBJECT_END.split(rest, maxsplit=1)[0]
    listed = _KIND_LIST.search(rest, 0, len(body) + 3)
    if listed and listed.start() > 0 and rest[len(body):len(body) + 1] == ":":
        # "Các Bộ, cơ quan liên quan và các Tập đoàn: A, B …": the kind's names after the colon are bodies too
        return (rest[:listed.end()] + _SUBJECT_END.split(rest[listed.end():], maxsplit=1)[0]).strip(" ,.:;")[:300]
    return body.strip(" ,.:;")[:200]


_NEXT_BODY = rf"(?=(?:các\s+)?(?:{_KINDS})\b|UBND|các\b)"
_LIST = re.compile(rf";|\s+-\s+{_NEXT_BODY}|^-\s+|,\s*{_NEXT_BODY}|\s+(?:và|với)\s+{_NEXT_BODY}")
_VERB = re.compile(r"\s*\(|:|\s+(?:chủ trì|phối hợp|kiểm tra|hướng dẫn|thực hiện|tổ chức|xây dựng|chỉ đạo|bố trí|tham mưu|có trách nhiệm|"
                   r"căn cứ|triển khai|theo dõi|báo cáo|rà soát|đôn đốc|tổng hợp|tuyên truyền|phổ biến|nghiên cứu|đề xuất|ban hành)\b")
_HOME = re.compile(r"(?:chủ tịch\s+)?ủy ban nhân dân\s+(?:tỉnh|thành phố)\b")
# Class phrases, by the unit kinds they name.
CLASSES = [
    (re.compile(r"(?:ủy ban nhân dân|ubnd)\s+(?:các\s+)?(?:cấp\s+xã|xã\s*[,/]\s*phường(?:\s*[,/]\s*đặc khu)?|các xã|"
                r"phường\s*[,/]\s*xã(?:\s*[,/]\s*đặc khu)?)|"
                r"các\s+xã\s*[,/]\s*phường|cấp\s+xã",
                re.IGNORECASE), ("commune", "ward", "special_zone")),
    (re.compile(r"(?:ủy ban nhân dân|ubnd)\s+các\s+(?:quận,\s*)?huyện|các\s+quận,\s*huyện", re.IGNORECASE), ("district",)),
    (re.compile(r"(?:ủy ban nhân dân|ubnd)\s+các\s+tỉnh(?:,|/)\s*thành phố|các\s+tỉnh,\s*thành phố", re.IGNORECASE), ("province",)),
    # "các địa phương": the places one level below the issuer (the provinces of a national plan, the communes of a province's)
    (re.compile(r"các\s+địa phương", re.IGNORECASE), ("local",)),
    (re.compile(r"các\s+(?:cơ quan\s+chuyên môn|sở)(?:,\s*ban)?(?:,\s*ngành)?|(?<!\w)sở,\s*(?:ban,\s*)?ngành", re.IGNORECASE), ("department",)),
    (re.compile(r"các\s+bộ(?:,\s*cơ quan ngang bộ)?(?:,\s*ngành)?|(?<!\w)bộ,\s*(?:cơ quan ngang bộ|ngành)", re.IGNORECASE), ("ministry",)),
    # "Doanh nghiệp", "các doanh nghiệp" named as a body, not inside one's name ("Hiệp hội Doanh nghiệp tỉnh")
    (re.compile(r"(?:^\s*|[,;:(]\s*|\b(?:và|với)\s+)(?:các\s+)?doanh nghiệp(?!\s+(?:nhà nước\s+)?(?:viễn thông|bưu chính)\b)",
                re.IGNORECASE), ("enterprise",)),
    (re.compile(r"các\s+cơ quan (?:báo chí|thông tấn,?\s*báo chí|thông tin,?\s*(?:truyền thông|báo chí))", re.IGNORECASE), ("press",)),
]


_KIND_WORD = re.compile(r"(?:các\s+)?(?:viện|trường|doanh\s+nghiệp|sở|ban|ngành|bộ|địa\s+phương|đơn\s+vị|cơ\s+quan|hiệp\s+hội|hội|"
                        r"hợp\s+tác\s+xã|tổ\s+chức|cơ\s+sở)(?:\s+(?:khác\s+)?(?:có\s+)?liên\s+quan)?", re.IGNORECASE)


def lists_bodies(text: str) -> bool:
    """Whether a cell or phrase lists bodies only, some by their kind alone: "Viện, Trường; Sở,
    ban, ngành có liên quan", "Doanh nghiệp; Sở, ban, ngành" (a table's support column), each
    piece a body or a kind's word; not a task ("Sở hữu trí tuệ", "Tổ chức hội nghị …")."""
    pieces = [p.strip(" .-+") for p in re.split(r"[;,]|\s+và\s+", " ".join(text.split())) if p.strip(" .-+")]
    return 0 < len(pieces) <= 12 and len(text) <= 300 and all(_KIND_WORD.fullmatch(p) or BODY.match(p) for p in pieces)


def _whole_class(pattern: re.Pattern, name: str) -> bool:
    """Whether a unit's name is the class phrase itself, with its place ("các sở, ban, ngành tỉnh
    đồng tháp", "các bộ, ngành liên quan", "các sở, ban, ngành, tổ chức chính trị - xã hội cấp
    tỉnh"), not a narrower class ("các doanh nghiệp viễn thông")."""
    found = pattern.match(name)
    rest = name[found.end():] if found else ""
    return bool(found) and bool(re.match(r"\s*(?:$|[,(]|(?:có\s+)?liên quan|trên địa bàn|của\b|tỉnh\b|thành phố\b|cấp\b)", rest))


def key(text: str) -> str:
    """A name as compared: NFC, lower case, abbreviations spelled out, punctuation as spaces."""
    t = unicodedata.normalize("NFC", text).lower()
    for pattern, replacement in _ABBREVIATIONS:
        t = re.sub(pattern, replacement, t)
    t = re.sub(r"[\"“”'‘’()\[\]]", " ", t)
    return " ".join(t.split())


_ONLY_SUPPORTS = re.compile(r"^[\s,:]*(?:(?:căn\s+cứ|theo)\s+chức\s+năng,?\s+nhiệm\s+vụ(?:,?\s+quyền\s+hạn)?(?:\s+được\s+giao)?,?\s*)?"
                            r"(?:(?:chủ\s+động|tích\s+cực|có\s+trách\s+nhiệm)\s+)?phối\s+hợp\b(?!\s+(?:chủ\s+trì|thực\s+hiện))", re.IGNORECASE)


def only_supports(clause: str, body: str) -> bool:
    """Whether the body a clause opens with does nothing in it but "phối hợp": "Sở Tài chính phối
    hợp với các cơ quan …", "Các sở, ngành theo chức năng, nhiệm vụ được giao chủ động phối hợp
    với …" (the body supports; it does not lead)."""
    at = clause.find(body)
    return at >= 0 and bool(_ONLY_SUPPORTS.match(clause[at + len(body):]))


_ADVERBIAL = re.compile(r"^(?:Căn\s+cứ|Trên\s+cơ\s+sở|Để|Trong\s+(?:quá\s+trình|thời\s+gian)|Với\s+vai\s+trò|Theo\s+chức\s+năng|Nhằm)\b",
                        re.IGNORECASE)
_ASSIGNING = re.compile(r"(?:^|(?<=[\s,;:(]))(?:giao(?:\s+cho)?|đề\s+nghị|yêu\s+cầu)\s+(?=\S)", re.IGNORECASE)


def assignment(text: str) -> list[str]:
    """The bodies a directive's unit of work gives the work to, as the text names them: the body
    it opens with ("Bộ Xây dựng khẩn trương …", "Bộ Công an: …"), the one after a topic and its
    colon ("Về dự án …: giao Bộ Tài chính chủ trì …"), after "giao", "đề nghị", "yêu cầu", and the
    subject of each clause after ";" ("…; Bộ Khoa học và Công nghệ hướng dẫn …"). Never the object
    of "phối hợp (với)"."""
    first = text.split("\n", 1)[0]
    found: list[str] = []
    starts = [0]
    colon = first.find(":")
    if 0 < colon < 600:
        starts.append(colon + 1)
    starts += [m.start() for m in _ASSIGNING.finditer(first)]
    starts += [m.end() for m in re.finditer(r";\s*|\.\s+(?=[A-ZĐÀ-Ỹ])", first)]
    for start in list(starts):  # "Căn cứ nội dung Kế hoạch, các sở, ban, ngành xây dựng …": the subject after the opening phrase
        if _ADVERBIAL.match(first[start:].lstrip()):
            starts += [start + m.end() for m in re.finditer(r",\s*", first[start:start + 300])]
    for start in sorted(set(starts)):
        before = first[max(0, start - 30):start]
        if re.search(r"phối\s+hợp(?:\s+chặt\s+chẽ)?(?:\s+với)?\s*$", before, re.IGNORECASE):
            continue
        body = subject(first[start:])
        if body and body not in found:
            found.append(body)
    return found


@dataclass
class Found:
    units: list[str] = field(default_factory=list)
    groups: list[str] = field(default_factory=list)
    unresolved: list[tuple[str, list[str]]] = field(default_factory=list)  # (the words, candidate unit ids)
    classes: list[tuple[str, tuple[str, ...]]] = field(default_factory=list)  # (the words, the kinds): a class with no group nor entry
    prefixed: list[tuple[str, str]] = field(default_factory=list)  # (the words, the unit whose name they begin)


class UnitIndex:
    def __init__(self, catalogue: Catalogue, issuer: str | None = None, on: dt.date | None = None):
        self.catalogue = catalogue
        self.issuer = issuer
        self.on = on  # the plan's issue date: a body that ended before it is not the one meant
        self._prefixes: dict[tuple, str | None] = {}  # by_prefix's answers, by issuer and words
        self._by_first: dict[str, list[str]] = {}  # names by their first word, for candidates
        self.loose_key: dict[str, list[str]] | None = None  # names by their loose form (``loosely``), built when first needed
        self.names: dict[str, list[str]] = {}  # name key -> unit ids
        self.local: dict[str, list[str]] = {}  # a name without its locality -> unit ids: for a plan of that locality only
        # A central body's name without "(Ủy ban) Trung ương": "Mặt trận Tổ quốc Việt Nam" in a national plan only (a
        # province's plan means its own "Ủy ban Mặt trận Tổ quốc Việt Nam tỉnh").
        self.central: dict[str, list[str]] = {}
        for unit in catalogue.units.values():
            names = [unit.name, unit.short_name, *unit.aliases, *(f.name for f in unit.former_names),
                     *(f.short_name for f in unit.former_names if f.short_name)]
            local = unit.kind not in ("province", "district", "district_committee", "commune", "ward", "special_zone")  # named by its place
            for name in filter(None, names):
                full = key(name)
                if len(full) >= 3:
                    self.names.setdefault(full, []).append(unit.id)
                short = _LOCALITY.sub("", full)
                if local and short != full and len(short) >= 3:
                    self.local.setdefault(short, []).append(unit.id)
                central = re.sub(r"^(?:ủy ban\s+)?trung ương\s+", "", full)
                if self.province_of(unit.id) is None and central != full and len(central) >= 10:
                    self.central.setdefault(central, []).append(unit.id)
        for short, ids in (*self.local.items(), *self.central.items()):
            self.names.setdefault(short, [])
        for name in self.names:
            self._by_first.setdefault(name.split(" ", 1)[0], []).append(name)
        # The names a text may hold, by their first word, the longest first: one look-up per word of
        # the text (a regular expression of the 8,000 names of the 2025 registry took 1.4 s to compile).
        self._starting: dict[str, list[str]] = {}
        for name in sorted(self.names, key=len, reverse=True):
            first = _WORD.match(name)
            if len(name) >= 4 and first:
                self._starting.setdefault(first[0], []).append(name)

    def under_issuer(self, unit_id: str) -> bool:
        seen = set()
        while unit_id and unit_id not in seen:
            if unit_id == self.issuer:
                return True
            seen.add(unit_id)
            unit = self.catalogue.units.get(unit_id)
            unit_id = unit.parent if unit else None
        return False

    def choose_for(self, name: str) -> str | None:
        """The unit a name found in the text stands for: by its full name, else by its name
        without the locality, when that unit is the issuer's."""
        own = [i for i in [*self.names.get(name, []), *self.local.get(name, [])] if self.under_issuer(i)]
        if own:
            return self.choose(own)
        # Another province's body only where the words name that province ("UBND thành phố Hà
        # Nội"): "Sở Tư pháp" in a plan of Bắc Ninh is Bắc Ninh's, not Hà Nội's.
        fitting = [i for i in self.names.get(name, []) if self._fits(i, name)]
        if not fitting and self.province_of(self.issuer) is None:
            fitting = self.central.get(name, [])
        return self.choose(fitting) if fitting else None

    def province_of(self, unit_id: str | None) -> str | None:
        seen = set()
        while unit_id and unit_id not in seen:
            unit = self.catalogue.units.get(unit_id)
            if unit is None:
                return None
            if unit.kind == "province":
                return unit_id
            seen.add(unit_id)
            unit_id = unit.parent
        return None

    def _fits(self, unit_id: str, name: str) -> bool:
        """Whether a unit may be the one a plan of the issuer means by ``name``: a national body,
        one of the issuer's province, or one whose province the words name."""
        province = self.province_of(unit_id)
        if province is None or province == self.province_of(self.issuer):
            return True
        place = self.catalogue.units[province].short_name
        return bool(place) and key(place) in name

    def choose(self, ids: list[str]) -> str:
        """Of the units bearing one name, the issuer's own, then a live national one."""
        units = self.catalogue.units
        if self.on is not None:
            ids = [i for i in ids if (units[i].valid_until is None or units[i].valid_until >= self.on)
                   and (units[i].valid_from is None or units[i].valid_from <= self.on)] or ids
        live = [i for i in ids if units[i].successor is None] or ids
        return next((i for i in live if self.under_issuer(i)), None) or next((i for i in live if i.startswith("vn.")), live[0])

    def resolve(self, text: str) -> Found:
        text = spell_out_lists(text, lambda name: key(name) in self.names)
        found = Found()
        t = key(text)
        if self._starting:
            for match in self._names_in(t):
                if self._inside_another_name(t, match):
                    continue
                unit_id = self.choose_for(match[0])
                if unit_id is None:
                    continue
                if unit_id not in found.units:
                    found.units.append(unit_id)
                t = t[:match.start()] + " " * len(match[0]) + t[match.end():]
        home = self.province_of(self.issuer)
        for match in _HOME.finditer(t) if home else ():  # "UBND tỉnh", "Chủ tịch UBND Thành phố": the issuer's own province
            if _OFFICE_OF.search(t, 0, match.start()):
                continue  # "Văn phòng UBND tỉnh": the office, another body
            if home not in found.units:
                found.units.append(home)
            t = t[:match.start()] + " " * len(match[0]) + t[match.end():]
        for pattern, kinds in CLASSES:
            if kinds == ("local",):
                kinds = ("province",) if home is None else ("commune", "ward", "special_zone")
            for match in pattern.finditer(t):
                group = self.group_for(kinds)
                standing = None if group else self.class_entry(kinds)  # "Các sở, ban, ngành tỉnh X": a registered entry for the class
                entry = None
                if group:
                    if group not in found.groups:
                        found.groups.append(group)
                elif standing:  # an assumed entry for the class: marked for a person to check, as a name's beginning is
                    if standing not in found.units:
                        found.units.append(standing)
                        found.prefixed.append((match[0], standing))
                elif entry:
                    found.units.append(entry) if entry not in found.units else None
                    found.prefixed.append((match[0], entry))
                elif not any(kinds == k for _, k in found.classes):
                    found.classes.append((match[0], kinds))
                t = t[:match.start()] + " " * len(match[0]) + t[match.end():]
        resolved = [k for k in (*(key(n) for u in found.units for n in self._names_of(u)),) if k]
        for part in _LIST.split(unicodedata.normalize("NFC", text)):
            part = part.strip(" .:-+()")
            part = title_of(part) if _in_capitals(part) and not _NOT_A_BODY.match(key(part)) else part  # "SỞ Y TẾ"
            if not BODY.match(part) or len(part) < 6 or re.search(r"liên quan|các đơn vị|cơ quan, địa phương", part, re.IGNORECASE):
                continue
            keyed = key(part)
            if any(name in keyed for name in resolved) or any(pattern.search(keyed) for pattern, _ in CLASSES):
                continue  # named already, as a unit or as a class
            words = _VERB.split(part, maxsplit=1)[0].strip(" ,.:")[:120]  # the name, not what it is to do
            near = self.loosely(words)  # "Sở Văn hóa, Thể thao, Du lịch": a registered name but for "và" and commas
            entry = None if near else self.by_prefix(words)  # "Văn phòng Ban Chỉ huy": the start of one body's name
            if near:
                if near not in found.units:
                    found.units.append(near)
            elif entry:
                if entry not in found.units:
                    found.units.append(entry)
                    found.prefixed.append((words, entry))
            elif not any(words == w for w, _ in found.unresolved):
                found.unresolved.append((words, self.candidates(words)))
        return found

    def _names_in(self, text: str):
        """The registered names ``text`` holds, left to right, each the longest that starts at a
        word and ends at a word's edge, not overlapping (shaped as ``re.Match`` for the checks)."""
        after = 0
        for word in _WORD.finditer(text):
            start = word.start()
            if start < after:
                continue
            for name in self._starting.get(word[0], ()):
                end = start + len(name)
                if text.startswith(name, start) and (end == len(text) or not text[end].isalnum()):
                    after = end
                    yield _Name(text, start, end)
                    break

    def _inside_another_name(self, text: str, match: re.Match) -> bool:
        """Whether a registered name found in ``text`` is only part of what the text names: "Chính
        phủ" in "Văn phòng Chính phủ" (another body), "Hồ Chí Minh" in "Chủ tịch Hồ Chí Minh" or
        "đường Hồ Chí Minh" (a person, a road: a place's bare name is a body only where nothing
        makes it something else)."""
        if _OFFICE_OF.search(text, 0, match.start()):
            return True
        units = self.catalogue.units
        ids = self.names.get(match[0], [])
        bare_place = any(units[i].kind in _PLACE_KINDS and key(units[i].short_name or "") == match[0] for i in ids)
        if bare_place and _NOT_A_PLACE.search(text, 0, match.start()):
            return True
        # A place named after other words is where they are ("các cơ quan báo chí thành phố Hà Nội", "tại
        # tỉnh Thanh Hóa"), not its People's Committee, unless a list or an addressing word leads to it.
        place = any(units[i].kind in _PLACE_KINDS for i in ids) and not match[0].startswith("ủy ban nhân dân")
        before = re.sub(r"\s*\b(?:tỉnh|thành phố)$", "", text[:match.start()].rstrip())
        return place and bool(before) and not re.search(r"(?:[,;:(/-]|\b(?:và|với|giao|nghị|cho|cùng|gồm|chủ tịch))$", before)

    def loosely(self, words: str) -> str | None:
        """The unit whose name is ``words`` but for "và", commas and the locality ("Sở Văn hóa, Thể
        thao, Du lịch" for "Sở Văn hóa, Thể thao và Du lịch"), chosen as a name found in the text is."""
        if self.loose_key is None:
            self.loose_key = {}
            for name in self.names:
                self.loose_key.setdefault(loose_key(name), []).append(name)
        for name in self.loose_key.get(loose_key(key(words)), []):
            unit_id = self.choose_for(name)
            if unit_id is not None:
                return unit_id
        return None

    def by_prefix(self, words: str) -> str | None:
        """The one body of the issuer whose name starts with ``words`` (a text shortens "Văn phòng
        Ban Chỉ huy Phòng thủ dân sự tỉnh" to "Văn phòng Ban Chỉ huy"); None when none or several."""
        wanted = key(words)
        if len(wanted) < 10:
            return None
        cached = (self.issuer, wanted)
        if cached not in self._prefixes:
            found = {unit_id for name, ids in (*self.names.items(), *self.local.items()) if name.startswith(wanted)
                     for unit_id in ids if self.under_issuer(unit_id)}
            self._prefixes[cached] = found.pop() if len(found) == 1 else None
        return self._prefixes[cached]

    def _names_of(self, unit_id: str) -> list[str]:
        unit = self.catalogue.units[unit_id]
        names = [unit.name, unit.short_name, *unit.aliases]
        return [n for n in names if n] + [_LOCALITY.sub("", key(n)) for n in names if n]

    def candidates(self, words: str, limit: int = 3) -> list[str]:
        """The closest registered names to ``words``, among those of the same kind of body (the
        same first word: "sở", "ban", "ủy"), for a person to choose from."""
        wanted = key(words)
        pool = self._by_first.get(wanted.split(" ", 1)[0], []) if wanted else []
        close = difflib.get_close_matches(wanted, pool, n=limit * 2, cutoff=0.6)
        ids: list[str] = []
        for name in close:
            options = [i for i in (self.names.get(name) or self.local[name]) if self._fits(i, name) or self.under_issuer(i)]
            unit_id = self.choose_for(name) or (self.choose(options) if options else None)
            if unit_id is not None and unit_id not in ids:
                ids.append(unit_id)
        return ids[:limit]

    def class_entry(self, kinds: tuple[str, ...]) -> str | None:
        """A registered unit that stands for a whole class of the issuer's province (or of the
        nation, for a national issuer): one of those kinds whose own name is the class phrase
        ("Các sở, ban, ngành tỉnh Đồng Tháp", "Các bộ, ngành liên quan"), entered while its members
        are not registered one by one."""
        home = self.province_of(self.issuer)
        cached = ("class", home, kinds)
        if cached not in self._prefixes:
            units = self.catalogue.units.values()
            fitting = [u.id for u in units if u.kind in kinds and self.province_of(u.id) == home
                       and any(set(k) & set(kinds) and _whole_class(pattern, key(u.name)) for pattern, k in CLASSES)]
            self._prefixes[cached] = self.choose(fitting) if fitting else None
        return self._prefixes[cached]

    def class_home(self) -> str | None:
        """Where a class the registries have no group for is taken: the issuer's province, else
        the top of the issuer's tree (the Government, for a ministry)."""
        home = self.province_of(self.issuer)
        unit_id, seen = self.issuer, set()
        while home is None and unit_id and unit_id not in seen:
            seen.add(unit_id)
            unit = self.catalogue.units.get(unit_id)
            if unit is None or not unit.parent:
                return unit_id if unit is not None else None
            unit_id = unit.parent
        return home

    def group_for(self, kinds: tuple[str, ...]) -> str | None:
        """A group whose rule takes ``kinds`` under the issuer (or under one of its units)."""
        for group_id, rule in self.catalogue.group_rules.items():
            if set(rule.kinds) & set(kinds) and self.issuer is not None and rule.under is not None and self.under_issuer(rule.under):
                return group_id
        return None


_OFFICE_OF = re.compile(r"\b(?:văn phòng|văn phòng thường trực|cơ quan thường trực)\s+$")
_PLACE_KINDS = ("province", "district", "commune", "ward", "special_zone")
# What makes a place's bare name something else: a person ("Chủ tịch Hồ Chí Minh", "đồng chí …"),
# an idea ("tư tưởng Hồ Chí Minh"), a road or a monument.
_NOT_A_PLACE = re.compile(r"\b(?:chủ tịch|đồng chí|đ/c|bác|tư tưởng|di chúc|lăng|đường|quốc lộ|tuyến|đại tướng|ông|bà|anh hùng)\s+$")


def loose_key(name: str) -> str:
    """A keyed name without "và", punctuation and a trailing "tỉnh"/"thành phố": how two writings of one name meet."""
    name = re.sub(r"\s+(?:tỉnh|thành phố)$", "", name)
    return " ".join(w for w in re.sub(r"[,;.&/-]", " ", name).split() if w != "và")


_WORD = re.compile(r"(?<!\w)\w+")  # a word of a keyed text


class _Name:
    """A registered name found in a text, with the parts of ``re.Match`` the checks read."""

    __slots__ = ("_text", "_start", "_end")

    def __init__(self, text: str, start: int, end: int):
        self._text, self._start, self._end = text, start, end

    def start(self) -> int:
        return self._start

    def end(self) -> int:
        return self._end

    def __getitem__(self, group: int) -> str:
        if group != 0:
            raise IndexError(group)
        return self._text[self._start:self._end]
