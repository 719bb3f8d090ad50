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
