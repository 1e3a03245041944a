"""YouTube items to InboxMessage: pure, no HTTP (``RawEvent`` in, ``InboxMessage`` out)."""

from __future__ import annotations

from typing import Any

from connectors.errors import MappingError
from connectors.fields import checked_permalink, nonempty, obj, required, required_time, string
from schemas import Event, InboxMessage, Kind, Platform, RawEvent


def _permalink(video_id: str | None, post_id: str | None, comment_id: str) -> str | None:
    if video_id:
        return f"https://www.youtube.com/watch?v={video_id}&lc={comment_id}"
    if post_id:
        return f"https://www.youtube.com/post/{post_id}"
    return None


def map_youtube(raw: RawEvent) -> InboxMessage:
    """Map one comment resource (a top-level comment or a reply) to an ``InboxMessage``.

    ``context`` carries ``thread_id`` and ``video_id`` (or ``post_id``), which reply payloads from
    ``comments.list`` may lack.
    """
    if raw.resource not in ("comment", "reply"):
        raise MappingError("unsupported_resource", f"youtube resource {raw.resource!r} is not supported")
    payload, ctx = raw.payload, raw.context
    native_id = required(payload.get("id"), "payload.id")
    snippet = obj(payload.get("snippet"))
    if not snippet:
        raise MappingError("schema_violation", "payload.snippet: missing")
    author_id = nonempty(obj(snippet.get("authorChannelId")).get("value"))
    video_id = nonempty(snippet.get("videoId")) or nonempty(ctx.get("video_id"))
    post_id = nonempty(snippet.get("postId")) or nonempty(ctx.get("post_id"))
    text = string(snippet.get("textOriginal"))
    status = snippet.get("moderationStatus")
    if status in ("rejected", "likelySpam"):
        event = Event.HIDDEN  # not shown to the public: visible for moderation, opens no inquiry
    elif status == "heldForReview" and ctx.get("change"):
        # A comment we saw before that is now held: hidden (by our hide, or held again by YouTube). A
        # new comment YouTube holds by itself is still a citizen's inquiry: ``created`` below.
        event = Event.HIDDEN
    else:
        event = Event.EDITED if ctx.get("change") else Event.CREATED
    common: dict[str, Any] = {
        "id": f"youtube:{native_id}",
        "platform": Platform.YOUTUBE,
        "account_id": raw.account_id,
        "author_id": author_id,
        "author_name": nonempty(snippet.get("authorDisplayName")),
        "from_account": author_id is not None and author_id == raw.account_id,
        "text": text if text is not None else string(snippet.get("textDisplay")),
        "created_at": required_time(snippet.get("publishedAt"), "payload.snippet.publishedAt"),
        "permalink": checked_permalink(Platform.YOUTUBE, _permalink(video_id, post_id, native_id)),
        "fetched_at": raw.fetched_at,
        "event": event,
    }
    parent = nonempty(snippet.get("parentId"))
    if raw.resource == "reply" or parent:
        thread = parent or nonempty(ctx.get("thread_id"))
        if thread is None:
            raise MappingError("schema_violation", "payload.snippet.parentId: missing on a reply")
        return InboxMessage(kind=Kind.REPLY, conversation_id=thread, parent_id=thread, **common)
    thread = nonempty(ctx.get("thread_id")) or native_id
    return InboxMessage(kind=Kind.COMMENT, conversation_id=thread, parent_id=video_id or post_id, **common)
