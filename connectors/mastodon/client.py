"""Mastodon: mentions, direct messages and our own statuses on one instance (REST API v1).

Endpoints (the instance is per account: ``options.instance_url``; ``--base-url`` swaps only scheme
and host):

- ``GET /api/v1/notifications?types[]=mention``: statuses that mention us, public or direct;
- ``GET /api/v1/accounts/{id}/statuses?exclude_reblogs=true``: our own statuses, to see our replies
  (the owner sees all of them, direct ones included);
- ``GET /api/v1/conversations``: direct conversations with their last status. This also finds
  private mentions that the account's notification policy filtered out of the notifications.

Paging: the newest page comes first and ``Link: <…>; rel="next"`` (``max_id``) goes back in time.
A first poll pages back to ``window_start()``. Later polls go forward from the stored id with
``min_id``, which returns the items *immediately* newer than the cursor and pages forward through
``rel="prev"``; ``since_id`` would return the *newest* items above the cursor and silently skip the
gap when more than one page arrived between polls. Conversation cursors are internal ids, so that
listing is read from the newest page back to the last status id already seen.

Threads: everything a citizen writes (mentions and direct statuses) is keyed by the citizen's
account id on our instance, the same whichever listing a status came from. Our own status that
answers a citizen (``in_reply_to_account_id``) joins that citizen's conversation.

Edits: Mastodon does not notify mentioned accounts of edits, so an edit is noticed only when a
status is fetched again: every poll re-reads the newest page of mentions and of conversations, and
a changed ``content``/``edited_at`` arrives as ``event=edited``. Deletions cannot be seen by polling.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any, ClassVar
from urllib.parse import quote, urlsplit

from connectors.base import Connector
from connectors.errors import AuthError, ConnectorError, FatalRequestError
from connectors.fields import before, items, nonempty, obj, parse_time
from connectors.http import ResponsePolicy
from connectors.pagination import LinkHeaderPaginator, NextPage, SinglePage
from schemas import Platform, RawEvent

#: Mastodon's own page-size maxima: notifications 80 (40 before 4.1), statuses and conversations 40.
PAGE_SIZE = 40

#: A 429 without a reset time: Mastodon's API limits are counted over five-minute windows.
DEFAULT_RATE_LIMIT_PAUSE = 300.0

#: ``{"error": ...}`` texts of 403/422 answers that mean the token or its user cannot read: retrying
#: will not help (Doorkeeper scope check and ``Api::BaseController#require_user!``).
_AUTH_ERRORS = {
    "This action is outside the authorized scopes": "the token lacks a required scope",
    "Your login is currently disabled": "the account is disabled",
    "Your login is missing a confirmed e-mail address": "the account's e-mail address is not confirmed",
    "Your login is currently pending approval": "the account is pending approval",
    "This method requires an authenticated user": "the token has no user (an app token?)",
}


class MastodonPolicy(ResponsePolicy):
    """Mastodon errors are ``{"error": "..."}``; rate limits use ``X-RateLimit-*`` with an ISO reset."""

    default_pause = DEFAULT_RATE_LIMIT_PAUSE

    def classify(self, status: int, body: Any, headers: Any, path: str, now: float) -> ConnectorError:
        error = body.get("error") if isinstance(body, dict) else None
        if status == 401:
            return AuthError(f"HTTP 401 from {path}: access token invalid, expired or revoked")
        if status in (403, 422) and isinstance(error, str) and error in _AUTH_ERRORS:
            return AuthError(f"HTTP {status} from {path}: {_AUTH_ERRORS[error]}")
        if status == 404:
            return FatalRequestError(f"HTTP 404 from {path}: not found (check account_id and options.instance_url)")
        if status == 410:
            return FatalRequestError(f"HTTP 410 from {path}: the account is gone (suspended)")
        return super().classify(status, body, headers, path, now)


def instance_base(options: dict[str, Any], base_url: str | None) -> str:
    """Scheme and host of an account's instance: ``options.instance_url``, else the ``--base-url`` host
    (the connector and the writer of an account use the same)."""
    configured = options.get("instance_url")
    if configured is not None:
        value = str(configured).strip().rstrip("/")
        parts = urlsplit(value if "://" in value else f"https://{value}")
        if parts.scheme not in ("http", "https") or not parts.hostname or parts.path or parts.query:
            raise FatalRequestError("mastodon: options.instance_url must look like https://host")
        return f"{parts.scheme}://{parts.netloc}"
    if base_url:
        parts = urlsplit(base_url)
        return f"{parts.scheme}://{parts.netloc}"
    raise FatalRequestError("mastodon: options.instance_url is not set (the account's instance, "
                            "e.g. https://snabelen.no) and no --base-url was given")


def _id_key(value: str) -> tuple[int, str]:
    """Ids are strings that sort by length, then lexically (Mastodon's advice; never cast to int)."""
    return len(value), value


def _newest(current: str | None, candidate: Any) -> str | None:
    if not isinstance(candidate, str) or not candidate:
        return current
    return candidate if current is None or _id_key(candidate) > _id_key(current) else current


def _at_or_below(value: Any, cursor: str) -> bool:
    return isinstance(value, str) and bool(value) and _id_key(value) <= _id_key(cursor)


class _ForwardPaginator(LinkHeaderPaginator):
    """Newer pages after a ``min_id`` request: ``rel="prev"`` while pages come back full.

    A page shorter than the page size means nothing newer exists yet, which saves the request for
    the empty page. (A server with a lower maximum page size ends the poll early; the next poll
    continues from the cursor, so nothing is skipped.)
    """

    def __init__(self, page_size: int) -> None:
        super().__init__(rel="prev")
        self.page_size = page_size

    def next_page(self, url: str, params: dict[str, Any], body: Any, headers: dict[str, str]) -> NextPage | None:
        if not isinstance(body, list) or len(body) < self.page_size:
            return None
        return super().next_page(url, params, body, headers)


def _chronological(event: RawEvent) -> tuple[datetime, int, str]:
    status_id = str(event.payload.get("id") or "")
    created = parse_time(event.payload.get("created_at")) or datetime.max.replace(tzinfo=UTC)
    return created, len(status_id), status_id


class MastodonConnector(Connector):
    """Polls one account on one Mastodon instance (``options.instance_url``).

    Items of one poll are handed over oldest first across all three listings, so that a citizen's
    message reaches the response-time clock before our answer to it. The cursors advance only
    after the whole poll was handed over.
    """

    platform: ClassVar[Platform] = Platform.MASTODON
    #: Unused: every Mastodon account lives on its own instance, see ``instance_base``.
    api_base: ClassVar[str] = ""
    policy = MastodonPolicy
    fingerprint_keys: ClassVar[tuple[str, ...]] = ("content", "spoiler_text", "edited_at")
    #: Items per request (an instance attribute, so tests can page in small steps).
    page_size: int = PAGE_SIZE

    def instance_base(self) -> str:
        """Scheme and host of the instance: ``options.instance_url``, else the ``--base-url`` host."""
        return instance_base(self.options, self.client.base_url)

    def url(self, path: str) -> str:
        return f"{self.instance_base()}{path}"

    def fetch(self) -> Iterator[RawEvent]:
        window = self.window_start()
        cursors: dict[str, str] = {}
        events = [
            *self._mentions(window, cursors),
            *self._own_statuses(window, cursors),
            *self._conversations(window, cursors),
        ]
        yield from sorted(events, key=_chronological)
        self.pending.update(cursors)

    # -- listings --------------------------------------------------------------------------------
    def _back(self, url: str, params: dict[str, Any], older: Callable[[dict[str, Any]], bool]) -> list[dict[str, Any]]:
        """Newest first, following ``rel="next"`` until a page holds an item that ``older`` stops at."""
        found: list[dict[str, Any]] = []
        for body in self.pages(url, params, LinkHeaderPaginator()):
            page = items(body, None)
            found.extend(page)
            if any(older(item) for item in page):
                break
        return found

    def _forward(self, url: str, params: dict[str, Any], cursor: str) -> list[dict[str, Any]]:
        """Everything newer than ``cursor``: ``min_id`` pages forward without gaps."""
        pages = self.pages(url, {**params, "min_id": cursor}, _ForwardPaginator(self.page_size))
        return [item for body in pages for item in items(body, None)]

    def _mentions(self, window: datetime, cursors: dict[str, str]) -> list[RawEvent]:
        url = self.url("/api/v1/notifications")
        params = {"types[]": ["mention"], "limit": self.page_size}
        cursor: str | None = self.pending.get("notifications_min_id")
        if cursor is None:
            found = self._back(url, params, lambda n: before(n.get("created_at"), window))
        else:
            # Forward from the cursor, then the newest page again: the only way to see recent edits.
            found = self._forward(url, params, cursor)
            found += [item for body in self.pages(url, params, SinglePage()) for item in items(body, None)]
        newest = cursor
        events = []
        for notification in found:
            newest = _newest(newest, notification.get("id"))
            status = notification.get("status")
            if notification.get("type") != "mention" or not isinstance(status, dict):
                continue  # servers before 3.5 ignore types[]
            if before(notification.get("created_at"), window):
                continue
            events.append(self.raw("notification", status, notification_id=nonempty(notification.get("id")),
                                   notification_type="mention"))
        if newest:
            cursors["notifications_min_id"] = newest
        return events

    def _own_statuses(self, window: datetime, cursors: dict[str, str]) -> list[RawEvent]:
        url = self.url(f"/api/v1/accounts/{quote(self.account_id, safe='')}/statuses")
        params = {"exclude_reblogs": "true", "limit": self.page_size}
        cursor: str | None = self.pending.get("statuses_min_id")
        if cursor is None:
            found = self._back(url, params, lambda s: before(s.get("created_at"), window))
        else:
            found = self._forward(url, params, cursor)
        newest = cursor
        events = []
        for status in found:
            newest = _newest(newest, status.get("id"))
            if status.get("reblog") is None and not before(status.get("created_at"), window):
                events.append(self.raw("status", status))
        if newest:
            cursors["statuses_min_id"] = newest
        return events

    def _conversations(self, window: datetime, cursors: dict[str, str]) -> list[RawEvent]:
        """Direct conversations, most recently active first, back to the last status already seen.

        The newest page is read in full every poll, so edits of recent direct messages are seen.
        """
        cursor: str | None = self.pending.get("conversations_last_status_id")

        def older(conversation: dict[str, Any]) -> bool:
            last = obj(conversation.get("last_status"))
            return before(last.get("created_at"), window) or (
                cursor is not None and _at_or_below(last.get("id"), cursor))

        found = self._back(self.url("/api/v1/conversations"), {"limit": self.page_size}, older)
        newest = cursor
        events = []
        for conversation in found:
            last = conversation.get("last_status")
            if not isinstance(last, dict):
                continue  # the last status was deleted
            newest = _newest(newest, last.get("id"))
            if before(last.get("created_at"), window):
                continue
            participants = [a["id"] for a in items(conversation, "accounts") if nonempty(a.get("id"))]
            events.append(self.raw("conversation", last, conversation_id=nonempty(conversation.get("id")),
                                   participant_ids=participants))
        if newest:
            cursors["conversations_last_status_id"] = newest
        return events
