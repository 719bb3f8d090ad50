"""The gold set of the importer's accuracy script: what a careful person drafts from each corpus
document, and how a body's name is compared (not a test; used by ``bench/import_accuracy.py``).

Two kinds of gold file, read into one shape (``Gold``):

- ``examples/2025/plans/*.yaml``: six plans encoded in full in the plan language (their second
  line names their text); their unit ids are turned into the names the registries give them;
- ``bench/gold/*.yaml``: the other documents of ``../shared/corpus`` encoded by hand from the text
  alone (never from a draft), in a lighter shape: bodies as the text names them, the dates the
  text gives (``bench/gold/README.md``).

Each document belongs to one half, fixed once: the **tuning** half (the six plans the importer was
first built with and five others: the first five of the rest by the hash that begins their file
names) is the only one a rule may be justified by; the **checking** half (the other eleven) is read
only to measure. A body is compared by ``unit_keys``: its names lower-cased, abbreviations spelled
out, the issuing province's name and the bare "tỉnh"/"thành phố" after a body dropped, so that "Sở Y
tế", "Sở Y tế tỉnh Gia Lai" and "SYT" (an alias) meet; a class ("UBND các xã, phường, đặc khu", a
group whose rule takes communes and wards) is compared by the kinds it names. This is the bench's
own reading, kept apart from the importer's so that it does not grade itself.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT.parent / "shared" / "corpus"
GOLD_DIR = ROOT / "bench" / "gold"
OLD_GOLD_DIR = ROOT / "examples" / "2025" / "plans"


@dataclass
class Gold:
    name: str
    document: Path
    half: str
    header: dict
    period: dict | None
    duties: list[dict] = field(default_factory=list)  # section, text, lead/support: [frozenset of keys], timeframe, due: [rules]


# -- names -----------------------------------------------------------------------------------

_TONES = {"oá": "óa", "oà": "òa", "oả": "ỏa", "oã": "õa", "oạ": "ọa", "oé": "óe", "oè": "òe", "oẻ": "ỏe", "oẽ": "õe",
          "oẹ": "ọe", "uý": "úy", "uỳ": "ùy", "uỷ": "ủy", "uỹ": "ũy", "uỵ": "ụy"}
_ABBREVIATIONS = [
    (r"\bubnd\b", "ủy ban nhân dân"), (r"\bhđnd\b", "hội đồng nhân dân"), (r"\bmttq(?:vn)?\b", "mặt trận tổ quốc việt nam"),
    (r"\bkh\s*&\s*cn\b|\bkhcn\b", "khoa học và công nghệ"), (r"\bkh\s*&\s*đt\b|\bkhđt\b", "kế hoạch và đầu tư"),
    (r"\bvh\s*,?\s*tt\s*&\s*dl\b|\bvhttdl\b", "văn hóa thể thao và du lịch"), (r"\bnn\s*&\s*mt\b|\bnnmt\b", "nông nghiệp và môi trường"),
    (r"\btt\s*&\s*tt\b|\btttt\b", "thông tin và truyền thông"), (r"\bgd\s*&\s*đt\b|\bgdđt\b", "giáo dục và đào tạo"),
    (r"\bbchqs\b", "bộ chỉ huy quân sự"), (r"\bbqlkcn\b", "ban quản lý các khu công nghiệp"), (r"\btp\.?(?=\s)", "thành phố"),
    (r"\btw\b", "trung ương"), (r"\bcp\b", "chính phủ"), (r"\bvpcp\b", "văn phòng chính phủ"),
]
_CLASSES = [  # (pattern on the keyed name, class)
    (r"(?:các|cấp)\s+(?:xã|phường)|xã\s+phường|phường\s+xã|đặc khu", "class:communes"),
    (r"(?:các|cấp)\s+(?:quận|huyện)|quận\s+huyện", "class:districts"),
    (r"các\s+(?:tỉnh|địa phương)|tỉnh\s+thành phố", "class:provinces"),
    (r"các\s+(?:sở|cơ quan chuyên môn)|sở\s+(?:ban\s+)?ngành", "class:departments"),
    (r"các\s+bộ|bộ\s+(?:cơ quan ngang bộ|ngành)", "class:ministries"),
    (r"(?:các\s+)?cơ quan báo chí", "class:press"),
    (r"các\s+doanh nghiệp", "class:enterprises"),
]
_KIND_CLASSES = {"commune": "class:communes", "ward": "class:communes", "special_zone": "class:communes", "district": "class:districts",
                 "province": "class:provinces", "department": "class:departments", "ministry": "class:ministries",
                 "press": "class:press", "enterprise": "class:enterprises"}
_UPPER = "A-ZĐÀ-ỸẠ-Ỹ"
_LOCALITY = re.compile(rf"\s+(?:tỉnh|thành phố|TP\.?|Thành phố|Tỉnh)(?:\s+[{_UPPER}][\w-]*)+\s*$")
_BARE = re.compile(r"\s+(?:tỉnh|thành phố|tp\.?)\s*$", re.IGNORECASE)


def _keyed(text: str) -> str:
    t = unicodedata.normalize("NFC", text).casefold()
    for old, new in _TONES.items():
        t = t.replace(old, new)
    for pattern, replacement in _ABBREVIATIONS:
        t = re.sub(pattern, replacement, t)
    t = re.sub(r"[\"“”'‘’()\[\],;:.&/-]", " ", t)
    return " ".join(t.split())


def name_key(name: str) -> str:
    """One name as compared: its class if it names one, else the body without its locality."""
    name = unicodedata.normalize("NFC", " ".join(str(name).split()))
    keyed = _keyed(name)
    for pattern, cls in _CLASSES:
        if re.search(pattern, keyed):
            return cls
    stripped = _LOCALITY.sub("", name)
    stripped = _BARE.sub("", stripped) if len(stripped.split()) > 2 else stripped  # "Công an tỉnh"; not "Ủy ban tỉnh"
    keyed = _keyed(stripped)
    return re.sub(r"\s+(?:tỉnh|thành phố)$", "", keyed)


def unit_keys(unit) -> frozenset[str]:
    """Every key of a registered unit: its name, short name, aliases and former names."""
    names = [unit.name, unit.short_name, *unit.aliases, *(f.name for f in unit.former_names)]
    names += [f.short_name for f in unit.former_names if getattr(f, "short_name", None)]
    return frozenset(name_key(n) for n in names if n)


def group_keys(catalogue, group_id: str) -> frozenset[str]:
    """A group as the class of units its rule or its members are."""
    rule = catalogue.group_rules.get(group_id)
    kinds = list(getattr(rule, "kinds", None) or []) if rule is not None else []
    if not kinds:
        kinds = [str(catalogue.units[m].kind) for m in catalogue.groups.get(group_id, []) if m in catalogue.units]
    classes = {_KIND_CLASSES[k] for k in kinds if k in _KIND_CLASSES}
    return frozenset(classes) if len(classes) == 1 else frozenset({f"group:{group_id}"})


def keys_of_ids(catalogue, ids, group_ids, extra: dict | None = None, extra_groups: dict | None = None) -> list[frozenset[str]]:
    """Unit and group ids as key sets; ``extra`` names the draft's new units by id, ``extra_groups``
    gives the kinds of the draft's new groups (a class the registries have no group for)."""
    out = []
    for unit_id in ids or []:
        if unit_id in catalogue.units:
            out.append(unit_keys(catalogue.units[unit_id]))
        elif extra and unit_id in extra:
            out.append(frozenset({name_key(extra[unit_id])}))
        else:
            out.append(frozenset({f"id:{unit_id}"}))
    for group_id in group_ids or []:
        kinds = (extra_groups or {}).get(group_id)
        classes = {_KIND_CLASSES[k] for k in kinds or [] if k in _KIND_CLASSES}
        out.append(frozenset(classes) if kinds is not None and len(classes) == 1 else group_keys(catalogue, group_id)
                   if group_id in catalogue.groups or group_id in catalogue.group_rules else frozenset({f"group:{group_id}"}))
    return out


