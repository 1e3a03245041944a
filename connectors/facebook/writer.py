"""Acting on a Facebook Page through the Graph API: replies, hiding, unhiding and deleting comments,
and replies in Messenger threads.

Endpoints (versioned path; ``--base-url`` swaps only scheme and host):

- ``POST /{version}/{comment-id}/comments`` (``message``): our reply under a comment. A reply to a
  reply goes under its top-level comment, where Facebook files it anyway and where Innboks keys the
  thread; ``POST /{version}/{post-id}/comments`` answers a visitor's post. Answer ``{"id"}``.
- ``POST /{version}/{comment-id}`` with ``is_hidden: true|false``: hide or unhide a comment (the
  author and their friends still see a hidden comment). Answer ``{"success": true}``.
- ``DELETE /{version}/{comment-id}``: delete a comment. Answer ``{"success": true}``.
- ``POST /{version}/{page-id}/messages``: the Send API, ``recipient.id`` = the person's page-scoped id
  (PSID), ``messaging_type: RESPONSE`` within 24 hours of their last message (see
  ``connectors/meta/writer.py`` for the window and the Human Agent tag). Answer ``{"recipient_id",
  "message_id"}``.

Permissions: a Page token of someone who can do the MODERATE task (comments) and the MESSAGE task
(Messenger), with ``pages_manage_engagement``, ``pages_read_user_content`` and ``pages_messaging``.

``find_reply`` reads the replies of the comment (newest first) or the Messenger thread for a message
from the Page with the same text at or after the given time.
"""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar

from connectors.fields import obj
from connectors.meta.writer import COMMENT_KINDS, GraphWriter
from schemas import ActionKind, InboxMessage, Kind, Platform

#: What a comment reply looks like when we look for ours again.
REPLY_FIELDS = "id,message,created_time,from"


class FacebookWriter(GraphWriter):
    """Acts for one Page (``account_id`` = the Page id). ``options.human_agent: true`` lets a person
    answer a Messenger thread up to 7 days after the citizen's last message (Meta's Human Agent
    permission required)."""

    platform: ClassVar[Platform] = Platform.FACEBOOK
    messaging_platform: ClassVar[str] = "messenger"
    hidden_field: ClassVar[str] = "is_hidden"

    def reply(self, target: InboxMessage, text: str) -> str:
        text = self.require_text(text)
        if target.kind is Kind.DIRECT_MESSAGE:
            return self.send_message(target, text)
        if target.kind in COMMENT_KINDS:
            node = self.thread_comment(target)
        elif target.kind is Kind.POST:
            node = self.native_id(target)
        else:
            raise self.refuse(ActionKind.REPLY, f"a Facebook {target.kind.value} has no comment thread")
        answer = self.send("POST", self.node(node, "comments"), body={"message": text}, once=True)
        return self.created(obj(answer).get("id"), "POST /comments")

    def find_reply(self, target: InboxMessage, text: str, since: datetime) -> str | None:
        if target.kind is Kind.DIRECT_MESSAGE:
            return self.find_message_reply(target, text, since)
        node = self.thread_comment(target) if target.kind in COMMENT_KINDS else self.native_id(target)
        return self.find_comment_reply(self.node(node, "comments"), REPLY_FIELDS, "message", "created_time", text,
                                       since, {"filter": "stream", "order": "reverse_chronological"})

    def comment_only(self, target: InboxMessage, kind: ActionKind) -> None:
        if target.kind is Kind.DIRECT_MESSAGE:
            raise self.refuse(kind, "Messenger offers no way to hide or delete a person's message")
        super().comment_only(target, kind)
