"""connectors/bluesky/client.py: the connector against recorded XRPC responses: sessions, listings, errors."""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
import requests

from connectors.base import MemoryCursorStore
from connectors.bluesky.client import BlueskyConnector, BlueskyPolicy
from connectors.errors import AuthError, FatalRequestError, RateLimited, RetriableError, SessionExpired
from connectors.fields import obj
from connectors.http import ApiClient
from innboks.config.credentials import AppPasswordCredentials, BearerCredentials
from schemas import Event, Kind, Platform
from tests.fakeapi import FakeApi, load
from tests.helpers import ListSink
from tests.unit.connectors.bluesky.helpers import CONVO, INGRID, NILS, NOW, US, notification

NOTIFICATIONS = r"/xrpc/app\.bsky\.notification\.listNotifications"
FEED = r"/xrpc/app\.bsky\.feed\.getAuthorFeed"
CONVOS = r"/xrpc/chat\.bsky\.convo\.listConvos"
MESSAGES = r"/xrpc/chat\.bsky\.convo\.getMessages"
CREATE = r"/xrpc/com\.atproto\.server\.createSession"
REFRESH = r"/xrpc/com\.atproto\.server\.refreshSession"



class RecordingSession(requests.Session):
    """Keeps the JSON bodies sent (the fake API does not record request bodies)."""

    def __init__(self) -> None:
        super().__init__()
        self.bodies: list[tuple[str, Any]] = []

    def request(self, method: Any, url: Any, *args: Any, **kwargs: Any) -> requests.Response:
        if method == "POST":
            self.bodies.append((str(url), kwargs.get("json")))
        return super().request(method, url, *args, **kwargs)


def full_api(api: FakeApi) -> FakeApi:
    """Two pages of notifications, three of our feed (the last empty), one chat conversation."""
    api.route("GET", NOTIFICATIONS, lambda req: (200, {}, load(
        "bluesky/notifications_page2.json" if req.query.get("cursor") else "bluesky/notifications_page1.json")))
    feed_pages = {None: "author_feed_page1", "2026-11-16T08:30:46.702Z": "author_feed_page2",
                  "2026-11-15T07:30:00.112Z": "author_feed_empty"}
    api.route("GET", FEED, lambda req: (200, {}, load(f"bluesky/{feed_pages[req.query.get('cursor')]}.json")))
    api.json("GET", CONVOS, load("bluesky/convos.json"))
    api.json("GET", MESSAGES, load("bluesky/messages.json"))
    api.json("POST", CREATE, load("bluesky/session_create.json"))
    api.json("POST", REFRESH, load("bluesky/session_refresh.json"))
    return api


def connector(api: FakeApi, sink: ListSink | None = None, cursors: MemoryCursorStore | None = None,
              credentials: Any = None, token: str | None = "bearer-token", options: dict[str, Any] | None = None,
              session: requests.Session | None = None, **client: Any) -> BlueskyConnector:
    http = ApiClient(base_url=api.url, token=token if credentials is None else None, session=session,
                     policy=BlueskyPolicy(), sleep=lambda s: None, **client)
    return BlueskyConnector(US, http, sink or ListSink(), cursors=cursors, clock=lambda: NOW,
                            backfill=timedelta(days=7), options=options, credentials=credentials)


@pytest.fixture()
def api() -> Iterator[FakeApi]:
    with FakeApi() as running:
        yield running


@pytest.fixture()
def app_password(monkeypatch: pytest.MonkeyPatch) -> AppPasswordCredentials:
    monkeypatch.setenv("INNBOKS_BSKY_IDENTIFIER", "altakommune.bsky.social")
    monkeypatch.setenv("INNBOKS_BSKY_APP_PASSWORD", "abcd-efgh-ijkl-mnop")
    return AppPasswordCredentials(identifier="env:INNBOKS_BSKY_IDENTIFIER", password="env:INNBOKS_BSKY_APP_PASSWORD")


def poll(conn: BlueskyConnector) -> int:
    conn.setup()
    sent = conn.poll()
    conn.flush()
    return sent


# -- connector ----------------------------------------------------------------------------------

