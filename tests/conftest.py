"""Fixtures: every store test runs on SQLite and on a real PostgreSQL.

PostgreSQL tests need ``PLANTRACK_TEST_POSTGRES_URL`` (e.g. postgresql://postgres@127.0.0.1:5432/test);
each test session creates its own database there and drops it at the end. Without the
variable they are skipped with a reason; CI sets it.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import tempfile
import uuid
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

# The CLI's catalogue cache (plantrack.catalogue_cache) of the commands the tests run: in a folder
# of the run's own, never the home folder's.
os.environ.setdefault("PLANTRACK_CACHE_DIR", tempfile.mkdtemp(prefix="plantrack-test-cache-"))

from plantrack.calendar import TIMEZONE
from plantrack.loader import load_catalogue
from plantrack.store.database import Store, engine_url
from plantrack.store.models import Base

ROOT = Path(__file__).resolve().parent.parent
DEFINITIONS = ROOT / "plan_definitions"
MINI = Path(__file__).parent / "data" / "mini"
PG_URL = os.environ.get("PLANTRACK_TEST_POSTGRES_URL")


def vn(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> dt.datetime:
    """An instant given in Viet Nam time."""
    return dt.datetime(year, month, day, hour, minute, tzinfo=TIMEZONE)


@pytest.fixture(scope="session")
def postgres_url():
    if not PG_URL:
        pytest.skip("PostgreSQL tests need PLANTRACK_TEST_POSTGRES_URL (CI sets it)")
    admin = create_engine(engine_url(PG_URL), isolation_level="AUTOCOMMIT")
    name = f"plantrack_test_{uuid.uuid4().hex[:10]}"
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(PG_URL).set(database=name).render_as_string(hide_password=False)
    Store(url).dispose()  # migrate once; tests then truncate
    yield url
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory) -> Path:
    """A migrated SQLite file, copied for each test (cheaper than migrating each time)."""
    path = tmp_path_factory.mktemp("template") / "template.db"
    Store(f"sqlite:///{path}").dispose()
    return path


@pytest.fixture(params=["sqlite", "postgresql"])
def store(request, tmp_path, sqlite_template):
    if request.param == "sqlite":
        path = tmp_path / "plantrack.db"
        shutil.copy(sqlite_template, path)
        store = Store(f"sqlite:///{path}")
    else:
        store = Store(request.getfixturevalue("postgres_url"))
        tables = ", ".join(t.name for t in Base.metadata.sorted_tables)
        with store.engine.begin() as connection:
            connection.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    yield store
    store.dispose()


@pytest.fixture(scope="session")
def real_catalogue():
    return load_catalogue(DEFINITIONS)


@pytest.fixture
def mini_dir(tmp_path) -> Path:
    """A writable copy of the small test definitions."""
    target = tmp_path / "definitions"
    shutil.copytree(MINI, target)
    return target


@pytest.fixture
def synced(store, mini_dir):
    """The store with the mini catalogue (tests/data/mini) synced into it."""
    from plantrack.store.sync import sync_catalogue

    with store.transaction() as session:
        sync_catalogue(session, load_catalogue(mini_dir))
    return store


def morning(day: dt.date) -> dt.datetime:
    """07:30 in Viet Nam on ``day``: when the morning watch runs."""
    return dt.datetime.combine(day, dt.time(7, 30), tzinfo=TIMEZONE)


@pytest.fixture
def sink():
    """A real SMTP server (aiosmtpd) on this machine, keeping what it receives."""
    from notifications.sink import SmtpSink

    with SmtpSink() as running:
        yield running


@pytest.fixture
def webhook():
    """A JSON webhook on 127.0.0.1: yields (its apprise URL, the bodies posted to it)."""
    import json
    import threading
    from http.server import BaseHTTPRequestHandler, HTTPServer

    received: list[dict] = []

    class Hook(BaseHTTPRequestHandler):
        def do_POST(self):
            received.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = HTTPServer(("127.0.0.1", 0), Hook)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"json://127.0.0.1:{server.server_port}/hook", received
    finally:
        server.shutdown()
