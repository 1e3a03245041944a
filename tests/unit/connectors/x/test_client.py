"""connectors/x/client.py: the X connector against recorded X API v2 responses (tests/fixtures/x).

Requests, pagination, cursors, errors and credentials.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from connectors.auth import open_session
from connectors.base import DeliveryError, MemoryCursorStore
from connectors.errors import AuthError, FatalRequestError, RateLimited, RetriableError
from connectors.http import ApiClient
from connectors.x.client import TWEET_FIELDS, XConnector, XPolicy
from innboks.config.credentials import BearerCredentials, OAuth1Credentials, OAuth2Credentials
from schemas import Event, Kind, Platform
from tests.fakeapi import FakeApi, Request, Response, load
from tests.helpers import ListSink
from tests.unit.connectors.x.helpers import (
    ACCOUNT,
    DM_INGRID,
    DM_INGRID_2,
    DM_OLD,
    DM_OURS,
    DM_SIRI,
    INGRID,
    M_INGRID,
    M_INGRID_THANKS,
    M_MATHIAS,
    M_SIRI,
    NOW,
    POST,
    POST_EARLIER,
    R_INGRID,
)

NOW_EPOCH = NOW.timestamp()
MENTIONS = f"/2/users/{ACCOUNT}/mentions"
TWEETS = f"/2/users/{ACCOUNT}/tweets"
DMS = "/2/dm_events"
ALL_LISTINGS = (MENTIONS, TWEETS, DMS)


def rate_headers(remaining: int = 449, reset_in: float = 900) -> dict[str, str]:
    return {"x-rate-limit-limit": "450", "x-rate-limit-remaining": str(remaining),
            "x-rate-limit-reset": str(int(NOW_EPOCH + reset_in))}


def recorded(first: str, second: str | None = None, since: str = "empty.json") -> Any:
    """A listing as recorded: the first page, the page after ``pagination_token``, the page after ``since_id``."""
    def handler(request: Request) -> Response:
        if "pagination_token" in request.query:
            return 200, rate_headers(), load(f"x/{second}")
        if "since_id" in request.query:
            return 200, rate_headers(), load(f"x/{since}")
        return 200, rate_headers(), load(f"x/{first}")
    return handler


def x_api(**overrides: Any) -> FakeApi:
    """The three listings, each answering from fixtures unless a test overrides one route first."""
    api = FakeApi()
    for path, handler in overrides.items():
        api.route("GET", {"mentions": MENTIONS, "tweets": TWEETS, "dms": DMS}[path], handler)
    api.route("GET", MENTIONS, recorded("mentions_page1.json", "mentions_page2.json", "mentions_since.json"))
    api.route("GET", TWEETS, recorded("tweets_page1.json", "tweets_page2.json"))

    def dms(request: Request) -> Response:
        token = request.query.get("pagination_token")
        page = "dm_events_page2.json" if token == "18LAA581J5II7LA00C00ZZZZ" else "empty.json" if token else \
            api.dm_first_page  # type: ignore[attr-defined]
        return 200, rate_headers(), load(f"x/{page}")

    api.dm_first_page = "dm_events_page1.json"  # type: ignore[attr-defined]
    api.route("GET", DMS, dms)
    return api



class FakeTime:
    """A clock that the client's sleeps move forward, so waits are recorded and not repeated."""

    def __init__(self) -> None:
        self.now = NOW_EPOCH
        self.sleeps: list[float] = []

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


def client(api: FakeApi, time: FakeTime | None = None, **kwargs: Any) -> ApiClient:
    kwargs.setdefault("token", "app-only-token")
    time = time or FakeTime()
    return ApiClient(base_url=api.url, policy=XPolicy(), sleep=time.sleep, clock=lambda: time.now, **kwargs)


def connector(api: FakeApi, store: MemoryCursorStore | None = None, sink: ListSink | None = None,
              api_client: ApiClient | None = None, **kwargs: Any) -> tuple[XConnector, ListSink]:
    sink = sink or ListSink()
    conn = XConnector(ACCOUNT, api_client or client(api), sink, cursors=store, clock=lambda: NOW,
                      backfill=timedelta(days=7), **kwargs)
    conn.setup()
    return conn, sink


def poll(conn: XConnector) -> int:
    sent = conn.poll()
    conn.flush()
    return sent


def requests_to(api: FakeApi, path: str) -> list[Request]:
    return [r for r in api.requests if r.path == path]


