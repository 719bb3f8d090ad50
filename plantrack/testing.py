"""Helpers for testing a plantrack deployment (and for scripts that drive the dashboard):
a strong fixed keyring, the dashboard served in a thread, and a signed-in session.

    from plantrack.testing import demo_keyring, serving, signed_in_cookie
"""

from __future__ import annotations

import datetime as dt
import socket
import threading
import time
from contextlib import contextmanager
from typing import Iterator

from .accounts import Role, add_account, start_session
from .keys import Keyring, Purpose, demo_keyring
from .store.database import Store


@contextmanager
def serving(app) -> Iterator[str]:
    """``app`` served by uvicorn on a free port of 127.0.0.1; yields its base URL."""
    import uvicorn

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
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


__all__ = ["demo_keyring", "serving", "signed_in_cookie"]
