"""Many rows in few statements: the hot writes of the watch, the dispatcher and a replay.

SQLAlchemy's executemany prepares each row's parameters in Python (about 15 µs a row here),
and psycopg then sends one pipelined statement per row. A replay of a national plan writes
over a million rows, so these helpers take rows as plain tuples and
- on SQLite, convert each column's values once with the column's own type (the same strings
  SQLAlchemy would store) and hand them to the driver's executemany, a loop in C;
- on PostgreSQL, send one statement per batch whose rows arrive as one typed array per
  column and are spread out by ``unnest`` on the server. Each array goes as its text
  (``{1,2,3}``), joined here: psycopg's own array dumper checks every element against a
  regular expression in Python; without it, a replay's client used about a quarter less CPU.

Only equality conditions, constants and ``column + 1`` are supported: enough for the outbox,
small enough to read. Table and column names are the models' own and are not quoted.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Sequence

from sqlalchemy import Table
from sqlalchemy.orm import Session

from ..errors import PlantrackError

BATCH = 5000  # rows per statement: bounds one array parameter, or one executemany call


def _processor(table: Table, name: str, dialect):
    # The dialect's own implementation, as SQLAlchemy's execution uses: a generic DateTime has
    # no processor, and the driver's default adapter would store another text on SQLite
    # ("… 07:30:00" instead of "… 07:30:00.000000"), which then compares wrongly as text.
    return table.c[name].type.dialect_impl(dialect).bind_processor(dialect)


def _processors(table: Table, columns: Sequence[str], dialect) -> list:
    return [_processor(table, name, dialect) for name in columns]


def _convert(rows: list[tuple], processors: list) -> list[tuple]:
    """Each value through its column's processor; remembered per value, since a batch repeats
    the same few dates and instants over and over."""
    if not any(processors):
        return [tuple(row) for row in rows]
    columns = list(zip(*rows))
    for index, process in enumerate(processors):
        if process is not None:
            seen: dict = {}
            columns[index] = [
                None if value is None else seen[value] if value in seen else seen.setdefault(value, process(value))
                for value in columns[index]
            ]
    return list(zip(*columns))


def _convert_one(table: Table, name: str, value: Any, dialect) -> Any:
    process = _processor(table, name, dialect)
    return value if process is None or value is None else process(value)


def _dialect(session: Session):
    connection = session.connection()
    if connection.dialect.name not in ("sqlite", "postgresql"):
        raise PlantrackError(f"bulk writes support SQLite and PostgreSQL, not {connection.dialect.name}")
    return connection, connection.dialect


def _unnest(table: Table, columns: Sequence[str], dialect) -> str:
    """``unnest(%(c0)s::TYPE[], …)``: one typed array parameter per column (PostgreSQL)."""
    arrays = ", ".join(f"%(c{i})s::{table.c[name].type.compile(dialect=dialect)}[]" for i, name in enumerate(columns))
    return f"unnest({arrays})"


def _element_text(value: Any) -> str:
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, (dt.date, dt.datetime)):  # an instant keeps its offset: +00:00 after UTCDateTime
        return value.isoformat()
    return str(value)


def array_literal(values: Sequence[Any]) -> str:
    """``values`` as PostgreSQL's text form of an array, for a ``%(name)s::TYPE[]`` parameter:
    ints bare, everything else double-quoted (with backslash escapes), None as NULL."""
    if all(type(value) is int for value in values):  # ids, the commonest column
        return "{" + ",".join(map(str, values)) + "}"
    seen: dict[Any, str] = {}  # a batch repeats the same few dates and instants
    texts = [
        None if value is None else value if type(value) is str
        else seen[value] if value in seen else seen.setdefault(value, _element_text(value))
        for value in values
    ]
    written = "".join(text for text in texts if text is not None) if None in texts else "".join(texts)
    if '"' in written or "\\" in written:
        texts = [None if text is None else text.replace("\\", "\\\\").replace('"', '\\"') for text in texts]
    if None in texts:
        return "{" + ",".join("NULL" if text is None else f'"{text}"' for text in texts) + "}"
    return '{"' + '","'.join(texts) + '"}'


def _arrays(chunk: list[tuple], **scalars: dict[str, Any]) -> dict[str, Any]:
    """The parameters of one batch: an array literal per column, and each group of scalars under its prefix."""
    parameters: dict[str, Any] = {f"c{i}": array_literal(values) for i, values in enumerate(zip(*chunk))}
    for prefix, values in scalars.items():
        parameters.update({f"{prefix}_{name}": value for name, value in values.items()})
    return parameters


def insert_rows(
    session: Session,
    table: Table,
    columns: Sequence[str],
    rows: list[tuple],
    constants: dict[str, Any] | None = None,
    skip_duplicates_of: Sequence[str] = (),
    raw: Sequence[str] = (),
) -> int:
    """INSERT ``rows`` (tuples in ``columns`` order), each with ``constants`` (the same for every
    row: sent once, not as a column of equal values, which PostgreSQL parses row by row); with
    ``skip_duplicates_of`` (the columns of a unique key), a row whose key exists already is
    skipped by the database. ``raw`` columns arrive as the text the database stores (a JSON
    document already serialised). Returns how many rows were written."""
    if not rows:
        return 0
    connection, dialect = _dialect(session)
    constants = constants or {}
    processors = [None if name in raw else process for name, process in zip(columns, _processors(table, columns, dialect))]
    fixed = {name: _convert_one(table, name, value, dialect) for name, value in constants.items()}
    names = ", ".join([*columns, *fixed])
    conflict = f" ON CONFLICT ({', '.join(skip_duplicates_of)}) DO NOTHING" if skip_duplicates_of else ""
    if dialect.name == "postgresql":
        constant_values = "".join(f", %(k_{name})s" for name in fixed)
        sql = f"INSERT INTO {table.name} ({names}) SELECT v.*{constant_values} FROM {_unnest(table, columns, dialect)} AS v{conflict}"
    else:
        sql = f"INSERT INTO {table.name} ({names}) VALUES ({', '.join('?' for _ in [*columns, *fixed])}){conflict}"
    tail = tuple(fixed.values())
    written = 0
    for start in range(0, len(rows), BATCH):
        chunk = _convert(rows[start : start + BATCH], processors)
        if dialect.name == "postgresql":
            written += connection.exec_driver_sql(sql, _arrays(chunk, k=fixed)).rowcount
        else:  # the driver sums an executemany's changes; a skipped row changes nothing
            written += connection.exec_driver_sql(sql, [(*row, *tail) for row in chunk]).rowcount
    return written


def update_rows(
    session: Session,
    table: Table,
    key: str,
    columns: Sequence[str],
    rows: list[tuple],
    constants: dict[str, Any] | None = None,
    increments: Sequence[str] = (),
    only_where: dict[str, Any] | None = None,
    raw: Sequence[str] = (),
) -> int:
    """UPDATE the row whose ``key`` is each tuple's first value, setting ``columns`` to the
    tuple's other values, plus ``constants`` (the same for every row) and ``column + 1`` for
    each of ``increments``; rows that fail an equality of ``only_where`` are left alone.
    Returns how many rows were updated."""
    if not rows:
        return 0
    connection, dialect = _dialect(session)
    processors = [None if name in raw else process for name, process in zip([key, *columns], _processors(table, [key, *columns], dialect))]
    fixed = {name: _convert_one(table, name, value, dialect) for name, value in (constants or {}).items()}
    conditions = {name: _convert_one(table, name, value, dialect) for name, value in (only_where or {}).items()}
    if dialect.name == "postgresql":
        assignments = [f"{name} = v.{name}" for name in columns]
        assignments += [f"{name} = %(k_{name})s" for name in fixed]
        assignments += [f"{name} = t.{name} + 1" for name in increments]
        where = [f"t.{key} = v.{key}"] + [f"t.{name} = %(w_{name})s" for name in conditions]
        sql = (
            f"UPDATE {table.name} AS t SET {', '.join(assignments)} FROM {_unnest(table, [key, *columns], dialect)} "
            f"AS v({', '.join([key, *columns])}) WHERE {' AND '.join(where)}"
        )
    else:
        assignments = [f"{name} = ?" for name in [*columns, *fixed]] + [f"{name} = {name} + 1" for name in increments]
        where = [f"{key} = ?"] + [f"{name} = ?" for name in conditions]
        sql = f"UPDATE {table.name} SET {', '.join(assignments)} WHERE {' AND '.join(where)}"
    fixed_values, condition_values = tuple(fixed.values()), tuple(conditions.values())
    updated = 0
    for start in range(0, len(rows), BATCH):
        chunk = _convert(rows[start : start + BATCH], processors)
        if dialect.name == "postgresql":
            result = connection.exec_driver_sql(sql, _arrays(chunk, k=fixed, w=conditions))
        else:
            result = connection.exec_driver_sql(sql, [(*row[1:], *fixed_values, row[0], *condition_values) for row in chunk])
        updated += max(result.rowcount, 0)
    return updated
