"""A draft plan definition from a document: what ``plantrack import`` writes.

``draft_plan(document, catalogue)`` assembles the header, the items of the body (``structure``)
with their units resolved against the registries (``units``) and their time phrases read into
rules (``phrases``), into the plan file's shape: duties, and an obligation for each dated item,
quoted, ``basis: stated`` where the text gives the day. Whatever it is not sure of carries a
``review:`` list on the entry itself, with the reason and the candidates; ``plantrack
validate`` refuses a file while a ``review`` is left, and accepts it once they are resolved and
deleted. A body that matches no registered unit gets an entry in a draft registry written beside
the plan (under the issuer), marked for review too.

``write_draft`` writes both files through a temporary file and a rename each: an error leaves
nothing half-written.
"""

from __future__ import annotations

import datetime as dt
import io
import os
import re
import tempfile
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import TypeAdapter, ValidationError

from ..loader import Catalogue
from ..rules import DueRule
from ..rules.within import parse_window
from .header import Header, read_header, read_period
from .marks import Mark, mark
from .phrases import RUNNING, Timing, cell_timing, find_timings
from .reading import Document, Paragraph, UnreadableDocument
from .structure import Item, read_items
from .tables import row_timings
from .units import VERBS, Found, UnitIndex, assignment, key, loose_key, only_supports, subject, title_of

MAX_TEXT = 2000  # characters of a duty's text kept in the draft


def slug(text: str, limit: int = 40) -> str:
    ascii_text = unicodedata.normalize("NFKD", text.replace("đ", "d").replace("Đ", "D")).encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text).strip("-")[:limit].strip("-") or "x"


@dataclass
class Draft:
    plan: dict
    duties: list[dict] = field(default_factory=list)
    obligations: list[dict] = field(default_factory=list)
    new_units: list[dict] = field(default_factory=list)
    new_groups: dict[str, dict] = field(default_factory=dict)  # a class of units the registries have no group for: its rule
    unit_keys: dict[str, str] = field(default_factory=dict)  # a new unit's name as compared (``_draft_key``, loosely) -> its id
    indicators: list[dict] = field(default_factory=list)  # from the plan's target tables
    targets: list[dict] = field(default_factory=list)
    registry_id: str = ""
    reviews: int = 0

    def marks_by_reason(self) -> list[tuple[str, int, str]]:
        """(code, count, an example in English) of the review marks, the most frequent first."""
        from collections import Counter

        marks = [m for entry in (self.plan, *self.indicators, *self.targets, *self.duties, *self.obligations, *self.new_units)
                 for m in entry.get("review", [])]
        counts = Counter(m.code for m in marks)
        first = {}
        for m in marks:
            first.setdefault(m.code, m)
        return [(code, count, first[code].en) for code, count in counts.most_common()]

    def summary(self) -> dict:
        return {"duties": len(self.duties), "obligations": len(self.obligations), "new units": len(self.new_units),
                "indicators": len(self.indicators), "targets": len(self.targets),
                "review marks": self.reviews,
                "with a lead unit": sum(1 for d in self.duties if d.get("lead") or d.get("lead_groups")),
                "dated": sum(1 for d in self.duties if d.get("timeframe")) + len(self.obligations)}


