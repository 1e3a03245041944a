"""X mapping and the connector against recorded X API v2 responses (tests/fixtures/x)."""

from __future__ import annotations

import copy
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from connectors.auth import open_session
from connectors.base import DeliveryError, MemoryCursorStore
from connectors.errors import AuthError, FatalRequestError, IgnoredItem, MappingError, RateLimited, RetriableError
from connectors.http import ApiClient
from connectors.x.client import TWEET_FIELDS, XConnector, XPolicy
from connectors.x.mapping import map_x
from innboks.config.credentials import BearerCredentials, OAuth1Credentials, OAuth2Credentials
from schemas import Event, InboxMessage, Kind, Platform, RawEvent
from tests.fakeapi import FakeApi, Request, Response, load

ACCOUNT = "2954310217"  # @altakommune
INGRID, MATHIAS, SIRI = "1287354029384716289", "884213576", "1598211744329371648"
POST, POST_EARLIER = "2122215641360965632", "2121242306980421632"
M_INGRID, M_MATHIAS, RETWEET, R_INGRID = ("2122225841906962432", "2122229444817522688", "2122229809721970691",
                                          "2122239578253893632")
M_SIRI, M_SIRI_EDIT, M_INGRID_THANKS = "2122281043142770688", "2122286772562034689", "2122306221548818432"
DM_OLD, DM_SIRI, DM_INGRID, DM_OURS, DM_INGRID_2 = ("2117335937754296320", "2121514416645304320",
                                                    "2122272306406584320", "2122278543336632320",
                                                    "2122314408830136320")
NOW = datetime(2026, 11, 16, 11, 0, tzinfo=UTC)
NOW_EPOCH = NOW.timestamp()
MENTIONS = f"/2/users/{ACCOUNT}/mentions"
TWEETS = f"/2/users/{ACCOUNT}/tweets"
DMS = "/2/dm_events"
ALL_LISTINGS = (MENTIONS, TWEETS, DMS)


# -- helpers -----------------------------------------------------------------------------------

def find(fixture: str, native_id: str) -> dict[str, Any]:
    body = load(f"x/{fixture}")
    return next(copy.deepcopy(item) for item in body["data"] if item["id"] == native_id)


def users(fixture: str) -> dict[str, dict[str, str]]:
    return {u["id"]: u for u in load(f"x/{fixture}")["includes"]["users"]}


def raw(resource: str, payload: dict[str, Any], **context: Any) -> RawEvent:
    return RawEvent(platform=Platform.X, account_id=ACCOUNT, resource=resource, payload=payload,
                    context=context, fetched_at=NOW)


def tweet_raw(fixture: str, native_id: str, resource: str = "mention", **context: Any) -> RawEvent:
    payload = find(fixture, native_id)
    author = users(fixture)[payload["author_id"]]
    return raw(resource, payload, author_username=author["username"], author_name=author["name"], **context)


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


class ListSink:
    def __init__(self) -> None:
        self.events: list[RawEvent] = []

    def send(self, event: RawEvent) -> None:
        self.events.append(event)

    def flush(self, timeout: float) -> None:
        pass

    def close(self) -> None:
        pass

    def messages(self) -> list[InboxMessage]:
        return [map_x(e) for e in self.events]


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


# -- mapping -----------------------------------------------------------------------------------

def test_citizen_reply_is_a_mention_keyed_by_thread_and_citizen() -> None:
    msg = map_x(tweet_raw("mentions_page2.json", M_INGRID))
    assert (msg.kind, msg.conversation_id, msg.parent_id, msg.from_account, msg.event) == (
        Kind.MENTION, f"{POST}:{INGRID}", POST, False, Event.CREATED)
    assert msg.id == f"x:{M_INGRID}" and msg.author_id == INGRID and msg.author_name == "Ingrid Haugen"
    assert msg.created_at == datetime(2026, 11, 16, 7, 10, 44, tzinfo=UTC)
    assert msg.permalink == f"https://x.com/ingridhaugen_/status/{M_INGRID}"
    assert msg.text is not None and msg.text.startswith("@altakommune Veien opp til Komsa")


