"""``after``: a deadline relative to another obligation's, period by period: "N ngày (làm việc)
sau hạn của X". A cascade is a chain of them (units report to their superior by 31/3, the
superiors compile by 15/4, the province by 31/5): each compiling step is due after the one it
compiles, keeps its period, and ``explain`` shows the chain and what it waits for.

``obligation`` names the other obligation in the same plan (``key``) or in another
(``plan-id/key``); it must not be ad hoc (it has no dates until requested).

``counted_from: handed_in`` is "N ngày (làm việc) kể từ ngày nhận đủ báo cáo": the offset runs
from the day the last of the other obligation's reports for the period is handed in. Until
they all are, the deadline is the one counted from their deadline (``expand`` gives it, marked
as provisional); when the last one comes in, ``plantrack.counted`` records the deadline
counted from it, as of that instant (see that module). "Sau khi nhận đủ X" with no offset is
``days: 0, counted_from: handed_in``.

``event`` instead of ``obligation`` is "sau khi có Quy chế của TW": an event the plans do not
track, with no offset. The work is tracked as open, "chưa có thời hạn (sau khi …)", and never
chased until a coordinator sets the date (``plantrack set-deadline``), as for ``unscheduled``.
An ``after`` counted from an obligation that has no date itself has none either, until a
coordinator sets one (or, with ``counted_from: handed_in``, until the last report comes in).
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import Field, model_validator

from ..deadlines import NO_DEADLINE, NO_DEADLINE_VI, Step, d, resolve_deadline, undated_deadline
from .base import Dated, DueBase, RuleContext, once_without_date, register


@register
class AfterDue(DueBase):
    type: Literal["after"]
    obligation: str | None = Field(default=None, min_length=1, max_length=201)  # "key" or "plan-id/key"
    event: str | None = Field(default=None, min_length=1, max_length=200)  # "có Quy chế của TW": the text after "sau khi"
    days: int | None = Field(default=None, ge=0, le=120)  # calendar days after its deadline
    working_days: int | None = Field(default=None, ge=0, le=60)
    counted_from: Literal["due", "handed_in"] = "due"

    @model_validator(mode="after")
    def _one_offset(self) -> "AfterDue":
        if (self.obligation is None) == (self.event is None):
            raise ValueError("give exactly one of 'obligation' (the one this is counted from) or 'event' (\"sau khi có …\")")
        if self.event is not None:
            if self.days is not None or self.working_days is not None or self.counted_from != "due":
                raise ValueError("an 'event' has no date to count from: give no 'days', 'working_days' or 'counted_from' "
                                 "(a coordinator sets the date once the event has happened)")
            return self
        if (self.days is None) == (self.working_days is None):
            raise ValueError("give exactly one of 'days' or 'working_days' after the other obligation's deadline")
        return self

    @property
    def phrase(self) -> str:
        return f"{NO_DEADLINE_VI} (sau khi {self.event})"

    def expand(self, context: RuleContext) -> list[Dated]:
        if self.event is not None:
            return once_without_date(context, f"“sau khi {self.event}”: văn bản không nêu số ngày.",
                                     f"after '{self.event}'; the text gives no number of days.", self.phrase)
        if context.resolve is None:
            raise ValueError(f"the rule 'after' needs the obligation {self.obligation!r} to expand")
        title, before = context.resolve(self.obligation)
        found = []
        for item in before:
            base = item.deadline.due_date
            if base == NO_DEADLINE:  # counted from work with no date yet: none either
                rule = Step(
                    context.issued_on,
                    f"Mục {context.section}: {context.title} — tính từ hạn của “{title}” kỳ {item.label}, việc chưa có thời hạn.",
                    f"Section {context.section}: counted from the deadline of '{title}' for {item.key}, which has none yet.",
                )
                found.append(Dated(item.key, item.label, item.start, item.end, item.opens,
                                   undated_deadline(rule, f"{NO_DEADLINE_VI} (sau “{title}”)")))
                continue
            if self.working_days is not None:
                written = context.calendar.add_working_days(base, self.working_days)
                offset, offset_en = f"{self.working_days} ngày làm việc", f"{self.working_days} working days"
            else:
                written = base + dt.timedelta(days=self.days)
                offset, offset_en = f"{self.days} ngày", f"{self.days} days"
            if self.counted_from == "handed_in":
                rule = Step(
                    written,
                    f"Mục {context.section}: {context.title} — {offset} kể từ ngày nhận đủ “{title}” kỳ {item.label}; "
                    f"đến khi nhận đủ, hạn dự kiến tính từ hạn của báo cáo đó ({d(base)}) = {d(written)}.",
                    f"Section {context.section}: {offset_en} from the day every '{title}' for {item.key} is handed in; "
                    f"until then, provisionally counted from its deadline ({d(base)}) = {d(written)}.",
                )
            else:
                rule = Step(
                    written,
                    f"Mục {context.section}: {context.title} — {offset} sau hạn của “{title}” kỳ {item.label} ({d(base)}) = {d(written)}.",
                    f"Section {context.section}: {offset_en} after the deadline of '{title}' for {item.key} ({d(base)}) = {d(written)}.",
                )
            deadline = resolve_deadline(written, "at_latest_on", context.calendar, rule, self.basis_step(written))
            found.append(Dated(item.key, item.label, item.start, item.end, item.opens, deadline))
        return found
