"""``innboks store migrate|project|rebuild``: the conversation store (docs/store.md)."""

from __future__ import annotations

import argparse
import signal
import threading

import sqlalchemy as sa
from rich.console import Console

from innboks.cli.args import OneLineParser
from innboks.config.settings import get_settings
from innboks.errors import CliError
from innboks.kafka.runtime import require_bootstrap


def register(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    store = commands.add_parser("store", help="the conversation store (SQLite or PostgreSQL)")
    store_commands = store.add_subparsers(dest="store_command", required=True, metavar="SUBCOMMAND",
                                          parser_class=OneLineParser)
    for name, help_text, handler in (
        ("migrate", "create or upgrade the store's schema", _migrate),
        ("project", "project the topics into the store continuously", _project),
        ("rebuild", "empty the projected tables and replay the topics (staff data is kept)", _rebuild),
    ):
        sub = store_commands.add_parser(name, help=help_text)
        sub.add_argument("--store", metavar="URL", help="store URL (default INNBOKS_STORE_URL)")
        if name == "project":
            sub.add_argument("--until-end", action="store_true", help="stop once the topics are read to their end")
        sub.set_defaults(handler=handler)


def store_url(args: argparse.Namespace) -> str:
    return args.store or get_settings().store_url


def open_engine(url: str) -> sa.Engine:
    from innboks.store.engine import StoreError, open_store

    try:
        return open_store(url)
    except StoreError as exc:
        raise CliError(str(exc)) from None


def _migrate(args: argparse.Namespace) -> int:
    open_engine(store_url(args))
    Console(stderr=True).print("store migrated")
    return 0


def _project(args: argparse.Namespace) -> int:
    engine = open_engine(store_url(args))
    bootstrap = require_bootstrap(get_settings())
    return _run_projection(engine, bootstrap, args.until_end)


def _rebuild(args: argparse.Namespace) -> int:
    from innboks.store.schema import PROJECTED

    engine = open_engine(store_url(args))
    bootstrap = require_bootstrap(get_settings())
    with engine.begin() as connection:
        for table in reversed(PROJECTED):
            connection.execute(table.delete())
    return _run_projection(engine, bootstrap, until_end=True)


def _run_projection(engine: sa.Engine, bootstrap: str, until_end: bool) -> int:
    from kafka.errors import KafkaError

    from innboks.store.consumer import Projection

    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    try:
        projection = Projection(engine, bootstrap)
    except KafkaError as exc:
        raise CliError(f"no broker answers at {bootstrap}: {type(exc).__name__}") from None
    try:
        projection.run(stop, until_end=until_end)
    except KeyboardInterrupt:
        pass
    finally:
        projection.close()
    applied, skipped = projection.stats.applied, projection.stats.skipped
    Console(stderr=True).print(", ".join(f"{topic}: {applied[topic]}" for topic in sorted(applied)) or "nothing new",
                               f"(skipped {sum(skipped.values())} bad records)" if skipped else "")
    return 0
