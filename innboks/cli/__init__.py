"""The ``innboks`` command line. Every command answers bad input with one line and a non-zero exit.

One module per command group; each has ``register(commands)`` adding its parser with a handler.
Handlers import what they run lazily: the broker is chosen before Faust is imported.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence

from innboks import __version__
from innboks.cli import (
    accounts,
    actions,
    archive,
    broker,
    connectors,
    crisis,
    demo,
    inbox,
    records,
    reply,
    sla,
    store,
    topics,
    triage,
    webhook,
    worker,
)
from innboks.cli.args import OneLineParser
from innboks.config.files import UnreadableFile
from innboks.config.settings import SettingsError
from innboks.errors import CliError

GROUPS = (demo, worker, broker, connectors, actions, accounts, webhook, triage, reply, crisis, archive, sla, topics,
          store, inbox, records)


def build_parser() -> argparse.ArgumentParser:
    parser = OneLineParser(prog="innboks", description="Social-media inbox for Norwegian municipalities.")
    parser.add_argument("--version", action="version", version=f"innboks {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND", parser_class=OneLineParser)
    for group in GROUPS:
        group.register(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    handler: Callable[[argparse.Namespace], int] = args.handler
    try:
        return handler(args)
    except CliError as exc:
        print(f"innboks {args.command}: error: {exc}", file=sys.stderr)
        return exc.exit_code
    except (SettingsError, UnreadableFile) as exc:  # the environment or a file the user gave
        print(f"innboks {args.command}: error: {exc}", file=sys.stderr)
        return 2
    except UnicodeDecodeError as exc:  # standard input, or a file read without innboks.config.files
        print(f"innboks {args.command}: error: the input is not UTF-8 text (byte 0x{exc.object[exc.start]:02x} "
              f"at offset {exc.start})", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130



if __name__ == "__main__":
    sys.exit(main())
