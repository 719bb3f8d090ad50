"""What every due rule shares, and the registry that holds them.

A due rule is one pydantic model in a module of its own (``plantrack/rules/<name>.py``),
registered with ``@register``: its ``type`` literal names it in plan files, and it knows
how to **expand** itself into dated periods (``Dated``), how to **check** itself against the
plan's period, and which **period keys** it makes. ``schema.DueRule`` is the union of the
registered models, so a new rule is one new module (imported in ``rules/__init__.py``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Callable, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, model_validator

from ..calendar import WorkCalendar
from ..deadlines import Deadline, Step, undated_deadline

Wording = Literal["before", "at_latest_on"]
Basis = Literal["stated", "assumed"]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


@dataclass(frozen=True)
class RuleContext:
    """What a rule needs to expand: where it stands and the plan around it."""

    section: str
    title: str
    period_start: dt.date
    period_end: dt.date
    issued_on: dt.date
    calendar: WorkCalendar
    # For rules relative to another obligation: its title and dated periods, by reference.
    resolve: Callable[[str], tuple[str, list["Dated"]]] | None = None


@dataclass(frozen=True)
class Dated:
    """One period of a rule: its key and label, the span it covers, when it opens, its deadline."""

    key: str
    label: str
    start: dt.date
    end: dt.date
    opens: dt.date
    deadline: Deadline


class DueBase(Strict):
    """Fields every rule has. ``stated``: the source text gives this deadline; ``assumed``:
    the plan file sets a default where the text gives none; ``note`` then says why."""

    rule_name: ClassVar[str] = ""
    basis: Basis = "stated"
    note: str | None = None

    @model_validator(mode="after")
    def _assumption_is_explained(self):
        if self.basis == "assumed" and not self.note:
            raise ValueError("an assumed deadline needs a 'note' that says where the default comes from")
        return self

    def basis_step(self, written: dt.date) -> Step | None:
        if self.basis != "assumed":
            return None
        return Step(
            written,
            f"Văn bản không nêu thời hạn này; tệp kế hoạch đặt mặc định: {self.note}",
            f"The text gives no such deadline; the plan file sets a default: {self.note}",
        )

    # --- what each rule implements ---------------------------------------------------------

    def expand(self, context: RuleContext) -> list[Dated]:  # pragma: no cover - every rule overrides
        raise NotImplementedError(f"due rule {self.rule_name!r} does not expand")

    def problem(self, period_start: dt.date, period_end: dt.date, issued_on: dt.date) -> str | None:
        """Why the rule cannot stand in this plan (e.g. it never falls due), or None."""
        return None

    def period_keys(self) -> list[tuple[tuple, str]]:
        """The longest period keys the rule makes, with where the rule sets them."""
        return []

    def warnings(self, period_start: dt.date, period_end: dt.date, issued_on: dt.date) -> list[tuple[tuple, str]]:
        """What an author should know but that does not stop the plan from loading."""
        return []


REGISTRY: dict[str, type[DueBase]] = {}


def register(model: type[DueBase]) -> type[DueBase]:
    """Register a rule model under the name its ``type`` literal gives."""
    (name,) = model.model_fields["type"].annotation.__args__
    if name in REGISTRY:
        raise ValueError(f"due rule {name!r} is registered twice")
    model.rule_name = name
    REGISTRY[name] = model
    return model


def once_without_date(context: RuleContext, vi: str, en: str, phrase: str) -> list[Dated]:
    """The one occurrence of work the text gives no date (``external``, ``after`` an event),
    open from the issue date over the plan's period; ``vi``/``en`` say why, after the section."""
    rule = Step(context.issued_on, f"Mục {context.section}: {context.title} — {vi}", f"Section {context.section}: {en}")
    return [Dated("once", "Một lần", context.period_start, context.period_end, context.issued_on, undated_deadline(rule, phrase))]


def window_text(start: dt.date, end: dt.date) -> str:
    return f"the plan runs {start:%d/%m/%Y}–{end:%d/%m/%Y}"
