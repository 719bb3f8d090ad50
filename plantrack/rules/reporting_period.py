"""``reporting_period``: Decree 09/2019 periods (month, quarter, half-year, year) with a
cut-off day; the deadline is N calendar days after the cut-off. A half-year runs 15/12–14/06
and 15/06–14/12, and so on."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import Field

from ..deadlines import Step, d, reporting_periods, resolve_deadline
from .base import Dated, DueBase, RuleContext, Wording, register, window_text


@register
class ReportingPeriodDue(DueBase):
    type: Literal["reporting_period"]
    period: Literal["month", "quarter", "half_year", "year"]
    cutoff_day: int = Field(14, ge=1, le=28)  # the last day of data in a period
    days_after_cutoff: int = Field(ge=0, le=60)  # calendar days from cut-off to the deadline
    wording: Wording = "at_latest_on"

    def periods(self, start: dt.date, end: dt.date):
        return reporting_periods(self, start, end)

    def expand(self, context: RuleContext) -> list[Dated]:
        found = []
        for key, label, p_start, p_end in self.periods(context.period_start, context.period_end):
            written = p_end + dt.timedelta(days=self.days_after_cutoff)
            rule = Step(
                written,
                f"Mục {context.section}: kỳ báo cáo {label}, số liệu từ {d(p_start)} đến {d(p_end)} "
                f"(Nghị định 09/2019/NĐ-CP); hạn gửi = ngày chốt số liệu + {self.days_after_cutoff} ngày = {d(written)}.",
                f"Section {context.section}: reporting period {key}, data {d(p_start)}–{d(p_end)} "
                f"(Decree 09/2019); due = cut-off + {self.days_after_cutoff} days = {d(written)}.",
            )
            deadline = resolve_deadline(written, self.wording, context.calendar, rule, self.basis_step(written))
            found.append(Dated(key, label, p_start, p_end, max(p_start, context.period_start), deadline))
        return found

    def problem(self, period_start, period_end, issued_on) -> str | None:
        if not self.periods(period_start, period_end):
            return f"no {self.period} reporting period ends while {window_text(period_start, period_end)}"
        return None
