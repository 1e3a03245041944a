"""Opening the store: SQLite (a file) by default, PostgreSQL in production, migrated by Alembic."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from sqlalchemy.engine import Engine

MIGRATIONS = Path(__file__).with_name("migrations")


class StoreError(RuntimeError):
    """The store URL is wrong or the database cannot be reached (one line for the user)."""


def engine_for(url: str) -> Engine:
    """An engine for ``sqlite:///path`` or ``postgresql://…`` (psycopg 3)."""
    if url.startswith("postgresql://") or url.startswith("postgres://"):
        url = "postgresql+psycopg://" + url.split("://", 1)[1]
    try:
        engine = sa.create_engine(url, future=True)
    except (sa.exc.ArgumentError, ImportError) as exc:
        raise StoreError(f"not a store URL (sqlite:///FILE or postgresql://…): {type(exc).__name__}") from None
    if engine.dialect.name == "sqlite":
        sa.event.listen(engine, "connect", _sqlite_pragmas)
        sa.event.listen(engine, "begin", _sqlite_begin)
    elif engine.dialect.name != "postgresql":
        raise StoreError(f"unsupported store database {engine.dialect.name!r}: use SQLite or PostgreSQL")
    return engine


def _sqlite_pragmas(connection: Any, _record: Any) -> None:
    # SQLAlchemy, not the sqlite3 module, begins transactions (see _sqlite_begin); savepoints then work.
    connection.isolation_level = None
    cursor = connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _sqlite_begin(connection: sa.Connection) -> None:
    """Every transaction takes SQLite's write lock at its start (waiting up to busy_timeout for it).

    A deferred transaction that reads first and writes later fails at once ("database is locked")
    when another connection committed in between, and busy_timeout cannot help it; the projection
    and the inbox write from several threads and processes, so each transaction waits its turn
    instead. Read-only transactions take the lock too, briefly: the price of the embedded default
    (PostgreSQL, for production, has no such limit).
    """
    connection.exec_driver_sql("BEGIN IMMEDIATE")


def migrate(engine: Engine) -> None:
    """Bring the schema to the newest migration (idempotent); on SQLite, refresh the planner's statistics."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    try:
        with engine.begin() as connection:
            config.attributes["connection"] = connection
            command.upgrade(config, "head")
            if engine.dialect.name == "sqlite":
                analyze_sampled(connection)
    except sa.exc.OperationalError as exc:
        raise StoreError(f"cannot open the store: {str(exc.orig).splitlines()[0]}") from None


def analyze_sampled(connection: sa.Connection) -> None:
    """SQLite's ANALYZE on a sample (a few milliseconds on any size): without statistics its planner
    takes the small partial index of the open inquiries for a large one and sorts instead
    (docs/performance.md). PostgreSQL's autovacuum keeps its own statistics."""
    connection.exec_driver_sql("PRAGMA analysis_limit=1000")
    connection.exec_driver_sql("ANALYZE")


def open_store(url: str) -> Engine:
    engine = engine_for(url)
    migrate(engine)
    return engine
