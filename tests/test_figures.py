"""Figures in and up: a report's indicators defined in the plan (inherited by the plans that
implement it), figures handed in with a submission through the CLI, refused in Vietnamese when
they are not what the indicator takes (and nothing kept), corrected by a later submission, and
added up per period with their coverage."""

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from plantrack.cli import app
from plantrack.figures import FigureError, compile_figures, format_value, parse_figure, record_figures
from plantrack.loader import load_catalogue
from plantrack.store.models import Figure, Submission
from plantrack.store.sync import sync_catalogue

from .test_loader import edit

INDICATORS = """indicators:
  - {id: vu-kiem-tra, name: Số vụ kiểm tra, unit_of_measure: vụ}
  - {id: vu-vi-pham, name: Số vụ vi phạm, unit_of_measure: vụ}
  - {id: tien-phat, name: Số tiền xử phạt, unit_of_measure: đồng, kind: amount}
  - {id: ty-le-vi-pham, name: Tỷ lệ vụ vi phạm, kind: percentage, aggregate: ratio, ratio_of: [vu-vi-pham, vu-kiem-tra]}
  - {id: co-ke-hoach, name: Đã ban hành kế hoạch, kind: yes_no}

duties:
"""


@pytest.fixture
def with_indicators(store, mini_dir):
    edit(mini_dir / "plan.yaml", "\nduties:\n", "\n" + INDICATORS)
    edit(mini_dir / "plan.yaml", "      days_after_cutoff: 3\n", "      days_after_cutoff: 3\n")
    edit(mini_dir / "plan.yaml", "    title: Báo cáo 6 tháng\n", "    title: Báo cáo 6 tháng\n"
         "    indicators: [vu-kiem-tra, vu-vi-pham, tien-phat, ty-le-vi-pham, co-ke-hoach]\n")
    with store.transaction() as session:
        sync_catalogue(session, load_catalogue(mini_dir))
    return store


def submit(store, unit, day, *figures):
    args = ["submit", "--plan", "t-plan", "--obligation", "bao-cao-6-thang", "--unit", unit, "--period", "2021-H1",
            "--date", day, "--db", store.url]
    for figure in figures:
        args += ["--figure", figure]
    return CliRunner().invoke(app, args)


def test_figures_handed_in_add_up_with_their_coverage(with_indicators):
    store = with_indicators
    done = submit(store, "t.alpha", "2021-06-15T09:00:00+07:00", "vu-kiem-tra=12", "vu-vi-pham=3", "tien-phat=1.250.000.000",
                  "co-ke-hoach=có")
    assert done.exit_code == 0, done.output
    with store.session() as session:
        half = compile_figures(session, "t-plan", "bao-cao-6-thang", "2021-H1")
    totals = {t.indicator["id"]: t for t in half.totals}
    assert totals["vu-kiem-tra"].value == 12 and totals["vu-kiem-tra"].coverage == "từ 1/2 đơn vị"
    assert totals["vu-kiem-tra"].missing == ["t.beta"]
    assert format_value(totals["tien-phat"].indicator, totals["tien-phat"].value) == "1.250.000.000 đồng"
    # Bình: the second unit reports; then Alpha corrects its count (its later submission wins).
    assert submit(store, "t.beta", "2021-06-16T10:00:00+07:00", "vu-kiem-tra=8", "vu-vi-pham=1", "tien-phat=50000000",
                  "co-ke-hoach=không").exit_code == 0
    assert submit(store, "t.alpha", "2021-06-17T08:00:00+07:00", "vu-kiem-tra=14", "vu-vi-pham=3", "tien-phat=1250000000",
                  "co-ke-hoach=có").exit_code == 0
    result = CliRunner().invoke(app, ["figures", "--plan", "t-plan", "--obligation", "bao-cao-6-thang", "--period", "2021-H1",
                                      "--db", store.url])
    assert result.exit_code == 0, result.output
    for expected in ("Số vụ kiểm tra", "22 vụ", "từ 2/2 đơn vị", "1.300.000.000 đồng", "18,2%"):
        assert expected in result.output, expected
    with store.session() as session:
        half = compile_figures(session, "t-plan", "bao-cao-6-thang", "2021-H1")
        assert session.scalar(select(func.count()).select_from(Figure)) == 12  # the corrected figures stay
    totals = {t.indicator["id"]: t for t in half.totals}
    assert totals["vu-kiem-tra"].value == 22 and totals["co-ke-hoach"].value == 1  # one unit of two has its plan
    assert totals["ty-le-vi-pham"].value == pytest.approx(100 * 4 / 22)
    with store.session() as session:
        only = compile_figures(session, "t-plan", "bao-cao-6-thang", "2021-H1", node="t.alpha")
    assert {t.indicator["id"]: t.value for t in only.totals}["vu-kiem-tra"] == 14


def test_a_figure_that_is_not_what_the_indicator_takes_is_refused_and_nothing_is_kept(with_indicators):
    store = with_indicators
    for figure, says in (("vu-kiem-tra=12a", "không phải là một số"), ("vu-kiem-tra=2,5", "phải là số nguyên"),
                         ("co-ke-hoach=có lẽ", "ghi “có” hoặc “không”"), ("vu-kiem-tra=-1", "không được âm"),
                         ("so-nguoi=3", "không có chỉ tiêu so-nguoi")):
        result = submit(store, "t.alpha", "2021-06-15T09:00:00+07:00", figure)
        assert result.exit_code == 2 and says in result.output and "Traceback" not in result.output, (figure, result.output)
    with store.session() as session:
        assert session.scalar(select(func.count()).select_from(Submission)) == 0


