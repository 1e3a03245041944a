"""connectors/youtube/client.py: the error policy and the connector against recorded YouTube Data API v3 responses."""

from __future__ import annotations

import copy
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from connectors.auth import open_session
from connectors.base import MemoryCursorStore
from connectors.errors import AuthError, FatalRequestError, RateLimited, RetriableError
from connectors.http import ApiClient
from connectors.youtube.client import CommentsDisabled, YouTubeConnector, YouTubePolicy, seconds_until_quota_reset
from innboks.config.credentials import OAuth2Credentials
from schemas import Event, InboxMessage, Kind, Platform
from tests.fakeapi import FakeApi, Request, Response
from tests.helpers import ListSink
from tests.unit.connectors.youtube.helpers import (
    CHANNEL,
    KARI_THREAD,
    NOW,
    OUR_ANSWER_TO_SIGRID,
    SIGRID_THREAD,
    fixture,
)

THREADS = "/youtube/v3/commentThreads"
COMMENTS = "/youtube/v3/comments"
OLA_THREAD = "Ugw3ZpL8vN1cQx5Rt7YmAaABAg"
ASLAK_THREAD = "Ugy4sLk8mT2vQ6rW1zXpAaABAg"
OLD_THREAD = "UgxJ0nB5tR8wE3qY6uIoAaABAg"
HELD_THREAD = "Ugy9NjQ2wE5rT8yU1iOpAaABAg"



class Channel:
    """Answers like the YouTube API from the recorded pages; tests edit ``pages`` between polls."""

    def __init__(self) -> None:
        page1 = fixture("comment_threads_page1")
        page2 = fixture("comment_threads_page2")
        page3 = fixture("comment_threads_page3")
        self.pages: dict[str | None, Any] = {
            None: page1, page1["nextPageToken"]: page2, page2["nextPageToken"]: page3,
        }
        self.held = fixture("comment_threads_held")
        replies1, replies2 = fixture("replies_page1"), fixture("replies_page2")
        self.replies: dict[str | None, Any] = {None: replies1, replies1["nextPageToken"]: replies2}
        self.spam = fixture("comment_threads_empty")

    def threads(self, request: Request) -> Response:
        status = request.query.get("moderationStatus")
        if status == "heldForReview":
            return 200, {}, self.held
        if status == "likelySpam":
            return 200, {}, self.spam
        token = request.query.get("pageToken")
        if token not in self.pages:
            return 400, {}, fixture("error_invalid_page_token")
        return 200, {}, self.pages[token]

    def comments(self, request: Request) -> Response:
        return 200, {}, self.replies[request.query.get("pageToken")]

    def serve(self) -> FakeApi:
        return FakeApi().route("GET", THREADS, self.threads).route("GET", COMMENTS, self.comments)


def make_client(api: FakeApi, **kwargs: Any) -> ApiClient:
    return ApiClient(base_url=api.url, token="ya29.a0AfB_test", policy=YouTubePolicy(), sleep=lambda s: None,
                     **kwargs)


def make_connector(api: FakeApi, sink: ListSink, store: MemoryCursorStore | None = None, now: datetime = NOW,
                   client: ApiClient | None = None, **options: Any) -> YouTubeConnector:
    return YouTubeConnector(CHANNEL, client or make_client(api), sink, cursors=store, clock=lambda: now,
                            options=options)


def poll(connector: YouTubeConnector) -> int:
    connector.setup()
    sent = connector.poll()
    connector.flush()
    return sent


def by_id(messages: list[InboxMessage]) -> dict[str, InboxMessage]:
    return {m.native_id: m for m in messages}


# -- error policy -----------------------------------------------------------------------------------

@pytest.mark.parametrize("now, expected", [
    (datetime(2026, 11, 18, 12, 0, tzinfo=UTC), 20 * 3600),  # 04:00 PST → midnight is 08:00 UTC
    (datetime(2026, 7, 1, 12, 0, tzinfo=UTC), 19 * 3600),    # 05:00 PDT → midnight is 07:00 UTC
    (datetime(2026, 11, 1, 6, 30, tzinfo=UTC), 1800),        # 23:30 PDT the night DST ends
    (datetime(2026, 3, 8, 7, 59, tzinfo=UTC), 60),           # 23:59 PST
    (datetime(2026, 3, 8, 8, 30, tzinfo=UTC), 22.5 * 3600),  # 00:30 PST on the 23-hour day DST starts
])
def test_quota_resets_at_midnight_pacific(now: datetime, expected: float) -> None:
    assert seconds_until_quota_reset(now.timestamp()) == expected


