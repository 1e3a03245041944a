"""``innboks accounts check``: the account registry, and admin rights where the platform exposes them."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from rich.console import Console
from rich.table import Table

from connectors.http import ApiClient
from innboks.cli.accounts_connect import WAIT_SECONDS
from innboks.cli.args import OneLineParser, port_number, positive_float
from innboks.cli.connectors import _check_base_url, _registry
from innboks.cli.store import add_store_flag
from innboks.config.accounts import Account, Registry
from innboks.config.credentials import CredentialError, StoredCredentials, check_references
from innboks.config.settings import get_settings
from innboks.domain.account_checks import ASSESSMENT_FIELDS
from innboks.errors import CliError
from schemas import Platform


def register(commands: argparse._SubParsersAction) -> None:
    accounts = commands.add_parser("accounts", help="the account registry")
    account_commands = accounts.add_subparsers(dest="accounts_command", required=True, metavar="SUBCOMMAND",
                                               parser_class=OneLineParser)
    check = account_commands.add_parser("check", help="validate the registry; check admin rights where exposed")
    check.add_argument("--offline", action="store_true", help="do not call platform APIs")
    check.add_argument("--base-url", metavar="URL", help="replace scheme and host of the platform APIs")
    check.set_defaults(handler=_accounts_check)

    connect = account_commands.add_parser("connect", help="connect an account (prints the URL, receives the "
                                          "redirect on a local port)")
    connect.add_argument("platform", choices=[p.value for p in Platform], metavar="PLATFORM")
    connect.add_argument("--port", type=port_number, default=None, metavar="P",
                         help="local port of the redirect (default INNBOKS_ACCOUNTS_CALLBACK_PORT, 8765)")
    connect.add_argument("--instance", metavar="HOST", help="Mastodon: the instance the account is on")
    connect.add_argument("--handle", metavar="HANDLE", help="Bluesky: the account's handle")
    connect.add_argument("--password-stdin", action="store_true", help="Bluesky: read the app password from stdin")
    connect.add_argument("--account", action="append", default=[], metavar="ID",
                         help="the account to connect when the platform lists several (repeatable)")
    connect.add_argument("--unit", metavar="UNIT", help="the owning unit (default: the registry's, else the "
                         "communication unit)")
    connect.add_argument("--policy", metavar="NAME", help="the SLA policy (default standard)")
    for key, question in ASSESSMENT_FIELDS.items():
        connect.add_argument(f"--{key}", metavar="TEXT", help=f"the assessment: {question}")
    connect.add_argument("--wait", type=positive_float, default=WAIT_SECONDS, metavar="S", help=argparse.SUPPRESS)
    add_store_flag(connect)
    connect.set_defaults(handler=_accounts_connect)

    listing = account_commands.add_parser("list", help="every account with its status and health")
    listing.add_argument("--json", action="store_true", help="JSON as GET /api/accounts answers")
    add_store_flag(listing)
    listing.set_defaults(handler=_accounts_list)

    rekey = account_commands.add_parser("rekey", help="seal every stored credential again with the first key of "
                                        "INNBOKS_SECRET_KEY (after adding a new key)")
    add_store_flag(rekey)
    rekey.set_defaults(handler=_accounts_rekey)


def _accounts_connect(args: argparse.Namespace) -> int:
    from innboks.cli.accounts_connect import run_connect

    if args.port is None:
        args.port = get_settings().accounts_callback_port
    return run_connect(args)


def _accounts_list(args: argparse.Namespace) -> int:
    import json

    from innboks.accounts.queries import account_json
    from innboks.cli.accounts_store import keyring_of, yaml_registry
    from innboks.cli.store import open_engine, store_url
    from innboks.db.account_overview import overview
    from innboks.db.accounts import effective_registry, list_connected

    settings = get_settings()
    engine = open_engine(store_url(args))
    keyring_of(engine, settings)
    base = yaml_registry(settings, required=False)
    registry = effective_registry(base, list_connected(engine), settings)
    keys = {account.key for account in base.accounts}
    rows = [account_json(row, row.account.key in keys) for row in overview(engine, registry)]
    if args.json:
        for row in rows:
            print(json.dumps(row, ensure_ascii=False))
        return 0
    table = Table("account", "name", "owning unit", "status", "token ends", "last success", "co-admin", "assessment")
    for row in rows:
        table.add_row(f"{row['platform']}:{row['account_id']}", row["name"], row["owning_unit"], row["status"],
                      (row["token_expires_at"] or "–")[:10], (row["last_success_at"] or "–")[:16],
                      row["admin_check"], "yes" if row["assessment"] else "no")
    Console().print(table)
    return 0


def _accounts_rekey(args: argparse.Namespace) -> int:
    from innboks.cli.accounts_store import keyring_of
    from innboks.cli.store import open_engine, store_url
    from innboks.db.accounts import reseal_all
    from innboks.db.sealed import SealError

    settings = get_settings()
    engine = open_engine(store_url(args))
    keyring = keyring_of(engine, settings)
    if keyring is None:
        raise CliError("INNBOKS_SECRET_KEY is not set")
    try:
        count = reseal_all(engine, keyring)
    except SealError as exc:
        raise CliError(str(exc)) from None
    print(f"{count} sealed value(s) sealed again with the first key", file=sys.stderr)
    return 0


def _accounts_check(args: argparse.Namespace) -> int:
    return run_accounts_check(offline=args.offline, base_url=args.base_url)


def run_accounts_check(offline: bool, base_url: str | None, console: Console | None = None) -> int:
    """Validate the registry and, online, check that the communication unit is admin everywhere."""
    from connectors.admins import ADMIN_CHECKS
    from connectors.errors import ConnectorError
    from connectors.factory import session_for
    from connectors.platforms import CONNECTORS

    console = console or Console()
    settings = get_settings()
    _check_base_url(base_url)
    if settings.store_configured:  # with the accounts connected in Kontoer
        from innboks.cli.accounts_store import store_link

        registry: Registry | None = store_link(settings).live.current()
    else:
        registry = _registry(settings.accounts_file, required=True)
    assert registry is not None
    if not registry.accounts:
        raise CliError(f"{settings.accounts_file}: no accounts: the registry lists the municipality's official "
                       "accounts (see accounts.example.yaml)")
    table = Table("account", "name", "owning unit", "policy", "credentials", "communication unit admin",
                  title=f"Account registry {settings.accounts_file}")
    problems = 0
    for account in registry.accounts:
        issues: list[str] = []
        if account.platform not in CONNECTORS:
            issues.append("no connector for this platform")
        if isinstance(account.credentials, StoredCredentials):  # the store was not read (INNBOKS_STORE_URL unset)
            credentials = "[yellow]connected in Kontoer (set INNBOKS_STORE_URL to check)[/yellow]"
        elif account.credentials is None:
            credentials = "[red]none[/red]"
            issues.append("no credentials")
        elif missing := check_references(account.credentials):
            credentials = "[red]" + "; ".join(missing) + "[/red]"
            issues.extend(missing)
        else:
            credentials = f"[green]{account.credentials.type}, present[/green]"
        skip = offline or bool(issues) or isinstance(account.credentials, StoredCredentials)
        admin = _admin_status(registry, account, skip, base_url, ADMIN_CHECKS, session_for,
                              ConnectorError)
        if admin.startswith("[red]"):
            issues.append("communication unit is not admin")
        problems += bool(issues)
        policy = ", ".join([account.sla_policy, *(f"{kind.value}: {name}"
                                                  for kind, name in account.sla_policy_by_kind.items())])
        table.add_row(account.key + ("" if account.enabled else " (disabled)"), account.name, account.owning_unit,
                      policy, credentials, admin)
    console.print(table)
    console.print(f"{len(registry.accounts)} account(s), {problems} with problems")
    return 1 if problems else 0


def _admin_status(registry: Registry, account: Account, skip: bool, base_url: str | None, checks: dict,
                  session_for: Any, connector_error: type[Exception]) -> str:
    check = checks.get(account.platform)
    if check is None:
        return "not exposed by the platform"
    if skip:
        return "not checked"
    unit_ids = set(registry.communication_unit.admins.get(account.platform, []))
    if not unit_ids:
        return f"[yellow]unknown: communication_unit.admins has no {account.platform.value} ids[/yellow]"
    from connectors.platforms import CONNECTORS

    policy = CONNECTORS[account.platform].policy()
    client = ApiClient(base_url=base_url, session=session_for(account.platform, account, None), policy=policy,
                       max_attempts=2)
    try:
        admins = check(client, account)
    except (connector_error, CredentialError) as exc:
        return f"[yellow]unknown: {exc}[/yellow]"
    finally:
        client.close()
    return "[green]yes[/green]" if unit_ids & admins else "[red]NO[/red]"