def test_figures_are_read_as_vietnamese_write_them():
    count = {"id": "n", "name": "Số vụ", "kind": "count"}
    amount = {"id": "a", "name": "Số tiền", "kind": "amount"}
    percent = {"id": "p", "name": "Tỷ lệ", "kind": "percentage"}
    assert parse_figure(count, " 1.234 ") == (1234.0, None)
    assert parse_figure(amount, "1.250.000,5") == (1250000.5, None)
    assert parse_figure(amount, "12,5") == (12.5, None)
    assert parse_figure(percent, "85,5") == (85.5, None)
    with pytest.raises(FigureError, match="không quá 100"):
        parse_figure(percent, "120")
    assert parse_figure({"id": "t", "name": "Ghi chú", "kind": "text"}, "Đã xử lý") == (None, "Đã xử lý")


def test_an_obligation_names_only_indicators_of_its_plan_or_those_above(mini_dir):
    from plantrack.errors import DefinitionError

    edit(mini_dir / "plan.yaml", "    title: Báo cáo 6 tháng\n", "    title: Báo cáo 6 tháng\n    indicators: [vu-kiem-tra]\n")
    with pytest.raises(DefinitionError) as caught:
        load_catalogue(mini_dir)
    (problem,) = caught.value.problems
    assert problem.field == "obligations[1].indicators[0]" and "unknown indicator 'vu-kiem-tra'" in problem.message


def test_a_scenario_hands_in_figures(with_indicators, tmp_path):
    from plantrack.testing import apply_scenario_file

    scenario = tmp_path / "figures.yaml"
    scenario.write_text("""scenario: {title: Số liệu thử}
submissions:
  - {plan: t-plan, obligation: bao-cao-6-thang, unit: t.beta, period: 2021-H1, submitted_at: "2021-06-15T09:00:00+07:00",
     figures: {vu-kiem-tra: 7, tien-phat: "2.500.000"}}
""", encoding="utf-8")
    apply_scenario_file(with_indicators, scenario)
    with with_indicators.session() as session:
        totals = {t.indicator["id"]: t for t in compile_figures(session, "t-plan", "bao-cao-6-thang", "2021-H1").totals}
    assert totals["vu-kiem-tra"].value == 7 and totals["tien-phat"].value == 2_500_000 and totals["vu-kiem-tra"].reported == ["t.beta"]


def test_figures_go_up_the_cascade_once(store, real_catalogue):
    """District → city → nation: plan 399's 6-monthly report counts Hà Nội through the city. While
    the city has not reported, its units' figures (under plan 03) stand in for it; once it has,
    its own figure counts, and its units' are not counted twice."""
    from plantrack.testing import apply_scenario_file
    from plantrack.tracking import find_occurrence, record_submission

    from .conftest import ROOT, vn

    with store.transaction() as session:
        sync_catalogue(session, real_catalogue)
    apply_scenario_file(store, ROOT / "scenarios" / "figures-demo.yaml")
    with store.session() as session:
        city = {t.indicator["id"]: t for t in compile_figures(session, "hn-kh-03", "bao-cao-6-thang", "2021-H1").totals}
        nation = compile_figures(session, "kh-399", "bao-cao-6-thang", "2021-H1")
    totals = {t.indicator["id"]: t for t in nation.totals}
    assert city["vu-kiem-tra"].value == 364 and city["vu-kiem-tra"].coverage == "từ 8/43 đơn vị"
    assert totals["vu-kiem-tra"].value == 364 and "vn.province.ha-noi" in totals["vu-kiem-tra"].reported
    assert nation.rolled_up == ["vn.province.ha-noi"] and "hn.ca" not in totals["vu-kiem-tra"].reported + totals["vu-kiem-tra"].missing
    assert totals["vu-kiem-tra"].coverage == "từ 1/" + str(len(totals["vu-kiem-tra"].missing) + 1) + " đơn vị"
    with store.transaction() as session:  # the city hands in its own compiled report
        submission = record_submission(session, find_occurrence(session, None, "kh-399", "bao-cao-6-thang", "vn.province.ha-noi",
                                                                "2021-H1"), vn(2021, 6, 19, 9), "210/BC-BCĐ389")
        session.flush()
        record_figures(session, submission, {"vu-kiem-tra": "410", "vu-vi-pham": "290"})
    with store.session() as session:
        nation = compile_figures(session, "kh-399", "bao-cao-6-thang", "2021-H1")
    totals = {t.indicator["id"]: t for t in nation.totals}
    assert totals["vu-kiem-tra"].value == 410 and nation.rolled_up == ["vn.province.ha-noi"]  # still rolled for the fines
    assert totals["tien-xu-phat"].value == 5_518_000_000  # the city gave no fines: its units' stand in
    assert totals["ty-le-vi-pham"].value == pytest.approx(100 * 290 / 410)
