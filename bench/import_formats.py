"""How close the drafts of a plan's .docx and PDF come to the draft of its text (not a test;
prints figures).

For each document of the corpus's tuning half, its text is written as a .docx (the header as the
two-column table of Decree 30/2020, "Nơi nhận" beside the signature in a table, every other
paragraph as a paragraph) and as a PDF printed by chromium (the header and the closing block in
two columns, justified paragraphs with no space between them, so that pypdf reads no blank
line), and the three are drafted. Each format's draft is compared with the
text's:

"docx#" is the same .docx with the labels "I.", "1.", "a)", "-" and "+" numbered by Word itself
(``numbering.xml``) wherever Word's count gives the text's label (not "đ)", nor a number that
jumps), as a document typed in Word has them.

- **header**: number, issue date, issuer, title and signer the same (of 5);
- **duties**: matched by section reference (as a multiset): 2 × matched / (text's + format's);
- **lead**: of the matched duties, those with the same lead units and groups;
- **dated**: of the matched duties, those with the same dated items (time frame and obligations'
  rules, ``import_accuracy.date_key``).

The issue's target: within 5 points of the text on every field (≥ 95%).

    .venv/bin/python bench/import_formats.py [CORPUS]   # default ../shared/corpus
"""

from __future__ import annotations

import html
import re
import shutil
import sys
import tempfile
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.import_accuracy import items_of, section_key  # noqa: E402
from plantrack.importer import import_document  # noqa: E402
from plantrack.importer.model import DATE_LINE, NUMBER_LINE, REPUBLIC, SIGNATURE_LINE  # noqa: E402
from plantrack.importer.reading import read_document  # noqa: E402
from plantrack.loader import load_catalogue  # noqa: E402

CORPUS = ROOT.parent / "shared" / "corpus"
TUNING = ["plans/d40513a8b25883ec_159-KH-UBND", "plans/a49ef8a0da1f62dd_0130-KH-UBND", "plans/8718801c503045f9_617-KH-UBND",
          "plans/437c3beb60ae2874_2853-QD-UBND", "plans/c5d930a5fc8373cd_980-KH-UBND", "plans/646f0a00d4174382_2530-QD-TTg",
          "plans/09daab284f92e2dd_141-KH-UBND", "plans/192068354fd1ffe5_552-KH-UBND", "plans/2957e4f4f0e41373_0125-KH-UBND",
          "directives/24701a1c97c8c368_634-TB-VPCP", "directives/2edf5927c71bc4c1_2629-QD-TTg"]


def split(text_path: Path) -> tuple[list[str], list[str], list[str], list[str]]:
    """(what comes before the header, its left column, its right column, the body) of a text: the
    issuer's lines in capitals above the republic and the number on the left, the republic, its
    motto and the place and date on the right."""
    texts = [p.text for p in read_document(text_path, 10**8, 10**7, 1000).paragraphs]
    republic = next(i for i, t in enumerate(texts[:80]) if REPUBLIC.match(t))
    first = republic
    while first > 0 and republic - first < 3 and texts[first - 1].isupper():
        first -= 1
    number = next(i for i in range(republic, min(len(texts), republic + 8)) if NUMBER_LINE.match(texts[i]))
    date = next(i for i in range(republic, min(len(texts), republic + 8)) if DATE_LINE.search(texts[i]))
    left = [*texts[first:republic], texts[number]]
    right = [t for i, t in enumerate(texts[republic:max(number, date) + 1], republic) if i != number]
    return texts[:first], left, right, closing(texts[max(number, date) + 1:])


def closing(body: list[str]) -> list:
    """The body with its closing block laid out as Decree 30/2020 has it: ("Nơi nhận:" and its
    list, the signature up to the signer's name) as a pair of columns in place of their paragraphs."""
    start = next((i for i, t in enumerate(body) if t.startswith("Nơi nhận")), None)
    if start is None:
        return body
    sign = next((i for i in range(start + 1, min(len(body), start + 30)) if SIGNATURE_LINE.match(body[i])), None)
    if sign is None:
        return body
    name = next((i for i in range(sign + 1, min(len(body), sign + 6)) if not body[i].isupper()), None)
    if name is None:
        return body
    return [*body[:start], (body[start:sign], body[sign:name + 1]), *body[name + 1:]]


