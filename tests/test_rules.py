"""Due rules: one module each, every schema type registered, and the rules added for plans
as they are written (time frames, a start date, a first occurrence)."""

import datetime as dt
import importlib
import pkgutil
import typing

import pytest
from pydantic import ValidationError

import plantrack.rules as rules
from plantrack.calendar import WorkCalendar
from plantrack.rules import REGISTRY, expand, parse_window
from plantrack.schema import ObligationDef, Period

D = dt.date
PERIOD = Period(start=D(2025, 11, 1), end=D(2027, 12, 31))
ISSUED = D(2025, 11, 10)


def obligation(due: dict) -> ObligationDef:
    return ObligationDef.model_validate({"id": "o", "title": "Báo cáo", "section": "II.3", "units": ["u"], "due": due})


def test_every_rule_type_of_the_schema_is_registered_by_a_module_of_its_own():
    union = typing.get_args(ObligationDef.model_fields["due"].annotation)
    if len(union) == 1:  # still wrapped in Annotated
        union = typing.get_args(union[0])
    schema_types = {typing.get_args(model.model_fields["type"].annotation)[0] for model in union}
    assert schema_types == set(REGISTRY)
    modules = {name for _, name, _ in pkgutil.iter_modules(rules.__path__)} - {"base"}
    registered_in = {importlib.import_module(model.__module__).__name__.rsplit(".", 1)[1] for model in REGISTRY.values()}
    assert registered_in == modules and len(modules) == len(REGISTRY)  # one rule per module, every module a rule


def test_an_unregistered_rule_is_an_error_not_silence():
    class Stray:
        section, title = "I", "x"
        due = object()

    with pytest.raises(TypeError, match="not registered"):
        expand(Stray(), ["u"], PERIOD, ISSUED, WorkCalendar())


@pytest.mark.parametrize("written, start, end", [
    ("Quý III/2026", D(2026, 7, 1), D(2026, 9, 30)),
    ("quý 4/2025", D(2025, 10, 1), D(2025, 12, 31)),
    ("Tháng 11 - 12/2025", D(2025, 11, 1), D(2025, 12, 31)),
    ("Tháng 11/2025", D(2025, 11, 1), D(2025, 11, 30)),
    ("Tháng 2/2026", D(2026, 2, 1), D(2026, 2, 28)),
    ("Tháng 11/2025 – tháng 3/2026", D(2025, 11, 1), D(2026, 3, 31)),
    ("năm 2026 - 2027", D(2026, 1, 1), D(2027, 12, 31)),
    ("Năm 2026", D(2026, 1, 1), D(2026, 12, 31)),
    ("Quý IV/2025 - Quý II/2026", D(2025, 10, 1), D(2026, 6, 30)),
    ("6 tháng đầu năm 2026", D(2026, 1, 1), D(2026, 6, 30)),
    ("trong Quý I/2026", D(2026, 1, 1), D(2026, 3, 31)),
    ("2025", D(2025, 1, 1), D(2025, 12, 31)),  # a task table's column
    ("Quí IV-2025", D(2025, 10, 1), D(2025, 12, 31)),  # another table's spelling
    ("2026 - 2027", D(2026, 1, 1), D(2027, 12, 31)),
    ("quý I năm 2026", D(2026, 1, 1), D(2026, 3, 31)),  # a decision's spelling (2530/QĐ-TTg)
    ("Giai đoạn 2026 - 2030", D(2026, 1, 1), D(2030, 12, 31)),
    ("trong giai đoạn 2026 - 2028", D(2026, 1, 1), D(2028, 12, 31)),
])
def test_time_frames_are_read_as_written(written, start, end):
    assert parse_window(written) == (start, end)


@pytest.mark.parametrize("written", ["Quý V/2026", "Tháng 13/2025", "sớm nhất có thể", "Quý II/2026 - Quý I/2026", "26/2026",
                                     "giai đoạn 2030 - 2026", "giai đoạn đầu"])
def test_a_time_frame_the_rule_cannot_read_is_refused_with_examples(written):
    with pytest.raises(ValidationError, match="Quý III/2026|ends before it starts"):
        obligation({"type": "within", "written": written})


