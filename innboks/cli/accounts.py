"""``innboks accounts check``: the account registry, and admin rights where the platform exposes them."""

from __future__ import annotations

import argparse
from typing import Any

from rich.console import Console
from rich.table import Table

from connectors.http import ApiClient
from innboks.cli.args import OneLineParser
from innboks.cli.connectors import _check_base_url, _registry
from innboks.config.accounts import Account, Registry
from innboks.config.credentials import CredentialError, check_references
from innboks.config.settings import get_settings
from innboks.errors import CliError


def register(commands: argparse._SubParsersAction) -> None:
    accounts = commands.add_parser("accounts", help="the account registry")
    account_commands = accounts.add_subparsers(dest="accounts_command", required=True, metavar="SUBCOMMAND",
                                               parser_class=OneLineParser)
    check = account_commands.add_parser("check", help="validate the registry; check admin rights where exposed")
    check.add_argument("--offline", action="store_true", help="do not call platform APIs")
    check.add_argument("--base-url", metavar="URL", help="replace scheme and host of the platform APIs")
    check.set_defaults(handler=_accounts_check)


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
        if account.credentials is None:
            credentials = "[red]none[/red]"
            issues.append("no credentials")
        elif missing := check_references(account.credentials):
            credentials = "[red]" + "; ".join(missing) + "[/red]"
            issues.extend(missing)
        else:
            credentials = f"[green]{account.credentials.type}, present[/green]"
        admin = _admin_status(registry, account, offline or bool(issues), base_url, ADMIN_CHECKS, session_for,
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
