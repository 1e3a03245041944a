"""Facebook Pages via the Graph API: the Page feed, comments with replies, Messenger conversations.

Endpoints (versioned path; ``--base-url`` swaps only scheme and host):

- ``GET /{version}/{page-id}/feed``: posts on the Page, by the Page and by visitors;
- ``GET /{version}/{post-id}/comments?filter=stream&order=chronological``: every comment and reply;
- ``GET /{version}/{page-id}/conversations?platform=messenger`` and ``/{conversation-id}/messages``.

Threads: a top-level comment opens a conversation of its own (its id). Replies to it belong to it,
so our reply to one citizen never answers another citizen's comment on the same post. A Messenger
thread is keyed by the citizen's page-scoped id (PSID), which the API and the ``messages`` webhook
both carry, so a thread has one key whether a message was polled or pushed.

The module also maps Meta webhook deliveries for Pages (``webhook:feed``, ``webhook:messages``).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any, ClassVar

from connectors.base import Connector, items, later, nonempty, obj, parse_time, string
from connectors.errors import IgnoredItem, MappingError
from connectors.meta import (
    GRAPH_HOST,
    GRAPH_VERSION,
    GraphPolicy,
    epoch_time,
    map_messaging_event,
    parse_graph_time,
    required_id,
)
from connectors.pagination import GraphPaginator
from schemas import Event, InboxMessage, Kind, Platform, RawEvent

POST_FIELDS = "id,message,created_time,updated_time,from,permalink_url"
COMMENT_FIELDS = "id,message,created_time,from,parent{id},permalink_url,is_hidden"
CONVERSATION_FIELDS = "id,updated_time,participants"
MESSAGE_FIELDS = "id,message,created_time,from,to"

#: Webhook ``feed`` verbs to events.
FEED_VERBS = {"add": Event.CREATED, "edited": Event.EDITED, "remove": Event.DELETED, "hide": Event.HIDDEN,
              "unhide": Event.EDITED}
FEED_POST_ITEMS = frozenset({"status", "post", "photo", "video", "share"})


def _author(payload: dict[str, Any]) -> tuple[str | None, str | None]:
    author = obj(payload.get("from"))  # Graph omits `from` when the user's privacy hides it
    return nonempty(author.get("id")), nonempty(author.get("name"))


def map_facebook(raw: RawEvent) -> InboxMessage:
    """Map one Graph API item or webhook change (``RawEvent.payload``) to an ``InboxMessage``."""
    if raw.resource == "webhook:feed":
        return _map_feed_change(raw)
    if raw.resource == "webhook:messages":
        return map_messaging_event(raw, Platform.FACEBOOK)
    payload, ctx = raw.payload, raw.context
    native_id = required_id(payload)
    author_id, author_name = _author(payload)
    common: dict[str, Any] = {
        "id": f"facebook:{native_id}",
        "platform": Platform.FACEBOOK,
        "account_id": raw.account_id,
        "author_id": author_id,
        "author_name": author_name,
        "from_account": author_id == raw.account_id,
        "text": string(payload.get("message")),
        "created_at": parse_graph_time(payload.get("created_time"), "created_time"),
        "permalink": nonempty(payload.get("permalink_url")),
        "fetched_at": raw.fetched_at,
    }
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
    author_id, author_name = _author(value)
    common: dict[str, Any] = {
        "platform": Platform.FACEBOOK,
        "account_id": raw.account_id,
        "author_id": author_id,
        "author_name": author_name,
        "from_account": author_id == raw.account_id,
        "text": string(value.get("message")),
        "created_at": epoch_time(value.get("created_time"), "payload.created_time"),
        "fetched_at": raw.fetched_at,
        "event": event,
    }
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


class FacebookConnector(Connector):
    """Polls one Page.

    ``--since`` (or the backfill window) limits which messages are ingested, by creation time;
    posts are listed over a longer ``post_lookback`` so that new comments on older posts are found.
    """

    platform: ClassVar[Platform] = Platform.FACEBOOK
    api_base: ClassVar[str] = GRAPH_HOST
    policy = GraphPolicy
    fingerprint_keys: ClassVar[tuple[str, ...]] = ("message", "is_hidden")
    feed_page_size: ClassVar[int] = 25
    comment_page_size: ClassVar[int] = 100
    post_lookback: ClassVar[timedelta] = timedelta(days=30)

    @property
    def version(self) -> str:
        return str(self.options.get("graph_version", GRAPH_VERSION))

    def edge(self, node: str, edge: str) -> str:
        return self.url(f"/{self.version}/{node}/{edge}")

    def fetch(self) -> Iterator[RawEvent]:
        window = self.window_start()
        yield from self._feed_and_comments(window)
        yield from self._conversations(window)

    def _feed_and_comments(self, window: datetime) -> Iterator[RawEvent]:
        cursors: dict[str, str] = dict(self.pending.get("comments_since", {}))
        posts_from = min(window, self.clock() - self.post_lookback)
        feed = self.pages(self.edge(self.account_id, "feed"),
                          {"fields": POST_FIELDS, "limit": self.feed_page_size, "since": int(posts_from.timestamp())},
                          GraphPaginator())
        for post in (post for body in feed for post in items(body, "data")):
            if not _before(post.get("created_time"), window):
                yield self.raw("post", post)  # a post without a usable id is dead-lettered by normalize
            post_id = post.get("id")
            if not isinstance(post_id, str):
                continue
            since = parse_time(cursors.get(post_id)) or window
            params = {"filter": "stream", "order": "chronological", "fields": COMMENT_FIELDS,
                      "limit": self.comment_page_size, "since": int(since.timestamp())}
            for body in self.pages(self.edge(post_id, "comments"), params, GraphPaginator()):
                for comment in items(body, "data"):
                    yield self.raw("comment", comment, post_id=post_id)
                    if newest := later(cursors.get(post_id), _iso(comment.get("created_time"))):
                        cursors[post_id] = newest
        self.pending["comments_since"] = cursors

    def _conversations(self, window: datetime) -> Iterator[RawEvent]:
        since_text: str | None = self.pending.get("messages_since")
        since = parse_time(since_text) or window
        newest = since_text
        conversations = self.pages(self.edge(self.account_id, "conversations"),
                                   {"platform": "messenger", "fields": CONVERSATION_FIELDS, "limit": 25},
                                   GraphPaginator())
        for conversation in (c for body in conversations for c in items(body, "data")):
            conversation_id = conversation.get("id")
            if not isinstance(conversation_id, str) or _before(conversation.get("updated_time"), since):
                continue
            participant = self._citizen(conversation)
            messages = self.pages(self.edge(conversation_id, "messages"), {"fields": MESSAGE_FIELDS, "limit": 25},
                                  GraphPaginator())
            for message in (m for body in messages for m in items(body, "data")):  # newest first
                if _before(message.get("created_time"), since):
                    break
                yield self.raw("conversation_message", message, conversation_id=conversation_id,
                               participant_id=participant)
                newest = later(newest, _iso(message.get("created_time")))
        if newest:
            self.pending["messages_since"] = newest

    def _citizen(self, conversation: dict[str, Any]) -> str | None:
        for person in items(obj(conversation.get("participants")), "data"):
            if isinstance(person.get("id"), str) and person["id"] != self.account_id:
                return str(person["id"])
        return None


def _iso(value: Any) -> str | None:
    """Graph's ``+0000`` offsets in ISO form (``+00:00``) for the shared timestamp helpers."""
    parsed = _graph_time_or_none(value)
    return parsed.isoformat() if parsed else None


def _graph_time_or_none(value: Any) -> datetime | None:
    try:
        return parse_graph_time(value, "created_time")
    except MappingError:
        return None


def _before(value: Any, since: datetime) -> bool:
    """True if the timestamp is strictly older than ``since`` (unparseable counts as not older)."""
    parsed = _graph_time_or_none(value)
    return parsed is not None and parsed < since
