"""What every staff page and API endpoint needs: the store, the account registry, policies, sign-in,
and a way to publish to Kafka. One per application, on ``app.state.staff``.

The account registry is the YAML registry merged with the accounts connected in Kontoer
(``innboks.db.accounts.effective_registry``). Every inbox process looks at most every
``ACCOUNTS_RECHECK_SECONDS`` whether the connected accounts changed in the store, so an account
connected through one replica is listed by all of them without a restart.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any, Protocol

from sqlalchemy.engine import Engine
from starlette.concurrency import run_in_threadpool
from starlette.requests import HTTPConnection

from innboks.config.accounts import Registry
from innboks.config.settings import Settings, get_settings
from innboks.db.accounts import connected_version, effective_registry, list_connected
from innboks.db.facts import FactsSource
from innboks.db.sealed import Keyring
from innboks.domain.policies import Policy, built_policies
from innboks.domain.reply_variables import ALTA, ReplyVariables
from innboks.web.auth import Authenticator
from innboks.web.errors import HttpError


class Publisher(Protocol):
    """Sends one record and returns once the broker has acknowledged it (raises otherwise)."""

    def send(self, topic: str, value: bytes, *, key: bytes | None) -> None: ...


class NoPublisher:
    """The inbox without a broker: reading works, switching crisis mode or acting says why it cannot."""

    def send(self, topic: str, value: bytes, *, key: bytes | None) -> None:
        raise HttpError(503, "this inbox has no connection to Kafka (KAFKA_BOOTSTRAP_SERVERS)")


ACCOUNTS_RECHECK_SECONDS = 5.0


@dataclass
class StaffContext:
    engine: Engine
    registry: Registry
    auth: Authenticator
    publisher: Publisher = field(default_factory=NoPublisher)
    reply_variables: ReplyVariables = ALTA
    #: The settings the Kontoer page connects accounts with (the platforms' apps, base URLs).
    settings: Settings = field(default_factory=get_settings)
    #: Seals what Kontoer stores (INNBOKS_SECRET_KEY); None: accounts cannot be connected here.
    keyring: Keyring | None = None
    #: The facts registry in force (saved on the Fakta page, else the INNBOKS_FACTS file).
    facts: FactsSource = field(default_factory=FactsSource.from_path)
    policies: dict[str, Policy] = field(init=False)
    #: account id → owning unit, and → display name (from the account registry).
    units: dict[str, str] = field(init=False)
    names: dict[str, str] = field(init=False)
    #: The YAML registry, before the accounts connected in Kontoer are merged in.
    base_registry: Registry = field(init=False)

    def __post_init__(self) -> None:
        self.base_registry = self.registry
        self.policies = built_policies(self.registry.sla)
        self._version: tuple[int, int, str | None] | None = None
        self._checked = float("-inf")  # the first request looks in the store
        self.units = {account.account_id: account.owning_unit for account in self.registry.accounts}
        self.names = {account.account_id: account.name for account in self.registry.accounts}

    def refresh_accounts(self, force: bool = False) -> None:
        """Merge in the accounts connected in Kontoer when they changed (at most every few seconds)."""
        now = time.monotonic()
        if not force and now - self._checked < ACCOUNTS_RECHECK_SECONDS:
            return
        self._checked = now
        version = connected_version(self.engine)
        if version != self._version or force:
            self._version = version
            self.registry = effective_registry(self.base_registry, list_connected(self.engine), self.settings) \
                if version[0] else self.base_registry
            self.units = {account.account_id: account.owning_unit for account in self.registry.accounts}
            self.names = {account.account_id: account.name for account in self.registry.accounts}

    async def run(self, function: Any, *args: Any, **kwargs: Any) -> Any:
        """Store and broker calls are blocking: off the event loop."""
        return await run_in_threadpool(function, *args, **kwargs)


def staff(connection: HTTPConnection) -> StaffContext:
    """The application's context, from a request (with the connected accounts up to date)."""
    context: StaffContext = connection.app.state.staff
    context.refresh_accounts()
    return context
