"""What every staff page and API endpoint needs: the store, the account registry, policies, sign-in,
and a way to publish to Kafka. One per application, on ``app.state.staff``."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol

from sqlalchemy.engine import Engine
from starlette.concurrency import run_in_threadpool
from starlette.requests import HTTPConnection

from innboks.config.accounts import Registry
from innboks.db.facts import FactsSource
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


@dataclass
class StaffContext:
    engine: Engine
    registry: Registry
    auth: Authenticator
    publisher: Publisher = field(default_factory=NoPublisher)
    reply_variables: ReplyVariables = ALTA
    #: The facts registry in force (saved on the Fakta page, else the INNBOKS_FACTS file).
    facts: FactsSource = field(default_factory=FactsSource.from_path)
    policies: dict[str, Policy] = field(init=False)
    #: account id → owning unit, and → display name (from the account registry).
    units: dict[str, str] = field(init=False)
    names: dict[str, str] = field(init=False)

    def __post_init__(self) -> None:
        self.policies = built_policies(self.registry.sla)
        self.units = {account.account_id: account.owning_unit for account in self.registry.accounts}
        self.names = {account.account_id: account.name for account in self.registry.accounts}

    async def run(self, function: Any, *args: Any, **kwargs: Any) -> Any:
        """Store and broker calls are blocking: off the event loop."""
        return await run_in_threadpool(function, *args, **kwargs)


def staff(connection: HTTPConnection) -> StaffContext:
    """The application's context, from a request."""
    context: StaffContext = connection.app.state.staff
    return context