def draft_plan(document: Document, catalogue: Catalogue) -> Draft:
    paragraphs = [b for b in document.blocks if isinstance(b, Paragraph)]
    header = read_header(paragraphs)
    if header.number is None and header.issued_on is None:
        raise UnreadableDocument(
            f"{document.path}: no document number (“Số: …”) and no date (“…, ngày … tháng … năm …”): is it a plan of a Vietnamese agency?",
            "Không tìm thấy số văn bản (“Số: …”) và ngày ban hành: văn bản này có phải là kế hoạch của cơ quan nhà nước?")
    index = UnitIndex(catalogue)
    plan_reviews: list[Mark] = []
    issuer = _issuer(header, index, plan_reviews)
    index.issuer = issuer
    index.on = header.issued_on
    issued_on = header.issued_on or dt.date(2000, 1, 1)
    if header.issued_on is None:
        plan_reviews.append(mark("no_issue_date"))
    number = header.number or "?/?"
    if header.number is None:
        plan_reviews.append(mark("no_number"))
    plan = {"id": f"{slug(number, 30)}-{issued_on.year}", "number": number, "doc_type": header.doc_type or "ke_hoach",
            "title": (header.title or "?")[:500], "issuer": issuer, "signed_by": header.signed_by, "issued_on": issued_on}
    if header.title is None:
        plan_reviews.append(mark("no_title"))
    period = _period(header, paragraphs, issued_on)
    plan["period"] = {"start": period[0], "end": period[1]}
    if period[2]:
        plan_reviews.append(period[2])
    sources = []
    for cited in header.cited[:100]:
        if any(s["number"] == cited.number for s in sources):
            continue
        source = {"number": cited.number[:100]}
        if cited.issued_on:
            source["issued_on"] = cited.issued_on
        if cited.issuer:
            source["issuer"] = cited.issuer[:500]
        source["note"] = f"{'Thực hiện' if cited.implements else 'Căn cứ'} {cited.kind} {cited.number}"
        sources.append(source)
        parent = next((p for p in catalogue.plans.values() if p.plan.number == cited.number), None)
        if cited.implements and parent is not None and "parent" not in plan:
            plan["parent"] = parent.plan.id
            plan_reviews.append(mark("parent_guessed", kind=cited.kind, number=cited.number, plan=parent.plan.id))
    if sources:
        plan["sources"] = sources
    draft = Draft(plan, registry_id=f"draft-{slug(number, 30)}")
    unread: list[tuple[int, list[str]]] = []
    items = read_items(document.blocks, unread)
    target_rows: list[tuple[dict, dict]] = []  # (indicator, its row of a target table)
    for note in unread:
        line, header_cells = note
        where, columns = f"{document.where} {line}", " | ".join(c[:30] for c in header_cells[:10])
        kind = getattr(note, "kind", "figures")
        if kind == "target" and note.rows:
            drafted = _indicators(note.rows, where, {i["id"] for i in draft.indicators})
            draft.indicators += drafted
            target_rows += zip(drafted, note.rows)
        elif kind in ("budget", "coordinates"):
            plan_reviews.append(mark("table_skipped", where=where, columns=columns, kind=kind))
        else:
            targets = kind == "target" or any(re.search(r"chỉ\s+tiêu", c, re.IGNORECASE) for c in header_cells)
            code = "targets_table_unread" if targets else "table_unread"
            plan_reviews.append(mark(code, where=where, columns=columns))
    office = _office(draft, items, index) or issuer
    plan["coordination"] = {"office": office, "head": issuer}
    plan_reviews.append(mark("office_guessed", office=office))
    seen_ids: set[str] = set()
    headings: list[tuple[str, list[Timing]]] = []  # the lead-ins above the item, with their times
    for item in items:
        headings = [(section, times) for section, times in headings if item.section.startswith(f"{section}.")]
        if item.lead_in is not None and not any(section == item.lead_in.section for section, _ in headings):
            headings.append((item.lead_in.section, _heading_times(item.lead_in, issued_on)))  # a lead-in that is no duty
            headings.sort(key=lambda heading: len(heading[0]))
        _add_item(draft, item, index, issued_on, period[1], office, seen_ids, inherited=headings[-1][1] if headings else [])
        if not item.from_table and item.text.rstrip().endswith(":"):
            headings.append((item.section, _heading_times(item, issued_on)))
    for indicator, row in target_rows:
        _target(draft, indicator, row, index, issuer, period[1])
    _fit_period(draft, assumed=period[2] is not None)
    if not draft.duties:  # nothing to track: the draft says so rather than validating empty
        plan_reviews.append(mark("no_duties"))
    if plan_reviews:
        plan["review"] = plan_reviews
    entries = [plan, *draft.indicators, *draft.targets, *draft.duties, *draft.obligations, *draft.new_units]
    draft.reviews = sum(len(e.get("review", [])) for e in entries)
    return draft


def _issuer(header: Header, index: UnitIndex, reviews: list[Mark]) -> str:
    words = header.issuer_words or ""
    found = index.resolve(words) if words else Found()
    if found.units:
        return found.units[0]
    place = key(header.place or "")
    guess = next((u.id for u in index.catalogue.units.values() if u.kind == "province" and place and key(u.short_name or "") == place), None)
    if guess and "ủy ban" in key(words):
        return guess
    candidates = index.candidates(words) if words else []
    reviews.append(mark("issuer_unknown", words=words or "?", candidates=", ".join(candidates) or "—"))
    return candidates[0] if candidates else "vn.government"


def _period(header: Header, paragraphs: list[Paragraph], issued_on: dt.date) -> tuple[dt.date, dt.date, Mark | None]:
    """The plan's period where the text states it (``header.read_period``: a "Thời gian …"
    heading, the title), else assumed from the issue date to the end of next year, and marked;
    one that runs until an event keeps its start and is marked for its end."""
    stated = read_period(header.title, [p.text for p in paragraphs[header.body_from:]], issued_on)
    assumed_end = dt.date(issued_on.year + 1, 12, 31)
    if stated is None:
        return issued_on, assumed_end, mark("period_assumed")
    if stated.end is None:
        return stated.start, max(assumed_end, stated.start), mark("period_until_event", words=stated.until_event[:120])
    if stated.source == "objectives":
        return stated.start, stated.end, mark("period_from_objectives", words=stated.written[:120])
    return stated.start, stated.end, None


def _last_day(due: dict) -> dt.date | None:
    try:
        if due["type"] == "one_off":
            return due.get("at_latest_on") or due.get("before")
        if due["type"] == "within":
            return parse_window(due["written"])[1]
    except (ValueError, KeyError):
        return None
    return None


