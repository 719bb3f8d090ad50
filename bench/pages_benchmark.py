"""How fast a coordinator's pages and the national report answer at national scale (not a test;
prints figures).

The national store: 63 provinces under the national committee, each with its committee, its
standing office, 20 member departments and 10 districts under it (2,016 units in a tree); a
national plan whose reports the provinces' committees and offices owe, and 63 provincial plans
implementing it whose reports their departments and districts owe: about 100 occurrences per
unit (200,000), the past ones handed in with their figures (three indicators each), and 2.5 sent
notices per handed-in one (about 216,000 notice rows). The app is served by uvicorn in another process with its clock at 15/03/2022;
clients sign in and ask, in turns:

- the home page, the national plan's overview (a tree: the provinces), one province's branch of
  it, the national committee's page, a district's page, a provincial plan's overview, and the
  national plan's figures (the latest period compiled up the cascade, with its charts);

first one client at a time: each page repeated (its counts cached), just after a hand-in (the
cached counts brought up to date) and after a sync (counted afresh); then 4 clients at once and
16 at once while a hand-in arrives every 2 seconds (p50 / p95 per page, errors, the server's
peak memory). Then the compiled national report
(Excel and HTML) in a process of its own: seconds and peak MB.

    .venv/bin/python bench/pages_benchmark.py            # SQLite, and PostgreSQL if configured
    PLANTRACK_BENCH_POSTGRES_URL=postgresql://postgres@127.0.0.1:5432/test .venv/bin/python bench/pages_benchmark.py
"""

from __future__ import annotations

import datetime as dt
import json
import os
import resource
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import insert  # noqa: E402

from bench.benchmark import CALENDAR, END, START, WATCH_DAY, fresh_database, yardstick  # noqa: E402
from plantrack.calendar import TIMEZONE  # noqa: E402
from plantrack.freshness import touch  # noqa: E402
from plantrack.store.database import Store  # noqa: E402
from plantrack.store.models import Figure, Notice, Obligation, Occurrence, Plan, Submission, Unit  # noqa: E402

PROVINCES, MEMBERS, DISTRICTS, PER_UNIT = 63, 20, 10, 99
CLOCK = dt.datetime.combine(WATCH_DAY, dt.time(10), tzinfo=TIMEZONE)
PAGES = {
    "home": "/",
    "national overview": "/ke-hoach/bench",
    "province branch": "/ke-hoach/bench?mo=p05.bcd",
    "national committee": "/don-vi/vn.bcd389",
    "district page": "/don-vi/p05.d03",
    "provincial plan": "/ke-hoach/bench-p05",
    "national figures": "/ke-hoach/bench/so-lieu",
}
PASSWORD = "bench-password-0"
INDICATORS = [  # as a sync stores them on the obligation
    {"id": "vu-kiem-tra", "name": "Số vụ kiểm tra", "unit_of_measure": "vụ", "kind": "count", "measure": "flow", "aggregate": "sum"},
    {"id": "vu-vi-pham", "name": "Số vụ vi phạm", "unit_of_measure": "vụ", "kind": "count", "measure": "flow", "aggregate": "sum"},
    {"id": "tien-xu-phat", "name": "Số tiền xử phạt", "unit_of_measure": "đồng", "kind": "amount", "measure": "flow", "aggregate": "sum"},
]


def units() -> list[dict]:
    rows = [dict(id="vn.bcd389", name="Ban Chỉ đạo 389 quốc gia", kind="committee", parent_id=None, escalates_to_id=None),
            dict(id="vn.vptt", name="Văn phòng Thường trực BCĐ 389 quốc gia", kind="standing_office", parent_id="vn.bcd389",
                 escalates_to_id="vn.bcd389")]
    for p in range(PROVINCES):
        prov = f"p{p:02d}"
        rows.append(dict(id=f"{prov}.bcd", name=f"Ban Chỉ đạo 389 tỉnh {p}", kind="province", parent_id="vn.bcd389", escalates_to_id="vn.vptt"))
        rows.append(dict(id=f"{prov}.office", name=f"Cơ quan Thường trực tỉnh {p}", kind="standing_office", parent_id=f"{prov}.bcd",
                         escalates_to_id=f"{prov}.bcd"))
        rows += [dict(id=f"{prov}.m{m:02d}", name=f"Sở {m} tỉnh {p}", kind="department", parent_id=f"{prov}.bcd",
                      escalates_to_id=f"{prov}.office") for m in range(MEMBERS)]
        rows += [dict(id=f"{prov}.d{d:02d}", name=f"Ban Chỉ đạo 389 huyện {d} tỉnh {p}", kind="district_committee",
                      parent_id=f"{prov}.bcd", escalates_to_id=f"{prov}.office") for d in range(DISTRICTS)]
    for row in rows:
        row.update(registry_id="bench", short_name=None, head=None, basis="stated", retired=False, valid_from=None, valid_until=None,
                   successor_id=None, aliases=[], split_to=[], former_names=[], contacts={"to": [f"{row['id']}@bench.example"]})
    return rows


