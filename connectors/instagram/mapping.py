"""Instagram items to InboxMessage: pure, no HTTP (``RawEvent`` in, ``InboxMessage`` out)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from connectors.errors import MappingError
from connectors.fields import checked_permalink, items, nonempty, obj, string
from connectors.meta.mapping import epoch_time, map_messaging_event, parse_graph_time, required_id
from schemas import Event, InboxMessage, Kind, Platform, RawEvent


def map_instagram(raw: RawEvent) -> InboxMessage:
    """Map one Graph API item or webhook change (``RawEvent.payload``) to an ``InboxMessage``."""
    if raw.resource == "webhook:comments":
        return _map_comment_change(raw)
    if raw.resource == "webhook:mentions":
        return _map_mention_change(raw)
    if raw.resource in ("webhook:messages", "webhook:message_edits"):
        return map_messaging_event(raw, Platform.INSTAGRAM)
    payload, ctx = raw.payload, raw.context
    native_id = required_id(payload)
    changed = Event.EDITED if ctx.get("change") else Event.CREATED
    common: dict[str, Any] = {
        "id": f"instagram:{native_id}",
        "platform": Platform.INSTAGRAM,
        "account_id": raw.account_id,
        "fetched_at": raw.fetched_at,
    }
    if raw.resource == "media":
        return InboxMessage(kind=Kind.POST, conversation_id=native_id, event=changed, author_id=raw.account_id,
                            author_name=nonempty(payload.get("username")), from_account=True,
                            text=string(payload.get("caption")),
                            created_at=parse_graph_time(payload.get("timestamp"), "timestamp"),
                            permalink=checked_permalink(Platform.INSTAGRAM, payload.get("permalink")), **common)
    if raw.resource == "tagged_media":
        # `owner` is only returned to the media's owner: another account's media carries `username` only.
        return InboxMessage(kind=Kind.MENTION, conversation_id=native_id, event=changed, author_id=None,
                            author_name=nonempty(payload.get("username")), from_account=False,
                            text=string(payload.get("caption")),
                            created_at=parse_graph_time(payload.get("timestamp"), "timestamp"),
                            permalink=checked_permalink(Platform.INSTAGRAM, payload.get("permalink")), **common)
    if raw.resource == "comment":
        author = obj(payload.get("from"))
        author_id = nonempty(author.get("id"))
        author_name = nonempty(author.get("username")) or nonempty(payload.get("username"))
        event = Event.HIDDEN if payload.get("hidden") is True else changed
        fields: dict[str, Any] = {
            "author_id": author_id,
            "author_name": author_name,
            "from_account": _is_us(raw, author_id, author_name),
            "text": string(payload.get("text")),
            "created_at": parse_graph_time(payload.get("timestamp"), "timestamp"),
            "event": event,
        }
        parent_id = nonempty(payload.get("parent_id")) or nonempty(ctx.get("parent_id"))
        if parent_id:
            return InboxMessage(kind=Kind.REPLY, conversation_id=parent_id, parent_id=parent_id, **fields, **common)
        return InboxMessage(kind=Kind.COMMENT, conversation_id=native_id, parent_id=nonempty(ctx.get("media_id")),
                            **fields, **common)
    if raw.resource == "conversation_message":
        author = obj(payload.get("from"))
        author_id = nonempty(author.get("id"))
        author_name = nonempty(author.get("username"))
        ours = _is_us(raw, author_id, author_name)
        thread = nonempty(ctx.get("participant_id")) or (_first_recipient(raw, payload) if ours else author_id)
        if thread is None:
            raise MappingError("schema_violation", "payload.from/to: no Instagram-scoped id of the citizen")
        return InboxMessage(kind=Kind.DIRECT_MESSAGE, conversation_id=thread, event=changed, author_id=author_id,
                            author_name=author_name, from_account=ours, text=string(payload.get("message")),
                            created_at=parse_graph_time(payload.get("created_time"), "created_time"), **common)
    raise MappingError("unsupported_resource", f"instagram resource {raw.resource!r} is not supported")


def _is_us(raw: RawEvent, author_id: str | None, username: str | None) -> bool:
    """Our account wrote it: its id is the account id, or its username is ``context["username"]``."""
    if author_id is not None and author_id == raw.account_id:
        return True
    ours = nonempty(raw.context.get("username"))
    return ours is not None and username is not None and username.lower() == ours.lstrip("@").lower()


def _first_recipient(raw: RawEvent, payload: dict[str, Any]) -> str | None:
    """The citizen a message of ours went to: the first ``to`` entry that is not us."""
    for person in items(obj(payload.get("to")), "data"):
        person_id, name = nonempty(person.get("id")), nonempty(person.get("username"))
        if person_id and not _is_us(raw, person_id, name):
            return person_id
    return None


def _delivery_time(raw: RawEvent) -> datetime:
    """Comment and mention notifications have no timestamp: the entry time if known, else receive time."""
    entry_time = raw.context.get("entry_time")
    if isinstance(entry_time, (int, float)) and not isinstance(entry_time, bool):
        return epoch_time(entry_time, "context.entry_time")
    return raw.fetched_at


def _map_comment_change(raw: RawEvent) -> InboxMessage:
    """A ``comments`` change: ``{from{id,username}, media{id,media_product_type}, id, text, parent_id}``."""
    value = raw.payload
    comment_id = nonempty(value.get("id")) or required_id(value, "comment_id")
    author = obj(value.get("from"))
    author_id, author_name = nonempty(author.get("id")), nonempty(author.get("username"))
    common: dict[str, Any] = {
        "id": f"instagram:{comment_id}",
        "platform": Platform.INSTAGRAM,
        "account_id": raw.account_id,
        "author_id": author_id,
        "author_name": author_name,
        "from_account": _is_us(raw, author_id, author_name),
        "text": string(value.get("text")),
        "created_at": _delivery_time(raw),
        "fetched_at": raw.fetched_at,
    }
    parent_id = nonempty(value.get("parent_id"))
    if parent_id:
        return InboxMessage(kind=Kind.REPLY, conversation_id=parent_id, parent_id=parent_id, **common)
    return InboxMessage(kind=Kind.COMMENT, conversation_id=comment_id,
                        parent_id=nonempty(obj(value.get("media")).get("id")), **common)


def _map_mention_change(raw: RawEvent) -> InboxMessage:
    """A ``mentions`` change carries ids only: ``{media_id, comment_id}`` (no ``comment_id`` for a caption).

    The text has to be fetched separately (``mentioned_comment``/``mentioned_media``), so it is None.
    """
    value = raw.payload
    media_id = required_id(value, "media_id")
    native_id = nonempty(value.get("comment_id")) or media_id
    return InboxMessage(
        id=f"instagram:{native_id}",
        platform=Platform.INSTAGRAM,
        account_id=raw.account_id,
        kind=Kind.MENTION,
        conversation_id=native_id,
        parent_id=media_id if native_id != media_id else None,
        text=None,
        created_at=_delivery_time(raw),
        fetched_at=raw.fetched_at,
    )
