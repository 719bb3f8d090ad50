"""Work the text gives no date ("kịp thời", "sau khi có Quy chế của TW", "theo tiến độ của
Luật …"): tracked as open "chưa có thời hạn", never chased by the real watch, counted alike in
Python and SQL, until a coordinator sets the date; then reminded and chased like any other."""

import datetime as dt

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from plantrack.cli import app
from plantrack.deadlines import NO_DEADLINE
from plantrack.errors import PlantrackError
from plantrack.loader import load_catalogue
from plantrack.progress import compile_report
from plantrack.store.models import Notice
from plantrack.store.sync import sync_catalogue
from plantrack.tracking import Status, find_occurrence, grant_extension, record_submission, status_rows
from plantrack.undated import set_deadline
from plantrack.watch import watch

from .conftest import vn
from .test_loader import edit

D = dt.date
UNDATED = (
    "  - id: kip-thoi\n    title: Báo cáo kịp thời khi có vụ việc\n    section: IV.4\n    groups: [t.members]\n"
    "    submit_to: t.office\n    due: {type: unscheduled, written: kịp thời}\n"
    "  - id: theo-luat\n    title: Rà soát văn bản theo Luật Dữ liệu\n    section: IV.5\n    groups: [t.members]\n"
    "    submit_to: t.office\n    due: {type: external, reference: Luật Dữ liệu}\n"
    "  - id: sau-quy-che\n    title: Ban hành quy chế phối hợp\n    section: IV.6\n    units: [t.office]\n"
    "    due: {type: after, event: có Quy chế của TW}\n"
)
KEYS = ("kip-thoi", "theo-luat", "sau-quy-che")


@pytest.fixture
def undated(store, mini_dir):
    edit(mini_dir / "plan.yaml", "  - id: dot-xuat\n", UNDATED + "  - id: dot-xuat\n")
    with store.transaction() as session:
        sync_catalogue(session, load_catalogue(mini_dir))
    return store


def _rows(session, as_of):
    return {(r.obligation_key, r.unit_id): r for r in status_rows(session, as_of, "t-plan") if r.obligation_key in KEYS}


def _notices(session, keys=KEYS):
    ids = {find_occurrence(session, None, "t-plan", key, unit).id for key in keys
           for unit in (("t.office",) if key == "sau-quy-che" else ("t.alpha", "t.beta"))}
    return session.scalars(select(Notice).where(Notice.occurrence_id.in_(ids))).all()


def test_work_without_a_date_is_open_and_never_chased_until_a_coordinator_sets_it(undated):
    with undated.transaction() as session:
        rows = _rows(session, vn(2021, 6, 1, 12))
        assert len(rows) == 5 and {r.status for r in rows.values()} == {Status.NO_DEADLINE}
        assert rows[("theo-luat", "t.alpha")].deadline_vi == "theo tiến độ của Luật Dữ liệu"
        assert rows[("sau-quy-che", "t.office")].deadline_vi == "chưa có thời hạn (sau khi có Quy chế của TW)"
        # The counts of the pages, in SQL, say the same: five open, none overdue on their account.
        report = compile_report(session, "t-plan", vn(2023, 10, 30, 12), implementing=False, notices=False)
        assert report.counts[Status.NO_DEADLINE] == 5
        # The real watch, on a day of the plan and on its last day: nothing for this work.
        for day in (vn(2021, 6, 15, 7, 30), vn(2023, 10, 31, 7, 30)):
            found = watch(session, day)
            overdue = [r for r in status_rows(session, day, "t-plan") if r.status is Status.OVERDUE]
            assert found.overdue_total == len(overdue) > 0  # the dated work's, none of this
        assert _notices(session) == []
        assert session.scalars(select(Notice)).first() is not None  # the watch did chase the dated work

    runner = CliRunner()
    result = runner.invoke(app, ["set-deadline", "--plan", "t-plan", "--obligation", "theo-luat", "--date", "2021-06-14",
                                 "--reference", "Quyết định 12/QĐ-TTg về tiến độ thi hành Luật Dữ liệu", "--by", "Chánh Văn phòng",
                                 "--at", "2021-06-01T08:00+07:00", "--db", undated.url])
    assert result.exit_code == 0, result.output
    assert "cho 2 việc" in result.output and "14/06/2021" in result.output

    with undated.transaction() as session:
        before, after = _rows(session, vn(2021, 5, 31, 12)), _rows(session, vn(2021, 6, 2, 12))
        assert before[("theo-luat", "t.alpha")].status is Status.NO_DEADLINE  # an earlier as_of keeps no deadline
        assert after[("theo-luat", "t.alpha")].status is Status.IN_PROGRESS
        assert after[("theo-luat", "t.alpha")].effective_due == D(2021, 6, 14) and not after[("theo-luat", "t.alpha")].extended
        assert after[("kip-thoi", "t.alpha")].status is Status.NO_DEADLINE
        assert _rows(session, vn(2021, 6, 20, 12))[("theo-luat", "t.beta")].status is Status.OVERDUE
        watch(session, vn(2021, 6, 7, 7, 30))  # 5 working days before Monday 14/06
        chased = _notices(session)
        assert chased and {n.occurrence.obligation.key for n in chased} == {"theo-luat"}
        assert {n.deadline for n in chased} == {D(2021, 6, 14)}
        # A hand-in of undated work is on time: there was no day to be late for.
        record_submission(session, find_occurrence(session, None, "t-plan", "kip-thoi", "t.beta"), vn(2021, 7, 1, 9))
        assert _rows(session, vn(2021, 7, 2, 12))[("kip-thoi", "t.beta")].status is Status.ON_TIME


