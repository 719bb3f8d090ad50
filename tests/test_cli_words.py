"""What the commands say: a request found under its obligation, a moved deadline named for what
moved it, the duties a unit leads or supports as its remit decides, and what the plan file
assumes. End to end through the command line, on SQLite and PostgreSQL."""

import datetime as dt

from sqlalchemy import select
from typer.testing import CliRunner

from plantrack.cli import app
from plantrack.store.models import Obligation
from plantrack.tracking import active_duties, status_rows

from .conftest import vn
from .test_loader import edit

D = dt.date


def run(*args, expect=0):
    result = CliRunner().invoke(app, [str(a) for a in args], env={"COLUMNS": "300"})
    assert result.exit_code == expect, (result.exit_code, result.output, result.exception)
    return result


def test_status_of_an_obligation_finds_the_requests_made_under_it(store, mini_dir):
    run("sync", mini_dir, "--db", store.url)
    run("request", "--plan", "t-plan", "--obligation", "dot-xuat", "--unit", "t.alpha", "--at", "2021-02-08T09:00", "--db", store.url)
    result = run("status", "--plan", "t-plan", "--obligation", "dot-xuat", "--as-of", "2021-02-10", "--db", store.url)
    assert "dot-xuat-20210208-1" in result.output and "Sở Alpha" in result.output
    assert "không có nghĩa vụ nào" not in result.output
    # Another obligation whose id begins the same is not taken for a request under this one.
    other = run("status", "--plan", "t-plan", "--obligation", "dot", "--as-of", "2021-02-10", "--db", store.url)
    assert "không có nghĩa vụ nào" in other.output


def test_a_request_on_the_plan_files_default_says_its_deadline_is_assumed(store, mini_dir):
    run("sync", mini_dir, "--db", store.url)
    run("request", "--plan", "t-plan", "--obligation", "dot-xuat", "--unit", "t.alpha", "--at", "2021-02-08T09:00", "--db", store.url)
    run("request", "--plan", "t-plan", "--obligation", "dot-xuat", "--unit", "t.beta", "--working-days", "3",
        "--at", "2021-02-09T09:00", "--db", store.url)
    with store.session() as session:
        rules = dict(session.execute(select(Obligation.key, Obligation.rule).where(Obligation.origin == "request")).all())
        rows = {r.unit_id: r for r in status_rows(session, vn(2021, 2, 10), "t-plan") if r.obligation_key.startswith("dot-xuat-")}
    assert rules["dot-xuat-20210208-1"]["basis"] == "assumed" and rules["dot-xuat-20210208-1"]["template"] == "dot-xuat"
    assert "basis" not in rules["dot-xuat-20210209-1"]  # three working days, as the coordinator asked
    assert rows["t.alpha"].assumption == "văn bản không nêu thời hạn; cơ quan điều phối đặt hạn mặc định"
    assert rows["t.beta"].assumption == ""
    explained = run("explain", "--plan", "t-plan", "--obligation", "dot-xuat-20210208-1", "--unit", "t.alpha", "--db", store.url)
    assert "tệp kế hoạch đặt mặc định: test default" in explained.output


def test_an_amendment_that_brings_a_deadline_forward_is_not_an_extension(store, mini_dir):
    run("sync", mini_dir, "--db", store.url)
    plan = mini_dir / "plan.yaml"
    edit(plan, "      before: 2020-11-16", "      before: 2020-11-12")
    edit(plan, "duties:\n", "amendments:\n  - {number: 5/KH-TEST, issued_on: 2020-11-14, effective_from: 2020-11-15, "
         "obligations: [ke-hoach]}\n\nduties:\n")
    run("sync", mini_dir, "--db", store.url)
    target = ["--plan", "t-plan", "--obligation", "ke-hoach", "--unit", "t.beta", "--db", store.url]
    explained = run("explain", *target)
    assert "Rút ngắn thời hạn theo văn bản sửa đổi" in explained.output and "Gia hạn" not in explained.output
    status = run("status", "--plan", "t-plan", "--obligation", "ke-hoach", "--as-of", "2020-11-30", "--db", store.url)
    assert "11/11/2020 (rút ngắn từ 16/11/2020)" in status.output and "gia hạn" not in status.output
    run("extend", *target, "--new-date", "2020-12-01", "--reason", "Chờ số liệu", "--approver", "Chánh Văn phòng",
        "--at", "2020-11-20T10:00")
    explained = run("explain", *target)
    assert "Rút ngắn thời hạn theo văn bản sửa đổi" in explained.output and "Gia hạn" in explained.output  # a person's extension is one


