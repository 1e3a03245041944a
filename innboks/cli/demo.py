"""``innboks demo``: the whole system on the embedded broker with demo data."""

from __future__ import annotations

import argparse
from pathlib import Path

from innboks.cli.args import port_number, port_or_zero, positive_float


def register(commands: argparse._SubParsersAction) -> None:
    demo = commands.add_parser("demo", help="run the whole system on the embedded broker with demo data")
    demo.add_argument("--duration", type=positive_float, metavar="S",
                      help="stop after S seconds (default: until Ctrl-C)")
    demo.add_argument("--metrics-port", type=port_or_zero, default=6066, metavar="P",
                      help="/metrics of the worker on P and of the connector on P+1 (default 6066; 0: any free "
                           "ports, printed at start)")
    demo.add_argument("--archive-dir", type=Path, metavar="DIR",
                      help="also run the archive consumer, writing a package per case into DIR")
    demo.add_argument("--store", metavar="URL",
                      help="conversation store (default: a temporary SQLite file, printed at start)")
    demo.add_argument("--inbox-port", type=port_number, metavar="P", help="also serve the web inbox on port P")
    demo.add_argument("--fiks", action="store_true",
                      help="also send each case to a stand-in archive over a stand-in Fiks IO (rabbitmq-server) and "
                           "show its saksnummer")
    demo.set_defaults(handler=_demo)


def _demo(args: argparse.Namespace) -> int:
    from innboks.config.facts import FactsError, facts_path, load_facts
    from innboks.config.settings import get_settings
    from innboks.demo.runner import run_demo
    from innboks.errors import CliError

    try:  # the facts registry (INNBOKS_FACTS) is named in one line, not by a crashing worker
        load_facts(facts_path(get_settings().facts))
    except FactsError as exc:
        raise CliError(str(exc)) from None

    return run_demo(duration=args.duration, metrics_port=args.metrics_port, archive_dir=args.archive_dir,
                    store_url=args.store, inbox_port=args.inbox_port, fiks=args.fiks)
