"""National-scale benchmark of the watch, the dispatch and a three-year replay (not a test).

Builds synthetic data straight into the store: 63 provinces, each with a committee, a standing
office, 20 member units and 10 districts (2,016 units, every one a recipient), and about 100
occurrences per unit over 01/11/2020-31/10/2023 (200,000 in all), stored in deadline order as a
sync stores them. On the watch day, every unit
has exactly two open occurrences inside the reminder window (4,000). It prints, per database:

- watch: one morning watch on 200,000 occurrences, then on 400,000 with the same window (the
  fastest of four runs, three of them rolled back);
- dispatch: the 2,000 digests of that morning into a local SMTP sink running in another process;
- replay: the three years day by day (habits hand in most reports), twice: with simulated
  delivery (``plantrack replay --simulate``: the engine's whole work, each delivery recorded but
  no message composed), and with every message rendered and composed as MIME but not put on a
  socket (SMTP throughput is the dispatch figure).

Each phase runs in its own process, so "peak MB" is that phase's peak resident memory.

    .venv/bin/python bench/benchmark.py                  # SQLite, and PostgreSQL if configured
    PLANTRACK_BENCH_POSTGRES_URL=postgresql://postgres@127.0.0.1:5432/test .venv/bin/python bench/benchmark.py
"""

from __future__ import annotations

import datetime as dt
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import create_engine, insert, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from plantrack.calendar import TIMEZONE, WorkCalendar  # noqa: E402
from plantrack.store.database import Store, engine_url  # noqa: E402
from plantrack.store.models import Obligation, Occurrence, Plan, Unit  # noqa: E402

START, END = dt.date(2020, 11, 1), dt.date(2023, 10, 31)
WATCH_DAY = dt.date(2022, 3, 15)  # a Tuesday
PER_UNIT = 98  # background occurrences per unit, plus 2 inside the window
CALENDAR = WorkCalendar()
REPLAY_MONTHS = int(os.environ.get("PLANTRACK_BENCH_REPLAY_MONTHS", "36"))  # the whole period by default


def units() -> list[dict]:
    rows = [
        dict(id="vn.bcd389", name="Ban Chỉ đạo 389 quốc gia", kind="committee", escalates_to_id=None),
        dict(id="vn.vptt", name="Văn phòng Thường trực BCĐ 389 quốc gia", kind="standing_office", escalates_to_id="vn.bcd389"),
    ]
    for p in range(63):
        prov = f"p{p:02d}"
        rows.append(dict(id=f"{prov}.bcd", name=f"Ban Chỉ đạo 389 tỉnh {p}", kind="committee", escalates_to_id="vn.vptt"))
        rows.append(dict(id=f"{prov}.office", name=f"Cơ quan Thường trực tỉnh {p}", kind="standing_office", escalates_to_id=f"{prov}.bcd"))
        rows += [dict(id=f"{prov}.m{m:02d}", name=f"Sở {m} tỉnh {p}", kind="department", escalates_to_id=f"{prov}.office") for m in range(20)]
        rows += [dict(id=f"{prov}.d{d:02d}", name=f"Ban Chỉ đạo 389 huyện {d} tỉnh {p}", kind="district_committee",
                      escalates_to_id=f"{prov}.office") for d in range(10)]
    for row in rows:
        row.update(registry_id="bench", short_name=None, parent_id=None, head=None, basis="stated", retired=False,
                   contacts={"to": [f"{row['id']}@bench.example"]})
    return rows