# -- connector: requests, pagination, cursors ----------------------------------------------------

def test_first_poll_reads_every_listing_with_the_documented_parameters() -> None:
    with x_api() as api:
        conn, sink = connector(api)
        assert poll(conn) == 9

    mentions = requests_to(api, MENTIONS)
    assert len(mentions) == 2
    first = mentions[0].query
    assert first["max_results"] == "100" and first["expansions"] == "author_id"
    assert first["start_time"] == "2026-11-09T11:00:00Z" and "since_id" not in first
    assert set(first["tweet.fields"].split(",")) >= {"created_at", "author_id", "conversation_id",
                                                      "in_reply_to_user_id", "referenced_tweets",
                                                      "edit_history_tweet_ids"}
    assert set(first["user.fields"].split(",")) == {"username", "name"}
    assert "pagination_token" not in first and "exclude" not in first
    assert mentions[1].query["pagination_token"] == "7140dibdnow9c7btw4b2ls1c3z5k7x2lnd1g8xq2w0d9s"
    assert {k: v for k, v in mentions[1].query.items() if k != "pagination_token"} == first

    tweets = requests_to(api, TWEETS)
    assert len(tweets) == 2
    assert tweets[0].query["exclude"] == "retweets" and tweets[0].query["tweet.fields"] == TWEET_FIELDS
    assert tweets[0].query["start_time"] == "2026-11-09T11:00:00Z"

    dms = requests_to(api, DMS)
    assert len(dms) == 2  # page 2 reaches an event older than the window: no third page
    assert dms[0].query == {"max_results": "100", "event_types": "MessageCreate",
                            "dm_event.fields": "id,text,event_type,created_at,sender_id,dm_conversation_id",
                            "expansions": "sender_id", "user.fields": "username,name"}
    assert dms[1].query["pagination_token"] == "18LAA581J5II7LA00C00ZZZZ"

    assert all(r.headers["authorization"] == "Bearer app-only-token" for r in api.requests)
    messages = sink.messages()
    assert [m.native_id for m in messages] == [POST_EARLIER, DM_SIRI, POST, M_INGRID, M_MATHIAS, R_INGRID,
                                               DM_INGRID, DM_OURS, M_SIRI]  # oldest first, the repost dropped
    assert {m.kind for m in messages} == {Kind.POST, Kind.MENTION, Kind.REPLY, Kind.DIRECT_MESSAGE}
    assert DM_OLD not in {m.native_id for m in messages}
    # the raw events carry what the mapper needs from includes.users
    reply = next(e for e in sink.events if e.payload["id"] == R_INGRID)
    assert reply.resource == "tweet" and reply.context == {"author_username": "altakommune",
                                                           "author_name": "Alta kommune"}


def test_restart_resends_nothing_and_then_only_new_items() -> None:
    store = MemoryCursorStore()
    with x_api() as api:
        first, _ = connector(api, store)
        poll(first)
        state = store.load(Platform.X, ACCOUNT)
        assert (state["mentions_since_id"], state["tweets_since_id"], state["dm_since_id"]) == (
            M_SIRI, R_INGRID, DM_OURS)
        api.requests.clear()
        api.dm_first_page = "dm_events_since.json"  # type: ignore[attr-defined]

        second, sink = connector(api, store)  # a new process: the cursors come from the store
        assert poll(second) == 3
        for path, since in ((MENTIONS, M_SIRI), (TWEETS, R_INGRID)):
            query = requests_to(api, path)[0].query
            assert query["since_id"] == since and "start_time" not in query
        assert len(requests_to(api, DMS)) == 1  # stops at the stored event id
        messages = {m.native_id: m for m in sink.messages()}
        assert set(messages) == {M_INGRID_THANKS, M_SIRI, DM_INGRID_2}
        thanks = messages[M_INGRID_THANKS]
        assert (thanks.kind, thanks.conversation_id, thanks.parent_id) == (Kind.MENTION, f"{POST}:{INGRID}",
                                                                          R_INGRID)
        edit = messages[M_SIRI]
        assert edit.event is Event.EDITED and edit.text is not None and "august 2027" in edit.text
        assert store.load(Platform.X, ACCOUNT)["mentions_since_id"] == M_INGRID_THANKS

        third, sink = connector(api, store)
        assert poll(third) == 0 and sink.events == []


