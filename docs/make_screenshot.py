"""Regenerate docs/dashboard-overview.png from the demo data (run `make demo` first).

    .venv/bin/python docs/make_screenshot.py
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from playwright.sync_api import sync_playwright  # noqa: E402

from plantrack.accounts import remove_account  # noqa: E402
from plantrack.calendar import TIMEZONE  # noqa: E402
from plantrack.store.database import Store  # noqa: E402
from plantrack.testing import demo_keyring, serving, signed_in_cookie  # noqa: E402
from plantrack.web.app import create_app  # noqa: E402


def main() -> None:
    import datetime as dt

    store = Store(f"sqlite:///{ROOT / 'var' / 'demo.db'}")
    now = dt.datetime(2020, 11, 20, 10, tzinfo=TIMEZONE)
    keys = demo_keyring("screenshot")
    app = create_app(store, keys, lambda: now)
    cookie = signed_in_cookie(store, keys, now, login="screenshot")  # removed again below
    try:
        with serving(app) as url, sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=shutil.which("chromium"), args=["--no-sandbox"])
            context = browser.new_context(viewport={"width": 1280, "height": 1000})
            context.add_cookies([{**cookie, "url": url}])
            page = context.new_page()
            page.goto(f"{url}/ke-hoach/hn-kh-03?as_of=2020-11-20&period=1")
            page.screenshot(path=str(ROOT / "docs" / "dashboard-overview.png"))
            browser.close()
    finally:
        with store.transaction() as session:
            remove_account(session, "screenshot")

if __name__ == "__main__":
    main()
