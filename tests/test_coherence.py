"""Each construct against the plan around it (plantrack/coherence.py): what a real text can say
loads with a warning naming file, line and field; the refusals are in test_broken_plans.py."""

import datetime as dt

import pytest

from plantrack.errors import DefinitionError
from plantrack.loader import load_catalogue

from .test_loader import edit, line_of

PLAN, REGISTRY = "plan.yaml", "registry.yaml"
DUTY_END = "    support: [t.office]\n"  # the end of the mini plan's only duty


def warnings_of(folder):
    return load_catalogue(folder).warnings


def one_warning(folder, field):
    found = [w for w in warnings_of(folder) if w.field == field]
    assert len(found) == 1, warnings_of(folder)
    return found[0]


# --- a duty's time frame against the plan's period (01/11/2020–31/10/2023) -------------------

@pytest.mark.parametrize("frame, says", [
    ('{written: "Quý I/2024"}', "“Quý I/2024” starts on 01/01/2024, after the plan ends"),
    ("{start: 2019-01-01, until: 2019-12-31}", "the time frame ends on 31/12/2019, before the plan starts"),
    ('{written: "năm 2023 - 2024"}', "“năm 2023 - 2024” runs until 31/12/2024, after the plan ends"),
])
def test_a_duty_time_frame_beyond_the_plan_loads_with_a_warning(mini_dir, frame, says):
    edit(mini_dir / PLAN, DUTY_END, f"{DUTY_END}    timeframe: {frame}\n")
    warning = one_warning(mini_dir, "duties[0].timeframe")
    assert says in warning.message and "01/11/2020–31/10/2023" in warning.message
    assert warning.path == mini_dir / PLAN and warning.line == line_of(mini_dir / PLAN, "timeframe:")


@pytest.mark.parametrize("frame", ['{written: "Quý IV/2020"}', '{written: "năm 2020 và các năm tiếp theo"}',
                                   "{ongoing: true}", '{written: "Quý IV/2020 - Quý III/2023"}'])
def test_a_duty_time_frame_within_the_plan_or_open_ended_is_quiet(mini_dir, frame):
    """A frame that opens before the plan (the text issued within it) or has no end is normal."""
    edit(mini_dir / PLAN, DUTY_END, f"{DUTY_END}    timeframe: {frame}\n")
    assert warnings_of(mini_dir) == []


# --- a `within` window ----------------------------------------------------------------------

def test_a_within_window_past_the_plan_end_loads_with_a_warning(mini_dir):
    plan = mini_dir / PLAN
    edit(plan, "      type: one_off\n      before: 2020-11-16", '      type: within\n      written: "Quý IV/2023"')
    warning = one_warning(mini_dir, "obligations[0].due.written")
    assert "“Quý IV/2023” ends on 31/12/2023, after the plan ends" in warning.message
    assert warning.line == line_of(plan, "Quý IV/2023")


def test_a_within_window_before_the_plan_period_loads_with_a_warning(mini_dir):
    plan = mini_dir / PLAN
    edit(plan, "period: {start: 2020-11-01, end: 2023-10-31}", "period: {start: 2021-01-01, end: 2023-10-31}")
    edit(plan, "      type: one_off\n      before: 2020-11-16", '      type: within\n      written: "Tháng 12/2020"')
    warning = one_warning(mini_dir, "obligations[0].due.written")
    assert "“Tháng 12/2020” ends before the plan starts" in warning.message


def test_a_within_window_inside_the_plan_is_quiet(mini_dir):
    edit(mini_dir / PLAN, "      type: one_off\n      before: 2020-11-16", '      type: within\n      written: "Quý IV/2020"')
    assert warnings_of(mini_dir) == []


# --- `after` deadlines ----------------------------------------------------------------------

AFTER = """  - id: tong-hop
    title: Tổng hợp
    section: IV.3
    units: [t.office]
    submit_to: t.committee
    due: {{type: after, obligation: {base}, days: 10}}
"""


def test_an_after_step_carried_past_the_plan_end_loads_with_a_warning(mini_dir):
    plan = mini_dir / PLAN
    edit(plan, "before: 2020-11-16", "at_latest_on: 2023-10-27")
    (mini_dir / PLAN).write_text(plan.read_text(encoding="utf-8") + AFTER.format(base="ke-hoach"), encoding="utf-8")
    warning = one_warning(mini_dir, "obligations[3].due")
    assert "1 of its deadlines falls after the plan ends (01/11/2020–31/10/2023), the first (period 'once') on 06/11/2023" in warning.message
    assert warning.line == line_of(plan, "type: after")


def test_an_after_step_counted_from_a_deadline_already_past_the_plan_end_is_quiet(mini_dir):
    """A final review falls due after the plan ends by its own rule; its compilation follows it."""
    plan = mini_dir / PLAN
    edit(plan, "      type: one_off\n      before: 2020-11-16",
         "      type: milestone\n      days_after: 10\n      milestones: [{key: 3y, label: Tổng kết, years_after_start: 3}]")
    plan.write_text(plan.read_text(encoding="utf-8") + AFTER.format(base="ke-hoach"), encoding="utf-8")
    assert warnings_of(mini_dir) == []
    edit(plan, "type: after, obligation: ke-hoach", "type: after, obligation: bao-cao-6-thang")  # half-years end within the plan
    assert [w.field for w in warnings_of(mini_dir)] == []


# --- a plan against the plan it implements --------------------------------------------------

CHILD = """plan:
  id: t-child
  number: 2/KH-TEST
  title: Kế hoạch con
  issuer: t.alpha
  issued_on: 2021-01-05
  period: {{start: 2021-01-05, end: {end}}}
  parent: t-plan
"""


