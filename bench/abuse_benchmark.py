"""What abuse costs the dashboard's other visitors (not a test; prints figures).

Sign-in floods: the dashboard is served by uvicorn in another process, as ``plantrack serve``
serves it (``web.server.server_config``), on a fresh SQLite store (and PostgreSQL if
``PLANTRACK_BENCH_POSTGRES_URL`` is set) with two accounts. A signed-in viewer's home page is
timed alone (its median over 30 requests, after 10 to warm up), then again and again while 40 wrong sign-ins are
posted at once from one address, (a) all for one login and (b) one login each; the sign-ins
answered 401 had their password hashed, those answered 429 were refused before any work.

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
NOW = dt.datetime(2020, 11, 20, 3, tzinfo=dt.timezone.utc)
PASSWORD = "mat-khau-chu-so-huu"


def serve(url: str, port: int) -> None:
    import uvicorn

    from plantrack.web.app import create_app
    from plantrack.web.server import server_config

    app = create_app(Store(url), KEYS, lambda: NOW, Path(os.environ.get("TMPDIR", "/tmp")) / "abuse-uploads", f"http://127.0.0.1:{port}")
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
def served(url: str):
    """A fresh dashboard process (its sign-in counts empty); yields its base URL."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = subprocess.Popen([sys.executable, __file__, "serve", url, str(port)])
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


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "serve":
        serve(sys.argv[2], int(sys.argv[3]))
        return
    print(f"yardstick: 10 million additions in a Python loop take {yardstick():.2f} s on this machine")
    run("sqlite")
    if os.environ.get("PLANTRACK_BENCH_POSTGRES_URL"):
        run("postgresql")


if __name__ == "__main__":
    main()