LEVELS = [("upperRoman", "%1.", r"([IVX]+)\."), ("decimal", "%2.", r"(\d{1,2})\."), ("lowerLetter", "%3)", r"([a-z])\)"),
          ("bullet", "-", r"(-)"), ("bullet", "+", r"(\+)")]


def _roman(number: int) -> str:
    return ["", "I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII"][number] if number <= 12 else "?"


def _numbering(word) -> None:
    """One list of five levels in numbering.xml: I. / 1. / a) / - / +."""
    from docx.oxml import parse_xml
    from docx.oxml.ns import nsdecls

    levels = "".join(f'<w:lvl w:ilvl="{i}"><w:start w:val="1"/><w:numFmt w:val="{fmt}"/><w:lvlText w:val="{text}"/></w:lvl>'
                     for i, (fmt, text, _) in enumerate(LEVELS))
    element = word.part.numbering_part.element
    element.insert(0, parse_xml(f'<w:abstractNum {nsdecls("w")} w:abstractNumId="77">{levels}</w:abstractNum>'))
    element.append(parse_xml(f'<w:num {nsdecls("w")} w:numId="77"><w:abstractNumId w:val="77"/></w:num>'))


def numbered_paragraph(word, text: str, counts: dict[int, int]) -> None:
    """A paragraph whose label Word writes itself where Word would write the text's ("II.", "3.",
    "b)", "-", "+"); the label stays typed where it would not ("đ)", a number that jumps)."""
    from docx.oxml import parse_xml
    from docx.oxml.ns import nsdecls

    for level, (fmt, _, pattern) in enumerate(LEVELS):
        match = re.match(rf"^{pattern}\s+(.*)$", text, re.DOTALL)
        if not match:
            continue
        following = counts.get(level, 0) + 1
        expected = {"upperRoman": _roman(following), "decimal": str(following), "lowerLetter": chr(96 + following) if following <= 26 else "?",
                    "bullet": match[1]}[fmt]
        if match[1] != expected:
            break
        counts[level] = following if fmt != "bullet" else 0
        for deeper in [k for k in counts if k > level]:
            del counts[deeper]
        paragraph = word.add_paragraph(match[2])
        paragraph._p.get_or_add_pPr().append(parse_xml(
            f'<w:numPr {nsdecls("w")}><w:ilvl w:val="{level}"/><w:numId w:val="77"/></w:numPr>'))
        return
    word.add_paragraph(text)


def write_docx(before: list[str], left: list[str], right: list[str], body: list[str], out: Path, numbered: bool = False) -> Path:
    import docx

    word = docx.Document()
    counts: dict[int, int] = {}
    if numbered:
        _numbering(word)
    for text in before:
        word.add_paragraph(text)
    table = word.add_table(rows=1, cols=2)
    for cell, lines in zip(table.rows[0].cells, (left, right)):
        cell.text = lines[0]
        for line in lines[1:]:
            cell.add_paragraph(line)
    for item in body:
        if isinstance(item, str):
            if numbered:
                numbered_paragraph(word, item, counts)
            else:
                word.add_paragraph(item)
            continue
        columns = word.add_table(rows=1, cols=2)
        for cell, lines in zip(columns.rows[0].cells, item):
            cell.text = lines[0]
            for line in lines[1:]:
                cell.add_paragraph(line)
    word.save(out)
    return out


def write_pdf(browser, before: list[str], left: list[str], right: list[str], body: list[str], out: Path) -> Path:
    head = "".join(f"<p>{html.escape(t)}</p>" for t in before) + "<table style='width:100%;text-align:center'><tr>" + "".join(
        f"<td style='vertical-align:top;width:50%'>{'<br>'.join(html.escape(t) for t in lines)}</td>" for lines in (left, right)) + "</tr></table>"
    paragraphs = "".join(f"<p>{html.escape(t)}</p>" if isinstance(t, str) else
                         "<table style='width:100%'><tr>" + "".join(
                             f"<td style='vertical-align:top;width:50%;text-align:{align}'>{'<br>'.join(html.escape(x) for x in lines)}</td>"
                             for lines, align in zip(t, ("left", "center"))) + "</tr></table>" for t in body)
    document = ("<!DOCTYPE html><html lang='vi'><meta charset='utf-8'><style>body{font-family:'DejaVu Sans',sans-serif;font-size:12pt}"
                f"p{{margin:0;text-align:justify}}</style><body>{head}{paragraphs}</body></html>")
    page = browser.new_page()
    page.set_content(document)
    page.pdf(path=str(out), format="A4")
    page.close()
    return out


