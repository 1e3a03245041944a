"""X (Twitter) via the X API v2: mentions of our account, our own posts and replies, direct messages.

Endpoints (``--base-url`` swaps only scheme and host):

- ``GET /2/users/{id}/mentions``: public posts that mention us, including citizens' replies to our posts;
- ``GET /2/users/{id}/tweets?exclude=retweets``: our own posts, needed to see our replies;
- ``GET /2/dm_events?event_types=MessageCreate``: direct messages, sent and received (user context only).

Both timelines are newest first and paged with ``meta.next_token`` → ``pagination_token``. The first
poll sends ``start_time`` (second granularity, no milliseconds); later polls send ``since_id`` with the
stored ``meta.newest_id`` (the API gives ``since_id`` precedence, so the two are never combined).
``/2/dm_events`` has no ``since_id``: it is read newest first until the stored event id is reached.

Threads: X's ``conversation_id`` is the id of the root post of a whole reply tree, shared by every
citizen in it. An exchange is therefore ``"{conversation_id}:{citizen id}"``: a citizen's post is
keyed by its author, our reply by the user it replies to (``in_reply_to_user_id``). Our reply to one
citizen never answers another citizen in the same thread. A DM thread is its ``dm_conversation_id``.

Edits: X gives every edit a new post id and lists the chain in ``edit_history_tweet_ids``
(original first, latest last). A later version is mapped as ``event=edited`` with the message id of
the original (``x:{original id}``), so it updates what was delivered first.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any, ClassVar
from urllib.parse import urlsplit

from connectors.base import Connector
from connectors.errors import (
    AuthError,
    ConnectorError,
    FatalRequestError,
    RateLimited,
    RetriableError,
)
from connectors.fields import before, items, nonempty, obj, parse_time
from connectors.http import ResponsePolicy
from connectors.pagination import TokenPaginator
from connectors.ratelimits import retry_after
from connectors.x.mapping import references
from innboks.config.credentials import BearerCredentials
from schemas import Platform, RawEvent

X_HOST = "https://api.x.com"
#: ``id`` and ``text`` are always returned; ``note_tweet`` carries the full text of long posts.
TWEET_FIELDS = ("created_at,author_id,conversation_id,in_reply_to_user_id,referenced_tweets,"
                "edit_history_tweet_ids,note_tweet")
USER_FIELDS = "username,name"
DM_EVENT_FIELDS = "id,text,event_type,created_at,sender_id,dm_conversation_id"
#: The largest page both timelines and ``/2/dm_events`` allow.
PAGE_SIZE = 100

#: X rate limits are counted per endpoint in 15-minute windows: the pause when no reset is announced.
DEFAULT_RATE_LIMIT_PAUSE = 900.0
#: A used-up usage cap (monthly post reads or credits) does not lift at the next window.
USAGE_CAP_PAUSE = 3600.0
#: What a 403 problem type means for the people who configure the account.
FORBIDDEN_HINTS = {
    "client-forbidden": "the app is not attached to a Project or its plan does not include this endpoint",
    "not-authorized-for-resource": "the authenticated account may not read this resource",
    "unsupported-authentication": "this endpoint needs user context (oauth1 or oauth2), not an app-only token",
    "disallowed-resource": "the resource is not available to this app",
}


def problem_type(body: Any) -> str | None:
    """The last segment of a problem+json ``type`` URI (``client-forbidden``), or None.

    X writes the type on both ``api.twitter.com`` and ``api.x.com``; ``about:blank`` means "see the
    status". A body with only an ``errors`` array (partial errors) is read from its first entry.
    """
    if not isinstance(body, dict):
        return None
    value = body.get("type")
    if not isinstance(value, str):
        errors = body.get("errors")
        first = errors[0] if isinstance(errors, list) and errors else None
        value = first.get("type") if isinstance(first, dict) else None
    if not isinstance(value, str) or not value.startswith(("http://", "https://")):
        return None
    return value.rstrip("/").rsplit("/", 1)[-1] or None


class XPolicy(ResponsePolicy):
    """X errors are problem+json (``title``, ``detail``, ``type``, ``status``).

    Only the status and the problem type are used in messages: ``detail`` may name accounts. A 429
    is a rate limit (``x-rate-limit-reset``) or, with type ``usage-capped``, a spent usage cap.
    """

    default_pause = DEFAULT_RATE_LIMIT_PAUSE

    def limit_scope(self, path: str) -> str:
        """X limits every endpoint separately: a used-up mentions limit must not hold back DMs."""
        return path

    def classify(self, status: int, body: Any, headers: Any, path: str, now: float) -> ConnectorError:
        problem = problem_type(body)
        label = f"HTTP {status}" + (f" [{problem}]" if problem else "") + f" from {path}"
        if status == 401:
            return AuthError(f"{label}: credentials rejected (token expired or revoked, or wrong keys)")
        if problem == "usage-capped":
            return RateLimited(f"{label}: the app's usage cap is used up",
                               max(self.pause_for(headers, now) or 0.0, USAGE_CAP_PAUSE))
        if status == 429:
            return RateLimited(f"{label}: rate limited", self.pause_for(headers, now))
        if status == 403:
            hint = FORBIDDEN_HINTS.get(problem or "", "not allowed (missing permission or plan?)")
            return FatalRequestError(f"{label}: {hint}")
        if status >= 500:
            return RetriableError(label, retry_after(headers, now))
        return FatalRequestError(label)


def _as_int(value: Any) -> int | None:
    return int(value) if isinstance(value, str) and value.isdigit() else None


def newest_id(current: str | None, candidate: Any) -> str | None:
    """The larger of two X ids (snowflakes: numeric strings, increasing with time)."""
    new = _as_int(candidate)
    if new is None:
        return current
    old = _as_int(current)
    return str(candidate) if old is None or new > old else current


def rfc3339(moment: datetime) -> str:
    """``YYYY-MM-DDTHH:mm:ssZ``: X rejects fractional seconds in ``start_time``."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _users(body: Any) -> dict[str, dict[str, Any]]:
    """``includes.users`` by id (the ``author_id``/``sender_id`` expansion)."""
    return {u["id"]: u for u in items(obj(obj(body).get("includes")), "users") if isinstance(u.get("id"), str)}


