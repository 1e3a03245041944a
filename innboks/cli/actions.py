"""``innboks actions run``: the executor that carries out replies, hidings and deletions (docs/actions.md)."""

from __future__ import annotations

import argparse
import logging
import signal
import sys
import threading

from innboks.cli.args import OneLineParser
from innboks.config.settings import get_settings
from innboks.errors import CliError
from innboks.kafka.runtime import require_bootstrap


def register(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    actions = commands.add_parser("actions", help="carry out actions on the platforms (innboks.actions)")
    action_commands = actions.add_subparsers(dest="actions_command", required=True, metavar="SUBCOMMAND",
                                             parser_class=OneLineParser)
    run = action_commands.add_parser("run", help="the executor: replies, hidings, deletions, exactly once each")
    run.add_argument("--once", action="store_true", help="carry out what is waiting, then exit")
    run.set_defaults(handler=_run)


def _run(args: argparse.Namespace) -> int:
    from connectors.actions.executor import ExecutorLoop
    from connectors.actions.writers import RegistryWriters
    from connectors.health import StoreHealth
    from innboks.cli.accounts_store import store_link
    from innboks.kafka.clients import KafkaClientError

    settings = get_settings()
    link = store_link(settings)
    bootstrap = require_bootstrap(settings)
    writers = RegistryWriters(link.live)
    health = StoreHealth(link.engine) if link.engine is not None else None
    try:
        loop = ExecutorLoop(bootstrap, writers, on_outcome=health.action if health else None)
    except KafkaClientError as exc:
        raise CliError(f"cannot reach Kafka at {bootstrap} ({exc.reason})") from None
    logging.basicConfig(level=logging.INFO, stream=sys.stderr, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    try:
        if args.once:
            while not loop.caught_up:
                loop.step()
            done = loop.step(timeout=0.1)
            print(f"{done} action(s) carried out", file=sys.stderr)
            return 0
        serve_metrics(settings.actions_metrics_port)
        stop = threading.Event()
        signal.signal(signal.SIGTERM, lambda *_: stop.set())
        try:
            loop.run(stop)
        except KeyboardInterrupt:
            return 130
        return 0
    finally:
        loop.close()
        writers.close()


def serve_metrics(port: int) -> None:
    if not port:
        return
    from prometheus_client import start_http_server

    from connectors.metrics import REGISTRY

    try:
        start_http_server(port, registry=REGISTRY)
    except OSError as exc:
        raise CliError(f"actions metrics port {port}: {exc.strerror}; set INNBOKS_ACTIONS_METRICS_PORT") from None
