"""YouTube channels via the YouTube Data API v3: comments and replies on the channel's videos.

Endpoints (``--base-url`` swaps only scheme and host):

- ``GET /youtube/v3/commentThreads?part=snippet,replies&allThreadsRelatedToChannelId={channel}``
  with ``order=time``, ``textFormat=plainText``, ``maxResults=100``: every comment thread on the
  channel's videos, newest first, paged with ``nextPageToken`` → ``pageToken``. A second pass adds
  ``moderationStatus=heldForReview`` (comments YouTube holds back until we approve them);
  ``likelySpam`` can be added with the ``moderation_statuses`` option.
- ``GET /youtube/v3/comments?part=snippet&parentId={thread id}``: all replies of a thread. A thread's
  ``replies.comments`` holds only some of them, so this is called when ``snippet.totalReplyCount``
  is larger, and only when the count changed or the thread moved since the last poll (quota).

Quirks:

- A thread's id is the id of its top-level comment. A top-level comment opens a conversation of
  its own; replies (ours included) belong to it through ``snippet.parentId``. YouTube has one level
  of replies only.
- The listing is ordered by time, but a new reply does not necessarily bring an old thread to the
  front. Paging therefore stops at the first page whose threads are all older than the cursor or
  than ``reply_lookback_days`` (default 7), whichever reaches further back, so that our answers
  to comments from the last days are found.
- There is no deletion signal: a deleted or rejected comment just disappears from the listings.
- ``textOriginal`` is what the author wrote; ``textDisplay`` may differ (video links replaced by
  titles). Both and ``updatedAt`` are in the fingerprint, so an edit arrives as ``edited``.
- Errors are ``{"error": {"code", "message", "errors": [{"reason", "domain"}]}}``. The daily quota
  (``quotaExceeded``) resets at midnight Pacific time; ``commentsDisabled`` on one video only skips
  that video's replies for this poll.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, time, timedelta
from typing import Any, ClassVar
from zoneinfo import ZoneInfo

from connectors.base import Connector
from connectors.errors import AuthError, ConnectorError, FatalRequestError, RateLimited, RetriableError
from connectors.fields import before, items, later, nonempty, obj, parse_time
from connectors.http import ResponsePolicy
from connectors.pagination import TokenPaginator
from connectors.ratelimits import retry_after
from schemas import Platform, RawEvent

YOUTUBE_API = "https://www.googleapis.com"
COMMENT_THREADS_PATH = "/youtube/v3/commentThreads"
COMMENTS_PATH = "/youtube/v3/comments"
#: The OAuth scope that lets the channel owner read comments, including held-for-review ones.
YOUTUBE_SCOPE = "https://www.googleapis.com/auth/youtube.force-ssl"
GOOGLE_TOKEN_URL = "https://oauth2.googleapis.com/token"

#: The daily quota of the Google Cloud project resets at midnight Pacific time.
QUOTA_TIMEZONE = ZoneInfo("America/Los_Angeles")
QUOTA_REASONS = frozenset({"quotaExceeded", "dailyLimitExceeded"})
RATE_LIMIT_REASONS = frozenset({"rateLimitExceeded", "userRateLimitExceeded"})
#: ``authError``: invalid or expired token; ``insufficientPermissions``: the token lacks the scope.
AUTH_REASONS = frozenset({"authError", "insufficientPermissions"})
TRANSIENT_REASONS = frozenset({"backendError", "internalError"})
#: Pause after a short-term rate limit when the response gives no ``Retry-After``.
SHORT_RATE_LIMIT_PAUSE = 30.0

MODERATION_STATUSES = ("published", "heldForReview", "likelySpam")
DEFAULT_MODERATION_STATUSES = ("published", "heldForReview")
#: Payload (``snippet``) fields whose change makes a delivered comment an edit (or a hide).
FINGERPRINT_FIELDS = ("textOriginal", "textDisplay", "updatedAt", "moderationStatus")


class CommentsDisabled(FatalRequestError):
    """The video's owner turned comments off: skip that video, the rest of the poll goes on."""

    error_class = "comments_disabled"