def test_the_same_connector_does_not_send_an_item_twice() -> None:
    with x_api(mentions=lambda r: (200, {}, load("x/mentions_page2.json"))) as api:
        conn, sink = connector(api, options={"dm": False})
        assert poll(conn) == 5
        assert poll(conn) == 0  # the fake ignores since_id: repeats are dropped by id


def test_empty_pages_end_the_listings_and_keep_the_cursors() -> None:
    empty_with_token = {"meta": {"result_count": 0, "next_token": "7140dibdnow9c7btw4b2ls1c3z5k7x2lnd1g8xq2w0zzz"}}
    store = MemoryCursorStore()
    store.save(Platform.X, ACCOUNT, {"mentions_since_id": M_SIRI})
    with x_api(mentions=lambda r: (200, {}, empty_with_token), tweets=lambda r: (200, {}, load("x/empty.json")),
               dms=lambda r: (200, {}, load("x/empty.json"))) as api:
        conn, sink = connector(api, store)
        assert poll(conn) == 0
    assert [r.path for r in api.requests] == list(ALL_LISTINGS)
    assert store.load(Platform.X, ACCOUNT)["mentions_since_id"] == M_SIRI
    assert "tweets_since_id" not in store.load(Platform.X, ACCOUNT)


def test_cursors_do_not_advance_when_delivery_fails() -> None:
    class FailingSink(ListSink):
        def flush(self, timeout: float) -> None:
            raise DeliveryError("broker down")

    store = MemoryCursorStore()
    with x_api() as api:
        conn, sink = connector(api, store, sink=FailingSink())
        first = conn.poll()
        with pytest.raises(DeliveryError):
            conn.flush()
        assert store.load(Platform.X, ACCOUNT) == {}
        assert "since_id" not in requests_to(api, MENTIONS)[-1].query
        assert conn.poll() == first


def test_dm_polling_can_be_turned_off_and_is_off_for_app_only_tokens() -> None:
    with x_api() as api:
        conn, _ = connector(api, options={"dm": False})
        poll(conn)
        conn, _ = connector(api, credentials=BearerCredentials(token="env:INNBOKS_X_BEARER"))
        poll(conn)
    assert DMS not in api.paths()


# -- connector: errors -------------------------------------------------------------------------

def test_429_with_x_rate_limit_headers_is_rate_limited_without_retry() -> None:
    headers = {**rate_headers(remaining=0, reset_in=600), "content-type": "application/problem+json"}
    with x_api(mentions=lambda r: (429, headers, load("x/error_429.json"))) as api:
        conn, sink = connector(api)
        with pytest.raises(RateLimited) as info:
            conn.poll()
    assert info.value.retry_after == pytest.approx(600)
    assert "HTTP 429" in str(info.value) and MENTIONS in str(info.value)
    assert len(requests_to(api, MENTIONS)) == 1
    # the other listings have their own limits and were still delivered
    assert {e.resource for e in sink.events} == {"tweet", "dm_event"}
    assert "mentions_since_id" not in conn.pending and conn.pending["tweets_since_id"] == R_INGRID


def test_429_without_headers_waits_a_window() -> None:
    error = XPolicy().classify(429, load("x/error_429.json"), {}, MENTIONS, NOW_EPOCH)
    assert isinstance(error, RateLimited) and error.retry_after == 900


def test_a_short_rate_limit_reset_is_waited_out_and_retried() -> None:
    time = FakeTime()
    with x_api(mentions=_sequence([(429, rate_headers(remaining=0, reset_in=20), load("x/error_429.json")),
                                   (200, rate_headers(reset_in=920), load("x/mentions_page2.json"))])) as api:
        conn, sink = connector(api, api_client=client(api, time))
        poll(conn)
    assert time.sleeps == [pytest.approx(20)] and len(requests_to(api, MENTIONS)) == 2


def test_usage_cap_is_rate_limited_for_longer() -> None:
    with x_api(mentions=lambda r: (429, {}, load("x/error_usage_capped.json"))) as api:
        conn, _ = connector(api)
        with pytest.raises(RateLimited, match="usage-capped") as info:
            conn.poll()
    assert info.value.retry_after is not None and info.value.retry_after >= 3600


def _sequence(responses: list[Response]) -> Any:
    remaining = list(responses)

    def handler(_request: Request) -> Response:
        return remaining.pop(0) if len(remaining) > 1 else remaining[0]

    return handler