def test_the_cli_shows_work_without_a_date_in_vietnamese_never_a_made_up_day(undated, tmp_path):
    runner = CliRunner()
    with undated.session() as session:
        office = find_occurrence(session, None, "t-plan", "sau-quy-che", "t.office").id
    status = runner.invoke(app, ["status", "--plan", "t-plan", "--as-of", "2021-06-01", "--db", undated.url], terminal_width=250)
    explain = runner.invoke(app, ["explain", "--occurrence", str(office), "--db", undated.url], terminal_width=250)
    duties = runner.invoke(app, ["duties", "--plan", "t-plan", "--as-of", "2021-06-01", "--db", undated.url], terminal_width=250)
    calendar = runner.invoke(app, ["calendar", "--unit", "t.alpha", "--output", str(tmp_path / "a.ics"), "--db", undated.url])
    assert calendar.exit_code == 0 and "9999" not in (tmp_path / "a.ics").read_text(encoding="utf-8")  # no day, no event
    for result in (status, explain, duties):
        assert result.exit_code == 0, result.output
        assert "9999" not in result.output
    assert "theo tiến độ của Luật Dữ liệu" in status.output and "Chưa có thời hạn" in status.output
    assert "Đang mở — thời hạn: chưa có thời hạn (sau khi có Quy chế của TW)." in explain.output
    assert "Việc đang mở, chưa có thời hạn (5)" in duties.output and "Ban hành quy chế phối hợp" in duties.output

    runner.invoke(app, ["set-deadline", "--occurrence", str(office), "--date", "2021-07-01", "--reference", "Quy chế số 5-QC/TW",
                        "--at", "2021-06-01T08:00+07:00", "--db", undated.url])
    explain = runner.invoke(app, ["explain", "--occurrence", str(office), "--db", undated.url], terminal_width=250)
    assert "Ấn định thời hạn" in explain.output and "ấn định thời hạn 01/07/2021 theo Quy chế số 5-QC/TW" in explain.output
    assert "Đang mở — thời hạn" not in explain.output and "9999" not in explain.output


def test_a_date_is_set_once_and_an_extension_needs_one(undated, mini_dir):
    with undated.transaction() as session:
        work = find_occurrence(session, None, "t-plan", "kip-thoi", "t.alpha")
        with pytest.raises(PlantrackError, match="no deadline yet"):
            grant_extension(session, work, D(2021, 7, 1), "chờ", "Trưởng ban", vn(2021, 6, 1, 8))
        with pytest.raises(PlantrackError, match="before the plan was issued"):
            set_deadline(session, work, D(2020, 1, 1), "Quyết định 1", "Văn phòng", vn(2021, 6, 1, 8))
        set_deadline(session, work, D(2021, 6, 13), "Quyết định 1", "Văn phòng", vn(2021, 6, 1, 8))
        assert work.current_due_date == D(2021, 6, 14)  # Sunday 13/06: art. 148(5) carries it to Monday
        assert work.due_date == NO_DEADLINE  # what the text said stays
        with pytest.raises(PlantrackError, match="has a deadline already"):
            set_deadline(session, work, D(2021, 7, 1), "Quyết định 2", "Văn phòng", vn(2021, 6, 2, 8))
        grant_extension(session, work, D(2021, 7, 1), "chờ số liệu", "Trưởng ban", vn(2021, 6, 10, 8))  # now an extension is one
        assert work.current_due_date == D(2021, 7, 1)
    # A later sync of the same plan leaves the date a coordinator set.
    with undated.transaction() as session:
        sync_catalogue(session, load_catalogue(mini_dir))
        assert find_occurrence(session, None, "t-plan", "kip-thoi", "t.alpha").current_due_date == D(2021, 7, 1)



