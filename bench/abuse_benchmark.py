"""What abuse costs the dashboard's other visitors (not a test; prints figures).

Sign-in floods: the dashboard is served by uvicorn in another process, as ``plantrack serve``
serves it (``web.server.server_config``), on a fresh SQLite store (and PostgreSQL if
``PLANTRACK_BENCH_POSTGRES_URL`` is set) with two accounts. A signed-in viewer's home page is
timed alone (its median over 30 requests, after 10 to warm up), then again and again while 40 wrong sign-ins are
posted at once from one address, (a) all for one login and (b) one login each; the sign-ins
answered 401 had their password hashed, those answered 429 were refused before any work.

Files made to hurt: on the mini plan with indicators, a signed-in page is timed again while
each bomb is posted 4 times at once: two figures workbooks through a unit's hand-in link (a
shared-strings bomb, ~60 KB that would inflate to 17 MB, and a sheet of 3,000 rows) and a .docx
whose ZIP headers under-state a bzip2 member of 64 MB, through the import page as a
coordinator. For each: the slowest refusal, the answers, the page's median meanwhile, the
server's peak memory (its VmHWM) and the bytes left in its uploads folder.

    .venv/bin/python bench/abuse_benchmark.py
"""

from __future__ import annotations

import datetime as dt
import os
import socket
import statistics
import subprocess
import sys
import threading
import time
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402

from bench.benchmark import fresh_database, yardstick  # noqa: E402
from plantrack.accounts import Role, add_account  # noqa: E402
from plantrack.keys import demo_keyring  # noqa: E402
from plantrack.store.database import Store  # noqa: E402
from plantrack.testing import signed_in_cookie  # noqa: E402

KEYS = demo_keyring("abuse-benchmark")
NOW = dt.datetime(2021, 6, 15, 3, tzinfo=dt.timezone.utc)  # 10:00 in Viet Nam: the mini plan's 2021-H1 report is open
UPLOADS = Path(os.environ.get("TMPDIR", "/tmp")) / "abuse-uploads"
PASSWORD = "mat-khau-chu-so-huu"


def serve(url: str, port: int) -> None:
    import uvicorn

    from plantrack.web.app import create_app
    from plantrack.web.server import server_config

    app = create_app(Store(url), KEYS, lambda: NOW, UPLOADS, f"http://127.0.0.1:{port}", definitions=(ROOT / "plan_definitions",))
    uvicorn.Server(server_config(app, "127.0.0.1", port)).run()


def csrf_of(html: str) -> str:
    return html.split('name="csrf" value="', 1)[1].split('"', 1)[0]


def page_times(base: str, cookie: dict, until: threading.Event | None = None, count: int = 30) -> list[float]:
    """Seconds per request of the signed-in home page: ``count`` of them, or until ``until``."""
    times = []
    with httpx.Client(base_url=base, cookies={cookie["name"]: cookie["value"]}, timeout=120) as reader:
        while (until is None and len(times) < count) or (until is not None and not until.is_set()):
            started = time.perf_counter()
            assert reader.get("/").status_code == 200
            times.append(time.perf_counter() - started)
    return times


def flood(base: str, cookie: dict, one_login: bool) -> tuple[list[float], list[int]]:
    page_times(base, cookie, count=10)  # warm up: templates compiled, connections opened
    with httpx.Client(base_url=base) as attacker:
        form = attacker.get("/dang-nhap")
        fields, cookies = {"csrf": csrf_of(form.text), "password": "sai-mat-khau"}, dict(attacker.cookies)
    start, done, answers = threading.Barrier(40), threading.Event(), []

    def attempt(n: int) -> None:
        with httpx.Client(base_url=base, cookies=cookies, timeout=120) as client:
            start.wait()
            answers.append(client.post("/dang-nhap", data={**fields, "login": "chuso" if one_login else f"tai-khoan-{n}"}).status_code)

    threads = [threading.Thread(target=attempt, args=(n,)) for n in range(40)]
    for thread in threads:
        thread.start()
    watcher = threading.Thread(target=lambda: ([t.join() for t in threads], done.set()))
    watcher.start()
    times = page_times(base, cookie, until=done)
    watcher.join()
    return times, answers


@contextmanager
def served(url: str, process: list | None = None):
    """A fresh dashboard process (its sign-in counts empty); yields its base URL (and appends
    the process to ``process``)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = subprocess.Popen([sys.executable, __file__, "serve", url, str(port)])
    if process is not None:
        process.append(server)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                httpx.get(f"{base}/dang-nhap", timeout=1)
                break
            except httpx.HTTPError:
                time.sleep(0.1)
        yield base
    finally:
        server.terminate()
        server.wait(10)


def run(kind: str) -> None:
    url, drop = fresh_database(kind)
    try:
        store = Store(url)
        with store.transaction() as session:
            add_account(session, "chuso", "Chủ tài khoản", PASSWORD, NOW, Role.COORDINATOR)
        cookie = signed_in_cookie(store, KEYS, NOW, "xem", Role.VIEWER)
        store.engine.dispose()
        with served(url) as base:
            page_times(base, cookie, count=10)  # warm up: templates compiled, connections opened
            alone = page_times(base, cookie)
        print(f"[{kind}] signed-in page alone: median {statistics.median(alone) * 1000:.0f} ms ({len(alone)} requests)")
        for label, one_login in (("one login", True), ("a login each", False)):
            with served(url) as base:
                during, answers = flood(base, cookie, one_login)
            median = statistics.median(during) * 1000 if during else float("nan")
            print(f"[{kind}] during 40 parallel wrong sign-ins from one address ({label}): page median {median:.0f} ms, "
                  f"max {max(during, default=0) * 1000:.0f} ms ({len(during)} requests); hashed {answers.count(401)}, "
                  f"refused {answers.count(429)}, other {len(answers) - answers.count(401) - answers.count(429)}")
    finally:
        drop()


def peak_rss_mb(pid: int) -> float:
    """The process's peak resident memory (VmHWM), in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def bombs(template: bytes) -> dict[str, tuple[str, bytes]]:
    """Each bomb: where it is posted ("link" or "import") and its bytes."""
    import zipfile

    from tests.test_handin_bombs import many_rows, rebuilt, shared_strings
    from tests.test_untrusted import _docx_parts, lying_zip

    parts = _docx_parts()
    parts["word/document.xml"] += b" " * (64 * 1024 * 1024)  # bzip2: 64 MB in a few kilobytes
    return {
        "shared strings (1,000,000)": ("link", rebuilt(template, shared_strings(1_000_000))),
        "rows (3,000)": ("link", rebuilt(template, many_rows(3_000))),
        "lying .docx (bzip2, 64 MB)": ("import", lying_zip(parts, "word/document.xml", 2000, zipfile.ZIP_BZIP2)),
    }


