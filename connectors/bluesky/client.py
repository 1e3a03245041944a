"""Bluesky via the AT Protocol (XRPC): mentions, replies and quotes, our own posts, and chat.

Endpoints (``api_base`` is the entryway ``https://bsky.social``; ``options.pds_url`` may name the
account's own PDS; ``--base-url`` swaps only scheme and host):

- ``POST /xrpc/com.atproto.server.createSession`` and ``.refreshSession``: the app-password session;
- ``GET /xrpc/app.bsky.notification.listNotifications``: what citizens write to us. Only the reasons
  ``mention``, ``reply`` and ``quote`` carry a message; likes, reposts, follows and the rest are
  skipped here. Newest first; the connector stops at the stored ``indexedAt`` cursor;
- ``GET /xrpc/app.bsky.feed.getAuthorFeed?actor={did}&filter=posts_with_replies``: our own posts,
  including our replies (which answer the citizens). Reposts and pins in that feed are skipped;
- ``GET /xrpc/chat.bsky.convo.listConvos`` and ``/xrpc/chat.bsky.convo.getMessages``: direct
  messages, proxied by the PDS to the chat service (header ``atproto-proxy``). Off with
  ``options.chat: false``.

Threads. A citizen's post belongs to ``"{thread root uri}:{citizen did}"``: the root is the post's
own uri unless it is a reply. Our reply belongs to ``"{root uri}:{did of the post we answer}"``;
the DID is the authority of the parent's ``at://`` uri, so our answer lands in the same
conversation as the citizen's message, and two citizens in one thread never share a conversation.

Sessions. An access JWT lives about two hours. A request answered with ``ExpiredToken``
(``SessionExpired``) is retried once after ``refreshSession`` (the contract's ``refresh_auth``
hook); if the refresh token is expired or revoked too, the connector logs in again with the app
password. With a plain ``bearer`` token there is no session to renew:
``ExpiredToken`` is an ``AuthError``. Tokens are never logged, stored or put in error messages.

Posts cannot be edited in Bluesky, and deletions are not visible by polling (a deleted post simply
disappears from the listings). A post record rewritten through the protocol gets a new ``cid`` and
then arrives as ``edited``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any, ClassVar

from connectors.base import Connector
from connectors.bluesky.mapping import MESSAGE_REASONS, SYSTEM_MESSAGE_VIEW
from connectors.errors import (
    AuthError,
    ConnectorError,
    FatalRequestError,
    RateLimited,
    RetriableError,
    SessionExpired,
)
from connectors.fields import before, items, later, nonempty, obj, parse_time
from connectors.http import ApiClient, ResponsePolicy
from connectors.pagination import TokenPaginator
from innboks.config.credentials import (
    AnyCredentials,
    AppPasswordCredentials,
    BearerCredentials,
    CredentialError,
    resolve,
)
from schemas import Platform, RawEvent

BSKY_ENTRYWAY = "https://bsky.social"
CREATE_SESSION = "/xrpc/com.atproto.server.createSession"
REFRESH_SESSION = "/xrpc/com.atproto.server.refreshSession"
LIST_NOTIFICATIONS = "/xrpc/app.bsky.notification.listNotifications"
AUTHOR_FEED = "/xrpc/app.bsky.feed.getAuthorFeed"
LIST_CONVOS = "/xrpc/chat.bsky.convo.listConvos"
GET_MESSAGES = "/xrpc/chat.bsky.convo.getMessages"
#: The PDS forwards ``chat.bsky.*`` calls to the Bluesky chat service named by this header.
CHAT_PROXY = {"atproto-proxy": "did:web:api.bsky.chat#bsky_chat"}

MESSAGE_VIEW = "chat.bsky.convo.defs#messageView"
GROUP_CONVO = "chat.bsky.convo.defs#groupConvo"

#: XRPC error names that mean the credentials are missing, wrong, revoked or the account is unusable.
AUTH_ERRORS = frozenset({
    "InvalidToken", "AuthMissing", "AuthenticationRequired", "AccountTakedown", "AccountDeactivated",
    "AuthFactorTokenRequired",
})
#: Temporary server-side problems (the PDS, the AppView or the chat service behind it).
TRANSIENT_ERRORS = frozenset({"InternalServerError", "UpstreamFailure", "UpstreamTimeout", "NotEnoughResources"})
#: Default pause when a rate limit gives no reset time (the PDS windows are 5 minutes).
DEFAULT_RATE_LIMIT_PAUSE = 300.0

_ERROR_NAME = re.compile(r"[A-Za-z][A-Za-z0-9]{0,63}")


class BlueskyPolicy(ResponsePolicy):
    """XRPC errors are ``{"error": "Name", "message": "..."}``; rate limits use ``RateLimit-*`` headers.

    The ``message`` is free text from the server and is never copied into exceptions; the error name
    is, when it looks like an identifier.
    """

    default_pause = DEFAULT_RATE_LIMIT_PAUSE

    def classify(self, status: int, body: Any, headers: Any, path: str, now: float) -> ConnectorError:
        name = body.get("error") if isinstance(body, dict) else None
        if not isinstance(name, str) or not _ERROR_NAME.fullmatch(name):
            return super().classify(status, body, headers, path, now)
        label = f"XRPC error {name} (HTTP {status}) from {path}"
        if name == "ExpiredToken":
            return SessionExpired(f"{label}: token expired or revoked")
        if name in AUTH_ERRORS:
            return AuthError(f"{label}: credentials missing, invalid or revoked")
        if name == "RateLimitExceeded" or status == 429:
            return RateLimited(f"{label}: rate limited", self.pause_for(headers, now))
        if name in TRANSIENT_ERRORS or status >= 500:
            return RetriableError(f"{label}: temporary error")
        if status == 401:
            return AuthError(f"{label}: token rejected")
        return FatalRequestError(label)

def _secret(reference: str) -> str:
    """A referenced secret; a missing one is an ``AuthError`` (the message names the reference only)."""
    try:
        return resolve(reference).get_secret_value()
    except CredentialError as exc:
        raise AuthError(f"bluesky credentials: {exc}") from None


class BlueskySession:
    """The app-password session of one account, shared by the connector and the writer.

    With ``app_password`` credentials: ``createSession`` at the start, ``refreshSession`` when the
    access JWT expired, a new login if the refresh JWT did too. With a plain ``bearer`` token there is
    nothing to renew. Requests go to ``options.pds_url`` (the account's own PDS) or the entryway.
    """

    api_base: ClassVar[str] = BSKY_ENTRYWAY
    account_id: str
    client: ApiClient
    credentials: AnyCredentials | None
    options: dict[str, Any]
    _refresh_jwt: str | None = None

    def open_session(self) -> None:
        if not isinstance(self.client.policy, BlueskyPolicy):
            self.client.policy = BlueskyPolicy()  # XRPC errors and ExpiredToken need the Bluesky policy
        credentials = self.credentials
        if isinstance(credentials, AppPasswordCredentials):
            self._create_session(credentials)
        elif isinstance(credentials, BearerCredentials) and "Authorization" not in self.client.session.headers:
            self._bearer(_secret(credentials.token))

    def _bearer(self, token: str) -> None:
        self.client.session.headers["Authorization"] = f"Bearer {token}"

    def _create_session(self, credentials: AppPasswordCredentials) -> None:
        login = {"identifier": _secret(credentials.identifier), "password": _secret(credentials.password)}
        self.client.session.headers.pop("Authorization", None)  # a stale token must not ride along
        body, _ = self.client.post_json(self.url(CREATE_SESSION), login)
        self._apply_session(body, CREATE_SESSION)

    def _refresh_session(self) -> None:
        """New tokens from the refresh JWT; if that is expired or revoked too, log in again."""
        assert self._refresh_jwt is not None
        try:
            body, _ = self.client.post_json(self.url(REFRESH_SESSION), None,
                                            headers={"Authorization": f"Bearer {self._refresh_jwt}"})
        except AuthError:
            if not isinstance(self.credentials, AppPasswordCredentials):
                raise
            self._refresh_jwt = None
            self._create_session(self.credentials)
            return
        self._apply_session(body, REFRESH_SESSION)

    def _apply_session(self, body: Any, path: str) -> None:
        session = obj(body)
        access, refresh = nonempty(session.get("accessJwt")), nonempty(session.get("refreshJwt"))
        if access is None or refresh is None:
            raise FatalRequestError(f"malformed session from {path}: accessJwt or refreshJwt missing")
        if session.get("did") != self.account_id:
            raise AuthError(f"session from {path} is for another account than the configured DID")
        self._refresh_jwt = refresh
        self._bearer(access)

    def refresh_auth(self) -> bool:
        """Renew the app-password session (a plain bearer token has none to renew)."""
        if self._refresh_jwt is None:
            return False
        self._refresh_session()
        return True

    def url(self, path: str) -> str:
        base = nonempty(self.options.get("pds_url")) or self.api_base
        return f"{base.rstrip('/')}{path}"


class BlueskyConnector(BlueskySession, Connector):
    """Polls one Bluesky account (``account_id`` is its DID).

    Options: ``pds_url`` (the account's own PDS instead of ``https://bsky.social``), ``chat``
    (read direct messages, default true).
    """

    platform: ClassVar[Platform] = Platform.BLUESKY
    api_base: ClassVar[str] = BSKY_ENTRYWAY
    policy = BlueskyPolicy
    #: ``cid`` changes when a post record changes; ``text`` and ``$type`` for chat messages.
    fingerprint_keys: ClassVar[tuple[str, ...]] = ("cid", "text", "$type")
    notification_page_size: ClassVar[int] = 100
    feed_page_size: ClassVar[int] = 100
    convo_page_size: ClassVar[int] = 100
    message_page_size: ClassVar[int] = 100
    #: Listings are read back this far behind the stored cursor. Notifications and feeds are ordered by
    #: the earlier of ``createdAt`` (the author's clock) and the AppView's indexing time, so a post
    #: indexed late can sort just below an item already seen. Repeats are dropped by id.
    overlap: ClassVar[timedelta] = timedelta(minutes=10)

    # -- session ---------------------------------------------------------------------------
    def setup(self) -> None:
        super().setup()
        self.open_session()

    # -- polling -----------------------------------------------------------------------------
    def native_id(self, event: RawEvent) -> str:
        if event.resource == "chat_message":
            convo, message = event.context.get("convo_id"), event.payload.get("id")
            return f"{convo}/{message}" if convo and message else ""
        uri = event.payload.get("uri")
        return uri if isinstance(uri, str) else ""

    def fetch(self) -> Iterator[RawEvent]:
        window = self.window_start()
        yield from self._notifications(window)
        yield from self._own_posts(window)
        if self.options.get("chat", True):
            yield from self._chat(window)

    def _since(self, cursor: str | None, window: datetime) -> datetime:
        stored = parse_time(cursor)
        return stored - self.overlap if stored else window

    def _notifications(self, window: datetime) -> Iterator[RawEvent]:
        """Mentions, replies and quotes, newest first, down to the stored ``indexedAt``."""
        since_text: str | None = self.pending.get("notifications_since")
        since = self._since(since_text, window)
        newest = since_text
        listing = self.pages(self.url(LIST_NOTIFICATIONS), {"limit": self.notification_page_size},
                             TokenPaginator(("cursor",), "cursor", "notifications"))
        for body in listing:
            page = items(body, "notifications")
            fresh = [n for n in page if not before(n.get("indexedAt"), since)]
            for notification in fresh:
                newest = later(newest, notification.get("indexedAt"))
                if notification.get("reason") in MESSAGE_REASONS:
                    yield self.raw("notification", notification)
            if len(fresh) < len(page):
                break
        if newest:
            self.pending["notifications_since"] = newest

    def _own_posts(self, window: datetime) -> Iterator[RawEvent]:
        """Our posts and replies (``posts_with_replies``), newest first, down to the stored ``indexedAt``."""
        since_text: str | None = self.pending.get("posts_since")
        since = self._since(since_text, window)
        newest = since_text
        params = {"actor": self.account_id, "filter": "posts_with_replies", "limit": self.feed_page_size}
        listing = self.pages(self.url(AUTHOR_FEED), params, TokenPaginator(("cursor",), "cursor", "feed"))
        for body in listing:
            reached_cursor = False
            for item in items(body, "feed"):
                if item.get("reason") is not None:
                    continue  # a repost (reasonRepost) or a pinned post (reasonPin): nothing new written
                post = obj(item.get("post"))
                if nonempty(obj(post.get("author")).get("did")) != self.account_id:
                    continue
                if before(post.get("indexedAt"), since):
                    reached_cursor = True
                    break
                newest = later(newest, post.get("indexedAt"))
                yield self.raw("post", post)
            if reached_cursor:
                break
        if newest:
            self.pending["posts_since"] = newest

    def _chat(self, window: datetime) -> Iterator[RawEvent]:
        """Messages of direct conversations with activity since the stored ``sentAt`` cursor.

        Every conversation is listed (the order of ``listConvos`` is not documented); only those whose
        last message is new are read. Group conversations are skipped: one conversation must not
        hold two citizens.
        """
        since_text: str | None = self.pending.get("chat_since")
        since = parse_time(since_text) or window
        newest = since_text
        convos = self.pages(self.url(LIST_CONVOS), {"limit": self.convo_page_size},
                            TokenPaginator(("cursor",), "cursor", "convos"), CHAT_PROXY)
        for convo in (c for body in convos for c in items(body, "convos")):
            convo_id = nonempty(convo.get("id"))
            last = obj(convo.get("lastMessage"))
            if convo_id is None or not last or before(last.get("sentAt"), since):
                continue
            if obj(convo.get("kind")).get("$type") == GROUP_CONVO:
                continue
            names = {m.get("did"): nonempty(m.get("displayName")) or nonempty(m.get("handle"))
                     for m in items(convo, "members")}
            messages = self.pages(self.url(GET_MESSAGES), {"convoId": convo_id, "limit": self.message_page_size},
                                  TokenPaginator(("cursor",), "cursor", "messages"), CHAT_PROXY)
            for body in messages:
                page = items(body, "messages")
                fresh = [m for m in page if not before(m.get("sentAt"), since)]
                for message in fresh:
                    newest = later(newest, message.get("sentAt"))
                    if message.get("$type") == SYSTEM_MESSAGE_VIEW:
                        continue
                    sender = obj(message.get("sender")).get("did")
                    yield self.raw("chat_message", message, convo_id=convo_id, sender_name=names.get(sender))
                if len(fresh) < len(page):
                    break
        if newest:
            self.pending["chat_since"] = newest
