"""The registry of 2025 generated from vietnam-provinces (plantrack.vnregistry, `plantrack registry build`):
stable ids, a rebuild that shows what changed before it writes, the groups it fills, the end of
Hà Nội's district level, and the units without an address that `validate` counts."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from typer.testing import CliRunner

from plantrack.addresses import unaddressed
from plantrack.cli import app
from plantrack.loader import load_catalogue
from plantrack.vnregistry import build as vnbuild
from plantrack.vnregistry import dataset as vndataset
from plantrack.vnregistry.dataset import Dataset, Division, Province

from .conftest import DEFINITIONS, ROOT

EXAMPLES = ROOT / "examples" / "2025"
GENERATED = DEFINITIONS / "registries" / "vn-2025"

vietnam_provinces = pytest.importorskip("vietnam_provinces", reason="the registry build needs the 'registry' extra")


def definitions_with_addresses(tmp_path, addresses: dict[str, str]):
    """A copy of plan_definitions where generated units have the address a coordinator would
    have entered (the generated files carry none), for tests of notices to them."""
    import shutil

    folder = tmp_path / "definitions-with-addresses"
    shutil.copytree(DEFINITIONS, folder)
    for unit_id, address in addresses.items():
        for path in (folder / "registries" / "vn-2025").glob("*.yaml"):
            text = path.read_text(encoding="utf-8")
            start = text.find(f"  - {{id: {unit_id}, ")
            if start >= 0:
                end = text.index("}\n", start)
                path.write_text(f"{text[:end]}, contacts: {{to: [{address}]}}{text[end:]}", encoding="utf-8")
                break
        else:
            raise AssertionError(f"test setup: {unit_id} is not a generated unit")
    return folder


def package_wards(province_code: int) -> set[str]:
    """The unit ids of a province's commune-level units, read straight from the package's data."""
    with open(vietnam_provinces.NESTED_DIVISIONS_JSON_PATH, encoding="utf-8") as handle:
        (province,) = [p for p in json.load(handle) if p["code"] == province_code]
    return {f"vn.ward.{w['code']:05d}" for w in province["wards"]}


def real_build() -> vnbuild.Build:
    taken_units, taken_groups = vnbuild.defined_elsewhere(DEFINITIONS, GENERATED)
    return vnbuild.generate(vndataset.load_dataset(), vnbuild.load_table(), taken_units, taken_groups)


def test_two_builds_give_the_same_ids_and_the_shipped_files_are_what_the_build_writes(tmp_path):
    first, second = real_build(), real_build()
    assert list(first.units()) == list(second.units())
    units = first.units()
    assert len([u for u in units.values() if u["kind"] in ("commune", "ward", "special_zone")]) == 3321
    assert len(first.files) == 34
    assert units["vn.ward.26732"]["name"] == "Ủy ban nhân dân đặc khu Côn Đảo, thành phố Hồ Chí Minh"
    assert units["dt.stc"] == {"id": "dt.stc", "name": "Sở Tài chính tỉnh Đồng Tháp", "short_name": "Sở Tài chính", "kind": "department",
                               "parent": "vn.province.dong-thap", "escalates_to": "vn.province.dong-thap", "basis": "assumed",
                               "valid_from": dt.date(2025, 7, 1)}
    assert "hn.sct" not in units and "hn.sct" in first.kept  # Hà Nội's Sở Công Thương is the hand-kept unit of 2020
    assert all("contacts" not in unit for unit in units.values())
    # What ships is exactly what the build writes (nobody edited the generated files by hand).
    for generated in first.files:
        assert (GENERATED / generated.name).read_text(encoding="utf-8") == vnbuild.render(generated, first.source), generated.name
    written = vnbuild.write(first, tmp_path)
    assert vnbuild.changes(vnbuild.read_units(tmp_path), second.units()).empty
    header = written[0].read_text(encoding="utf-8").splitlines()[0]
    assert f"vietnam-provinces {vietnam_provinces.__version__}" in header
    lines = written[0].read_text(encoding="utf-8").splitlines()
    units_lines = lines[lines.index("units:") + 1:lines.index("groups:")]
    assert all(line.startswith("  - {") and line.endswith("}") for line in units_lines)  # one unit per line, flow style


HAND = """registry: {id: test-national, title: Hai tỉnh}
units:
  - {id: vn.province.dong-thap, name: Ủy ban nhân dân Tỉnh Đồng Tháp, kind: province}
  - {id: vn.province.ca-mau, name: Ủy ban nhân dân Tỉnh Cà Mau, kind: province}