def _fit_period(draft: Draft, assumed: bool) -> None:
    """Deadlines and a period that agree: an assumed period (or one whose end is assumed) reaches
    the last year a deadline names ("Năm 2027" in a plan assumed to end in 2026); a deadline a
    stated period cannot hold ("Năm 2031" in a plan of 2026 - 2030) is not drafted, and its duty
    says so, quoting the words."""
    period, issued_on = draft.plan["period"], draft.plan["issued_on"]
    if assumed:
        latest = max(filter(None, (_last_day(o["due"]) for o in draft.obligations)), default=None)
        if latest and latest > period["end"]:
            period["end"] = dt.date(latest.year, 12, 31)
    rules = TypeAdapter(DueRule)
    duties = {d["id"]: d for d in draft.duties}
    for obligation in list(draft.obligations):
        try:
            problem = rules.validate_python(obligation["due"]).problem(period["start"], period["end"], issued_on)
        except (ValidationError, ValueError):
            continue  # the loader says what is wrong with the rule itself
        if problem:
            draft.obligations.remove(obligation)
            duty = duties[obligation["duty"]]
            words = (obligation["due"].get("note") or obligation["due"].get("written") or "").removeprefix("Văn bản: ").strip("“”")
            duty.setdefault("review", []).append(mark("time_outside_period", words=words[:120]))


def _office(draft: Draft, items: list[Item], index: UnitIndex) -> str | None:
    """The body that the part "Tổ chức thực hiện" charges to follow up, urge and compile (one
    not in the registries gets its draft entry)."""
    organising = {i.section.split(".")[0] for i in items
                  if not i.from_table and re.search(r"TỔ CHỨC THỰC HIỆN", i.heading, re.IGNORECASE)}
    def signs(item: Item) -> int:  # the more of the office's words, the likelier: "là cơ quan thường trực … theo dõi, đôn đốc"
        return sum(bool(re.search(w, item.text, re.IGNORECASE)) for w in (r"theo\s+dõi", r"đôn\s+đốc", r"tổng\s+hợp", r"thường\s+trực",
                                                                             r"đầu\s+mối"))
    # A directive has no such part: "Giao Văn phòng Chính phủ theo dõi, đôn đốc …" may stand anywhere in it.
    candidates = [i for i in items if i.section.split(".")[0] in organising and signs(i)
                  or not organising and not i.from_table and signs(i) >= 2]
    for item in sorted(candidates, key=signs, reverse=True):
        found = _units(draft, index, _lead_words(item)[0], [], "lead")
        if found.units:
            return found.units[0]
    return None


# "chủ trì, phối hợp với Sở Tài chính và UBND cấp xã tổ chức …": the bodies the text names as support.
SUPPORT_WITH = re.compile(r"(?:(?i:phối\s+hợp)\s+(?:chặt\s+chẽ\s+)?(?:với|cùng)|(?i:với\s+sự\s+(?:tham\s+gia|phối\s+hợp)\s+của))\s+"
                          r"(.{3,300}?)(?=\s+(?:tổ chức|thực hiện|triển khai|xây dựng|hướng dẫn|"
                          rf"kiểm tra|tham mưu|rà soát|theo dõi|đề xuất|trong|để|nhằm|bảo đảm|đảm bảo|{VERBS})\b|[;.:]|$)")


def _support_words(text: str) -> list[str]:
    """The words naming an item's support in its running text: every body named after "phối hợp
    (chặt chẽ) với", "phối hợp cùng", "với sự tham gia của", in any sentence of it and on every
    line (the bullets under a body heading: "- Phối hợp với Sở Tài chính …")."""
    return list(dict.fromkeys(found[1] for line in text.split("\n") for found in SUPPORT_WITH.finditer(line)))


def _lead_words(item: Item) -> tuple[list[str], str]:
    """The words naming an item's lead and where they were read: its label or table column
    ("label"), the body its text opens with ("Sở Tài chính chủ trì …", "Giao Sở Tư pháp …":
    "subject"), the body heading above it ("1. Sở Y tế" over a) b) c): "owner"), or the bodies a
    directive gives the work to further on ("Về …: giao Bộ X chủ trì …": "assigned"). A body named
    only after "phối hợp (với)" is never the lead."""
    if item.lead:
        return item.lead, "label"
    if item.from_table or not item.opening_unit:
        return [], ""
    lines = item.text.split("\n")
    first = lines[0]
    opening = subject(first)
    clause = f"{first} {lines[1]}" if opening and first.strip(" :") == opening and len(lines) > 1 else first  # a heading, then its work
    if opening and only_supports(clause, opening):
        return [], "supports"  # "Sở Tài chính phối hợp với …": it supports (``_support_words``)
    if opening:
        return [opening], "subject"
    if item.owner:
        return [item.owner], "owner"
    assigned = assignment(item.text)
    if assigned:
        return assigned, "assigned"
    # A heading of work whose bullets each open with a body ("- Sở X là cơ quan thường trực …", "- Các sở,
    # ngành định kỳ kiểm tra …"): those bodies, never one that only "phối hợp".
    named = [body for line in lines[1:] if line.startswith(("-", "+", "•")) and (body := subject(line))
             and not only_supports(line, body)]
    return (list(dict.fromkeys(named)), "bullets") if named else ([], "")


def _heading_times(item: Item, issued_on: dt.date) -> list[Timing]:
    """The time a lead-in gives the items under it ("… thực hiện các nhiệm vụ sau trong 02 tháng
    cuối năm 2025 …:", "Thời gian thực hiện: Năm 2026" over its bullets): its time frames and
    dated deadlines, read as its own."""
    frames, deadlines, _ = _times(item, issued_on, dt.date.max)
    return [t for t in frames[:1] + deadlines if t.timeframe or t.due["type"] != "adhoc"]