def test_a_post_without_conversation_id_is_delivered_in_the_thread_it_replies_to() -> None:
    """Older and partial responses lack conversation_id: the message is kept, threaded by its parent."""
    full = map_x(tweet_raw("mentions_page2.json", M_INGRID))
    event = tweet_raw("mentions_page2.json", M_INGRID)
    partial = map_x(event.model_copy(update={"payload": {k: v for k, v in event.payload.items()
                                                         if k != "conversation_id"}}))
    assert (partial.id, partial.conversation_id, partial.parent_id) == (full.id, full.conversation_id, POST)
    standalone = find("mentions_page2.json", M_INGRID)
    bare = {k: v for k, v in standalone.items() if k not in ("conversation_id", "referenced_tweets")}
    alone = map_x(raw("mention", bare))
    assert alone.conversation_id == f"{M_INGRID}:{INGRID}" and alone.parent_id is None


def test_a_citizen_dm_without_its_conversation_id_gets_x_s_one_to_one_id() -> None:
    full = map_x(raw("dm_event", find("dm_events_page1.json", DM_INGRID), author_name="Ingrid Haugen"))
    partial = map_x(raw("dm_event", _without("dm_events_page1.json", DM_INGRID, "dm_conversation_id")))
    assert partial.conversation_id == full.conversation_id and partial.id == full.id


def test_our_reply_answers_exactly_the_citizen_it_replies_to() -> None:
    citizen = map_x(tweet_raw("mentions_page2.json", M_INGRID))
    other = map_x(tweet_raw("mentions_page2.json", M_MATHIAS))
    ours = map_x(tweet_raw("tweets_page1.json", R_INGRID, resource="tweet"))
    assert (ours.kind, ours.parent_id, ours.from_account, ours.author_name) == (
        Kind.REPLY, M_INGRID, True, "Alta kommune")
    assert ours.conversation_id == citizen.conversation_id == f"{POST}:{INGRID}"
    assert other.conversation_id == f"{POST}:{MATHIAS}" != ours.conversation_id  # same thread, other citizen
    assert ours.key == citizen.key != other.key
    assert ours.permalink == f"https://x.com/altakommune/status/{R_INGRID}"


def test_our_standalone_post_is_its_own_conversation() -> None:
    msg = map_x(tweet_raw("tweets_page1.json", POST, resource="tweet"))
    assert (msg.kind, msg.conversation_id, msg.parent_id, msg.from_account) == (Kind.POST, POST, None, True)


def test_our_thread_continuation_is_a_post_not_an_answer() -> None:
    payload = {**find("tweets_page1.json", POST), "id": "2122215900000000000", "in_reply_to_user_id": ACCOUNT,
               "referenced_tweets": [{"type": "replied_to", "id": POST}],
               "edit_history_tweet_ids": ["2122215900000000000"]}
    msg = map_x(raw("tweet", payload))
    assert (msg.kind, msg.conversation_id, msg.parent_id) == (Kind.POST, "2122215900000000000", POST)
    assert msg.permalink == "https://x.com/i/web/status/2122215900000000000"  # no username known


def test_standalone_mention_and_quote() -> None:
    msg = map_x(tweet_raw("mentions_page1.json", M_SIRI))
    assert (msg.kind, msg.conversation_id, msg.parent_id) == (Kind.MENTION, f"{M_SIRI}:{SIRI}", None)
    quote = {**find("mentions_page1.json", M_SIRI), "referenced_tweets": [{"type": "quoted", "id": POST}]}
    assert map_x(raw("mention", quote)).parent_id == POST