def test_a_child_plan_that_outlives_its_parent_loads_with_a_warning(mini_dir):
    child = mini_dir / "child.yaml"
    child.write_text(CHILD.format(end="2025-12-31"), encoding="utf-8")
    warning = one_warning(mini_dir, "plan.period")
    assert warning.path == child and warning.line == line_of(child, "period:")
    assert "runs 05/01/2021–31/12/2025, past the end of the plan it implements (t-plan: 01/11/2020–31/10/2023)" in warning.message
    child.write_text(CHILD.format(end="2023-10-31"), encoding="utf-8")
    assert warnings_of(mini_dir) == []


# --- owners that are only groups without a member -------------------------------------------

def test_a_duty_held_only_by_empty_groups_loads_with_a_warning(mini_dir):
    edit(mini_dir / REGISTRY, "  t.members: [t.alpha, t.beta]\n",
         "  t.members: [t.alpha, t.beta]\n  t.wards: {kinds: [ward], under: t.committee}\n")
    edit(mini_dir / PLAN, "    lead_groups: [t.members]\n    support: [t.office]\n", "    lead_groups: [t.wards]\n")
    warning = one_warning(mini_dir, "duties[0].lead_groups")
    assert "no unit holds this duty yet: t.wards has no member" in warning.message
    assert warning.line == line_of(mini_dir / PLAN, "lead_groups: [t.wards]")
    edit(mini_dir / PLAN, "    lead_groups: [t.wards]\n", "    lead_groups: [t.wards]\n    support: [t.office]\n")  # a unit holds it
    assert warnings_of(mini_dir) == []


def test_an_obligation_owed_only_by_empty_groups_loads_with_a_warning(mini_dir):
    """The existing warning (loader), kept: an obligation that no unit owes yet."""
    edit(mini_dir / REGISTRY, "  t.members: [t.alpha, t.beta]\n",
         "  t.members: [t.alpha, t.beta]\n  t.wards: {kinds: [ward], under: t.committee}\n")
    edit(mini_dir / PLAN, "    duty: lap-ke-hoach\n    groups: [t.members]", "    duty: lap-ke-hoach\n    groups: [t.wards]")
    assert "t.wards has no member" in one_warning(mini_dir, "obligations[0].groups").message


# --- a unit owing a report to itself: refused alone, allowed among others -------------------

def test_a_receiver_that_owes_its_own_part_among_others_loads(mini_dir):
    """The compiling body hands in its own part too ("các sở, ngành báo cáo Sở Công Thương",
    Sở Công Thương being one of them): allowed, as are a unit and an open group (given by a rule,
    empty today) owing it to that unit."""
    plan = mini_dir / PLAN
    edit(plan, "    duty: lap-ke-hoach\n    groups: [t.members]\n    submit_to: t.office",
         "    duty: lap-ke-hoach\n    units: [t.alpha]\n    groups: [t.members]\n    submit_to: t.alpha")
    load_catalogue(mini_dir)
    edit(mini_dir / REGISTRY, "  t.members: [t.alpha, t.beta]\n",
         "  t.members: [t.alpha, t.beta]\n  t.wards: {kinds: [ward], under: t.committee}\n")
    edit(plan, "    units: [t.alpha]\n    groups: [t.members]", "    units: [t.alpha]\n    groups: [t.wards]")
    load_catalogue(mini_dir)
    edit(plan, "    units: [t.alpha]\n    groups: [t.wards]", "    units: [t.alpha]")
    with pytest.raises(DefinitionError, match="does not report to itself"):
        load_catalogue(mini_dir)


# --- a working day on a holiday of the calendar it sits on ---------------------------------

def test_a_plan_working_day_on_a_deployment_holiday_is_refused_where_the_plan_says_it(mini_dir):
    (mini_dir / "calendar.yaml").write_text("calendar:\n  extra_holidays: [{date: 2021-05-08, name: Nghỉ hoán đổi}]\n", encoding="utf-8")
    plan = mini_dir / PLAN
    edit(plan, "duties:\n", "calendar:\n  extra_working_days: [{date: 2021-05-08, name: Làm bù}]\n\nduties:\n")
    with pytest.raises(DefinitionError) as caught:
        load_catalogue(mini_dir)
    (problem,) = caught.value.problems
    assert (problem.path, problem.field, problem.line) == (plan, "calendar.extra_working_days[0].date", line_of(plan, "extra_working_days"))
    assert "08/05/2021 is listed as a working day but is a holiday (added holiday: Nghỉ hoán đổi)" in problem.message


def test_a_plan_holiday_on_a_deployment_working_day_overrides_it(mini_dir):
    """The other way round the plan's holiday takes effect (a holiday wins): nothing is ignored."""
    (mini_dir / "calendar.yaml").write_text("calendar:\n  extra_working_days: [{date: 2021-05-08, name: Làm bù}]\n", encoding="utf-8")
    edit(mini_dir / PLAN, "duties:\n", "calendar:\n  extra_holidays: [{date: 2021-05-08, name: Nghỉ}]\n\nduties:\n")
    catalogue = load_catalogue(mini_dir)
    assert catalogue.plan_calendar("t-plan").rest_reason(dt.date(2021, 5, 8)) is not None
    assert catalogue.calendar.rest_reason(dt.date(2021, 5, 8)) is None


# --- a target's day (the existing warning, kept) ---------------------------------------------

def test_a_target_day_outside_the_plan_loads_with_a_warning(mini_dir):
    from .test_broken_plans import with_target

    plan = mini_dir / PLAN
    plan.write_text(with_target("count", "10")(plan.read_text(encoding="utf-8")).replace("by: 2023-06-30", "by: 2030-12-31"), encoding="utf-8")
    warning = one_warning(mini_dir, "targets[0].by")
    assert "31/12/2030 is outside the plan's period" in warning.message
