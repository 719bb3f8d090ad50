"""Check the shape of gold files (``bench/gold/README.md``): ``python bench/gold_check.py FILE...``.

Prints ``OK (n duties)`` per file, or what is missing; exits 1 when a file is wrong.
"""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import yaml

CORPUS = Path(__file__).resolve().parent.parent.parent / "shared" / "corpus"
RULES = {"one_off", "within", "recurring", "reporting_period"}


def _due_problems(where: str, rule: dict) -> list[str]:
    kind = rule.get("type")
    if kind not in RULES:
        return [f"{where}.due type {kind}"]
    if kind == "one_off" and not any(isinstance(rule.get(k), dt.date) for k in ("before", "at_latest_on")):
        return [f"{where}.due one_off needs a before/at_latest_on date"]
    if kind == "within" and not rule.get("written"):
        return [f"{where}.due within needs written"]
    if kind == "recurring" and len(str(rule.get("cron", "")).split()) != 5:
        return [f"{where}.due recurring needs a 5-field cron"]
    return []


def problems_of(path: Path) -> tuple[list[str], int]:
    gold = yaml.safe_load(path.read_text(encoding="utf-8"))
    problems = []
    if not (CORPUS / gold.get("document", "")).exists():
        problems.append("document: no such file under ../shared/corpus")
    if gold.get("half") not in ("tuning", "checking"):
        problems.append("half: tuning|checking")
    header = gold.get("header") or {}
    problems += [f"header.{k} missing" for k in ("number", "issued_on", "issuer", "title") if not header.get(k)]
    if header.get("issued_on") and not isinstance(header["issued_on"], dt.date):
        problems.append("header.issued_on: YYYY-MM-DD")
    if "period" not in gold:
        problems.append("period: missing (null if none)")
    period = gold.get("period")
    if period:
        if not period.get("written"):
            problems.append("period.written missing")
        if not isinstance(period.get("start"), dt.date):
            problems.append("period.start: a date")
        if not (isinstance(period.get("end"), dt.date) or period.get("until_event")):
            problems.append("period.end or until_event")
    duties = gold.get("duties") or []
    if not duties:
        problems.append("duties: none")
    for i, duty in enumerate(duties):
        where = f"duties[{i}]"
        problems += [f"{where}.{k} missing" for k in ("section", "text") if not duty.get(k)]
        problems += [f"{where}.{k}: a list" for k in ("lead", "support", "either") if k in duty and not isinstance(duty[k], list)]
        if "lead" not in duty:
            problems.append(f"{where}.lead missing ([] if none)")
        for rule in duty.get("due") or []:
            problems += _due_problems(where, rule)
        frame = duty.get("timeframe")
        if frame is not None and not frame.get("written"):
            problems.append(f"{where}.timeframe.written missing")
    return problems, len(duties)


def main(paths: list[str]) -> int:
    ok = True
    for name in paths:
        try:
            problems, count = problems_of(Path(name))
        except (OSError, yaml.YAMLError, AttributeError, TypeError) as error:
            problems, count = [f"unreadable: {error}"], 0
        ok = ok and not problems
        print(f"{name}: " + ("; ".join(problems[:20]) if problems else f"OK ({count} duties)"))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