def test_a_recounted_step_is_not_an_extension(store, mini_dir):
    edit(mini_dir / "plan.yaml", "  - id: dot-xuat\n", "  - id: tong-hop\n    title: Báo cáo tổng hợp 6 tháng\n"
         "    section: IV.3\n    units: [t.office]\n    submit_to: t.committee\n"
         "    due: {type: after, obligation: bao-cao-6-thang, working_days: 5, counted_from: handed_in}\n  - id: dot-xuat\n")
    run("sync", mini_dir, "--db", store.url)
    for unit in ("t.alpha", "t.beta"):
        run("submit", "--plan", "t-plan", "--obligation", "bao-cao-6-thang", "--unit", unit, "--period", "2021-H1",
            "--date", "2021-06-15T09:00", "--db", store.url)
    explained = run("explain", "--plan", "t-plan", "--obligation", "tong-hop", "--unit", "t.office", "--period", "2021-H1",
                    "--db", store.url)
    assert "Tính lại thời hạn" in explained.output and "Gia hạn" not in explained.output
    status = run("status", "--plan", "t-plan", "--obligation", "tong-hop", "--as-of", "2021-06-20", "--db", store.url)
    assert "22/06/2021 (tính lại từ 24/06/2021)" in status.output


def test_duties_list_either_role_units_under_their_own_heading_and_mark_the_inferred(store, mini_dir):
    edit(mini_dir / "plan.yaml", "    lead_groups: [t.members]\n",
         "    lead: [t.beta]\n    either: [t.alpha]\n    assumed: {units: [t.alpha], note: 'Văn bản nêu chung \"các sở\"'}\n")
    run("sync", mini_dir, "--db", store.url)
    with store.session() as session:
        (row,) = active_duties(session, D(2021, 3, 1), "t-plan")
    assert (row.lead, row.either, row.support) == (["t.beta"], ["t.alpha"], ["t.office"])
    result = run("duties", "--as-of", "2021-03-01", "--db", store.url)
    header = next(line for line in result.output.splitlines() if "Chủ trì" in line)
    assert "Chủ trì hoặc phối hợp" in header
    assert "t.alpha *" in result.output and "t.beta *" not in result.output
    assert "Đơn vị có dấu *: văn bản không nêu đơn vị thực hiện; cơ quan điều phối xác định đơn vị." in result.output
    mine = run("duties", "--as-of", "2021-03-01", "--unit", "t.alpha", "--db", store.url)
    assert "lap-ke-hoach" in mine.output or "Xây dựng kế hoạch" in mine.output


def test_a_units_calendar_says_which_deadlines_are_the_coordinators_default(store, mini_dir, tmp_path):
    import icalendar

    run("sync", mini_dir, "--db", store.url)
    run("calendar", "--unit", "t.alpha", "--output", tmp_path / "alpha.ics", "--db", store.url)
    events = icalendar.Calendar.from_ical((tmp_path / "alpha.ics").read_bytes()).walk("VEVENT")
    said = {str(e["SUMMARY"]).split(" (", 1)[0]: str(e["DESCRIPTION"]) for e in events}
    default = "Văn bản không nêu thời hạn; cơ quan điều phối đặt hạn mặc định."
    assert default in said["Hạn: Báo cáo 6 tháng"] and default not in said["Hạn: Gửi kế hoạch của đơn vị"]
