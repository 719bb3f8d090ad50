"""Every broken plan file gets a message naming file, line and field; nothing loads."""

import datetime as dt

import pytest

from plantrack.errors import DefinitionError
from plantrack.loader import load_catalogue

D = dt.date


def edit(path, old, new):
    text = path.read_text(encoding="utf-8")
    assert old in text, f"test setup: {old!r} not in {path.name}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def line_of(path, fragment):
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if fragment in line:
            return number
    raise AssertionError(f"{fragment!r} not in {path}")


def problems(folder):
    with pytest.raises(DefinitionError) as caught:
        load_catalogue(folder)
    return caught.value.problems


def test_the_mini_definitions_load(mini_dir):
    catalogue = load_catalogue(mini_dir)
    assert set(catalogue.units) == {"t.committee", "t.office", "t.alpha", "t.beta"}
    assert catalogue.plan_by_ref("1/KH-TEST").plan.id == "t-plan"


def test_real_plans_are_complete(real_catalogue):
    cat = real_catalogue
    assert set(cat.plans) == {"kh-399", "hn-kh-03", "hn-cv-1030", "hn-cv-2860", "gl-kh-tmdt", "vn-qd-319-2023"}
    # Gia Lai implements the national Đề án, a reference plan with no duties of its own.
    reference = cat.plans["vn-qd-319-2023"]
    assert cat.plans["gl-kh-tmdt"].plan.parent == "vn-qd-319-2023" and not reference.duties and not reference.obligations
    # Plan 399's reports are owed by "các bộ, ngành có thành viên tham gia Ban Chỉ đạo 389 Quốc gia và
    # các địa phương": not Bộ KH&ĐT nor NHNN, which build their plan but are not members.
    plan_399 = {o.id: set(cat.obligation_units(o)) for o in cat.plans["kh-399"].obligations}
    assert {"vn.bkhdt", "vn.nhnn"} <= plan_399["ke-hoach-trien-khai"]
    for report in ("bao-cao-dot-xuat", "bao-cao-nhanh", "bao-cao-6-thang", "so-ket-tong-ket"):
        assert not {"vn.bkhdt", "vn.nhnn"} & plan_399[report] and len(plan_399[report]) == 11 + 63
    # III.9.c: Vinastas phối hợp in its first sentence and leads the other two.
    vinastas = [d for d in cat.plans["kh-399"].duties if d.section.startswith("III.9.c")]
    assert [(d.lead, d.support) for d in vinastas] == [([], ["vn.vinastas", "vn.vecom"]), (["vn.vinastas"], []), (["vn.vinastas"], [])]
    assert len(cat.groups["vn.provinces"]) == 63
    assert len(cat.groups["hn.districts"]) == 30
    # Every body named in section III of plan 399 has a duty of it (leading, supporting, or
    # "chủ trì hoặc phối hợp" as III.7 says).
    leads = {a for d in cat.plans["kh-399"].duties
             for a in cat.expand_units(d.lead + d.either + d.support, d.lead_groups + d.either_groups + d.support_groups)}
    named = {"vn.bct", "vn.bct.tmdt", "vn.bct.tcqltt", "vn.btttt", "vn.bca", "vn.btc", "vn.btc.tchq", "vn.btc.tct",
             "vn.nhnn", "vn.bkhcn", "vn.bqp", "vn.btp", "vn.bkhdt", "vn.bgtvt", "vn.bvhttdl", "vn.byt", "vn.bnnptnt",
             "vn.mttq", "vn.vecom", "vn.vinastas", "vn.vptt"}
    assert named <= leads and set(cat.groups["vn.provinces"]) <= leads
    # Every body of plan 03 section III, the 30 districts included, leads a duty of plan 03.
    hanoi_leads = {a for d in cat.plans["hn-kh-03"].duties for a in cat.expand_units(d.lead, d.lead_groups)}
    assert {"hn.cqtt", "hn.ca", "hn.hq", "hn.thue", "hn.sct", "hn.skhcn", "hn.stttt"} <= hanoi_leads
    assert set(cat.groups["hn.districts"]) <= hanoi_leads
    # Công văn 1030: every member unit and district owes its plan before 16/11/2020, as stated.
    plan_1030 = cat.plans["hn-cv-1030"]
    owed = next(o for o in plan_1030.obligations if o.id == "ke-hoach-trien-khai")
    assert str(owed.due.before) == "2020-11-16" and owed.due.basis == "stated"
    assert len(cat.obligation_units(owed)) == 43
    # Plans chain: 2860 and 1030 implement 03, which implements 399; periods are inherited.
    assert cat.plan_period("hn-cv-1030") == cat.plan_period("kh-399")
    # Every duty and obligation names its source section; every assumed deadline says why.
    for plan in cat.plans.values():
        assert all(d.section for d in plan.duties)
        for o in plan.obligations:
            assert o.section
            assert o.due.basis == "stated" or o.due.note


