"""Cached counts (``plantrack.freshness``) are reused only while they hold: not after a hand-in,
an extension, a request or a sync, not for an instant on the other side of an event, not on
another day, and never for a store that was never synced."""

import datetime as dt
import threading

from plantrack.freshness import CountsCache, fingerprint, window
from plantrack.progress import plan_counts
from plantrack.store.sync import sync_catalogue
from plantrack.tracking import find_occurrence, grant_extension, record_submission, request_adhoc

from .conftest import vn

PLANS = ["hn-cv-1030", "hn-kh-03"]


def counted(cache, store, as_of, calls):
    def compute():
        calls.append(as_of)
        return plan_counts(session, PLANS, as_of)

    with store.session() as session:
        return cache.get(session, ("home", tuple(PLANS)), as_of, compute)


def test_counts_are_reused_until_an_event_changes_them(store, real_catalogue):
    cache, calls = CountsCache(), []
    with store.session() as session:
        assert fingerprint(session) is None  # never synced: never cached
    counted(cache, store, vn(2020, 11, 17, 9), calls)
    counted(cache, store, vn(2020, 11, 17, 9), calls)
    assert len(calls) == 2
    with store.transaction() as session:
        sync_catalogue(session, real_catalogue)
    first = counted(cache, store, vn(2020, 11, 17, 9), calls)
    assert counted(cache, store, vn(2020, 11, 17, 15), calls) is first and len(calls) == 3  # same day, no event between
    with store.transaction() as session:  # a hand-in at 10:00 that day: before it, the counts hold; after it, not
        occurrence = find_occurrence(session, None, "hn-cv-1030", "ke-hoach-trien-khai", "hn.district.ba-vi")
        record_submission(session, occurrence, vn(2020, 11, 17, 10), "1/KH-BV")
    after = counted(cache, store, vn(2020, 11, 17, 15), calls)
    assert len(calls) == 4 and after != first
    assert after["hn-cv-1030"] != first["hn-cv-1030"]
    before = counted(cache, store, vn(2020, 11, 17, 9), calls)
    assert len(calls) == 5 and before == first  # the other side of the hand-in: computed again, as it was
    assert counted(cache, store, vn(2020, 11, 17, 11), calls) is after and len(calls) == 5  # within [10:00, end of day)
    counted(cache, store, vn(2020, 11, 18, 9), calls)
    assert len(calls) == 6  # another day
    with store.transaction() as session:
        occurrence = find_occurrence(session, None, "hn-cv-1030", "ke-hoach-trien-khai", "hn.district.my-duc")
        grant_extension(session, occurrence, dt.date(2020, 11, 30), "lý do", "Chánh Văn phòng", vn(2020, 11, 18, 8))
    counted(cache, store, vn(2020, 11, 18, 9), calls)
    assert len(calls) == 7
    with store.transaction() as session:
        request_adhoc(session, "hn-cv-1030", ["hn.district.ba-vi"], vn(2020, 11, 18, 8, 30), title="Báo cáo nhanh")
    counted(cache, store, vn(2020, 11, 18, 9), calls)
    assert len(calls) == 8
    with store.transaction() as session:
        sync_catalogue(session, real_catalogue)  # nothing changed, but a sync may rewrite occurrences
    counted(cache, store, vn(2020, 11, 18, 9), calls)
    assert len(calls) == 9


def test_the_window_is_bounded_by_the_events_and_the_day(store, real_catalogue):
    with store.transaction() as session:
        sync_catalogue(session, real_catalogue)
        occurrence = find_occurrence(session, None, "hn-cv-1030", "ke-hoach-trien-khai", "hn.district.ba-vi")
        record_submission(session, occurrence, vn(2020, 11, 17, 10), "1/KH-BV")
    with store.session() as session:
        assert window(session, vn(2020, 11, 17, 9)) == (vn(2020, 11, 17), vn(2020, 11, 17, 10))
        start, until = window(session, vn(2020, 11, 17, 12))
        assert start == vn(2020, 11, 17, 10) and until == vn(2020, 11, 17, 23, 59) + dt.timedelta(seconds=59, microseconds=999999)


def test_clients_asking_at_once_compute_once(store, real_catalogue):
    with store.transaction() as session:
        sync_catalogue(session, real_catalogue)
    cache, calls, results = CountsCache(), [], []
    threads = [threading.Thread(target=lambda: results.append(counted(cache, store, vn(2020, 11, 17, 9), calls))) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(calls) == 1 and len(results) == 8 and all(r is results[0] for r in results)


def test_hand_ins_update_cached_counts_as_counting_again_would(store, real_catalogue):
    """On time, late, a correction, a hand-in dated before the instant asked and one after it:
    the cached report brought up to date equals the report counted afresh, unit by unit."""
    from plantrack.progress import compile_report, counts_with_moves, moved_by_submissions, plan_edges, with_moves

    with store.transaction() as session:
        sync_catalogue(session, real_catalogue)
    cache, calls, as_of = CountsCache(), [], vn(2020, 11, 20, 12)

    def report():
        with store.session() as session:
            def compute():
                calls.append(1)
                return compile_report(session, "kh-399", as_of, owed_limit=0, notices=False)
            return cache.get(session, ("overview", "kh-399"), as_of, compute,
                             lambda value, a, b: with_moves(value, moved_by_submissions(session, a, b, as_of), plan_edges(session)))

    def home():
        with store.session() as session:
            return cache.get(session, ("home",), as_of, lambda: plan_counts(session, PLANS, as_of),
                             lambda value, a, b: counts_with_moves(value, moved_by_submissions(session, a, b, as_of)))

    def shape(r):
        return ({u.unit_id: (u.counts, [c.counts for c in u.cells]) for u in r.units}, r.counts,
                [(c.plan_id, c.counts) for c in r.children], [u.unit_id for u in r.units])

    first, first_home = report(), home()
    hand_ins = [
        ("hn-cv-1030", "ke-hoach-trien-khai", "hn.district.ba-vi", vn(2020, 11, 13, 9)),  # on time
        ("hn-cv-1030", "ke-hoach-trien-khai", "hn.district.my-duc", vn(2020, 11, 19, 9)),  # late
        ("hn-cv-1030", "ke-hoach-trien-khai", "hn.district.ba-vi", vn(2020, 11, 19, 10)),  # a correction: still on time
        ("hn-cv-1030", "ke-hoach-trien-khai", "hn.district.soc-son", vn(2020, 11, 21, 9)),  # after the instant asked
    ]
    for plan, key, unit, at in hand_ins:
        with store.transaction() as session:
            record_submission(session, find_occurrence(session, None, plan, key, unit), at, f"{at:%d%H}/{unit}")
        updated = report()
        with store.session() as session:
            fresh = compile_report(session, "kh-399", as_of, owed_limit=0, notices=False)
            fresh_home = plan_counts(session, PLANS, as_of)
        assert shape(updated) == shape(fresh) and home() == fresh_home
    assert len(calls) == 1 and cache.updates >= 8  # counted once, then brought up to date
    assert shape(updated) != shape(first) and fresh_home != first_home  # the hand-ins did move counts
    with store.transaction() as session:  # an extension is not a hand-in: counted again
        grant_extension(session, find_occurrence(session, None, "hn-cv-1030", "ke-hoach-trien-khai", "hn.district.ung-hoa"),
                        dt.date(2020, 11, 30), "lý do", "Chánh Văn phòng", vn(2020, 11, 19, 8))
    report()
    assert len(calls) == 2
