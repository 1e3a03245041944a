"""``innboks crisis on|off|status``."""

from __future__ import annotations

import argparse

from innboks.errors import CliError


def register(commands: argparse._SubParsersAction) -> None:
    crisis = commands.add_parser("crisis", help="crisis mode: on, off, status")
    crisis.add_argument("state", choices=["on", "off", "status"], metavar="on|off|status")
    crisis.add_argument("--reason", metavar="TEXT", help="why (required for on and off)")
    crisis.set_defaults(handler=_crisis)


def _crisis(args: argparse.Namespace) -> int:
    from innboks.cli.crisis_mode import crisis_status, switch_crisis

    if args.state == "status":
        return crisis_status()
    if not args.reason:
        raise CliError("--reason is required: say why crisis mode is switched")
    return switch_crisis(args.state == "on", args.reason)
