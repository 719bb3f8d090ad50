"""Gia Lai's three targets (100% by 2025): what Sở Công Thương reports for the province, against
the straight path from the baseline; a ratio target over several units rolls up as the ratio of
the sums of its parts, per unit and for the plan."""

import dataclasses
import datetime as dt

import pytest
from typer.testing import CliRunner

from plantrack.cli import app
from plantrack.figures import record_figures
from plantrack.store.sync import sync_catalogue
from plantrack.targets import Standing, expected_on, target_progress
from plantrack.tracking import find_occurrence, record_submission

from .conftest import vn

REPORTS = {  # (report, unit): officials enforcing, of them trained; sellers on large platforms, of them informed
    # Sở Công Thương's report of the Đề án's results: the province's figures.
    ("bao-cao-ket-qua", "gl.sct"): {"can-bo-thuc-thi": "100", "can-bo-dao-tao": "60", "nguoi-ban-san-lon": "1.200",
                                    "nguoi-ban-duoc-tuyen-truyen": "900", "ty-le-nguoi-tieu-dung": "55"},
    # The forces' yearly figures to the department (Sở TT&TT has not reported).
    ("bao-cao-nam", "gl.cqltt"): {"can-bo-thuc-thi": "60", "can-bo-dao-tao": "30"},
}


def hand_in(session, reports):
    for (obligation, unit), values in reports.items():
        occurrence = find_occurrence(session, None, "gl-kh-tmdt", obligation, unit, "2023")
        submission = record_submission(session, occurrence, vn(2023, 12, 11, 9), f"1/BC-{unit}")
        session.flush()
        record_figures(session, submission, values)


@pytest.fixture
def gia_lai(store, real_catalogue):
    with store.transaction() as session:
        sync_catalogue(session, real_catalogue)
        hand_in(session, REPORTS)
    return store


def test_targets_stand_against_the_path_from_their_baseline(gia_lai):
    with gia_lai.session() as session:
        found = {p.target["id"]: p for p in target_progress(session, "gl-kh-tmdt", vn(2024, 1, 10))}
    training = found["dao-tao-can-bo"]
    assert training.value == pytest.approx(60.0)  # 60 / 100, the department's figures for the province
    assert training.expected == pytest.approx(expected_on(training.target, dt.date(2023, 6, 1), dt.date(2024, 1, 10)))
    assert 20 < training.expected < 25 and training.standing is Standing.ON_TRACK
    assert training.coverage == "từ 1/1 đơn vị"  # the forces' own reports go to the department, not to the target
    assert [(u.unit_id, u.value) for u in training.units] == [("gl.sct", pytest.approx(60.0))]
    assert found["tuyen-truyen-nguoi-ban"].value == pytest.approx(75.0)
    assert found["tuyen-truyen-nguoi-tieu-dung"].value == 55.0
    with gia_lai.session() as session:  # before the reports came in there is nothing to judge
        early = {p.target["id"]: p for p in target_progress(session, "gl-kh-tmdt", vn(2023, 12, 1))}
    assert early["dao-tao-can-bo"].standing is Standing.NO_DATA and early["dao-tao-can-bo"].value is None
    with gia_lai.session() as session:  # late in 2025 the same figures lag the path
        late = {p.target["id"]: p for p in target_progress(session, "gl-kh-tmdt", vn(2025, 11, 1))}
    assert late["dao-tao-can-bo"].standing is Standing.BEHIND


def test_a_ratio_target_over_several_units_is_the_ratio_of_their_sums(store, real_catalogue):
    """The training target read over the two forces' reports instead: (30 + 30) / (60 + 40) = 60%,
    not the mean of 50% and 75%; a unit without figures has no standing."""
    plan = real_catalogue.plans["gl-kh-tmdt"]
    targets = [t.model_copy(update={"units": ["gl.cqltt", "gl.stttt", "gl.sct"], "obligation": "bao-cao-nam"})
               if t.id == "dao-tao-can-bo" else t for t in plan.targets]
    catalogue = dataclasses.replace(real_catalogue, plans={**real_catalogue.plans, "gl-kh-tmdt": plan.model_copy(update={"targets": targets})})
    with store.transaction() as session:
        sync_catalogue(session, catalogue)
        hand_in(session, {("bao-cao-nam", "gl.cqltt"): {"can-bo-thuc-thi": "60", "can-bo-dao-tao": "30"},
                          ("bao-cao-nam", "gl.stttt"): {"can-bo-thuc-thi": "40", "can-bo-dao-tao": "30"}})
    with store.session() as session:
        [found] = [p for p in target_progress(session, "gl-kh-tmdt", vn(2024, 1, 10)) if p.target["id"] == "dao-tao-can-bo"]
    assert found.value == pytest.approx(60.0) and found.standing is Standing.ON_TRACK and found.coverage == "từ 2/3 đơn vị"
    by_unit = {u.unit_id: u for u in found.units}
    assert by_unit["gl.cqltt"].value == pytest.approx(50.0) and by_unit["gl.stttt"].value == pytest.approx(75.0)
    assert by_unit["gl.sct"].standing is Standing.NO_DATA and by_unit["gl.sct"].value is None


