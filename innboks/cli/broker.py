"""``innboks broker``: the embedded Tansu broker in the foreground."""

from __future__ import annotations

import argparse
import signal
import threading

from innboks.cli.args import port_number
from innboks.errors import CliError
from innboks.kafka.broker import BrokerError, EmbeddedBroker


def register(commands: argparse._SubParsersAction) -> None:
    broker = commands.add_parser("broker", help="run the embedded Tansu broker in the foreground")
    broker.add_argument("--port", type=port_number, default=9092, metavar="P", help="loopback port (default 9092)")
    broker.set_defaults(handler=_broker)


def _broker(args: argparse.Namespace) -> int:
    return run_broker(args.port)


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