def background_dates(index: int, count: int, shift: int) -> list[dt.date]:
    """``count`` deadlines spread over the period, none within 40 days of the watch day."""
    days = []
    span = (END - START).days
    for k in range(count):
        day = START + dt.timedelta(days=(k * span // count + index * 7 + shift) % span)
        if abs((day - WATCH_DAY).days) < 40:
            day += dt.timedelta(days=80 if day >= WATCH_DAY else -80)
        days.append(CALENDAR.next_working_day(day) if not CALENDAR.is_working_day(day) else day)
    return days


def occurrences(unit_ids: list[str], obligation_id: int, per_unit: int, shift: int, in_window: bool) -> list[dict]:
    rows = []
    for index, unit_id in enumerate(unit_ids):
        dues = background_dates(index, per_unit, shift)
        if in_window:  # reminder-1 and reminder-5 both fall on the watch day
            dues += [CALENDAR.add_working_days(WATCH_DAY, 1), CALENDAR.add_working_days(WATCH_DAY, 5)]
        for k, due in enumerate(dues):
            opens = due - dt.timedelta(days=30)
            # Reports of the past were handed in (a day early); the rest are open.
            handed_in = dt.datetime.combine(due - dt.timedelta(days=1), dt.time(9), tzinfo=TIMEZONE) if due < WATCH_DAY else None
            rows.append(dict(
                obligation_id=obligation_id, unit_id=unit_id, period_key=f"s{shift}-k{k}", period_label=f"Kỳ {k}",
                period_start=opens, period_end=due, opens_on=opens, due_date=due, current_due_date=due, explanation=[],
                first_submitted_at=handed_in if not in_replay() else None,
                submitted_on=handed_in.date() if handed_in and not in_replay() else None, retired=False,
            ))
    return rows


def build(url: str, doubled: bool = False) -> dict:
    store = Store(url)
    unit_rows = units()
    recipients = [u["id"] for u in unit_rows if u["id"].startswith("p")]
    with store.transaction() as session:
        session.execute(insert(Unit), unit_rows)
        session.add(Plan(id="bench", number="1/KH-BENCH", doc_type="ke_hoach", title="Kế hoạch thử tải", issuer_id="vn.bcd389",
                         issued_on=START, period_start=START, period_end=END, source_file="bench", sources=[], calendar={},
                         escalation={}))
        session.flush()
        obligation = Obligation(plan_id="bench", key="bao-cao", title="Báo cáo định kỳ", kind="recurring", section="IV",
                                submit_to_id="vn.vptt", rule={}, units=[])
        session.add(obligation)
        session.flush()
        total = 0
        for shift, in_window in ([(0, True), (3, False)] if doubled else [(0, True)]):
            rows = occurrences(recipients, obligation.id, PER_UNIT, shift, in_window)
            rows.sort(key=lambda row: (row["due_date"], row["unit_id"]))  # as a sync stores them: by deadline
            for chunk in range(0, len(rows), 20000):
                session.execute(insert(Occurrence), rows[chunk:chunk + 20000])
            total += len(rows)
    store.dispose()
    return {"units": len(unit_rows), "occurrences": total}


def in_replay() -> bool:
    return os.environ.get("PLANTRACK_BENCH_PHASE") == "replay"


def build_elsewhere(url: str, doubled: bool) -> dict:
    """Build in another process, so the phase's peak memory is its own."""
    output = subprocess.run([sys.executable, __file__, "build", url, "doubled" if doubled else "single"], check=True,
                            capture_output=True, text=True).stdout
    return json.loads(output.strip().splitlines()[-1])


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def phase_watch(url: str, doubled: bool, smtp_port: int | None) -> dict:
    from notifications.channels import Channels, PooledSmtpSender
    from notifications.dispatch import dispatch
    from plantrack.watch import watch

    built = build_elsewhere(url, doubled)
    store = Store(url)
    as_of = dt.datetime.combine(WATCH_DAY, dt.time(7, 30), tzinfo=TIMEZONE)
    # A quarter-second figure jitters by ±20% from run to run here: the watch runs three times
    # rolled back, then once for real, and the fastest counts (as timeit does).
    timings = []
    for commit in (False, False, False, True):
        session = store.session()
        try:
            started = time.perf_counter()
            report = watch(session, as_of)
            session.commit() if commit else session.rollback()
            timings.append(time.perf_counter() - started)
        finally:
            session.close()
    watch_s = min(timings)
    result = {**built, "in_window": len(report.findings), "notices": report.notices_created, "watch_s": round(watch_s, 2),
              "first_watch_s": round(timings[0], 2)}
    if smtp_port:
        sender = PooledSmtpSender(f"mailto://127.0.0.1:{smtp_port}/?from=bench@localhost&mode=insecure")
        started = time.perf_counter()
        sent = dispatch(store, as_of, Channels(sender), batch=500, threads=4)
        dispatch_s = time.perf_counter() - started
        sender.close()
        result.update(window_ms=round(1000 * sent.recording_s / max(sent.messages_sent + sent.messages_failed, 1), 2))
        result.update(messages=sent.messages_sent, failed=sent.messages_failed, dispatch_s=round(dispatch_s, 2),
                      mails_per_s=round(sent.messages_sent / dispatch_s), watch_plus_dispatch_s=round(watch_s + dispatch_s, 2))
    store.dispose()
    return {**result, "peak_mb": round(peak_mb())}


class RenderOnly:
    """Builds every message as the SMTP sender would, without a socket."""

    def __init__(self):
        from notifications.channels import PooledSmtpSender

        self.builder = PooledSmtpSender("mailto://127.0.0.1:25/?from=bench@localhost&mode=insecure")
        self.bytes = 0

    simulated = False

    def send(self, digest, message, now):
        from notifications.channels import Delivery

        self.bytes += len(self.builder.build(digest, message, now))
        return Delivery("email", digest.to[0], "rendered")

    def close(self):
        pass


def phase_replay(url: str, months: int, mode: str) -> dict:
    from notifications.channels import Channels, StubChannel
    from notifications.dispatch import dispatch
    from plantrack.replay import replay
    from plantrack.scenario import Habit, ScenarioFile, ScenarioHeader

    built = build_elsewhere(url, False)
    scenario = ScenarioFile(scenario=ScenarioHeader(title="bench"), habits=[
        Habit(units=["p*.d0[0-2]"], submits="late", working_days=6),
        Habit(submits="on_time", working_days=3, share=0.8),
        Habit(submits="on_time", working_days=0),
    ])
    store = Store(url, durable=False)  # as `plantrack replay` opens it
    sender = RenderOnly()
    simulate = mode == "simulate"
    started = time.perf_counter()
    last = min(END, dt.date(2020, 11, 5) + dt.timedelta(days=round(months * 30.44)))
    report = replay(store, dt.date(2020, 11, 5), last, scenario,
                    lambda at, directory: dispatch(store, at, Channels.stub() if simulate else Channels(sender, StubChannel()),
                                                   batch=2000, threads=1, directory=directory, clock=lambda: at,
                                                   record_each=False).summary())
    elapsed = time.perf_counter() - started
    store.dispose()
    return {**built, "days": report.days_watched, "notices": report.notices_created, "messages": report.dispatched["messages_sent"],
            "submissions": report.submissions, "replay_s": round(elapsed, 1), "peak_mb": round(peak_mb()), "last": last.isoformat()}


def fresh_database(kind: str) -> tuple[str, callable]:
    if kind == "sqlite":
        path = Path(tempfile.mkdtemp()) / "bench.db"
        return f"sqlite:///{path}", lambda: path.unlink(missing_ok=True)
    admin_url = os.environ["PLANTRACK_BENCH_POSTGRES_URL"]
    admin = create_engine(engine_url(admin_url), isolation_level="AUTOCOMMIT")
    name = f"plantrack_bench_{uuid.uuid4().hex[:8]}"
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))

    def drop():
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

    return make_url(admin_url).set(database=name).render_as_string(hide_password=False), drop