def _add_item(draft: Draft, item: Item, index: UnitIndex, issued_on: dt.date, period_end: dt.date, office: str, seen: set[str],
              inherited: list[Timing] = ()) -> None:
    """One duty of ``item`` and an obligation for each of its deadlines; an item that gives no
    time of its own takes the time of the lead-in above it (``inherited``)."""
    reviews: list[Mark] = []
    lead_words, how = _lead_words(item)
    lead = _units(draft, index, lead_words, reviews, "lead")
    if how == "bullets" and len(lead.units) + len(lead.groups) > 1:
        # "Công tác theo dõi, kiểm tra" over "- Sở X là cơ quan thường trực …", "- Các sở, ngành …": each bullet's body, all as leads
        reviews.append(mark("lead_from_bullets", words="; ".join(lead_words)[:160], section=item.section))
    home = index.province_of(index.issuer)
    for unit_id in lead.units:  # a body of another province leads a plan of this one: the text may mean the issuer's own
        province = index.province_of(unit_id)
        if home and province and province != home:
            reviews.append(mark("lead_other_province", unit=unit_id, province=home))
    for words in (*lead_words, item.text):  # "các sở, ngành (trừ Sở Tài chính)": the exclusion is noticed
        for excluded in re.findall(r"\((?:trừ|ngoại trừ|không gồm)\s+([^)]{3,120})\)|\b(?:trừ|ngoại trừ)\s+([A-ZĐÀ-Ỹ][^,;.]{2,80})", words):
            found = index.resolve(next(w for w in excluded if w))
            for unit_id in found.units:
                if unit_id in lead.units:
                    lead.units.remove(unit_id)
                reviews.append(mark("unit_excluded", unit=unit_id))
    support_words = item.support or ([] if item.from_table else _support_words(item.text))
    support_words = support_words + item.heading_support  # "1. Sở X chủ trì, phối hợp với Y:" over its sub-items
    if how == "supports" and not item.support:
        support_words = [subject(item.text.split("\n", 1)[0])]  # the body that only "phối hợp": a support, not the lead
    support = _units(draft, index, support_words, reviews, "support")
    support.units = [u for u in support.units if u not in lead.units]
    duty_id = _unique(f"d-{slug(item.section, 30)}", seen)
    duty = {"id": duty_id, "section": item.section[:40], "text": item.text[:MAX_TEXT] or item.section}
    if len(item.text) > MAX_TEXT:
        reviews.append(mark("text_cut", kept=MAX_TEXT, length=len(item.text)))
    for name, values in (("lead", lead.units), ("lead_groups", lead.groups), ("support", support.units), ("support_groups", support.groups)):
        if values:
            duty[name] = values
    if not (lead.units or lead.groups or support.units or support.groups):
        duty["lead"] = [office]
        named = [w for w in lead_words if w]
        if named:  # the text names a lead that is no unit nor class of the registries' (and no draft was made)
            reviews.append(mark("lead_not_read", words="; ".join(named)[:120], office=office, section=item.section))
        else:
            reviews.append(mark("no_lead", office=office, section=item.section))
    elif not (lead.units or lead.groups):
        # "Đơn vị phối hợp: Sở Tư pháp" and no lead found, or "Đài … phối hợp với các bộ thực hiện …" (the body the text
        # opens with, read as supporting): the draft names no lead, and who leads is a person's call
        reviews.append(mark("lead_missing", section=item.section, words=", ".join(support.units + support.groups)[:200]))
    frames, deadlines, timings = _times(item, issued_on, period_end)
    if not frames and not [t for t in deadlines if t.due["type"] != "adhoc"] and inherited:
        frames = [t for t in inherited if t.timeframe]  # "… các nhiệm vụ sau trong 02 tháng cuối năm 2025:" over 1. 2. 3.
        deadlines = [t for t in inherited if t.deadline] + deadlines
    if frames:
        duty["timeframe"] = dict(frames[0].timeframe)
    draft.duties.append(duty)
    for number, timing in enumerate(deadlines[:20], 1):
        draft.obligations.append(_obligation(draft, item, duty, timing, number, len(deadlines), office, index, seen))
    if "group_missing" in item.notes:
        reviews.append(mark("group_missing", section=item.section))
    if item.time_cells and not any(t for cell in item.time_cells for t in cell_timing(cell, issued_on)):
        reviews.append(mark("time_unread", words=item.time_cells[0][:80]))  # a time column or a "Thời gian …:" label not read
    if reviews:
        duty["review"] = reviews


