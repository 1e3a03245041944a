"""Facebook Pages via the Graph API: the Page feed, comments with replies, Messenger conversations.

Endpoints (versioned path, ``--base-url`` swaps only scheme and host):
- ``GET /{version}/{page-id}/feed``: posts on the Page, by the Page and by visitors;
- ``GET /{version}/{post-id}/comments?filter=stream&order=chronological``: every comment and reply;
- ``GET /{version}/{page-id}/conversations?platform=messenger`` and ``/{conversation-id}/messages``.

Threads: a top-level comment opens a conversation of its own (its id); replies to it belong to
it, so our reply to one citizen never answers another citizen's comment on the same post.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any, ClassVar

from connectors.base import Connector
from connectors.errors import MappingError
from connectors.pagination import GraphPaginator
from schemas import Event, InboxMessage, Kind, Platform, RawEvent

GRAPH_HOST = "https://graph.facebook.com"
GRAPH_VERSION = "v24.0"

POST_FIELDS = "id,message,created_time,updated_time,from,permalink_url"
COMMENT_FIELDS = "id,message,created_time,from,parent{id},permalink_url,is_hidden"
MESSAGE_FIELDS = "id,message,created_time,from,to"


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


def _id(payload: dict[str, Any], field: str = "id") -> str:
    value = payload.get(field)
    if not isinstance(value, str) or not value:
        raise MappingError("schema_violation", f"payload.{field}: missing or not a string")
    return value


def _text(value: Any) -> str | None:
    """A non-empty string field, or None (Graph omits fields it may not show)."""
    return value if isinstance(value, str) and value else None


def _author(payload: dict[str, Any]) -> tuple[str | None, str | None]:
    author = payload.get("from")
    if not isinstance(author, dict):  # Graph omits `from` when the user's privacy hides it
        return None, None
    return _text(author.get("id")), _text(author.get("name"))


def map_facebook(raw: RawEvent) -> InboxMessage:
    """Map one Graph API item (``RawEvent.payload``) to an ``InboxMessage``."""
    payload, ctx = raw.payload, raw.context
    native_id = _id(payload)
    author_id, author_name = _author(payload)
    common: dict[str, Any] = {
        "id": f"facebook:{native_id}",
        "platform": Platform.FACEBOOK,
        "account_id": raw.account_id,
        "author_id": author_id,
        "author_name": author_name,
        "from_account": author_id == raw.account_id,
        "text": payload.get("message") if isinstance(payload.get("message"), str) else None,
        "created_at": parse_graph_time(payload.get("created_time"), "created_time"),
        "permalink": _text(payload.get("permalink_url")),
        "fetched_at": raw.fetched_at,
    }
    if raw.resource == "post":
        return InboxMessage(kind=Kind.POST, conversation_id=native_id, **common)
    if raw.resource == "comment":
        parent = payload.get("parent")
        parent_id = _text(parent.get("id")) if isinstance(parent, dict) else None
        post_id = _text(ctx.get("post_id"))
        event = Event.HIDDEN if payload.get("is_hidden") is True else Event.CREATED
        if parent_id:
            return InboxMessage(kind=Kind.REPLY, conversation_id=parent_id, parent_id=parent_id, event=event, **common)
        return InboxMessage(kind=Kind.COMMENT, conversation_id=native_id, parent_id=post_id, event=event, **common)
    if raw.resource == "conversation_message":
        conversation = _text(ctx.get("conversation_id"))
        if conversation is None:
            raise MappingError("schema_violation", "context.conversation_id: missing")
        return InboxMessage(kind=Kind.DIRECT_MESSAGE, conversation_id=conversation, **common)
    raise MappingError("unsupported_resource", f"facebook resource {raw.resource!r} is not supported")


class FacebookConnector(Connector):
    """Polls one Page.

    ``--since`` (or the backfill window) limits which messages are ingested, by creation time;
    posts are listed over a longer ``post_lookback`` so that new comments on older posts are found.
    """

    platform: ClassVar[Platform] = Platform.FACEBOOK
    version: ClassVar[str] = GRAPH_VERSION
    feed_page_size: ClassVar[int] = 25
    comment_page_size: ClassVar[int] = 100
    post_lookback: ClassVar[timedelta] = timedelta(days=30)

    def url(self, node: str, edge: str) -> str:
        return f"{GRAPH_HOST}/{self.version}/{node}/{edge}"

    def fetch(self) -> Iterator[RawEvent]:
        window = self.window_start()
        yield from self._feed_and_comments(window)
        yield from self._conversations(window)

    def _feed_and_comments(self, window: datetime) -> Iterator[RawEvent]:
        comment_cursors: dict[str, str] = dict(self.pending.get("comments_since", {}))
        posts_from = min(window, self.clock() - self.post_lookback)
        feed = self.pages(
            self.url(self.account_id, "feed"),
            {"fields": POST_FIELDS, "limit": self.feed_page_size, "since": int(posts_from.timestamp())},
            GraphPaginator(),
        )
        for post in feed:
            post_id = post.get("id")
            if not _before(post.get("created_time"), window):
                yield self.raw("post", post)  # a post without a usable id is dead-lettered by normalize
            if not isinstance(post_id, str):
                continue
            since = comment_cursors.get(post_id)
            params: dict[str, Any] = {
                "filter": "stream", "order": "chronological", "fields": COMMENT_FIELDS, "limit": self.comment_page_size,
                "since": int((datetime.fromisoformat(since) if since else window).timestamp()),
            }
            for comment in self.pages(self.url(post_id, "comments"), params, GraphPaginator()):
                yield self.raw("comment", comment, post_id=post_id)
                latest = _latest(comment_cursors.get(post_id), comment.get("created_time"))
                if latest:
                    comment_cursors[post_id] = latest
        self.pending["comments_since"] = comment_cursors

    def _conversations(self, window: datetime) -> Iterator[RawEvent]:
        since_text: str | None = self.pending.get("messages_since")
        since = datetime.fromisoformat(since_text) if since_text else window
        newest = since_text
        conversations = self.pages(
            self.url(self.account_id, "conversations"),
            {"platform": "messenger", "fields": "id,updated_time", "limit": 25},
            GraphPaginator(),
        )
        for conversation in conversations:
            conversation_id = conversation.get("id")
            if not isinstance(conversation_id, str) or _before(conversation.get("updated_time"), since):
                continue
            messages = self.pages(
                self.url(conversation_id, "messages"), {"fields": MESSAGE_FIELDS, "limit": 25}, GraphPaginator()
            )
            for message in messages:  # newest first
                if _before(message.get("created_time"), since):
                    break
                yield self.raw("conversation_message", message, conversation_id=conversation_id)
                newest = _latest(newest, message.get("created_time"))
        if newest:
            self.pending["messages_since"] = newest


def _as_time(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed if parsed.tzinfo else None


def _before(value: Any, since: datetime) -> bool:
    """True if the timestamp is strictly older than ``since`` (unparseable counts as not older)."""
    parsed = _as_time(value)
    return parsed is not None and parsed < since


def _latest(current: str | None, candidate: Any) -> str | None:
    """The later of two ISO timestamps (as text), ignoring unparseable ones."""
    new = _as_time(candidate)
    if new is None:
        return current
    old = _as_time(current) if current else None
    return new.isoformat() if old is None or new > old else current
