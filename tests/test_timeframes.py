"""Running duties: a duty's time frame as the text gives it, and what runs on a day."""

import datetime as dt

import pytest
from pydantic import ValidationError
from typer.testing import CliRunner

from plantrack.cli import app
from plantrack.loader import load_catalogue
from plantrack.store.sync import sync_catalogue
from plantrack.timeframes import TimeFrame

from .test_loader import edit

D = dt.date
START, END = D(2025, 11, 1), D(2027, 12, 31)


@pytest.mark.parametrize("frame, span", [
    ({"written": "thường xuyên", "ongoing": True}, (START, END)),
    ({"written": "Thường xuyên"}, (START, END)),
    ({"written": "năm 2026 và các năm tiếp theo"}, (D(2026, 1, 1), END)),
    ({"written": "Quý III/2026"}, (D(2026, 7, 1), D(2026, 9, 30))),
    ({"written": "từ tháng 11/2025 đến khi kết thúc kiểm kê", "start": "2025-11-01", "until_event": "kết thúc kiểm kê"}, (START, END)),
    ({"start": "2026-03-01", "until": "2026-05-31"}, (D(2026, 3, 1), D(2026, 5, 31))),
    ({"written": "Tháng 11/2025 – tháng 3/2026"}, (START, D(2026, 3, 31))),
])
def test_time_frames_resolve_within_the_plan(frame, span):
    assert TimeFrame.model_validate(frame).span(START, END) == span


def test_words_that_say_no_time_are_refused():
    with pytest.raises(ValidationError, match="cannot tell when"):
        TimeFrame.model_validate({"written": "khi có yêu cầu"})


def test_running_duties_are_listed_on_their_days(store, mini_dir):
    plan = mini_dir / "plan.yaml"
    edit(plan, "    support: [t.office]\n", "    support: [t.office]\n    timeframe: {written: \"Quý I/2021\"}\n"
         "  - id: theo-doi\n    section: III.2\n    text: Theo dõi, kiểm tra thường xuyên.\n    lead: [t.office]\n"
         "    timeframe: {written: thường xuyên, ongoing: true}\n")
    with store.transaction() as session:
        sync_catalogue(session, load_catalogue(mini_dir))

    def duties(day, *extra):
        result = CliRunner().invoke(app, ["duties", "--as-of", day, *extra, "--db", store.url])
        assert result.exit_code == 0, result.output
        return result.output

    november = duties("2020-11-20")
    assert "Theo dõi, kiểm tra" in november and "Xây dựng kế hoạch" not in november
    february = duties("2021-02-10")
    assert "Xây dựng kế hoạch" in february and "Quý I/2021" in february and "thường xuyên" in february
    assert "Xây dựng kế hoạch" not in duties("2021-02-10", "--unit", "t.committee")
    assert "Theo dõi" not in duties("2021-02-10", "--unit", "t.alpha") and "Xây dựng" in duties("2021-02-10", "--unit", "t.alpha")
    assert "Không có nhiệm vụ nào" in duties("2024-01-01")  # after the plan


CHECK_IN = """    support: [t.office]
    timeframe: {written: "Quý III/2021"}
    escalate_to: [t.committee]
    check_in: {cron: "0 0 25 * *", title: Báo cáo tiến độ hằng tháng, basis: assumed, note: the plan asks a monthly progress report}
"""


def test_a_running_duty_reports_its_progress_at_its_cadence_and_escalates_where_it_says(store, mini_dir):
    from sqlalchemy import select

    from plantrack.store.models import Obligation, Occurrence

    edit(mini_dir / "plan.yaml", "    support: [t.office]\n", CHECK_IN)
    edit(mini_dir / "plan.yaml", "  period: {start: 2020-11-01, end: 2023-10-31}\n",
         "  period: {start: 2020-11-01, end: 2023-10-31}\n  coordination: {office: t.office, head: t.committee}\n")
    cat = load_catalogue(mini_dir)
    with store.transaction() as session:
        sync_catalogue(session, cat)
    with store.session() as session:
        rows = {o.key: o for o in session.scalars(select(Obligation).where(Obligation.plan_id == "t-plan"))}
        check_in = rows["lap-ke-hoach.tien-do"]
        assert (check_in.title, check_in.submit_to_id, check_in.duty_key) == ("Báo cáo tiến độ hằng tháng", "t.office", "lap-ke-hoach")
        # Within the duty's quarter only, from each lead (the members of t.members).
        keys = sorted({k for (k,) in session.execute(select(Occurrence.period_key).where(Occurrence.obligation_id == check_in.id))})
        assert keys == ["2021-07-25", "2021-08-25", "2021-09-25"]
        # The duty's chain holds for its obligations; an obligation of another duty keeps the plan's.
        assert check_in.escalate_to == ["t.committee"] and rows["ke-hoach"].escalate_to == ["t.committee"]
        assert rows["bao-cao-6-thang"].escalate_to is None


def test_a_check_in_needs_a_lead_and_a_day_within_the_duty(mini_dir):
    from plantrack.errors import DefinitionError

    edit(mini_dir / "plan.yaml", "    lead_groups: [t.members]\n    support: [t.office]\n",
         "    support: [t.office]\n    check_in: {cron: \"0 0 25 * *\"}\n")
    with pytest.raises(DefinitionError, match="check_in.*leads"):
        load_catalogue(mini_dir)
