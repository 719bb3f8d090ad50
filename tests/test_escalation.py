import datetime as dt

import pytest
from pydantic import ValidationError

from plantrack.calendar import WorkCalendar
from plantrack.escalation import ladder, steps_on
from plantrack.loader import load_catalogue
from plantrack.schema import EscalationPolicy

from .test_loader import edit, line_of, problems

D = dt.date
CAL = WorkCalendar()
POLICY = EscalationPolicy()  # reminders 5, 2, 1 working days before; overdue every 3; L1 after 5, L2 after 10


def by_stage(steps):
    return {s.stage: s.on for s in steps}


def test_each_step_falls_on_the_right_working_day():
    # Công văn 1030: deadline Monday 16/11/2020, opened 09/11.
    steps = by_stage(ladder(D(2020, 11, 16), D(2020, 11, 9), CAL, POLICY, until=D(2020, 12, 31)))
    assert steps["reminder-5"] == D(2020, 11, 9)  # Mon: 5 working days before
    assert steps["reminder-2"] == D(2020, 11, 12)  # Thu
    assert steps["reminder-1"] == D(2020, 11, 13)  # Fri (the weekend is skipped)
    assert steps["due"] == D(2020, 11, 16)
    assert steps["overdue-1"] == D(2020, 11, 17)
    assert steps["overdue-2"] == D(2020, 11, 20)
    assert steps["escalation-1"] == D(2020, 11, 23)  # 5 working days overdue
    assert steps["overdue-3"] == D(2020, 11, 25)
    assert steps["escalation-2"] == D(2020, 11, 30)  # 10 working days overdue
    assert "overdue-4" not in steps  # overdue notices stop once the head is told


def test_the_ladder_skips_tet():
    # A half-year style deadline on Wednesday 17/02/2021, just after the Tết break (10–16/02).
    steps = by_stage(ladder(D(2021, 2, 17), D(2021, 1, 1), CAL, POLICY, until=D(2021, 3, 31)))
    assert steps["reminder-1"] == D(2021, 2, 9)  # the last working day before Tết
    assert steps["reminder-2"] == D(2021, 2, 8)
    assert steps["reminder-5"] == D(2021, 2, 3)
    # A deadline just before Tết: overdue notices wait for the first working day after it.
    steps = by_stage(ladder(D(2021, 2, 9), D(2021, 1, 1), CAL, POLICY, until=D(2021, 3, 31)))
    assert steps["overdue-1"] == D(2021, 2, 17)
    assert steps["escalation-1"] == D(2021, 2, 23)


def test_reminders_before_the_occurrence_opened_are_dropped():
    steps = by_stage(ladder(D(2020, 11, 16), D(2020, 11, 11), CAL, POLICY, until=D(2020, 11, 16)))
    assert set(steps) == {"reminder-2", "reminder-1", "due"}


def test_steps_on_a_day_and_keys_change_with_an_extension():
    (step,) = steps_on(D(2020, 11, 23), D(2020, 11, 16), D(2020, 11, 9), CAL, POLICY)
    assert step.stage == "escalation-1" and step.level == 1 and step.key == "escalation-1@2020-11-16"
    assert steps_on(D(2020, 11, 21), D(2020, 11, 16), D(2020, 11, 9), CAL, POLICY) == []  # a Saturday
    # Extended to 23/11: a fresh ladder with its own keys; that day is now the due day.
    (step,) = steps_on(D(2020, 11, 23), D(2020, 11, 23), D(2020, 11, 9), CAL, POLICY)
    assert step.key == "due@2020-11-23" and step.level == 0


def test_until_bounds_the_ladder():
    steps = ladder(D(2020, 11, 16), D(2020, 11, 9), CAL, POLICY, until=D(2020, 11, 16))
    assert [s.stage for s in steps] == ["reminder-5", "reminder-2", "reminder-1", "due"]


@pytest.mark.parametrize(
    "values, message",
    [
        ({"level1_after": 10, "level2_after": 5}, "level2_after must be later"),
        ({"reminders_before": [2, 2]}, "distinct"),
        ({"reminders_before": [0]}, "at least 1"),
        ({"overdue_every": 0}, "greater than or equal to 1"),
    ],
)
def test_bad_policies_are_rejected(values, message):
    with pytest.raises(ValidationError, match=message):
        EscalationPolicy(**values)


def test_policy_is_inherited_from_the_parent_plan(real_catalogue, mini_dir):
    assert real_catalogue.plan_escalation("hn-cv-1030") == EscalationPolicy()
    plan = mini_dir / "plan.yaml"
    edit(plan, "duties:\n", "escalation:\n  reminders_before: [3]\n  level1_after: 2\n  level2_after: 4\n\nduties:\n")
    catalogue = load_catalogue(mini_dir)
    assert catalogue.plan_escalation("t-plan").level1_after == 2
    edit(plan, "  level2_after: 4", "  level2_after: 2")  # valid alone, not after level 1
    (found,) = problems(mini_dir)
    assert found.field == "escalation" and "level2_after must be later" in found.message
    assert found.line == line_of(plan, "escalation:")
