"""The ``innboks`` command line. Every command answers bad input with one line and a non-zero exit."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path
from typing import NoReturn

from innboks import __version__
from innboks.errors import CliError
from schemas import Platform


class OneLineParser(argparse.ArgumentParser):
    """argparse, but errors are one line on stderr (no usage dump) and exit with 2."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message}\n")


def iso_datetime(value: str) -> datetime:
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an ISO 8601 timestamp: {value!r}") from None
    if parsed.tzinfo is None:
        raise argparse.ArgumentTypeError(f"timestamp needs a UTC offset (e.g. +01:00 or Z): {value!r}")
    return parsed


def report_time(value: str) -> datetime:
    from innboks.sla_report import parse_since

    try:
        return parse_since(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def positive_float(value: str) -> float:
    try:
        number = float(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {value!r}") from None
    if number <= 0:
        raise argparse.ArgumentTypeError(f"must be greater than 0: {value!r}")
    return number


def port_number(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a port number: {value!r}") from None
    if not 1 <= number <= 65535:
        raise argparse.ArgumentTypeError(f"port must be between 1 and 65535: {value!r}")
    return number


def build_parser() -> argparse.ArgumentParser:
    parser = OneLineParser(prog="innboks", description="Social-media inbox for Norwegian municipalities.")
    parser.add_argument("--version", action="version", version=f"innboks {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND", parser_class=OneLineParser)

    demo = commands.add_parser("demo", help="run the whole system on the embedded broker with demo data")
    demo.add_argument("--duration", type=positive_float, metavar="S",
                      help="stop after S seconds (default: until Ctrl-C)")
    demo.add_argument("--metrics-port", type=port_number, default=6066, metavar="P",
                      help="port of /metrics (default 6066)")
    demo.add_argument("--archive-dir", type=Path, metavar="DIR",
                      help="also run the archive consumer, writing a package per case into DIR")
    demo.set_defaults(handler=_demo)

    worker = commands.add_parser("worker", help="run the stream processors (a Faust worker)")
    worker.set_defaults(handler=_worker)

    broker = commands.add_parser("broker", help="run the embedded Tansu broker in the foreground")
    broker.add_argument("--port", type=port_number, default=9092, metavar="P", help="loopback port (default 9092)")
    broker.set_defaults(handler=_broker)

    poll = commands.add_parser("poll", help="run one platform connector")
    poll.add_argument("platform", choices=[p.value for p in Platform], metavar="PLATFORM")
    poll.add_argument("--account", required=True, metavar="ID", help="the official account's platform id")
    poll.add_argument("--base-url", metavar="URL", help="replace scheme and host of the platform API (proxies, tests)")
    poll.add_argument("--token", metavar="T", help="access token (default: INNBOKS_<PLATFORM>_TOKEN)")
    poll.add_argument("--since", type=iso_datetime, metavar="ISO8601",
                      help="how far back a first poll reaches (ISO 8601)")
    poll.add_argument("--once", action="store_true", help="poll once and exit")
    poll.add_argument("--stdout", action="store_true", help="print InboxMessage JSON lines instead of producing")
    poll.add_argument("--interval", type=positive_float, metavar="S",
                      help="seconds between polls (default: the registry's, else 60)")
    poll.set_defaults(handler=_poll)

    connectors = commands.add_parser("connectors", help="platform connectors")
    connector_commands = connectors.add_subparsers(dest="connectors_command", required=True, metavar="SUBCOMMAND",
                                                   parser_class=OneLineParser)
    run = connector_commands.add_parser("run", help="poll every account of the registry")
    run.add_argument("--once", action="store_true", help="poll each account once and exit")
    run.set_defaults(handler=_connectors_run)

    accounts = commands.add_parser("accounts", help="the account registry")
    account_commands = accounts.add_subparsers(dest="accounts_command", required=True, metavar="SUBCOMMAND",
                                               parser_class=OneLineParser)
    check = account_commands.add_parser("check", help="validate the registry; check admin rights where exposed")
    check.add_argument("--offline", action="store_true", help="do not call platform APIs")
    check.add_argument("--base-url", metavar="URL", help="replace scheme and host of the platform APIs")
    check.set_defaults(handler=_accounts_check)

    webhook = commands.add_parser("webhook", help="receive Meta webhooks (Facebook, Instagram)")
    webhook.add_argument("--host", default="0.0.0.0", metavar="H", help="bind address (default 0.0.0.0)")
    webhook.add_argument("--port", type=port_number, metavar="P", help="port (default INNBOKS_WEBHOOK_PORT, 8080)")
    webhook.set_defaults(handler=_webhook)

    triage = commands.add_parser("triage", help='triage JSON lines {"id","text"} from stdin')
    triage.set_defaults(handler=_triage)
    triage_commands = triage.add_subparsers(dest="triage_command", required=False, metavar="[eval]",
                                            parser_class=OneLineParser)
    evaluate = triage_commands.add_parser("eval", help="precision, recall, F1 and confusion matrix on a corpus")
    evaluate.add_argument("corpus", type=Path, metavar="CORPUS", help="labelled JSON lines (docs/triage-labelling.md)")
    evaluate.add_argument("--json", action="store_true", help="print the report as JSON")
    evaluate.add_argument("--errors", type=int, default=0, metavar="N", help="also list the first N misclassified ids")
    evaluate.set_defaults(handler=_triage_eval)

    crisis = commands.add_parser("crisis", help="crisis mode: on, off, status")
    crisis.add_argument("state", choices=["on", "off", "status"], metavar="on|off|status")
    crisis.add_argument("--reason", metavar="TEXT", help="why (required for on and off)")
    crisis.set_defaults(handler=_crisis)

    archive = commands.add_parser("archive", help="write each forwarded case as a Noark 5 archive package")
    archive.add_argument("--out", type=Path, required=True, metavar="DIR", help="where the packages go")
    archive.add_argument("--once", action="store_true", help="process what is on innboks.cases, then exit")
    archive.add_argument("--group", default="innboks-archive", metavar="NAME",
                         help="consumer group (default innboks-archive; a new name replays from the start)")
    archive.set_defaults(handler=_archive)

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

    topics = commands.add_parser("topics", help="Kafka topics")
    topic_commands = topics.add_subparsers(dest="topics_command", required=True, metavar="SUBCOMMAND",
                                           parser_class=OneLineParser)
    create = topic_commands.add_parser("create", help="create all topics (idempotent)")
    create.set_defaults(handler=_topics_create)
    return parser


def _demo(args: argparse.Namespace) -> int:
    from innboks.demo.runner import run_demo

    return run_demo(duration=args.duration, metrics_port=args.metrics_port, archive_dir=args.archive_dir)


def _worker(args: argparse.Namespace) -> int:
    from innboks.commands import run_worker

    return run_worker()


def _broker(args: argparse.Namespace) -> int:
    from innboks.commands import run_broker

    return run_broker(args.port)


def _poll(args: argparse.Namespace) -> int:
    from innboks.connector_commands import run_poll

    return run_poll(
        platform=Platform(args.platform), account=args.account, base_url=args.base_url, token=args.token,
        since=args.since, once=args.once, stdout=args.stdout, interval=args.interval,
    )


def _connectors_run(args: argparse.Namespace) -> int:
    from innboks.connector_commands import run_connectors

    return run_connectors(once=args.once)


def _accounts_check(args: argparse.Namespace) -> int:
    from innboks.connector_commands import run_accounts_check

    return run_accounts_check(offline=args.offline, base_url=args.base_url)


def _webhook(args: argparse.Namespace) -> int:
    from innboks.connector_commands import run_webhook
    from innboks.settings import get_settings

    return run_webhook(args.host, args.port or get_settings().webhook_port)


def _crisis(args: argparse.Namespace) -> int:
    from innboks.crisis import crisis_status, switch_crisis

    if args.state == "status":
        return crisis_status()
    if not args.reason:
        raise CliError("--reason is required: say why crisis mode is switched")
    return switch_crisis(args.state == "on", args.reason)


def _triage_eval(args: argparse.Namespace) -> int:
    from innboks.triage_eval import run_triage_eval

    return run_triage_eval(args.corpus, as_json=args.json, errors=args.errors)


def _triage(args: argparse.Namespace) -> int:
    from innboks.commands import run_triage

    return run_triage(sys.stdin, sys.stdout)


def _archive(args: argparse.Namespace) -> int:
    from innboks.archive.consumer import run_archive

    return run_archive(args.out, args.once, args.group)


def _sla_deadline(args: argparse.Namespace) -> int:
    from innboks.accounts import Registry, RegistryError, registry_or_none
    from innboks.settings import get_settings
    from streams.sla.policies import UnknownPolicy, get_policy

    try:
        registry = registry_or_none(get_settings().accounts_file) or Registry()
        policy = get_policy(args.policy, registry.sla.built_policies)
    except (UnknownPolicy, RegistryError) as exc:
        raise CliError(str(exc)) from None
    print(policy.due_at(args.received).astimezone(policy.calendar.timezone).isoformat())
    return 0


def _sla_report(args: argparse.Namespace) -> int:
    from innboks.sla_report import run_sla_report

    return run_sla_report(args.since, args.until, args.csv, args.events, sys.stdout)


def _topics_create(args: argparse.Namespace) -> int:
    from innboks.commands import run_topics_create

    return run_topics_create()


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    handler: Callable[[argparse.Namespace], int] = args.handler
    try:
        return handler(args)
    except CliError as exc:
        print(f"innboks {args.command}: error: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
