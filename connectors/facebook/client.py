"""Facebook Pages via the Graph API: the Page feed, comments with replies, Messenger conversations.

Endpoints (versioned path; ``--base-url`` swaps only scheme and host):

- ``GET /{version}/{page-id}/feed``: posts on the Page, by the Page and by visitors;
- ``GET /{version}/{post-id}/comments?filter=stream&order=chronological``: every comment and reply;
- ``GET /{version}/{page-id}/conversations?platform=messenger`` and ``/{conversation-id}/messages``.

Threads: a top-level comment opens a conversation of its own (its id). Replies to it belong to it,
so our reply to one citizen never answers another citizen's comment on the same post. A Messenger
thread is keyed by the citizen's page-scoped id (PSID), which the API and the ``messages`` webhook
both carry, so a thread has one key whether a message was polled or pushed.

The mapping (``connectors/facebook/mapping.py``) also maps Meta webhook deliveries for Pages
(``webhook:feed``, ``webhook:messages``).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any, ClassVar

from connectors.fields import before, items, later, obj, parse_time
from connectors.meta.client import GraphConnector
from connectors.pagination import GraphPaginator
from schemas import Platform, RawEvent

POST_FIELDS = "id,message,created_time,updated_time,from,permalink_url"
COMMENT_FIELDS = "id,message,created_time,from,parent{id},permalink_url,is_hidden"
CONVERSATION_FIELDS = "id,updated_time,participants"
MESSAGE_FIELDS = "id,message,created_time,from,to"


class FacebookConnector(GraphConnector):
    """Polls one Page.

    ``--since`` (or the backfill window) limits which messages are ingested, by creation time;
    posts are listed over a longer ``post_lookback`` so that new comments on older posts are found.
    """

    platform: ClassVar[Platform] = Platform.FACEBOOK
    fingerprint_keys: ClassVar[tuple[str, ...]] = ("message", "is_hidden")
    feed_page_size: ClassVar[int] = 25
    comment_page_size: ClassVar[int] = 100
    post_lookback: ClassVar[timedelta] = timedelta(days=30)

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
            if not before(post.get("created_time"), window):
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
                    if newest := later(cursors.get(post_id), comment.get("created_time")):
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
            if not isinstance(conversation_id, str) or before(conversation.get("updated_time"), since):
                continue
            participant = self._citizen(conversation)
            messages = self.pages(self.edge(conversation_id, "messages"), {"fields": MESSAGE_FIELDS, "limit": 25},
                                  GraphPaginator())
            for message in (m for body in messages for m in items(body, "data")):  # newest first
                if before(message.get("created_time"), since):
                    break
                yield self.raw("conversation_message", message, conversation_id=conversation_id,
                               participant_id=participant)
                newest = later(newest, message.get("created_time"))
        if newest:
            self.pending["messages_since"] = newest

    def _citizen(self, conversation: dict[str, Any]) -> str | None:
        for person in items(obj(conversation.get("participants")), "data"):
            if isinstance(person.get("id"), str) and person["id"] != self.account_id:
                return str(person["id"])
        return None

