"""Regenerate docs/dashboard-overview.png from the demo data (run `make demo` first).

    .venv/bin/python docs/make_screenshot.py
"""

from __future__ import annotations

import shutil
import socket
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import uvicorn  # noqa: E402
from playwright.sync_api import sync_playwright  # noqa: E402

from plantrack.calendar import TIMEZONE  # noqa: E402
from plantrack.store.database import Store  # noqa: E402
from plantrack.web.app import create_app  # noqa: E402


def main() -> None:
    import datetime as dt

    store = Store(f"sqlite:///{ROOT / 'var' / 'demo.db'}")
    app = create_app(store, b"screenshot", lambda: dt.datetime(2020, 11, 20, 10, tzinfo=TIMEZONE))
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    threading.Thread(target=server.run, daemon=True).start()
    while not server.started:
        time.sleep(0.05)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=shutil.which("chromium"), args=["--no-sandbox"])
        page = browser.new_page(viewport={"width": 1280, "height": 1000})
        page.goto(f"http://127.0.0.1:{port}/ke-hoach/hn-kh-03?as_of=2020-11-20&period=1")
        page.screenshot(path=str(ROOT / "docs" / "dashboard-overview.png"))
        browser.close()
    server.should_exit = True


if __name__ == "__main__":
    main()
