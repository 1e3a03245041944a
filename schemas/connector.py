"""What connectors record about themselves: cursors and health events."""

from __future__ import annotations

from enum import StrEnum

from pydantic import Field, JsonValue

from schemas.base import Contract, UtcDatetime
from schemas.enums import Platform


class ConnectorCursor(Contract):
    """The poll position of one account, on the compacted ``innboks.connector-state`` topic.

    Key: ``platform:account_id``. ``state`` is the connector's own cursor data (timestamps, since
    ids, and the ids of recently delivered items); it is written only after delivery is confirmed.
    """

    platform: Platform
    account_id: str
    state: dict[str, JsonValue] = Field(default_factory=dict)
    updated_at: UtcDatetime


class ConnectorEventKind(StrEnum):
    TOKEN_INVALID = "token_invalid"
    RATE_LIMITED = "rate_limited"
    FAILING = "failing"
    RECOVERED = "recovered"


class ConnectorEvent(Contract):
    """A change in a connector's health, on ``innboks.connector-events``.

    Emitted when an account's state changes (token rejected, rate limited, failing, recovered),
    not on every poll, so alerting and the audit trail see transitions.
    """

    platform: Platform
    account_id: str
    kind: ConnectorEventKind
    error_class: str | None = Field(default=None, description="Bounded class, e.g. 'auth', 'rate_limited'.")
    detail: str = Field(default="", description="What happened, naming paths and codes, never tokens or text.")
    retry_after_seconds: float | None = None
    at: UtcDatetime