def test_an_exhausted_limit_makes_the_client_wait_for_a_near_reset() -> None:
    time = FakeTime()
    page1 = (200, rate_headers(remaining=0, reset_in=30), load("x/mentions_page1.json"))
    page2 = (200, rate_headers(reset_in=930), load("x/mentions_page2.json"))
    with x_api(mentions=_sequence([page1, page2])) as api:
        conn, sink = connector(api, api_client=client(api, time))
        poll(conn)
    assert time.sleeps == [pytest.approx(30)]  # before the second mentions page
    assert len(requests_to(api, MENTIONS)) == 2


def test_an_exhausted_limit_with_a_far_reset_raises_before_the_next_request() -> None:
    page1 = (200, rate_headers(remaining=0, reset_in=840), load("x/mentions_page1.json"))
    with x_api(mentions=_sequence([page1])) as api:
        conn, sink = connector(api)
        with pytest.raises(RateLimited, match="rate limit used up") as info:
            conn.poll()
        assert info.value.retry_after == pytest.approx(840)
        assert len(requests_to(api, MENTIONS)) == 1
        assert len(requests_to(api, TWEETS)) == 2  # a used-up mentions limit does not hold back other endpoints
        # the next poll waits for the mentions limit again without asking the API
        with pytest.raises(RateLimited):
            conn.poll()
        assert len(requests_to(api, MENTIONS)) == 1


def test_expired_token_is_an_auth_error_without_retry() -> None:
    with x_api(mentions=lambda r: (401, {"content-type": "application/problem+json"},
                                   load("x/error_401.json"))) as api:
        conn, _ = connector(api, api_client=client(api, token="expired-secret-token"))
        with pytest.raises(AuthError) as info:
            conn.poll()
    assert len(api.requests) == 1
    assert "HTTP 401" in str(info.value) and "expired-secret-token" not in str(info.value)


@pytest.mark.parametrize("fixture, path, problem", [
    ("error_403_client_forbidden.json", MENTIONS, "client-forbidden"),
    ("error_403_unsupported_authentication.json", DMS, "unsupported-authentication"),
])
def test_forbidden_is_fatal_and_names_the_problem(fixture: str, path: str, problem: str) -> None:
    key = "mentions" if path == MENTIONS else "dms"
    with x_api(**{key: lambda r: (403, {}, load(f"x/{fixture}"))}) as api:
        conn, _ = connector(api)
        with pytest.raises(FatalRequestError) as info:
            conn.poll()
    assert f"[{problem}]" in str(info.value) and path in str(info.value)
    assert "developer App" not in str(info.value)  # the detail text is not repeated
    assert len(requests_to(api, path)) == 1


def test_not_authorized_for_resource_is_fatal() -> None:
    body = {"title": "Forbidden", "detail": "Forbidden", "status": 403,
            "type": "https://api.x.com/2/problems/not-authorized-for-resource"}
    error = XPolicy().classify(403, body, {}, DMS, NOW_EPOCH)
    assert isinstance(error, FatalRequestError) and "not-authorized-for-resource" in str(error)


def test_an_errors_only_body_is_fatal() -> None:
    with x_api(mentions=lambda r: (200, {}, load("x/error_user_not_found.json"))) as api:
        conn, _ = connector(api)
        with pytest.raises(FatalRequestError, match=r"\[resource-not-found\]"):
            conn.poll()


def test_malformed_json_is_fatal() -> None:
    with x_api(mentions=lambda r: (200, {}, '{"data": [{"id": "21222')) as api:
        conn, _ = connector(api)
        with pytest.raises(FatalRequestError, match="malformed JSON"):
            conn.poll()
    assert len(requests_to(api, MENTIONS)) == 1


def test_a_500_storm_gives_up_after_bounded_attempts() -> None:
    body = {"title": "Service Unavailable", "detail": "Service Unavailable", "type": "about:blank", "status": 503}
    with x_api(mentions=lambda r: (503, {}, body)) as api:
        conn, _ = connector(api, api_client=ApiClient(base_url=api.url, token="t", policy=XPolicy(),
                                                       sleep=lambda s: None))
        with pytest.raises(RetriableError, match="HTTP 503"):
            conn.poll()
    assert len(requests_to(api, MENTIONS)) == 4
    assert TWEETS not in api.paths()


# -- credentials -------------------------------------------------------------------------------

