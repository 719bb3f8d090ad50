"""How fast plan definitions load at national scale (not a test; prints figures).

The real plan definitions plus 62 generated provincial plans implementing Kế hoạch 399, each
with its province's own 31 units (a committee, its standing office, 19 departments, 10
districts) and the reporting regime of a provincial plan: a one-off implementing plan, monthly
and quarterly reports, half-yearly reports and the 1-, 2- and 3-year reviews. Each phase runs in
its own process against a fresh database, so "peak MB" is that sync's peak resident memory:

- first sync: an empty store;
- no-op sync: the same definitions again (nothing changes);

    .venv/bin/python bench/sync_benchmark.py            # SQLite, and PostgreSQL if configured
    PLANTRACK_BENCH_POSTGRES_URL=postgresql://postgres@127.0.0.1:5432/test .venv/bin/python bench/sync_benchmark.py
"""

from __future__ import annotations

import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.benchmark import fresh_database, yardstick  # noqa: E402
from plantrack.loader import load_catalogue  # noqa: E402
from plantrack.store.database import Store  # noqa: E402
from plantrack.store.sync import sync_catalogue  # noqa: E402

PROVINCES = 62
DEPARTMENTS, DISTRICTS = 19, 10


def registry(index: int) -> str:
    p = f"g{index:02d}"
    lines = [f"registry:\n  id: bench-{p}\n  title: Tỉnh thử nghiệm {index}\n\nunits:"]

    def unit(uid, name, kind, parent, escalates):
        lines.append(f"  - id: {uid}\n    name: {name}\n    kind: {kind}\n    parent: {parent}\n    escalates_to: {escalates}\n"
                     f"    contacts: {{to: [{uid.replace('.', '-')}@bench.example]}}")

    unit(f"{p}.bcd", f"Ban Chỉ đạo 389 tỉnh thử nghiệm {index}", "committee", "vn.bcd389", "vn.vptt")
    unit(f"{p}.office", f"Cơ quan Thường trực tỉnh thử nghiệm {index}", "standing_office", f"{p}.bcd", f"{p}.bcd")
    for m in range(DEPARTMENTS):
        unit(f"{p}.s{m:02d}", f"Sở {m} tỉnh thử nghiệm {index}", "department", f"{p}.bcd", f"{p}.office")
    for d in range(DISTRICTS):
        unit(f"{p}.d{d:02d}", f"Ban Chỉ đạo 389 huyện {d} tỉnh thử nghiệm {index}", "district_committee", f"{p}.bcd", f"{p}.office")
    members = ", ".join([f"{p}.s{m:02d}" for m in range(DEPARTMENTS)] + [f"{p}.d{d:02d}" for d in range(DISTRICTS)])
    lines.append(f"\ngroups:\n  {p}.members: [{members}]\n")
    return "\n".join(lines)


def plan(index: int) -> str:
    p = f"g{index:02d}"
    return f"""plan:
  id: {p}-kh
  number: {index}/KH-BCĐ389
  title: Kế hoạch triển khai Kế hoạch 399 của tỉnh thử nghiệm {index}
  issuer: {p}.bcd
  issued_on: 2020-11-10
  parent: kh-399
  coordination: {{office: {p}.office, head: {p}.bcd}}

duties:
  - {{id: trien-khai, section: III, text: Triển khai kế hoạch tại đơn vị., lead_groups: [{p}.members]}}

obligations:
  - {{id: ke-hoach, title: Kế hoạch của đơn vị, section: IV.1, duty: trien-khai, groups: [{p}.members], submit_to: {p}.office,
     due: {{type: one_off, before: 2020-11-30}}}}
  - {{id: thang, title: Báo cáo tháng, section: IV.2, duty: trien-khai, groups: [{p}.members], submit_to: {p}.office,
     due: {{type: recurring, cron: "0 0 20 * *", key_format: "%Y-%m"}}}}
  - {{id: tien-do, title: Báo cáo tiến độ tháng, section: IV.2, duty: trien-khai, groups: [{p}.members], submit_to: {p}.office,
     due: {{type: recurring, cron: "0 0 5 * *", key_format: "%Y-%m"}}}}
  - {{id: quy, title: Báo cáo quý, section: IV.2, duty: trien-khai, groups: [{p}.members], submit_to: {p}.office,
     due: {{type: reporting_period, period: quarter, days_after_cutoff: 3, basis: assumed, note: bench}}}}
  - {{id: sau-thang, title: Báo cáo 6 tháng, section: IV.2, duty: trien-khai, groups: [{p}.members], submit_to: {p}.office,
     due: {{type: reporting_period, period: half_year, days_after_cutoff: 3, basis: assumed, note: bench}}}}
  - {{id: so-ket, title: 'Sơ kết, tổng kết', section: IV.2, duty: trien-khai, groups: [{p}.members], submit_to: {p}.office,
     due: {{type: milestone, days_after: 10, basis: assumed, note: bench, milestones: [{{key: 1y, label: Sơ kết 01 năm, years_after_start: 1}},
       {{key: 2y, label: Sơ kết 02 năm, years_after_start: 2}}, {{key: 3y, label: Tổng kết 03 năm, years_after_start: 3}}]}}}}
"""


def definitions() -> Path:
    folder = Path(tempfile.mkdtemp()) / "definitions"
    shutil.copytree(ROOT / "plan_definitions", folder)
    for index in range(PROVINCES):
        (folder / "registries" / f"bench-{index:02d}.yaml").write_text(registry(index), encoding="utf-8")
        (folder / "plans" / f"bench-{index:02d}.yaml").write_text(plan(index), encoding="utf-8")
    return folder


def phase(url: str, folder: Path) -> dict:
    store = Store(url)
    started = time.perf_counter()
    catalogue = load_catalogue(folder)
    loaded = time.perf_counter() - started
    timings = []
    for _ in range(2):
        begun = time.perf_counter()
        with store.transaction() as session:
            report = sync_catalogue(session, catalogue)
        timings.append((time.perf_counter() - begun, report))
    (first_s, first), (again_s, again) = timings
    store.dispose()
    return {
        "load_s": round(loaded, 2), "first_s": round(first_s, 2), "noop_s": round(again_s, 2), "noop_empty": again.is_empty,
        "units": first.count("added", "unit"), "plans": first.count("added", "plan"), "occurrences": first.count("added", "occurrence"),
        "peak_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }


def main() -> None:
    if len(sys.argv) > 2:  # a phase, in its own process
        kind, folder = sys.argv[1], Path(sys.argv[2])
        url, drop = fresh_database(kind)
        try:
            print(json.dumps(phase(url, folder)))
        finally:
            drop()
        return
    print(f"yardstick: 10 million additions in a Python loop take {yardstick()} s on this machine", flush=True)
    folder = definitions()
    kinds = ["sqlite"] + (["postgresql"] if os.environ.get("PLANTRACK_BENCH_POSTGRES_URL") else [])
    for kind in kinds:
        output = subprocess.run([sys.executable, __file__, kind, str(folder)], check=True, capture_output=True, text=True).stdout
        r = json.loads(output.strip().splitlines()[-1])
        print(f"[{kind}] {r['units']:,} units, {r['plans']} plans, {r['occurrences']:,} occurrences: load and check {r['load_s']} s; "
              f"first sync {r['first_s']} s; no-op sync {r['noop_s']} s (nothing changed: {r['noop_empty']}); "
              f"peak {r['peak_mb']} MB", flush=True)
    shutil.rmtree(folder.parent, ignore_errors=True)


if __name__ == "__main__":
    main()
