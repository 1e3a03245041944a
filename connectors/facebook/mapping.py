"""Facebook items to InboxMessage: pure, no HTTP (``RawEvent`` in, ``InboxMessage`` out)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from connectors.errors import IgnoredItem, MappingError
from connectors.fields import checked_permalink, nonempty, obj, string
from connectors.meta.mapping import epoch_time, map_messaging_event, parse_graph_time, required_id
from schemas import Event, InboxMessage, Kind, Platform, RawEvent

#: Webhook ``feed`` verbs to events.
FEED_VERBS = {"add": Event.CREATED, "edited": Event.EDITED, "remove": Event.DELETED, "hide": Event.HIDDEN,
              "unhide": Event.EDITED}


FEED_POST_ITEMS = frozenset({"status", "post", "photo", "video", "share"})


def _common(raw: RawEvent, item: dict[str, Any], created_at: datetime) -> dict[str, Any]:
    """The fields a polled item and a webhook change share: author (``from``), text (``message``), times."""
    author = obj(item.get("from"))  # Graph omits `from` when the user's privacy hides it
    author_id = nonempty(author.get("id"))
    return {
        "platform": Platform.FACEBOOK,
        "account_id": raw.account_id,
        "author_id": author_id,
        "author_name": nonempty(author.get("name")),
        "from_account": author_id == raw.account_id,
        "text": string(item.get("message")),
        "created_at": created_at,
        "fetched_at": raw.fetched_at,
    }


def map_facebook(raw: RawEvent) -> InboxMessage:
    """Map one Graph API item or webhook change (``RawEvent.payload``) to an ``InboxMessage``."""
    if raw.resource == "webhook:feed":
        return _map_feed_change(raw)
    if raw.resource == "webhook:messages":
        return map_messaging_event(raw, Platform.FACEBOOK)
    payload, ctx = raw.payload, raw.context
    native_id = required_id(payload)
    common = _common(raw, payload, parse_graph_time(payload.get("created_time"), "created_time"))
    common.update(id=f"facebook:{native_id}",
                  permalink=checked_permalink(Platform.FACEBOOK, payload.get("permalink_url")))
    changed = Event.EDITED if ctx.get("change") else Event.CREATED
    if raw.resource == "post":
        return InboxMessage(kind=Kind.POST, conversation_id=native_id, event=changed, **common)
    if raw.resource == "comment":
        parent_id = nonempty(obj(payload.get("parent")).get("id"))
        event = Event.HIDDEN if payload.get("is_hidden") is True else changed
        if parent_id:
            return InboxMessage(kind=Kind.REPLY, conversation_id=parent_id, parent_id=parent_id, event=event, **common)
        return InboxMessage(kind=Kind.COMMENT, conversation_id=native_id, parent_id=nonempty(ctx.get("post_id")),
                            event=event, **common)
    if raw.resource == "conversation_message":
        thread = nonempty(ctx.get("participant_id")) or nonempty(ctx.get("conversation_id"))
        if thread is None:
            raise MappingError("schema_violation", "context.conversation_id: missing")
        return InboxMessage(kind=Kind.DIRECT_MESSAGE, conversation_id=thread, event=changed, **common)
    raise MappingError("unsupported_resource", f"facebook resource {raw.resource!r} is not supported")


def _map_feed_change(raw: RawEvent) -> InboxMessage:
    """A ``feed`` webhook change: comments (with verb) and visitor posts; reactions are ignored."""
    value = raw.payload
    item, verb = value.get("item"), value.get("verb")
    event = FEED_VERBS.get(verb) if isinstance(verb, str) else None
    if event is None or item not in ("comment", *FEED_POST_ITEMS):
        raise IgnoredItem(f"feed item {item!r} verb {verb!r} is not a message")
    common = _common(raw, value, epoch_time(value.get("created_time"), "payload.created_time"))
    common["event"] = event
    post_id = required_id(value, "post_id")
    if item == "comment":
        comment_id = required_id(value, "comment_id")
        parent_id = nonempty(value.get("parent_id"))
        if parent_id and parent_id != post_id:
            return InboxMessage(id=f"facebook:{comment_id}", kind=Kind.REPLY, conversation_id=parent_id,
                                parent_id=parent_id, **common)
        return InboxMessage(id=f"facebook:{comment_id}", kind=Kind.COMMENT, conversation_id=comment_id,
                            parent_id=post_id, **common)
    return InboxMessage(id=f"facebook:{post_id}", kind=Kind.POST, conversation_id=post_id, **common)
