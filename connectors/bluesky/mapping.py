"""Bluesky items to InboxMessage: pure, no HTTP (``RawEvent`` in, ``InboxMessage`` out)."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from connectors.errors import (
    IgnoredItem,
    MappingError,
)
from connectors.fields import checked_permalink, nonempty, obj, parse_time, required, required_time, string
from schemas import Event, InboxMessage, Kind, Platform, RawEvent

POST_COLLECTION = "app.bsky.feed.post"


#: Notification reasons that are messages; likes, reposts, follows, verifications etc. are not.
MESSAGE_REASONS = frozenset({"mention", "reply", "quote"})


DELETED_MESSAGE_VIEW = "chat.bsky.convo.defs#deletedMessageView"


SYSTEM_MESSAGE_VIEW = "chat.bsky.convo.defs#systemMessageView"


_AT_URI = re.compile(r"at://(?P<authority>[^/?#]+)(?:/(?P<collection>[^/?#]+)(?:/(?P<rkey>[^/?#]+))?)?")


def parse_at_uri(uri: Any) -> tuple[str, str | None, str | None] | None:
    """``at://{authority}/{collection}/{rkey}`` as its three parts, or None if it is not an at:// uri."""
    match = _AT_URI.fullmatch(uri) if isinstance(uri, str) else None
    if match is None:
        return None
    return match["authority"], match["collection"], match["rkey"]


def _authority(uri: str, field: str) -> str:
    parts = parse_at_uri(uri)
    if parts is None:
        raise MappingError("schema_violation", f"payload.{field}: not an at:// uri")
    return parts[0]


def _post_uri(payload: dict[str, Any]) -> tuple[str, str, str]:
    uri = payload.get("uri")
    parts = parse_at_uri(uri)
    if not isinstance(uri, str) or parts is None:
        raise MappingError("schema_violation", "payload.uri: missing or not an at:// uri")
    did, collection, rkey = parts
    if collection != POST_COLLECTION or not rkey:
        raise MappingError("unsupported_resource", f"bluesky record collection {collection!r} is not a post")
    return uri, did, rkey


def _strong_ref_uri(reply: dict[str, Any], key: str) -> str:
    return required(obj(reply.get(key)).get("uri"), f"payload.record.reply.{key}.uri")


def _quoted_uri(payload: dict[str, Any], record: dict[str, Any]) -> str | None:
    """The post a quote post quotes: ``embed.record`` (or ``recordWithMedia``), else ``reasonSubject``."""
    embed = obj(record.get("embed"))
    inner = obj(embed.get("record"))
    if embed.get("$type") == "app.bsky.embed.recordWithMedia":
        inner = obj(inner.get("record"))
    return nonempty(inner.get("uri")) or (
        nonempty(payload.get("reasonSubject")) if payload.get("reason") == "quote" else None)


def _created_at(record: dict[str, Any], payload: dict[str, Any], created_key: str = "createdAt") -> datetime:
    created = parse_time(record.get(created_key)) or parse_time(payload.get("indexedAt"))
    if created is None:
        raise MappingError("schema_violation", "payload.record.createdAt and payload.indexedAt: missing or invalid")
    return created


def map_bluesky(raw: RawEvent) -> InboxMessage:
    """Map a notification, one of our posts, or a chat message (``RawEvent.payload``) to an ``InboxMessage``."""
    if raw.resource in ("notification", "post"):
        return _map_post(raw)
    if raw.resource == "chat_message":
        return _map_chat_message(raw)
    raise MappingError("unsupported_resource", f"bluesky resource {raw.resource!r} is not supported")


def _map_post(raw: RawEvent) -> InboxMessage:
    """A post: a notification's subject (a citizen's mention, reply or quote) or a post from our feed.

    Kinds: a citizen's reply whose parent is one of our posts is ``reply``; any other citizen post
    (mention, quote, reply further down a thread) is ``mention``. Our reply to someone else's post is
    ``reply``; our standalone post, and our post continuing our own thread, is ``post``.
    """
    payload = raw.payload
    reason = payload.get("reason")
    if raw.resource == "notification" and reason not in MESSAGE_REASONS:
        raise IgnoredItem(f"notification reason {reason!r} is not a message" if isinstance(reason, str)
                          else "notification without a reason")
    uri, uri_did, rkey = _post_uri(payload)
    record = obj(payload.get("record"))
    author = obj(payload.get("author"))
    author_did = nonempty(author.get("did")) or uri_did
    from_account = author_did == raw.account_id
    reply = obj(record.get("reply"))
    root_uri = _strong_ref_uri(reply, "root") if reply else None
    parent_uri = _strong_ref_uri(reply, "parent") if reply else None
    parent_did = _authority(parent_uri, "record.reply.parent.uri") if parent_uri else None
    common: dict[str, Any] = {
        "id": f"bluesky:{uri}",
        "platform": Platform.BLUESKY,
        "account_id": raw.account_id,
        "author_id": author_did,
        "author_name": nonempty(author.get("displayName")) or nonempty(author.get("handle")),
        "from_account": from_account,
        "text": string(record.get("text")),
        "created_at": _created_at(record, payload),
        "permalink": checked_permalink(Platform.BLUESKY, f"https://bsky.app/profile/{uri_did}/post/{rkey}"),
        "fetched_at": raw.fetched_at,
        "event": Event.EDITED if raw.context.get("change") else Event.CREATED,
    }
    if from_account:
        if parent_uri and parent_did != raw.account_id:
            return InboxMessage(kind=Kind.REPLY, conversation_id=f"{root_uri}:{parent_did}", parent_id=parent_uri,
                                **common)
        return InboxMessage(kind=Kind.POST, conversation_id=uri, parent_id=parent_uri, **common)
    conversation_id = f"{root_uri or uri}:{author_did}"
    if parent_uri and parent_did == raw.account_id:
        return InboxMessage(kind=Kind.REPLY, conversation_id=conversation_id, parent_id=parent_uri, **common)
    return InboxMessage(kind=Kind.MENTION, conversation_id=conversation_id,
                        parent_id=parent_uri or _quoted_uri(payload, record), **common)


def _map_chat_message(raw: RawEvent) -> InboxMessage:
    """A chat ``messageView`` (or ``deletedMessageView``); the conversation is the convo id."""
    payload, ctx = raw.payload, raw.context
    kind = payload.get("$type")
    if kind == SYSTEM_MESSAGE_VIEW:
        raise IgnoredItem("chat system message is not a message")
    convo_id = nonempty(ctx.get("convo_id"))
    if convo_id is None:
        raise MappingError("schema_violation", "context.convo_id: missing")
    message_id = required(payload.get("id"), "payload.id")
    sender = required(obj(payload.get("sender")).get("did"), "payload.sender.did")
    sent_at = required_time(payload.get("sentAt"), "payload.sentAt")
    deleted = kind == DELETED_MESSAGE_VIEW
    return InboxMessage(
        id=f"bluesky:{convo_id}/{message_id}",
        platform=Platform.BLUESKY,
        account_id=raw.account_id,
        kind=Kind.DIRECT_MESSAGE,
        event=Event.DELETED if deleted else (Event.EDITED if ctx.get("change") else Event.CREATED),
        conversation_id=convo_id,
        author_id=sender,
        author_name=nonempty(ctx.get("sender_name")),
        from_account=sender == raw.account_id,
        text=None if deleted else string(payload.get("text")),
        created_at=sent_at,
        permalink=checked_permalink(Platform.BLUESKY, f"https://bsky.app/messages/{convo_id}"),
        fetched_at=raw.fetched_at,
    )
