"""Units named as a class: groups given by a rule fill themselves from the registry, a unit
that joins later takes on the group's obligations, and a request can name a group."""

from typer.testing import CliRunner

from plantrack.cli import app
from plantrack.loader import load_catalogue
from plantrack.store.sync import sync_catalogue
from plantrack.tracking import status_rows

from .conftest import vn
from .test_loader import edit, line_of, problems as check_plans_fails

GAMMA = """  - id: t.gamma
    name: Ban Chỉ đạo 389 huyện Gamma
    kind: district_committee
    parent: t.office
    escalates_to: t.office
    contacts: {to: [gamma@units.example]}

groups:"""


def units_owing(store, obligation="ke-hoach"):
    with store.session() as session:
        return sorted({r.unit_id for r in status_rows(session, vn(2020, 11, 30), "t-plan", include_not_open=True)
                       if r.obligation_key == obligation})


def sync(store, folder):
    with store.transaction() as session:
        return sync_catalogue(session, load_catalogue(folder))


def test_a_group_by_rule_fills_itself_and_a_unit_that_joins_takes_on_its_obligations(store, mini_dir):
    registry, plan = mini_dir / "registry.yaml", mini_dir / "plan.yaml"
    edit(registry, "  t.members: [t.alpha, t.beta]", "  t.members: [t.alpha, t.beta]\n"
         "  t.districts: {kinds: [district_committee], under: t.committee}")
    edit(plan, "    groups: [t.members]\n    submit_to: t.office\n    due:\n      type: one_off",
         "    groups: [t.districts]\n    submit_to: t.office\n    due:\n      type: one_off")
    assert load_catalogue(mini_dir).groups["t.districts"] == ["t.beta"]
    sync(store, mini_dir)
    assert units_owing(store) == ["t.beta"]
    edit(registry, "\ngroups:", "\n" + GAMMA)  # a new district, two levels under the committee
    report = sync(store, mini_dir)
    assert units_owing(store) == ["t.beta", "t.gamma"]
    assert report.count("added", "occurrence") == 1 and report.count("changed", "group") == 1


def test_a_group_rule_names_a_known_unit_and_known_kinds(mini_dir):
    registry = mini_dir / "registry.yaml"
    edit(registry, "  t.members: [t.alpha, t.beta]", "  t.members: [t.alpha, t.beta]\n  t.x: {kinds: [ward], under: t.nowhere}")
    (problem,) = check_plans_fails(mini_dir)
    assert problem.field == "groups.t.x.under" and "unknown unit" in problem.message


def test_a_request_can_name_a_group(synced):
    result = CliRunner().invoke(app, ["request", "--plan", "t-plan", "--group", "t.members", "--title", "Báo cáo nhanh",
                                      "--at", "2020-12-01", "--db", synced.url])
    assert result.exit_code == 0, result.output
    assert "from 2 unit(s)" in result.output
    unknown = CliRunner().invoke(app, ["request", "--plan", "t-plan", "--group", "t.nobody", "--title", "X", "--db", synced.url])
    assert unknown.exit_code == 2 and "no group 't.nobody'" in unknown.output


OUTSIDE_THE_TREE = """  - id: t.telecom
    name: Tổng công ty Viễn thông thử nghiệm
    kind: enterprise
    tags: [luc-luong-chuc-nang]
    contacts: {to: [telecom@units.example]}
  - id: t.platform
    name: Công ty Sàn thương mại điện tử thử nghiệm
    kind: enterprise
    valid_from: 2021-01-01
    contacts: {to: [platform@units.example]}
  - id: t.police
    name: Công an thử nghiệm
    kind: agency
    parent: t.committee
    tags: [luc-luong-chuc-nang]
    contacts: {to: [police@units.example]}

groups:"""


def test_groups_by_kind_across_the_registry_and_by_tag(store, mini_dir):
    """Enterprises stand outside the territorial tree (no parent), and "các lực lượng chức
    năng" are an enterprise and an agency: a rule without ``under`` takes the whole registry,
    a rule by tag takes whoever carries it, and each owes on its deadline's day."""
    registry, plan = mini_dir / "registry.yaml", mini_dir / "plan.yaml"
    edit(registry, "\ngroups:", "\n" + OUTSIDE_THE_TREE)
    edit(registry, "  t.members: [t.alpha, t.beta]", "  t.members: [t.alpha, t.beta]\n"
         "  t.enterprises: {kinds: [enterprise]}\n  t.forces: {tags: [luc-luong-chuc-nang]}\n"
         "  t.force-agencies: {kinds: [agency], tags: [luc-luong-chuc-nang], under: t.committee}")
    edit(plan, "    groups: [t.members]\n    submit_to: t.office\n    due:\n      type: one_off",
         "    groups: [t.enterprises, t.forces]\n    submit_to: t.office\n    due:\n      type: one_off")
    catalogue = load_catalogue(mini_dir)
    assert catalogue.groups["t.enterprises"] == ["t.telecom", "t.platform"]
    assert catalogue.groups["t.forces"] == ["t.telecom", "t.police"]
    assert catalogue.groups["t.force-agencies"] == ["t.police"]
    sync(store, mini_dir)
    # Due before 16/11/2020: the platform, registered from 2021, owes nothing yet.
    assert units_owing(store) == ["t.police", "t.telecom"]


def test_a_misspelt_tag_is_a_warning_and_a_rule_says_who(mini_dir):
    """A tag no unit carries yet is fine (the group fills as units are registered) unless it
    looks like one that is carried."""
    registry = mini_dir / "registry.yaml"
    edit(registry, "\ngroups:", "\n" + OUTSIDE_THE_TREE)
    edit(registry, "  t.members: [t.alpha, t.beta]", "  t.members: [t.alpha, t.beta]\n  t.forces: {tags: [luc-luong-chuc-nag]}\n"
         "  t.facilities: {tags: [co-so-san-xuat]}")
    (warning,) = [w for w in load_catalogue(mini_dir).warnings if "tag" in w.message]
    assert warning.field == "groups.t.forces.tags[0]"
    assert "no unit carries the tag 'luc-luong-chuc-nag' (did you mean 'luc-luong-chuc-nang'?)" in warning.message
    edit(registry, "  t.facilities: {tags: [co-so-san-xuat]}", "")
    edit(registry, "  t.forces: {tags: [luc-luong-chuc-nag]}", "  t.forces: {under: t.committee}")
    (problem,) = [p for p in check_plans_fails(mini_dir) if "a group rule needs" in p.message]
    assert problem.field == "groups.t.forces" and problem.line == line_of(registry, "t.forces: {under: t.committee}")