def test_yaml_syntax_error_names_the_line(mini_dir):
    plan = mini_dir / "plan.yaml"
    edit(plan, "  title: Kế hoạch thử nghiệm", "  title: [unclosed")
    (found,) = problems(mini_dir)
    assert found.path == plan and found.field == "(yaml)"
    assert found.line >= line_of(plan, "[unclosed")


def test_duplicate_yaml_key(mini_dir):
    plan = mini_dir / "plan.yaml"
    edit(plan, "  issued_on: 2020-11-05\n", "  issued_on: 2020-11-05\n  issued_on: 2020-11-06\n")
    (found,) = problems(mini_dir)
    assert "appears twice" in found.message and found.field == "issued_on" and found.line == line_of(plan, "2020-11-06")


def test_unknown_field_and_bad_date(mini_dir):
    plan = mini_dir / "plan.yaml"
    edit(plan, "      before: 2020-11-16", "      befor: 2020-11-16")
    edit(plan, "  issued_on: 2020-11-05", "  issued_on: 2020-13-05")
    found = {p.field: p for p in problems(mini_dir)}
    assert found["obligations[0].due.befor"].message == "unknown field (not part of the schema)"
    assert found["obligations[0].due.befor"].line == line_of(plan, "befor:")
    assert "2020-13-05" in found["plan.issued_on"].message
    assert found["plan.issued_on"].line == line_of(plan, "issued_on")


def test_unknown_unit_id_with_suggestion(mini_dir):
    plan = mini_dir / "plan.yaml"
    edit(plan, "    submit_to: t.office\n    due:\n      type: one_off", "    submit_to: t.ofice\n    due:\n      type: one_off")
    (found,) = problems(mini_dir)
    assert found.field == "obligations[0].submit_to" and found.line == line_of(plan, "t.ofice")
    assert "unknown unit id 't.ofice'" in found.message and "did you mean 't.office'" in found.message


def test_unknown_group(mini_dir):
    edit(mini_dir / "plan.yaml", "    lead_groups: [t.members]", "    lead_groups: [t.nobody]")
    (found,) = problems(mini_dir)
    assert found.field == "duties[0].lead_groups[0]" and "unknown group 't.nobody'" in found.message


def test_duplicate_unit_ids_across_files(mini_dir):
    (mini_dir / "second.yaml").write_text(
        "registry: {id: other, title: Other}\nunits:\n  - id: t.alpha\n    name: Again\n    kind: department\n",
        encoding="utf-8",
    )
    (found,) = problems(mini_dir)
    assert found.path.name in ("second.yaml", "registry.yaml") and "duplicate unit id 't.alpha'" in found.message
    assert found.line == 3 or found.line == line_of(mini_dir / "registry.yaml", "id: t.alpha")


def test_cycle_in_the_unit_tree(mini_dir):
    registry = mini_dir / "registry.yaml"
    edit(registry, "    kind: committee\n", "    kind: committee\n    parent: t.alpha\n")
    (found,) = problems(mini_dir)
    assert "cycle in unit parent" in found.message and found.field.endswith(".parent")
    assert "t.committee" in found.message and "t.alpha" in found.message


def test_cycle_in_escalation(mini_dir):
    registry = mini_dir / "registry.yaml"
    edit(registry, "    head: Trưởng Ban\n", "    head: Trưởng Ban\n    escalates_to: t.office\n")
    (found,) = problems(mini_dir)
    assert "cycle in unit escalates_to" in found.message


def test_deadline_outside_the_plan_period(mini_dir):
    plan = mini_dir / "plan.yaml"
    edit(plan, "      before: 2020-11-16", "      before: 2024-01-16")
    (found,) = problems(mini_dir)
    assert found.field == "obligations[0].due" and "after the plan ends" in found.message
    assert "01/11/2020–31/10/2023" in found.message


