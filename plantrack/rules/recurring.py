"""``recurring``: a deadline at every firing of a 5-field cron expression, evaluated in
Asia/Ho_Chi_Minh; each firing names its period with ``key_format``. ``first`` moves the first
occurrence (a yearly report whose first one is due the next year); ``last`` ends them (a
running duty's check-ins stop when the duty does)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from croniter import croniter
from pydantic import AfterValidator, Field

from ..deadlines import Step, cron_dates, d, resolve_deadline
from .base import Dated, DueBase, RuleContext, Wording, register, window_text


def _check_cron(value: str) -> str:
    if len(value.split()) != 5 or not croniter.is_valid(value):
        raise ValueError(f"not a 5-field cron expression: {value!r} (expected minute hour day month weekday, e.g. '0 0 15 6,12 *')")
    return value


def _one_line_key(value: str) -> str:
    if any(ord(c) < 32 for c in value):
        raise ValueError("must be one line without control characters")
    return value


CronExpression = Annotated[str, AfterValidator(_check_cron)]


@register
class CronDue(DueBase):
    type: Literal["recurring"]
    cron: CronExpression  # evaluated in Asia/Ho_Chi_Minh; each firing date is a deadline
    wording: Wording = "at_latest_on"
    key_format: Annotated[str, AfterValidator(_one_line_key), Field(max_length=40)] = "%Y-%m-%d"  # names the period
    first: dt.date | None = None  # no firing before this day counts
    last: dt.date | None = None  # nor after this one (a running duty's check-ins end with it)

    def firings(self, start: dt.date, end: dt.date) -> list[dt.date]:
        return [day for day in cron_dates(self.cron, start, end)
                if (self.first is None or day >= self.first) and (self.last is None or day <= self.last)]

    def expand(self, context: RuleContext) -> list[Dated]:
        found, previous = [], context.period_start
        for fired in self.firings(context.period_start, context.period_end):
            rule = Step(
                fired,
                f"Mục {context.section}: định kỳ theo lịch cron “{self.cron}”, lần đến hạn ngày {d(fired)}.",
                f"Section {context.section}: recurring on cron '{self.cron}', firing on {d(fired)}.",
            )
            deadline = resolve_deadline(fired, self.wording, context.calendar, rule, self.basis_step(fired))
            key = fired.strftime(self.key_format)
            found.append(Dated(key, key, previous, fired, previous, deadline))
            previous = fired + dt.timedelta(days=1)
        return found

    def problem(self, period_start, period_end, issued_on) -> str | None:
        if not self.firings(period_start, period_end):
            return f"cron {self.cron!r} never falls due while {window_text(period_start, period_end)}"
        return None

    def period_keys(self) -> list[tuple[tuple, str]]:
        return [(("key_format",), dt.date(2020, 9, 30).strftime(self.key_format))]  # Wednesday, September: long names
