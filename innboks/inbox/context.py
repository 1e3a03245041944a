"""What every request handler of the inbox needs: the store, the account registry, policies, sign-in."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.engine import Engine
from starlette.concurrency import run_in_threadpool

from innboks.config.accounts import Registry
from innboks.domain.policies import Policy, built_policies
from innboks.inbox.commands import Publisher
from innboks.inbox.saved_replies import ReplyVariables
from innboks.web.auth import Authenticator
from innboks.web.errors import HttpError


class NoPublisher:
    """The inbox without a broker: reading works, switching crisis mode says why it cannot."""

    def send(self, topic: str, key: bytes | None, value: bytes) -> None:
        raise HttpError(503, "this inbox has no connection to Kafka (KAFKA_BOOTSTRAP_SERVERS)")


@dataclass
class InboxContext:
    engine: Engine
    registry: Registry
    auth: Authenticator
    publisher: Publisher = field(default_factory=NoPublisher)
    reply_variables: ReplyVariables = field(default_factory=lambda: ReplyVariables(
        "Alta kommune", "postmottak@alta.kommune.no", "https://www.alta.kommune.no/skjema",
        "Alta kommune, Postboks 1403, 9506 Alta"))
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
