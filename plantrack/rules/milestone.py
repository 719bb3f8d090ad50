"""``milestone``: reviews at anniversaries of the plan period (sơ kết 01 năm, tổng kết):
due N days after the covered year ends."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from pydantic import AfterValidator, Field

from ..text import identifier_problem
from ..deadlines import Step, add_years, d, resolve_deadline, whole_years
from .base import Dated, DueBase, RuleContext, Strict, Wording, register, window_text


def _check_key(value: str) -> str:
    problem = identifier_problem(value, 40)  # the store keeps a period key in 40 characters
    if problem is not None:
        raise ValueError(problem)
    return value


class Milestone(Strict):
    key: Annotated[str, AfterValidator(_check_key)]  # e.g. "1y"; the period key
    label: str = Field(min_length=1, max_length=500)  # e.g. "Sơ kết 01 năm"
    years_after_start: int = Field(ge=1, le=20)


@register
class MilestoneDue(DueBase):
    type: Literal["milestone"]
    milestones: list[Milestone] = Field(min_length=1)
    days_after: int = Field(ge=0, le=90)
    wording: Wording = "at_latest_on"

    def expand(self, context: RuleContext) -> list[Dated]:
        found = []
        for milestone in self.milestones:
            covered_end = add_years(context.period_start, milestone.years_after_start) - dt.timedelta(days=1)
            written = covered_end + dt.timedelta(days=self.days_after)
            rule = Step(
                written,
                f"Mục {context.section}: {milestone.label}, kỳ {d(context.period_start)}–{d(covered_end)}; "
                f"hạn = ngày kết thúc kỳ + {self.days_after} ngày = {d(written)}.",
                f"Section {context.section}: {milestone.key} review of {d(context.period_start)}–{d(covered_end)}; "
                f"due = end + {self.days_after} days = {d(written)}.",
            )
            deadline = resolve_deadline(written, self.wording, context.calendar, rule, self.basis_step(written))
            opens = add_years(context.period_start, milestone.years_after_start - 1)
            found.append(Dated(milestone.key, milestone.label, context.period_start, covered_end, opens, deadline))
        return found

    def problem(self, period_start, period_end, issued_on) -> str | None:
        for milestone in self.milestones:
            if milestone.years_after_start > whole_years(period_start, period_end):
                return (f"milestone {milestone.key!r} ({milestone.years_after_start} years) is past the end of the plan "
                        f"({window_text(period_start, period_end)})")
        return None
