"""LinkedIn items to InboxMessage: pure, no HTTP (``RawEvent`` in, ``InboxMessage`` out)."""

from __future__ import annotations

import math
from datetime import UTC, datetime
from typing import Any

from connectors.errors import (
    IgnoredItem,
    MappingError,
)
from connectors.fields import checked_permalink, nonempty, obj, required, required_time, string
from schemas import Event, InboxMessage, Kind, Platform, RawEvent

ORGANIZATION_PREFIX = "urn:li:organization:"


PERMALINK = "https://www.linkedin.com/feed/update/{urn}/"


#: Posts in any other state (DRAFT, PUBLISH_REQUESTED, PUBLISH_FAILED) are not public messages.
PUBLISHED = "PUBLISHED"


def organization_urn(account_id: str) -> str:
    """``urn:li:organization:{id}`` for a numeric id (a full URN is accepted as is)."""
    return account_id if account_id.startswith(ORGANIZATION_PREFIX) else f"{ORGANIZATION_PREFIX}{account_id}"


def comment_urn(payload: dict[str, Any]) -> str | None:
    """A comment's URN: ``commentUrn``, else ``$URN``, else built from ``object`` and ``id``."""
    urn = nonempty(payload.get("commentUrn")) or nonempty(payload.get("$URN"))
    if urn:
        return urn
    target, native = nonempty(payload.get("object")), nonempty(payload.get("id"))
    return f"urn:li:comment:({target},{native})" if target and native else None


def epoch_millis(value: Any) -> datetime | None:
    """Epoch milliseconds (LinkedIn's times) as an aware datetime, or None."""
    if not isinstance(value, (int, float)) or isinstance(value, bool) or not math.isfinite(value):
        return None
    try:
        return datetime.fromtimestamp(value / 1000, UTC)
    except (OverflowError, OSError, ValueError):
        return None


def post_time(post: dict[str, Any]) -> datetime | None:
    """When a post went public: ``publishedAt``, else ``createdAt`` (scheduled posts differ)."""
    return epoch_millis(post.get("publishedAt")) or epoch_millis(post.get("createdAt"))


def map_linkedin(raw: RawEvent) -> InboxMessage:
    """Map one Posts API element (``post``) or Comments API element (``comment``)."""
    payload, ctx = raw.payload, raw.context
    ours = organization_urn(raw.account_id)
    event = Event.EDITED if ctx.get("change") else Event.CREATED
    common: dict[str, Any] = {"platform": Platform.LINKEDIN, "account_id": raw.account_id,
                              "fetched_at": raw.fetched_at, "event": event}
    if raw.resource == "post":
        post_urn = required(payload.get("id"), "payload.id")
        state = payload.get("lifecycleState")
        if isinstance(state, str) and state != PUBLISHED:
            raise IgnoredItem(f"post in lifecycle state {state!r} is not public")
        created = post_time(payload)
        if created is None:
            raise MappingError("schema_violation", "payload.publishedAt/createdAt: missing or not epoch milliseconds")
        author = nonempty(payload.get("author"))
        return InboxMessage(
            id=f"linkedin:{post_urn}", kind=Kind.POST, conversation_id=post_urn, author_id=author,
            from_account=author == ours, text=string(payload.get("commentary")), created_at=created,
            permalink=checked_permalink(Platform.LINKEDIN, PERMALINK.format(urn=post_urn)), **common)
    if raw.resource == "comment":
        urn = comment_urn(payload)
        if urn is None:
            raise MappingError("schema_violation", "payload.commentUrn: missing (and no object/id to build it)")
        actor = nonempty(payload.get("actor"))
        message = obj(payload.get("message"))
        fields: dict[str, Any] = {
            "id": f"linkedin:{urn}", "author_id": actor, "from_account": actor == ours,
            "text": string(message.get("text")),
            "created_at": required_time(obj(payload.get("created")).get("time"), "payload.created.time",
                                        "epoch milliseconds", epoch_millis), **common}
        parent = nonempty(payload.get("parentComment")) or nonempty(ctx.get("parent_comment"))
        if parent and parent != urn:
            return InboxMessage(kind=Kind.REPLY, conversation_id=parent, parent_id=parent, **fields)
        post = nonempty(ctx.get("post_urn")) or nonempty(payload.get("object"))
        return InboxMessage(kind=Kind.COMMENT, conversation_id=urn, parent_id=post, **fields)
    raise MappingError("unsupported_resource", f"linkedin resource {raw.resource!r} is not supported")
