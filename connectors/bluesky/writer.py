"""Acting on Bluesky through the AT Protocol (XRPC): replies, chat replies, and hiding replies in our threads.

Endpoints (``options.pds_url`` or the entryway ``https://bsky.social``; ``--base-url`` swaps only
scheme and host; the session is the connector's, see ``BlueskySession``):

- ``GET /xrpc/app.bsky.feed.getPostThread?uri=…&depth=0&parentHeight=0``: the post we answer, for its
  ``cid`` and its ``record.reply.root`` (a reply's strong references need both ``uri`` and ``cid``).
- ``POST /xrpc/com.atproto.repo.createRecord`` with ``{"repo": <our DID>, "collection":
  "app.bsky.feed.post", "record": {"$type", "text", "createdAt", "reply": {"root", "parent"}}}``:
  our reply; links in the text get ``app.bsky.richtext.facet#link`` facets (UTF-8 byte offsets).
  Answer ``{"uri", "cid", "commit", "validationStatus"}``.
- ``POST /xrpc/chat.bsky.convo.sendMessage`` with ``{"convoId", "message": {"text"}}`` and the header
  ``atproto-proxy: did:web:api.bsky.chat#bsky_chat`` (the PDS forwards it to the chat service).
  Answer: the ``messageView``.
- Hiding a reply: the thread's ``app.bsky.feed.threadgate`` record (same rkey as the thread's first
  post, in our repository) lists it in ``hiddenReplies`` (at most 50). ``getRecord`` reads the
  current gate, ``putRecord`` writes it back with ``swapRecord`` = its ``cid`` (a concurrent change
  makes the PDS answer ``InvalidSwap`` and the gate is read again). Who may reply (``allow``) is
  kept exactly as it was: absent means everyone, and an absent ``allow`` stays absent.
- ``find_reply``: ``com.atproto.repo.listRecords`` of our own posts (newest first, read from our PDS,
  so a reply the AppView has not indexed yet is found), or ``chat.bsky.convo.getMessages``.

Only the author of a thread's first post can hide replies in it, so hiding works in threads our
account started. Bluesky lets an account delete only its own records.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any, ClassVar

from connectors.bluesky.client import CHAT_PROXY, GET_MESSAGES, BlueskyPolicy, BlueskySession
from connectors.bluesky.mapping import POST_COLLECTION, parse_at_uri
from connectors.errors import AuthError, ConnectorError, FatalRequestError
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
from schemas import ActionKind, InboxMessage, Kind, Platform

GET_POST_THREAD = "/xrpc/app.bsky.feed.getPostThread"
CREATE_RECORD = "/xrpc/com.atproto.repo.createRecord"
PUT_RECORD = "/xrpc/com.atproto.repo.putRecord"
GET_RECORD = "/xrpc/com.atproto.repo.getRecord"
LIST_RECORDS = "/xrpc/com.atproto.repo.listRecords"
SEND_MESSAGE = "/xrpc/chat.bsky.convo.sendMessage"
THREADGATE = "app.bsky.feed.threadgate"
#: The lexicon's limit on ``hiddenReplies``.
MAX_HIDDEN_REPLIES = 50
NOT_FOUND_POST = "app.bsky.feed.defs#notFoundPost"
BLOCKED_POST = "app.bsky.feed.defs#blockedPost"
_URL = re.compile(r"https?://[^\s<>\"]+[^\s<>\".,;:!?)\]]")
PUBLIC_KINDS = (Kind.MENTION, Kind.REPLY, Kind.COMMENT, Kind.POST)


class SwapConflict(FatalRequestError):
    """``InvalidSwap``: the record changed since it was read."""


class BlueskyWritePolicy(BlueskyPolicy):
    """``BlueskyPolicy`` for writes: a record or conversation that is gone is ``TargetGone``, a locked
    or blocked conversation ``NotSupported``, an app password without chat access (``InvalidToken``
    "Bad token scope") ``PermissionMissing``."""

    GONE = frozenset({"NotFound", "RecordNotFound", "InvalidConvo", "ReplyTargetNotFound"})
    CANNOT = {"ConvoLocked": "the conversation is locked", "BlockedActor": "we have blocked the person",
              "BlockedByActor": "the person has blocked us"}

    def classify(self, status: int, body: Any, headers: Any, path: str, now: float) -> ConnectorError:
        name, message = obj(body).get("error"), obj(body).get("message")
        label = f"XRPC error {name} (HTTP {status}) from {path}" if isinstance(name, str) else f"HTTP {status}"
        if name == "InvalidToken" and message == "Bad token scope":
            return PermissionMissing(f"{label}: the app password does not allow this (direct messages need an app "
                                     "password with access to them)")
        if name in self.GONE:
            return TargetGone(f"{label}: the post or conversation no longer exists")
        if isinstance(name, str) and name in self.CANNOT:
            return NotSupported(f"{label}: {self.CANNOT[name]}")
        if name == "InvalidSwap":
            return SwapConflict(f"{label}: the record changed meanwhile")
        classified = super().classify(status, body, headers, path, now)
        return classified if isinstance(classified, AuthError) else write_error(classified, status)


def link_facets(text: str) -> list[dict[str, Any]]:
    """``app.bsky.richtext.facet#link`` facets for the URLs in ``text`` (byte offsets in UTF-8)."""
    facets = []
    for match in _URL.finditer(text):
        start = len(text[:match.start()].encode())
        facets.append({"index": {"byteStart": start, "byteEnd": start + len(match.group().encode())},
                       "features": [{"$type": "app.bsky.richtext.facet#link", "uri": match.group()}]})
    return facets


