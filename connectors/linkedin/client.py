"""LinkedIn organization pages via the Community Management API (versioned REST, ``/rest``).

Endpoints (``--base-url`` swaps only scheme and host):

- ``GET /rest/posts?author={org URN}&q=author&sortBy=LAST_MODIFIED&start=&count=`` (Posts API,
  find-by-author finder, header ``X-RestLi-Method: FINDER``): our organization's posts, most
  recently modified first;
- ``GET /rest/socialActions/{encoded post URN}/comments?start=&count=`` (Comments API): the
  first-level comments on a post;
- ``GET /rest/socialActions/{encoded comment URN}/comments``: the nested comments (replies) of one
  comment. LinkedIn threads are two levels deep: a reply to a reply is stored against the
  top-level comment, so every reply's ``parentComment`` is a first-level comment.

Every request carries ``LinkedIn-Version: YYYYMM`` (``options.api_version``) and
``X-Restli-Protocol-Version: 2.0.0``. With protocol 2.0.0, URNs must be URL-encoded both in paths
(``urn%3Ali%3Ashare%3A1``) and in query values; ``requests`` encodes query values itself.

Quirks the code handles:

- No time filter exists on either listing. Posts are read newest-modified first until one is older
  than ``post_lookback`` (30 days); the comments of those posts are re-read on every poll, which is
  also how edits are seen (changed ``message`` or ``lastModified``: fingerprint → ``edited``).
- Nested comments are fetched only when a comment's ``commentsSummary`` says it has any (or does
  not say), to save calls against LinkedIn's daily quotas.
- A comment's own URN is ``commentUrn`` (versioned API) or ``$URN``; its ``object`` is often the
  post's *activity* URN, not the share/ugcPost URN we listed, so the post URN travels in context.
- Posts carry ``createdAt``/``publishedAt``/``lastModifiedAt``; comments carry ``created.time``
  and ``lastModified.time``. All are epoch milliseconds.
- Comments do not carry names (resolving them needs the restricted People API): ``author_name``
  stays None and ``author_id`` is the actor URN. Our organization comments as
  ``urn:li:organization:{id}`` (the admin who typed it is ``created.impersonator``).
- Rate limits are daily quotas per application and per member, reset at midnight UTC, reported
  as a bare 429 without rate-limit headers: see ``LinkedInPolicy``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any, ClassVar
from urllib.parse import quote

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
from connectors.linkedin.mapping import PUBLISHED, comment_urn, epoch_millis, organization_urn, post_time
from connectors.pagination import OffsetPaginator
from connectors.ratelimits import retry_after
from schemas import Platform, RawEvent

API_HOST = "https://api.linkedin.com"
TOKEN_URL = "https://www.linkedin.com/oauth/v2/accessToken"
#: July 2026: the newest Marketing version confirmed released when this was written. LinkedIn
#: supports each monthly version for at least a year and rejects sunset ones with HTTP 426.
DEFAULT_API_VERSION = "202607"
RESTLI_PROTOCOL = "2.0.0"
#: Default pause after a 429 that is neither a daily quota nor announces a reset (LinkedIn's
#: "infrastructure protection" throttling, which lifts by itself).
DEFAULT_RATE_LIMIT_PAUSE = 300.0
#: Margin after midnight UTC before retrying a spent daily quota.
QUOTA_RESET_MARGIN = 60.0

_VERSION = re.compile(r"^\d{6}(\.\d{2})?$")
_ERROR_CODE = re.compile(r"^[A-Za-z0-9_.\-]{1,64}$")
_DAILY = re.compile(r"\bDAY\b")


def encode_urn(urn: str) -> str:
    """A URN as one path segment: every reserved character percent-encoded (Rest.li 2.0.0)."""
    return quote(urn, safe="")


def rest_headers(options: Mapping[str, Any]) -> dict[str, str]:
    """The headers of every request to the versioned REST API: ``LinkedIn-Version`` (``options.api_version``)
    and the Rest.li protocol version."""
    version = str(options.get("api_version", DEFAULT_API_VERSION))
    if not _VERSION.match(version):
        raise FatalRequestError("options.api_version must look like YYYYMM (e.g. 202607)")
    return {"LinkedIn-Version": version, "X-Restli-Protocol-Version": RESTLI_PROTOCOL}


def post_modified(post: dict[str, Any]) -> datetime | None:
    return epoch_millis(post.get("lastModifiedAt")) or post_time(post)


def comment_time(comment: dict[str, Any]) -> datetime | None:
    return epoch_millis(obj(comment.get("created")).get("time"))


class NotFound(FatalRequestError):
    """HTTP 404: the post or comment is gone (deleted between listing it and reading its comments)."""


class LinkedInPolicy(ResponsePolicy):
    """LinkedIn errors are ``{"status", "serviceErrorCode", "code", "message"}``.

    - 429: ``Retry-After`` if sent (it rarely is). A spent daily quota ("Resource level throttle
      APPLICATION DAY limit ...", also MEMBER DAY) resets at midnight UTC, so the pause lasts until
      then; any other 429 is LinkedIn's short infrastructure throttle (``DEFAULT_RATE_LIMIT_PAUSE``).
    - 401 (``INVALID_ACCESS_TOKEN``, ``EXPIRED_ACCESS_TOKEN``, ``REVOKED_ACCESS_TOKEN``): ``AuthError``.
    - 403 (``ACCESS_DENIED``): a missing scope or page role: fatal, not an auth problem.
    - 426: the ``LinkedIn-Version`` is sunset: fatal until ``options.api_version`` is raised.

    Messages name the path, status and LinkedIn's code only; LinkedIn's ``message`` can quote
    request values, so it is never copied into an exception.
    """

    default_pause = DEFAULT_RATE_LIMIT_PAUSE

    def classify(self, status: int, body: Any, headers: Any, path: str, now: float) -> ConnectorError:
        error = body if isinstance(body, dict) else {}
        code = error.get("code") if isinstance(error.get("code"), str) and _ERROR_CODE.match(error["code"]) else None
        service = error.get("serviceErrorCode")
        label = f"HTTP {status}" + (f" {code}" if code else "") + (
            f" (serviceErrorCode {service})" if isinstance(service, int) and not isinstance(service, bool) else ""
        ) + f" from {path}"
        if status == 429:
            message = error.get("message")
            if retry_after(headers, now) is None and isinstance(message, str) and _DAILY.search(message):
                return RateLimited(f"{label}: daily quota used up", seconds_to_midnight_utc(now) + QUOTA_RESET_MARGIN)
            return RateLimited(f"{label}: rate limited", self.pause_for(headers, now))
        if status == 401:
            return AuthError(f"{label}: access token expired, revoked or invalid")
        if status == 403:
            return FatalRequestError(f"{label}: not allowed (scope r_organization_social(_feed) or page role missing?)")
        if status == 404:
            return NotFound(f"{label}: not found")
        if status == 426:
            return FatalRequestError(f"{label}: LinkedIn-Version is sunset; raise options.api_version")
        if status >= 500:
            return RetriableError(label, retry_after(headers, now))
        return FatalRequestError(label)


def seconds_to_midnight_utc(now: float) -> float:
    current = datetime.fromtimestamp(now, UTC)
    midnight = datetime(current.year, current.month, current.day, tzinfo=UTC) + timedelta(days=1)
    return midnight.timestamp() - now


class LinkedInConnector(Connector):
    """Polls one organization page: its posts, their comments and the replies to those comments.

    ``account_id`` is the numeric organization id. ``options.api_version`` selects the
    ``LinkedIn-Version`` (default ``DEFAULT_API_VERSION``). The first poll ingests what was written
    since ``window_start()``; that lower bound is stored (as ``since``) and later polls keep it,
    moving it forward only as far as the 30-day post lookback.
    """

    platform: ClassVar[Platform] = Platform.LINKEDIN
    api_base: ClassVar[str] = API_HOST
    policy = LinkedInPolicy
    fingerprint_keys: ClassVar[tuple[str, ...]] = ("message", "lastModified", "commentary", "lastModifiedAt")
    post_page_size: ClassVar[int] = 50
    comment_page_size: ClassVar[int] = 50
    post_lookback: ClassVar[timedelta] = timedelta(days=30)

    @property
    def organization(self) -> str:
        return organization_urn(self.account_id)

    def headers(self) -> dict[str, str]:
        return rest_headers(self.options)

    def native_id(self, event: RawEvent) -> str:
        if event.resource == "comment":
            return comment_urn(event.payload) or ""
        return super().native_id(event)

    def fetch(self) -> Iterator[RawEvent]:
        now = self.clock()
        since = parse_time(self.pending.get("since")) or self.window_start()
        posts_from = min(since, now - self.post_lookback)
        for post in self._posts(posts_from):
            created = post_time(post)
            if created is None or created >= since:
                yield self.raw("post", post)  # without a usable time it is dead-lettered by the mapping
            post_id = nonempty(post.get("id"))
            if post_id:
                yield from self._comments(post_id, since)
        self.pending["since"] = max(since, now - self.post_lookback).isoformat()

    def _posts(self, posts_from: datetime) -> Iterator[dict[str, Any]]:
        """Published posts modified since ``posts_from``; paging stops at the first older page end."""
        params = {"author": self.organization, "q": "author", "sortBy": "LAST_MODIFIED",
                  "start": 0, "count": self.post_page_size}
        finder = {**self.headers(), "X-RestLi-Method": "FINDER"}
        for body in self.pages(self.url("/rest/posts"), params, OffsetPaginator(), finder):
            page = items(body, "elements")
            for post in page:
                modified = post_modified(post)
                state = post.get("lifecycleState")
                if not before(modified, posts_from) and (state is None or state == PUBLISHED):
                    yield post
            last = post_modified(page[-1]) if page else None
            if before(last, posts_from):
                return  # sorted by last modification, newest first: the rest is older

    def _comments(self, post_urn: str, since: datetime) -> Iterator[RawEvent]:
        for comment in self._listing(post_urn):
            if not before(comment_time(comment), since):
                yield self.raw("comment", comment, post_urn=post_urn)
            urn = comment_urn(comment)
            if urn and not nonempty(comment.get("parentComment")) and _may_have_replies(comment):
                for reply in self._listing(urn):
                    if not before(comment_time(reply), since):
                        yield self.raw("comment", reply, post_urn=post_urn, parent_comment=urn)

    def _listing(self, target: str) -> Iterator[dict[str, Any]]:
        """The comments on a post or comment URN; a target deleted meanwhile (404) has none."""
        url = self.url(f"/rest/socialActions/{encode_urn(target)}/comments")
        params = {"start": 0, "count": self.comment_page_size}
        try:
            for body in self.pages(url, params, OffsetPaginator(), self.headers()):
                yield from items(body, "elements")
        except NotFound:
            return


def _may_have_replies(comment: dict[str, Any]) -> bool:
    """False only when ``commentsSummary`` says the comment has no nested comments."""
    summary = obj(comment.get("commentsSummary"))
    counts = [summary.get(key) for key in ("aggregatedTotalComments", "totalFirstLevelComments")]
    numbers = [c for c in counts if isinstance(c, int) and not isinstance(c, bool)]
    return not numbers or any(n > 0 for n in numbers)

