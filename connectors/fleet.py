"""What the connector runner should poll and the executor act for, from a registry that may change.

The registry is a ``LiveRegistry`` (``innboks.db.accounts``): the YAML's accounts, with those connected
in Kontoer merged in from the store. An account's fingerprint covers its settings and its credentials
(the version connected in Kontoer, or the values an ``env:``/``file:`` reference points to), so a
reconnection or a replaced secret builds a new poller or writer, with a session on the new credentials.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import datetime
from typing import Any

from connectors.base import CursorStore, Sink
from connectors.factory import build_connector, credential_watch
from connectors.runner import AccountPoller, PollOutcome, Wanted
from connectors.state import ConnectorEvents
from innboks.config.accounts import Account
from innboks.db.accounts import LiveRegistry


def account_fingerprint(account: Account, live: LiveRegistry) -> str:
    version = live.credentials_version(account.key)
    values = "" if version is not None else credential_watch(account, account.platform)()
    return hashlib.sha256(f"{account.model_dump_json()}\0{version}\0{values}".encode()).hexdigest()


def wanted_pollers(live: LiveRegistry, sink: Callable[[], Sink], cursors: CursorStore | None,
                   events: ConnectorEvents | None,
                   health: Callable[[AccountPoller, PollOutcome], None] | None = None,
                   interval: float | None = None, since: Callable[[], datetime] | None = None
                   ) -> Callable[[], list[Wanted]]:
    """``Runner(wanted=…)``: a poller for every enabled account of the registry as it is now (``interval``
    and ``since`` override the registry's schedule and the first poll's reach: the demo)."""

    def build(account: Account) -> AccountPoller:
        connector = build_connector(account.platform, account.account_id, sink(), cursors, account,
                                    since=since() if since else None)
        expires = live.token_expires_at(account)
        return AccountPoller(connector, interval or account.poll_interval_seconds, events,
                             credential_fingerprint=credential_watch(account, account.platform),
                             token_expires_at=expires.timestamp() if expires else None, health=health)

    def wanted() -> list[Wanted]:
        out: list[Wanted] = []
        for account in live.current().accounts:
            if account.enabled:
                out.append(Wanted(account.key, account_fingerprint(account, live),
                                  lambda account=account: build(account)))  # type: ignore[misc]
        return out

    return wanted


def registry_of(source: Any) -> Any:
    """The registry as it is now, from a ``LiveRegistry`` or a plain ``Registry``."""
    return source.current() if isinstance(source, LiveRegistry) else source
