"""Commands of the access model: ``account add|password|remove|list``, ``link`` (a unit's
submission link), ``feed`` (a unit's own page and calendar link, revocable), ``serve``."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.table import Table

from ..errors import PlantrackError
from ..settings import FORWARDED_ALLOW_IPS_VARIABLE, PUBLIC_URL_VARIABLE, RATE_LIMIT_STORAGE_VARIABLE
from .base import DEFAULT_DEFINITIONS, DbOption, fmt_day, ObligationOption, OccurrenceOption, PeriodOption, PlanOption, UnitOption, app, out, sub_app

BaseUrlOption = Annotated[str, typer.Option("--base-url", envvar=PUBLIC_URL_VARIABLE, help="The dashboard's public address.")]
PasswordOption = Annotated[
    str, typer.Option("--password", envvar="PLANTRACK_ACCOUNT_PASSWORD", prompt=True, hide_input=True, confirmation_prompt=True,
                      help="10 to 256 characters (or PLANTRACK_ACCOUNT_PASSWORD; never on a shared command line).")
]

accounts = sub_app("Dashboard accounts: who may sign in, with which role and scope.")
app.add_typer(accounts, name="account")


@accounts.command("add")
def account_add(
    login: Annotated[str, typer.Option("--login", help="Login name (a-z, 0-9, '.', '_', '-').")],
    name: Annotated[str, typer.Option("--name", help="Full name, as it will sign approvals.")],
    password: PasswordOption,
    role: Annotated[str, typer.Option("--role", help="viewer (reads), coordinator (acts) or admin (also sees delivery).")] = "coordinator",
    plans: Annotated[Optional[list[str]], typer.Option("--plan", help="Limit to this plan and those implementing it; repeat. Default: all.")] = None,
    unit_root: Annotated[Optional[str], typer.Option("--unit-root", help="Limit to this unit and the units under it. Default: all.")] = None,
    db: DbOption = None,
):
    """Add an account (or replace an existing one's name, password, role and scope; its
    sessions end)."""
    from ..store.database import Store
    from ..accounts import Role, add_account

    if role not in set(Role):
        raise PlantrackError(f"--role: {role!r} is not one of {', '.join(Role)}")
    with Store(db).transaction() as session:
        account = add_account(session, login, name, password, dt.datetime.now(dt.timezone.utc), Role(role), plans, unit_root)
        scope = f"plans {', '.join(account.plans)}" if account.plans else "every plan"
        scope += f", units under {account.unit_root}" if account.unit_root else ", every unit"
        out.print(f"Tài khoản {account.login!r} ({account.name}, {role}) đã sẵn sàng: {scope}.", highlight=False)


@accounts.command("password")
def account_password(login: Annotated[str, typer.Option("--login")], password: PasswordOption, db: DbOption = None):
    """Set a new password; every session of the account ends."""
    from ..store.database import Store
    from ..accounts import set_password

    with Store(db).transaction() as session:
        set_password(session, login, password, dt.datetime.now(dt.timezone.utc))
    out.print(f"Đã đổi mật khẩu của {login!r}; các phiên đăng nhập cũ đã kết thúc.", highlight=False)


@accounts.command("remove")
def account_remove(login: Annotated[str, typer.Option("--login")], db: DbOption = None):
    """Remove an account; its sessions end at once."""
    from ..store.database import Store
    from ..accounts import remove_account

    with Store(db).transaction() as session:
        remove_account(session, login)
    out.print(f"Đã xóa tài khoản {login!r}.", highlight=False)


@accounts.command("list")
def account_list(db: DbOption = None):
    """The accounts, their roles and scopes (never their passwords)."""
    from sqlalchemy import select

    from ..store.database import Store
    from ..store.models import Account

    table = Table()
    for header in ("login", "name", "role", "plans", "units under"):
        table.add_column(header, overflow="fold")
    with Store(db).session() as session:
        for account in session.scalars(select(Account).order_by(Account.login)):
            table.add_row(account.login, account.name, account.role, ", ".join(account.plans or []) or "all", account.unit_root or "all")
    out.print(table)


@app.command()
def link(
    occurrence: OccurrenceOption = None,
    plan: PlanOption = None,
    obligation: ObligationOption = None,
    unit: UnitOption = None,
    period: PeriodOption = None,
    base_url: BaseUrlOption = "http://127.0.0.1:8000",
    db: DbOption = None,
):
    """Print the signed submission link of one unit's occurrence (the one its notices carry)."""
    from ..calendar import local_date
    from ..keys import Keyring
    from ..store.database import Store
    from ..tracking import find_occurrence
    from ..links import link_expiry, make_token

    keyring = Keyring.from_environment()
    with Store(db).session() as session:
        found = find_occurrence(session, occurrence, plan, obligation, unit, period)
        token = make_token(keyring, found.id, found.unit_id, link_expiry(found.current_due_date, local_date(dt.datetime.now(dt.timezone.utc))))
        out.print(f"{found.unit_id} · {found.obligation.title} ({found.period_label}), hạn {fmt_day(found.current_due_date)}", highlight=False)
    out.print(f"{base_url.rstrip('/')}/nop/{token}", highlight=False, soft_wrap=True)


