"""``innboks accounts connect PLATFORM``: connecting an account without the inbox (a headless path).

It prints the platform's authorization URL, receives the redirect on a local port
(``http://127.0.0.1:PORT/kontoer/koble-til/PLATFORM/tilbake``, RFC 8252's loopback redirect; register it
with the platform's app), and then does what Kontoer does: the accounts the person may connect, the
guideline's checks, the assessment (flags, or asked for on a terminal), stored sealed and audited.
Mastodon needs ``--instance``; Bluesky ``--handle`` and the app password (asked for, or on stdin).
"""

from __future__ import annotations

import argparse
import getpass
import sys
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from innboks.errors import CliError
from schemas import Platform

WAIT_SECONDS = 15 * 60.0
DONE_PAGE = ("<!doctype html><html lang=\"nb\"><head><meta charset=\"utf-8\"><title>Innboks</title></head><body>"
             "<h1>Innboks har fått svaret</h1><p>Gå tilbake til terminalen.</p></body></html>").encode()


class Callback:
    """One redirect received on a loopback port, then the server stops."""

    def __init__(self, port: int, path: str) -> None:
        self.path = path
        self.query: dict[str, str] | None = None
        self.received = threading.Event()
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 - http.server API
                url = urlsplit(self.path)
                if url.path != outer.path:
                    self.send_error(404)
                    return
                outer.query = {k: v[-1] for k, v in parse_qs(url.query).items()}
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(DONE_PAGE)))
                self.end_headers()
                self.wfile.write(DONE_PAGE)
                outer.received.set()

            def log_message(self, *args: Any) -> None:
                return

        try:
            self.server = HTTPServer(("127.0.0.1", port), Handler)
        except OSError as exc:
            raise CliError(f"port {port} for the redirect: {exc.strerror}; pass --port") from None
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True)
        self.thread.start()

    def wait(self, timeout: float) -> dict[str, str]:
        try:
            if not self.received.wait(timeout):
                raise CliError(f"no answer from the platform within {timeout / 60:.0f} minutes")
        finally:
            self.server.shutdown()
            self.server.server_close()
        assert self.query is not None
        return self.query


def _publisher(settings: Any) -> tuple[Any, Any]:
    if not settings.kafka_bootstrap_servers:
        return None, None
    from innboks.kafka.clients import KafkaClientError, Producer

    try:
        producer = Producer(settings.kafka_bootstrap_servers, client_id="innboks-accounts", exact=True)
    except KafkaClientError:
        return None, None
    return producer, lambda topic, key, value: producer.send_and_wait(topic, value, key=key)


def _ask(prompt: str, given: str | None) -> str:
    if given:
        return given
    if not sys.stdin.isatty():
        raise CliError(f"{prompt.rstrip(': ')} is needed (pass it as a flag)")
    return input(prompt).strip()


def run_connect(args: argparse.Namespace) -> int:
    from innboks.accounts import flows
    from innboks.accounts.flows import ConnectError, Connecting
    from innboks.cli.accounts_store import keyring_of, yaml_registry
    from innboks.cli.store import open_engine
    from innboks.config.settings import get_settings
    from innboks.db.accounts import effective_registry, list_connected

    settings = get_settings()
    platform = Platform(args.platform)
    engine = open_engine(args.store or settings.store_url)
    keyring = keyring_of(engine, settings)
    if keyring is None:
        raise CliError("INNBOKS_SECRET_KEY is not set: connected credentials are only stored encrypted")
    registry = effective_registry(yaml_registry(settings, required=False), list_connected(engine), settings)
    producer, publish = _publisher(settings)
    c = Connecting(engine, keyring, settings, registry, publish)
    user = f"cli:{getpass.getuser()}"
    redirect = f"http://127.0.0.1:{args.port}/kontoer/koble-til/{platform.value}/tilbake"
    try:
        if platform is Platform.BLUESKY:
            handle = _ask("Handle: ", args.handle)
            password = sys.stdin.readline().strip() if args.password_stdin else getpass.getpass("App password: ")
            ident = flows.start_bluesky(c, user, handle, password)
        else:
            callback = Callback(args.port, urlsplit(redirect).path)
            if platform is Platform.MASTODON:
                if not args.instance:
                    raise CliError("--instance is needed for Mastodon (the server the account is on)")
                url = flows.start_mastodon(c, user, args.instance, redirect)
            else:
                url = flows.start_oauth(c, platform, user, redirect, args.account[0] if args.account else None)
            print("Open this address in a browser, signed in as an administrator of the account, and allow Innboks:")
            print(url, flush=True)
            print(f"Waiting for the answer on {redirect} …", file=sys.stderr, flush=True)
            answer = callback.wait(args.wait)
            if not answer.get("state"):
                raise CliError("the answer has no state")
            ident = flows.complete(c, platform, user, answer["state"], answer.get("code"), answer.get("error"))
        review = flows.review(c, ident, user)
        if not review.choices:
            raise CliError("the platform lists no account you may connect")
        for choice in review.choices:
            print(f"  {choice.candidate.key}  {choice.candidate.name}  [{choice.known}]  co-admin: "
                  f"{choice.admin.check} ({choice.admin.reason}); profile: {choice.profile.status}"
                  + (f" ({'; '.join(choice.profile.findings)})" if choice.profile.findings else ""))
        keys = {choice.candidate.key: choice for choice in review.choices}
        wanted: list[str] = []
        for given in args.account or []:
            matches = [key for key, choice in keys.items() if given in (key, choice.candidate.account_id)]
            if not matches:
                raise CliError(f"not among the accounts the platform lists: {given}")
            wanted += matches
        if not wanted:
            preselected = [key for key, choice in keys.items() if choice.preselected]
            if len(preselected) != 1:
                raise CliError("choose with --account ID (repeatable): "
                               + ", ".join(choice.candidate.key for choice in review.choices))
            wanted = preselected
        assessment = {}
        if any(keys[k].known != "connected" for k in wanted):
            from innboks.domain.account_checks import ASSESSMENT_FIELDS

            for key, question in ASSESSMENT_FIELDS.items():
                assessment[key] = _ask(f"{question} ", getattr(args, key))
        done = flows.confirm(c, ident, user, user, wanted, assessment, args.unit, args.policy)
    except ConnectError as exc:
        raise CliError(str(exc)) from None
    finally:
        if producer is not None:
            producer.close()
    for account in done.accounts:
        again = " (reconnected)" if account.key in done.reconnected else ""
        ends = f", reconnect by {account.token_expires_at:%Y-%m-%d}" if account.token_expires_at else ""
        print(f"connected {account.key} {account.name}{again}{ends}")
    for warning in done.warnings:
        print(f"note: {warning}", file=sys.stderr)
    return 0
