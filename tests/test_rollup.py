"""Statuses counted in SQL (``plantrack.rollup``, used by ``progress.compile_report``) agree with
``tracking.status_rows`` occurrence for occurrence: on a store with hand-ins on time and late,
an extension granted before a late hand-in, a hand-in recorded after the as-of instant, and a
report re-dated from its last hand-in; at instants before, during and after the deadlines."""

import datetime as dt
from collections import Counter

import pytest

from plantrack.progress import compile_report
from plantrack.store.sync import sync_catalogue
from plantrack.testing import apply_scenario_file
from plantrack.tracking import Status, find_occurrence, grant_extension, record_submission, status_rows

from .conftest import ROOT, vn

INSTANTS = [vn(2020, 11, 10, 12), vn(2020, 11, 16, 23, 59), vn(2020, 11, 20, 8), vn(2021, 1, 15, 17), vn(2021, 7, 20, 9), vn(2023, 12, 1)]


def by_unit_and_status(rows):
    return Counter((r.unit_id, r.status) for r in rows)


@pytest.fixture
def busy(store, real_catalogue):
    with store.transaction() as session:
        sync_catalogue(session, real_catalogue)
    apply_scenario_file(store, ROOT / "scenarios" / "hanoi-1030-demo.yaml")
    with store.transaction() as session:
        # Extended on 20/11, handed in on 24/11: judged by the deadline in force then (on time).
        late = next(r for r in status_rows(session, vn(2020, 11, 20, 8), "hn-cv-1030")
                    if r.status is Status.OVERDUE and r.effective_due == dt.date(2020, 11, 16))  # never handed in by the demo
        late = find_occurrence(session, late.occurrence_id)
        assert late.first_submitted_at is None
        grant_extension(session, late, dt.date(2020, 11, 27), "chờ số liệu", "Chánh Văn phòng", vn(2020, 11, 20, 9))
        record_submission(session, late, vn(2020, 11, 24, 15))
    return store


def test_sql_statuses_match_the_occurrences_one_by_one(busy):
    with busy.session() as session:
        for as_of in INSTANTS:
            for plan in ("kh-399", "hn-kh-03", "hn-cv-1030", "hn-cv-2860"):
                rows = status_rows(session, as_of, plan, include_not_open=True)
                expected = by_unit_and_status(rows)
                report = compile_report(session, plan, as_of)
                found = Counter({(u.unit_id, s): n for u in report.units for s, n in u.counts.items() if n})
                assert found == expected, (plan, as_of)
                assert report.counts == {s: sum(1 for r in rows if r.status is s) for s in Status}
                assert report.owed_total == len([r for r in rows if r.status is Status.OVERDUE])
                assert [o.occurrence_id for o in report.owed] == [
                    r.occurrence_id for r in sorted((r for r in rows if r.status is Status.OVERDUE),
                                                    key=lambda r: (r.effective_due, r.unit_id, r.obligation_title, r.occurrence_id))
                ]
        # A busy day: several statuses at once, so the comparison above could fail.
        assert len({s for s, n in compile_report(session, "hn-cv-1030", INSTANTS[2]).counts.items() if n}) >= 3


def test_the_overdue_list_can_be_cut_and_still_says_how_many(busy):
    with busy.session() as session:
        whole = compile_report(session, "kh-399", vn(2023, 12, 1))
        cut = compile_report(session, "kh-399", vn(2023, 12, 1), owed_limit=5)
    assert whole.owed_total > 5 and len(cut.owed) == 5 and cut.owed_total == whole.owed_total
    assert cut.owed == whole.owed[:5]


def test_the_home_pages_counts_per_plan_are_each_plans_own(busy):
    from plantrack.progress import plan_counts

    plans = ["kh-399", "hn-kh-03", "hn-cv-1030", "hn-cv-2860"]
    with busy.session() as session:
        for as_of in INSTANTS[1:4]:
            counts = plan_counts(session, plans, as_of)
            for plan in plans:
                rows = status_rows(session, as_of, plan, include_not_open=True, include_implementing=False)
                assert counts[plan] == {s: sum(1 for r in rows if r.status is s) for s in Status}, (plan, as_of)
