"""A registry over time: bodies with validity dates and successors (the 2025 mergers), the
bodies of a day, and one body under two ids refused."""

import datetime as dt
import shutil

from typer.testing import CliRunner

from plantrack.cli import app
from plantrack.loader import load_catalogue
from plantrack.store.sync import sync_catalogue

from .conftest import DEFINITIONS
from .test_loader import edit, problems

D = dt.date

PLAN_2026 = """plan:
  id: t-2026
  number: 7/KH-TEST
  title: Kế hoạch năm 2026 (thử nghiệm)
  issuer: vn.bcd389
  issued_on: 2025-12-15
  period: {start: 2026-01-01, end: 2026-12-31}

obligations:
  - id: bao-cao-quy
    title: Báo cáo quý
    section: "III"
    groups: [vn.provinces]
    submit_to: vn.vptt
    due: {type: reporting_period, period: quarter, days_after_cutoff: 5, basis: assumed, note: test}
"""

PLAN_ACROSS = """plan:
  id: t-across
  number: 8/KH-TEST
  title: Kế hoạch 2025 (thử nghiệm)
  issuer: vn.bcd389
  issued_on: 2025-01-05
  period: {start: 2025-01-01, end: 2025-12-31}

obligations:
  - id: bao-cao-thang
    title: Báo cáo tháng
    section: "II"
    units: [vn.province.ha-giang, vn.btttt]
    submit_to: vn.vptt
    due: {type: recurring, cron: "0 0 20 * *", key_format: "%Y-%m"}
"""


def test_the_2025_registry_has_34_provinces_and_the_merged_ministries(real_catalogue):
    provinces = real_catalogue.groups["vn.provinces"]
    assert len(provinces) == 63
    alive = [p for p in provinces if real_catalogue.unit_on(p, D(2025, 7, 1)) == p]
    assert len(alive) == 34
    assert real_catalogue.unit_on("vn.province.ha-giang", D(2025, 7, 1)) == "vn.province.tuyen-quang"
    assert real_catalogue.unit_on("vn.province.ha-giang", D(2025, 6, 30)) == "vn.province.ha-giang"
    assert real_catalogue.unit_on("vn.btttt", D(2025, 3, 1)) == "vn.bkhcn"
    assert real_catalogue.unit_on("vn.bnnmt", D(2024, 12, 31)) is None  # not created yet


def test_occurrences_go_to_the_body_that_exists_on_the_deadline(store, tmp_path):
    folder = tmp_path / "defs"
    shutil.copytree(DEFINITIONS, folder)
    (folder / "plans" / "t-2026.yaml").write_text(PLAN_2026, encoding="utf-8")
    (folder / "plans" / "t-across.yaml").write_text(PLAN_ACROSS, encoding="utf-8")
    with store.transaction() as session:
        sync_catalogue(session, load_catalogue(folder))
    from sqlalchemy import select

    from plantrack.store.models import Obligation, Occurrence

    with store.session() as session:
        def owed(plan, key):
            return session.execute(
                select(Occurrence.unit_id, Occurrence.period_key).join(Obligation, Occurrence.obligation_id == Obligation.id)
                .where(Obligation.plan_id == plan, Obligation.key == key)
            ).all()

        quarterly = owed("t-2026", "bao-cao-quy")
        assert len({unit for unit, _ in quarterly}) == 34  # a 2026 plan for "the provinces": the 34 of that year
        monthly = dict(((unit, period), True) for unit, period in owed("t-across", "bao-cao-thang"))
    assert ("vn.province.ha-giang", "2025-06") in monthly and ("vn.province.ha-giang", "2025-07") not in monthly
    assert ("vn.province.tuyen-quang", "2025-07") in monthly  # Hà Giang's duty passes to Tuyên Quang
    assert ("vn.btttt", "2025-02") in monthly and ("vn.bkhcn", "2025-03") in monthly and ("vn.btttt", "2025-03") not in monthly

    def listed(day):
        result = CliRunner().invoke(app, ["units", "--as-of", day, "--db", store.url])
        assert result.exit_code == 0, result.output
        return {line.split("│")[1].strip() for line in result.output.splitlines() if line.startswith("│")}

    after, before = listed("2025-08-01"), listed("2024-08-01")
    assert "vn.province.ha-giang" not in after and "vn.province.tuyen-quang" in after and "vn.bnnmt" in after
    assert "vn.province.ha-giang" in before and "vn.bnnmt" not in before


def test_one_body_under_two_ids_is_refused(mini_dir):
    registry = mini_dir / "registry.yaml"
    edit(registry, "    name: Ban Chỉ đạo 389 huyện Beta\n", "    name: Sở Alpha\n")
    (problem,) = problems(mini_dir)
    assert problem.field == "units[3].name" and "one body under two ids" in problem.message and "t.alpha" in problem.message
    edit(registry, "    kind: district_committee\n", "    kind: district_committee\n    valid_from: 2025-07-01\n")
    edit(registry, "    kind: department\n", "    kind: department\n    valid_until: 2025-06-30\n    successor: t.beta\n")
    assert load_catalogue(mini_dir).unit_on("t.alpha", D(2025, 7, 1)) == "t.beta"  # a successor may keep the name