def seconds_until_quota_reset(now: float) -> float:
    """Seconds from ``now`` (epoch) to the next midnight in America/Los_Angeles."""
    local = datetime.fromtimestamp(now, QUOTA_TIMEZONE)
    midnight = datetime.combine(local.date() + timedelta(days=1), time(0), tzinfo=QUOTA_TIMEZONE)
    return max(1.0, midnight.timestamp() - now)


class YouTubePolicy(ResponsePolicy):
    """Google API errors carry their meaning in ``error.errors[].reason``, not in the status."""

    default_pause = SHORT_RATE_LIMIT_PAUSE

    def classify(self, status: int, body: Any, headers: Any, path: str, now: float) -> ConnectorError:
        error = body.get("error") if isinstance(body, dict) else None
        if not isinstance(error, dict):
            return super().classify(status, body, headers, path, now)
        reasons = [e.get("reason") for e in error.get("errors") or [] if isinstance(e, dict)]
        reasons = [r for r in reasons if isinstance(r, str)]
        label = f"YouTube error {status}" + (f"/{reasons[0]}" if reasons else "") + f" from {path}"
        found = set(reasons)
        if found & QUOTA_REASONS:
            return RateLimited(f"{label}: daily quota used up", seconds_until_quota_reset(now))
        if found & RATE_LIMIT_REASONS or status == 429:
            return RateLimited(f"{label}: rate limited", self.pause_for(headers, now))
        if status == 401 or found & AUTH_REASONS:
            return AuthError(f"{label}: token expired, revoked or without the {YOUTUBE_SCOPE} scope")
        if "commentsDisabled" in found:
            return CommentsDisabled(f"{label}: comments are disabled")
        if status >= 500 or found & TRANSIENT_REASONS:
            return RetriableError(f"{label}: temporary error", retry_after(headers, now))
        return FatalRequestError(label)


def _activity(comment: dict[str, Any]) -> datetime | None:
    """When a comment was last touched: the later of ``publishedAt`` and ``updatedAt``."""
    snippet = obj(comment.get("snippet"))
    times = [t for t in (parse_time(snippet.get("publishedAt")), parse_time(snippet.get("updatedAt"))) if t]
    return max(times) if times else None


def _thread_activity(thread: dict[str, Any]) -> datetime | None:
    """The latest activity visible in a listed thread (top-level comment and included replies)."""
    snippet = obj(thread.get("snippet"))
    comments = [obj(snippet.get("topLevelComment")), *items(obj(thread.get("replies")), "comments")]
    times = [t for t in map(_activity, comments) if t]
    return max(times) if times else None