def test_the_targets_command_prints_them_in_vietnamese(gia_lai):
    result = CliRunner().invoke(app, ["targets", "--plan", "gl-kh-tmdt", "--as-of", "2024-01-10", "--db", gia_lai.url])
    assert result.exit_code == 0, result.output
    for expected in ("100% cán bộ, công chức", "60,0%", "Đạt tiến độ", "từ 1/1 đơn vị", "31/12/2025"):
        assert expected in result.output, expected
    assert "Theo đơn vị" not in result.output
    by_unit = CliRunner().invoke(app, ["targets", "--plan", "gl-kh-tmdt", "--as-of", "2024-01-10", "--by-unit", "--db", gia_lai.url])
    assert by_unit.exit_code == 0 and "Theo đơn vị" in by_unit.output
    assert "Sở Công Thương" in by_unit.output and "75,0%" in by_unit.output  # 900 of 1.200 sellers informed


def test_the_districts_of_gia_lai_end_with_the_district_level(real_catalogue):
    plan = real_catalogue.plans["gl-kh-tmdt"]
    # The text gives the districts a duty ("chỉ đạo …, huy động nguồn lực") and no report.
    districts = set(real_catalogue.groups["gl.districts"])
    assert any(set(real_catalogue.expand_units(d.lead, d.lead_groups)) == districts for d in plan.duties)
    assert not any(set(real_catalogue.obligation_units(o)) & districts for o in plan.obligations)
    assert real_catalogue.units["gl.d.pleiku"].valid_until == dt.date(2025, 6, 30)
    assert len(real_catalogue.groups["gl.districts"]) == 17
    assert real_catalogue.units["vn.province.binh-dinh"].successor == "vn.province.gia-lai"
    assert [t.id for t in plan.targets] == ["dao-tao-can-bo", "tuyen-truyen-nguoi-ban", "tuyen-truyen-nguoi-tieu-dung"]


def test_the_compiled_report_carries_the_figures_and_the_targets(gia_lai, tmp_path):
    """The standing office's report: the figures of the latest yearly reports with their
    coverage, the targets against their path, and a native chart of them in the workbook."""
    from openpyxl import load_workbook

    from plantrack.reporting import write_progress_report

    written = write_progress_report(gia_lai, "gl-kh-tmdt", vn(2024, 1, 10), tmp_path)
    workbook, page = written.files
    book = load_workbook(workbook)
    assert {"Số liệu", "Mục tiêu"} <= set(book.sheetnames) and len(book["Mục tiêu"]._charts) == 1
    rows = {(r[0], r[2]): r for r in book["Số liệu"].iter_rows(min_row=2, values_only=True)}
    own, forces = "Báo cáo kết quả thực hiện Đề án hằng năm", "Báo cáo kết quả thực hiện Đề án hằng năm gửi Sở Công Thương"
    assert rows[own, "Tỷ lệ cán bộ thực thi được đào tạo về TMĐT"][4] == 60.0
    assert rows[forces, "Tỷ lệ cán bộ thực thi được đào tạo về TMĐT"][4] == 50.0  # Cục QLTT's 30 of 60
    assert rows[forces, "Số cán bộ, công chức đó đã được đào tạo về TMĐT"][5:7] == (1, 1)  # Sở TT&TT has not reported
    targets = {r[0]: r for r in book["Mục tiêu"].iter_rows(min_row=2, values_only=True) if r[0]}
    assert targets["100% cán bộ, công chức thực thi được đào tạo, trang bị kiến thức về TMĐT"][5] == "Đạt tiến độ"
    html = page.read_text(encoding="utf-8")
    assert 'data-target="dao-tao-can-bo" data-standing="on_track"' in html and "60,0%" in html and "đến 31/12/2025" in html
    per_unit = {(r[0], r[1]): r for r in book["Mục tiêu theo đơn vị"].iter_rows(min_row=2, values_only=True)}
    trained = [r for (name, _), r in per_unit.items() if name.startswith("100% cán bộ")]
    assert [r[2] for r in trained] == [60.0]  # the department, for the province
    assert 'data-target="dao-tao-can-bo" data-unit="gl.sct" data-standing="on_track"' in html


