"""What the commands do, behind the argument parsing of ``innboks.cli``."""

from __future__ import annotations

import json
import os
import signal
import sys
import threading
from datetime import datetime
from typing import Any, TextIO

from rich.console import Console
from rich.table import Table

from innboks.broker import BrokerError, EmbeddedBroker
from innboks.errors import CliError
from innboks.runtime import broker_or_embedded, require_bootstrap
from innboks.settings import get_settings
from innboks.topics import TopicsError, TopicStatus, create_topics
from schemas import Platform


def run_worker() -> int:
    with broker_or_embedded() as settings:
        if settings.create_topics:
            _ensure_topics(settings.kafka_bootstrap_servers or "", settings.topic_partitions,
                           settings.topic_replication)
        from streams.worker import run

        try:
            run(settings.log_level)
        except SystemExit as exit_:
            return int(exit_.code or 0)
    return 0


def _ensure_topics(bootstrap: str, partitions: int, replication: int) -> None:
    try:
        results = create_topics(bootstrap, partitions, replication)
    except TopicsError as exc:
        raise CliError(str(exc)) from exc
    for result in results:
        if result.status is TopicStatus.DRIFT:
            print(f"warning: topic {result.name} {result.detail}", file=sys.stderr)


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


def run_broker(port: int) -> int:
    broker = EmbeddedBroker(port=port)
    try:
        broker.start()
    except BrokerError as exc:
        raise CliError(f"{exc}; choose another with --port") from exc
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    print(f"embedded broker (Tansu, memory storage) listening; in other terminals run:\n"
          f"  export KAFKA_BOOTSTRAP_SERVERS={broker.bootstrap_servers}\nCtrl-C stops it (all data is lost).",
          flush=True)
    try:
        while not stop.is_set() and broker.process is not None and broker.process.poll() is None:
            stop.wait(0.5)
    except KeyboardInterrupt:
        pass
    finally:
        broker.stop()
    return 0


def run_poll(
    *, platform: Platform, account: str, base_url: str | None, token: str | None, since: datetime | None,
    once: bool, stdout: bool, interval: float,
) -> int:
    from connectors.base import DeliveryError
    from connectors.errors import ConnectorError
    from connectors.http import ApiClient, rebase_url
    from connectors.registry import CONNECTORS
    from connectors.sinks import KafkaSink, StdoutSink

    connector_class = CONNECTORS.get(platform)
    if connector_class is None:
        raise CliError(f"no connector for {platform.value} yet (available: {', '.join(CONNECTORS)})")
    token = token or os.environ.get(f"INNBOKS_{platform.name}_TOKEN")
    if not token:
        raise CliError(f"no access token: pass --token or set INNBOKS_{platform.name}_TOKEN")
    if base_url:
        try:
            rebase_url("https://example.invalid/", base_url)
        except ValueError as exc:
            raise CliError(str(exc)) from None
    sink: Any = StdoutSink() if stdout else _kafka_sink(KafkaSink, require_bootstrap(get_settings()))
    connector = connector_class(account, ApiClient(base_url=base_url, token=token), sink, since=since)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    connector.setup()
    try:
        while True:
            try:
                sent = connector.poll()
                connector.flush()
                print(f"{platform.value} {account}: {sent} new item(s)", file=sys.stderr)
            except (ConnectorError, DeliveryError) as exc:
                if once:
                    raise CliError(f"{platform.value} {account}: {exc}") from None
                print(f"{platform.value} {account}: {exc}; retrying in {interval:.0f} s", file=sys.stderr)
            if once or stop.wait(interval):
                return 0
    except KeyboardInterrupt:
        return 130
    finally:
        connector.cleanup()
        sink.close()


def _kafka_sink(sink_class: Any, bootstrap: str) -> Any:
    from kafka.errors import KafkaError

    try:
        return sink_class(bootstrap)
    except KafkaError as exc:
        raise CliError(f"cannot produce to Kafka: no broker answers at {bootstrap} ({type(exc).__name__})") from exc


def run_triage(lines: TextIO, out: TextIO) -> int:
    """JSON lines ``{"id", "text", ...}`` in, one JSON line per input out (result or error)."""
    from streams.triage.agents import build_classifier

    classifier = build_classifier()
    failures = 0
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        result = _triage_line(classifier, line, number)
        failures += "error" in result
        out.write(json.dumps(result, ensure_ascii=False) + "\n")
    out.flush()
    if failures:
        print(f"innboks triage: {failures} malformed input line(s)", file=sys.stderr)
    return 1 if failures else 0


def _triage_line(classifier: Any, line: str, number: int) -> dict[str, Any]:
    try:
        item = json.loads(line)
    except json.JSONDecodeError as exc:
        return {"id": None, "line": number, "error": f"not valid JSON: {exc.msg} at column {exc.colno}"}
    if not isinstance(item, dict):
        return {"id": None, "line": number, "error": "expected a JSON object with id and text"}
    item_id = item.get("id")
    if item_id is None or isinstance(item_id, (dict, list)):
        return {"id": None, "line": number, "error": "missing or invalid field: id"}
    text = item.get("text")
    if not isinstance(text, str):
        return {"id": item_id, "line": number, "error": "missing or non-string field: text"}
    return {"id": item_id, **classifier.triage(text).model_dump(mode="json")}
