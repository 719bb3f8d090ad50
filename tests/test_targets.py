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