def test_a_plan_issued_before_the_plan_it_implements_loads_with_a_warning(mini_dir):
    """A plan cannot implement a document that did not exist yet (Gia Lai's assumed 2021 date
    under a Đề án of 2023): the author is told where, and the plans still load."""
    reference = "plan:\n  id: t-de-an\n  number: 9/QĐ-TEST\n  title: Đề án\n  issuer: t.committee\n  issued_on: {day}\n" \
                "  period: {{start: 2020-10-01, end: 2023-12-31}}\n"
    plan = mini_dir / "plan.yaml"
    edit(plan, "  issued_on: 2020-11-05\n", "  issued_on: 2020-11-05\n  parent: t-de-an\n")
    (mini_dir / "reference.yaml").write_text(reference.format(day="2020-10-01"), encoding="utf-8")
    assert load_catalogue(mini_dir).warnings == []
    (mini_dir / "reference.yaml").write_text(reference.format(day="2020-11-06"), encoding="utf-8")
    catalogue = load_catalogue(mini_dir)
    (warning,) = catalogue.warnings
    assert warning.path.name == "plan.yaml" and warning.field == "plan.issued_on" and warning.line == line_of(plan, "  issued_on:")
    assert "before the plan it implements (9/QĐ-TEST, issued on 06/11/2020)" in warning.message
    assert set(catalogue.plans) == {"t-plan", "t-de-an"}


def test_a_deadline_before_the_issue_date_loads_with_a_warning_and_falls_due_on_the_issue_date(mini_dir):
    from plantrack.calendar import WorkCalendar
    from plantrack.rules import expand

    plan = mini_dir / "plan.yaml"
    edit(plan, "      before: 2020-11-16", "      before: 2020-11-01")  # the plan was issued on 05/11
    catalogue = load_catalogue(mini_dir)
    (warning,) = catalogue.warnings
    assert warning.field == "obligations[0].due" and "before the plan was issued (05/11/2020)" in warning.message
    assert warning.line == line_of(plan, "    due:")
    obligation = catalogue.plans["t-plan"].obligations[0]
    (spec, *_) = expand(obligation, ["t.alpha"], catalogue.plan_period("t-plan"), catalogue.plans["t-plan"].plan.issued_on,
                        WorkCalendar())
    assert spec.deadline.due_date == D(2020, 11, 5) and spec.deadline.written_date == D(2020, 11, 5)
    assert any("ngày đó đã qua khi văn bản ban hành ngày 05/11/2020" in step.vi for step in spec.deadline.steps)
    assert any("trước ngày 01/11/2020" in step.vi for step in spec.deadline.steps)  # the text's words are kept


def test_bad_cron(mini_dir):
    plan = mini_dir / "plan.yaml"
    edit(plan, "    due:\n      type: one_off\n      before: 2020-11-16", "    due:\n      type: recurring\n      cron: '0 0 31 2 *'")
    (found,) = problems(mini_dir)
    assert "cron" in found.message and found.field == "obligations[0].due"
    edit(plan, "'0 0 31 2 *'", "'every monday'")
    (found,) = problems(mini_dir)
    assert "not a 5-field cron expression" in found.message and found.field == "obligations[0].due.cron"
    assert found.line == line_of(plan, "every monday")


def test_bad_email_address(mini_dir):
    registry = mini_dir / "registry.yaml"
    edit(registry, "alpha.cc@units.example", "alpha.cc@@units")
    (found,) = problems(mini_dir)
    assert found.field == "units[2].contacts.cc[0]" and "not an e-mail address an SMTP server can take" in found.message
    assert found.line == line_of(registry, "alpha.cc@@units")


def test_parent_plan_that_does_not_exist(mini_dir):
    plan = mini_dir / "plan.yaml"
    edit(plan, "  issued_on: 2020-11-05\n", "  issued_on: 2020-11-05\n  parent: kh-999\n")
    (found,) = problems(mini_dir)
    assert found.field == "plan.parent" and "parent plan 'kh-999' does not exist" in found.message
    assert found.line == line_of(plan, "parent: kh-999")


def test_missing_required_field_points_at_its_parent(mini_dir):
    plan = mini_dir / "plan.yaml"
    edit(plan, "    title: Báo cáo 6 tháng\n", "")
    (found,) = problems(mini_dir)
    assert found.field == "obligations[1].title" and found.message == "required field is missing"
    assert found.line == line_of(plan, "- id: bao-cao-6-thang")