def test_the_report_flows_artifact_says_what_the_reports_say(gia_lai, tmp_path):
    from flows.progress_report import report_markdown
    from plantrack.reporting import write_progress_report

    written = write_progress_report(gia_lai, "gl-kh-tmdt", vn(2024, 1, 10), tmp_path)
    markdown = report_markdown(written.report, [str(f) for f in written.files])
    assert "## Số liệu / figures — Báo cáo kết quả thực hiện Đề án hằng năm, 2023" in markdown
    assert "| Tỷ lệ cán bộ thực thi được đào tạo về TMĐT | 60,0% | từ 1/1 đơn vị |" in markdown
    assert "## Số liệu / figures — Báo cáo kết quả thực hiện Đề án hằng năm gửi Sở Công Thương, 2023" in markdown
    assert "| Tỷ lệ cán bộ thực thi được đào tạo về TMĐT | 50,0% | từ 1/2 đơn vị |" in markdown
    assert "## Mục tiêu / targets" in markdown and "Đạt tiến độ" in markdown


ROLLUPS = """  - id: nguoi-tieu-dung-trung-binh
    name: Tỷ lệ người tiêu dùng được tuyên truyền, trung bình các đơn vị
    indicator: ty-le-nguoi-tieu-dung
    value: 100
    by: 2025-12-31
    units: [gl.sct, gl.cqltt, gl.stttt]
    obligation: bao-cao-nam
  - id: nguoi-tieu-dung-thap-nhat
    name: Tỷ lệ người tiêu dùng được tuyên truyền, đơn vị thấp nhất
    indicator: ty-le-nguoi-tieu-dung
    value: 100
    by: 2025-12-31
    rollup: min
    units: [gl.sct, gl.cqltt, gl.stttt]
    obligation: bao-cao-nam
  - id: nguoi-tieu-dung-gia-quyen
    name: Tỷ lệ người tiêu dùng được tuyên truyền, theo số cán bộ
    indicator: ty-le-nguoi-tieu-dung
    value: 100
    by: 2025-12-31
    rollup: weighted
    weight: can-bo-thuc-thi
    units: [gl.sct, gl.cqltt, gl.stttt]
    obligation: bao-cao-nam
  - id: vu-viec-moi-nhat
    name: Số vụ vi phạm đã xử lý (số mới nhất)
    indicator: vu-viec-xu-ly
    value: 50
    by: 2025-12-31
    units: [gl.sct, gl.cqltt, gl.stttt]
    obligation: bao-cao-nam
  - id: can-bo-hien-co
    name: Cán bộ thực thi hiện có
    indicator: can-bo-thuc-thi
    baseline: {value: 90, on: 2023-06-01, written: "hiện có khoảng 90 cán bộ, công chức thực thi"}
    units: [gl.sct, gl.cqltt]
    obligation: bao-cao-nam

duties:
"""