@pytest.mark.parametrize("status, name, error_type", [
    (403, "error_quota_exceeded", RateLimited),
    (403, "error_rate_limit_exceeded", RateLimited),
    (403, "error_user_rate_limit_exceeded", RateLimited),
    (401, "error_auth", AuthError),
    (403, "error_comments_disabled", CommentsDisabled),
    (503, "error_backend", RetriableError),
    (400, "error_invalid_page_token", FatalRequestError),
])
def test_policy_reads_the_reason_of_google_errors(status: int, name: str, error_type: type) -> None:
    error = YouTubePolicy().classify(status, fixture(name), {}, THREADS, NOW.timestamp())
    assert type(error) is error_type
    assert THREADS in str(error) and "quota</a>" not in str(error)  # path and code only, never the message


def test_policy_without_a_google_body_and_a_missing_scope() -> None:
    policy = YouTubePolicy()
    assert isinstance(policy.classify(429, None, {"Retry-After": "12"}, THREADS, 0.0), RateLimited)
    scope = {"error": {"code": 403, "message": "Request had insufficient authentication scopes.",
                       "errors": [{"message": "Insufficient Permission", "domain": "global",
                                   "reason": "insufficientPermissions"}], "status": "PERMISSION_DENIED"}}
    assert isinstance(policy.classify(403, scope, {}, THREADS, 0.0), AuthError)
    forbidden = {"error": {"code": 403, "errors": [{"domain": "youtube.commentThread", "reason": "forbidden"}]}}
    assert type(policy.classify(403, forbidden, {}, THREADS, 0.0)) is FatalRequestError


# -- connector --------------------------------------------------------------------------------------

def test_first_poll_reads_threads_replies_and_held_comments() -> None:
    channel, sink = Channel(), ListSink()
    with channel.serve() as api:
        sent = poll(make_connector(api, sink))
    messages = by_id(sink.messages())
    assert sent == len(sink.events) == len(messages) == 13
    assert OLD_THREAD not in messages  # written before the backfill window
    assert {m.kind for m in messages.values()} == {Kind.COMMENT, Kind.REPLY}
    # our answer to Sigrid is only in comments.list: the thread listing shows 5 of its 6 replies
    answer = messages[OUR_ANSWER_TO_SIGRID]
    assert (answer.kind, answer.conversation_id, answer.parent_id, answer.from_account) == (
        Kind.REPLY, SIGRID_THREAD, SIGRID_THREAD, True)
    assert sum(m.conversation_id == SIGRID_THREAD for m in messages.values()) == 7
    assert messages[ASLAK_THREAD].parent_id == "Xr5TgH2uLwQ"
    held = messages[HELD_THREAD]
    assert (held.kind, held.event, held.from_account) == (Kind.COMMENT, Event.CREATED, False)
    assert {m.conversation_id for m in messages.values() if m.from_account} == {KARI_THREAD, SIGRID_THREAD}


def test_requests_follow_the_reference_and_paging_stops_at_old_threads() -> None:
    channel, sink = Channel(), ListSink()
    page1, page2 = channel.pages[None], channel.pages[channel.pages[None]["nextPageToken"]]
    with channel.serve() as api:
        poll(make_connector(api, sink))
    assert api.paths() == [THREADS, COMMENTS, COMMENTS, THREADS, THREADS, THREADS]
    listing = {"part": "snippet,replies", "allThreadsRelatedToChannelId": CHANNEL, "maxResults": "100",
               "order": "time", "textFormat": "plainText"}
    first, replies1, replies2, second, third, held = api.requests
    assert first.query == listing
    assert second.query == {**listing, "pageToken": page1["nextPageToken"]}
    assert third.query == {**listing, "pageToken": page2["nextPageToken"]}  # page 3 is all old: no page 4
    assert held.query == {**listing, "moderationStatus": "heldForReview"}
    reply_params = {"part": "snippet", "parentId": SIGRID_THREAD, "maxResults": "100", "textFormat": "plainText"}
    assert replies1.query == reply_params
    assert replies2.query == {**reply_params, "pageToken": channel.replies[None]["nextPageToken"]}