"""


def fake(divisions_82: tuple[Division, ...], version: str) -> Dataset:
    return Dataset(f"vietnam-provinces {version}", (
        Province(82, "Đồng Tháp", False, divisions_82),
        Province(96, "Cà Mau", False, (Division(32002, "Phường An Xuyên", "ward"),)),
    ))


def test_a_rebuild_after_a_package_upgrade_shows_what_changed_before_it_writes(tmp_path, monkeypatch):
    definitions = tmp_path / "definitions"
    (definitions / "registries").mkdir(parents=True)
    (definitions / "registries" / "hand.yaml").write_text(HAND, encoding="utf-8")
    output = definitions / "registries" / "vn-2025"
    before = fake((Division(28249, "Phường Mỹ Tho", "ward"), Division(28261, "Xã Tân Hương", "commune")), "2025.10.1")
    after = fake((Division(28249, "Phường Mỹ Tho Mới", "ward"), Division(28270, "Xã Tân Phước", "commune")), "2026.1.0")
    dataset = {"now": before}
    monkeypatch.setattr(vndataset, "load_dataset", lambda: dataset["now"])

    def run(*extra):
        result = CliRunner().invoke(app, ["registry", "build", "--output", str(output), "--definitions", str(definitions), *extra])
        assert result.exit_code == 0, result.output
        return result.output

    text = run()
    assert "added 31" in text and "wrote 2 files" in text  # 2 × 14 bodies, 3 communes
    assert "up to date" in run()
    dataset["now"] = after
    shown = run("--dry-run")
    assert "added 1: vn.ward.28270" in shown and "removed 1: vn.ward.28261" in shown
    assert "vn.ward.28249: Ủy ban nhân dân phường Mỹ Tho, tỉnh Đồng Tháp → Ủy ban nhân dân phường Mỹ Tho Mới, tỉnh Đồng Tháp" in shown
    assert "nothing written" in shown and "2025.10.1" in (output / "dong-thap.yaml").read_text(encoding="utf-8")
    written = run()
    assert "removed 1: vn.ward.28261" in written and "wrote 2 files" in written
    text = (output / "dong-thap.yaml").read_text(encoding="utf-8")
    assert "vietnam-provinces 2026.1.0" in text and "vn.ward.28270" in text and "vn.ward.28261" not in text
    catalogue = load_catalogue(definitions)
    assert catalogue.groups["dt.communes"] == ["vn.ward.28249", "vn.ward.28270"]
    assert catalogue.unit_registry["vn.ward.32002"] == "vn-2025.ca-mau"


def test_a_2025_plan_addressing_the_communes_of_a_province_reaches_every_one_of_them():
    catalogue = load_catalogue(DEFINITIONS, EXAMPLES)
    plan = catalogue.plans["dt-kh-617-2025"]
    report = next(o for o in plan.obligations if "dt.communes" in o.groups)
    owing = set(catalogue.obligation_units(report))
    assert package_wards(82) <= owing and len(package_wards(82)) > 90  # Đồng Tháp: every xã and phường of 2025
    assert set(catalogue.groups["hcm.communes"]) == package_wards(79)  # with the đặc khu Côn Đảo
    assert "vn.ward.26732" in catalogue.groups["hcm.communes"]
    assert set(catalogue.groups["dl.communes"]) == package_wards(66)
    # "các sở, ban, ngành" of a province, "các bộ, cơ quan ngang bộ", all provinces of the day
    assert {"dt.stc", "dt.skhcn", "dt.ca", "dt.ttr"} <= set(catalogue.groups["dt.so-ban-nganh"])
    ministries = catalogue.groups["vn.ministries-2025"]
    assert len(ministries) == 17 and {"vn.vpcp", "vn.bgddt", "vn.bng"} <= set(ministries)
    assert all(catalogue.unit_on(m, dt.date(2026, 1, 1)) == m for m in ministries)
    day = dt.date(2026, 1, 1)
    assert len({catalogue.unit_on(p, day) for p in catalogue.groups["vn.provinces-2025"]} - {None}) == 34


def test_hanoi_districts_end_on_30_06_2025_and_the_seed_plans_still_load(real_catalogue):
    districts = [u for u in real_catalogue.units.values() if u.id.startswith("hn.district.")]
    assert len(districts) == 30
    assert all(u.valid_until == dt.date(2025, 6, 30) and u.successor == "hn.bcd389" for u in districts)
    assert real_catalogue.unit_on("hn.district.ba-dinh", dt.date(2020, 11, 20)) == "hn.district.ba-dinh"
    assert real_catalogue.unit_on("hn.district.ba-dinh", dt.date(2025, 7, 1)) == "hn.bcd389"
    assert "hn.district.ba-dinh" in real_catalogue.groups["hn.districts"]
    assert len(real_catalogue.plans) >= 6  # the seed plans of 2020-2023 load with the registry of 2025


def test_validate_counts_per_plan_the_units_owing_something_without_an_address(tmp_path):
    (tmp_path / "units.yaml").write_text("""registry: {id: t, title: Thử}
units:
  - {id: a, name: Đơn vị A, kind: province, contacts: {to: [a@x.example]}}
  - {id: b, name: Đơn vị B, kind: commune, parent: a}
  - {id: c, name: Đơn vị C, kind: commune, parent: a}
  - {id: d, name: Đơn vị D, kind: commune, parent: a}
groups:
  t.communes: {kinds: [commune], under: a}
""", encoding="utf-8")
    (tmp_path / "plan.yaml").write_text("""plan: {id: p, number: 1/KH-UBND, doc_type: ke_hoach, title: Kế hoạch thử, issuer: a, issued_on: 2025-08-01,
       period: {start: 2025-08-01, end: 2025-12-31}}
duties:
  - {id: d1, section: I, text: Triển khai., lead: [a]}
obligations:
  - {id: o1, title: Báo cáo, section: I, duty: d1, units: [a, b], groups: [t.communes], submit_to: a, due: {type: one_off, at_latest_on: 2025-12-01}}
""", encoding="utf-8")
    catalogue = load_catalogue(tmp_path)
    (found,) = unaddressed(catalogue)
    assert (found.plan_id, found.owing, found.missing) == ("p", 4, ("b", "c", "d"))
    result = CliRunner().invoke(app, ["validate", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert "1/KH-UBND (p): 3 of the 4 units owing its obligations have no address" in " ".join(result.output.split())
