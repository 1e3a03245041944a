"""Pure helpers shared by the Facebook and Instagram mappings (Graph API times, ids, Messenger events)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from connectors.errors import (
    IgnoredItem,
    MappingError,
)
from connectors.fields import nonempty, obj, required, string
from schemas import Event, InboxMessage, Kind, Platform, RawEvent


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
    """``payload[field]``, a non-empty string (the Graph ids: ``id``, ``post_id``, ``comment_id``, ``mid``)."""
    return required(payload.get(field), f"payload.{field}")


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
