"""``innboks crisis on|off --reason TEXT`` and ``innboks crisis status``."""

from __future__ import annotations

import getpass
from datetime import UTC, datetime

from kafka import KafkaProducer
from kafka.errors import KafkaError
from rich.console import Console

from connectors.state import read_compacted
from innboks.config.settings import get_settings
from innboks.config.topics import CONTROL
from innboks.errors import CliError
from innboks.kafka.runtime import require_bootstrap
from schemas import CRISIS_KEY, ControlEvent


def switch_crisis(active: bool, reason: str) -> int:
    if not reason.strip():
        raise CliError("--reason must say why (it is shown to operators)")
    bootstrap = require_bootstrap(get_settings())
    event = ControlEvent(active=active, reason=reason.strip(), set_by=_user(), at=datetime.now(UTC))
    try:
        producer = KafkaProducer(bootstrap_servers=bootstrap, acks="all", batch_size=0, client_id="innboks-crisis")
        try:
            producer.send(CONTROL, key=CRISIS_KEY.encode(), value=event.to_json_bytes()).get(timeout=30)
        finally:
            producer.close(timeout=5)
    except KafkaError as exc:
        raise CliError(f"crisis mode not switched: Kafka at {bootstrap} did not acknowledge ({type(exc).__name__})") \
            from None
    Console(stderr=True).print(f"crisis mode [bold]{'ON' if active else 'off'}[/bold] ({event.reason})")
    return 0


def crisis_status() -> int:
    bootstrap = require_bootstrap(get_settings())
    try:
        stored = read_compacted(bootstrap, CONTROL).get(CRISIS_KEY.encode())
    except KafkaError as exc:
        raise CliError(f"cannot read {CONTROL} at {bootstrap} ({type(exc).__name__})") from None
    if stored is None:
        print("crisis mode off (never switched on)")
        return 0
    event = ControlEvent.from_json_bytes(stored)
    state = "ON" if event.active else "off"
    print(f"crisis mode {state} since {event.at.isoformat()} ({event.reason}; by {event.set_by or 'unknown'})")
    return 0


def _user() -> str | None:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return None