def test_the_dashboard_lists_work_without_a_date_and_a_coordinator_sets_it(undated, tmp_path):
    import httpx

    from plantrack.accounts import Role, add_account
    from plantrack.keys import demo_keyring
    from plantrack.testing import serving
    from plantrack.web.app import create_app

    from .test_dashboard import PASSWORD, csrf_of, sign_in

    now = vn(2021, 6, 1, 10)
    with undated.transaction() as session:
        add_account(session, "dieuphoi", "Chánh Văn phòng", PASSWORD, now, Role.COORDINATOR, ["t-plan"])
        add_account(session, "xem", "Người xem", PASSWORD, now, Role.VIEWER)
        alpha = find_occurrence(session, None, "t-plan", "kip-thoi", "t.alpha").id
    form = {"plan": "t-plan", "obligation": "theo-luat", "new_date": "2021-06-14", "reference": "Quyết định 12/QĐ-TTg"}
    app = create_app(undated, demo_keyring("undated"), lambda: now, tmp_path / "uploads", "http://127.0.0.1:1")
    with serving(app) as server:
        app.state.context.public_url = server  # links are built from the address the test serves on
        with httpx.Client(base_url=server) as viewer:
            sign_in(viewer, "xem")
            page = viewer.get("/ke-hoach/t-plan").text
            assert 'id="undated"' in page and "theo tiến độ của Luật Dữ liệu" in page and "chưa có thời hạn (“kịp thời”)" in page
            assert 'class="stack set-deadline"' not in page  # a viewer reads, does not act
            listed = page.split('id="undated"', 1)[1].split("</table>", 1)[0]
            assert "2: Sở Alpha, Ban Chỉ đạo 389 huyện Beta" in listed
            assert 'data-status="no_deadline"' in page and "9999" not in page
            refused = viewer.post("/dieu-phoi/an-dinh-han", data={**form, "csrf": csrf_of(page)})
            assert refused.status_code == 403
        with httpx.Client(base_url=server) as office:
            sign_in(office, "dieuphoi")
            page = office.get("/ke-hoach/t-plan").text
            assert 'action="/dieu-phoi/an-dinh-han"' in page
            assert office.post("/dieu-phoi/an-dinh-han", data=form).status_code == 403  # no CSRF token
            done = office.post("/dieu-phoi/an-dinh-han", data={**form, "csrf": csrf_of(page)}, follow_redirects=True)
            assert "Đã ấn định thời hạn 14/06/2021 cho 2 đơn vị" in done.text
            assert 'data-obligation="theo-luat"' not in done.text and 'data-obligation="kip-thoi"' in done.text
            unit = office.get("/don-vi/t.alpha").text
            assert "chưa có thời hạn (“kịp thời”)" in unit and f'action="/dieu-phoi/an-dinh-han/{alpha}"' in unit
            row = unit.split(f'<tr data-occurrence="{alpha}">', 1)[1].split("</tr>", 1)[0]
            link = row.split('href="', 1)[1].split('"', 1)[0]  # the unit's own hand-in link, for work with no date too
            handin = httpx.get(link)
            assert handin.status_code == 200 and "chưa có thời hạn" in handin.text and "9999" not in handin.text
            assert "14/06/2021" in unit and "9999" not in unit  # the date set, and the history says "chưa có thời hạn" before it
            one = office.post(f"/dieu-phoi/an-dinh-han/{alpha}", data={"new_date": "2021-06-30", "reference": "Công văn 5/VP",
                                                                        "csrf": csrf_of(unit)}, follow_redirects=True)
            assert f"Đã ấn định thời hạn nhiệm vụ #{alpha}: 30/06/2021" in one.text
            again = office.post(f"/dieu-phoi/an-dinh-han/{alpha}", data={"new_date": "2021-07-30", "reference": "x",
                                                                          "csrf": csrf_of(unit)})
            assert again.status_code == 422 and "deadline already" in again.text
    with undated.session() as session:
        rows = _rows(session, vn(2021, 6, 2, 12))
        assert rows[("theo-luat", "t.beta")].effective_due == D(2021, 6, 14) and rows[("kip-thoi", "t.alpha")].effective_due == D(2021, 6, 30)
        assert rows[("kip-thoi", "t.beta")].status is Status.NO_DEADLINE