@app.command()
def feed(
    unit: Annotated[str, typer.Option("--unit", help="Unit id.")],
    revoke: Annotated[bool, typer.Option("--revoke", help="Revoke the unit's current links first and print new ones.")] = False,
    base_url: BaseUrlOption = "http://127.0.0.1:8000",
    db: DbOption = None,
):
    """Print a unit's own links: its page and its calendar feed (no account needed). With
    --revoke, every earlier link of the unit stops working."""
    from ..keys import Keyring
    from ..store.database import Store
    from ..tracking import resolve_unit
    from ..links import make_feed_token
    from ..store.models import UnitFeed

    keyring = Keyring.from_environment()
    now = dt.datetime.now(dt.timezone.utc)
    with Store(db).transaction() as session:
        found = resolve_unit(session, unit)
        row = session.get(UnitFeed, found.id)
        if row is None:
            row = UnitFeed(unit_id=found.id, generation=1, changed_at=now)
            session.add(row)
        if revoke:
            row.generation, row.changed_at = row.generation + 1, now
        token = make_feed_token(keyring, found.id, row.generation)
    base = base_url.rstrip("/")
    if revoke:
        out.print(f"Đã thu hồi các đường dẫn cũ của {found.id}.", highlight=False)
    out.print(f"Trang của đơn vị: {base}/don-vi-cua-toi/{token}", highlight=False, soft_wrap=True)
    out.print(f"Lịch (.ics):      {base}/lich/{token}.ics", highlight=False, soft_wrap=True)


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, help="Port.")] = 8000,
    clock: Annotated[
        Optional[str], typer.Option("--clock", help="Start the dashboard's clock at this instant (demos: '2020-11-20T10:00'); it then runs.")
    ] = None,
    uploads: Annotated[Path, typer.Option("--uploads", help="Where files handed in through links are kept.")] = Path("var/uploads"),
    public_url: Annotated[
        Optional[str], typer.Option("--public-url", envvar=PUBLIC_URL_VARIABLE, help="The address people use; links are built from it.")
    ] = None,
    definitions: Annotated[Optional[list[Path]], typer.Option("--definitions", help="The registries a plan imported from its "
                                                                 "document is resolved against (default: plan_definitions).")] = None,
    forwarded_allow_ips: Annotated[Optional[str], typer.Option(
        "--forwarded-allow-ips", envvar=FORWARDED_ALLOW_IPS_VARIABLE,
        help="The reverse proxies trusted to state the client's address (X-Forwarded-For), comma-separated addresses "
             "or networks; default: none, the peer's address is the client's.")] = None,
    db: DbOption = None,
):
    """Serve the dashboard: plan overviews, unit pages, submission links, coordinators' actions."""
    from ..calendar import read_instant
    from ..keys import Keyring
    from ..store.database import Store

    import time

    import uvicorn

    from ..untrusted import warm
    from ..web.app import create_app
    from ..web.guards import LoginThrottle
    from ..web.server import server_config

    start = read_instant(clock, "--clock", date_means_end_of_day=False) if clock else None
    started = time.monotonic()

    def app_clock() -> dt.datetime:  # the entry point's clock, optionally shifted for a demo
        if start is None:
            return dt.datetime.now(dt.timezone.utc)
        return start + dt.timedelta(seconds=time.monotonic() - started)

    address = public_url or f"http://{host}:{port}"
    throttle = LoginThrottle(os.environ.get(RATE_LIMIT_STORAGE_VARIABLE) or "memory://")
    application = create_app(Store(db), Keyring.from_environment(), app_clock, uploads.resolve(), address, throttle,
                             definitions=tuple(p.resolve() for p in (definitions or [DEFAULT_DEFINITIONS])))
    warm()  # the worker that parses files handed in
    out.print(f"Dashboard: {address}/" + (f" (clock from {start.isoformat()})" if start else ""), highlight=False)
    uvicorn.Server(server_config(application, host, port, forwarded_allow_ips)).run()