def test_edited_post_updates_the_original_message() -> None:
    original = map_x(tweet_raw("mentions_page1.json", M_SIRI))
    edit = map_x(tweet_raw("mentions_since.json", M_SIRI_EDIT))
    assert edit.event is Event.EDITED and original.event is Event.CREATED
    assert edit.id == original.id == f"x:{M_SIRI}"
    assert edit.conversation_id == original.conversation_id == f"{M_SIRI}:{SIRI}"
    assert edit.text is not None and "august 2027" in edit.text
    assert edit.permalink == f"https://x.com/siri_j_alta/status/{M_SIRI_EDIT}"


def test_a_change_noticed_by_the_connector_is_an_edit() -> None:
    assert map_x(tweet_raw("mentions_page2.json", M_INGRID, change="changed")).event is Event.EDITED


def test_long_post_text_comes_from_note_tweet() -> None:
    payload = find("mentions_page2.json", M_MATHIAS)
    payload["note_tweet"] = {"text": payload["text"] + " Og ved skolen i Komsa. " * 20}
    assert map_x(raw("mention", payload)).text == payload["note_tweet"]["text"]


def test_direct_messages_from_a_citizen_and_from_us() -> None:
    page = users("dm_events_page1.json")
    citizen = map_x(raw("dm_event", find("dm_events_page1.json", DM_INGRID), author_name=page[INGRID]["name"],
                        author_username=page[INGRID]["username"]))
    ours = map_x(raw("dm_event", find("dm_events_page1.json", DM_OURS)))
    conversation = f"{ACCOUNT}-{INGRID}"
    assert (citizen.kind, citizen.conversation_id, citizen.from_account, citizen.author_name) == (
        Kind.DIRECT_MESSAGE, conversation, False, "Ingrid Haugen")
    assert (ours.kind, ours.conversation_id, ours.from_account, ours.parent_id) == (
        Kind.DIRECT_MESSAGE, conversation, True, None)
    assert citizen.id == f"x:{DM_INGRID}" and citizen.permalink is None
    assert map_x(raw("dm_event", find("dm_events_page1.json", DM_OURS), change="changed")).event is Event.EDITED


def test_reposts_and_membership_events_are_not_messages() -> None:
    with pytest.raises(IgnoredItem):
        map_x(tweet_raw("mentions_page1.json", RETWEET))
    join = {"id": "2122272306406584999", "event_type": "ParticipantsJoin", "created_at": "2026-11-16T10:15:22.000Z",
            "dm_conversation_id": "1578398451921985538", "participant_ids": [INGRID]}
    with pytest.raises(IgnoredItem):
        map_x(raw("dm_event", join))


def _without(fixture: str, native_id: str, field: str) -> dict[str, Any]:
    payload = find(fixture, native_id)
    payload.pop(field)
    return payload


@pytest.mark.parametrize("resource, payload, code", [
    ("mention", _without("mentions_page2.json", M_INGRID, "id"), "schema_violation"),
    ("mention", _without("mentions_page2.json", M_INGRID, "author_id"), "schema_violation"),
    ("mention", _without("mentions_page2.json", M_INGRID, "created_at"), "schema_violation"),
    ("mention", {**find("mentions_page2.json", M_INGRID), "created_at": "Mon Nov 16 07:10:44 2026"},
     "schema_violation"),
    ("mention", {**find("mentions_page2.json", M_INGRID), "created_at": "2026-11-16T07:10:44"}, "schema_violation"),
    ("dm_event", _without("dm_events_page1.json", DM_INGRID, "sender_id"), "schema_violation"),
    ("space", {"id": "1"}, "unsupported_resource"),
])
def test_unmappable_items_raise_with_a_reason_code(resource: str, payload: dict[str, Any], code: str) -> None:
    with pytest.raises(MappingError) as info:
        map_x(raw(resource, payload))
    assert info.value.code == code
    assert "Ingrid" not in info.value.reason and "Komsa" not in info.value.reason


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
