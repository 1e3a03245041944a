"""``innboks inbox`` (the web inbox for staff) and ``innboks users add|list|disable|revoke`` (its users)."""

from __future__ import annotations

import argparse
import logging
import secrets
import sys
from typing import TYPE_CHECKING

import sqlalchemy as sa

from innboks import heap
from innboks.cli.args import OneLineParser, port_number
from innboks.cli.secrets import secret_value
from innboks.cli.store import account_registry, add_store_flag, open_engine, store_url
from innboks.config.settings import Settings, get_settings
from innboks.errors import CliError

if TYPE_CHECKING:
    from innboks.db.facts import FactsSource
    from innboks.web.auth import AuthConfig

ROLES = ("reader", "operator", "admin")


def register(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    inbox = commands.add_parser("inbox", help="serve the web inbox for staff")
    inbox.add_argument("--host", default="127.0.0.1", metavar="H", help="bind address (default 127.0.0.1)")
    inbox.add_argument("--port", type=port_number, default=8080, metavar="P", help="port (default 8080)")
    add_store_flag(inbox)
    inbox.set_defaults(handler=_inbox)

    users = commands.add_parser("users", help="local users of the web inbox")
    user_commands = users.add_subparsers(dest="users_command", required=True, metavar="SUBCOMMAND",
                                         parser_class=OneLineParser)
    add = user_commands.add_parser("add", help="add or replace a local user (prints a generated password)")
    add.add_argument("name", metavar="NAME")
    add.add_argument("--role", required=True, choices=ROLES)
    add.add_argument("--unit", action="append", default=[], metavar="UNIT",
                     help="limit the user to the accounts of this owning unit (repeatable)")
    add.add_argument("--display-name", metavar="TEXT")
    add.add_argument("--password-stdin", action="store_true", help="read the password from stdin instead")
    add_store_flag(add)
    add.set_defaults(handler=_users_add)
    listing = user_commands.add_parser("list", help="users, roles and units")
    add_store_flag(listing)
    listing.set_defaults(handler=_users_list)
    disable = user_commands.add_parser("disable", help="disable a user (signed out at once, sessions ended)")
    disable.add_argument("name", metavar="NAME")
    add_store_flag(disable)
    disable.set_defaults(handler=_users_disable)
    revoke = user_commands.add_parser("revoke", help="end every session of a user (they sign in again)")
    revoke.add_argument("name", metavar="NAME")
    add_store_flag(revoke)
    revoke.set_defaults(handler=_users_revoke)


def auth_config(settings: Settings) -> AuthConfig:
    """Sign-in settings: the session key, local users, and OpenID Connect when an issuer is set."""
    from innboks.web.auth import AuthConfig, OidcConfig

    key = secret_value(settings.inbox_secret_key, settings.inbox_secret_key_file, "INNBOKS_INBOX_SECRET_KEY")
    oidc = None
    if settings.oidc_issuer:
        if not settings.oidc_client_id:
            raise CliError("INNBOKS_OIDC_CLIENT_ID is not set (needed with INNBOKS_OIDC_ISSUER)")
        if settings.oidc_role_claim and settings.oidc_roles and set(settings.oidc_roles.values()) - set(ROLES):
            raise CliError(f"INNBOKS_OIDC_ROLES maps to unknown roles; use {', '.join(ROLES)}")
        oidc = OidcConfig(
            issuer=settings.oidc_issuer, client_id=settings.oidc_client_id,
            client_secret=secret_value(settings.oidc_client_secret, settings.oidc_client_secret_file,
                                       "INNBOKS_OIDC_CLIENT_SECRET"),
            scopes=settings.oidc_scopes, provider_name=settings.oidc_provider_name,
            role_claim=settings.oidc_role_claim, roles=settings.oidc_roles, unit_claim=settings.oidc_unit_claim)
    if not settings.inbox_local_users and oidc is None:
        raise CliError("no way to sign in: set INNBOKS_OIDC_ISSUER or leave INNBOKS_INBOX_LOCAL_USERS on")
    return AuthConfig(secret_key=key or secrets.token_urlsafe(32), base_url=settings.inbox_url,
                      local_users=settings.inbox_local_users, session_hours=settings.inbox_session_hours, oidc=oidc)


def facts_source(settings: Settings) -> FactsSource:
    """The facts registry file (``INNBOKS_FACTS``), validated at start: an error names the file and line."""
    from innboks.config.facts import FactsError, facts_path
    from innboks.db.facts import FactsSource

    try:
        return FactsSource.from_path(facts_path(settings.facts))
    except FactsError as exc:
        raise CliError(str(exc)) from None


def _inbox(args: argparse.Namespace) -> int:
    import uvicorn

    from innboks.cli.accounts_store import keyring_of
    from innboks.inbox.publisher import KafkaPublisher
    from innboks.webapp import create_app

    settings = get_settings()
    facts = facts_source(settings)
    engine = open_engine(store_url(args))
    keyring = keyring_of(engine, settings)  # Kontoer connects accounts only with INNBOKS_SECRET_KEY
    publisher = KafkaPublisher(settings.kafka_bootstrap_servers) if settings.kafka_bootstrap_servers else None
    app = create_app(engine, account_registry(settings), auth_config(settings), publisher, facts=facts,
                     settings=settings, keyring=keyring)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    heap.settle()  # after the app is built: its templates, tables and registry stay for good
    print(f"Innboks inbox on http://{args.host}:{args.port}/", file=sys.stderr)
    try:
        uvicorn.run(app, host=args.host, port=args.port, log_level="warning", access_log=False,
                    timeout_graceful_shutdown=5)
    finally:
        if publisher is not None:
            publisher.close()
    return 0


def _users_add(args: argparse.Namespace) -> int:
    from innboks.web.users import add_user, generated_password

    if args.password_stdin:
        password = sys.stdin.readline().rstrip("\n")
        if len(password) < 10:
            raise CliError("the password must have at least 10 characters")
    else:
        password = generated_password()
    add_user(open_engine(store_url(args)), args.name, args.role, password, tuple(args.unit),
             display_name=args.display_name)
    if not args.password_stdin:
        print(f"user {args.name} ({args.role}) with password: {password}")
    return 0


def _users_list(args: argparse.Namespace) -> int:
    from innboks.db.schema import users

    with open_engine(store_url(args)).connect() as connection:
        rows = connection.execute(sa.select(users).order_by(users.c.username)).all()
    for row in rows:
        kind = "oidc" if row.oidc_subject else "local"
        state = " (disabled)" if row.disabled else ""
        print(f"{row.username}\t{row.role}\t{','.join(row.units or []) or 'all units'}\t{kind}{state}")
    return 0


def _users_disable(args: argparse.Namespace) -> int:
    from innboks.db.audit import audit
    from innboks.db.schema import users
    from innboks.web.sessions import revoke_sessions

    with open_engine(store_url(args)).begin() as connection:
        changed = connection.execute(users.update().where(users.c.username == args.name).values(disabled=True))
        if not changed.rowcount:
            raise CliError(f"no user {args.name!r}")
        ended = revoke_sessions(connection, args.name)
        audit(connection, "system:cli", "user_disabled", args.name, {"sessions_ended": ended})
    print(f"user {args.name} disabled, {ended} session(s) ended")
    return 0


def _users_revoke(args: argparse.Namespace) -> int:
    from innboks.db.audit import audit
    from innboks.db.schema import users
    from innboks.web.sessions import revoke_sessions

    with open_engine(store_url(args)).begin() as connection:
        if connection.execute(sa.select(users.c.username).where(users.c.username == args.name)).first() is None:
            raise CliError(f"no user {args.name!r}")
        ended = revoke_sessions(connection, args.name)
        audit(connection, "system:cli", "sessions_revoked", args.name, {"sessions_ended": ended})
    print(f"{ended} session(s) of {args.name} ended; HTTP Basic needs the password, which they still have "
          "(change it with users add, or users disable)")
    return 0
