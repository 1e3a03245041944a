"""What the Facebook and Instagram writers share: Graph API errors of writes, versioned nodes and edges,
and replies in a direct-message thread through the Send API.

Sending a message (``POST /{version}/{page-id}/messages``) is allowed only in answer to a person who
wrote to the account, within Meta's *standard messaging window*: 24 hours after the person's last
message. Outside it, the writer refuses with ``NotSupported`` before calling the API (and Meta
answers error 10/2018278 if the window closed meanwhile). Only when the account's registry options
enable ``human_agent: true`` (the app has Meta's *Human Agent* permission, and a person writes the
reply) is a reply sent up to 7 days after the last message, as ``messaging_type=MESSAGE_TAG`` with
``tag=HUMAN_AGENT``.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, ClassVar

from connectors.errors import ConnectorError, FatalRequestError
from connectors.fields import items, nonempty, obj, parse_time
from connectors.http import ResponsePolicy
from connectors.meta.client import GRAPH_HOST, GraphPolicy, graph_version
from connectors.pagination import GraphPaginator
from connectors.writer import (
    NotSupported,
    PermissionMissing,
    PlatformWriter,
    TargetGone,
    posted_since,
    same_text,
    write_error,
)
from schemas import ActionKind, InboxMessage, Kind

#: What Graph can hide, delete and reply under: comments and replies to comments.
COMMENT_KINDS = (Kind.COMMENT, Kind.REPLY)

#: The standard messaging window and the Human Agent window after a person's last message.
STANDARD_WINDOW = timedelta(hours=24)
HUMAN_AGENT_WINDOW = timedelta(days=7)

#: Graph ``(code, subcode)`` pairs of writes, beyond those ``GraphPolicy`` knows.
OBJECT_GONE = (100, 33)  # "Object with ID ... does not exist, cannot be loaded ... or does not support this operation"
NO_MATCHING_USER = (100, 2018001)  # Send API: no user with that PSID/IGSID (left, deleted, never wrote)
OUTSIDE_WINDOW = (10, 2018278)  # Send API: "This message is sent outside of allowed window"
#: Send API: "This person isn't available right now" (they turned off messages from the account).
PERSON_UNAVAILABLE = 551
MESSAGE_FIELDS = "id,message,created_time,from"


class GraphWritePolicy(GraphPolicy):
    """``GraphPolicy`` plus what a write can meet: a missing permission (code 10, 200-299) is
    ``PermissionMissing``; a deleted object (100/33) or unknown recipient ``TargetGone``; a closed
    messaging window or a person who blocked messages ``NotSupported``."""

    def classify(self, status: int, body: Any, headers: Any, path: str, now: float) -> ConnectorError:
        error = body.get("error") if isinstance(body, dict) else None
        if isinstance(error, dict):
            code, subcode = error.get("code"), error.get("error_subcode")
            label = f"Graph error {code}" + (f"/{subcode}" if subcode else "") + f" from {path}"
            if (code, subcode) == OUTSIDE_WINDOW:
                return NotSupported(f"{label}: outside the messaging window (24 hours after the person's last message)")
            if code == PERSON_UNAVAILABLE:
                return NotSupported(f"{label}: the person does not take messages from the account now")
            if (code, subcode) in (OBJECT_GONE, NO_MATCHING_USER):
                return TargetGone(f"{label}: the comment, post or person no longer exists (or cannot be seen)")
            if code == 10 or (isinstance(code, int) and 200 <= code < 300):
                return PermissionMissing(f"{label}: permission missing (a scope or the Page task)")
        return write_error(super().classify(status, body, headers, path, now), status)


class GraphWriter(PlatformWriter):
    """Base of the Facebook and Instagram writers: Graph host, write policy, versioned paths, Send API."""

    api_base: ClassVar[str] = GRAPH_HOST
    policy: ClassVar[type[ResponsePolicy]] = GraphWritePolicy
    #: ``platform`` parameter of the Conversations API (``messenger`` or ``instagram``).
    messaging_platform: ClassVar[str]
    #: The field that hides a comment: ``is_hidden`` (Facebook) or ``hide`` (Instagram).
    hidden_field: ClassVar[str]

    # -- moderating comments (hide, unhide, delete: the same on both) ---------------------------
    def hide(self, target: InboxMessage) -> None:
        self._set_hidden(target, ActionKind.HIDE, True)

    def unhide(self, target: InboxMessage) -> None:
        self._set_hidden(target, ActionKind.UNHIDE, False)

    def delete(self, target: InboxMessage) -> None:
        self.comment_only(target, ActionKind.DELETE)
        _succeeded(self.send("DELETE", self.node(self.native_id(target))), "DELETE")

    def _set_hidden(self, target: InboxMessage, kind: ActionKind, hidden: bool) -> None:
        self.comment_only(target, kind)
        _succeeded(self.send("POST", self.node(self.native_id(target)), body={self.hidden_field: hidden}), "POST")

    def comment_only(self, target: InboxMessage, kind: ActionKind) -> None:
        """Refuse to hide or delete anything but a comment (subclasses say why in their words)."""
        if target.kind not in COMMENT_KINDS:
            raise self.refuse(kind, f"only comments can be hidden or deleted, not a {target.kind.value}")


    @property
    def version(self) -> str:
        return graph_version(self.options)

    def node(self, node: str, edge: str | None = None) -> str:
        """``/{version}/{node}`` or ``/{version}/{node}/{edge}`` on the Graph host."""
        return self.url(f"/{self.version}/{node}" + (f"/{edge}" if edge else ""))

    def ours(self, author: dict[str, Any]) -> bool:
        """Whether a Graph ``from`` object is our account."""
        return nonempty(author.get("id")) == self.account_id

    @staticmethod
    def thread_comment(target: InboxMessage) -> str:
        """The top-level comment a reply goes under: the comment itself, or the one a reply belongs to.

        Graph threads are one level deep (Instagram refuses replies to replies; Facebook files them
        under the top-level comment), and Innboks keys a comment thread by its top-level comment.
        """
        if target.kind is Kind.REPLY:
            return target.parent_id or target.conversation_id
        return PlatformWriter.native_id(target)

    # -- comments -------------------------------------------------------------------------------
    def find_comment_reply(self, edge_url: str, fields: str, text_key: str, time_key: str, text: str,
                           since: datetime, extra: dict[str, str] | None = None) -> str | None:
        """Our reply with ``text`` at or after ``since`` among the comments of ``edge_url`` (a few pages)."""
        params: dict[str, Any] = {"fields": fields, "limit": 100, **(extra or {})}
        for body in self.pages(edge_url, params, GraphPaginator()):
            for comment in items(body, "data"):
                if (self.ours(obj(comment.get("from"))) and same_text(text, comment.get(text_key))
                        and posted_since(comment.get(time_key), since)):
                    return nonempty(comment.get("id"))
        return None

    # -- direct messages (Send API) -------------------------------------------------------------
    def page_id(self) -> str:
        """The Facebook Page that sends messages (its id is ``account_id`` for a Page)."""
        return self.account_id

    def recipient(self, target: InboxMessage) -> str:
        """The person's page-scoped id (PSID/IGSID): the author of their message, or the thread's key."""
        if target.inbound and target.author_id:
            return target.author_id
        return target.conversation_id

    def send_message(self, target: InboxMessage, text: str) -> str:
        """Reply in a direct-message thread; the new message id (``m_…``)."""
        recipient = self.recipient(target)
        now = self.clock()
        last = target.created_at if target.inbound else None
        if last is None or now - last > STANDARD_WINDOW:
            last = self._last_inbound(recipient) or last
        body: dict[str, Any] = {"recipient": {"id": recipient}, "message": {"text": text}}
        if last is not None and now - last <= STANDARD_WINDOW:
            body["messaging_type"] = "RESPONSE"
        elif last is not None and now - last <= HUMAN_AGENT_WINDOW and self.options.get("human_agent") is True:
            body["messaging_type"] = "MESSAGE_TAG"
            body["tag"] = "HUMAN_AGENT"
        else:
            hours = int((now - last).total_seconds() // 3600) if last is not None else None
            elapsed = f"{hours} hours" if hours is not None else "an unknown time"
            raise self.refuse(ActionKind.REPLY, f"the person's last message was {elapsed} ago; Meta allows "
                                                "replies only within 24 hours (7 days with the Human Agent "
                                                "permission and options.human_agent)")
        answer = self.send("POST", self.node(self.page_id(), "messages"), body=body, once=True)
        return self.created(obj(answer).get("message_id"), "the Send API")

    def find_message_reply(self, target: InboxMessage, text: str, since: datetime) -> str | None:
        conversation = self._conversation(self.recipient(target))
        if conversation is None:
            return None
        for message in self._messages(conversation):
            created = message.get("created_time")
            if not posted_since(created, since):
                break  # newest first: the rest is older
            if self.ours(obj(message.get("from"))) and same_text(text, message.get("message")):
                return nonempty(message.get("id"))
        return None

    def _conversation(self, person: str) -> str | None:
        """The conversation between the Page and one person (``user_id``: their PSID or IGSID)."""
        params = {"platform": self.messaging_platform, "user_id": person, "fields": "id,updated_time"}
        answer = self.send("GET", self.node(self.page_id(), "conversations"), params=params)
        found = items(answer, "data")
        return nonempty(found[0].get("id")) if found else None

    def _messages(self, conversation: str) -> list[dict[str, Any]]:
        answer = self.send("GET", self.node(conversation, "messages"), params={"fields": MESSAGE_FIELDS, "limit": 25})
        return items(answer, "data")

    def _last_inbound(self, person: str) -> datetime | None:
        """When the person last wrote to us (the window opens again with every message of theirs)."""
        conversation = self._conversation(person)
        if conversation is None:
            return None
        for message in self._messages(conversation):  # newest first
            if not self.ours(obj(message.get("from"))):
                return parse_time(message.get("created_time"))
        return None


def _succeeded(answer: object, method: str) -> None:
    if obj(answer).get("success") is not True:
        raise FatalRequestError(f"Graph answered {method} on a comment without success: true")