@pytest.fixture
def gia_lai_rollups(store, tmp_path):
    """Gia Lai's plan with a percentage reported without its parts (no aggregate: the default),
    targets that say how they roll up, a ``latest`` count and a baseline given alone."""
    import shutil

    from plantrack.loader import load_catalogue

    from .conftest import DEFINITIONS
    from .test_loader import edit

    tree = tmp_path / "definitions"
    shutil.copytree(DEFINITIONS, tree)
    plan = tree / "plans" / "gia-lai" / "kh-tmdt-chong-hang-gia.yaml"
    edit(plan, "     aggregate: max, basis: assumed,", "     basis: assumed,")
    edit(plan, "  - {id: vu-viec-xu-ly, name: Số vụ vi phạm trong TMĐT đã xử lý, unit_of_measure: vụ}",
         "  - {id: vu-viec-xu-ly, name: Số vụ vi phạm trong TMĐT đã xử lý, unit_of_measure: vụ, measure: stock, aggregate: latest}")
    edit(plan, "\nduties:\n", "\n" + ROLLUPS)
    # Sở Công Thương sends its own yearly figures too, and the forces the consumers' rate.
    edit(plan, "    units: [gl.cqltt, gl.stttt]\n    submit_to: gl.sct\n    indicators: [can-bo-thuc-thi,",
         "    units: [gl.sct, gl.cqltt, gl.stttt]\n    submit_to: gl.sct\n    indicators: [ty-le-nguoi-tieu-dung, can-bo-thuc-thi,")
    reports = {("bao-cao-nam", "gl.sct"): (vn(2023, 12, 10, 9), {"ty-le-nguoi-tieu-dung": "55", "can-bo-thuc-thi": "40", "vu-viec-xu-ly": "7"}),
               ("bao-cao-nam", "gl.cqltt"): (vn(2023, 12, 12, 9), {"ty-le-nguoi-tieu-dung": "70", "can-bo-thuc-thi": "60", "vu-viec-xu-ly": "12"}),
               ("bao-cao-ket-qua", "gl.sct"): (vn(2023, 12, 18, 9), {"ty-le-nguoi-tieu-dung": "55"})}
    with store.transaction() as session:
        sync_catalogue(session, load_catalogue(tree))
        for (key, unit), (when, values) in reports.items():
            occurrence = find_occurrence(session, None, "gl-kh-tmdt", key, unit, "2023")
            submission = record_submission(session, occurrence, when, f"1/BC-{unit}")
            session.flush()
            record_figures(session, submission, values)
    return store


def test_percentages_and_latest_figures_roll_up_and_say_how(gia_lai_rollups):
    with gia_lai_rollups.session() as session:
        found = {p.target["id"]: p for p in target_progress(session, "gl-kh-tmdt", vn(2024, 1, 10))}
    reported = [p for key, p in found.items() if key not in ("dao-tao-can-bo", "tuyen-truyen-nguoi-ban")]  # their parts not sent
    assert len(reported) == 6 and all(p.value is not None and p.how for p in reported)  # each rolls up and says how
    assert found["tuyen-truyen-nguoi-tieu-dung"].value == pytest.approx(55.0)  # only Sở Công Thương owes it
    assert found["tuyen-truyen-nguoi-tieu-dung"].how == "trung bình của 1/1 đơn vị"
    mean = found["nguoi-tieu-dung-trung-binh"]
    assert mean.value == pytest.approx(62.5) and mean.how == "trung bình của 2/3 đơn vị"
    assert mean.standing is Standing.ON_TRACK
    assert found["nguoi-tieu-dung-thap-nhat"].value == 55.0
    assert found["nguoi-tieu-dung-thap-nhat"].how == "thấp nhất trong 2/3 đơn vị"
    weighted = found["nguoi-tieu-dung-gia-quyen"]
    assert weighted.value == pytest.approx((55 * 40 + 70 * 60) / 100)  # 64.0: each unit weighed by its officials
    assert weighted.how.startswith("bình quân gia quyền theo số cán bộ") and weighted.how.endswith("của 2/3 đơn vị")
    latest = found["vu-viec-moi-nhat"]
    assert latest.value == 12.0 and latest.how == f"số liệu mới nhất, của {by_id(latest, 'gl.cqltt').name}"  # handed in last


def by_id(progress, unit_id):
    return next(u for u in progress.units if u.unit_id == unit_id)


def test_a_baseline_alone_is_shown_and_not_judged(gia_lai_rollups):
    with gia_lai_rollups.session() as session:
        found = {p.target["id"]: p for p in target_progress(session, "gl-kh-tmdt", vn(2024, 1, 10))}
    baseline = found["can-bo-hien-co"]
    assert baseline.standing is Standing.NOT_JUDGED and baseline.expected is None and not baseline.judged
    assert baseline.value == 100.0 and baseline.how == "tổng của 2/2 đơn vị"
    assert baseline.baseline_text == "hiện có khoảng 90 cán bộ, công chức thực thi (01/06/2023)"
    assert {u.standing for u in baseline.units} == {Standing.NOT_JUDGED}
    result = CliRunner().invoke(app, ["targets", "--plan", "gl-kh-tmdt", "--as-of", "2024-01-10", "--db", gia_lai_rollups.url])
    assert result.exit_code == 0, result.output
    flat = " ".join(result.output.split())
    for expected in ("hiện có khoảng 90", "Mốc hiện trạng", "trung bình của 2/3"):
        assert expected in flat, expected