def _times(item: Item, issued_on: dt.date, period_end: dt.date) -> tuple[list[Timing], list[Timing], list[Timing]]:
    """An item's time frames (the first is the duty's) and deadlines (each an obligation), and
    every phrase read: from its time cells and its text, with what a row's shape adds."""
    cells = [t for cell in item.time_cells for t in cell_timing(cell, issued_on)]
    words = find_timings(item.text, issued_on)
    timings = cells + words
    if item.from_table and cells:  # a task table's time column (``tables.row_timings``)
        return (*row_timings(cells, words), timings)
    frames = [t for t in timings if t.timeframe]
    deadlines = [t for t in timings if t.deadline]
    # What goes on after a first stage: "vận hành thường xuyên, liên tục", "thí điểm từ sau năm 2027".
    running_frames = [t for t in frames if t.phrase in ("ongoing", "from_year")]  # not a cadence ("định kỳ hằng năm đánh giá")
    phases = [t for t in frames if t.phrase in ("phase", "bare_year_range")]
    dated = [t for t in deadlines if t.due["type"] != "adhoc"]  # a report "khi có yêu cầu" elsewhere in the text is no date
    if running_frames and phases and not dated and parse_window(phases[0].timeframe["written"])[1] < period_end:
        # "Hoàn thành trong giai đoạn 2026 - 2027 và vận hành thường xuyên, liên tục", "Nghiên cứu
        # trong giai đoạn 2026 - 2027. Thí điểm từ sau năm 2027": done by the phase's end, then on
        phase = phases[0]
        deadlines = [Timing(phase.phrase, phase.quoted, phase.start, due={"type": "within", "written": phase.timeframe["written"]}),
                     *deadlines]
        frames = running_frames + [t for t in frames if t not in running_frames]
    if item.product and phases and not deadlines:
        phase = phases[0]
        if phase.phrase == "bare_year_range":  # a product's time cell "Năm 2025-2030": the window it is due in, not a frame too
            deadlines = [Timing(phase.phrase, phase.quoted, phase.start, due={"type": "within", "written": phase.timeframe["written"]})]
            frames = [t for t in frames if t is not phase]
        elif parse_window(phase.timeframe["written"])[1] < period_end:
            # "Giai đoạn 2026 - 2027", a stage shorter than the plan: the work runs over it, its product due by its end
            deadlines = [Timing(phase.phrase, phase.quoted, phase.start, due={"type": "within", "written": phase.timeframe["written"]})]
    running = RUNNING.search(item.text)
    if not frames and running:  # "thực hiện thường xuyên", "liên tục": the duty runs all through
        frames = [Timing("ongoing", running[0], running.start(), timeframe={"written": running[0], "ongoing": True})]
    return frames, deadlines, timings


def _obligation(draft: Draft, item: Item, duty: dict, timing: Timing, number: int, count: int, office: str, index: UnitIndex,
                seen: set[str]) -> dict:
    reviews = []
    sentence = _sentence(item.text, timing) or item.product or item.text
    title = " ".join((item.product or sentence).split())[:200] or duty["section"]
    due = dict(timing.due)
    due.setdefault("basis", "stated")
    if due["basis"] == "stated":
        due["note"] = f"Văn bản: “{timing.quoted[:200]}”"
    obligation = {"id": _unique(f"{duty['id']}-{number}" if count > 1 else f"{duty['id']}-han", seen), "title": title,
                  "section": duty["section"], "duty": duty["id"]}
    if duty.get("lead"):
        obligation["units"] = list(duty["lead"])
    if duty.get("lead_groups"):
        obligation["groups"] = list(duty["lead_groups"])
    if "units" not in obligation and "groups" not in obligation:  # a duty of support units only
        obligation["units"] = list(duty.get("support") or [office])
        reviews.append(mark("lead_from_support"))
    recipient = _recipient(draft, sentence, index, reviews)
    obligation["submit_to"] = recipient or office
    if recipient is None:
        reviews.append(mark("recipient_guessed", office=office))
        # The text names no recipient: the draft's choice stays marked as the plan file's, in its
        # reminders too, after the review mark is resolved.
        obligation["submit_to_basis"] = "assumed"
        obligation["submit_to_note"] = "Văn bản không nêu nơi nhận; cơ quan thường trực của kế hoạch nhận."
    owing = obligation.get("units", [])
    if obligation["submit_to"] in owing and (len(owing) > 1 or obligation.get("groups")):
        owing.remove(obligation["submit_to"])  # "các bộ, ngành … gửi về Bộ Công an": the receiver does not owe it to itself
        reviews.append(mark("receiver_excluded", unit=obligation["submit_to"]))
    elif owing == [obligation["submit_to"]] and not obligation.get("groups"):
        # Often a class phrase read as the issuer ("các cơ quan, đơn vị" → UBND tỉnh): a unit does
        # not report to itself, so the draft names no recipient rather than a wrong one.
        reviews.append(mark("self_report", unit=obligation.pop("submit_to")))
        obligation.pop("submit_to_basis", None), obligation.pop("submit_to_note", None)
    obligation["due"] = due
    if timing.review:
        reviews.append(timing.review)
    if _in_one_bullet(item.text, timing):
        reviews.append(mark("time_in_bullet", words=timing.quoted[:120]))
    running = re.search(r"thường\s+xuyên|liên\s+tục|hằng\s+năm|hàng\s+năm", sentence, re.IGNORECASE)
    if running and due["type"] in ("one_off", "within") and not (duty.get("timeframe") or {}).get("ongoing"):
        # "… và vận hành thường xuyên": unless the duty already runs on (its time frame), the deadline may be a running duty's
        reviews.append(mark("running_duty"))
    if reviews:
        obligation["review"] = reviews
    return obligation


_BULLET_LINE = re.compile(r"^\s*[-+•]\s*", re.MULTILINE)