def test_a_quarter_is_due_by_its_last_day_and_opens_on_its_first():
    (spec,) = expand(obligation({"type": "within", "written": "Quý III/2026"}), ["u"], PERIOD, ISSUED, WorkCalendar())
    assert (spec.opens_on, spec.deadline.written_date, spec.deadline.due_date) == (D(2026, 7, 1), D(2026, 9, 30), D(2026, 9, 30))
    assert spec.period_label == "Quý III/2026"
    assert "“Quý III/2026” (01/07/2026–30/09/2026)" in spec.deadline.steps[0].vi
    assert not any("mặc định" in step.vi for step in spec.deadline.steps)  # stated: explain says so, and nothing else
    (early,) = expand(obligation({"type": "within", "written": "Tháng 11 - 12/2025"}), ["u"], PERIOD, ISSUED, WorkCalendar())
    assert early.opens_on == ISSUED and early.deadline.due_date == D(2025, 12, 31)  # opens when the plan is issued
    (weekend,) = expand(obligation({"type": "within", "written": "Năm 2026"}), ["u"], PERIOD, ISSUED, WorkCalendar())
    assert weekend.deadline.written_date == D(2026, 12, 31) and weekend.deadline.due_date == D(2026, 12, 31)  # a Thursday


def test_a_window_announces_its_last_day_not_a_bare_weekday():
    (spec,) = expand(obligation({"type": "within", "written": "Quý IV/2025 - Quý II/2026"}), ["u"], PERIOD, ISSUED, WorkCalendar())
    assert spec.deadline.phrase == "trong Quý IV/2025 - Quý II/2026 (hạn cuối 30/06/2026, Thứ Ba)"
    (moved,) = expand(obligation({"type": "within", "written": "Quý I/2026"}), ["u"], PERIOD, ISSUED, WorkCalendar())
    assert moved.deadline.phrase == "trong Quý I/2026 (hạn cuối 31/03/2026, Thứ Ba)"
    (sunday,) = expand(obligation({"type": "within", "written": "Tháng 5/2026"}), ["u"], PERIOD, ISSUED, WorkCalendar())
    assert sunday.deadline.phrase == "trong Tháng 5/2026 (hạn cuối 01/06/2026, Thứ Hai)"  # Sunday 31/05 moves on


@pytest.mark.parametrize("due, words", [
    ({"type": "one_off", "before": "2025-11-15"}, "trước ngày 15/11/2025"),
    ({"type": "one_off", "at_latest_on": "2025-11-14"}, "chậm nhất ngày 14/11/2025"),
])
def test_a_deadline_gone_when_the_plan_was_issued_quotes_the_text_and_says_so(due, words):
    issued = D(2025, 11, 21)  # a Friday, after the text's own date
    (spec,) = expand(obligation(due), ["u"], PERIOD, issued, WorkCalendar())
    assert spec.deadline.due_date == issued
    assert spec.deadline.phrase == f"{words} (ngày này đã qua khi văn bản ban hành ngày 21/11/2025; hạn đến hết Thứ Sáu, 21/11/2025)"
    said = " ".join(step.vi for step in spec.deadline.steps)
    assert "chậm nhất ngày 21/11/2025" not in said.lower()  # words the text never used
    assert f"Văn bản ghi “{words}”, nhưng ngày đó đã qua khi văn bản ban hành ngày 21/11/2025" in said
    (saturday,) = expand(obligation(due), ["u"], PERIOD, D(2025, 11, 22), WorkCalendar())
    assert saturday.deadline.due_date == D(2025, 11, 24)  # issued on a Saturday: art. 148(5) still applies
    assert saturday.deadline.phrase.endswith("hạn đến hết Thứ Hai, 24/11/2025)")


def test_not_before_opens_the_work_on_its_day():
    due = {"type": "one_off", "at_latest_on": "2026-03-31", "not_before": "2026-01-01"}
    (spec,) = expand(obligation(due), ["u"], PERIOD, ISSUED, WorkCalendar())
    assert spec.opens_on == D(2026, 1, 1) and spec.deadline.due_date == D(2026, 3, 31)
    with pytest.raises(ValidationError, match="after the deadline"):
        obligation({**due, "not_before": "2026-04-01"})