def test_the_figures_page_shows_a_baseline_and_how_a_target_rolled_up(gia_lai_rollups, tmp_path):
    import httpx

    from plantrack.accounts import Role, add_account
    from plantrack.keys import demo_keyring
    from plantrack.testing import serving
    from plantrack.web.app import create_app

    from .test_dashboard import PASSWORD, sign_in

    with gia_lai_rollups.transaction() as session:
        add_account(session, "dieuphoi", "Điều phối", PASSWORD, vn(2024, 1, 10, 9), Role.ADMIN)
    app = create_app(gia_lai_rollups, demo_keyring("targets"), lambda: vn(2024, 1, 10, 9), tmp_path / "uploads", "http://127.0.0.1:1")
    with serving(app) as url, httpx.Client(base_url=url, follow_redirects=True) as client:
        sign_in(client, "dieuphoi")
        page = client.get("/ke-hoach/gl-kh-tmdt/so-lieu?bao_cao=bao-cao-nam&ky=2023").text
    baseline = page.split('<tr data-target="can-bo-hien-co" data-standing="not_judged">', 1)[1].split("</tr>", 1)[0]
    assert "mốc: hiện có khoảng 90 cán bộ, công chức thực thi (01/06/2023)" in baseline and "Mốc hiện trạng, không đánh giá" in baseline
    mean = page.split('<tr data-target="nguoi-tieu-dung-trung-binh"', 1)[1].split("</tr>", 1)[0]
    assert "62,5%" in mean and "(trung bình của 2/3 đơn vị)" in mean


def test_a_rollup_is_checked_where_it_is_written(tmp_path):
    """A weighted roll-up names its weight, an indicator the target's report carries; a target
    gives its value and day together."""
    import shutil

    from plantrack.errors import DefinitionError
    from plantrack.loader import load_catalogue

    from .conftest import DEFINITIONS
    from .test_loader import edit, line_of

    tree = tmp_path / "definitions"
    shutil.copytree(DEFINITIONS, tree)
    plan = tree / "plans" / "gia-lai" / "kh-tmdt-chong-hang-gia.yaml"
    edit(plan, "    indicator: ty-le-nguoi-tieu-dung\n    value: 100\n",
         "    indicator: ty-le-nguoi-tieu-dung\n    rollup: weighted\n    weight: so-dan\n    value: 100\n")
    with pytest.raises(DefinitionError) as caught:
        load_catalogue(tree)
    (problem,) = caught.value.problems
    assert (problem.field, problem.line) == ("targets[2].weight", line_of(plan, "weight: so-dan"))
    assert problem.message.startswith("unknown indicator 'so-dan'")
    edit(plan, "    weight: so-dan\n", "")
    edit(plan, "    indicator: ty-le-nguoi-ban-tuyen-truyen\n    value: 100\n    by: 2025-12-31\n",
         "    indicator: ty-le-nguoi-ban-tuyen-truyen\n    value: 100\n")
    with pytest.raises(DefinitionError) as caught:
        load_catalogue(tree)
    found = {(p.field, p.line): p.message for p in caught.value.problems}
    assert "'rollup: weighted' and 'weight: <indicator>' go together" in found[("targets[2]", line_of(plan, "  - id: tuyen-truyen-nguoi-tieu"))]
    assert "'value' and 'by' together" in found[("targets[1]", line_of(plan, "  - id: tuyen-truyen-nguoi-ban"))]


def test_the_compiled_report_shows_a_baseline_and_how_each_target_rolled_up(gia_lai_rollups, tmp_path):
    from openpyxl import load_workbook

    from plantrack.reporting import write_progress_report

    workbook, page = write_progress_report(gia_lai_rollups, "gl-kh-tmdt", vn(2024, 1, 10), tmp_path).files
    targets = {r[0]: r for r in load_workbook(workbook)["Mục tiêu"].iter_rows(min_row=2, values_only=True) if r[0]}
    baseline = targets["Cán bộ thực thi hiện có"]
    assert baseline[1] == 100.0 and baseline[2] is None and baseline[3].startswith("mốc: hiện có khoảng 90")
    assert baseline[5] == "Mốc hiện trạng, không đánh giá"
    assert targets["Tỷ lệ người tiêu dùng được tuyên truyền, trung bình các đơn vị"][6] == "từ 2/3 đơn vị (trung bình của 2/3 đơn vị)"
    html = page.read_text(encoding="utf-8")
    row = html.split('<tr data-target="can-bo-hien-co" data-standing="not_judged">', 1)[1].split("</tr>", 1)[0]
    assert "mốc: hiện có khoảng 90 cán bộ, công chức thực thi (01/06/2023)" in row and "(tổng của 2/2 đơn vị)" in row