def _in_one_bullet(text: str, timing: Timing) -> bool:
    """Whether a time was read in a later one of several bullets ("- …") of the item's text, so that it
    may be that bullet's time rather than the whole duty's (a bullet another body owns, a task of its
    own); the first bullet opens the duty's work."""
    if text[timing.start:timing.start + len(timing.quoted)] != timing.quoted or len(_BULLET_LINE.findall(text)) < 2:
        return False  # read from a time cell or a label, or in a text of one piece
    opening = text.rfind("\n", 0, timing.start) + 1
    first = _BULLET_LINE.search(text)
    return bool(_BULLET_LINE.match(text[opening:timing.start])) and opening > first.start()  # the first bullet is the duty's own


def _sentence(text: str, timing: Timing) -> str:
    at = text.find(timing.quoted)
    if at < 0:
        return ""
    start = max(text.rfind(".", 0, at), text.rfind("\n", 0, at), text.rfind(";", 0, at)) + 1
    ends = [e for e in (text.find(".", at + len(timing.quoted)), text.find("\n", at), text.find(";", at + len(timing.quoted))) if e >= 0]
    return text[start:min(ends) if ends else len(text)].strip(" -+;,.")


def _recipient(draft: Draft, sentence: str, index: UnitIndex, reviews: list[Mark]) -> str | None:
    """The body a report is sent to: the first one named after "gửi (về)", "báo cáo"; one not
    in the registries gets its draft entry, as a lead would."""
    match = re.search(r"(?:gửi|về|báo cáo)\s+(?:về\s+)?((?:Ủy ban|UBND|Sở|Bộ|Ban|Văn phòng|Thủ tướng|Cục|Công an)[^,;.()]{2,80})", sentence)
    if match is None:
        return None
    words = re.split(r"\s+(?:để|nhằm|trước|chậm nhất|theo|và|trong|qua)\b", match[1], maxsplit=1)[0]
    found = _units(draft, index, [words], reviews, "recipient")
    return found.units[0] if found.units else None


def _units(draft: Draft, index: UnitIndex, phrases: list[str], reviews: list[Mark], role: str) -> Found:
    total = Found()
    for words in phrases:
        found = index.resolve(words)
        total.units += [u for u in found.units if u not in total.units]
        total.groups += [g for g in found.groups if g not in total.groups]
        for unresolved, candidates in found.unresolved:
            unit_id = _new_unit(draft, index, unresolved, candidates)
            if unit_id not in total.units:
                total.units.append(unit_id)
            home = index.province_of(index.issuer)
            own = [c for c in candidates if home and index.province_of(c) == home]
            if role == "lead" and own:  # "Sở Văn hóa, Thể thao, Du lịch" and this province's "Sở Văn hóa, Thể thao và Du lịch"
                reviews.append(mark("lead_maybe_registered", words=unresolved, unit=unit_id, name=own[0]))
            else:  # about the registry, not the role: the text names a body with no entry yet (its draft entry says so too)
                reviews.append(mark("unit_not_found", named_as=role, words=unresolved, unit=unit_id, candidates=candidates))
        for phrase, kinds in found.classes:
            group_id = _new_group(draft, index, kinds)
            if group_id is None:
                reviews.append(mark("class_without_group", role=role, words=phrase))
                continue
            if group_id not in total.groups:
                total.groups.append(group_id)
            reviews.append(mark("new_group", role=role, words=phrase, name=group_id, unit=draft.new_groups[group_id]["under"]))
        for words, unit_id in found.prefixed:
            if not _stands_for(index, words, unit_id):
                reviews.append(mark("unit_by_prefix", role=role, words=words, unit=unit_id))
    return total


def _new_group(draft: Draft, index: UnitIndex, kinds: tuple[str, ...]) -> str | None:
    """A group of the draft registry for a class the registries have none for ("các sở, ban,
    ngành", "UBND các xã, phường, đặc khu", "các bộ, cơ quan ngang bộ"): a rule taking those
    kinds under the issuer's province (the top of its tree for a national issuer), so that the
    units registered later join it. One per class and place, whatever words name it."""
    under = index.class_home()
    if under is None:
        return None
    group_id = f"draft.{slug(under, 40)}.{slug('-'.join(kinds), 40)}"
    draft.new_groups.setdefault(group_id, {"kinds": list(kinds), "under": under})
    return group_id


def _draft_key(words: str, locality: str) -> str:
    """A body's name as its draft unit is known, whatever way the text writes it: "Sở Tư pháp",
    "Sở Tư pháp tỉnh", "SỞ TƯ PHÁP", "Sở Tư pháp tỉnh Bắc Ninh" in a plan of Bắc Ninh are one, and so
    are "Sở Văn hóa, Thể thao, Du lịch" and "Sở Văn hóa, Thể thao và Du lịch"."""
    keyed = key(words)
    place = key(locality)
    if place and keyed.endswith(" " + place):
        keyed = keyed[:-len(place) - 1]
    bare = re.sub(r"^(?:tỉnh|thành phố)\s+", "", place)
    if bare and keyed.endswith(" " + bare):
        keyed = keyed[:-len(bare) - 1]
    return re.sub(r"\s+(?:của\s+)?(?:tỉnh|thành phố)$", "", keyed)