def yardstick() -> float:
    """Seconds for a fixed pure-Python loop: machines of the same kind differ (the same code's
    replay took 52 s on one session's machine and 118 s on the next), so every run says how
    fast this one is."""
    started = time.perf_counter()
    total = 0
    for number in range(10_000_000):
        total += number
    return round(time.perf_counter() - started, 2)


def child(phase: str, kind: str, *args: str) -> dict:
    output = subprocess.run([sys.executable, __file__, phase, kind, *args], check=True, capture_output=True, text=True).stdout
    return json.loads(output.strip().splitlines()[-1])


def main() -> None:
    if len(sys.argv) > 2 and sys.argv[1] == "build":
        print(json.dumps(build(sys.argv[2], sys.argv[3] == "doubled")))
        return
    if len(sys.argv) > 2:  # a phase, in its own process
        phase, kind, *args = sys.argv[1:]
        os.environ["PLANTRACK_BENCH_PHASE"] = phase
        url, drop = fresh_database(kind)
        try:
            if phase == "watch":
                print(json.dumps(phase_watch(url, args[0] == "doubled", int(args[1]) if len(args) > 1 else None)))
            else:
                print(json.dumps(phase_replay(url, int(args[0]), args[1])))
        finally:
            drop()
        return
    kinds = ["sqlite"] + (["postgresql"] if os.environ.get("PLANTRACK_BENCH_POSTGRES_URL") else [])
    print(f"yardstick: 10 million additions in a Python loop take {yardstick()} s on this machine", flush=True)
    sink = subprocess.Popen([sys.executable, "-m", "notifications.sink", "--port", "0"], stdout=subprocess.PIPE, text=True, cwd=ROOT)
    port = int(sink.stdout.readline().split()[-1])
    try:
        for kind in kinds:
            one = child("watch", kind, "single", str(port))
            print(f"[{kind}] watch + dispatch, {one['units']} units, {one['occurrences']:,} occurrences, {one['in_window']:,} in the window: "
                  f"watch {one['watch_s']} s (first run {one['first_watch_s']} s) + dispatch {one['dispatch_s']} s = "
                  f"{one['watch_plus_dispatch_s']} s; "
                  f"{one['messages']:,} messages ({one['notices']:,} notices), {one['mails_per_s']} mails/s, failed {one['failed']}; "
                  f"peak {one['peak_mb']} MB", flush=True)
            print(f"[{kind}] duplicate window: one message per sending thread (4), open {one['window_ms']} ms a message "
                  "(from the server's answer to the commit of its record)", flush=True)
            two = child("watch", kind, "doubled")
            change = (two["watch_s"] - one["watch_s"]) / one["watch_s"] * 100
            print(f"[{kind}] watch alone on {two['occurrences']:,} occurrences, same window ({two['in_window']:,}): {two['watch_s']} s "
                  f"(first run {two['first_watch_s']} s) "
                  f"({change:+.0f}% against {one['occurrences']:,}); peak {two['peak_mb']} MB", flush=True)
            for mode, what in (("simulate", "simulated deliveries"), ("render", "messages rendered as MIME")):
                rep = child("replay", kind, str(REPLAY_MONTHS), mode)
                print(f"[{kind}] replay 05/11/2020-{rep['last']}, {rep['occurrences']:,} occurrences, {mode}: "
                      f"{rep['days']} working days in {rep['replay_s']} s; {rep['notices']:,} notices in {rep['messages']:,} {what}, "
                      f"{rep['submissions']:,} submissions; peak {rep['peak_mb']} MB", flush=True)
    finally:
        sink.terminate()
        sink.wait()


if __name__ == "__main__":
    main()