def test_a_replays_habits_leave_work_without_a_date_alone(undated):
    """A habit hands in some days before or after a deadline: work with none has no such day."""
    from plantrack.replay import habit_submissions
    from plantrack.scenario import Habit, ScenarioFile, ScenarioHeader

    scenario = ScenarioFile(scenario=ScenarioHeader(title="test"), habits=[Habit(submits="late", working_days=2),
                                                                            Habit(submits="on_time", working_days=1)])
    with undated.session() as session:
        found = habit_submissions(session, scenario, D(2020, 11, 5), D(2023, 10, 31))
        handed = {i for ids in found.values() for i in ids}
        undated_ids = {find_occurrence(session, None, "t-plan", key, unit).id for key in ("kip-thoi", "theo-luat")
                       for unit in ("t.alpha", "t.beta")}
        assert handed and not handed & undated_ids


def test_work_without_a_date_is_owed_by_the_bodies_of_its_period_not_later_ones(store, mini_dir):
    """Who owes an occurrence is decided on its deadline; with none, on the end of its period."""
    edit(mini_dir / "registry.yaml", "groups:\n  t.members: [t.alpha, t.beta]",
         "  - id: t.gamma\n    name: Sở Gamma\n    kind: department\n    parent: t.committee\n    valid_from: 2024-01-01\n"
         "    contacts: {to: [gamma@units.example]}\n\ngroups:\n  t.members: [t.alpha, t.beta, t.gamma]")
    edit(mini_dir / "plan.yaml", "  - id: dot-xuat\n", UNDATED + "  - id: dot-xuat\n")
    with store.transaction() as session:
        sync_catalogue(session, load_catalogue(mini_dir))
        owing = {r.unit_id for r in status_rows(session, vn(2023, 10, 30, 12), "t-plan") if r.obligation_key == "kip-thoi"}
    assert owing == {"t.alpha", "t.beta"}  # Sở Gamma, created after the plan ended, owes none of it


def test_a_coordinator_of_a_subtree_sets_the_date_for_its_own_units_only(undated, tmp_path):
    import httpx

    from plantrack.accounts import Role, add_account
    from plantrack.keys import demo_keyring
    from plantrack.testing import serving
    from plantrack.web.app import create_app

    from .test_dashboard import PASSWORD, csrf_of, sign_in

    now = vn(2021, 6, 1, 10)
    with undated.transaction() as session:
        add_account(session, "alpha", "Cán bộ Sở Alpha", PASSWORD, now, Role.COORDINATOR, ["t-plan"], "t.alpha")
    app = create_app(undated, demo_keyring("undated"), lambda: now, tmp_path / "uploads", "http://127.0.0.1:1")
    with serving(app) as server, httpx.Client(base_url=server) as alpha:
        sign_in(alpha, "alpha")
        page = alpha.get("/ke-hoach/t-plan").text
        listed = page.split('id="undated"', 1)[1].split("</table>", 1)[0]
        assert "1: Sở Alpha" in listed and "Beta" not in listed
        done = alpha.post("/dieu-phoi/an-dinh-han", data={"plan": "t-plan", "obligation": "theo-luat", "new_date": "2021-06-11",
                                                          "reference": "Công văn 3/SA", "csrf": csrf_of(page)}, follow_redirects=True)
        assert "cho 1 đơn vị" in done.text
    with undated.session() as session:
        rows = _rows(session, vn(2021, 6, 2, 12))
    assert rows[("theo-luat", "t.alpha")].effective_due == D(2021, 6, 11) and rows[("theo-luat", "t.beta")].status is Status.NO_DEADLINE
