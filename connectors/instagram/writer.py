"""Acting on an Instagram professional account through the Instagram Graph API (Facebook Login).

Endpoints (versioned path on ``graph.facebook.com``; ``--base-url`` swaps only scheme and host):

- ``POST /{version}/{ig-comment-id}/replies`` (``message``): our reply to a comment on our media.
  Instagram allows replies to top-level comments only (a reply to a reply is added to its top-level
  comment), so a reply to a reply goes to the top-level comment. Answer ``{"id"}``.
- ``POST /{version}/{ig-comment-id}`` with ``hide: true|false``: hide or unhide a comment. Answer
  ``{"success": true}``. Instagram refuses replies to hidden comments.
- ``DELETE /{version}/{ig-comment-id}``: delete a comment on our media. Answer ``{"success": true}``.
- ``POST /{version}/{page-id}/messages``: a reply in a direct-message thread through the Facebook Page
  linked to the account (``options.page_id``), ``recipient.id`` = the person's Instagram-scoped id
  (IGSID), within 24 hours of their last message (7 days with ``options.human_agent``; see
  ``connectors/meta/writer.py``). Answer ``{"recipient_id", "message_id"}``.

Permissions: ``instagram_basic``, ``instagram_manage_comments``, ``pages_read_engagement`` (comments)
and ``instagram_manage_messages`` with the Page's MESSAGE task (direct messages).

Not possible: replying to a post we were tagged or mentioned in from here (only to comments on our own
media), and hiding or deleting a direct message.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, ClassVar

from connectors.fields import nonempty, obj
from connectors.meta.writer import COMMENT_KINDS, GraphWriter
from schemas import ActionKind, InboxMessage, Kind, Platform

REPLY_FIELDS = "id,text,timestamp,username,from"


class InstagramWriter(GraphWriter):
    """Acts for one Instagram professional account (``account_id`` = the IG User id).

    Options: ``page_id`` (the linked Facebook Page, needed for direct messages), ``username`` (to
    recognise our own comments), ``graph_version``, ``human_agent``.
    """

    platform: ClassVar[Platform] = Platform.INSTAGRAM
    messaging_platform: ClassVar[str] = "instagram"
    hidden_field: ClassVar[str] = "hide"

    def page_id(self) -> str:
        value = self.options.get("page_id")
        if isinstance(value, (str, int)) and str(value):
            return str(value)
        raise self.refuse(ActionKind.REPLY, "direct messages are sent through the linked Facebook Page, and the "
                                            "account has no options.page_id")

    def ours(self, author: dict[str, Any]) -> bool:
        if super().ours(author):
            return True
        username, name = nonempty(self.options.get("username")), nonempty(author.get("username"))
        return username is not None and name is not None and name.lower() == username.lstrip("@").lower()

    def reply(self, target: InboxMessage, text: str) -> str:
        text = self.require_text(text)
        if target.kind is Kind.DIRECT_MESSAGE:
            return self.send_message(target, text)
        if target.kind not in COMMENT_KINDS:
            raise self.refuse(ActionKind.REPLY, "Instagram lets us reply to comments on our own media only; answer a "
                                                "tag or mention in a direct message instead")
        answer = self.send("POST", self.node(self.thread_comment(target), "replies"), body={"message": text},
                           once=True)
        return self.created(obj(answer).get("id"), "POST /replies")

    def find_reply(self, target: InboxMessage, text: str, since: datetime) -> str | None:
        if target.kind is Kind.DIRECT_MESSAGE:
            return self.find_message_reply(target, text, since)
        if target.kind not in COMMENT_KINDS:
            return None
        return self.find_comment_reply(self.node(self.thread_comment(target), "replies"), REPLY_FIELDS, "text",
                                       "timestamp", text, since)

    def comment_only(self, target: InboxMessage, kind: ActionKind) -> None:
        if target.kind not in COMMENT_KINDS:
            raise self.refuse(kind, f"only comments on our media can be hidden or deleted, not a {target.kind.value}")
