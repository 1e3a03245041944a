"""``innboks store migrate|project|rebuild``: the conversation store (docs/store.md)."""

from __future__ import annotations

import argparse
import signal
import threading

import sqlalchemy as sa
from rich.console import Console

from innboks.cli.args import OneLineParser
from innboks.config.accounts import Registry, RegistryError, registry_or_none
from innboks.config.settings import Settings, get_settings
from innboks.errors import CliError
from innboks.kafka.runtime import require_bootstrap


def add_store_flag(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--store", metavar="URL", help="store URL: sqlite:///FILE or postgresql://… "
                        "(default INNBOKS_STORE_URL)")


def register(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    store = commands.add_parser("store", help="the conversation store (SQLite or PostgreSQL)")
    store_commands = store.add_subparsers(dest="store_command", required=True, metavar="SUBCOMMAND",
                                          parser_class=OneLineParser)
    migrate = store_commands.add_parser("migrate", help="create or upgrade the store's schema")
    migrate.set_defaults(handler=_migrate)
    project = store_commands.add_parser("project", help="project the topics into the store continuously")
    project.add_argument("--until-end", action="store_true", help="stop once the topics are read to their end")
    project.set_defaults(handler=_project)
    rebuild = store_commands.add_parser("rebuild", help="replay the topics into an empty store")
    rebuild.add_argument("--discard-projected", action="store_true",
                         help="empty the projected tables of a store first (staff data is kept; messages older "
                         "than the topics' retention are lost)")
    rebuild.set_defaults(handler=_rebuild)
    for sub in (migrate, project, rebuild):
        add_store_flag(sub)


def store_url(args: argparse.Namespace) -> str:
    return args.store or get_settings().store_url


def open_engine(url: str) -> sa.Engine:
    from innboks.db.engine import StoreError, open_store

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
    from innboks.db.fulltext import clear_index
    from innboks.db.schema import PROJECTED, messages

    engine = open_engine(store_url(args))
    bootstrap = require_bootstrap(get_settings())
    with engine.begin() as connection:
        stored = connection.execute(sa.select(sa.func.count()).select_from(messages)).scalar()
        if stored and not args.discard_projected:
            raise CliError(f"the store holds {stored} messages: rebuild into an empty store (a new database), or "
                           "pass --discard-projected to replace them with what the topics still hold")
        for table in reversed(PROJECTED):
            connection.execute(table.delete())
        clear_index(connection)  # SQLite's full-text index of the revisions
    return _run_projection(engine, bootstrap, until_end=True)


def account_registry(settings: Settings) -> Registry:
    """The account registry (an empty one without a file); a broken file is one clear error."""
    try:
        return registry_or_none(settings.accounts_file) or Registry()
    except RegistryError as exc:
        raise CliError(str(exc)) from None


def _run_projection(engine: sa.Engine, bootstrap: str, until_end: bool) -> int:
    from innboks.domain.policies import built_policies, crisis_policy_of
    from innboks.kafka.clients import KafkaClientError
    from innboks.store.consumer import Projection

    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    try:
        sla = account_registry(get_settings()).sla
        projection = Projection(engine, bootstrap, crisis_policy=crisis_policy_of(sla), policies=built_policies(sla))
    except KafkaClientError as exc:
        raise CliError(str(exc)) from None
    try:
        projection.run(stop, until_end=until_end)
    except KeyboardInterrupt:
        pass
    finally:
        projection.close()
    applied, rejected = projection.stats.applied, projection.stats.rejected
    summary = ", ".join(f"{topic}: {applied[topic]}" for topic in sorted(applied)) or "nothing new"
    if rejected:
        summary += f" ({sum(rejected.values())} bad records sent to innboks.deadletter)"
    Console(stderr=True).print(summary)
    return 0
