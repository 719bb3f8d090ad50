"""``one_off``: one deadline, as the text writes it: "trước ngày X" (``before``) or "chậm nhất
ngày X" (``at_latest_on``). ``not_before`` is the day the work can start (an inventory of the
state at 01/01/2026 opens on that day). A date before the plan's issue is accepted with a
warning: the text was issued late, and the deadline is then the issue date."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from typing import Literal

from pydantic import model_validator

from ..calendar import weekday_vi
from ..deadlines import Deadline, Step, d, resolve_deadline
from .base import Dated, DueBase, RuleContext, register, window_text


@register
class OneOffDue(DueBase):
    type: Literal["one_off"]
    before: dt.date | None = None  # "trước ngày X": the last day is X - 1
    at_latest_on: dt.date | None = None  # "chậm nhất ngày X": the last day is X
    not_before: dt.date | None = None  # the work cannot start (the occurrence opens) before this day

    @model_validator(mode="after")
    def _exactly_one_date(self) -> "OneOffDue":
        if (self.before is None) == (self.at_latest_on is None):
            raise ValueError("give exactly one of 'before' or 'at_latest_on'")
        if self.not_before is not None and self.not_before > (self.before or self.at_latest_on):
            raise ValueError("'not_before' is after the deadline")
        return self

    @property
    def written(self) -> dt.date:
        return self.before or self.at_latest_on

    def expand(self, context: RuleContext) -> list[Dated]:
        written = self.written
        text = f"trước ngày {d(written)}" if self.before else f"chậm nhất ngày {d(written)}"
        text_en = f"before {d(written)}" if self.before else f"at the latest on {d(written)}"
        rule = Step(written, f"Mục {context.section}: {context.title} — {text}.", f"Section {context.section}: {text_en}.")
        late_text = written < context.issued_on or (self.before is not None and written <= context.issued_on)
        if late_text:
            deadline = self._from_issue(context, rule, text, text_en)
        else:
            deadline = resolve_deadline(written, "before" if self.before else "at_latest_on", context.calendar, rule,
                                        self.basis_step(written))
        opens = self.not_before or min(context.issued_on, deadline.due_date)
        return [Dated("once", "Một lần", opens, deadline.due_date, opens, deadline)]

    def _from_issue(self, context: RuleContext, rule: Step, text: str, text_en: str) -> Deadline:
        """The text was issued when its own date had passed: due on the issue date (or the next
        working day), and every word of it says so, quoting the text, never "chậm nhất ngày
        <issue date>", which the text does not say."""
        issued = context.issued_on
        late = Step(
            issued,
            f"Văn bản ghi “{text}”, nhưng ngày đó đã qua khi văn bản ban hành ngày {d(issued)}: "
            f"hạn tính đến hết ngày ban hành ({weekday_vi(issued)}, {d(issued)}).",
            f"The text says “{text_en}”, but that date had passed when it was issued on {d(issued)}: "
            "due by the end of the issue date.",
        )
        computed = resolve_deadline(issued, "at_latest_on", context.calendar, rule, self.basis_step(self.written))
        # resolve_deadline's own wording step ("“Chậm nhất ngày <issue date>” …") is not the text's: replace it.
        kept = [step for step in computed.steps if not step.vi.startswith("“Chậm nhất ngày")]
        steps = (*kept[: 1 + (self.basis == "assumed")], late, *kept[1 + (self.basis == "assumed"):])
        due = computed.due_date
        phrase = f"{text} (ngày này đã qua khi văn bản ban hành ngày {d(issued)}; hạn đến hết {weekday_vi(due)}, {d(due)})"
        return replace(computed, steps=steps, phrase=phrase)

    def problem(self, period_start, period_end, issued_on) -> str | None:
        if self.written > period_end:
            return f"deadline {self.written:%d/%m/%Y} is after the plan ends ({window_text(period_start, period_end)})"
        if self.written < period_start - dt.timedelta(days=366):
            return f"deadline {self.written:%d/%m/%Y} is more than a year before the plan starts ({window_text(period_start, period_end)})"
        return None

    def warnings(self, period_start, period_end, issued_on) -> list[tuple[tuple, str]]:
        if self.written < issued_on or (self.before is not None and self.written <= issued_on):
            return [((), f"deadline {self.written:%d/%m/%Y} is before the plan was issued ({issued_on:%d/%m/%Y}): "
                         "it is kept as written and falls due on the issue date")]
        return []
