"""Helpers for testing a plantrack deployment, for plan authors' own tests and for scripts
that drive the dashboard:

- ``check_plans(*folders)``: load and check plan files; on a problem, an AssertionError that
  lists every one as file:line: field: message;
- ``deadlines_of(catalogue, plan, obligation)``: the dated periods of an obligation, with the
  explanation of each deadline, without a store;
- ``synced_store(path, *folders)``: a SQLite store (a file under ``path``) with the plans synced;
- ``apply_scenario_file(store, scenario, until)``: a scenario's submissions and extensions;
- ``demo_keyring``, ``serving`` (the dashboard in a thread), ``signed_in_cookie``.

    from plantrack.testing import check_plans, deadlines_of

    def test_the_first_half_year_report_is_due_on_monday(tmp_path):
        catalogue = check_plans("plan_definitions")
        first = deadlines_of(catalogue, "kh-399", "bao-cao-6-thang")[0]
        assert first.deadline.due_date == datetime.date(2020, 12, 21)  # 20/12/2020 is a Sunday
"""

from __future__ import annotations

import datetime as dt
import socket
import threading
import time
from contextlib import contextmanager
from typing import Iterator

from pathlib import Path

from .accounts import Role, add_account, start_session
from .errors import DefinitionError
from .keys import Keyring, Purpose, demo_keyring
from .store.database import Store


@contextmanager
def serving(app, forwarded_allow_ips: str | None = None) -> Iterator[str]:
    """``app`` served by uvicorn on a free port of 127.0.0.1, as ``plantrack serve`` serves it
    (trusting X-Forwarded-For only from ``forwarded_allow_ips``); yields its base URL."""
    import uvicorn

    from .web.server import server_config

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = uvicorn.Server(server_config(app, "127.0.0.1", port, forwarded_allow_ips))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    for _ in range(200):
        if server.started:
            break
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(10)


def signed_in_cookie(store: Store, keyring: Keyring, now: dt.datetime, login: str = "tester", role: Role = Role.ADMIN,
                     password: str = "test-password-0") -> dict[str, str]:
    """An account (made if missing) and a session for it: the cookie a browser would hold."""
    from .store.models import Account

    with store.transaction() as session:
        account = session.get(Account, login) or add_account(session, login, f"Tài khoản {login}", password, now, role)
        session_id = start_session(session, account, now)
    return {"name": "plantrack_session", "value": keyring.sign(Purpose.SESSION, session_id)}


def check_plans(*folders):
    """The checked catalogue of these folders; AssertionError listing every problem otherwise."""
    from .loader import load_catalogue

    try:
        return load_catalogue(*(Path(f) for f in folders))
    except DefinitionError as exc:
        raise AssertionError("plan definitions do not load:\n" + "\n".join(f"  {p}" for p in exc.problems)) from None


def deadlines_of(catalogue, plan_id: str, obligation_id: str):
    """The dated periods (``rules.Dated``: key, label, span, opens, deadline) of an obligation."""
    from .rules import dated

    obligation = next((o for o in catalogue.plans[plan_id].obligations if o.id == obligation_id), None)
    if obligation is None:
        raise AssertionError(f"plan {plan_id!r} has no obligation {obligation_id!r}")
    plan = catalogue.plans[plan_id].plan
    return dated(obligation, catalogue.plan_period(plan_id), plan.issued_on, catalogue.plan_calendar(plan_id),
                 catalogue.resolver(plan_id, ((plan_id, obligation_id),)))


def synced_store(path, *folders) -> Store:
    """A SQLite store in ``path`` (a folder) with the plans of ``folders`` synced into it."""
    from .store.sync import sync_catalogue

    store = Store(f"sqlite:///{Path(path) / 'plantrack.db'}")
    with store.transaction() as session:
        sync_catalogue(session, check_plans(*folders))
    return store


def apply_scenario_file(store: Store, scenario, until: dt.datetime | None = None):
    """Record a scenario file's submissions and extensions up to ``until`` (all by default)."""
    from .scenario import apply_scenario, load_scenario

    limit = until or dt.datetime.max.replace(tzinfo=dt.timezone.utc)
    with store.transaction() as session:
        return apply_scenario(session, load_scenario(Path(scenario)), limit)


__all__ = ["apply_scenario_file", "check_plans", "deadlines_of", "demo_keyring", "serving", "signed_in_cookie", "synced_store"]
