"""The reminder and escalation ladder of one occurrence, as dated steps.

For a deadline D and a policy: reminders N working days before D, a notice on D, overdue
notices from the first working day after D and then every ``overdue_every`` working days,
escalation level 1 after ``level1_after`` and level 2 after ``level2_after`` working days
overdue. Each step's key carries the deadline it was computed for, so an extension (a new
D) starts a fresh ladder whose notices are new, while re-running the watch for the same D
yields the same keys (what makes the outbox idempotent).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from .calendar import WorkCalendar
from .schema import EscalationPolicy


@dataclass(frozen=True)
class LadderStep:
    stage: str  # reminder-5, due, overdue-1, escalation-1, escalation-2
    on: dt.date
    level: int  # 0: the unit itself; 1: its standing office; 2: the committee head
    deadline: dt.date

    @property
    def key(self) -> str:
        return f"{self.stage}@{self.deadline.isoformat()}"


def ladder(
    deadline: dt.date, opens_on: dt.date, calendar: WorkCalendar, policy: EscalationPolicy, until: dt.date
) -> list[LadderStep]:
    """Every step planned on or before ``until``, in date order.

    Reminders that would fall before the occurrence opened are dropped; overdue notices stop
    once level 2 is reached (the head has been told; repeating adds noise, not pressure).
    """
    steps = []
    for before in sorted(policy.reminders_before, reverse=True):
        day = calendar.add_working_days(deadline, -before)
        if day >= opens_on:
            steps.append(LadderStep(f"reminder-{before}", day, 0, deadline))
    if policy.notice_on_due_day:
        steps.append(LadderStep("due", deadline, 0, deadline))
    day, count = calendar.add_working_days(deadline, 1), 1
    level2_on = calendar.add_working_days(deadline, policy.level2_after)
    while day < level2_on:
        steps.append(LadderStep(f"overdue-{count}", day, 0, deadline))
        day = calendar.add_working_days(day, policy.overdue_every)
        count += 1
    steps.append(LadderStep("escalation-1", calendar.add_working_days(deadline, policy.level1_after), 1, deadline))
    steps.append(LadderStep("escalation-2", level2_on, 2, deadline))
    return sorted((s for s in steps if s.on <= until), key=lambda s: (s.on, s.level, s.stage))


def steps_on(
    day: dt.date, deadline: dt.date, opens_on: dt.date, calendar: WorkCalendar, policy: EscalationPolicy
) -> list[LadderStep]:
    """The steps planned for exactly ``day`` (what the morning watch of that day sends)."""
    return [s for s in ladder(deadline, opens_on, calendar, policy, day) if s.on == day]
