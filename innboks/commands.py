"""What the commands do, behind the argument parsing of ``innboks.cli``."""

from __future__ import annotations

import json
import signal
import sys
import threading
from typing import Any, TextIO

from rich.console import Console
from rich.table import Table

from innboks.broker import BrokerError, EmbeddedBroker
from innboks.errors import CliError
from innboks.runtime import broker_or_embedded, require_bootstrap
from innboks.settings import get_settings
from innboks.topics import TopicsError, TopicStatus, create_topics


def run_worker() -> int:
    from innboks.accounts import RegistryError, registry_or_none
    from streams.triage.ruleset import RulesError, load_ruleset

    try:
        # Broken rules or registry files are reported now, in one line, not by a crashing agent.
        load_ruleset()
        registry_or_none(get_settings().accounts_file)
    except (RulesError, RegistryError) as exc:
        raise CliError(str(exc)) from None
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


def run_triage(lines: TextIO, out: TextIO) -> int:
    """JSON lines ``{"id", "text", ...}`` in, one JSON line per input out (result or error)."""
    from streams.triage.ruleset import RulesError

    try:
        from streams.triage.classifier import build_classifier

        classifier = build_classifier()
    except RulesError as exc:
        raise CliError(str(exc)) from None
    failures = 0
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        result = _triage_line(classifier, line, number)
        if isinstance(result, dict):
            failures += 1
            out.write(json.dumps(result, ensure_ascii=False) + "\n")
        else:
            out.write(result + "\n")
    out.flush()
    if failures:
        print(f"innboks triage: {failures} malformed input line(s)", file=sys.stderr)
    return 1 if failures else 0


def _triage_line(classifier: Any, line: str, number: int) -> str | dict[str, Any]:
    """The output line (JSON text) for a good input; an error object for a bad one."""
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
    triage_json = classifier.triage(text).model_dump_json()  # '{"category":...}': splice the id in front
    return f'{{"id":{json.dumps(item_id, ensure_ascii=False)},{triage_json[1:]}'
