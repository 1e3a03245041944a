"""Writing and reading many rows in few statements, the same way on SQLite and PostgreSQL.

- ``JsonText``: a JSON column's value already encoded (pydantic's ``model_dump_json``), passed through
  as it is instead of being turned into Python objects and encoded again.
- ``one_of``: ``column IN (values)`` as ``column = ANY(:array)`` on PostgreSQL (one parameter, one
  query plan for any number of values), an ``IN`` list on SQLite, which has no arrays.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

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