# -- the gold files --------------------------------------------------------------------------

TUNING_OLD = "tuning"  # the six plans encoded in full were the importer's first tuning set


def _day(value) -> dt.date | None:
    if value is None or isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value))


def load_old(path: Path, catalogue) -> Gold | None:
    """A plan file of examples/2025 as gold (None when its text is not in the corpus)."""
    from plantrack.loader import _plain, _yaml

    text = path.read_text(encoding="utf-8")
    named = re.search(r"shared/corpus/(?:plans/)?(\S+\.txt)", text)
    document = CORPUS / "plans" / named[1] if named else None
    if document is None or not document.exists():
        return None
    tree = _plain(_yaml().load(text))
    plan = tree["plan"]
    stated = plan.get("period") and plan.get("period_basis", "stated") == "stated"
    gold = Gold(path.stem, document, TUNING_OLD,
                {"number": plan.get("number"), "issued_on": _day(plan.get("issued_on")), "title": plan.get("title")},
                {"start": _day(plan["period"]["start"]), "end": _day(plan["period"]["end"])} if stated else None)
    by_duty: dict[str, list[dict]] = {}
    for obligation in tree.get("obligations") or []:
        if obligation["due"].get("basis", "stated") == "stated":
            by_duty.setdefault(obligation.get("duty"), []).append(obligation["due"])
    for duty in tree.get("duties") or []:
        gold.duties.append({"section": str(duty["section"]), "text": duty["text"],
                            "lead": keys_of_ids(catalogue, duty.get("lead"), duty.get("lead_groups")),
                            "support": keys_of_ids(catalogue, duty.get("support"), duty.get("support_groups")),
                            "timeframe": duty.get("timeframe"), "due": by_duty.get(duty["id"], [])})
    return gold


def load_new(path: Path) -> Gold:
    tree = yaml.safe_load(path.read_text(encoding="utf-8"))
    period = tree.get("period")
    gold = Gold(path.stem, CORPUS / tree["document"], tree["half"], tree.get("header") or {},
                {"start": _day(period.get("start")), "end": _day(period.get("end")), "until_event": period.get("until_event")}
                if period else None)
    for duty in tree.get("duties") or []:
        gold.duties.append({"section": str(duty["section"]), "text": str(duty["text"]),
                            "lead": [frozenset({name_key(n)}) for n in duty.get("lead") or []],
                            "support": [frozenset({name_key(n)}) for n in duty.get("support") or []],
                            "timeframe": duty.get("timeframe"), "due": duty.get("due") or []})
    return gold


def load_gold(catalogue) -> list[Gold]:
    """Every gold document: the six plans of examples/2025, then bench/gold's."""
    golds = [g for path in sorted(OLD_GOLD_DIR.glob("*.yaml")) if (g := load_old(path, catalogue))]
    golds += [load_new(path) for path in sorted(GOLD_DIR.glob("*.yaml"))]
    return [g for g in golds if g.document.exists()]