def plan(plan_id: str, number: str, issuer: str, parent: str | None) -> Plan:
    return Plan(id=plan_id, number=number, doc_type="ke_hoach", title=f"Kế hoạch thử tải {number}", issuer_id=issuer, issued_on=START,
                period_start=START, period_end=END, parent_id=parent, source_file="bench", sources=[], calendar={}, escalation={},
                coordination={})


def occurrence_rows(obligation_id: int, unit_ids: list[str], shift: int) -> list[dict]:
    rows, span = [], (END - START).days
    for index, unit_id in enumerate(unit_ids):
        for k in range(PER_UNIT):
            due = START + dt.timedelta(days=(k * span // PER_UNIT + index * 7 + shift) % span)
            due = due if CALENDAR.is_working_day(due) else CALENDAR.next_working_day(due)
            # Most past reports were handed in (one in nine late, one in twenty never).
            handed = None
            if due < WATCH_DAY and (k + index) % 20:
                day = due + dt.timedelta(days=3) if (k + index) % 9 == 0 else due - dt.timedelta(days=1)
                handed = dt.datetime.combine(day, dt.time(9), tzinfo=TIMEZONE) if day < WATCH_DAY else None
            rows.append(dict(obligation_id=obligation_id, unit_id=unit_id, period_key=f"k{k}", period_label=f"Kỳ {k}",
                             period_start=due - dt.timedelta(days=30), period_end=due, opens_on=due - dt.timedelta(days=30),
                             due_date=due, current_due_date=due, explanation=[], first_submitted_at=handed,
                             submitted_on=handed.date() if handed else None, retired=False))
    return rows


def build(url: str) -> dict:
    store = Store(url)
    unit_rows = units()
    total = notices = figures = 0
    with store.transaction() as session:
        session.execute(insert(Unit), unit_rows)
        session.add(plan("bench", "1/KH-BENCH", "vn.bcd389", None))
        session.flush()
        session.add_all([plan(f"bench-p{p:02d}", f"{p + 1}/KH-TINH", f"p{p:02d}.bcd", "bench") for p in range(PROVINCES)])
        session.flush()
        owners = {"bench": [u["id"] for u in unit_rows if u["id"].endswith((".bcd", ".office"))]}
        for p in range(PROVINCES):
            owners[f"bench-p{p:02d}"] = [u["id"] for u in unit_rows if u["id"].startswith(f"p{p:02d}.") and u["parent_id"] == f"p{p:02d}.bcd"
                                         and not u["id"].endswith(".office")]
        rows = []
        for shift, (plan_id, unit_ids) in enumerate(owners.items()):
            obligation = Obligation(plan_id=plan_id, key="bao-cao", title="Báo cáo định kỳ", kind="recurring", section="IV",
                                    submit_to_id="vn.vptt", rule={}, units=[], indicators=INDICATORS)
            session.add(obligation)
            session.flush()
            rows += occurrence_rows(obligation.id, unit_ids, shift)
        rows.sort(key=lambda row: (row["due_date"], row["unit_id"]))
        for chunk in range(0, len(rows), 20000):
            session.execute(insert(Occurrence), rows[chunk:chunk + 20000])
        total = len(rows)
        handed = session.execute(Occurrence.__table__.select().with_only_columns(
            Occurrence.id, Occurrence.unit_id, Occurrence.due_date).where(Occurrence.first_submitted_at.is_not(None))).all()
        # Every handed-in report with its figures: a submission, and one figure per indicator.
        submission_rows = [dict(occurrence_id=occurrence_id, recorded_by="bench",
                                submitted_at=dt.datetime.combine(due - dt.timedelta(days=1), dt.time(9), tzinfo=TIMEZONE))
                           for occurrence_id, _, due in handed]
        for chunk in range(0, len(submission_rows), 20000):
            session.execute(insert(Submission), submission_rows[chunk:chunk + 20000])
        submitted = session.execute(Submission.__table__.select().with_only_columns(Submission.id, Submission.occurrence_id)).all()
        figure_rows = [dict(submission_id=submission_id, indicator=indicator["id"], number=float((occurrence_id * (k + 3)) % 97))
                       for submission_id, occurrence_id in submitted for k, indicator in enumerate(INDICATORS)]
        for chunk in range(0, len(figure_rows), 50000):
            session.execute(insert(Figure), figure_rows[chunk:chunk + 50000])
        figures = len(figure_rows)
        notice_rows = []
        for occurrence_id, unit_id, due in handed:
            for n, stage in enumerate(("reminder-5", "reminder-1", "due")[: 2 + occurrence_id % 2]):
                sent = dt.datetime.combine(due - dt.timedelta(days=5 - 2 * n), dt.time(7, 30), tzinfo=TIMEZONE)
                notice_rows.append(dict(occurrence_id=occurrence_id, stage=stage, deadline=due, level=0, recipient_id=unit_id, channel="email",
                                        planned_on=sent.date(), created_at=sent, state="sent", attempts=1, next_attempt_at=sent,
                                        sent_at=sent, address=f"{unit_id}@bench.example", result="250 OK"))
        for chunk in range(0, len(notice_rows), 20000):
            session.execute(insert(Notice), notice_rows[chunk:chunk + 20000])
        notices = len(notice_rows)
        touch(session)  # as a sync leaves it
    store.dispose()
    tidied = Store(url)
    tidied.tidy()  # statistics as the morning's watch leaves them (this server runs without autovacuum)
    tidied.dispose()
    return {"units": len(unit_rows), "plans": len(owners), "occurrences": total, "notices": notices, "figures": figures}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def serve(url: str, port: int) -> None:
    """The app on ``port`` with its clock at CLOCK (run in a child process)."""
    import uvicorn

    from plantrack.accounts import Role, add_account
    from plantrack.keys import demo_keyring
    from plantrack.web.app import create_app

    store = Store(url)
    with store.transaction() as session:
        add_account(session, "bench", "Điều phối thử tải", PASSWORD, CLOCK, Role.ADMIN)
    app = create_app(store, demo_keyring("bench"), lambda: CLOCK, Path(tempfile.mkdtemp()), f"http://127.0.0.1:{port}")
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning")


def peak_of(pid: int) -> float:
    with open(f"/proc/{pid}/status") as handle:
        for line in handle:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return 0.0


def client(base: str):
    import httpx

    session = httpx.Client(base_url=base, timeout=60)
    form = session.get("/dang-nhap").text
    csrf = form.split('name="csrf" value="', 1)[1].split('"', 1)[0] if 'name="csrf"' in form else ""
    session.post("/dang-nhap", data={"login": "bench", "password": PASSWORD, "csrf": csrf})
    return session


class HandIns:
    """Hand-ins arriving while the clients read (one every ``every`` seconds), each with its
    figures: every one moves the pages' cached counts and totals, so the figures include
    bringing them up to date."""

    def __init__(self, url: str, every: float):
        from sqlalchemy import select

        self.store, self.every, self.count = Store(url), every, 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        with self.store.session() as session:
            self._open = list(session.scalars(select(Occurrence.id).where(
                Occurrence.first_submitted_at.is_(None), Occurrence.opens_on <= WATCH_DAY).order_by(Occurrence.id.desc()).limit(5000)))

    def one(self) -> None:
        from plantrack.figures import record_figures
        from plantrack.tracking import record_submission

        with self.store.transaction() as session:
            occurrence = session.get(Occurrence, self._open.pop())
            submission = record_submission(session, occurrence, CLOCK - dt.timedelta(minutes=30))
            session.flush()
            if occurrence.obligation.indicators:  # a report hands in its figures
                record_figures(session, submission, {i["id"]: str(occurrence.id % 50) for i in occurrence.obligation.indicators})
        self.count += 1

    def _run(self) -> None:
        while not self._stop.wait(self.every) and self._open:
            self.one()

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join(30)
        self.store.dispose()


def load(base: str, clients: int, rounds: int) -> tuple[dict[str, list[float]], int]:
    times: dict[str, list[float]] = {name: [] for name in PAGES}
    errors = [0]
    lock = threading.Lock()

    def work(index: int) -> None:
        session = client(base)
        names = list(PAGES)
        for r in range(rounds):
            for name in names[index % len(names):] + names[:index % len(names)]:
                started = time.perf_counter()
                try:
                    ok = session.get(PAGES[name]).status_code == 200
                except Exception:
                    ok = False
                with lock:
                    times[name].append(time.perf_counter() - started)
                    errors[0] += not ok
        session.close()

    threads = [threading.Thread(target=work, args=(i,)) for i in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return times, errors[0]


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[-1] if len(values) >= 2 else values[0]


def phase_report(url: str) -> dict:
    from plantrack.reporting import write_progress_report

    started = time.perf_counter()
    written = write_progress_report(Store(url), "bench", CLOCK, Path(tempfile.mkdtemp()))
    return {"seconds": time.perf_counter() - started, "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
            "sizes_kb": [round(f.stat().st_size / 1024) for f in written.files]}


def run(kind: str) -> None:
    url, drop = fresh_database(kind)
    try:
        shape = json.loads(subprocess.run([sys.executable, __file__, "build", url], check=True, capture_output=True, text=True)
                           .stdout.strip().splitlines()[-1])
        print(f"[{kind}] {shape['units']:,} units, {shape['plans']} plans, {shape['occurrences']:,} occurrences, {shape['notices']:,} notices, "
              f"{shape['figures']:,} figures")
        port = free_port()
        server = subprocess.Popen([sys.executable, __file__, "serve", url, str(port)])
        base = f"http://127.0.0.1:{port}"
        try:
            for _ in range(300):
                try:
                    socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                    break
                except OSError:
                    time.sleep(0.1)
            session = client(base)
            sizes = {}
            for name, path in PAGES.items():
                session.get(path)  # warm
                started = time.perf_counter()
                answer = session.get(path)
                sizes[name] = (time.perf_counter() - started, len(answer.content), answer.status_code)
            cold, fresh, writer = {}, {}, HandIns(url, 0)
            for name, path in PAGES.items():  # one hand-in, then the page: cached counts brought up to date
                writer.one()
                started = time.perf_counter()
                session.get(path)
                cold[name] = time.perf_counter() - started
            for name, path in PAGES.items():  # as after a sync: every count computed afresh
                with writer.store.transaction() as write:
                    touch(write)
                started = time.perf_counter()
                session.get(path)
                fresh[name] = time.perf_counter() - started
            writer.store.dispose()
            for path in PAGES.values():  # the morning after a sync: each page counted once before the clients come
                session.get(path)
            for name, (seconds, size, code) in sizes.items():
                print(f"[{kind}]   one client  {name:<19} {seconds * 1000:5.0f} ms repeated, {cold[name] * 1000:5.0f} ms just after a "
                      f"hand-in, {fresh[name] * 1000:5.0f} ms after a sync  {size / 1024:5.0f} KB  HTTP {code}")
            for clients, rounds in ((4, 10), (16, 3)):
                with HandIns(url, 2.0) as arriving:
                    started = time.perf_counter()
                    times, errors = load(base, clients, rounds)
                    elapsed = time.perf_counter() - started
                spread = "; ".join(f"{name} {statistics.median(v) * 1000:.0f}/{p95(v) * 1000:.0f}" for name, v in times.items())
                print(f"[{kind}]   {clients:>2} clients  p50/p95 ms: {spread}; errors {errors}; server peak {peak_of(server.pid):.0f} MB; "
                      f"{arriving.count} hand-ins arrived in {elapsed:.0f} s")
        finally:
            server.terminate()
            server.wait(10)
        report = json.loads(subprocess.run([sys.executable, __file__, "report", url], check=True, capture_output=True, text=True)
                            .stdout.strip().splitlines()[-1])
        print(f"[{kind}]   national report (Excel + HTML): {report['seconds']:.2f} s, peak {report['peak_mb']:.0f} MB, "
              f"files {report['sizes_kb']} KB")
    finally:
        drop()


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "build":
        print(json.dumps(build(sys.argv[2])))
        return
    if len(sys.argv) > 1 and sys.argv[1] == "serve":
        serve(sys.argv[2], int(sys.argv[3]))
        return
    if len(sys.argv) > 1 and sys.argv[1] == "report":
        print(json.dumps(phase_report(sys.argv[2])))
        return
    print(f"yardstick: 10 million additions in a Python loop take {yardstick():.2f} s on this machine")
    run("sqlite")
    if os.environ.get("PLANTRACK_BENCH_POSTGRES_URL"):
        run("postgresql")


if __name__ == "__main__":
    main()
