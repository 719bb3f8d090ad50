"""How close `plantrack import`'s drafts come to the plans encoded by hand (not a test; prints
figures).

The gold set is the six plans of ``examples/2025/plans`` (each names its text in the corpus on
its second line). For each, the draft of its text is compared with it field by field:

- **duties**: a draft duty matches a gold duty of the same section reference (spaces, case and
  a note in brackets after a space aside: "(gạch đầu dòng 2)", "(III.1.b)"), else one whose text is close (difflib ratio ≥ 0.6 on
  the first 160 characters); precision over the draft's duties, recall over the gold's;
- **sections**: of the matched duties, those with the gold's section reference;
- **lead / support units**: over the matched duties, the unit and group ids (precision, recall);
- **dated items**: the gold's obligations whose day the text gives (``basis: stated``) and its
  duties' time frames whose words are the text's, against the draft's obligations and time frames of the matched duty:
  right when the rule and its date(s) are the same; **right date** when the day it falls due
  by is the same, whatever the rule (a window held as a duty's time frame or as a deadline).

Then every plan of the corpus: what its draft holds, its review marks and how long it took;
and a 130,000-character decision (the longest, lengthened).

    .venv/bin/python bench/import_accuracy.py [CORPUS]   # default ../shared/corpus/plans
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from plantrack.importer import import_document  # noqa: E402
from plantrack.loader import _plain, _yaml, load_catalogue  # noqa: E402
from plantrack.rules.within import parse_window  # noqa: E402

CORPUS = ROOT.parent / "shared" / "corpus" / "plans"


def section_key(section: str) -> str:
    section = re.sub(r"\s+\([^)]*\)", "", section)  # a note after a space: "(gạch đầu dòng 2)", "(III.1.b)"
    return re.sub(r"\s+", "", section).casefold().split(";")[0]


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


def items_of(duty: dict, obligations: list[dict], stated_only: bool, text: str | None = None) -> list:
    """A duty's dated items: its time frame and its obligations' rules. With ``text`` (the
    gold's side), a time frame counts only where its words are the document's: one the encoder
    judged ("thường xuyên" for a response plan that never says it) is no time phrase of the text."""
    frame = duty.get("timeframe")
    stated = frame and (text is None or " ".join(str(frame.get("written") or "").split()).casefold() in text)
    found = [date_key(frame=frame)] if stated else []
    for obligation in obligations:
        if obligation.get("duty") == duty["id"] and (not stated_only or obligation["due"].get("basis", "stated") == "stated"):
            found.append(date_key(obligation["due"]))
    return found


def units_of(duty: dict, role: str) -> set[str]:
    return set(duty.get(role) or []) | set(duty.get(f"{role}_groups") or [])


def compare(gold: dict, draft, text: str) -> dict:
    gold_duties, drafted = gold.get("duties") or [], draft.duties
    by_section = {}
    for duty in drafted:
        by_section.setdefault(section_key(duty["section"]), duty)
    pairs, used = [], set()
    for duty in gold_duties:
        match = by_section.get(section_key(str(duty["section"])))
        if match is None or match["id"] in used:
            texts = [(difflib.SequenceMatcher(None, duty["text"][:160].lower(), d["text"][:160].lower()).ratio(), d)
                     for d in drafted if d["id"] not in used]
            best = max(texts, key=lambda t: t[0], default=(0, None))
            match = best[1] if best[0] >= 0.6 else None
        if match is not None:
            used.add(match["id"])
            pairs.append((duty, match))
    figures = {"duties": (len(pairs), len(drafted), len(gold_duties)),
               "sections": (sum(section_key(str(g["section"])) == section_key(d["section"]) for g, d in pairs), len(pairs))}
    for role in ("lead", "support"):
        right = drafted_n = gold_n = 0
        for g, d in pairs:
            gold_units, draft_units = units_of(g, role), units_of(d, role)
            right += len(gold_units & draft_units)
            drafted_n += len(draft_units)
            gold_n += len(gold_units)
        figures[role] = (right, drafted_n, gold_n)
    right = dates = gold_items = 0
    for g, d in pairs:
        wanted = items_of(g, gold.get("obligations") or [], stated_only=True, text=text)
        have = items_of(d, draft.obligations, stated_only=False)
        have_dates = [date_only(i) for i in have]
        gold_items += len(wanted)
        for item in wanted:
            if item in have:
                have.remove(item)
                right += 1
            if date_only(item) in have_dates:
                have_dates.remove(date_only(item))
                dates += 1
    unmatched = [g for g in gold_duties if all(g is not p[0] for p in pairs)]
    gold_items += sum(len(items_of(g, gold.get("obligations") or [], stated_only=True, text=text)) for g in unmatched)
    draft_items = sum(len(items_of(d, draft.obligations, False)) for d in drafted)
    figures["dated items"] = (right, draft_items, gold_items)
    figures["right date"] = (dates, draft_items, gold_items)
    return figures


def ratio(a: int, b: int) -> str:
    return f"{100 * a / b:5.1f}%" if b else "    —"


def main() -> None:
    corpus = Path(sys.argv[1]) if len(sys.argv) > 1 else CORPUS
    catalogue = load_catalogue(ROOT / "plan_definitions", ROOT / "examples" / "2025")
    totals: dict[str, list[int]] = {}
    print("Gold set: examples/2025/plans, drafts of the same texts (precision / recall; right of drafted / right of gold)")
    for gold_path in sorted((ROOT / "examples" / "2025" / "plans").glob("*.yaml")):
        text = gold_path.read_text(encoding="utf-8")
        name = re.search(r"shared/corpus/plans/(\S+\.txt)", text)
        if not name or not (corpus / name[1]).exists():
            continue
        gold = _plain(_yaml().load(text))
        draft = import_document(corpus / name[1], catalogue)
        figures = compare(gold, draft, " ".join((corpus / name[1]).read_text(encoding="utf-8").split()).casefold())
        parts = []
        for field, values in figures.items():
            total = totals.setdefault(field, [0, 0, 0])
            for i, v in enumerate(values):
                total[i] += v
            if field == "sections":
                parts.append(f"sections {ratio(*values)}")
            else:
                parts.append(f"{field} {ratio(values[0], values[1])}/{ratio(values[0], values[2])}")
        print(f"  {gold_path.stem:<24} " + "; ".join(parts))
    print("  all six:")
    for field, values in totals.items():
        if field == "sections":
            print(f"    {field:<12} right {ratio(values[0], values[1])} of the matched duties")
        else:
            print(f"    {field:<12} precision {ratio(values[0], values[1])}  recall {ratio(values[0], values[2])}  "
                  f"({values[0]} right, {values[1]} drafted, {values[2]} in the gold)")
    print("Every plan of the corpus:")
    for path in sorted(corpus.glob("*.txt")):
        chars = len(path.read_text(encoding="utf-8"))
        started = time.perf_counter()
        draft = import_document(path, catalogue)
        seconds = time.perf_counter() - started
        s = draft.summary()
        print(f"  {path.name:<36} {chars:>7,} chars {seconds:5.2f} s  {s['duties']:>3} duties, {s['obligations']:>3} obligations, "
              f"{s['dated']:>3} dated, {s['with a lead unit']:>3} with a lead, {s['new units']:>2} new units, {s['review marks']:>3} review marks")
    timed_long_decision(corpus, catalogue)


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