def test_oauth1_session_signs_every_request(monkeypatch: pytest.MonkeyPatch) -> None:
    secrets = {"INNBOKS_X_CONSUMER_KEY": "xvz1evFS4wEEPTGEFPHBog", "INNBOKS_X_CONSUMER_SECRET": "kAcSOqF21Fu85e7zjz",
               "INNBOKS_X_ACCESS_TOKEN": "2954310217-AbCdEfGh", "INNBOKS_X_ACCESS_TOKEN_SECRET": "LswwdoUaIvS8ltyT"}
    for name, value in secrets.items():
        monkeypatch.setenv(name, value)
    credentials = OAuth1Credentials(consumer_key="env:INNBOKS_X_CONSUMER_KEY",
                                    consumer_secret="env:INNBOKS_X_CONSUMER_SECRET",
                                    access_token="env:INNBOKS_X_ACCESS_TOKEN",
                                    access_token_secret="env:INNBOKS_X_ACCESS_TOKEN_SECRET")
    with x_api() as api:
        api_client = ApiClient(base_url=api.url, session=open_session(credentials), policy=XPolicy(),
                               sleep=lambda s: None)
        conn, sink = connector(api, api_client=api_client, credentials=credentials)
        poll(conn)
    assert DMS in api.paths()  # user context reads direct messages
    headers = [r.headers["authorization"] for r in api.requests]
    assert all(h.startswith("OAuth ") and "oauth_signature=" in h for h in headers)
    assert all('oauth_consumer_key="xvz1evFS4wEEPTGEFPHBog"' in h and 'oauth_token="2954310217-AbCdEfGh"' in h
               for h in headers)
    assert all(secrets["INNBOKS_X_CONSUMER_SECRET"] not in h for h in headers)
    assert len({h for h in headers}) == len(headers)  # a fresh nonce and signature per request


def _oauth2(api: FakeApi, refresh_file: Any, access_token: str | None) -> OAuth2Credentials:
    return OAuth2Credentials(client_id="env:INNBOKS_X_CLIENT_ID", client_secret="env:INNBOKS_X_CLIENT_SECRET",
                             refresh_token=f"file:{refresh_file}", access_token=access_token,
                             token_url=f"{api.url}/2/oauth2/token", client_auth="basic")


@pytest.fixture()
def oauth2_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Any) -> Any:
    monkeypatch.setenv("OAUTHLIB_INSECURE_TRANSPORT", "1")  # the fake token endpoint is plain HTTP
    monkeypatch.setenv("INNBOKS_X_CLIENT_ID", "cl13nt1d")
    monkeypatch.setenv("INNBOKS_X_CLIENT_SECRET", "cl13nts3cr3t")
    monkeypatch.setenv("INNBOKS_X_ACCESS_TOKEN", "user-context-token")
    refresh = tmp_path / "x_refresh_token"
    refresh.write_text("old-refresh-token")
    return refresh


def test_oauth2_user_context_sends_the_user_token_and_reads_dms(oauth2_env: Any) -> None:
    with x_api() as api:
        credentials = _oauth2(api, oauth2_env, "env:INNBOKS_X_ACCESS_TOKEN")
        api_client = ApiClient(base_url=api.url, session=open_session(credentials), policy=XPolicy(),
                               sleep=lambda s: None)
        conn, _ = connector(api, api_client=api_client, credentials=credentials)
        poll(conn)
    assert all(r.headers["authorization"] == "Bearer user-context-token" for r in api.requests)
    assert DMS in api.paths()


def test_oauth2_session_without_access_token_refreshes_first(oauth2_env: Any) -> None:
    token = {"token_type": "bearer", "expires_in": 7200, "access_token": "fresh-user-token",
             "scope": "tweet.read users.read dm.read offline.access", "refresh_token": "rotated-refresh-token"}
    with x_api() as api:
        api.json("POST", "/2/oauth2/token", token)
        credentials = _oauth2(api, oauth2_env, None)
        api_client = ApiClient(base_url=api.url, session=open_session(credentials), policy=XPolicy(),
                               sleep=lambda s: None)
        conn, _ = connector(api, api_client=api_client, credentials=credentials)
        poll(conn)
    assert api.requests[0].method == "POST" and api.requests[0].headers["authorization"].startswith("Basic ")
    assert all(r.headers["authorization"] == "Bearer fresh-user-token" for r in api.requests[1:])
    assert oauth2_env.read_text() == "rotated-refresh-token"  # X rotates refresh tokens