def test_work_without_a_date_expands_to_open_work_that_says_so():
    from plantrack.deadlines import NO_DEADLINE

    (once,) = expand(obligation({"type": "unscheduled", "written": "kịp thời"}), ["u"], PERIOD, ISSUED, WorkCalendar())
    assert (once.period_key, once.opens_on, once.deadline.due_date) == ("once", ISSUED, NO_DEADLINE)
    assert once.deadline.phrase == "chưa có thời hạn (“kịp thời”)"
    # "hằng năm" with no day: one open occurrence a year, the first open from the plan's issue.
    yearly = expand(obligation({"type": "unscheduled", "written": "hằng năm", "every": "year"}), ["u"], PERIOD, ISSUED, WorkCalendar())
    assert [(s.period_key, s.period_label, s.period_start, s.period_end, s.opens_on) for s in yearly] == [
        ("2025", "Năm 2025", D(2025, 11, 1), D(2025, 12, 31), ISSUED),
        ("2026", "Năm 2026", D(2026, 1, 1), D(2026, 12, 31), D(2026, 1, 1)),
        ("2027", "Năm 2027", D(2027, 1, 1), D(2027, 12, 31), D(2027, 1, 1)),
    ] and {s.deadline.due_date for s in yearly} == {NO_DEADLINE}
    quarters = expand(obligation({"type": "unscheduled", "every": "quarter"}), ["u"], PERIOD, ISSUED, WorkCalendar())
    assert [s.period_label for s in quarters[:2]] == ["Quý IV/2025", "Quý I/2026"] and len(quarters) == 9
    (law,) = expand(obligation({"type": "external", "reference": "Luật Dữ liệu"}), ["u"], PERIOD, ISSUED, WorkCalendar())
    assert law.deadline.due_date == NO_DEADLINE and law.deadline.phrase == "theo tiến độ của Luật Dữ liệu"
    (event,) = expand(obligation({"type": "after", "event": "có Quy chế của TW"}), ["u"], PERIOD, ISSUED, WorkCalendar())
    assert event.deadline.due_date == NO_DEADLINE and event.deadline.phrase == "chưa có thời hạn (sau khi có Quy chế của TW)"
    # A step counted from work with no date has none either (no day is counted from the marker).
    dated = rules.Dated(once.period_key, once.period_label, once.period_start, once.period_end, once.opens_on, once.deadline)
    (step,) = expand(obligation({"type": "after", "obligation": "kip-thoi", "working_days": 5}), ["u"], PERIOD, ISSUED,
                     WorkCalendar(), lambda ref: ("Báo cáo kịp thời", [dated]))
    assert step.deadline.due_date == NO_DEADLINE and "“Báo cáo kịp thời”" in step.deadline.phrase


def test_a_yearly_report_can_start_the_next_year():
    due = {"type": "recurring", "cron": "0 0 15 12 *", "key_format": "%Y", "first": "2026-01-01"}
    specs = expand(obligation(due), ["u"], PERIOD, ISSUED, WorkCalendar())
    assert [s.period_key for s in specs] == ["2026", "2027"]  # not 15/12/2025, a month after the plan


def test_a_cascade_is_linked_obligations_and_explain_shows_what_a_step_waits_for(store, mini_dir):
    from typer.testing import CliRunner

    from plantrack.cli import app
    from plantrack.loader import load_catalogue
    from plantrack.store.sync import sync_catalogue
    from plantrack.tracking import find_occurrence, record_submission

    from .conftest import vn
    from .test_loader import edit

    edit(mini_dir / "plan.yaml", "  - id: dot-xuat\n", "  - id: tong-hop-6-thang\n    title: Báo cáo tổng hợp 6 tháng\n"
         "    section: IV.3\n    units: [t.office]\n    submit_to: t.committee\n"
         "    due: {type: after, obligation: bao-cao-6-thang, working_days: 5}\n  - id: dot-xuat\n")
    catalogue = load_catalogue(mini_dir)
    with store.transaction() as session:
        sync_catalogue(session, catalogue)
        unit = find_occurrence(session, None, "t-plan", "bao-cao-6-thang", "t.alpha", "2021-H1")
        office = find_occurrence(session, None, "t-plan", "tong-hop-6-thang", "t.office", "2021-H1")
        assert unit.due_date == D(2021, 6, 17) and office.due_date == D(2021, 6, 24)  # 5 working days later
        record_submission(session, unit, vn(2021, 6, 16, 9), "3/BC-ALPHA")
        office_id = office.id
    result = CliRunner().invoke(app, ["explain", "--occurrence", str(office_id), "--db", store.url])
    assert result.exit_code == 0, result.output
    assert "5 ngày làm việc sau hạn của “Báo cáo 6 tháng” kỳ 6 tháng đầu năm 2021 (17/06/2021)" in result.output
    assert "Chờ “Báo cáo 6 tháng” (6 tháng đầu năm 2021): 1/2 đơn vị đã nộp; chưa nộp: t.beta" in result.output


