"""``innboks poll`` and ``innboks connectors run``: the platform connectors."""

from __future__ import annotations

import argparse
import logging
import signal
import sys
import threading
from contextlib import ExitStack
from datetime import datetime
from pathlib import Path
from typing import Any

from connectors.base import MemoryCursorStore
from connectors.http import rebase_url
from connectors.runner import AccountPoller, PollState, Runner
from connectors.state import ConnectorEvents, KafkaCursorStore, state_producer
from innboks.cli.args import OneLineParser, iso_datetime, positive_float
from innboks.config.accounts import Registry, RegistryError, load_registry, registry_or_none
from innboks.config.credentials import CredentialError
from innboks.config.settings import get_settings
from innboks.errors import CliError
from innboks.kafka.runtime import require_bootstrap
from schemas import Platform


def register(commands: argparse._SubParsersAction) -> None:
    poll = commands.add_parser("poll", help="run one platform connector")
    poll.add_argument("platform", choices=[p.value for p in Platform], metavar="PLATFORM")
    poll.add_argument("--account", required=True, metavar="ID", help="the official account's platform id")
    poll.add_argument("--base-url", metavar="URL", help="replace scheme and host of the platform API (proxies, tests)")
    poll.add_argument("--token", metavar="T", help="access token (default: INNBOKS_<PLATFORM>_TOKEN)")
    poll.add_argument("--since", type=iso_datetime, metavar="ISO8601",
                      help="how far back a first poll reaches (ISO 8601)")
    poll.add_argument("--once", action="store_true", help="poll once and exit")
    poll.add_argument("--stdout", action="store_true", help="print InboxMessage JSON lines instead of producing")
    poll.add_argument("--interval", type=positive_float, metavar="S",
                      help="seconds between polls (default: the registry's, else 60)")
    poll.set_defaults(handler=_poll)


    connectors = commands.add_parser("connectors", help="platform connectors")
    connector_commands = connectors.add_subparsers(dest="connectors_command", required=True, metavar="SUBCOMMAND",
                                                   parser_class=OneLineParser)
    run = connector_commands.add_parser("run", help="poll every account of the registry")
    run.add_argument("--once", action="store_true", help="poll each account once and exit")
    run.set_defaults(handler=_connectors_run)


log = logging.getLogger(__name__)


def _poll(args: argparse.Namespace) -> int:
    return run_poll(
        platform=Platform(args.platform), account=args.account, base_url=args.base_url, token=args.token,
        since=args.since, once=args.once, stdout=args.stdout, interval=args.interval,
    )


def _connectors_run(args: argparse.Namespace) -> int:
    return run_connectors(once=args.once)


def _registry(path: Path, required: bool) -> Registry | None:
    try:
        return load_registry(path) if required else registry_or_none(path)
    except RegistryError as exc:
        raise CliError(str(exc)) from None


def _check_base_url(base_url: str | None) -> None:
    if base_url:
        try:
            rebase_url("https://example.invalid/", base_url)
        except ValueError as exc:
            raise CliError(str(exc)) from None


def _kafka(factory: Any, *args: Any) -> Any:
    from innboks.kafka.clients import KafkaClientError

    try:
        return factory(*args)
    except KafkaClientError as exc:
        raise CliError(f"cannot reach Kafka at {args[0]} ({exc.reason})") from exc


def _serve_metrics(port: int) -> None:
    if port:
        from prometheus_client import start_http_server

        from connectors.metrics import REGISTRY

        try:
            start_http_server(port, registry=REGISTRY)
        except OSError as exc:
            raise CliError(f"connector metrics port {port}: {exc.strerror}; "
                           "set INNBOKS_CONNECTOR_METRICS_PORT") from None


