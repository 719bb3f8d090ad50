"""Engines, sessions and schema migrations (Alembic) for SQLite and PostgreSQL.

Migrations run on first use and are serialised: two commands starting together on a new store
(the 07:30 flows do) take a lock first, an advisory lock on PostgreSQL and a lock file beside
the database on SQLite, and the second finds the schema current once it holds the lock.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import json
import os
import sqlite3
import time
import zlib
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from alembic import command
from alembic.config import Config
from sqlalchemy import ARRAY, ColumnElement, Engine, String, any_, bindparam, create_engine, event, func, select
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError, SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from ..errors import PlantrackError

MIGRATIONS = Path(__file__).parent / "migrations"
DEFAULT_URL = "sqlite:///var/plantrack.db"


def database_url(explicit: str | None = None) -> str:
    """The store's URL: an explicit one, else ``PLANTRACK_DATABASE_URL``, else a SQLite file."""
    return explicit or os.environ.get("PLANTRACK_DATABASE_URL") or DEFAULT_URL


def engine_url(url: str) -> str:
    """``postgresql://`` (and ``postgres://``) mean psycopg 3, the driver plantrack installs;
    SQLAlchemy 2.0 would otherwise look for psycopg2."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def _use_wal(cursor, timeout_s: float = 30.0) -> None:
    """Put the database file in WAL mode (it stays so: once done, a read says so).

    Switching answers "database is locked" at once, without the busy timeout, while another
    connection holds a lock: two processes opening a new store together (both 07:30 flows)
    met it under load. So the switch is tried again until ``timeout_s``."""
    deadline = time.monotonic() + timeout_s
    while True:
        try:
            if cursor.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
                cursor.execute("PRAGMA journal_mode=WAL")  # an in-memory database stays "memory"
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
            time.sleep(0.05)


def make_engine(url: str, durable: bool = True) -> Engine:
    url = engine_url(url)
    if url.startswith("sqlite"):
        path = url.split("///", 1)[-1]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": 30})

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection, _record):
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            _use_wal(cursor)  # readers run beside a writer
            # WAL's usual pairing: no fsync per commit, still safe if the process crashes. A power
            # cut may lose the last commits; the watch then writes its notices again (idempotent)
            # and a notice whose "sent" was lost is sent again, never dropped. A store that is
            # not ``durable`` (a replay's throwaway history) skips fsync altogether.
            cursor.execute("PRAGMA synchronous=NORMAL" if durable else "PRAGMA synchronous=OFF")
            if not durable:
                # A replay touches the same outbox pages morning after morning: with 32 MiB of
                # page cache instead of the default 2, its notice inserts take 40% less time.
                cursor.execute("PRAGMA cache_size=-32768")
            cursor.close()

        return engine
    engine = create_engine(url, pool_pre_ping=True)
    if not durable:

        @event.listens_for(engine, "connect")
        def _no_commit_flush(dbapi_connection, _record):
            # The PostgreSQL counterpart of synchronous=OFF: a commit does not wait for its WAL
            # to reach the disk (a crash may lose the last commits, never corrupt the database).
            with dbapi_connection.cursor() as cursor:
                cursor.execute("SET synchronous_commit TO off")
                # A replay runs thousands of small statements; a parallel worker costs more to
                # start (3-5 ms) than such a statement takes, and the planner chose one for the
                # morning's digests while the outbox was small.
                cursor.execute("SET max_parallel_workers_per_gather TO 0")
            dbapi_connection.commit()

    return engine


def alembic_config(engine: Engine) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["engine"] = engine
    return config


def upgrade(engine: Engine) -> None:
    """Bring the schema to the newest migration (creates it on an empty database)."""
    command.upgrade(alembic_config(engine), "head")


# The key of the advisory lock that serialises migrations on PostgreSQL (any fixed 64-bit number).
MIGRATION_LOCK = zlib.crc32(b"plantrack schema migration")


@contextmanager
def migration_lock(engine: Engine) -> Iterator[None]:
    """Held while one process checks and migrates the schema; others wait for it."""
    if engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.exec_driver_sql(f"SELECT pg_advisory_lock({MIGRATION_LOCK})")
            try:
                yield
            finally:
                connection.exec_driver_sql(f"SELECT pg_advisory_unlock({MIGRATION_LOCK})")
        return
    database = engine.url.database
    if engine.dialect.name != "sqlite" or not database or database == ":memory:":
        yield
        return
    with open(f"{database}.migrate-lock", "a+b") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def migrate_schema(engine: Engine) -> None:
    """Bring the schema up to date unless it is, under the migration lock."""
    if is_current(engine):  # the usual case: no lock taken
        return
    with migration_lock(engine):
        if not is_current(engine):  # another process may have migrated while we waited
            upgrade(engine)


def is_current(engine: Engine) -> bool:
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory

    heads = set(ScriptDirectory.from_config(alembic_config(engine)).get_heads())
    with engine.connect() as connection:
        return set(MigrationContext.configure(connection).get_current_heads()) == heads


def is_store_error(exc: BaseException) -> bool:
    """An error of the database or its driver (not of plantrack's own logic)."""
    return isinstance(exc, (SQLAlchemyError, sqlite3.Error)) or type(exc).__module__.startswith("psycopg")


def describe_store_error(exc: BaseException, url: str | None = None) -> str:
    """A store problem in words a person can act on; the URL's password is masked."""
    where = f" ({_masked(url)})" if url else ""
    original = getattr(exc, "orig", None) or exc
    first = (str(original).strip().splitlines() or [type(original).__name__])[0]
    text = first.lower()
    if "readonly" in text or "read-only" in text or "read only" in text:
        return f"the store{where} is read-only: {first} (check the file's and its folder's permissions)"
    if "not a database" in text or "file is encrypted" in text:
        return f"the store{where} is not a SQLite database: {first}"
    if "unable to open" in text or isinstance(original, OSError):
        return f"the store{where} cannot be opened: {first} (does its folder exist, may it be written?)"
    if "connection" in text or "connect" in text or "could not translate host" in text:
        return f"cannot reach the database{where}: {first}"
    if isinstance(exc, (ArgumentError, NoSuchModuleError)):
        return f"not a database URL{where}: {first} (e.g. sqlite:///var/plantrack.db or postgresql://user@host/db)"
    return f"the store{where} failed: {first}"


def _masked(url: str) -> str:
    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:
        return "an unreadable URL"


class StoreError(PlantrackError):
    """The store cannot be opened, reached or migrated; the message says which and why."""


class Store:
    """One database: an engine and a session factory, migrated on first use. Opening a store
    that cannot be reached, read or written raises ``StoreError`` with a clear message."""

    def __init__(self, url: str | None = None, *, migrate: bool = True, durable: bool = True):
        self.url = database_url(url)
        try:
            self.engine = make_engine(self.url, durable)
            if migrate:
                migrate_schema(self.engine)
        except Exception as exc:
            if not is_store_error(exc) and not isinstance(exc, (OSError, ValueError)):
                raise
            raise StoreError(describe_store_error(exc, self.url)) from exc
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """A session whose work is committed together, or not at all."""
        with self._sessions() as session, session.begin():
            yield session

    def session(self) -> Session:
        return self._sessions()

    def tidy(self, tables: tuple[str, ...] = ("notice", "occurrence", "submission", "figure", "extension")) -> None:
        """Reclaim dead row versions and refresh planner statistics (PostgreSQL only).

        Each notice changes state two or three times, and the occurrences change as reports come
        in; without statistics the planner misjudges the outbox's joins and scans every notice
        for a unit's page (23 ms instead of 1 ms at national scale). Autovacuum does this in
        production where it is on, but it is off on some servers (this machine's among them):
        a sync and each morning's watch call this (0.4 s for 200,000 occurrences and as many
        notices), and a replay, which writes years in minutes, every few months of its time.
        """
        if self.engine.dialect.name != "postgresql":
            return
        with self.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.exec_driver_sql(f"VACUUM (ANALYZE) {', '.join(tables)}")

    def dispose(self) -> None:
        self.engine.dispose()


def database_now(connection) -> dt.datetime:
    """The database server's clock now (aware, UTC): what leases are measured on, so that
    dispatchers told different ``--as-of`` instants still agree on when a lease runs out.
    (SQLite's server is this machine: its clock, to the millisecond.)"""
    if connection.dialect.name == "postgresql":
        return connection.exec_driver_sql("SELECT clock_timestamp()").scalar_one().astimezone(dt.timezone.utc)
    text = connection.exec_driver_sql("SELECT strftime('%Y-%m-%d %H:%M:%f', 'now')").scalar_one()
    return dt.datetime.fromisoformat(text).replace(tzinfo=dt.timezone.utc)


def among(session: Session, column, values) -> ColumnElement[bool]:
    """``column IN (values)`` with the values as one parameter instead of a bind per value,
    which spares rendering and parsing thousands of placeholders per statement: an array
    (``= ANY``) on PostgreSQL, a JSON array read by ``json_each`` on SQLite. For integer and
    string columns (ids and keys)."""
    dialect_name = session.get_bind().dialect.name
    return _among(dialect_name, column, bindparam(None, listed(dialect_name, values), type_=_list_type(dialect_name, column)))


def among_param(dialect_name: str, column, name: str) -> ColumnElement[bool]:
    """``among`` for a statement built once and run many times: the values are bound at each
    run under ``name``, as ``listed(dialect_name, values)``."""
    return _among(dialect_name, column, bindparam(name, type_=_list_type(dialect_name, column)))


def listed(dialect_name: str, values) -> list | str:
    """Values as ``among`` binds them: a list (an array) on PostgreSQL, JSON text on SQLite."""
    return list(values) if dialect_name == "postgresql" else json.dumps(list(values))


def _list_type(dialect_name: str, column):
    return ARRAY(column.type) if dialect_name == "postgresql" else String()


def _among(dialect_name: str, column, parameter) -> ColumnElement[bool]:
    if dialect_name == "postgresql":
        return column == any_(parameter)
    return column.in_(select(func.json_each(parameter).table_valued("value").c.value))
