"""The helpers plantrack.testing hands to plan authors, used as an author would."""

import datetime as dt

import pytest

from plantrack.testing import apply_scenario_file, check_plans, deadlines_of, synced_store
from plantrack.tracking import Status, status_rows

from .conftest import DEFINITIONS, MINI, ROOT, vn
from .test_loader import edit


def test_an_author_checks_deadlines_without_a_store():
    catalogue = check_plans(DEFINITIONS)
    first = deadlines_of(catalogue, "kh-399", "bao-cao-6-thang")[0]
    assert first.deadline.due_date == dt.date(2020, 12, 21)  # 20/12/2020 is a Sunday (the docstring's example)
    with pytest.raises(AssertionError, match="no obligation"):
        deadlines_of(catalogue, "kh-399", "khong-co")


def test_a_broken_plan_fails_the_authors_test_with_every_problem(mini_dir):
    edit(mini_dir / "plan.yaml", "issuer: t.committee", "issuer: t.nobody")
    with pytest.raises(AssertionError, match=r"plan\.yaml:\d+: plan\.issuer: unknown unit id 't\.nobody'"):
        check_plans(mini_dir)


def test_an_author_replays_a_scenario_on_a_synced_store(tmp_path):
    store = synced_store(tmp_path, DEFINITIONS)
    try:
        result = apply_scenario_file(store, ROOT / "scenarios" / "hanoi-1030-demo.yaml", vn(2020, 11, 20, 23))
        assert result.submissions > 0
        with store.session() as session:
            rows = status_rows(session, vn(2020, 11, 20, 23), "hn-cv-1030")
        assert any(r.status is Status.ON_TIME for r in rows) and any(r.status is Status.OVERDUE for r in rows)
    finally:
        store.dispose()
    assert check_plans(MINI).plans