def _stands_for(index: UnitIndex, words: str, unit_id: str) -> bool:
    """Whether a registered entry is the class the words name, read plainly: "các bộ, ngành" and
    the entry "Các bộ, ngành liên quan" kept for that class. Another entry whose name merely
    begins with the words ("Văn phòng Ban Chỉ huy …" for "Văn phòng Ban") is a guess."""
    unit = index.catalogue.units.get(unit_id)
    if unit is None or not re.match(r"^các\s", words.strip(), re.IGNORECASE):
        return False
    name = re.sub(r"\s+(?:có\s+)?liên\s+quan$", "", unit.name.strip(), flags=re.IGNORECASE)
    return key(name).replace(",", " ").split() == key(words).replace(",", " ").split()


def _new_unit(draft: Draft, index: UnitIndex, words: str, candidates: list[str]) -> str:
    """The draft unit of a body the registries do not hold, under the issuer and named with the
    issuer's province ("Sở Tư pháp tỉnh Bắc Ninh"); the same body gets the same draft unit in
    every duty, however the text writes it (``_draft_key``)."""
    issuer = index.catalogue.units.get(index.issuer)
    locality = re.sub(r"^(?:Ủy ban nhân dân|UBND)\s+", "", issuer.name) if issuer is not None and issuer.kind == "province" else ""
    locality = locality[:1].lower() + locality[1:]
    keyed = _draft_key(words, locality)
    known = draft.unit_keys.get(loose_key(keyed))  # "và" and commas aside, as a registered name is met
    if known:
        return known
    unit_id = f"draft.{slug(keyed, 50)}"
    draft.unit_keys[loose_key(keyed)] = unit_id
    if any(u["id"] == unit_id for u in draft.new_units):
        return unit_id
    if words.isupper():  # "SỞ Y TẾ" of a heading: written as a name
        words = title_of(words)
    short = words[:1].upper() + words[1:]
    short = re.sub(r"\s+(?:tỉnh|thành\s+phố)$", "", short, flags=re.IGNORECASE)  # "Công an tỉnh": named with the issuer's place
    lower = words.lower()
    kind = ("department" if lower.startswith("sở") else "ministry" if lower.startswith("bộ ")
            else "press" if lower.startswith(("báo", "đài")) else "agency")
    # Named as its full name reads: "Sở Tư pháp tỉnh Bắc Ninh" (every registry's names are unique).
    name = short if not locality or key(locality) in key(short) else f"{short} {locality}"
    taken = {key(u.name) for u in index.catalogue.units.values()} | {key(u["name"]) for u in draft.new_units}
    if key(name) in taken:
        name = f"{name} (bản nháp {unit_id})"
    entry = {"id": unit_id, "name": name[:500], "short_name": short[:500], "kind": kind, "parent": index.issuer,
             "escalates_to": index.issuer, "basis": "assumed", "note": "Drafted by plantrack import from the plan's text.",
             "review": [mark("new_unit", name=name, candidates=candidates)]}
    if short == name:
        del entry["short_name"]
    draft.new_units.append(entry)
    return unit_id


def _unique(wanted: str, seen: set[str]) -> str:
    candidate, number = wanted, 2
    while candidate in seen:
        candidate, number = f"{wanted}-{number}", number + 1
    seen.add(candidate)
    return candidate


def _indicators(rows: list[dict], where: str, taken: set[str]) -> list[dict]:
    """An indicator for each row of a target table: its name and unit of measure, its kind by
    the unit (%: a percentage, đồng: an amount, else a count); the row's values go into its
    review mark, for a person to make targets of (a target needs the units responsible and the
    report that carries it, which the table does not say)."""
    found = []
    for row in rows:
        base = f"chi-tieu-{slug(row['name'], 40)}"
        ident, number = base, 2
        while ident in taken:
            ident, number = f"{base}-{number}", number + 1
        taken.add(ident)
        unit = row["unit"][:500]
        kind = "percentage" if "%" in unit else "amount" if re.search(r"đồng", unit, re.IGNORECASE) else "count"
        indicator = {"id": ident, "name": " ".join(row["name"].split())[:500], "kind": kind}
        if unit:
            indicator["unit_of_measure"] = unit
        values = "; ".join(f"{column}: {value}" for column, value in row["values"])[:300] or "—"
        indicator["review"] = [mark("indicator_from_table", where=where, words=values, unit=row["lead"] or "—")]
        found.append(indicator)
    return found


_NUMBER = re.compile(r"\d{1,3}(?:\.\d{3})+(?!\d)|\d+(?:,\d+)?")  # "1.500" (thousands), "12,5" (a decimal comma), "100"