def _author(users: dict[str, dict[str, Any]], user_id: Any) -> dict[str, Any]:
    user = users.get(user_id) if isinstance(user_id, str) else None
    if user is None:
        return {}
    return {"author_username": nonempty(user.get("username")), "author_name": nonempty(user.get("name"))}


def _paginator() -> TokenPaginator:
    return TokenPaginator(("meta", "next_token"), "pagination_token", items_key="data")


_EPOCH = datetime.min.replace(tzinfo=UTC)


class XConnector(Connector):
    """Polls one X account: mentions, our own posts (for our replies) and, with user context, DMs.

    ``options.dm: false`` turns DM polling off; it is also off for app-only ``bearer`` credentials,
    which X does not accept on ``/2/dm_events``. The items of one poll are delivered oldest first
    across the three listings, so a citizen's post precedes our answer. X counts rate limits per
    endpoint: a listing that hits its limit is skipped for this poll, the others are still delivered,
    and ``RateLimited`` is raised afterwards.
    """

    platform: ClassVar[Platform] = Platform.X
    api_base: ClassVar[str] = X_HOST
    policy = XPolicy
    fingerprint_keys: ClassVar[tuple[str, ...]] = ("text",)
    page_size: ClassVar[int] = PAGE_SIZE

    @property
    def direct_messages(self) -> bool:
        return bool(self.options.get("dm", True)) and not isinstance(self.credentials, BearerCredentials)

    def fetch(self) -> Iterator[RawEvent]:
        listings = [("mentions_since_id", lambda: self._timeline("mentions", "mention", {})),
                    ("tweets_since_id", lambda: self._timeline("tweets", "tweet", {"exclude": "retweets"}))]
        if self.direct_messages:
            listings.append(("dm_since_id", self._direct_messages))
        collected: list[RawEvent] = []
        cursors: dict[str, str] = {}
        limited: RateLimited | None = None
        for cursor_key, listing in listings:
            try:
                events, cursor = listing()
            except RateLimited as exc:
                limited = limited or exc
                continue
            collected.extend(events)
            if cursor:
                cursors[cursor_key] = cursor
        collected.sort(key=lambda e: (parse_time(e.payload.get("created_at")) or _EPOCH,
                                      _as_int(e.payload.get("id")) or 0))
        yield from collected
        self.pending.update(cursors)
        if limited is not None:
            raise limited

    def validate_body(self, url: str, body: Any) -> None:
        """A 200 body holding only ``errors`` (e.g. ``resource-not-found`` for an unknown account id) is
        an error, not an empty page. (Per-endpoint rate limits are ``XPolicy.limit_scope``.)"""
        if isinstance(body, dict) and "data" not in body and "meta" not in body and body.get("errors"):
            raise FatalRequestError(f"X API error [{problem_type(body) or 'unknown'}] from {urlsplit(url).path}")

    def _timeline(self, edge: str, resource: str, extra: dict[str, str]) -> tuple[list[RawEvent], str | None]:
        cursor_key = f"{edge}_since_id"
        since_id: str | None = self.pending.get(cursor_key)
        params: dict[str, Any] = {"max_results": self.page_size, "tweet.fields": TWEET_FIELDS,
                                  "expansions": "author_id", "user.fields": USER_FIELDS, **extra}
        if since_id:
            params["since_id"] = since_id
        else:
            params["start_time"] = rfc3339(self.window_start())
        newest = since_id
        events: list[RawEvent] = []
        for body in self.pages(self.url(f"/2/users/{self.account_id}/{edge}"), params, _paginator()):
            users = _users(body)
            newest = newest_id(newest, obj(obj(body).get("meta")).get("newest_id"))
            for tweet in items(body, "data"):
                newest = newest_id(newest, tweet.get("id"))
                if "retweeted" in references(tweet):
                    continue  # a repost of a post that mentions us is not a message
                events.append(self.raw(resource, tweet, **_author(users, tweet.get("author_id"))))
        return events, newest

    def _direct_messages(self) -> tuple[list[RawEvent], str | None]:
        """DM events newest first, until the stored event id (or, on a first poll, the window)."""
        cursor: str | None = self.pending.get("dm_since_id")
        window = self.window_start()
        params: dict[str, Any] = {"max_results": self.page_size, "event_types": "MessageCreate",
                                  "dm_event.fields": DM_EVENT_FIELDS, "expansions": "sender_id",
                                  "user.fields": USER_FIELDS}
        newest = cursor
        events: list[RawEvent] = []
        for body in self.pages(self.url("/2/dm_events"), params, _paginator()):
            users = _users(body)
            reached = False
            for event in items(body, "data"):
                event_id = event.get("id")
                old = newest_id(cursor, event_id) == cursor if cursor else before(event.get("created_at"), window)
                if old:
                    reached = True
                    break
                newest = newest_id(newest, event_id)
                if event.get("event_type", "MessageCreate") == "MessageCreate":
                    events.append(self.raw("dm_event", event, **_author(users, event.get("sender_id"))))
            if reached:
                break
        return events, newest