def test_problems_in_several_files_are_all_reported(mini_dir):
    edit(mini_dir / "plan.yaml", "  issued_on: 2020-11-05", "  issued_on: soon")
    edit(mini_dir / "registry.yaml", "    kind: department\n    parent: t.committee\n    escalates_to: t.office\n    contacts: {to: [alpha",
         "    kind: ministryy\n    parent: t.committee\n    escalates_to: t.office\n    contacts: {to: [alpha")
    found = problems(mini_dir)
    assert {p.path.name for p in found} == {"plan.yaml", "registry.yaml"}
    message = str(DefinitionError(found))
    assert "plan.yaml:" in message and "registry.yaml:" in message


def test_not_a_definition_file(mini_dir):
    (mini_dir / "notes.yaml").write_text("- just\n- a list\n", encoding="utf-8")
    (found,) = problems(mini_dir)
    assert found.path.name == "notes.yaml" and "top-level keys" in found.message


def test_the_seed_plans_say_what_their_texts_say(real_catalogue):
    """The reading of the seeds against their texts (issue 14), each by its section."""
    cat = real_catalogue
    duties = {(plan_id, d.id): d for plan_id, plan in cat.plans.items() for d in plan.duties}
    obligations = {(plan_id, o.id): o for plan_id, plan in cat.plans.items() for o in plan.obligations}
    # 399 III.3, second bullet: Bộ Công an "phối hợp chặt chẽ"; it leads nothing there.
    assert "vn.bca" not in duties["kh-399", "bca-phoi-hop"].lead and "vn.bca" in duties["kh-399", "bca-phoi-hop"].support
    # III.9.b bullets 2-3 and III.9.c: the associations "phối hợp".
    assert duties["kh-399", "vecom-phoi-hop"].lead == [] and "vn.vecom" in duties["kh-399", "vecom-phoi-hop"].support
    assert duties["kh-399", "vinastas-bao-ve-ntd"].lead == [] and "vn.vinastas" in duties["kh-399", "vinastas-bao-ve-ntd"].support
    # III.7: "chủ trì hoặc phối hợp", and no border guard or coast guard the text does not name.
    for key in ("cac-bo-ra-soat-vbqppl", "cac-bo-thanh-tra"):
        duty = duties["kh-399", key]
        assert duty.either_groups == ["vn.other-ministries"] and not duty.lead_groups and not duty.support
    # Inferences are marked as such.
    assert set(duties["kh-399", "bca-dau-tranh"].assumed.units) == {"vn.bca.c03", "vn.bca.a05"}
    assert set(duties["kh-399", "vptt-tuyen-truyen"].assumed.units) == {"vn.vov", "vn.vtv"}
    # IV.3: reports "gửi về Ban Chỉ đạo 389 quốc gia".
    for key in ("bao-cao-dot-xuat", "bao-cao-nhanh", "bao-cao-6-thang", "so-ket-tong-ket"):
        assert obligations["kh-399", key].submit_to == "vn.bcd389"
    # Hà Nội 03 III.5: the department "phối hợp với lực lượng Quản lý thị trường".
    assert duties["hn-kh-03", "sct-xu-phat"].lead == ["hn.cqtt"] and duties["hn-kh-03", "sct-xu-phat"].support == ["hn.sct"]
    # Hà Nội 03 IV.2: its own quick report, and the standing agency's compilation of the reviews.
    assert obligations["hn-kh-03", "bao-cao-nhanh"].due.type == "adhoc"
    assert obligations["hn-kh-03", "cqtt-so-ket-tong-ket"].units == ["hn.cqtt"]
    # 2860: both addressee classes.
    assert "hn.press.central" in cat.expand_units([], duties["hn-cv-2860", "tuyen-truyen-phap-luat"].lead_groups)


def test_explain_does_not_claim_the_text_left_a_deadline_to_the_office(real_catalogue):
    from plantrack.rules import expand

    plan = real_catalogue.plans["kh-399"]
    obligation = next(o for o in plan.obligations if o.id == "bao-cao-6-thang")
    (spec, *_) = expand(obligation, ["vn.bct"], real_catalogue.plan_period("kh-399"), plan.plan.issued_on,
                        real_catalogue.plan_calendar("kh-399"))
    steps = " ".join(step.vi for step in spec.deadline.steps)
    assert "Văn bản không nêu thời hạn này" in steps and "giao Văn phòng" not in steps


