"""``innboks inbox`` (the web inbox) and ``innboks users add`` (its local users)."""

from __future__ import annotations

import argparse
import sys

from innboks.cli.args import OneLineParser, port_number
from innboks.cli.store import open_engine, store_url
from innboks.config.accounts import Registry, RegistryError, registry_or_none
from innboks.config.settings import get_settings
from innboks.errors import CliError


def register(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    inbox = commands.add_parser("inbox", help="serve the web inbox for staff")
    inbox.add_argument("--host", default="127.0.0.1", metavar="H", help="bind address (default 127.0.0.1)")
    inbox.add_argument("--port", type=port_number, default=8080, metavar="P", help="port (default 8080)")
    inbox.add_argument("--store", metavar="URL", help="store URL (default INNBOKS_STORE_URL)")
    inbox.set_defaults(handler=_inbox)

    users = commands.add_parser("users", help="local users of the inbox")
    user_commands = users.add_subparsers(dest="users_command", required=True, metavar="SUBCOMMAND",
                                         parser_class=OneLineParser)
    add = user_commands.add_parser("add", help="add or replace a local user (password on stdin)")
    add.add_argument("name", metavar="NAME")
    add.add_argument("--role", required=True, choices=["reader", "operator", "admin"])
    add.add_argument("--unit", action="append", default=[], metavar="UNIT",
                     help="limit the user to the accounts of this unit (repeatable)")
    add.add_argument("--password-stdin", action="store_true", help="read the password from stdin")
    add.add_argument("--store", metavar="URL", help="store URL (default INNBOKS_STORE_URL)")
    add.set_defaults(handler=_users_add)


def registry() -> Registry:
    try:
        return registry_or_none(get_settings().accounts_file) or Registry()
    except RegistryError as exc:
        raise CliError(str(exc)) from None


def serve(engine: object, host: str, port: int) -> int:
    import uvicorn

    from innboks.inbox.app import create_app

    uvicorn.run(create_app(engine, registry()), host=host, port=port, log_level="warning",  # type: ignore[arg-type]
                access_log=False)
    return 0


def _inbox(args: argparse.Namespace) -> int:
    engine = open_engine(store_url(args))
    import logging

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    return serve(engine, args.host, args.port)


def _users_add(args: argparse.Namespace) -> int:
    from innboks.inbox.users import add_user, generated_password

    if args.password_stdin:
        password = sys.stdin.readline().rstrip("\n")
        if len(password) < 8:
            raise CliError("the password must have at least 8 characters")
    else:
        password = generated_password()
        print(f"password for {args.name}: {password}")
    add_user(open_engine(store_url(args)), args.name, args.role, password, tuple(args.unit))
    return 0