def agreement(reference, other) -> dict[str, tuple[int, int]]:
    """(agreeing, compared) per field of ``other``'s draft against ``reference``'s."""
    header = sum(reference.plan.get(k) == other.plan.get(k) for k in ("number", "issued_on", "issuer", "title", "signed_by"))
    by_section: dict[str, list[dict]] = {}
    for duty in other.duties:
        by_section.setdefault(section_key(duty["section"]), []).append(duty)
    pairs = []
    for duty in reference.duties:
        found = by_section.get(section_key(duty["section"]))
        if found:
            pairs.append((duty, found.pop(0)))
    lead = sum((set(a.get("lead") or []) | set(a.get("lead_groups") or [])) == (set(b.get("lead") or []) | set(b.get("lead_groups") or []))
               for a, b in pairs)
    dated = sum(Counter(items_of(a, reference.obligations)) == Counter(items_of(b, other.obligations)) for a, b in pairs)
    return {"header": (header, 5), "duties": (2 * len(pairs), len(reference.duties) + len(other.duties)),
            "lead": (lead, len(pairs)), "dated": (dated, len(pairs))}


def percent(values: tuple[int, int]) -> str:
    return f"{100 * values[0] / values[1]:5.1f}%" if values[1] else "    —"


def main() -> None:
    corpus = Path(sys.argv[1]) if len(sys.argv) > 1 else CORPUS
    catalogue = load_catalogue(ROOT / "plan_definitions", ROOT / "examples" / "2025")
    chromium = shutil.which("chromium")
    totals = {fmt: Counter() for fmt in ("docx", "docx#", "pdf")}
    print("Agreement with the draft of the text (header of 5; duties by section; lead and dated items of the matched duties)")
    print(f"  {'document':<36} {'format':<5} {'header':>7} {'duties':>7} {'lead':>7} {'dated':>7}   duties txt/format")
    with tempfile.TemporaryDirectory() as folder, _browser(chromium) as browser:
        for name in TUNING:
            source = corpus / f"{name}.txt"
            if not source.exists():
                continue
            parts = split(source)
            stem = Path(name).name
            reference = import_document(source, catalogue)
            formats = {"docx": write_docx(*parts, Path(folder) / f"{stem}.docx"),
                       "docx#": write_docx(*parts, Path(folder) / f"{stem}-numbered.docx", numbered=True)}
            if browser is not None:
                formats["pdf"] = write_pdf(browser, *parts, Path(folder) / f"{stem}.pdf")
            for fmt, path in formats.items():
                try:
                    draft = import_document(path, catalogue)
                except Exception as exc:  # a refusal counts as nothing agreeing
                    print(f"  {stem:<36} {fmt:<5} refused: {str(exc)[:100]}")
                    totals[fmt].update({"duties_n": len(reference.duties), "header_n": 5})
                    continue
                figures = agreement(reference, draft)
                for field, (right_n, all_n) in figures.items():
                    totals[fmt][field] += right_n
                    totals[fmt][f"{field}_n"] += all_n
                print(f"  {stem:<36} {fmt:<5} " + " ".join(f"{percent(v):>7}" for v in figures.values())
                      + f"   {len(reference.duties)}/{len(draft.duties)}")
    print("  all:")
    for fmt, total in totals.items():
        if total:
            print(f"    {fmt:<5} " + "  ".join(f"{field} {percent((total[field], total[f'{field}_n']))}"
                                          for field in ("header", "duties", "lead", "dated")))
    if chromium is None:
        print("  (no PDF: Debian's chromium is not installed)")


class _browser:
    """Chromium through Playwright, or None where it is not installed."""

    def __init__(self, executable: str | None):
        self.executable, self.playwright, self.browser = executable, None, None

    def __enter__(self):
        if self.executable is None:
            return None
        from playwright.sync_api import sync_playwright

        self.playwright = sync_playwright().start()
        self.browser = self.playwright.chromium.launch(executable_path=self.executable, args=["--no-sandbox"])
        return self.browser

    def __exit__(self, *exc):
        if self.browser is not None:
            self.browser.close()
            self.playwright.stop()


if __name__ == "__main__":
    main()