def test_full_poll_follows_every_page_and_skips_non_messages(api: FakeApi) -> None:
    full_api(api)
    sink = ListSink()
    sent = poll(connector(api, sink))
    by_resource = {r: [e for e in sink.events if e.resource == r] for r in ("notification", "post", "chat_message")}
    # notifications: quote, mention (page 1), reply (page 2); the old mention is before the window
    assert [e.payload["reason"] for e in by_resource["notification"]] == ["quote", "mention", "reply"]
    # our feed: P3, P2, A2 (the repost is skipped), A1, P1
    assert len(by_resource["post"]) == 5
    assert all(obj(e.payload["author"]).get("did") == US for e in by_resource["post"])
    # chat: three messages since the window in the active convo; the other convo is older than the window
    assert len(by_resource["chat_message"]) == 3
    assert all(e.context["convo_id"] == CONVO for e in by_resource["chat_message"])
    assert sent == 11
    kinds = sorted(m.kind.value for m in sink.messages())
    assert kinds == ["direct_message"] * 3 + ["mention"] * 2 + ["post"] * 3 + ["reply"] * 3
    paths = api.paths()
    assert paths.count("/xrpc/app.bsky.notification.listNotifications") == 2  # stopped at the window
    assert paths.count("/xrpc/app.bsky.feed.getAuthorFeed") == 3  # the third page is empty
    assert paths.count("/xrpc/chat.bsky.convo.getMessages") == 1  # only the convo with new activity


def test_requests_use_the_documented_paths_parameters_and_headers(api: FakeApi) -> None:
    full_api(api)
    poll(connector(api, token="access-jwt"))
    notes = [r for r in api.requests if r.path.endswith("listNotifications")]
    assert notes[0].query == {"limit": "100"}
    assert notes[1].query == {"limit": "100", "cursor": "2026-11-16T07:40:19.557Z"}
    feed = [r for r in api.requests if r.path.endswith("getAuthorFeed")]
    assert feed[0].query == {"actor": US, "filter": "posts_with_replies", "limit": "100"}
    assert feed[1].query["cursor"] == "2026-11-16T08:30:46.702Z"
    convos = next(r for r in api.requests if r.path.endswith("listConvos"))
    messages = next(r for r in api.requests if r.path.endswith("getMessages"))
    assert messages.query == {"convoId": CONVO, "limit": "100"}
    for request in (convos, messages):
        assert request.headers["atproto-proxy"] == "did:web:api.bsky.chat#bsky_chat"
    assert all("atproto-proxy" not in r.headers for r in notes + feed)
    assert all(r.headers["authorization"] == "Bearer access-jwt" for r in api.requests)


def test_app_password_opens_a_session_and_sends_the_access_jwt(api: FakeApi,
                                                             app_password: AppPasswordCredentials) -> None:
    full_api(api)
    session = RecordingSession()
    poll(connector(api, credentials=app_password, session=session))
    assert api.requests[0].method == "POST" and api.requests[0].path == "/xrpc/com.atproto.server.createSession"
    assert "authorization" not in api.requests[0].headers
    assert session.bodies == [(f"{api.url}/xrpc/com.atproto.server.createSession",
                               {"identifier": "altakommune.bsky.social", "password": "abcd-efgh-ijkl-mnop"})]
    access = load("bluesky/session_create.json")["accessJwt"]
    assert all(r.headers["authorization"] == f"Bearer {access}" for r in api.requests[1:])


def test_expired_access_token_is_refreshed_once_and_the_request_retried(
        api: FakeApi, app_password: AppPasswordCredentials) -> None:
    full_api(api)
    api.routes = [r for r in api.routes if "listNotifications" not in r[1].pattern]
    api.sequence("GET", NOTIFICATIONS, [(400, {}, load("bluesky/error_expired_token.json")),
                                        (200, {}, load("bluesky/notifications_empty.json"))])
    poll(connector(api, credentials=app_password, options={"chat": False}))
    created, refreshed = load("bluesky/session_create.json"), load("bluesky/session_refresh.json")
    assert api.paths()[:4] == ["/xrpc/com.atproto.server.createSession",
                               "/xrpc/app.bsky.notification.listNotifications",
                               "/xrpc/com.atproto.server.refreshSession",
                               "/xrpc/app.bsky.notification.listNotifications"]
    assert api.requests[2].headers["authorization"] == f"Bearer {created['refreshJwt']}"
    assert api.requests[3].headers["authorization"] == f"Bearer {refreshed['accessJwt']}"
    assert api.requests[4].headers["authorization"] == f"Bearer {refreshed['accessJwt']}"