def test_the_bearer_token_is_sent_with_every_request() -> None:
    channel, sink = Channel(), ListSink()
    with channel.serve() as api:
        poll(make_connector(api, sink))
    assert {r.headers.get("authorization") for r in api.requests} == {"Bearer ya29.a0AfB_test"}


def test_empty_listings() -> None:
    sink = ListSink()
    with FakeApi().json("GET", THREADS, fixture("comment_threads_empty")) as api:
        assert poll(make_connector(api, sink)) == 0
    assert api.paths() == [THREADS, THREADS]  # published, then held for review


def test_likely_spam_is_read_when_asked_for() -> None:
    channel, sink = Channel(), ListSink()
    spam = copy.deepcopy(channel.held)
    comment = spam["items"][0]["snippet"]["topLevelComment"]
    comment["id"] = spam["items"][0]["id"] = "UgzSp4mSp4mSp4mSp4mSAaABAg"
    comment["snippet"]["moderationStatus"] = "likelySpam"
    channel.spam = spam
    with channel.serve() as api:
        poll(make_connector(api, sink, moderation_statuses=["published", "heldForReview", "likelySpam"]))
    assert api.requests[-1].query["moderationStatus"] == "likelySpam"
    assert by_id(sink.messages())["UgzSp4mSp4mSp4mSp4mSAaABAg"].event is Event.HIDDEN


@pytest.mark.parametrize("options", [
    {"moderation_statuses": ["rejected"]}, {"moderation_statuses": []}, {"reply_lookback_days": -1},
    {"reply_lookback_days": "7"},
])
def test_invalid_options_are_refused(options: dict[str, Any]) -> None:
    with pytest.raises(ValueError, match="youtube option"):
        YouTubeConnector(CHANNEL, ApiClient(), ListSink(), options=options)


def test_quota_exceeded_waits_for_midnight_pacific() -> None:
    sink = ListSink()
    with FakeApi().json("GET", THREADS, fixture("error_quota_exceeded"), status=403) as api:
        client = make_client(api, clock=lambda: NOW.timestamp())
        connector = make_connector(api, sink, client=client)
        connector.setup()
        with pytest.raises(RateLimited) as info:
            connector.poll()
    assert info.value.retry_after == 20 * 3600
    assert "quotaExceeded" in str(info.value)
    assert len(api.requests) == 1  # hours away: no retry inside the poll


def test_a_short_rate_limit_is_retried_after_a_pause() -> None:
    channel, sink, sleeps = Channel(), ListSink(), []
    limited = fixture("error_rate_limit_exceeded")
    answers = [(403, {}, limited)]

    def threads(request: Request) -> Response:
        return answers.pop() if answers else channel.threads(request)

    with FakeApi().route("GET", THREADS, threads).route("GET", COMMENTS, channel.comments) as api:
        client = ApiClient(base_url=api.url, token="t", policy=YouTubePolicy(), sleep=sleeps.append)
        assert poll(make_connector(api, sink, client=client)) == 13
    assert sleeps == [30.0]


def test_a_persistent_user_rate_limit_gives_up_after_bounded_attempts() -> None:
    sink = ListSink()
    with FakeApi().json("GET", THREADS, fixture("error_user_rate_limit_exceeded"), status=403) as api:
        connector = make_connector(api, sink)
        connector.setup()
        with pytest.raises(RateLimited):
            connector.poll()
    assert len(api.requests) == 4


def test_an_expired_token_is_an_auth_error_and_not_retried() -> None:
    sink = ListSink()
    with FakeApi().json("GET", THREADS, fixture("error_auth"), status=401) as api:
        connector = make_connector(api, sink)
        connector.setup()
        with pytest.raises(AuthError):
            connector.poll()
    assert len(api.requests) == 1


