"""Instagram professional accounts via the Instagram Graph API (Facebook Login, ``graph.facebook.com``).

Endpoints (versioned path; ``--base-url`` swaps only scheme and host):

- ``GET /{version}/{ig-user-id}/media?since=``: our own media (posts, reels); ``since`` is documented
  time-based paging for this edge;
- ``GET /{version}/{ig-media-id}/comments``: top-level comments only, newest first, at most 50 per
  page, and **no time filter**. Replies come through the ``replies{...}`` field expansion; when a
  thread has more replies than fit, its ``replies.paging.next`` (a ``/{ig-comment-id}/replies`` URL)
  is followed;
- ``GET /{version}/{ig-user-id}/tags``: media other accounts tagged us in (``mention``);
- ``GET /{version}/{page-id}/conversations?platform=instagram`` and ``/{conversation-id}/messages``:
  direct messages, when ``options.page_id`` names the Facebook Page linked to the account. Meta only
  gives details of the 20 most recent messages of a conversation, so one page of 20 is read.

Because comments cannot be filtered by time, every poll re-reads the comments of the media of the
last ``post_lookback`` days and yields those created since the cutoff (the previous poll, but at least
the backfill window). Unchanged items are dropped by the base class; a comment whose ``hidden`` flag
or a caption that changed comes back as ``hidden``/``edited``. A new reply under an old comment is
found, because the replies of every comment are read.

Threads: a top-level comment opens a conversation of its own (its id); replies, ours included, belong
to the comment they answer (Instagram only allows one level of replies). A direct-message thread is
keyed by the citizen's Instagram-scoped id (IGSID), which the Conversations API and the ``messages``
webhook both carry. Our own items are recognised by our account id or by ``options.username``, which
the connector puts into ``RawEvent.context["username"]`` because the mapping sees nothing else.

The mapping (``connectors/instagram/mapping.py``) also maps Meta webhook deliveries for Instagram
(``webhook:comments``, ``webhook:mentions``, ``webhook:messages``, ``webhook:message_edits``).
Comment and mention notifications carry no timestamp: the mapping takes the entry time the receiver
puts in ``context["entry_time"]``, otherwise the receive time.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any, ClassVar

from connectors.fields import before, items, later, nonempty, obj, parse_time
from connectors.meta.client import GraphConnector
from connectors.pagination import GraphPaginator, SinglePage
from schemas import Platform, RawEvent

MEDIA_FIELDS = "id,caption,timestamp,permalink,media_type,media_product_type,username,comments_count"
TAG_FIELDS = "id,caption,timestamp,permalink,media_type,media_product_type,username"
REPLY_FIELDS = "id,text,timestamp,username,from,hidden,parent_id"
COMMENT_FIELDS = f"{REPLY_FIELDS},replies{{{REPLY_FIELDS}}}"
CONVERSATION_FIELDS = "id,updated_time,participants"
MESSAGE_FIELDS = "id,created_time,from,to,message"


# -- mapping --------------------------------------------------------------------------------------


# -- polling --------------------------------------------------------------------------------------

class InstagramConnector(GraphConnector):
    """Polls one Instagram professional account (``account_id`` = the IG User id).

    Options: ``username`` (our username, to recognise our own comments), ``page_id`` (the linked
    Facebook Page, needed for direct messages) and ``graph_version``.
    """

    platform: ClassVar[Platform] = Platform.INSTAGRAM
    fingerprint_keys: ClassVar[tuple[str, ...]] = ("text", "caption", "hidden", "message")
    media_page_size: ClassVar[int] = 25
    comment_page_size: ClassVar[int] = 50  # the documented maximum per query
    tags_page_size: ClassVar[int] = 25
    conversation_page_size: ClassVar[int] = 25
    message_limit: ClassVar[int] = 20  # details exist only for the 20 most recent messages
    post_lookback: ClassVar[timedelta] = timedelta(days=30)

    @property
    def username(self) -> str | None:
        return nonempty(self.options.get("username"))

    @property
    def page_id(self) -> str | None:
        value = self.options.get("page_id")
        return str(value) if isinstance(value, (str, int)) and str(value) else None

    def cutoff(self) -> datetime:
        """Items created before this are not yielded: the backfill window, or the last poll if older."""
        window = self.window_start()
        last = parse_time(self.pending.get("polled_at"))
        return window if last is None else min(window, last)

    def fetch(self) -> Iterator[RawEvent]:
        started = self.clock()
        cutoff = self.cutoff()
        yield from self._media_and_comments(cutoff)
        yield from self._tags(cutoff)
        if self.page_id:
            yield from self._conversations(self.page_id)
        self.pending["polled_at"] = started.isoformat()

    def _media_and_comments(self, cutoff: datetime) -> Iterator[RawEvent]:
        media_from = min(cutoff, self.clock() - self.post_lookback)
        params = {"fields": MEDIA_FIELDS, "limit": self.media_page_size, "since": int(media_from.timestamp())}
        listing = self.pages(self.edge(self.account_id, "media"), params, GraphPaginator())
        for media in (m for body in listing for m in items(body, "data")):
            if not before(media.get("timestamp"), cutoff, _timestamp):
                yield self.raw("media", media, username=self.username)  # unusable ids are dead-lettered
            media_id = nonempty(media.get("id"))
            if media_id is not None:
                yield from self._comments(media_id, cutoff)

    def _comments(self, media_id: str, cutoff: datetime) -> Iterator[RawEvent]:
        params = {"fields": COMMENT_FIELDS, "limit": self.comment_page_size}
        for body in self.pages(self.edge(media_id, "comments"), params, GraphPaginator()):
            for comment in items(body, "data"):
                if not before(comment.get("timestamp"), cutoff, _timestamp):
                    # The replies are sent as items of their own, not inside their parent.
                    payload = {key: value for key, value in comment.items() if key != "replies"}
                    yield self.raw("comment", payload, media_id=media_id, username=self.username)
                comment_id = nonempty(comment.get("id"))
                if comment_id is not None:
                    yield from self._replies(obj(comment.get("replies")), comment_id, media_id, cutoff)

    def _replies(self, first: dict[str, Any], comment_id: str, media_id: str, cutoff: datetime) -> Iterator[RawEvent]:
        """The expanded first page of replies, then ``replies.paging.next`` while there is one."""
        pages: Iterator[Any] = iter([first])
        next_url = nonempty(obj(first.get("paging")).get("next"))
        if next_url and items(first, "data"):
            pages = _chain(first, self.pages(next_url, {}, GraphPaginator()))
        for body in pages:
            for reply in items(body, "data"):
                if not before(reply.get("timestamp"), cutoff, _timestamp):
                    yield self.raw("comment", reply, media_id=media_id, parent_id=comment_id, username=self.username)

    def _tags(self, cutoff: datetime) -> Iterator[RawEvent]:
        params = {"fields": TAG_FIELDS, "limit": self.tags_page_size}
        for body in self.pages(self.edge(self.account_id, "tags"), params, GraphPaginator()):
            page = items(body, "data")
            for media in page:
                if not before(media.get("timestamp"), cutoff, _timestamp):
                    yield self.raw("tagged_media", media, username=self.username)
            if page and all(before(media.get("timestamp"), cutoff, _timestamp) for media in page):
                break  # newest first: a page entirely before the cutoff ends the listing

    def _conversations(self, page_id: str) -> Iterator[RawEvent]:
        since_text: str | None = self.pending.get("messages_since")
        since = parse_time(since_text) or self.window_start()
        newest = since_text
        params = {"platform": "instagram", "fields": CONVERSATION_FIELDS, "limit": self.conversation_page_size}
        for body in self.pages(self.edge(page_id, "conversations"), params, GraphPaginator()):
            page = items(body, "data")
            for conversation in page:
                conversation_id = nonempty(conversation.get("id"))
                if conversation_id is None or before(conversation.get("updated_time"), since, _timestamp):
                    continue
                participant = self._citizen(conversation)
                latest = self.pages(self.edge(conversation_id, "messages"),
                                    {"fields": MESSAGE_FIELDS, "limit": self.message_limit}, SinglePage())
                for message in (m for body in latest for m in items(body, "data")):  # newest first
                    if before(message.get("created_time"), since, _timestamp):
                        break
                    yield self.raw("conversation_message", message, conversation_id=conversation_id,
                                   participant_id=participant, username=self.username)
                    newest = later(newest, _timestamp(message.get("created_time")))
            if page and all(before(c.get("updated_time"), since, _timestamp) for c in page):
                break  # most recently updated first: the rest is older still
        if newest:
            self.pending["messages_since"] = newest

    def _citizen(self, conversation: dict[str, Any]) -> str | None:
        """The participant who is not us (by id, or by username when ids are scoped differently)."""
        ours = (self.username or "").lstrip("@").lower()
        for person in items(obj(conversation.get("participants")), "data"):
            person_id, name = nonempty(person.get("id")), nonempty(person.get("username"))
            if person_id and person_id != self.account_id and not (ours and name and name.lower() == ours):
                return person_id
        return None


def _chain(first: Any, rest: Iterator[Any]) -> Iterator[Any]:
    yield first
    yield from rest


def _timestamp(value: Any) -> datetime | None:
    """A Graph timestamp (``2026-11-16T08:14:03+0000``); epoch seconds are accepted too."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return datetime.fromtimestamp(value, UTC)
    return parse_time(value)
