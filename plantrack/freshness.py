"""Counts that stay true until the store changes: a cache for a coordinator's pages.

A page's counts (``progress.compile_report``, ``progress.plan_counts``) depend on the
occurrences, their hand-ins and their extensions, and on the instant asked about. They are
computed in SQL, but at national scale that still reads every occurrence of the plan (about
0.3 s for 200,000 on SQLite, more with several clients at once). This module lets a page reuse
what it computed for as long as the answer cannot have changed:

- **the store has not changed** what counts depend on. Its ``fingerprint`` is the token the last
  sync left in ``store_state`` and the highest ids of occurrences, submissions and extensions:
  every hand-in adds a submission, every extension or amendment an extension, every request
  occurrences, and whatever else rewrites occurrences is a sync, which draws a new token. A store
  without a token (never synced) is never cached;
- **no event falls between** the instant computed for and the one asked: the answer holds from
  the latest hand-in or extension at or before the instant to the next one after it, within the
  same local day (``window``).

Misses of one key are computed once while other requests for it wait (16 clients asking for the
national overview at once run one query, not sixteen). The cache lives in the process that
serves the pages (``web.deps.Context``); nothing here reads the clock.
"""

from __future__ import annotations

import datetime as dt
import secrets
import threading
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any, Callable

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from .calendar import end_of_local_day, local_date, start_of_local_day
from .store.models import Extension, Occurrence, StoreState, Submission


def touch(session: Session) -> None:
    """Record that occurrences were rewritten in bulk (a sync): cached counts are void."""
    state = session.get(StoreState, 1)
    if state is None:
        session.add(StoreState(id=1, token=secrets.token_hex(8)))
    else:
        state.token = secrets.token_hex(8)


def fingerprint(session: Session) -> tuple | None:
    """What changes whenever a count may change; None for a store that was never synced."""
    token = session.scalar(select(StoreState.token).where(StoreState.id == 1))
    if token is None:
        return None
    return (
        token,
        session.scalar(select(func.max(Occurrence.id))),
        session.scalar(select(func.max(Submission.id))),
        session.scalar(select(func.max(Extension.id))),
    )


def window(session: Session, as_of: dt.datetime) -> tuple[dt.datetime, dt.datetime]:
    """The instants [from, until) around ``as_of`` between which no hand-in or extension falls,
    within its local day: any instant in it gives the same counts as ``as_of``."""
    day = local_date(as_of)
    lows = [start_of_local_day(day)]
    highs = [end_of_local_day(day)]
    live = Occurrence.retired.is_(False)
    lows.append(session.scalar(select(func.max(Occurrence.first_submitted_at)).where(live, Occurrence.first_submitted_at <= as_of)))
    highs.append(session.scalar(select(func.min(Occurrence.first_submitted_at)).where(live, Occurrence.first_submitted_at > as_of)))
    lows.append(session.scalar(select(func.max(Extension.granted_at)).where(Extension.granted_at <= as_of)))
    highs.append(session.scalar(select(func.min(Extension.granted_at)).where(Extension.granted_at > as_of)))
    return max(x for x in lows if x is not None), min(x for x in highs if x is not None)


WINDOWS = 2  # windows of one day kept per key (the day's latest counts, and an earlier instant)


@dataclass
class _Entry:
    fingerprint: tuple
    start: dt.datetime
    until: dt.datetime
    value: Any


class CountsCache:
    """A small LRU of computed counts, by what was asked and the day, each with the store's
    fingerprint and the window it holds for.

    With ``update``, counts cached before some new hand-ins are brought up to date instead of
    counted again: ``update(value, after_id, upto_id)`` returns the value with the submissions
    whose ids are in (after_id, upto_id] applied, or None to count again. Only hand-ins are
    applied so; an extension, a request or a sync counts again."""

    def __init__(self, size: int = 32):  # a national report is a few MB: 32 keys of 2 windows stay within ~250 MB
        self.size = size
        self.hits = self.updates = self.misses = 0
        self._entries: OrderedDict[tuple, list[_Entry]] = OrderedDict()
        self._lock = threading.Lock()
        self._computing: dict[tuple, threading.Lock] = {}

    def get(self, session: Session, key: tuple, as_of: dt.datetime, compute: Callable[[], Any],
            update: Callable[[Any, int, int], Any] | None = None) -> Any:
        found = fingerprint(session)
        if found is None:
            return compute()
        full = (key, local_date(as_of))
        hit = self._hit(full, found, as_of)
        if hit is not None:
            return hit[0]
        with self._lock:
            guard = self._computing.setdefault(full, threading.Lock())
        with guard:  # one computation per key; the others wait for it
            found = fingerprint(session)  # it may have moved while waiting
            hit = self._hit(full, found, as_of)
            if hit is not None:
                return hit[0]
            with self._lock:
                entries = list(self._entries.get(full, []))
            earlier = next((e for e in entries if e.start <= as_of < e.until and _only_new_handins(e.fingerprint, found)), None)
            try:
                start, until = window(session, as_of)
                value = update(earlier.value, earlier.fingerprint[2] or 0, found[2] or 0) if (update and earlier) else None
                counted = value is None
                if counted:
                    value = compute()
                after = fingerprint(session)  # what was read is of ``found`` only if nothing moved meanwhile
            finally:
                with self._lock:
                    self._computing.pop(full, None)
            if after != found:
                return value  # correct for this request, but not to be kept under either state
            with self._lock:
                if counted:
                    self.misses += 1
                else:
                    self.updates += 1
                kept = [e for e in self._entries.get(full, []) if e.fingerprint == found]  # older states are done with
                self._entries[full] = [_Entry(found, start, until, value), *kept][:WINDOWS]
                self._entries.move_to_end(full)
                while len(self._entries) > self.size:
                    self._entries.popitem(last=False)
        return value

    def _hit(self, full: tuple, found: tuple, as_of: dt.datetime) -> tuple[Any] | None:
        with self._lock:
            for entry in self._entries.get(full, []):
                if entry.fingerprint == found and entry.start <= as_of < entry.until:
                    self.hits += 1
                    self._entries.move_to_end(full)
                    return (entry.value,)
        return None


def _only_new_handins(before: tuple, now: tuple) -> bool:
    """True when the store moved from ``before`` to ``now`` by submissions alone."""
    return before[0] == now[0] and before[1] == now[1] and before[3] == now[3] and (before[2] or 0) < (now[2] or 0)