def test_malformed_json_is_fatal() -> None:
    sink = ListSink()
    with FakeApi().route("GET", THREADS, lambda _r: (200, {}, "<html>Service Unavailable")) as api:
        connector = make_connector(api, sink)
        connector.setup()
        with pytest.raises(FatalRequestError, match="malformed JSON"):
            connector.poll()
    assert len(api.requests) == 1


def test_a_500_storm_ends_after_bounded_attempts() -> None:
    sink, store = ListSink(), MemoryCursorStore()
    with FakeApi().json("GET", THREADS, fixture("error_backend"), status=503) as api:
        connector = make_connector(api, sink, store)
        connector.setup()
        with pytest.raises(RetriableError):
            connector.poll()
    assert len(api.requests) == 4
    assert store.load(Platform.YOUTUBE, CHANNEL) == {}


def test_comments_disabled_skips_that_video_without_failing_the_poll() -> None:
    channel, sink = Channel(), ListSink()
    disabled = fixture("error_comments_disabled")
    with FakeApi().route("GET", THREADS, channel.threads).json("GET", COMMENTS, disabled, status=403) as api:
        sent = poll(make_connector(api, sink))
    messages = by_id(sink.messages())
    assert sent == 12  # everything but the sixth reply, which only comments.list has
    assert OUR_ANSWER_TO_SIGRID not in messages
    assert sum(m.conversation_id == SIGRID_THREAD for m in messages.values()) == 6
    assert api.paths().count(COMMENTS) == 1


def test_a_restart_sends_nothing_again_then_only_new_items() -> None:
    channel, store = Channel(), MemoryCursorStore()
    with channel.serve() as api:
        assert poll(make_connector(api, ListSink(), store)) == 13
        later, sink = NOW + timedelta(minutes=15), ListSink()
        assert poll(make_connector(api, sink, store, now=later)) == 0
        assert api.paths()[6:].count(COMMENTS) == 0  # reply count unchanged: no quota spent on replies

        page1 = channel.pages[None]
        kari = page1["items"][0]
        new_reply = copy.deepcopy(kari["snippet"]["topLevelComment"])
        new_reply["id"] = f"{KARI_THREAD}.AQk9Lx3Mn8Pq1Rs4Tu7Vw0"
        new_reply["snippet"].update(parentId=KARI_THREAD, textOriginal="Takk! Nå er det brøytet.",
                                    textDisplay="Takk! Nå er det brøytet.", publishedAt="2026-11-18T12:10:00Z",
                                    updatedAt="2026-11-18T12:10:00Z")
        kari["replies"]["comments"].append(new_reply)
        kari["snippet"]["totalReplyCount"] = 2
        sink = ListSink()
        assert poll(make_connector(api, sink, store, now=later)) == 1
    (msg,) = sink.messages()
    assert (msg.native_id, msg.kind, msg.conversation_id, msg.from_account, msg.event) == (
        new_reply["id"], Kind.REPLY, KARI_THREAD, False, Event.CREATED)


def test_an_edited_comment_arrives_as_edited() -> None:
    channel, store = Channel(), MemoryCursorStore()
    with channel.serve() as api:
        poll(make_connector(api, ListSink(), store))
        ola = channel.pages[None]["items"][1]["snippet"]["topLevelComment"]["snippet"]
        ola.update(textOriginal="Takk for god info om brøyterekkefølgen! Gjelder den også Elvebakken?",
                   textDisplay="Takk for god info om brøyterekkefølgen! Gjelder den også Elvebakken?",
                   updatedAt="2026-11-18T12:05:00Z")
        sink = ListSink()
        assert poll(make_connector(api, sink, store, now=NOW + timedelta(minutes=15))) == 1
    (msg,) = sink.messages()
    assert (msg.native_id, msg.kind, msg.event, msg.conversation_id) == (OLA_THREAD, Kind.COMMENT, Event.EDITED,
                                                                          OLA_THREAD)
    assert msg.created_at == datetime(2026, 11, 17, 19, 3, 44, tzinfo=UTC)


