"""Acting on X through the X API v2: replies, hiding and unhiding replies, and direct messages.

Endpoints (``--base-url`` swaps only scheme and host):

- ``POST /2/tweets`` with ``{"text", "reply": {"in_reply_to_tweet_id"}}``: our public reply to a
  citizen's post. Answer ``201 {"data": {"id", "text", "edit_history_tweet_ids"}}``.
- ``PUT /2/tweets/{id}/hidden`` with ``{"hidden": true|false}``: hide or unhide a reply in a
  conversation our account started. Answer ``{"data": {"hidden": …}}``. A hidden reply is still
  reachable behind "View hidden replies"; its author is not told.
- ``POST /2/dm_conversations/{dm_conversation_id}/messages`` with ``{"text"}``: a message in the
  citizen's DM thread. Answer ``201 {"data": {"dm_conversation_id", "dm_event_id"}}``.

User context is needed (OAuth 1.0a, or OAuth 2.0 with ``tweet.read tweet.write users.read`` for
replies, ``tweet.moderate.write`` for hiding, ``dm.read dm.write`` for direct messages); an
app-only bearer token can do none of it.

X cannot delete a citizen's post: an account may delete its own posts only. ``find_reply`` reads our
own timeline (``GET /2/users/{id}/tweets``) or the DM thread (``GET
/2/dm_conversations/{id}/dm_events``). X rewrites what it stores: leading @mentions of the replied-to
author, links shortened to t.co and ``&``, ``<``, ``>`` as entities, so texts are compared without them.
"""

from __future__ import annotations

import html
import re
from datetime import datetime
from typing import Any, ClassVar

from connectors.errors import ConnectorError, FatalRequestError
from connectors.fields import items, nonempty, obj
from connectors.http import ResponsePolicy
from connectors.pagination import TokenPaginator
from connectors.writer import PermissionMissing, PlatformWriter, TargetGone, posted_since, same_text, write_error
from connectors.x.client import X_HOST, XPolicy, problem_type, rfc3339
from connectors.x.mapping import references
from schemas import ActionKind, InboxMessage, Kind, Platform

#: X's detail when the post replied to was deleted or is hidden from us (matched, never copied).
_GONE_DETAILS = ("deleted or not visible", "Could not find tweet", "Could not find DM conversation")
_LEADING_MENTIONS = re.compile(r"^(?:@\w{1,15}\s+)+")
_URL = re.compile(r"https?://\S+")
PUBLIC_KINDS = (Kind.MENTION, Kind.REPLY, Kind.COMMENT, Kind.POST)


def comparable(text: str | None) -> str | None:
    """A post's text as X stores it made comparable with what we sent (see the module docstring)."""
    if text is None:
        return None
    plain = _LEADING_MENTIONS.sub("", html.unescape(text).strip())
    return _URL.sub("<link>", plain)


class XWritePolicy(XPolicy):
    """``XPolicy`` plus what a write meets: a 403 is ``PermissionMissing`` (scope, plan, or a reply in
    a conversation we did not start), a post or conversation that is gone is ``TargetGone``."""

    def classify(self, status: int, body: Any, headers: Any, path: str, now: float) -> ConnectorError:
        detail = obj(body).get("detail")
        error = super().classify(status, body, headers, path, now)
        if isinstance(error, FatalRequestError) and (
                problem_type(body) == "resource-not-found"
                or (isinstance(detail, str) and any(gone in detail for gone in _GONE_DETAILS))):
            return TargetGone(f"{error}: the post or conversation no longer exists or is not visible to us")
        if status == 403 and isinstance(error, FatalRequestError):
            return PermissionMissing(str(error))
        return write_error(error, status)


class XWriter(PlatformWriter):
    """Acts for one X account (``account_id`` = its numeric user id)."""

    platform: ClassVar[Platform] = Platform.X
    api_base: ClassVar[str] = X_HOST
    policy: ClassVar[type[ResponsePolicy]] = XWritePolicy

    def reply(self, target: InboxMessage, text: str) -> str:
        text = self.require_text(text)
        if target.kind is Kind.DIRECT_MESSAGE:
            answer = self.send("POST", self.url(f"/2/dm_conversations/{target.conversation_id}/messages"),
                               body={"text": text}, once=True)
            return self.created(obj(obj(answer).get("data")).get("dm_event_id"), "POST dm_conversations messages")
        body = {"text": text, "reply": {"in_reply_to_tweet_id": self.native_id(target)}}
        answer = self.send("POST", self.url("/2/tweets"), body=body, once=True)
        return self.created(obj(obj(answer).get("data")).get("id"), "POST /2/tweets")

    def hide(self, target: InboxMessage) -> None:
        self._set_hidden(target, ActionKind.HIDE, True)

    def unhide(self, target: InboxMessage) -> None:
        self._set_hidden(target, ActionKind.UNHIDE, False)

    def find_reply(self, target: InboxMessage, text: str, since: datetime) -> str | None:
        if target.kind is Kind.DIRECT_MESSAGE:
            return self._find_message(target, text, since)
        params = {"start_time": rfc3339(since.replace(microsecond=0)), "max_results": 100, "exclude": "retweets",
                  "tweet.fields": "created_at,referenced_tweets,in_reply_to_user_id"}
        answered = self.native_id(target)
        listing = self.pages(self.url(f"/2/users/{self.account_id}/tweets"), params,
                             TokenPaginator(("meta", "next_token"), "pagination_token", items_key="data"))
        for body in listing:
            for tweet in items(body, "data"):
                if (references(tweet).get("replied_to") == answered and posted_since(tweet.get("created_at"), since)
                        and same_text(comparable(text), comparable(tweet.get("text")))):
                    return nonempty(tweet.get("id"))
        return None

    def _find_message(self, target: InboxMessage, text: str, since: datetime) -> str | None:
        params = {"event_types": "MessageCreate", "max_results": 100,
                  "dm_event.fields": "id,text,created_at,sender_id,dm_conversation_id"}
        listing = self.pages(self.url(f"/2/dm_conversations/{target.conversation_id}/dm_events"), params,
                             TokenPaginator(("meta", "next_token"), "pagination_token", items_key="data"))
        for body in listing:
            for event in items(body, "data"):  # newest first
                if not posted_since(event.get("created_at"), since):
                    return None
                if event.get("sender_id") == self.account_id and same_text(text, event.get("text")):
                    return nonempty(event.get("id"))
        return None

    def _set_hidden(self, target: InboxMessage, kind: ActionKind, hidden: bool) -> None:
        if target.kind not in PUBLIC_KINDS:
            raise self.refuse(kind, "only replies to posts can be hidden; a direct message cannot")
        if target.parent_id is None:
            raise self.refuse(kind, "only replies in a conversation our account started can be hidden, and this "
                                    "post replies to nothing")
        answer = self.send("PUT", self.url(f"/2/tweets/{self.native_id(target)}/hidden"), body={"hidden": hidden})
        if obj(obj(answer).get("data")).get("hidden") is not hidden:
            raise FatalRequestError("X did not confirm the hidden state of the reply")
