"""``innboks poll``, ``innboks connectors run``, ``innboks accounts check`` and ``innboks webhook``."""

from __future__ import annotations

import logging
import signal
import sys
import threading
from contextlib import ExitStack
from datetime import datetime
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from connectors.auth import CredentialError, check_references
from connectors.base import MemoryCursorStore
from connectors.http import ApiClient, rebase_url
from connectors.runner import AccountPoller, PollState, Runner
from connectors.state import ConnectorEvents, KafkaCursorStore, state_producer
from innboks.accounts import Account, Registry, RegistryError, load_registry, registry_or_none
from innboks.errors import CliError
from innboks.runtime import require_bootstrap
from innboks.settings import get_settings
from schemas import Platform

log = logging.getLogger(__name__)


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
    from kafka.errors import KafkaError

    try:
        return factory(*args)
    except KafkaError as exc:
        raise CliError(f"cannot reach Kafka at {args[0]} ({type(exc).__name__})") from exc


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


def run_connectors(once: bool) -> int:
    """Poll every enabled account of the registry, each on its own schedule and thread."""
    from connectors.factory import build_connector, credential_watch
    from connectors.sinks import KafkaSink

    settings = get_settings()
    registry = _registry(settings.accounts_file, required=True)
    assert registry is not None
    bootstrap = require_bootstrap(settings)
    producer = _kafka(state_producer, bootstrap)
    sink_producer = _kafka(KafkaSink, bootstrap).producer
    cursors, events = KafkaCursorStore(bootstrap, producer), ConnectorEvents(producer)
    pollers: list[AccountPoller] = []
    for account in (a for a in registry.accounts if a.enabled):
        try:
            sink = KafkaSink(bootstrap, producer=sink_producer)
            connector = build_connector(account.platform, account.account_id, sink, cursors, account)
        except CredentialError as exc:
            print(f"skipping {account.key}: {exc}", file=sys.stderr)
            continue
        pollers.append(AccountPoller(connector, account.poll_interval_seconds, events,
                                     credential_fingerprint=credential_watch(account, account.platform),
                                     token_expires_at=account.token_expires_timestamp))
    if not pollers:
        raise CliError("no account can be polled (see the lines above, or enable accounts in the registry)")
    runner = Runner(pollers)
    try:
        if once:
            outcomes = runner.run(once=True)
            failed = [o for o in outcomes if o.state is not PollState.OK]
            for poller in pollers:
                print(f"{poller.connector.platform.value} {poller.connector.account_id}: {poller.state.value}",
                      file=sys.stderr)
            return 1 if failed else 0
        _serve_metrics(settings.connector_metrics_port)
        _log_to_stderr()
        signal.signal(signal.SIGTERM, lambda *_: runner.stop())
        try:
            runner.run()
        except KeyboardInterrupt:
            runner.stop()
        return 0
    finally:
        for poller in pollers:
            poller.close()
        sink_producer.close(timeout=5)
        producer.close(timeout=5)


def run_accounts_check(offline: bool, base_url: str | None, console: Console | None = None) -> int:
    """Validate the registry and, online, check that the communication unit is admin everywhere."""
    from connectors.admins import ADMIN_CHECKS
    from connectors.errors import ConnectorError
    from connectors.factory import session_for
    from connectors.registry import CONNECTORS

    console = console or Console()
    settings = get_settings()
    _check_base_url(base_url)
    registry = _registry(settings.accounts_file, required=True)
    assert registry is not None
    table = Table("account", "name", "owning unit", "policy", "credentials", "communication unit admin",
                  title=f"Account registry {settings.accounts_file}")
    problems = 0
    for account in registry.accounts:
        issues: list[str] = []
        if account.platform not in CONNECTORS:
            issues.append("no connector for this platform")
        if account.credentials is None:
            credentials = "[red]none[/red]"
            issues.append("no credentials")
        elif missing := check_references(account.credentials):
            credentials = "[red]" + "; ".join(missing) + "[/red]"
            issues.extend(missing)
        else:
            credentials = f"[green]{account.credentials.type}, present[/green]"
        admin = _admin_status(registry, account, offline or bool(issues), base_url, ADMIN_CHECKS, session_for,
                              ConnectorError)
        if admin.startswith("[red]"):
            issues.append("communication unit is not admin")
        problems += bool(issues)
        policy = ", ".join([account.sla_policy, *(f"{kind.value}: {name}"
                                                  for kind, name in account.sla_policy_by_kind.items())])
        table.add_row(account.key + ("" if account.enabled else " (disabled)"), account.name, account.owning_unit,
                      policy, credentials, admin)
    console.print(table)
    console.print(f"{len(registry.accounts)} account(s), {problems} with problems")
    return 1 if problems else 0


def _admin_status(registry: Registry, account: Account, skip: bool, base_url: str | None, checks: dict,
                  session_for: Any, connector_error: type[Exception]) -> str:
    check = checks.get(account.platform)
    if check is None:
        return "not exposed by the platform"
    if skip:
        return "not checked"
    unit_ids = set(registry.communication_unit.admins.get(account.platform, []))
    if not unit_ids:
        return f"[yellow]unknown: communication_unit.admins has no {account.platform.value} ids[/yellow]"
    from connectors.registry import CONNECTORS

    policy = CONNECTORS[account.platform].policy()
    client = ApiClient(base_url=base_url, session=session_for(account.platform, account, None), policy=policy,
                       max_attempts=2)
    try:
        admins = check(client, account)
    except (connector_error, CredentialError) as exc:
        return f"[yellow]unknown: {exc}[/yellow]"
    finally:
        client.close()
    return "[green]yes[/green]" if unit_ids & admins else "[red]NO[/red]"


def run_webhook(host: str, port: int) -> int:
    from aiohttp import web

    from innboks.webhook import KafkaPublisher, create_app

    settings = get_settings()
    secret = _secret(settings.meta_app_secret, settings.meta_app_secret_file, "INNBOKS_META_APP_SECRET")
    verify = _secret(settings.meta_verify_token, settings.meta_verify_token_file, "INNBOKS_META_VERIFY_TOKEN")
    bootstrap = require_bootstrap(settings)
    publisher = KafkaPublisher(bootstrap)
    app = create_app(secret, verify, publisher)

    async def on_startup(_app: web.Application) -> None:
        try:
            await publisher.start()
        except Exception as exc:
            raise CliError(f"cannot reach Kafka at {bootstrap} ({type(exc).__name__})") from exc

    async def on_cleanup(_app: web.Application) -> None:
        await publisher.stop()

    app.on_startup.append(on_startup)
    app.on_cleanup.append(on_cleanup)
    print(f"Meta webhook receiver on http://{host}:{port}/webhooks/meta", file=sys.stderr)
    try:
        web.run_app(app, host=host, port=port, print=None, handle_signals=True)
    except OSError as exc:
        raise CliError(f"cannot listen on {host}:{port}: {exc.strerror}") from None
    return 0


def _secret(value: Any, path: Path | None, variable: str) -> str:
    if value is not None and value.get_secret_value():
        return str(value.get_secret_value())
    if path is not None:
        try:
            text = path.read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise CliError(f"{variable}_FILE: cannot read {path}: {exc.strerror}") from None
        if text:
            return text
    raise CliError(f"{variable} (or {variable}_FILE) is not set")