def test_revoked_refresh_token_logs_in_again(api: FakeApi, app_password: AppPasswordCredentials) -> None:
    api.sequence("GET", NOTIFICATIONS, [(400, {}, load("bluesky/error_expired_token.json")),
                                        (200, {}, load("bluesky/notifications_empty.json"))])
    api.json("GET", FEED, load("bluesky/author_feed_empty.json"))
    api.json("POST", CREATE, load("bluesky/session_create.json"))
    api.json("POST", REFRESH, {"error": "ExpiredToken", "message": "Token has been revoked"}, status=400)
    poll(connector(api, credentials=app_password, options={"chat": False}))
    assert api.paths()[:5] == ["/xrpc/com.atproto.server.createSession",
                               "/xrpc/app.bsky.notification.listNotifications",
                               "/xrpc/com.atproto.server.refreshSession",
                               "/xrpc/com.atproto.server.createSession",
                               "/xrpc/app.bsky.notification.listNotifications"]


def test_expired_bearer_token_is_an_auth_error_without_retry(api: FakeApi) -> None:
    api.json("GET", NOTIFICATIONS, load("bluesky/error_expired_token.json"), status=400)
    conn = connector(api, token="old-token")
    conn.setup()
    with pytest.raises(AuthError) as info:
        conn.poll()
    assert isinstance(info.value, SessionExpired)
    assert "ExpiredToken" in str(info.value) and "old-token" not in str(info.value)
    assert api.paths() == ["/xrpc/app.bsky.notification.listNotifications"]


@pytest.mark.parametrize("status, fixture", [(401, "error_invalid_token"), (400, "error_invalid_token")])
def test_invalid_token_is_an_auth_error(api: FakeApi, status: int, fixture: str) -> None:
    api.json("GET", NOTIFICATIONS, load(f"bluesky/{fixture}.json"), status=status)
    conn = connector(api)
    conn.setup()
    with pytest.raises(AuthError):
        conn.poll()
    assert len(api.requests) == 1


def test_wrong_app_password_fails_setup_with_an_auth_error(api: FakeApi,
                                                          app_password: AppPasswordCredentials) -> None:
    api.json("POST", CREATE, load("bluesky/error_invalid_credentials.json"), status=401)
    with pytest.raises(AuthError) as info:
        connector(api, credentials=app_password).setup()
    assert "AuthenticationRequired" in str(info.value) and "abcd" not in str(info.value)
    assert len(api.requests) == 1


def test_session_for_another_account_is_refused(api: FakeApi, app_password: AppPasswordCredentials) -> None:
    other = dict(load("bluesky/session_create.json"), did=NILS)
    api.json("POST", CREATE, other)
    with pytest.raises(AuthError, match="another account"):
        connector(api, credentials=app_password).setup()


