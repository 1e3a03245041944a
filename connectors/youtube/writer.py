"""Acting on a YouTube channel through the YouTube Data API v3: replies and comment moderation.

Endpoints (``--base-url`` swaps only scheme and host):

- ``comments.insert``: ``POST /youtube/v3/comments?part=snippet`` with ``{"snippet": {"parentId":
  <top-level comment id>, "textOriginal"}}``. YouTube has one level of replies, so a reply to a reply
  names the thread's top-level comment. Answer: the new ``comment`` resource. Quota: 50 units.
- ``comments.setModerationStatus``: ``POST /youtube/v3/comments/setModerationStatus?id=…&
  moderationStatus=…``, no body, answer ``204 No Content``. Quota: 50 units.

  * **hide** = ``heldForReview``: the comment leaves public view and waits in YouTube Studio's "Held
    for review" list; it can be shown again. ``rejected`` is not used for hiding because YouTube
    does not allow a rejected comment to be published again (so "unhide" would be impossible) and
    because it also hides every reply to the comment.
  * **unhide** = ``published``.
  * **delete** of a citizen's comment = ``rejected``: YouTube's documented way to remove another
    user's comment from our channel (``comments.delete`` works only for the comment's own author).
    It is final, and it hides the replies to it as well.
- ``comments.delete``: ``DELETE /youtube/v3/comments?id=…`` (``204``) for a comment our channel wrote.

Scope: ``https://www.googleapis.com/auth/youtube.force-ssl``, authorized by the channel's owner.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, ClassVar

from connectors.errors import AuthError, ConnectorError
from connectors.fields import items, nonempty, obj
from connectors.http import ResponsePolicy
from connectors.pagination import TokenPaginator
from connectors.writer import (
    NotSupported,
    PermissionMissing,
    PlatformWriter,
    TargetGone,
    posted_since,
    same_text,
    write_error,
)
from connectors.youtube.client import COMMENTS_PATH, YOUTUBE_API, YOUTUBE_SCOPE, YouTubePolicy
from schemas import ActionKind, InboxMessage, Kind, Platform

MODERATION_PATH = f"{COMMENTS_PATH}/setModerationStatus"
#: ``errors[].reason`` values of the comment endpoints, by what they mean for an action.
PERMISSION_REASONS = frozenset({"insufficientPermissions", "forbidden", "ineligibleAccount"})
GONE_REASONS = frozenset({"commentNotFound", "parentCommentNotFound", "commentThreadNotFound", "videoNotFound",
                          "channelNotFound"})
CANNOT_REASONS = {
    "commentsDisabled": "comments are turned off on this video",
    "operationNotSupported": "YouTube does not allow this on this comment",
    "parentCommentIsPrivate": "the comment is private, and the API cannot answer private comments",
}
HIDE_STATUS, UNHIDE_STATUS, REMOVE_STATUS = "heldForReview", "published", "rejected"
COMMENT_KINDS = (Kind.COMMENT, Kind.REPLY)


class YouTubeWritePolicy(YouTubePolicy):
    """``YouTubePolicy`` for writes: a token without the scope, or an account that may not comment,
    is ``PermissionMissing`` (reading calls ``insufficientPermissions`` an auth problem); a missing
    comment or video ``TargetGone``; comments turned off ``NotSupported``."""

    def classify(self, status: int, body: Any, headers: Any, path: str, now: float) -> ConnectorError:
        error = body.get("error") if isinstance(body, dict) else None
        reasons = {e.get("reason") for e in obj(error).get("errors") or [] if isinstance(e, dict)}
        first = next((r for r in sorted(r for r in reasons if isinstance(r, str))), None)
        label = f"YouTube error {status}" + (f"/{first}" if first else "") + f" from {path}"
        if status != 401 and "authError" not in reasons and reasons & PERMISSION_REASONS:
            return PermissionMissing(f"{label}: not allowed (scope {YOUTUBE_SCOPE}, or not the channel's owner?)")
        if reasons & GONE_REASONS:
            return TargetGone(f"{label}: the comment or video no longer exists")
        if path.endswith(MODERATION_PATH) and "processingFailure" in reasons:
            # YouTube answers so when the comment was deleted by its author meanwhile.
            return TargetGone(f"{label}: the comment could not be moderated (deleted by its author?)")
        for reason, why in CANNOT_REASONS.items():
            if reason in reasons:
                return NotSupported(f"{label}: {why}")
        classified = super().classify(status, body, headers, path, now)
        return classified if isinstance(classified, AuthError) else write_error(classified, status)


class YouTubeWriter(PlatformWriter):
    """Acts for one channel (``account_id`` = the channel id, ``UC…``)."""

    platform: ClassVar[Platform] = Platform.YOUTUBE
    api_base: ClassVar[str] = YOUTUBE_API
    policy: ClassVar[type[ResponsePolicy]] = YouTubeWritePolicy

    def reply(self, target: InboxMessage, text: str) -> str:
        text = self.require_text(text)
        if target.kind not in COMMENT_KINDS:
            raise self.refuse(ActionKind.REPLY, f"a YouTube {target.kind.value} has no comment thread")
        body = {"snippet": {"parentId": self._thread(target), "textOriginal": text}}
        answer = self.send("POST", self.url(COMMENTS_PATH), params={"part": "snippet"}, body=body, once=True)
        return self.created(obj(answer).get("id"), "comments.insert")

    def hide(self, target: InboxMessage) -> None:
        self._moderate(target, ActionKind.HIDE, HIDE_STATUS)

    def unhide(self, target: InboxMessage) -> None:
        self._moderate(target, ActionKind.UNHIDE, UNHIDE_STATUS)

    def delete(self, target: InboxMessage) -> None:
        """Our own comment is deleted; a citizen's is rejected (removed for good, with its replies)."""
        if target.from_account and target.kind in COMMENT_KINDS:
            self.send("DELETE", self.url(COMMENTS_PATH), params={"id": self.native_id(target)})
            return
        self._moderate(target, ActionKind.DELETE, REMOVE_STATUS)

    def find_reply(self, target: InboxMessage, text: str, since: datetime) -> str | None:
        if target.kind not in COMMENT_KINDS:
            return None
        params = {"part": "snippet", "parentId": self._thread(target), "maxResults": 100, "textFormat": "plainText"}
        listing = self.pages(self.url(COMMENTS_PATH), params,
                             TokenPaginator(("nextPageToken",), "pageToken", items_key="items"))
        for body in listing:
            for comment in items(body, "items"):
                snippet = obj(comment.get("snippet"))
                if (obj(snippet.get("authorChannelId")).get("value") == self.account_id
                        and same_text(text, snippet.get("textOriginal"))
                        and posted_since(snippet.get("publishedAt"), since)):
                    return nonempty(comment.get("id"))
        return None

    @staticmethod
    def _thread(target: InboxMessage) -> str:
        """The top-level comment (the thread's id) a reply goes under."""
        if target.kind is Kind.REPLY:
            return target.parent_id or target.conversation_id
        return PlatformWriter.native_id(target)

    def _moderate(self, target: InboxMessage, kind: ActionKind, status: str) -> None:
        if target.kind not in COMMENT_KINDS:
            raise self.refuse(kind, f"only comments can be moderated, not a {target.kind.value}")
        self.send("POST", self.url(MODERATION_PATH), params={"id": self.native_id(target), "moderationStatus": status})
