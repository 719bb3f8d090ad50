"""How close `plantrack import`'s drafts come to documents encoded by hand (not a test; prints
figures).

The gold set (``bench/gold.py``) is every document of ``../shared/corpus``: the six plans of
``examples/2025/plans`` and sixteen plans and directives of ``bench/gold/``, split once into a
**tuning** half (11 documents; rules are justified by these only) and a **checking** half (11,
read only to measure: the README reports it). For each document its draft is compared with the
gold field by field:

- **duties**: a draft duty matches a gold duty of the same section reference (spaces, case and
  a note in brackets after a space aside), else one whose text is close (difflib ratio ≥ 0.6 on
  the first 160 characters); precision over the draft's duties, recall over the gold's;
- **sections**: of the matched duties, those with the gold's section reference;
- **lead / support units**: over the matched duties, bodies compared by name (``bench/gold.py``'s
  ``name_key``: "Sở Y tế", "Sở Y tế tỉnh X" and an alias meet; a class by the kinds it names);
- **dated items**: the gold's dated items (the days and windows the text gives) against the
  draft's obligations and time frames of the matched duty: right when the rule and its date(s)
  are the same; **right date** when the day it falls due by is the same, whatever the rule;
- **period**: the plan period the text states (start and end), or none stated and the draft
  saying it assumed one;
- **marks**: of the matched duties, a lead that is wrong with no mark about the lead, and a lead
  right yet marked; of the draft's dated items of matched duties, one whose date is wrong with no
  mark about time, one whose date is right yet marked: the marks must tell the truth;
- **validates**: the draft, its review marks deleted, loads with the registries.

Then how long each document takes, and a 130,000-character decision (the longest, lengthened).

    .venv/bin/python bench/import_accuracy.py            # both halves, per document
    .venv/bin/python bench/import_accuracy.py --checking # the checking half only
    .venv/bin/python bench/import_accuracy.py --tuning   # the tuning half only (while tuning a rule)
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.gold import CORPUS, Gold, keys_of_ids, load_gold  # noqa: E402
from plantrack.errors import DefinitionError  # noqa: E402
from plantrack.importer import import_document, write_draft  # noqa: E402
from plantrack.importer.draft import strip_reviews  # noqa: E402
from plantrack.loader import load_catalogue  # noqa: E402
from plantrack.rules.within import parse_window  # noqa: E402

REGISTRIES = (ROOT / "plan_definitions", ROOT / "examples" / "2025")


def section_key(section: str) -> str:
    section = re.sub(r"\s+\([^)]*\)", "", section)  # a note after a space: "(gạch đầu dòng 2)", "(III.1.b)"
    section = section.split(";")[0].strip().rstrip(".)")
    return re.sub(r"[\s.]+", ".", section).casefold()  # "PL II I.1" and "PL II.I.1": a notation, not a difference


def date_key(due: dict | None = None, frame: dict | None = None):
    try:
        if frame is not None:
            if frame.get("ongoing"):
                return ("frame", "ongoing")
            if frame.get("until_event"):
                return ("frame", "event")
            if frame.get("start") or frame.get("until"):  # dates given outright ("thí điểm từ sau năm 2027": from 01/01/2028)
                day = lambda v: v if isinstance(v, dt.date) or v is None else dt.date.fromisoformat(str(v))  # noqa: E731
                return ("frame", (day(frame.get("start")), day(frame.get("until"))))
            written = frame.get("written") or ""
            match = re.search(r"năm\s+(\d{4})\s+và\s+các\s+năm", written, re.IGNORECASE)
            return ("frame", match[1]) if match else ("frame", parse_window(written))
        kind = due["type"]
        if kind == "one_off":
            return (kind, str(due.get("before") or due.get("at_latest_on")), "before" if due.get("before") else "at_latest_on")
        if kind == "within":
            return (kind, parse_window(due["written"]))
        if kind == "recurring":
            return (kind, " ".join(due["cron"].split()[2:4]))
        if kind == "reporting_period":
            return (kind, due["period"])
        return (kind,)
    except (ValueError, KeyError, TypeError):
        return ("unreadable",)


def date_only(item: tuple):
    """The date an item falls due by, whatever its rule: a window's last day, a deadline's."""
    if item[0] in ("frame", "within") and isinstance(item[1], tuple):
        return ("date", item[1][1])
    if item[0] == "one_off":
        day = dt.date.fromisoformat(item[1])
        return ("date", day - dt.timedelta(days=1) if item[2] == "before" else day)
    return item


def items_of(duty: dict, obligations: list[dict] | None, text: str | None = None) -> list:
    """A duty's dated items: its time frame and its rules (the gold's ``due``, or the draft's
    obligations of the duty). With ``text`` (the gold's side), a time frame counts only where its
    words are the document's."""
    frame = duty.get("timeframe")
    stated = frame and (text is None or " ".join(str(frame.get("written") or "").split()).casefold() in text)
    found = [date_key(frame=frame)] if stated else []
    if obligations is None:
        found += [date_key(due) for due in duty.get("due") or []]
        if stated and len(found) > 1 and date_only(found[0]) in [date_only(i) for i in found[1:]]:
            found.pop(0)  # the gold's time frame and a deadline of the same window: one time phrase of the text
    else:
        found += [date_key(o["due"]) for o in obligations if o.get("duty") == duty["id"]]
    return found


def units_of(duty: dict, role: str) -> list:
    return duty[role]


def matched(gold_units: list[frozenset], draft_units: list[frozenset]) -> int:
    """How many gold bodies a distinct draft body meets."""
    left, right = list(draft_units), 0
    for wanted in gold_units:
        hit = next((d for d in left if d & wanted), None)
        if hit is not None:
            left.remove(hit)
            right += 1
    return right


LEAD_CODES = {"no_lead", "lead_from_support", "office_guessed"}
TIME_WORDS = ("time", "day", "date", "period", "window", "event", "running", "request", "year", "deadline", "recurr", "month")


def about_lead(m) -> bool:
    return m.code in LEAD_CODES or "lead" in m.code or m.values.get("role") == "lead"


def about_time(m) -> bool:
    return any(w in m.code for w in TIME_WORDS)


def pair_duties(gold: Gold, drafted: list[dict]) -> list[tuple[dict, dict]]:
    by_section: dict[str, dict] = {}
    for duty in drafted:
        by_section.setdefault(section_key(duty["section"]), duty)
    pairs, used = [], set()
    for duty in gold.duties:
        match = by_section.get(section_key(duty["section"]))
        if match is None or match["id"] in used:
            texts = [(difflib.SequenceMatcher(None, duty["text"][:160].lower(), d["text"][:160].lower()).ratio(), d)
                     for d in drafted if d["id"] not in used]
            best = max(texts, key=lambda t: t[0], default=(0, None))
            match = best[1] if best[0] >= 0.6 else None
        if match is not None:
            used.add(match["id"])
            pairs.append((duty, match))
    return pairs


def compare(gold: Gold, draft, catalogue, text: str) -> dict:
    """Figures of one document: (right, drafted, gold) per field, and the marks' counts."""
    drafted = draft.duties
    new_units = {u["id"]: u["name"] for u in draft.new_units}
    new_groups = {g: rule.get("kinds") or [] for g, rule in getattr(draft, "new_groups", {}).items()}
    pairs = pair_duties(gold, drafted)
    figures = {"duties": (len(pairs), len(drafted), len(gold.duties)),
               "sections": (sum(section_key(g["section"]) == section_key(d["section"]) for g, d in pairs), len(pairs))}
    lead_unmarked = lead_false_mark = 0
    for role in ("lead", "support"):
        right = drafted_n = gold_n = 0
        for g, d in pairs:
            have = keys_of_ids(catalogue, d.get(role), d.get(f"{role}_groups"), new_units, new_groups)
            hits = matched(g[role], have)
            right += hits
            drafted_n += len(have)
            gold_n += len(g[role])
            if role == "lead":
                exact = hits == len(g["lead"]) == len(have)
                marked = any(about_lead(m) for m in d.get("review", []))
                lead_unmarked += not exact and not marked
                lead_false_mark += exact and marked
        figures[role] = (right, drafted_n, gold_n)
    right = dates = gold_items = 0
    time_unmarked = time_false_mark = draft_items_matched = 0
    for g, d in pairs:
        wanted = items_of(g, None, text=text)
        obligations = [o for o in draft.obligations if o.get("duty") == d["id"]]
        have_rules = [(date_key(o["due"]), o) for o in obligations]
        if d.get("timeframe"):
            have_rules.insert(0, (date_key(frame=d["timeframe"]), d))
        have = [k for k, _ in have_rules]
        have_dates = [date_only(i) for i in have]
        gold_items += len(wanted)
        left = [date_only(i) for i in wanted]  # for the marks a date is what a person acts on, whatever its rule
        for item, entry in have_rules:
            draft_items_matched += 1
            marked = any(about_time(m) for m in entry.get("review", []))
            if date_only(item) in left:
                left.remove(date_only(item))
                time_false_mark += marked
            else:
                time_unmarked += not marked
        for item in wanted:
            if item in have:
                have.remove(item)
                right += 1
            if date_only(item) in have_dates:
                have_dates.remove(date_only(item))
                dates += 1
    unmatched = [g for g in gold.duties if all(g is not p[0] for p in pairs)]
    gold_items += sum(len(items_of(g, None, text=text)) for g in unmatched)
    draft_items = sum(len(items_of(d, draft.obligations)) for d in drafted)
    figures["dated items"] = (right, draft_items, gold_items)
    figures["right date"] = (dates, draft_items, gold_items)
    figures["marks"] = (lead_unmarked, lead_false_mark, len(pairs), time_unmarked, time_false_mark, draft_items_matched)
    figures["period"] = (period_right(gold, draft), 1)
    return figures


def period_right(gold: Gold, draft) -> int:
    assumed = any(m.code == "period_assumed" for m in draft.plan.get("review", [])) or draft.plan.get("period_basis") == "assumed"
    if gold.period is None:
        return int(assumed)
    period = draft.plan.get("period") or {}
    day = lambda v: v if isinstance(v, dt.date) or v is None else dt.date.fromisoformat(str(v))  # noqa: E731
    if gold.period.get("until_event"):
        return int(not assumed and day(period.get("start")) == gold.period["start"] and "until_event" in str(period))
    return int(not assumed and day(period.get("start")) == gold.period["start"] and day(period.get("end")) == gold.period["end"])


def validates(draft, source: Path) -> bool:
    """The draft, its review marks deleted, loads with the registries."""
    with tempfile.TemporaryDirectory() as folder:
        written = write_draft(draft, source, Path(folder))
        for path in written:
            strip_reviews(path)
        try:
            load_catalogue(*REGISTRIES, Path(folder))
        except DefinitionError:
            return False
    return True


def ratio(a: int, b: int) -> str:
    return f"{100 * a / b:5.1f}%" if b else "    —"


def line_of(figures: dict) -> str:
    parts = []
    for field, values in figures.items():
        if field == "sections":
            parts.append(f"sections {ratio(*values)}")
        elif field == "marks":
            parts.append(f"unmarked wrong {values[0] + values[3]}/{values[2] + values[5]}, marks on right {values[1] + values[4]}")
        elif field == "period":
            parts.append(f"period {'right' if values[0] else 'WRONG'}")
        else:
            parts.append(f"{field} {ratio(values[0], values[1])}/{ratio(values[0], values[2])}")
    return "; ".join(parts)


def summary(name: str, rows: list[tuple[Gold, dict, bool, float]]) -> None:
    totals: dict[str, list[int]] = {}
    for _, figures, _, _ in rows:
        for field, values in figures.items():
            total = totals.setdefault(field, [0] * len(values))
            for i, v in enumerate(values):
                total[i] += v
    print(f"  {name} ({len(rows)} documents):")
    for field, values in totals.items():
        if field == "sections":
            print(f"    {field:<12} right {ratio(values[0], values[1])} of the matched duties")
        elif field == "marks":
            items = values[2] + values[5]
            print(f"    {'marks':<12} wrong without a mark: {ratio(values[0] + values[3], items)} of drafted items "
                  f"(leads {values[0]} of {values[2]} matched duties, dated items {values[3]} of {values[5]}); "
                  f"marks on right values: leads {values[1]}, dated items {values[4]}")
        elif field == "period":
            print(f"    {'period':<12} right in {values[0]} of {values[1]} ({ratio(*values)}; stated, or none stated and marked assumed)")
        else:
            print(f"    {field:<12} precision {ratio(values[0], values[1])}  recall {ratio(values[0], values[2])}  "
                  f"({values[0]} right, {values[1]} drafted, {values[2]} in the gold)")
    valid = sum(1 for *_, ok, _ in rows if ok)
    print(f"    {'validates':<12} {valid} of {len(rows)} drafts load once their marks are deleted")


def main() -> None:
    checking_only = "--checking" in sys.argv
    tuning_only = "--tuning" in sys.argv  # what a rule may be tuned on: the checking half is not even drafted
    catalogue = load_catalogue(*REGISTRIES)
    golds = load_gold(catalogue)
    print("Drafts of the corpus against the gold (precision / recall; right of drafted / right of gold)")
    halves: dict[str, list] = {"tuning": [], "checking": []}
    for gold in golds:
        if checking_only and gold.half != "checking" or tuning_only and gold.half != "tuning":
            continue
        text = gold.document.read_text(encoding="utf-8")
        started = time.perf_counter()
        try:
            draft = import_document(gold.document, catalogue)
        except Exception as error:  # a document that does not draft is a finding, not a crash of the bench
            print(f"  [{gold.half[0]}] {gold.name[:34]:<34} FAILED: {type(error).__name__}: {error}")
            continue
        seconds = time.perf_counter() - started
        figures = compare(gold, draft, catalogue, " ".join(text.split()).casefold())
        ok = validates(draft, gold.document)
        halves[gold.half].append((gold, figures, ok, seconds))
        print(f"  [{gold.half[0]}] {gold.name[:34]:<34} {len(text):>7,} ch {seconds:4.2f} s {'' if ok else 'DOES NOT VALIDATE; '}"
              + line_of(figures))
    for half, rows in halves.items():
        if rows:
            summary(half, rows)
    if not checking_only:
        timed_long_decision(CORPUS / "plans", catalogue)


def timed_long_decision(corpus: Path, catalogue) -> None:
    """2530/QĐ-TTg is 98,000 characters (129 KB): its Phụ lục I is repeated at the end until the
    text reaches 130,000 characters, and that is imported."""
    import tempfile

    source = corpus / "646f0a00d4174382_2530-QD-TTg.txt"
    if not source.exists():
        return
    text = source.read_text(encoding="utf-8")
    table = text[text.index("PHỤ LỤC I"):text.index("PHỤ LỤC II")]
    while len(text) < 130_000:
        text += "\n\n" + table
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "long.txt"
        path.write_text(text, encoding="utf-8")
        started = time.perf_counter()
        draft = import_document(path, catalogue)
        seconds = time.perf_counter() - started
    print(f"A {len(text):,}-character decision (2530/QĐ-TTg, its Phụ lục I repeated): {seconds:.2f} s, "
          f"{len(draft.duties)} duties, {len(draft.obligations)} obligations")


if __name__ == "__main__":
    main()