def _log_to_stderr() -> None:
    """Timestamped log lines for long-running commands (never message content, never tokens)."""
    logging.basicConfig(level=logging.INFO, stream=sys.stderr,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")


def _stop_on_sigterm() -> threading.Event:
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    return stop


def run_poll(
    *, platform: Platform, account: str, base_url: str | None, token: str | None, since: datetime | None,
    once: bool, stdout: bool, interval: float | None,
) -> int:
    from connectors.factory import build_connector, credential_watch
    from connectors.sinks import KafkaSink, StdoutSink

    settings = get_settings()
    _check_base_url(base_url)
    if settings.store_configured:  # the accounts connected in Kontoer, too
        from innboks.cli.accounts_store import store_link

        registry: Registry | None = store_link(settings).live.current()
    else:
        registry = _registry(settings.accounts_file, required=False)
    entry = registry.find(platform, account) if registry else None
    with ExitStack() as stack:
        if stdout:
            sink: Any = StdoutSink()
            cursors: Any = MemoryCursorStore()
            events = ConnectorEvents(None)
        else:
            bootstrap = require_bootstrap(settings)
            sink = _kafka(KafkaSink, bootstrap)
            producer = _kafka(state_producer, bootstrap)
            stack.callback(producer.close, 5)
            cursors, events = KafkaCursorStore(bootstrap, producer), ConnectorEvents(producer)
        stack.callback(sink.close)
        try:
            connector = build_connector(platform, account, sink, cursors, entry, base_url, token, since)
        except CredentialError as exc:
            raise CliError(str(exc)) from None
        poller = AccountPoller(connector, interval or (entry.poll_interval_seconds if entry else 60.0), events,
                               credential_fingerprint=credential_watch(entry, platform),
                               token_expires_at=entry.token_expires_timestamp if entry else None)
        stack.callback(poller.close)
        if once:
            logging.getLogger("connectors.runner").setLevel(logging.ERROR)  # the error line below says it
            outcome = poller.poll_once()
            if outcome.state is not PollState.OK:
                raise CliError(f"{platform.value} {account}: {outcome.error}")
            print(f"{platform.value} {account}: {outcome.sent} new or changed item(s)", file=sys.stderr)
            return 0
        if not stdout:
            _serve_metrics(settings.connector_metrics_port)
        _log_to_stderr()
        stop = _stop_on_sigterm()
        try:
            while not stop.is_set():
                if poller.due(datetime.now().timestamp()):
                    outcome = poller.poll_once()  # failures are logged by the poller
                    if outcome.state is PollState.OK:
                        log.info("%s %s: %d new or changed item(s)", platform.value, account, outcome.sent)
                stop.wait(1.0)
        except KeyboardInterrupt:
            return 130
    return 0


def _start_executor(bootstrap: str, registry: Any, stop: threading.Event, on_outcome: Any = None) -> threading.Thread:
    """The action executor beside the pollers (docs/actions.md): one per cluster, like the runner."""
    from connectors.actions.executor import ExecutorLoop
    from connectors.actions.writers import RegistryWriters

    writers = RegistryWriters(registry)
    loop = _kafka(ExecutorLoop, bootstrap, writers, on_outcome)

    def run() -> None:
        try:
            loop.run(stop)
        finally:
            loop.close()
            writers.close()

    thread = threading.Thread(target=run, name="action-executor", daemon=True)
    thread.start()
    return thread


def run_connectors(once: bool) -> int:
    """Poll every enabled account of the registry, each on its own schedule and thread; with a store, the
    accounts connected in Kontoer too, picked up (and dropped, and rebuilt on reconnection) while running."""
    from connectors.fleet import wanted_pollers
    from connectors.health import StoreHealth
    from connectors.sinks import KafkaSink, raw_producer
    from innboks.cli.accounts_store import store_link

    settings = get_settings()
    link = store_link(settings)
    bootstrap = require_bootstrap(settings)
    producer = _kafka(state_producer, bootstrap)
    sink_producer = _kafka(raw_producer, bootstrap)
    cursors, events = KafkaCursorStore(bootstrap, producer), ConnectorEvents(producer)
    health = StoreHealth(link.engine, link.live.credentials_version) if link.engine is not None else None
    runner = Runner(wanted=wanted_pollers(link.live, lambda: KafkaSink(bootstrap, producer=sink_producer), cursors,
                                          events, health.poll if health else None))
    runner.sync()
    for key, (_fingerprint, why) in sorted(runner.refused.items()):
        print(f"skipping {key}: {why}", file=sys.stderr)
    if not runner.pollers and link.engine is None:
        raise CliError("no account can be polled (see the lines above, or enable accounts in the registry)")
    try:
        if once:
            outcomes = runner.run(once=True)
            failed = [o for o in outcomes if o.state is not PollState.OK]
            for poller in runner.pollers:
                print(f"{poller.connector.platform.value} {poller.connector.account_id}: {poller.state.value}",
                      file=sys.stderr)
            return 1 if failed or not runner.pollers else 0
        _serve_metrics(settings.connector_metrics_port)
        _log_to_stderr()
        executor_stop = threading.Event()
        executor = _start_executor(bootstrap, link.live, executor_stop, health.action if health else None)

        def stop_all(*_: Any) -> None:
            executor_stop.set()
            runner.stop()

        signal.signal(signal.SIGTERM, stop_all)
        try:
            runner.run()
        except KeyboardInterrupt:
            stop_all()
        executor.join(timeout=10)
        return 0
    finally:
        for poller in list(runner.pollers):
            poller.close()
        sink_producer.close(timeout=5)
        producer.close(timeout=5)
