"""Writing and reading many rows in few statements, on SQLite and PostgreSQL.

- ``insert_rows`` and ``update_rows``: a batch of rows in one go. PostgreSQL takes them by ``COPY``
  (updates through a temporary table and one ``UPDATE … FROM``): 3 µs of client CPU per row where an
  ``executemany`` through SQLAlchemy takes 16 (docs/performance.md). SQLite, in process, takes an
  ``executemany``.
- JSON columns are given as JSON text (pydantic's ``model_dump_json``), not as Python objects to be
  encoded again (``JsonText``).
- ``one_of``: ``column IN (values)`` as ``column = ANY(:array)`` on PostgreSQL (one parameter, one
  query plan for any number of values), an ``IN`` list on SQLite, which has no arrays.

Rows of one call have the same keys. Times must be timezone-aware UTC (as ``UtcDateTime`` wants).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping, Sequence
from functools import cache
from typing import Any

import psycopg
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
from sqlalchemy.engine import Connection, Dialect

#: Values per ``IN (...)`` list on SQLite: well below its 32,766 bound parameters.
SQLITE_CHUNK = 2000


class JsonText(sa.types.TypeDecorator[str]):
    """A JSON (PostgreSQL: JSONB) value given as its JSON text."""

    impl = sa.JSON
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> sa.types.TypeEngine[Any]:
        return dialect.type_descriptor(postgresql.JSONB() if dialect.name == "postgresql" else sa.JSON())

    def bind_processor(self, dialect: Dialect) -> None:  # type: ignore[override]
        return None  # the text is the JSON already


def chunks(connection: Connection, values: Iterable[Any]) -> list[list[Any]]:
    """Distinct ``values`` in their order, split into what one ``one_of`` takes on this database."""
    unique = list(dict.fromkeys(values))
    if not unique:
        return []
    if connection.dialect.name == "postgresql":
        return [unique]
    return [unique[start:start + SQLITE_CHUNK] for start in range(0, len(unique), SQLITE_CHUNK)]


def one_of(connection: Connection, column: sa.ColumnElement[Any], values: Sequence[Any]) -> sa.ColumnElement[bool]:
    """``column`` is one of ``values`` (a chunk from ``chunks``)."""
    if connection.dialect.name == "postgresql":
        return column == sa.any_(sa.bindparam(None, list(values), type_=postgresql.ARRAY(column.type)))
    return column.in_(values)


def insert_rows(connection: Connection, table: sa.Table, rows: Sequence[Mapping[str, Any]]) -> None:
    """Insert ``rows`` into ``table`` (JSON columns as JSON text)."""
    if not rows:
        return
    columns = tuple(rows[0])
    if connection.dialect.name == "postgresql":
        _copy(connection, table.name, columns, rows)
    else:
        connection.execute(_insert(table, columns), list(rows))


def update_rows(connection: Connection, table: sa.Table, key: str, rows: Sequence[Mapping[str, Any]]) -> None:
    """Set the other columns of ``rows`` on the rows of ``table`` whose ``key`` column matches; a key
    given twice takes its last row."""
    if not rows:
        return
    rows = list({row[key]: row for row in rows}.values())
    columns = tuple(rows[0])
    if connection.dialect.name != "postgresql":
        connection.execute(_update(table, key, columns), [{f"b_{name}": value for name, value in row.items()}
                                                          for row in rows])
        return
    quote = connection.dialect.identifier_preparer.quote
    staging = "bulk_" + hashlib.sha256(f"{table.name}:{key}:{columns}".encode()).hexdigest()[:16]
    cursor = connection.connection.driver_connection.cursor()  # type: ignore[union-attr]
    try:
        with cursor:
            cursor.execute(f"CREATE TEMP TABLE IF NOT EXISTS {staging} ON COMMIT DELETE ROWS AS "
                           f"SELECT {', '.join(quote(c) for c in columns)} FROM {quote(table.name)} WITH NO DATA")
            cursor.execute(f"TRUNCATE {staging}")
        _copy(connection, staging, columns, rows)
        with connection.connection.driver_connection.cursor() as cursor:  # type: ignore[union-attr]
            cursor.execute(f"UPDATE {quote(table.name)} AS t SET "
                           + ", ".join(f"{quote(c)} = s.{quote(c)}" for c in columns if c != key)
                           + f" FROM {staging} AS s WHERE t.{quote(key)} = s.{quote(key)}")
    except psycopg.Error as exc:
        raise sa.exc.DBAPIError.instance(f"bulk update of {table.name}", None, exc, psycopg.Error) from exc


def _copy(connection: Connection, table: str, columns: Sequence[str], rows: Iterable[Mapping[str, Any]]) -> None:
    quote = connection.dialect.identifier_preparer.quote
    statement = f"COPY {quote(table)} ({', '.join(quote(c) for c in columns)}) FROM STDIN"
    try:
        with connection.connection.driver_connection.cursor() as cursor:  # type: ignore[union-attr]
            with cursor.copy(statement) as copy:
                for row in rows:
                    copy.write_row([row[c] for c in columns])
    except psycopg.Error as exc:
        raise sa.exc.DBAPIError.instance(statement, None, exc, psycopg.Error) from exc


@cache
def _insert(table: sa.Table, columns: tuple[str, ...]) -> sa.Insert:
    return table.insert().values({name: sa.bindparam(name, type_=_type(table, name)) for name in columns})


@cache
def _update(table: sa.Table, key: str, columns: tuple[str, ...]) -> sa.Update:
    return table.update().where(table.c[key] == sa.bindparam(f"b_{key}")).values(
        {name: sa.bindparam(f"b_{name}", type_=_type(table, name)) for name in columns if name != key})


def _type(table: sa.Table, name: str) -> sa.types.TypeEngine[Any]:
    column_type = table.c[name].type
    return JsonText() if isinstance(column_type, sa.JSON) else column_type
