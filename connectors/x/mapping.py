"""X items to InboxMessage: pure, no HTTP (``RawEvent`` in, ``InboxMessage`` out)."""

from __future__ import annotations

from typing import Any

from connectors.errors import (
    IgnoredItem,
    MappingError,
)
from connectors.fields import checked_permalink, nonempty, obj, required, required_time, string
from schemas import Event, InboxMessage, Kind, Platform, RawEvent


def references(payload: dict[str, Any]) -> dict[str, str]:
    """``referenced_tweets`` as ``{type: id}`` (``replied_to``, ``quoted``, ``retweeted``)."""
    refs: dict[str, str] = {}
    value = payload.get("referenced_tweets")
    for ref in value if isinstance(value, list) else []:
        if isinstance(ref, dict) and isinstance(ref.get("type"), str) and nonempty(ref.get("id")):
            refs.setdefault(ref["type"], ref["id"])
    return refs


def _text(payload: dict[str, Any]) -> str | None:
    """The full text: long posts carry a truncated ``text`` and the whole of it in ``note_tweet``."""
    return string(obj(payload.get("note_tweet")).get("text")) or string(payload.get("text"))


def permalink(username: str | None, tweet_id: str) -> str:
    """``https://x.com/{username}/status/{id}``; X redirects ``/i/web/status/{id}`` when no name is known."""
    return f"https://x.com/{username}/status/{tweet_id}" if username else f"https://x.com/i/web/status/{tweet_id}"


def map_x(raw: RawEvent) -> InboxMessage:
    """Map one X API item (``RawEvent.payload``) to an ``InboxMessage``.

    Resources: ``mention`` (from the mentions timeline) and ``tweet`` (from our own timeline) are
    both posts and are told apart by author; ``dm_event`` is a direct message. The author's
    ``username``/``name`` come from ``includes.users`` via ``context``.
    """
    if raw.resource in ("mention", "tweet"):
        return _map_post(raw)
    if raw.resource == "dm_event":
        return _map_dm(raw)
    raise MappingError("unsupported_resource", f"x resource {raw.resource!r} is not supported")


def _map_post(raw: RawEvent) -> InboxMessage:
    payload, ctx = raw.payload, raw.context
    tweet_id = required(payload.get("id"), "payload.id")
    author_id = required(payload.get("author_id"), "payload.author_id")
    refs = references(payload)
    # conversation_id (the thread's root post) is absent from older and partial responses. A
    # citizen's message is never dropped for it: the post it replies to or quotes stands in for the
    # root (a reply to one of our posts is, in the usual case, a reply to the root), else the post itself.
    root = nonempty(payload.get("conversation_id")) or refs.get("replied_to") or refs.get("quoted") or tweet_id
    if "retweeted" in refs:
        raise IgnoredItem("a repost is not a message")
    chain = payload.get("edit_history_tweet_ids")
    history = [i for i in chain if isinstance(i, str) and i] if isinstance(chain, list) else []
    history = history or [tweet_id]
    original = history[0]
    if root in history:  # an edited root post: its thread is the original's
        root = original
    replied_to = refs.get("replied_to")
    common: dict[str, Any] = {
        "id": f"x:{original}",
        "platform": Platform.X,
        "account_id": raw.account_id,
        "event": Event.EDITED if original != tweet_id or ctx.get("change") else Event.CREATED,
        "author_id": author_id,
        "author_name": nonempty(ctx.get("author_name")),
        "from_account": author_id == raw.account_id,
        "text": _text(payload),
        "created_at": required_time(payload.get("created_at"), "payload.created_at"),
        "permalink": checked_permalink(Platform.X, permalink(nonempty(ctx.get("author_username")), tweet_id)),
        "fetched_at": raw.fetched_at,
    }
    if author_id == raw.account_id:
        citizen = nonempty(payload.get("in_reply_to_user_id"))
        if citizen and citizen != raw.account_id:
            return InboxMessage(kind=Kind.REPLY, conversation_id=f"{root}:{citizen}", parent_id=replied_to, **common)
        # A standalone post, or the next post of our own thread: not an answer to anyone.
        return InboxMessage(kind=Kind.POST, conversation_id=original, parent_id=replied_to, **common)
    return InboxMessage(kind=Kind.MENTION, conversation_id=f"{root}:{author_id}",
                        parent_id=replied_to or refs.get("quoted"), **common)


def _map_dm(raw: RawEvent) -> InboxMessage:
    payload, ctx = raw.payload, raw.context
    event_type = payload.get("event_type", "MessageCreate")
    if event_type != "MessageCreate":
        raise IgnoredItem(f"DM event {event_type!r} is not a message")
    sender = required(payload.get("sender_id"), "payload.sender_id")
    return InboxMessage(
        id=f"x:{required(payload.get('id'), 'payload.id')}",
        platform=Platform.X,
        account_id=raw.account_id,
        kind=Kind.DIRECT_MESSAGE,
        event=Event.EDITED if ctx.get("change") else Event.CREATED,
        conversation_id=_dm_conversation(payload, sender, raw.account_id),
        author_id=sender,
        author_name=nonempty(ctx.get("author_name")),
        from_account=sender == raw.account_id,
        text=string(payload.get("text")),
        created_at=required_time(payload.get("created_at"), "payload.created_at"),
        fetched_at=raw.fetched_at,
    )


def _dm_conversation(payload: dict[str, Any], sender: str, account_id: str) -> str:
    """``dm_conversation_id``; for a citizen's one-to-one message without it, X's own form of that id
    (the two user ids, smaller first, joined by ``-``), so the message is never dropped for it."""
    value = nonempty(payload.get("dm_conversation_id"))
    if value:
        return value
    if sender != account_id:
        return "-".join(sorted((sender, account_id), key=lambda user: (len(user), user)))
    raise MappingError("schema_violation", "payload.dm_conversation_id: missing on a message we sent")