def _owing_ke_hoach(mini_dir, submit_to: str, extra: str = "", units: str = "") -> list:
    edit(mini_dir / "plan.yaml", "    groups: [t.members]\n    submit_to: t.office\n    due:\n      type: one_off",
         f"    groups: [t.members]\n{units}    submit_to: {submit_to}\n{extra}    due:\n      type: one_off")
    return problems(mini_dir)


def test_superior_is_refused_where_a_unit_has_no_managing_body(mini_dir):
    """The committee heads the tree: owing a report "to its superior" it has none to send it to."""
    (problem,) = _owing_ke_hoach(mini_dir, "superior", units="    units: [t.committee]\n")
    assert problem.field == "obligations[0].submit_to" and problem.line == line_of(mini_dir / "plan.yaml", "submit_to: superior")
    assert "'t.committee' has no parent in the registry (deadline 16/11/2020)" in problem.message


BETA_UNDER_THE_OFFICE = ("    parent: t.committee\n    escalates_to: t.office\n    contacts: {to: [beta@",
                         "    parent: t.office\n    escalates_to: t.office\n    contacts: {to: [beta@")
NEW_OFFICE = """  - id: t.office-2
    name: Văn phòng Thường trực (mới)
    kind: standing_office
    parent: t.committee
    valid_from: 2020-11-11

groups:"""


def test_superior_is_the_body_that_holds_the_parent_on_the_deadline(mini_dir):
    """Beta is managed by the office, which ends on 10/11/2020: without a successor Beta has no
    superior on 16/11 and the plan is refused; with one, the successor receives it."""
    registry = mini_dir / "registry.yaml"
    edit(registry, *BETA_UNDER_THE_OFFICE)
    edit(registry, "    name: Văn phòng Thường trực\n", "    name: Văn phòng Thường trực\n    valid_until: 2020-11-10\n")
    (problem,) = _owing_ke_hoach(mini_dir, "superior")
    assert "'t.beta''s parent 't.office' has no body that holds it on 16/11/2020" in problem.message
    edit(registry, "    valid_until: 2020-11-10\n", "    valid_until: 2020-11-10\n    successor: t.office-2\n")
    edit(registry, "\ngroups:", "\n" + NEW_OFFICE)
    catalogue = load_catalogue(mini_dir)  # loads
    assert catalogue.unit_on(catalogue.units["t.beta"].parent, dt.date(2020, 11, 16)) == "t.office-2"


def test_a_position_must_be_one_the_unit_lists_and_a_copy_another_body(mini_dir):
    found = _owing_ke_hoach(mini_dir, "{position: Chánh Văn phòng, unit: t.office}", "    copy_to: [t.office, t.alpha, t.alpha]\n")
    by_field = {p.field: p.message for p in found}
    assert "'t.office' lists no position 'Chánh Văn phòng'" in by_field["obligations[0].submit_to.position"]
    assert "already receives it" in by_field["obligations[0].copy_to[0]"]
    assert "listed twice" in by_field["obligations[0].copy_to[2]"]
    assert len(found) == 3
    edit(mini_dir / "registry.yaml", "    kind: standing_office\n", "    kind: standing_office\n    positions: [Chánh Văn phòng]\n")
    assert {p.field for p in problems(mini_dir)} == {"obligations[0].copy_to[0]", "obligations[0].copy_to[2]"}


def test_a_value_written_one_of_two_ways_is_judged_as_written(mini_dir):
    """A recipient is a unit id or {position, unit}, a group a list or a rule: a problem is told
    for the shape the author wrote, under the field's own path, not once per shape."""
    edit(mini_dir / "plan.yaml", "    groups: [t.members]\n    submit_to: t.office\n    due:\n      type: one_off",
         "    groups: [t.members]\n    submit_to: {position: Trưởng Ban}\n    copy_to: [T.Office]\n    due:\n      type: one_off")
    edit(mini_dir / "registry.yaml", "  t.members: [t.alpha, t.beta]", "  t.members: [t.alpha, t.beta]\n  t.forces: {under: t.committee}")
    found = {p.field: p.message for p in problems(mini_dir)}
    assert found == {
        "obligations[0].submit_to.unit": "required field is missing",
        "obligations[0].copy_to[0]": found["obligations[0].copy_to[0]"],
        "groups.t.forces": "a group rule needs 'kinds' (unit kinds) or 'tags' (units' tags), with 'under' or across the registry",
    }
    assert "'T' (U+0054 LATIN CAPITAL LETTER T)" in found["obligations[0].copy_to[0]"]
