"""``innboks topics create``: the catalogue's topics on the broker."""

from __future__ import annotations

import argparse

from rich.console import Console
from rich.table import Table

from innboks.cli.args import OneLineParser
from innboks.config.settings import get_settings
from innboks.errors import CliError
from innboks.kafka.admin import TopicsError, TopicStatus, create_topics
from innboks.kafka.runtime import require_bootstrap


def register(commands: argparse._SubParsersAction) -> None:
    topics = commands.add_parser("topics", help="Kafka topics")
    topic_commands = topics.add_subparsers(dest="topics_command", required=True, metavar="SUBCOMMAND",
                                           parser_class=OneLineParser)
    create = topic_commands.add_parser("create", help="create all topics (idempotent)")
    create.set_defaults(handler=_topics_create)


def _topics_create(args: argparse.Namespace) -> int:
    return run_topics_create()


def run_topics_create() -> int:
    settings = get_settings()
    bootstrap = require_bootstrap(settings)
    try:
        results = create_topics(bootstrap, settings.topic_partitions, settings.topic_replication)
    except TopicsError as exc:
        raise CliError(str(exc)) from exc
    table = Table("topic", "partitions", "status", "detail", title=f"Topics on {bootstrap}")
    for result in results:
        table.add_row(result.name, str(result.partitions), result.status.value, result.detail)
    Console().print(table)
    return 1 if any(r.status is TopicStatus.DRIFT for r in results) else 0