def test_an_after_rule_names_a_real_dated_obligation_and_no_cycle(mini_dir):
    from plantrack.errors import DefinitionError
    from plantrack.loader import load_catalogue

    from .test_loader import edit

    plan = mini_dir / "plan.yaml"
    original = plan.read_text(encoding="utf-8")
    for target, says in (("khong-co", "no obligation"), ("dot-xuat", "ad hoc"), ("vong", "cycle")):
        plan.write_text(original, encoding="utf-8")
        edit(plan, "  - id: dot-xuat\n", f"  - id: vong\n    title: Vòng\n    section: IV\n    units: [t.office]\n"
             f"    due: {{type: after, obligation: {target}, days: 1}}\n  - id: dot-xuat\n")
        with pytest.raises(DefinitionError) as caught:
            load_catalogue(mini_dir)
        (problem,) = caught.value.problems
        assert problem.field == "obligations[2].due.obligation" and says in problem.message, problem


def test_a_step_counted_from_the_last_hand_in_is_dated_when_it_comes_in(store, mini_dir):
    """"5 ngày làm việc kể từ ngày nhận đủ báo cáo": provisional until the last report is in,
    then counted from that day, as of that instant; by a hand-in or by a later sync."""
    from typer.testing import CliRunner

    from plantrack.cli import app
    from plantrack.loader import load_catalogue
    from plantrack.store.sync import sync_catalogue
    from plantrack.tracking import effective_due_date, find_occurrence, grant_extension, record_submission

    from .conftest import vn
    from .test_loader import edit

    def office(session, period):
        return find_occurrence(session, None, "t-plan", "tong-hop", "t.office", period)

    with store.transaction() as session:
        sync_catalogue(session, load_catalogue(mini_dir))
        for unit in ("t.alpha", "t.beta"):  # both in early, before the compiling step exists
            record_submission(session, find_occurrence(session, None, "t-plan", "bao-cao-6-thang", unit, "2021-H1"), vn(2021, 6, 15, 9))
    edit(mini_dir / "plan.yaml", "  - id: dot-xuat\n", "  - id: tong-hop\n    title: Báo cáo tổng hợp 6 tháng\n"
         "    section: IV.3\n    units: [t.office]\n    submit_to: t.committee\n"
         "    due: {type: after, obligation: bao-cao-6-thang, working_days: 5, counted_from: handed_in}\n  - id: dot-xuat\n")
    with store.transaction() as session:
        sync_catalogue(session, load_catalogue(mini_dir))
        first = office(session, "2021-H1")
        assert first.due_date == D(2021, 6, 24)  # provisional: 5 working days after the reports' deadline 17/06
        assert first.current_due_date == D(2021, 6, 22)  # the sync counted from Tuesday 15/06, when the last came in
        # The second half: one report early, one late; a person's extension on the third half stands.
        second = office(session, "2021-H2")
        provisional = second.current_due_date
        third = office(session, "2022-H1")
        grant_extension(session, third, third.due_date + dt.timedelta(days=10), "chờ số liệu", "Trưởng ban", vn(2022, 6, 1, 8))
        extended = third.current_due_date
        for unit, day in (("t.alpha", 15), ("t.beta", 20)):
            record_submission(session, find_occurrence(session, None, "t-plan", "bao-cao-6-thang", unit, "2021-H2"), vn(2021, 12, day, 9))
        assert second.current_due_date == D(2021, 12, 27)  # Monday 20/12 + 5 working days
        assert effective_due_date(second, vn(2021, 12, 19, 12)) == provisional  # before the last report, the provisional date
        assert effective_due_date(second, vn(2021, 12, 20, 12)) == D(2021, 12, 27)
        for unit in ("t.alpha", "t.beta"):
            record_submission(session, find_occurrence(session, None, "t-plan", "bao-cao-6-thang", unit, "2022-H1"), vn(2022, 6, 10, 9))
        assert third.current_due_date == extended
        second_id, counts = second.id, (len(first.extensions), len(second.extensions))
    with store.transaction() as session:  # a second sync re-dates nothing again
        sync_catalogue(session, load_catalogue(mini_dir))
        assert (len(office(session, "2021-H1").extensions), len(office(session, "2021-H2").extensions)) == counts == (1, 1)
    result = CliRunner().invoke(app, ["explain", "--occurrence", str(second_id), "--db", store.url])
    assert result.exit_code == 0, result.output
    assert "5 ngày làm việc kể từ ngày nhận đủ “Báo cáo 6 tháng” kỳ 6 tháng cuối năm 2021" in result.output
    assert "báo cáo cuối cùng nhận ngày 20/12/2021; 5 ngày làm việc kể từ ngày đó = 27/12/2021" in result.output
