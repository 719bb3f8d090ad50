"""Coordination per plan: escalations follow the plan's standing office and head, or an
obligation's own chain, never the units' one chain for every plan; and a unit that leads a
plan sees that plan's units, not every plan its sub-units take part in."""

import datetime as dt

from typer.testing import CliRunner

from plantrack.cli import app
from plantrack.loader import load_catalogue
from plantrack.store.sync import sync_catalogue

from .test_loader import edit
from .test_notices import ladder_of, run_watch, working_days

D = dt.date

MINISTRY = """  - id: t.bca
    name: Bộ Công an (thử nghiệm)
    kind: ministry
    parent: t.committee
    escalates_to: t.office
    contacts: {to: [bca@units.example]}

groups:"""

SECOND_PLAN = """plan:
  id: t-data
  number: 2/KH-BCA
  title: Kế hoạch bảo vệ dữ liệu (thử nghiệm)
  issuer: t.bca
  issued_on: 2020-11-05
  period: {start: 2020-11-01, end: 2021-10-31}
  coordination: {office: t.bca}

obligations:
  - id: bao-cao-du-lieu
    title: Báo cáo rà soát dữ liệu
    section: "2"
    units: [t.alpha]
    submit_to: t.bca
    due: {type: one_off, at_latest_on: 2020-11-20}
"""


def sync(store, folder):
    with store.transaction() as session:
        sync_catalogue(session, load_catalogue(folder), allow_retire=True)


def test_escalations_follow_the_plans_chain_and_an_obligations_own(store, mini_dir):
    registry, plan = mini_dir / "registry.yaml", mini_dir / "plan.yaml"
    edit(registry, "\ngroups:", "\n" + MINISTRY)
    (mini_dir / "second.yaml").write_text(SECOND_PLAN, encoding="utf-8")
    # t-plan is coordinated by the committee itself (no office in between), and its 6-month
    # report, owed to the ministry, escalates to the ministry.
    edit(plan, "  issued_on: 2020-11-05\n", "  issued_on: 2020-11-05\n  coordination: {office: t.committee}\n")
    sync(store, mini_dir)
    for day in working_days(D(2020, 11, 5), D(2020, 12, 4)):
        run_watch(store, day)
    beta = ladder_of(store, "t.beta")
    assert beta["escalation-1"] == (D(2020, 11, 23), "t.committee")  # the plan's office, not t.beta's escalates_to
    assert "escalation-2" not in beta  # the plan names no head above its office
    with store.session() as session:
        from sqlalchemy import select

        from plantrack.store.models import Notice, Obligation, Occurrence

        data = session.execute(
            select(Notice.stage, Notice.recipient_id).join(Occurrence, Notice.occurrence_id == Occurrence.id)
            .join(Obligation, Occurrence.obligation_id == Obligation.id).where(Obligation.plan_id == "t-data", Notice.level > 0)
        ).all()
    assert data and {recipient for _, recipient in data} == {"t.bca"}  # owed to Bộ Công an: escalated there


def test_the_office_and_the_head_are_never_told_about_themselves(store, mini_dir):
    plan = mini_dir / "plan.yaml"
    edit(plan, "  issued_on: 2020-11-05\n", "  issued_on: 2020-11-05\n  coordination: {office: t.office, head: t.committee}\n")
    edit(plan, "    groups: [t.members]\n    submit_to: t.office\n    due:\n      type: one_off",
         "    groups: [t.members]\n    units: [t.office, t.committee]\n    submit_to: t.office\n    due:\n      type: one_off")
    sync(store, mini_dir)
    for day in working_days(D(2020, 11, 5), D(2020, 12, 4)):
        run_watch(store, day)
    beta, office, head = ladder_of(store, "t.beta"), ladder_of(store, "t.office"), ladder_of(store, "t.committee")
    assert (beta["escalation-1"][1], beta["escalation-2"][1]) == ("t.office", "t.committee")
    assert office["escalation-1"][1] == "t.committee" and "escalation-2" not in office  # its own lag goes to the head
    assert not any(stage.startswith("escalation") for stage in head)  # nobody above the head in this plan
    assert head["overdue-1"][1] == "t.committee"  # it is still reminded itself


def test_an_obligation_can_name_its_own_chain(store, mini_dir):
    plan = mini_dir / "plan.yaml"
    edit(plan, "    submit_to: t.office\n    due:\n      type: one_off", "    submit_to: t.office\n    escalate_to: [t.alpha]\n"
         "    due:\n      type: one_off")
    sync(store, mini_dir)
    for day in working_days(D(2020, 11, 5), D(2020, 12, 4)):
        run_watch(store, day)
    beta = ladder_of(store, "t.beta")
    assert beta["escalation-1"] == (D(2020, 11, 23), "t.alpha") and "escalation-2" not in beta


def test_status_of_a_leading_unit_follows_its_plans(store, mini_dir):
    edit(mini_dir / "registry.yaml", "\ngroups:", "\n" + MINISTRY)
    (mini_dir / "second.yaml").write_text(SECOND_PLAN, encoding="utf-8")
    sync(store, mini_dir)

    def status(unit):
        result = CliRunner().invoke(app, ["status", "--unit", unit, "--as-of", "2020-11-30", "--db", store.url])
        assert result.exit_code == 0, result.output
        return result.output

    committee = status("t.committee")  # issues t-plan: its units, not the data plan the ministry runs
    assert "1/KH-TEST" in committee and "2/KH-BCA" not in committee
    ministry = status("t.bca")
    assert "2/KH-BCA" in ministry and "Sở Alpha" in ministry
    alpha = status("t.alpha")  # its own duties in both
    assert "1/KH-TEST" in alpha and "2/KH-BCA" in alpha