def run_bombs(kind: str) -> None:
    import shutil
    import tempfile

    from plantrack.links import link_expiry, make_token
    from plantrack.loader import load_catalogue
    from plantrack.store.sync import sync_catalogue
    from plantrack.tracking import find_occurrence
    from tests.conftest import MINI
    from tests.test_figures import INDICATORS
    from tests.test_loader import edit

    url, drop = fresh_database(kind)
    definitions = Path(tempfile.mkdtemp()) / "definitions"
    try:
        shutil.copytree(MINI, definitions)
        edit(definitions / "plan.yaml", "\nduties:\n", "\n" + INDICATORS)
        edit(definitions / "plan.yaml", "    title: Báo cáo 6 tháng\n", "    title: Báo cáo 6 tháng\n"
             "    indicators: [vu-kiem-tra, vu-vi-pham, tien-phat, ty-le-vi-pham, co-ke-hoach]\n")
        store = Store(url)
        with store.transaction() as session:
            sync_catalogue(session, load_catalogue(definitions))
            tokens = []  # a link per workbook bomb: four refusals use up a link's quota
            for unit in ("t.alpha", "t.beta"):
                occurrence = find_occurrence(session, None, "t-plan", "bao-cao-6-thang", unit, "2021-H1")
                tokens.append(make_token(KEYS, occurrence.id, unit, link_expiry(occurrence.current_due_date)))
        viewer = signed_in_cookie(store, KEYS, NOW, "xem", Role.VIEWER)
        coordinator = signed_in_cookie(store, KEYS, NOW, "dieu-phoi", Role.COORDINATOR)
        store.engine.dispose()
        shutil.rmtree(UPLOADS, ignore_errors=True)
        process: list = []
        with served(url, process) as base:
            page_times(base, viewer, count=10)
            alone = statistics.median(page_times(base, viewer)) * 1000
            template = httpx.get(f"{base}/nop/{tokens[0]}/bieu-so-lieu.xlsx", timeout=60).content
            with httpx.Client(base_url=base, cookies={coordinator["name"]: coordinator["value"]}, timeout=60) as client:
                csrf = csrf_of(client.get("/nhap-ke-hoach").text)
            print(f"[{kind}] files: signed-in page alone {alone:.0f} ms")
            links = iter(tokens)
            for label, (where, body) in bombs(template).items():
                token = next(links) if where == "link" else None
                start, done, answers, seconds = threading.Barrier(4), threading.Event(), [], []

                def post(where=where, body=body, token=token, start=start, answers=answers, seconds=seconds) -> None:
                    cookies = {coordinator["name"]: coordinator["value"]} if where == "import" else {}
                    with httpx.Client(base_url=base, cookies=cookies, timeout=600) as client:
                        start.wait()
                        began = time.perf_counter()
                        if where == "link":
                            answer = client.post(f"/nop/{token}", files={"file": ("bieu.xlsx", body)})
                        else:
                            answer = client.post("/nhap-ke-hoach", data={"csrf": csrf}, files={"document": ("ke-hoach.docx", body)})
                        seconds.append(time.perf_counter() - began)
                        answers.append(answer.status_code)

                posters = [threading.Thread(target=post) for _ in range(4)]
                for poster in posters:
                    poster.start()
                watcher = threading.Thread(target=lambda posters=posters, done=done: ([p.join() for p in posters], done.set()))
                watcher.start()
                during = page_times(base, viewer, until=done)
                watcher.join()
                left = sum(p.stat().st_size for p in UPLOADS.rglob("*") if p.is_file()) if UPLOADS.exists() else 0
                print(f"[{kind}] {label} ({len(body):,} bytes) posted 4 times at once: slowest refusal {max(seconds):.2f} s, "
                      f"answers {sorted(answers)}; page median {statistics.median(during) * 1000 if during else float('nan'):.0f} ms "
                      f"({len(during)} requests); bytes left {left:,}; server peak {peak_rss_mb(process[0].pid):.0f} MB")
    finally:
        shutil.rmtree(definitions.parent, ignore_errors=True)
        drop()


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "serve":
        serve(sys.argv[2], int(sys.argv[3]))
        return
    print(f"yardstick: 10 million additions in a Python loop take {yardstick():.2f} s on this machine")
    for kind in ("sqlite", "postgresql") if os.environ.get("PLANTRACK_BENCH_POSTGRES_URL") else ("sqlite",):
        run(kind)
        run_bombs(kind)


if __name__ == "__main__":
    main()
