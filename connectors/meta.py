"""What Facebook and Instagram share: the Graph API host, version, timestamps and error codes."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from connectors.base import nonempty, obj, string
from connectors.errors import (
    AuthError,
    ConnectorError,
    FatalRequestError,
    IgnoredItem,
    MappingError,
    RateLimited,
    RetriableError,
)
from connectors.http import ResponsePolicy
from schemas import Event, InboxMessage, Kind, Platform, RawEvent

GRAPH_HOST = "https://graph.facebook.com"
GRAPH_VERSION = "v24.0"

#: Graph error codes that mean "slow down": app (4), user (17), page (32), custom (613) limits and
#: the Business Use Case limits (80001-80014).
RATE_LIMIT_CODES = frozenset({4, 17, 32, 613, *range(80001, 80015)})
#: Invalid, expired or revoked access token (190), missing token (104), expired session (102, 463, 467).
AUTH_CODES = frozenset({190, 102, 104, 463, 467})
#: Temporary server-side problems.
TRANSIENT_CODES = frozenset({1, 2})
#: Default pause when a Graph rate limit gives no reset time.
DEFAULT_RATE_LIMIT_PAUSE = 300.0


class GraphPolicy(ResponsePolicy):
    """Graph API errors are JSON ``{"error": {"code", "error_subcode", "type", "is_transient"}}``."""

    def classify(self, status: int, body: Any, headers: Any, path: str, now: float) -> ConnectorError:
        error = body.get("error") if isinstance(body, dict) else None
        if not isinstance(error, dict):
            return super().classify(status, body, headers, path, now)
        code, subcode = error.get("code"), error.get("error_subcode")
        label = f"Graph error {code}" + (f"/{subcode}" if subcode else "") + f" from {path}"
        if code in AUTH_CODES:
            return AuthError(f"{label}: access token expired, revoked or invalid")
        if code in RATE_LIMIT_CODES:
            limit = self.rate_limit(headers, now)
            pause = limit.reset_at - now if limit and limit.reset_at and limit.reset_at > now else None
            return RateLimited(f"{label}: rate limited", pause or DEFAULT_RATE_LIMIT_PAUSE)
        if code in TRANSIENT_CODES or error.get("is_transient") is True or status >= 500:
            return RetriableError(f"{label}: temporary error")
        if code == 10 or (isinstance(code, int) and 200 <= code < 300):
            return FatalRequestError(f"{label}: permission missing")
        return FatalRequestError(label)


def parse_graph_time(value: Any, field: str) -> datetime:
    """Graph timestamps look like ``2026-11-16T08:14:03+0000``."""
    if not isinstance(value, str):
        raise MappingError("schema_violation", f"payload.{field}: missing or not a string")
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise MappingError("schema_violation", f"payload.{field}: not an ISO 8601 timestamp") from None
    if parsed.tzinfo is None:
        raise MappingError("schema_violation", f"payload.{field}: timestamp has no UTC offset")
    return parsed


def required_id(payload: dict[str, Any], field: str = "id") -> str:
    value = payload.get(field)
    if not isinstance(value, str) or not value:
        raise MappingError("schema_violation", f"payload.{field}: missing or not a string")
    return value


def epoch_time(value: Any, field: str) -> datetime:
    """Epoch seconds or milliseconds (Meta webhooks use both) as an aware datetime."""
    if not isinstance(value, (int, float)) or isinstance(value, bool):
        raise MappingError("schema_violation", f"{field}: missing or not a number")
    return datetime.fromtimestamp(value / 1000 if value > 100_000_000_000 else value, UTC)


def map_messaging_event(raw: RawEvent, platform: Platform) -> InboxMessage:
    """A Messenger-style ``messages`` webhook event (Facebook Pages and Instagram).

    ``is_echo`` marks a message our own account sent; the conversation is the citizen's scoped id
    (the other party), as in polled conversations. Edits (``message_edit``) and deletions
    (``is_deleted``) become ``edited``/``deleted``; reads, reactions and postbacks are not messages.
    """
    value = raw.payload
    sender, recipient = obj(value.get("sender")), obj(value.get("recipient"))
    if isinstance(value.get("message"), dict):
        message, event = obj(value.get("message")), Event.CREATED
        echo = message.get("is_echo") is True
        if message.get("is_deleted") is True:
            event = Event.DELETED
    elif isinstance(value.get("message_edit"), dict):
        message, event = obj(value.get("message_edit")), Event.EDITED
        echo = nonempty(sender.get("id")) == raw.account_id
    else:
        raise IgnoredItem("messaging event without a message (read, reaction, postback, referral)")
    citizen = nonempty(recipient.get("id")) if echo else nonempty(sender.get("id"))
    if citizen is None:
        raise MappingError("schema_violation", "payload.sender/recipient: missing id")
    return InboxMessage(
        id=f"{platform.value}:{required_id(message, 'mid')}",
        platform=platform,
        account_id=raw.account_id,
        kind=Kind.DIRECT_MESSAGE,
        event=event,
        conversation_id=citizen,
        author_id=nonempty(sender.get("id")),
        from_account=echo,
        text=string(message.get("text")),
        created_at=epoch_time(value.get("timestamp"), "payload.timestamp"),
        fetched_at=raw.fetched_at,
    )