class BlueskyWriter(BlueskySession, PlatformWriter):
    """Acts for one Bluesky account (``account_id`` = its DID). Options: ``pds_url``, as for reading."""

    platform: ClassVar[Platform] = Platform.BLUESKY
    policy: ClassVar[type[ResponsePolicy]] = BlueskyWritePolicy
    _session_open = False

    def reply(self, target: InboxMessage, text: str) -> str:
        text = self.require_text(text)
        self._ensure_session()
        if target.kind is Kind.DIRECT_MESSAGE:
            answer = self.send("POST", self.url(SEND_MESSAGE), body={"convoId": target.conversation_id,
                                                                     "message": {"text": text}},
                               headers=dict(CHAT_PROXY), once=True)
            message_id = self.created(obj(answer).get("id"), "chat.bsky.convo.sendMessage")
            return f"{target.conversation_id}/{message_id}"
        post = self._post(target)
        parent = {"uri": post["uri"], "cid": post["cid"]}
        root = obj(obj(obj(post.get("record")).get("reply")).get("root"))
        record: dict[str, Any] = {
            "$type": POST_COLLECTION, "text": text, "createdAt": _timestamp(self.clock()),
            "reply": {"root": {"uri": root["uri"], "cid": root["cid"]} if _strong(root) else parent,
                      "parent": parent},
        }
        if facets := link_facets(text):
            record["facets"] = facets
        answer = self.send("POST", self.url(CREATE_RECORD), once=True,
                           body={"repo": self.account_id, "collection": POST_COLLECTION, "record": record})
        return self.created(obj(answer).get("uri"), "com.atproto.repo.createRecord")

    def hide(self, target: InboxMessage) -> None:
        self._gate(target, ActionKind.HIDE, True)

    def unhide(self, target: InboxMessage) -> None:
        self._gate(target, ActionKind.UNHIDE, False)

    def find_reply(self, target: InboxMessage, text: str, since: datetime) -> str | None:
        self._ensure_session()
        if target.kind is Kind.DIRECT_MESSAGE:
            return self._find_message(target, text, since)
        answered = self.native_id(target)
        params = {"repo": self.account_id, "collection": POST_COLLECTION, "limit": 100}
        for body in self.pages(self.url(LIST_RECORDS), params, TokenPaginator(("cursor",), "cursor", "records")):
            for record in items(body, "records"):
                value = obj(record.get("value"))
                if not posted_since(value.get("createdAt"), since):
                    return None  # newest first (record keys are creation-time TIDs)
                parent = obj(obj(value.get("reply")).get("parent")).get("uri")
                if parent == answered and same_text(text, value.get("text")):
                    return nonempty(record.get("uri"))
        return None

    # -- internals -----------------------------------------------------------------------------
    def _ensure_session(self) -> None:
        if not self._session_open:
            self.open_session()
            self._session_open = True

    def _post(self, target: InboxMessage) -> dict[str, Any]:
        """The post view of a public message (``uri``, ``cid``, ``record``), from ``getPostThread``."""
        if target.kind not in PUBLIC_KINDS:
            raise self.refuse(ActionKind.REPLY, f"a Bluesky {target.kind.value} is not a post")
        answer = self.send("GET", self.url(GET_POST_THREAD),
                           params={"uri": self.native_id(target), "depth": 0, "parentHeight": 0})
        thread = obj(obj(answer).get("thread"))
        if thread.get("$type") == NOT_FOUND_POST:
            raise TargetGone("the post no longer exists")
        if thread.get("$type") == BLOCKED_POST:
            raise NotSupported("bluesky cannot act on this post: a block between the accounts hides it")
        post = obj(thread.get("post"))
        if not _strong(post):
            raise FatalRequestError("malformed answer of app.bsky.feed.getPostThread: post uri or cid missing")
        return post

    def _gate(self, target: InboxMessage, kind: ActionKind, hidden: bool) -> None:
        self._ensure_session()
        if target.kind not in PUBLIC_KINDS:
            raise self.refuse(kind, "only replies in a thread can be hidden; a chat message cannot")
        post = self._post(target)
        root = nonempty(obj(obj(obj(post.get("record")).get("reply")).get("root")).get("uri"))
        parts = parse_at_uri(root)
        if root is None or parts is None or parts[2] is None:
            raise self.refuse(kind, "only replies can be hidden, and this post replies to nothing")
        if parts[0] != self.account_id:
            raise self.refuse(kind, "only the author of a thread's first post can hide replies in it, and this "
                                    "thread was started by another account")
        for attempt in (1, 2):
            try:
                self._write_gate(root, parts[2], post["uri"], kind, hidden)
                return
            except SwapConflict:
                if attempt == 2:
                    raise

    def _write_gate(self, root: str, rkey: str, reply: str, kind: ActionKind, hidden: bool) -> None:
        try:
            current = obj(self.send("GET", self.url(GET_RECORD),
                                    params={"repo": self.account_id, "collection": THREADGATE, "rkey": rkey}))
        except TargetGone:  # RecordNotFound: the thread has no gate yet
            current = {}
        gate = dict(obj(current.get("value"))) or {"$type": THREADGATE, "post": root,
                                                    "createdAt": _timestamp(self.clock())}
        listed = [uri for uri in gate.get("hiddenReplies") or [] if isinstance(uri, str)]
        if (reply in listed) == hidden:
            return  # already so
        if hidden and len(listed) >= MAX_HIDDEN_REPLIES:
            raise self.refuse(kind, f"a Bluesky thread can hide at most {MAX_HIDDEN_REPLIES} replies")
        gate["hiddenReplies"] = [*listed, reply] if hidden else [uri for uri in listed if uri != reply]
        body: dict[str, Any] = {"repo": self.account_id, "collection": THREADGATE, "rkey": rkey, "record": gate}
        if nonempty(current.get("cid")):
            body["swapRecord"] = current["cid"]
        self.send("POST", self.url(PUT_RECORD), body=body)

    def _find_message(self, target: InboxMessage, text: str, since: datetime) -> str | None:
        params = {"convoId": target.conversation_id, "limit": 50}
        for body in self.pages(self.url(GET_MESSAGES), params, TokenPaginator(("cursor",), "cursor", "messages"),
                               headers=dict(CHAT_PROXY)):
            for message in items(body, "messages"):  # newest first
                if not posted_since(message.get("sentAt"), since):
                    return None
                if obj(message.get("sender")).get("did") == self.account_id and same_text(text, message.get("text")):
                    return f"{target.conversation_id}/{message.get('id')}"
        return None


def _strong(ref: dict[str, Any]) -> bool:
    return bool(nonempty(ref.get("uri")) and nonempty(ref.get("cid")))


def _timestamp(moment: datetime) -> str:
    """RFC 3339 with milliseconds and ``Z``, as Bluesky's clients write ``createdAt``."""
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"
