"""``innboks crisis on|off --reason TEXT`` and ``innboks crisis status``."""

from __future__ import annotations

import getpass
from datetime import UTC, datetime

from rich.console import Console

from innboks.config.settings import get_settings
from innboks.config.topics import CONTROL
from innboks.errors import CliError
from innboks.kafka.clients import KafkaClientError, Producer, read_compacted
from innboks.kafka.runtime import require_bootstrap
from schemas import CRISIS_KEY, ControlEvent


def switch_crisis(active: bool, reason: str) -> int:
    if not reason.strip():
        raise CliError("--reason must say why (it is shown to operators)")
    bootstrap = require_bootstrap(get_settings())
    event = ControlEvent(active=active, reason=reason.strip(), set_by=_user(), at=datetime.now(UTC))
    try:
        with Producer(bootstrap, client_id="innboks-crisis", exact=True) as producer:
            producer.send_and_wait(CONTROL, event.to_json_bytes(), key=CRISIS_KEY.encode(), timeout=30)
    except KafkaClientError as exc:
        raise CliError(f"crisis mode not switched: Kafka at {bootstrap} did not acknowledge ({exc.reason})") from None
    Console(stderr=True).print(f"crisis mode [bold]{'ON' if active else 'off'}[/bold] ({event.reason})")
    return 0


def crisis_status() -> int:
    bootstrap = require_bootstrap(get_settings())
    try:
        stored = read_compacted(bootstrap, CONTROL, client_id="innboks-crisis").get(CRISIS_KEY.encode())
    except KafkaClientError as exc:
        raise CliError(f"cannot read {CONTROL} at {bootstrap} ({exc.reason})") from None
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