class YouTubeConnector(Connector):
    """Polls the comment threads of one channel (``account_id``: the channel id, ``UC…``).

    Options: ``reply_lookback_days`` (default 7) and ``moderation_statuses`` (default
    ``[published, heldForReview]``; add ``likelySpam`` to see what YouTube filtered as spam).
    """

    platform: ClassVar[Platform] = Platform.YOUTUBE
    api_base: ClassVar[str] = YOUTUBE_API
    policy = YouTubePolicy
    fingerprint_keys: ClassVar[tuple[str, ...]] = FINGERPRINT_FIELDS
    page_size: ClassVar[int] = 100
    default_reply_lookback: ClassVar[timedelta] = timedelta(days=7)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        lookback = self.options.get("reply_lookback_days", self.default_reply_lookback.days)
        if not isinstance(lookback, (int, float)) or isinstance(lookback, bool) or lookback < 0:
            raise ValueError("youtube option reply_lookback_days must be a number of days (0 or more)")
        self.reply_lookback = timedelta(days=lookback)
        statuses = self.options.get("moderation_statuses", list(DEFAULT_MODERATION_STATUSES))
        if (not isinstance(statuses, list) or not statuses
                or any(s not in MODERATION_STATUSES for s in statuses)):
            raise ValueError(f"youtube option moderation_statuses must list some of {', '.join(MODERATION_STATUSES)}")
        self.moderation_statuses: tuple[str, ...] = tuple(dict.fromkeys(statuses))
        #: Videos whose comments turned out to be disabled during the current poll.
        self.disabled_videos: set[str] = set()
        #: Threads whose replies were already read during the current poll (both listings show them).
        self._replies_read: set[str] = set()

    def fingerprint_values(self, event: RawEvent) -> dict[str, Any]:
        """The fingerprint fields live in ``snippet``; a missing moderation status means published."""
        snippet = obj(event.payload.get("snippet"))
        values = {key: snippet.get(key) for key in self.fingerprint_keys}
        values["moderationStatus"] = values.get("moderationStatus") or "published"
        return values

    def fetch(self) -> Iterator[RawEvent]:
        window = self.window_start()
        since = parse_time(self.pending.get("since")) or window
        floor = parse_time(self.pending.get("floor")) or window
        scan_from = min(since, self.clock() - self.reply_lookback)
        emit_from = max(floor, scan_from)
        newest: str | None = self.pending.get("since")
        known_counts: dict[str, int] = dict(self.pending.get("reply_counts") or {})
        counts: dict[str, int] = {}
        self.disabled_videos, self._replies_read = set(), set()
        for status in self.moderation_statuses:
            params: dict[str, Any] = {
                "part": "snippet,replies", "allThreadsRelatedToChannelId": self.account_id,
                "maxResults": self.page_size, "order": "time", "textFormat": "plainText",
            }
            if status != "published":  # published is the API's default
                params["moderationStatus"] = status
            listing = self.pages(self.url(COMMENT_THREADS_PATH), params,
                                 TokenPaginator(("nextPageToken",), "pageToken", items_key="items"))
            for body in listing:
                threads = items(body, "items")
                recent = [t for t in threads if not before(_thread_activity(t), scan_from)]
                for thread in recent:
                    for resource, comment, context in self._thread_items(thread, since, known_counts, counts):
                        activity = _activity(comment)
                        if activity is not None:
                            newest = later(newest, activity.isoformat())
                            if activity < emit_from:
                                continue
                        yield self.raw(resource, comment, **context)
                if threads and not recent:
                    break  # newest first: everything further on is older still
        if newest:
            self.pending["since"] = newest
        self.pending["floor"] = floor.isoformat()
        self.pending["reply_counts"] = counts

    def _thread_items(self, thread: dict[str, Any], since: datetime, known_counts: dict[str, int],
                      counts: dict[str, int]) -> Iterator[tuple[str, dict[str, Any], dict[str, Any]]]:
        """The top-level comment and the replies of one listed thread, with their context."""
        snippet = obj(thread.get("snippet"))
        thread_id = nonempty(thread.get("id"))
        video_id = nonempty(snippet.get("videoId"))
        context = {"thread_id": thread_id, "video_id": video_id, "post_id": nonempty(snippet.get("postId"))}
        top = obj(snippet.get("topLevelComment"))
        if top:
            yield "comment", top, context
        replies = items(obj(thread.get("replies")), "comments")
        total = snippet.get("totalReplyCount")
        if thread_id is None or not isinstance(total, int) or isinstance(total, bool):
            yield from (("reply", reply, context) for reply in replies)
            return
        previous = counts.get(thread_id, known_counts.get(thread_id))
        if previous is not None:
            counts[thread_id] = previous
        moved = not before(_thread_activity(thread), since)
        if (total > len(replies) and (previous != total or moved) and thread_id not in self._replies_read
                and video_id not in self.disabled_videos):
            self._replies_read.add(thread_id)
            try:
                fetched = self._all_replies(thread_id)
            except CommentsDisabled:
                if video_id:
                    self.disabled_videos.add(video_id)
            else:
                counts[thread_id] = total
                ids = {reply.get("id") for reply in fetched}
                replies = fetched + [reply for reply in replies if reply.get("id") not in ids]
        yield from (("reply", reply, context) for reply in replies)

    def _all_replies(self, thread_id: str) -> list[dict[str, Any]]:
        params = {"part": "snippet", "parentId": thread_id, "maxResults": self.page_size, "textFormat": "plainText"}
        pages = self.pages(self.url(COMMENTS_PATH), params,
                           TokenPaginator(("nextPageToken",), "pageToken", items_key="items"))
        return [reply for body in pages for reply in items(body, "items")]
