"""``innboks records search|purge|retention|hold``: the record of what was said (docs/records.md)."""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

import sqlalchemy as sa

from innboks.cli.args import OneLineParser, report_time
from innboks.cli.store import add_store_flag, open_engine, store_url
from innboks.config.accounts import RegistryError, registry_or_none
from innboks.config.settings import get_settings
from innboks.domain.calendar import OSLO
from innboks.errors import CliError

if TYPE_CHECKING:
    from innboks.records.export import ExportRequest, ExportStats


def until_time(value: str) -> datetime:
    """``--until``: a date includes that whole day (Oslo), a timestamp is the exclusive end."""
    try:
        day = date.fromisoformat(value)
    except ValueError:
        return report_time(value)
    return datetime.combine(day + timedelta(days=1), time(0), OSLO)


def register(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    records = commands.add_parser("records", help="search and export the record of every message; retention")
    sub = records.add_subparsers(dest="records_command", required=True, metavar="SUBCOMMAND",
                                 parser_class=OneLineParser)
    search = sub.add_parser("search", help="every message and revision that matches, as JSON lines, CSV or PDF/A")
    search.add_argument("--account", action="append", default=[], metavar="ID",
                        help="only this account (repeatable; default every account)")
    search.add_argument("--since", type=report_time, metavar="DATE",
                        help="messages written on or after DATE (YYYY-MM-DD, Oslo) or an ISO 8601 timestamp")
    search.add_argument("--until", type=until_time, metavar="DATE",
                        help="messages written up to and including DATE (or before an ISO 8601 timestamp)")
    search.add_argument("--text", metavar="WORDS", help="words in the text, any form (bygg* for a prefix)")
    search.add_argument("--author", metavar="NAME", help="words of the author's name (prefixes)")
    search.add_argument("--whole-threads", action="store_true",
                        help="also the other messages of the threads found (for context; marked matched false)")
    search.add_argument("--format", choices=("json", "csv", "pdf"), default="json",
                        help="JSON lines (default), CSV, or one PDF/A document (needs --out)")
    search.add_argument("--out", type=Path, metavar="PATH", help="write to PATH instead of stdout")
    search.add_argument("--redact-pii", action="store_true",
                        help="mask fødselsnummer, D-nummer, bank account, phone and e-mail in the texts")
    search.add_argument("--request", metavar="TEXT",
                        help="the innsyn request this answers (a case number), on the PDF's cover and in the audit log")
    search.add_argument("--exported-by", metavar="NAME", help="who exports (default: your user name)")
    search.set_defaults(handler=_search)

    purge = sub.add_parser("purge", help="delete what the retention rules allow and no legal hold blocks")
    purge.add_argument("--apply", action="store_true", help="delete (without it: a dry run that only counts)")
    purge.set_defaults(handler=_purge)

    retention = sub.add_parser("retention", help="how long each account's messages are kept")
    retention_sub = retention.add_subparsers(dest="retention_command", required=True, metavar="SUBCOMMAND",
                                             parser_class=OneLineParser)
    set_rule = retention_sub.add_parser("set", help="set an account's retention")
    set_rule.add_argument("account", metavar="ACCOUNT")
    keep = set_rule.add_mutually_exclusive_group(required=True)
    keep.add_argument("--keep-days", type=_days, metavar="N", help="delete conversations inactive for N days")
    keep.add_argument("--keep-forever", action="store_true", help="keep everything (the default)")
    set_rule.set_defaults(handler=_retention_set)
    list_rules = retention_sub.add_parser("list", help="the retention rules")
    list_rules.set_defaults(handler=_retention_list)

    hold = sub.add_parser("hold", help="legal holds: nothing they cover is deleted")
    hold_sub = hold.add_subparsers(dest="hold_command", required=True, metavar="SUBCOMMAND",
                                   parser_class=OneLineParser)
    place = hold_sub.add_parser("place", help="place a legal hold")
    scope = place.add_mutually_exclusive_group(required=True)
    scope.add_argument("--account", metavar="ID", help="every conversation of this account")
    scope.add_argument("--conversation", metavar="KEY", help="one conversation (platform:account:conversation)")
    scope.add_argument("--all-accounts", action="store_true", help="everything in the store")
    place.add_argument("--reason", required=True, metavar="TEXT", help="why (a case number, not names)")
    place.set_defaults(handler=_hold_place)
    release = hold_sub.add_parser("release", help="release a legal hold")
    release.add_argument("hold_id", type=int, metavar="ID")
    release.set_defaults(handler=_hold_release)
    list_holds = hold_sub.add_parser("list", help="the legal holds in force")
    list_holds.add_argument("--released", action="store_true", help="also those released")
    list_holds.set_defaults(handler=_hold_list)
    for parser in (search, purge, set_rule, list_rules, place, release, list_holds):
        add_store_flag(parser)


def _days(value: str) -> int:
    try:
        days = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number of days: {value!r}") from None
    if days < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1: {value!r}")
    return days


def _user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


def _actor(name: str | None = None) -> str:
    return f"cli:{name or _user()}"[:128]


def _account_names() -> dict[str, str]:
    try:
        registry = registry_or_none(get_settings().accounts_file)
    except RegistryError:
        return {}
    return {account.account_id: account.name for account in registry.accounts} if registry else {}


def _search(args: argparse.Namespace) -> int:
    from innboks.db.fulltext import SearchQueryError
    from innboks.records.search import RecordFilter

    if args.format == "pdf" and args.out is None:
        raise CliError("--format pdf writes a file: give --out FILE", exit_code=2)
    query = RecordFilter(accounts=tuple(args.account), since=args.since, until=args.until, text=args.text,
                         author=args.author, whole_threads=args.whole_threads)
    try:
        query.check()
    except (SearchQueryError, ValueError) as exc:
        raise CliError(str(exc), exit_code=2) from None
    from innboks.records.export import ExportRequest

    exported_by = args.exported_by or _user()
    export = ExportRequest(query=query, exported_by=exported_by, exported_at=datetime.now(UTC),
                           request=args.request, redact_pii=args.redact_pii,
                           municipality=get_settings().municipality, account_names=_account_names())
    engine = open_engine(store_url(args))
    stats = run_export(engine, export, args.format, args.out)
    print(f"{stats.messages} messages ({stats.revisions} revisions, {stats.threads} threads) exported"
          + (f", {sum(stats.redacted.values())} personal data masked" if args.redact_pii else ""), file=sys.stderr)
    return 0


def run_export(engine: sa.Engine, export: ExportRequest, format: str, out: Path | None) -> ExportStats:
    """Search, write the export (a file, or stdout) and audit it; the counts."""
    from innboks.records.export import ExportStats, audit_export, render_pdf, write_text
    from innboks.records.search import search, with_notes

    stats = ExportStats()
    rows = with_notes(engine, search(engine, export.query))
    if format == "pdf":
        assert out is not None
        _write_bytes(out, render_pdf(rows, export, stats))
    elif out is None:
        try:
            write_text(rows, export, format, sys.stdout, stats)
            sys.stdout.flush()
        except BrokenPipeError:  # the reader went away (| head): what it read is still audited
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    else:
        try:
            stream = out.open("w", encoding="utf-8", newline="")
        except OSError as exc:
            raise CliError(f"--out {out}: {exc.strerror}") from None
        with stream:
            write_text(rows, export, format, stream, stats)
    audit_export(engine, _actor(export.exported_by), export, format, stats)
    return stats


def _write_bytes(path: Path, data: bytes) -> None:
    partial = path.with_name(f".{path.name}.partial")
    try:
        partial.write_bytes(data)
        os.replace(partial, path)
    except OSError as exc:
        partial.unlink(missing_ok=True)
        raise CliError(f"--out {path}: {exc.strerror}") from None


def _purge(args: argparse.Namespace) -> int:
    from innboks.records.retention import purge

    report = purge(open_engine(store_url(args)), datetime.now(UTC), _actor(), apply=args.apply)
    if not report.accounts:
        print("no account has a retention rule with a limit: nothing to delete (everything is kept)")
        return 0
    verb = "deleted" if args.apply else "would delete"
    for account in report.accounts:
        held = " (legal hold on the account: nothing deleted)" if account.held_account else (
            f", {account.held_conversations} conversations kept by legal holds" if account.held_conversations else "")
        print(f"{account.account_id}: keep {account.keep_days} days (before {account.cutoff:%Y-%m-%d}): {verb} "
              f"{account.conversations} conversations, {account.messages} messages, {account.revisions} revisions"
              f"{held}")
    if not args.apply:
        print("dry run: nothing was deleted; run with --apply to delete", file=sys.stderr)
    return 0


def _retention_set(args: argparse.Namespace) -> int:
    from innboks.records.retention import RetentionError, set_retention, topics_outliving

    try:
        set_retention(open_engine(store_url(args)), args.account, None if args.keep_forever else args.keep_days,
                      _actor(), datetime.now(UTC))
    except RetentionError as exc:
        raise CliError(str(exc)) from None
    print(f"{args.account}: " + ("keep for ever" if args.keep_forever else f"keep {args.keep_days} days"))
    if not args.keep_forever and (longer := topics_outliving(args.keep_days)):
        print("note: " + ", ".join(f"{name} keeps records {days} days" for name, days in longer)
              + "; a store rebuild within that time brings back what the purge deleted from them", file=sys.stderr)
    return 0


def _retention_list(args: argparse.Namespace) -> int:
    from innboks.records.retention import list_retention

    for rule in list_retention(open_engine(store_url(args))):
        keep = "for ever" if rule["keep_days"] is None else f"{rule['keep_days']} days"
        print(f"{rule['account_id']}\t{keep}\t{rule['updated_by']}\t{rule['updated_at']:%Y-%m-%d %H:%M}")
    return 0


def _hold_place(args: argparse.Namespace) -> int:
    from innboks.records.retention import RetentionError, place_hold

    try:
        hold_id = place_hold(open_engine(store_url(args)), args.reason, _actor(), datetime.now(UTC),
                             account_id=args.account, conversation_key=args.conversation)
    except RetentionError as exc:
        raise CliError(str(exc)) from None
    print(f"legal hold {hold_id} placed on " + (args.conversation or args.account or "every account"))
    return 0


def _hold_release(args: argparse.Namespace) -> int:
    from innboks.records.retention import RetentionError, release_hold

    try:
        release_hold(open_engine(store_url(args)), args.hold_id, _actor(), datetime.now(UTC))
    except RetentionError as exc:
        raise CliError(str(exc)) from None
    print(f"legal hold {args.hold_id} released")
    return 0


def _hold_list(args: argparse.Namespace) -> int:
    from innboks.records.retention import list_holds

    for hold in list_holds(open_engine(store_url(args)), include_released=args.released):
        scope = hold.conversation_key or hold.account_id or "every account"
        state = f"released by {hold.released_by}" if hold.released_at else "in force"
        print(f"{hold.id}\t{scope}\t{hold.reason}\t{hold.placed_by} {hold.placed_at:%Y-%m-%d}\t{state}")
    return 0