def test_missing_secret_is_an_auth_error(api: FakeApi, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("INNBOKS_BSKY_NOPE", raising=False)
    credentials = AppPasswordCredentials(identifier="env:INNBOKS_BSKY_NOPE", password="env:INNBOKS_BSKY_NOPE")
    with pytest.raises(AuthError, match="INNBOKS_BSKY_NOPE"):
        connector(api, credentials=credentials).setup()
    assert api.requests == []


def test_bearer_credentials_set_the_header(api: FakeApi, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("INNBOKS_BSKY_TOKEN", "long-lived")
    api.json("GET", NOTIFICATIONS, load("bluesky/notifications_empty.json"))
    api.json("GET", FEED, load("bluesky/author_feed_empty.json"))
    poll(connector(api, credentials=BearerCredentials(token="env:INNBOKS_BSKY_TOKEN"), options={"chat": False}))
    assert [r.headers["authorization"] for r in api.requests] == ["Bearer long-lived"] * 2


def test_rate_limit_with_ratelimit_headers(api: FakeApi) -> None:
    now = 1_794_830_000.0
    headers = {"RateLimit-Limit": "3000", "RateLimit-Remaining": "0", "RateLimit-Reset": str(int(now + 240)),
               "RateLimit-Policy": "3000;w=300"}
    api.json("GET", NOTIFICATIONS, load("bluesky/error_rate_limited.json"), status=429, headers=headers)
    conn = connector(api, clock=lambda: now)
    conn.setup()
    with pytest.raises(RateLimited) as info:
        conn.poll()
    assert info.value.retry_after == pytest.approx(240)
    assert len(api.requests) == 1  # the reset is beyond the client's max wait: no retry in this poll


def test_rate_limit_body_without_headers_pauses_by_default() -> None:
    error = BlueskyPolicy().classify(429, {"error": "RateLimitExceeded", "message": "x"}, {}, "/xrpc/a", 0.0)
    assert isinstance(error, RateLimited) and error.retry_after == 300.0


def test_policy_classifies_xrpc_errors() -> None:
    policy = BlueskyPolicy()
    assert isinstance(policy.classify(401, {"error": "AuthMissing"}, {}, "/x", 0), AuthError)
    assert isinstance(policy.classify(401, {"error": "AuthenticationRequired"}, {}, "/x", 0), AuthError)
    assert isinstance(policy.classify(502, {"error": "UpstreamFailure"}, {}, "/x", 0), RetriableError)
    fatal = policy.classify(400, {"error": "InvalidRequest", "message": "Kari Nordmann 12345678901"}, {}, "/x", 0)
    assert isinstance(fatal, FatalRequestError) and "Kari" not in str(fatal)
    odd = policy.classify(400, {"error": "<script>Kari</script>"}, {}, "/x", 0)
    assert isinstance(odd, FatalRequestError) and "Kari" not in str(odd)


def test_malformed_json_is_a_fatal_request_error(api: FakeApi) -> None:
    api.route("GET", NOTIFICATIONS, lambda req: (200, {}, '{"notifications": ['))
    conn = connector(api)
    conn.setup()
    with pytest.raises(FatalRequestError, match="malformed JSON"):
        conn.poll()


def test_a_storm_of_500s_ends_after_bounded_attempts(api: FakeApi) -> None:
    api.json("GET", NOTIFICATIONS, {"error": "InternalServerError", "message": "Internal Server Error"}, status=500)
    conn = connector(api)
    conn.setup()
    with pytest.raises(RetriableError):
        conn.poll()
    assert len(api.requests) == 4


def test_empty_listings_send_nothing_and_keep_no_cursor(api: FakeApi) -> None:
    api.json("GET", NOTIFICATIONS, load("bluesky/notifications_empty.json"))
    api.json("GET", FEED, load("bluesky/author_feed_empty.json"))
    api.json("GET", CONVOS, {"convos": []})
    store = MemoryCursorStore()
    assert poll(connector(api, cursors=store)) == 0
    state = store.load(Platform.BLUESKY, US)
    assert not {"notifications_since", "posts_since", "chat_since"} & set(state)


def test_restart_sends_nothing_again_then_only_new_items(api: FakeApi) -> None:
    full_api(api)
    store = MemoryCursorStore()
    first = ListSink()
    assert poll(connector(api, first, cursors=store)) == 11
    state = store.load(Platform.BLUESKY, US)
    assert state["notifications_since"] == "2026-11-16T09:25:12.410000+00:00"
    assert state["posts_since"] == "2026-11-16T10:01:30.388000+00:00"
    assert state["chat_since"] == "2026-11-16T11:02:15.331000+00:00"

    second = ListSink()
    assert poll(connector(api, second, cursors=store)) == 0
    assert second.events == []

    api.routes = [r for r in api.routes if "listNotifications" not in r[1].pattern]
    api.json("GET", NOTIFICATIONS, load("bluesky/notifications_new.json"))
    third = ListSink()
    api.requests.clear()
    assert poll(connector(api, third, cursors=store)) == 1
    [new] = third.messages()
    ingrid_new = f"at://{INGRID}/app.bsky.feed.post/3mfdv6chq3c2w"
    assert (new.id, new.kind, new.conversation_id) == (f"bluesky:{ingrid_new}", Kind.MENTION, f"{ingrid_new}:{INGRID}")
    assert api.paths().count("/xrpc/app.bsky.notification.listNotifications") == 1  # stopped at the cursor


def test_changed_record_arrives_as_edited(api: FakeApi) -> None:
    page = load("bluesky/notifications_page1.json")
    page.pop("cursor")
    state = {"page": page}
    api.route("GET", NOTIFICATIONS, lambda req: (200, {}, state["page"]))
    api.json("GET", FEED, load("bluesky/author_feed_empty.json"))
    store = MemoryCursorStore()
    sink = ListSink()
    conn = connector(api, sink, cursors=store, options={"chat": False})
    assert poll(conn) == 2
    changed = copy.deepcopy(page)
    changed["notifications"][0]["indexedAt"] = "2026-11-16T11:00:00.000Z"  # keeps the list above the cursor
    quote = changed["notifications"][2]
    quote["cid"] = "bafyreiaxw4fz5l2p3qcj7ahk6ykr2e3xjf7cwqs5mo4kn7g2t2ydoqbwhu"
    quote["record"]["text"] = "Kjempebra! Kommer det også en oversikt for Tverrelvdalen og Kvenvikmoen?"
    quote["indexedAt"] = "2026-11-16T11:00:00.000Z"
    state["page"] = changed
    sink.events.clear()
    assert conn.poll() == 1
    [edited] = sink.messages()
    assert edited.event is Event.EDITED and edited.id.endswith("3mfdoqgeulk2m")


def test_chat_can_be_switched_off(api: FakeApi) -> None:
    full_api(api)
    poll(connector(api, options={"chat": False}))
    assert not any(p.startswith("/xrpc/chat.") for p in api.paths())


def test_group_conversations_are_skipped(api: FakeApi) -> None:
    full_api(api)
    convos = load("bluesky/convos.json")
    convos["convos"][0]["kind"] = {"$type": "chat.bsky.convo.defs#groupConvo", "name": "Foreldre Komsa skole",
                                   "memberCount": 14, "createdAt": "2026-09-01T08:00:00.000Z",
                                   "lockStatus": "unlocked"}
    api.routes = [r for r in api.routes if "listConvos" not in r[1].pattern]
    api.json("GET", CONVOS, convos)
    sink = ListSink()
    poll(connector(api, sink))
    assert not [e for e in sink.events if e.resource == "chat_message"]
    assert "/xrpc/chat.bsky.convo.getMessages" not in api.paths()


def test_pds_url_option_is_the_api_host(api: FakeApi) -> None:
    api.json("GET", NOTIFICATIONS, load("bluesky/notifications_empty.json"))
    api.json("GET", FEED, load("bluesky/author_feed_empty.json"))
    http = ApiClient(token="t", policy=BlueskyPolicy(), sleep=lambda s: None)
    conn = BlueskyConnector(US, http, ListSink(), clock=lambda: NOW, options={"pds_url": api.url + "/", "chat": False})
    poll(conn)
    assert api.paths() == ["/xrpc/app.bsky.notification.listNotifications", "/xrpc/app.bsky.feed.getAuthorFeed"]


def test_default_client_policy_is_replaced_by_the_bluesky_policy(api: FakeApi) -> None:
    api.json("GET", NOTIFICATIONS, load("bluesky/error_expired_token.json"), status=400)
    conn = BlueskyConnector(US, ApiClient(base_url=api.url, token="t"), ListSink(), clock=lambda: NOW)
    conn.setup()
    with pytest.raises(AuthError):
        conn.poll()


def test_raw_events_keep_the_platform_json(api: FakeApi) -> None:
    full_api(api)
    sink = ListSink()
    poll(connector(api, sink))
    reply = next(e for e in sink.events if e.resource == "notification" and e.payload["reason"] == "reply")
    assert reply.payload == load("bluesky/notifications_page2.json")["notifications"][1]
    assert json.dumps(reply.payload, ensure_ascii=False)  # JSON-serialisable as recorded


def test_a_post_indexed_late_just_below_the_cursor_is_still_read(api: FakeApi) -> None:
    page = load("bluesky/notifications_page1.json")
    page.pop("cursor")
    state = {"page": page}
    api.route("GET", NOTIFICATIONS, lambda req: (200, {}, state["page"]))
    api.json("GET", FEED, load("bluesky/author_feed_empty.json"))
    store = MemoryCursorStore()
    assert poll(connector(api, cursors=store, options={"chat": False})) == 2
    late = notification("notifications_new", 0)
    late["indexedAt"] = "2026-11-16T09:21:40.000Z"  # sorts below the newest item already seen (09:25:12)
    state["page"] = {"notifications": [page["notifications"][0], page["notifications"][1], late,
                                       *page["notifications"][2:]]}
    sink = ListSink()
    assert poll(connector(api, sink, cursors=store, options={"chat": False})) == 1
    assert sink.events[0].payload["uri"] == late["uri"]
