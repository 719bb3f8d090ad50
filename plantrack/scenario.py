"""Scenario files: who submits what and when, and which extensions are granted.

A plan author uses a scenario to try a plan out ("as of 20/11/2020, who is late?") and the
demo uses one to give the Hà Nội plan a realistic history. Applying a scenario up to an
instant is idempotent: events already recorded are skipped.
"""

from __future__ import annotations

import datetime as dt
import fnmatch
import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from pydantic import Field
from sqlalchemy.orm import Session

from .calendar import TIMEZONE
from .errors import DefinitionError, PlantrackError, Problem
from .loader import parse_yaml_model
from .schema import Identifier, Strict
from .figures import record_figures
from .tracking import find_occurrence, grant_extension, record_submission


def _instant(value: dt.date | dt.datetime) -> dt.datetime:
    """A date is taken as the start of that day in Viet Nam; a naive datetime as Viet Nam time."""
    if isinstance(value, dt.datetime):
        return value if value.tzinfo else value.replace(tzinfo=TIMEZONE)
    return dt.datetime.combine(value, dt.time.min, tzinfo=TIMEZONE)


class _Target(Strict):
    plan: Identifier
    obligation: Identifier
    unit: Identifier
    period: str | None = None


class ScenarioSubmission(_Target):
    submitted_at: dt.datetime | dt.date
    document_number: str | None = None
    document_date: dt.date | None = None
    link: str | None = None
    note: str | None = None
    figures: dict[str, str | float | int] = Field(default={}, max_length=50)  # indicator id -> value, as a unit types it


class ScenarioExtension(_Target):
    granted_at: dt.datetime | dt.date
    new_date: dt.date
    reason: str = Field(min_length=1)
    approved_by: str = Field(min_length=1)


class ScenarioHeader(Strict):
    title: str
    note: str | None = None


class Habit(Strict):
    """How a set of units tends to hand in, for the occurrences no explicit event names.

    ``units`` and ``obligations`` take ids or glob patterns (``vn.province.*``,
    ``kh-399/bao-cao-*``); ``share`` picks that part of the matching occurrences by a stable
    hash, so a replay gives the same history every time. The first habit that takes an
    occurrence decides; an occurrence no habit takes is never handed in.
    """

    units: list[str] = ["*"]
    obligations: list[str] = ["*"]  # "plan-id/obligation-key" patterns
    submits: Literal["on_time", "late", "never"]
    working_days: int = Field(0, ge=0, le=120)  # before the deadline (on_time) or after it (late)
    share: float = Field(1.0, gt=0, le=1)

    def takes(self, unit_id: str, plan_id: str, obligation_key: str, period_key: str) -> bool:
        return self.matches(unit_id, plan_id, obligation_key) and self.picks(unit_id, plan_id, obligation_key, period_key)

    def matches(self, unit_id: str, plan_id: str, obligation_key: str) -> bool:
        """Whether the unit and the obligation fit the patterns (the same for every period)."""
        return any(fnmatch.fnmatchcase(unit_id, pattern) for pattern in self.units) and any(
            fnmatch.fnmatchcase(f"{plan_id}/{obligation_key}", pattern) for pattern in self.obligations
        )

    def picks(self, unit_id: str, plan_id: str, obligation_key: str, period_key: str) -> bool:
        """Whether this period falls in the habit's ``share``."""
        if self.share >= 1:
            return True
        digest = hashlib.sha256(f"{unit_id}|{plan_id}|{obligation_key}|{period_key}".encode()).digest()
        return int.from_bytes(digest[:4], "big") / 2**32 < self.share


class ScenarioFile(Strict):
    scenario: ScenarioHeader
    submissions: list[ScenarioSubmission] = []
    extensions: list[ScenarioExtension] = []
    habits: list[Habit] = []


def load_scenario(path: Path) -> ScenarioFile:
    def choose(tree: Any):
        return ScenarioFile if isinstance(tree, dict) and "scenario" in tree else "expected a top-level key 'scenario'"

    if not path.is_file():
        raise DefinitionError([Problem(path, 0, "(path)", "no such file")])
    _, model, problems = parse_yaml_model(path, choose)
    if problems:
        raise DefinitionError(problems)
    return model


def merge_scenarios(scenarios: list[ScenarioFile]) -> ScenarioFile:
    """Several scenario files as one: events together, habits in the order the files come."""
    if not scenarios:
        raise PlantrackError("no scenario given")
    return ScenarioFile(
        scenario=ScenarioHeader(title=" + ".join(s.scenario.title for s in scenarios)),
        submissions=[e for s in scenarios for e in s.submissions],
        extensions=[e for s in scenarios for e in s.extensions],
        habits=[h for s in scenarios for h in s.habits],
    )


@dataclass
class ScenarioResult:
    submissions: int = 0
    extensions: int = 0
    skipped: int = 0


class ScenarioFeed:
    """A scenario's explicit events in time order, applied a slice at a time (for the replay)."""

    def __init__(self, scenario: ScenarioFile):
        events = [(_instant(s.submitted_at), 1, s) for s in scenario.submissions]
        events += [(_instant(e.granted_at), 0, e) for e in scenario.extensions]
        self.events = sorted(events, key=lambda e: (e[0], e[1]))
        self.position = 0

    def apply_until(self, session: Session, until: dt.datetime) -> ScenarioResult:
        """Record the events not applied yet that happen at or before ``until``."""
        start = self.position
        while self.position < len(self.events) and self.events[self.position][0] <= until:
            self.position += 1
        return _apply(session, self.events[start : self.position])


def apply_scenario(session: Session, scenario: ScenarioFile, until: dt.datetime) -> ScenarioResult:
    """Record every event of ``scenario`` that happens at or before ``until``, in time order."""
    return ScenarioFeed(scenario).apply_until(session, until)


def _apply(session: Session, events: list) -> ScenarioResult:
    result = ScenarioResult()
    for at, _, event in events:
        try:
            occurrence = find_occurrence(session, None, event.plan, event.obligation, event.unit, event.period)
        except PlantrackError as exc:
            raise PlantrackError(f"scenario event for {event.unit} ({event.plan}/{event.obligation}): {exc}") from None
        if isinstance(event, ScenarioSubmission):
            if any(s.submitted_at == at and s.document_number == event.document_number for s in occurrence.submissions):
                result.skipped += 1
                continue
            submission = record_submission(
                session, occurrence, at, event.document_number, event.document_date, event.link, event.note, "scenario"
            )
            if event.figures:
                session.flush()
                record_figures(session, submission, {key: str(value) for key, value in event.figures.items()})
            result.submissions += 1
        else:
            if any(x.granted_at == at for x in occurrence.extensions):
                result.skipped += 1
                continue
            grant_extension(session, occurrence, event.new_date, event.reason, event.approved_by, at)
            result.extensions += 1
        session.flush()
    return result