def _target(draft: Draft, indicator: dict, row: dict, index: UnitIndex, issuer: str, period_end: dt.date) -> None:
    """A target of ``indicator`` where the plan language can hold it: a figure in the row (the
    column of the latest year), a day (the end of that year, else of the plan's period), the
    units responsible (the row's unit column, else the issuer) and a report of the draft that
    carries it (one whose title says "báo cáo", "kết quả" first), every guess marked. Without a
    figure or a report the indicator keeps its mark and no target is drafted; a figure of an
    earlier year is the baseline (on the end of that year)."""
    figures = []
    for column, cell in row["values"]:
        number = _NUMBER.search(cell)
        if number:
            year = re.search(r"\b(20\d\d)\b", column)
            figures.append((int(year[1]) if year else 0, float(number[0].replace(".", "").replace(",", ".")), column, cell))
    reports = [o for o in draft.obligations if re.search(r"báo\s+cáo", o["title"], re.IGNORECASE)]
    reports.sort(key=lambda o: not re.search(r"kết\s+quả", o["title"], re.IGNORECASE))
    if not figures or not reports:
        return
    year, value, column, cell = max(figures, key=lambda f: f[0])
    earlier = [f for f in figures if 0 < f[0] < year]  # a figure of an earlier year: the baseline ("Năm 2025: 60")
    units = [u for u in index.resolve(row["lead"]).units if u in index.catalogue.units] if row["lead"] else []
    report = reports[0]
    carried = report.setdefault("indicators", [])
    if indicator["id"] not in carried:
        carried.append(indicator["id"])
    target = {"id": f"muc-tieu-{indicator['id'].removeprefix('chi-tieu-')}"[:60].rstrip("-"), "name": indicator["name"],
              "indicator": indicator["id"], "value": value, "by": dt.date(year, 12, 31) if year else period_end,
              "units": units or [issuer], "obligation": report["id"],
              **({"baseline": {"value": earlier[-1][1], "on": dt.date(earlier[-1][0], 12, 31),
                               "written": f"{earlier[-1][2]}: {earlier[-1][3]}"[:200]}} if earlier else {}),
              "review": [mark("target_guessed", words=f"{column}: {cell}"[:200], unit=", ".join(units or [issuer]),
                              name=report["id"])]}
    draft.targets.append(target)
    indicator.pop("review", None)  # the target's mark says what to check


# --- writing ---------------------------------------------------------------------------------

def render(draft: Draft, source: Path) -> tuple[str, str | None]:
    """The plan file and, when new units are needed, the draft registry, as YAML text."""
    from ruamel.yaml import YAML

    yaml = YAML()
    yaml.width = 4096
    yaml.allow_unicode = True
    yaml.indent(mapping=2, sequence=4, offset=2)
    yaml.representer.ignore_aliases = lambda *args: True  # one date in two places is written twice, not as an anchor

    def dump(value) -> str:
        stream = io.StringIO()
        yaml.dump(value, stream)
        return stream.getvalue()

    intro = (f"# Drafted by `plantrack import` from {source.name}: review every entry marked `review:`,\n"
             f"# resolve it and delete the mark; `plantrack validate` refuses the file while one is left.\n")
    plan = _worded({key: value for key, value in draft.plan.items() if value is not None})
    body = {"plan": plan}
    if draft.indicators:
        body["indicators"] = [_worded(i) for i in draft.indicators]
    if draft.targets:
        body["targets"] = [_worded(t) for t in draft.targets]
    body["duties"] = [_worded(d) for d in draft.duties]
    if draft.obligations:
        body["obligations"] = [_worded(o) for o in draft.obligations]
    registry = None
    if draft.new_units or draft.new_groups:
        title = f"Đơn vị nêu trong {draft.plan['number']} (bản nháp)"
        tree = {"registry": {"id": draft.registry_id, "title": title}, "units": [_worded(u) for u in draft.new_units]}
        if draft.new_groups:
            tree["groups"] = {group_id: dict(rule) for group_id, rule in draft.new_groups.items()}
        registry = intro + dump(tree)
    return intro + dump(body), registry


def _worded(entry: dict) -> dict:
    """An entry as the file holds it: its review marks in words."""
    if "review" not in entry:
        return entry
    return {**entry, "review": [str(m) for m in entry["review"]]}


def write_draft(draft: Draft, source: Path, folder: Path) -> list[Path]:
    plan_text, registry_text = render(draft, source)
    folder.mkdir(parents=True, exist_ok=True)
    written = [(folder / f"{draft.plan['id']}.yaml", plan_text)]
    if registry_text:
        written.append((folder / f"{draft.registry_id}-units.yaml", registry_text))
    temporary = []
    try:
        for path, text in written:
            handle, name = tempfile.mkstemp(dir=folder, prefix=".import-", suffix=".tmp")
            with os.fdopen(handle, "w", encoding="utf-8") as stream:
                stream.write(text)
            temporary.append((name, path))
        for name, path in temporary:
            os.replace(name, path)
    finally:
        for name, _ in temporary:
            if os.path.exists(name):
                os.unlink(name)
    return [path for path, _ in written]


def strip_reviews(path: Path) -> int:
    """Resolve a written draft as a person would once every mark is checked: delete its review
    marks (the file is rewritten, its comments kept). Returns how many were deleted."""
    from ..loader import _yaml

    yaml = _yaml()
    tree = yaml.load(path.read_text(encoding="utf-8"))
    count = 0

    def walk(node) -> None:
        nonlocal count
        if isinstance(node, dict):
            if "review" in node:
                count += len(node.pop("review"))
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(tree)
    with path.open("w", encoding="utf-8") as stream:
        yaml.dump(tree, stream)
    return count
