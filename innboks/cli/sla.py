"""``innboks sla deadline`` and ``innboks sla report``."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from innboks.cli.args import OneLineParser, iso_datetime, report_time
from innboks.errors import CliError


def register(commands: argparse._SubParsersAction) -> None:
    sla = commands.add_parser("sla", help="response-time SLAs")
    sla_commands = sla.add_subparsers(dest="sla_command", required=True, metavar="SUBCOMMAND",
                                      parser_class=OneLineParser)
    deadline = sla_commands.add_parser("deadline", help="print the due time of an inquiry")
    deadline.add_argument("--received", type=iso_datetime, required=True, metavar="ISO8601",
                          help="when the inquiry came (ISO 8601)")
    deadline.add_argument("--policy", default="standard", metavar="NAME", help="SLA policy (default: standard)")
    deadline.set_defaults(handler=_sla_deadline)
    report = sla_commands.add_parser("report", help="response times per account (table or CSV)")
    report.add_argument("--since", type=report_time, required=True, metavar="DATE",
                        help="first day (YYYY-MM-DD, Europe/Oslo) or ISO 8601 timestamp")
    report.add_argument("--until", type=report_time, metavar="DATE", help="end of the period (exclusive)")
    report.add_argument("--csv", action="store_true", help="print CSV instead of the table")
    report.add_argument("--events", type=Path, metavar="FILE",
                        help="read SlaEvent JSON lines from FILE instead of the innboks.sla topic")
    report.set_defaults(handler=_sla_report)


def _sla_deadline(args: argparse.Namespace) -> int:
    from innboks.config.accounts import Registry, RegistryError, registry_or_none
    from innboks.config.settings import get_settings
    from innboks.domain.policies import UnknownPolicy, built_policies, get_policy

    try:
        registry = registry_or_none(get_settings().accounts_file) or Registry()
        policy = get_policy(args.policy, built_policies(registry.sla))
    except (UnknownPolicy, RegistryError) as exc:
        raise CliError(str(exc)) from None
    print(policy.due_at(args.received).astimezone(policy.calendar.timezone).isoformat())
    return 0


def _sla_report(args: argparse.Namespace) -> int:
    from innboks.cli.sla_report import run_sla_report

    return run_sla_report(args.since, args.until, args.csv, args.events, sys.stdout)