def test_a_held_comment_that_gets_approved_is_not_a_new_inquiry() -> None:
    channel, store = Channel(), MemoryCursorStore()
    with channel.serve() as api:
        poll(make_connector(api, ListSink(), store))
        approved = copy.deepcopy(channel.held["items"][0])
        approved["snippet"]["topLevelComment"]["snippet"]["moderationStatus"] = "published"
        channel.pages[None]["items"].insert(0, approved)
        channel.held = fixture("comment_threads_empty")
        sink = ListSink()
        poll(make_connector(api, sink, store, now=NOW + timedelta(minutes=15)))
    (msg,) = sink.messages()
    assert (msg.native_id, msg.event) == (HELD_THREAD, Event.EDITED)


def test_without_lookback_paging_stops_at_the_first_page_older_than_the_cursor() -> None:
    channel, store = Channel(), MemoryCursorStore()
    with channel.serve() as api:
        poll(make_connector(api, ListSink(), store, reply_lookback_days=0))
        state = store.load(Platform.YOUTUBE, CHANNEL)
        assert state["since"] == "2026-11-18T09:30:00+00:00"  # the held comment is the newest item
        requests_before = len(api.requests)
        assert poll(make_connector(api, ListSink(), store, now=NOW + timedelta(minutes=15),
                                   reply_lookback_days=0)) == 0
    assert api.paths()[requests_before:] == [THREADS, THREADS]  # page 1 is all older: stop; then held


def test_cursors_stay_when_delivery_fails() -> None:
    from connectors.base import DeliveryError

    class FailingSink(ListSink):
        def flush(self, timeout: float) -> None:
            raise DeliveryError("broker down")

    channel, store = Channel(), MemoryCursorStore()
    with channel.serve() as api:
        connector = make_connector(api, FailingSink(), store)
        connector.setup()
        first = connector.poll()
        with pytest.raises(DeliveryError):
            connector.flush()
        assert store.load(Platform.YOUTUBE, CHANNEL) == {}
        assert connector.poll() == first


def test_oauth2_credentials_send_the_google_access_token(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OAUTHLIB_INSECURE_TRANSPORT", "1")  # the fake API speaks plain HTTP
    monkeypatch.setenv("YT_CLIENT_ID", "123-abc.apps.googleusercontent.com")
    monkeypatch.setenv("YT_CLIENT_SECRET", "GOCSPX-test")
    monkeypatch.setenv("YT_REFRESH_TOKEN", "1//0refresh-test")
    monkeypatch.setenv("YT_ACCESS_TOKEN", "ya29.from-file")
    credentials = OAuth2Credentials(client_id="env:YT_CLIENT_ID", client_secret="env:YT_CLIENT_SECRET",
                                    refresh_token="env:YT_REFRESH_TOKEN", access_token="env:YT_ACCESS_TOKEN",
                                    token_url="https://oauth2.googleapis.com/token")
    with FakeApi().json("GET", THREADS, fixture("comment_threads_empty")) as api:
        client = ApiClient(base_url=api.url, session=open_session(credentials), policy=YouTubePolicy())
        assert poll(make_connector(api, ListSink(), client=client)) == 0
    assert {r.headers.get("authorization") for r in api.requests} == {"Bearer ya29.from-file"}


def test_oauth2_refreshes_the_access_token_at_the_google_token_endpoint(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OAUTHLIB_INSECURE_TRANSPORT", "1")
    monkeypatch.setenv("YT_CLIENT_ID", "123-abc.apps.googleusercontent.com")
    monkeypatch.setenv("YT_REFRESH_TOKEN", "1//0refresh-test")
    token = {"access_token": "ya29.refreshed", "expires_in": 3599, "token_type": "Bearer",
             "scope": "https://www.googleapis.com/auth/youtube.force-ssl"}
    with FakeApi().json("POST", "/token", token).json("GET", THREADS, fixture("comment_threads_empty")) as api:
        credentials = OAuth2Credentials(client_id="env:YT_CLIENT_ID", refresh_token="env:YT_REFRESH_TOKEN",
                                        token_url=f"{api.url}/token")
        client = ApiClient(base_url=api.url, session=open_session(credentials), policy=YouTubePolicy())
        poll(make_connector(api, ListSink(), client=client))
    assert api.paths()[0] == "/token"
    assert api.requests[-1].headers.get("authorization") == "Bearer ya29.refreshed"
