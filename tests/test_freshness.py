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
