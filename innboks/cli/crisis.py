"""``innboks crisis on|off|status``."""

from __future__ import annotations

import argparse
import getpass
from datetime import UTC, datetime

from innboks.config.settings import get_settings
from innboks.config.topics import CONTROL
from innboks.errors import CliError
from schemas import CRISIS_KEY, ControlEvent


def register(commands: argparse._SubParsersAction) -> None:
    crisis = commands.add_parser("crisis", help="crisis mode: on, off, status")
    crisis.add_argument("state", choices=["on", "off", "status"], metavar="on|off|status")
    crisis.add_argument("--reason", metavar="TEXT", help="why (required for on and off)")
    crisis.set_defaults(handler=_crisis)


def _crisis(args: argparse.Namespace) -> int:
    if args.state == "status":
        return crisis_status()
    if not args.reason:
        raise CliError("--reason is required: say why crisis mode is switched")
    return switch_crisis(args.state == "on", args.reason)


def switch_crisis(active: bool, reason: str) -> int:
    from rich.console import Console

    from innboks.kafka.clients import KafkaClientError, Producer
    from innboks.kafka.runtime import require_bootstrap

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
    from innboks.kafka.clients import KafkaClientError, read_compacted
    from innboks.kafka.runtime import require_bootstrap

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
