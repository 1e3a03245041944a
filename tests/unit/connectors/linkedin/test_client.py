"""connectors/linkedin/client.py: the connector against recorded Community Management API responses, errors, OAuth 2."""

from __future__ import annotations

import copy
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest

from connectors.auth import RefreshingSession, open_session
from connectors.base import MemoryCursorStore
from connectors.errors import AuthError, FatalRequestError, RateLimited, RetriableError
from connectors.http import ApiClient
from connectors.linkedin.client import (
    DEFAULT_API_VERSION,
    DEFAULT_RATE_LIMIT_PAUSE,
    LinkedInConnector,
    LinkedInPolicy,
    seconds_to_midnight_utc,
)
from connectors.linkedin.mapping import map_linkedin
from innboks.config.credentials import OAuth2Credentials
from schemas import Event, InboxMessage, Kind, Platform, RawEvent
from tests.fakeapi import FakeApi, Request, Response, load
from tests.helpers import ListSink
from tests.unit.connectors.linkedin.helpers import A1, C1, C2, NOW, ORG, ORG_ID, P1, fixture

P2 = "urn:li:ugcPost:7262810098765432320"
P3 = "urn:li:share:7259536112873254912"
C3 = f"urn:li:comment:({A1},7263480000000000003)"
R1 = f"urn:li:comment:({A1},7263490000000000004)"
R2 = f"urn:li:comment:({A1},7263495000000000005)"
C4 = "urn:li:comment:(urn:li:activity:7262810099415519232,7262990000000000006)"
C6 = "urn:li:comment:(urn:li:activity:7259536113523342336,7263200000000000008)"


def comments_path(urn: str) -> str:
    return f"/rest/socialActions/{quote(urn, safe='')}/comments"


class LinkedInApi:
    """The recorded responses by path and ``start``; tests change them between polls."""

    def __init__(self) -> None:
        self.bodies: dict[str, dict[str, dict[str, Any]]] = {
            "/rest/posts": {"0": fixture("posts_page1.json"), "2": fixture("posts_page2.json")},
            comments_path(P1): {"0": fixture("comments_share_page1.json"), "2": fixture("comments_share_page2.json")},
            comments_path(C1): {"0": fixture("replies_comment1.json")},
            comments_path(C3): {"0": fixture("comments_empty.json")},
            comments_path(P2): {"0": fixture("comments_ugcpost.json")},
            comments_path(P3): {"0": fixture("comments_share_older.json")},
        }
        self.api = FakeApi().route("GET", r"/rest/.*", self.handle)

    def handle(self, request: Request) -> Response:
        pages = self.bodies.get(request.path)
        if pages is None:
            return 404, {}, {"status": 404, "serviceErrorCode": 0, "code": "NOT_FOUND", "message": "Not Found"}
        return 200, {"Content-Type": "application/json"}, pages[request.query.get("start", "0")]

    def __enter__(self) -> LinkedInApi:
        self.api.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        self.api.__exit__(*exc)



def connector(url: str, sink: ListSink | None = None, cursors: MemoryCursorStore | None = None,
              options: dict[str, Any] | None = None, credentials: OAuth2Credentials | None = None,
              token: str | None = "li-test-token", **client: Any) -> LinkedInConnector:
    session = open_session(credentials) if credentials is not None and token is None else None
    api_client = ApiClient(base_url=url, token=token, session=session, policy=LinkedInPolicy(), sleep=lambda s: None,
                           clock=lambda: NOW.timestamp(), **client)
    made = LinkedInConnector(ORG_ID, api_client, sink or ListSink(), cursors=cursors, clock=lambda: NOW,
                             backfill=timedelta(days=7), options=options, credentials=credentials)
    made.post_page_size = 2  # type: ignore[misc]
    made.comment_page_size = 2  # type: ignore[misc]
    return made


def poll(made: LinkedInConnector) -> list[RawEvent]:
    sink = made.sink
    assert isinstance(sink, ListSink)
    before = len(sink.events)
    made.setup()
    made.poll()
    made.flush()
    return sink.events[before:]


def by_id(events: list[RawEvent]) -> dict[str, InboxMessage]:
    messages = [map_linkedin(event) for event in events]
    return {m.native_id: m for m in messages}


# -- the connector ---------------------------------------------------------------------------

def test_poll_reads_posts_comments_and_replies_over_several_pages() -> None:
    with LinkedInApi() as li:
        events = poll(connector(li.api.url))
        requests = li.api.requests
    messages = by_id(events)
    # P3 and C5 predate the 7-day window; P3's newer comment C6 still counts; P4 is past the lookback
    assert set(messages) == {P1, P2, C1, C2, C3, R1, R2, C4, C6}
    assert {m.kind for m in messages.values()} == {Kind.POST, Kind.COMMENT, Kind.REPLY}
    assert (messages[R1].conversation_id, messages[R1].from_account) == (C1, True)
    assert messages[C4].parent_id == P2 and messages[C6].parent_id == P3
    assert [(r.path, r.query.get("start")) for r in requests] == [
        ("/rest/posts", "0"), ("/rest/socialActions/urn%3Ali%3Ashare%3A7263450912345678848/comments", "0"),
        (comments_path(C1), "0"),  # C2 says it has no replies: not asked
        ("/rest/socialActions/urn%3Ali%3Ashare%3A7263450912345678848/comments", "2"),
        (comments_path(C3), "0"),  # C3 does not say: asked, the answer is an empty page
        (comments_path(P2), "0"),
        ("/rest/posts", "2"), (comments_path(P3), "0"),  # the page ends with P4 (older): no start=4
    ]
    assert comments_path(C1) == ("/rest/socialActions/urn%3Ali%3Acomment%3A%28urn%3Ali%3Aactivity%3A"
                                 "7263450913005568000%2C7263470000000000001%29/comments")


def test_requests_carry_the_finder_parameters_and_headers() -> None:
    with LinkedInApi() as li:
        poll(connector(li.api.url))
        requests = li.api.requests
    posts = requests[0]
    assert posts.query == {"author": ORG, "q": "author", "sortBy": "LAST_MODIFIED", "start": "0", "count": "2"}
    assert posts.headers["x-restli-method"] == "FINDER"
    comments = requests[1]
    assert comments.query == {"start": "0", "count": "2"} and "x-restli-method" not in comments.headers
    for request in requests:
        assert request.headers["authorization"] == "Bearer li-test-token"
        assert request.headers["linkedin-version"] == DEFAULT_API_VERSION
        assert request.headers["x-restli-protocol-version"] == "2.0.0"


def test_urns_are_url_encoded_on_the_wire() -> None:
    with LinkedInApi() as li:
        made = connector(li.api.url)
        urls: list[str] = []
        made.client.session.hooks["response"].append(lambda response, *_a, **_k: urls.append(response.url))
        poll(made)
    assert "author=urn%3Ali%3Aorganization%3A10453127" in urls[0]
    assert "/rest/socialActions/urn%3Ali%3Ashare%3A7263450912345678848/comments?" in urls[1]
    assert all("urn:li" not in url for url in urls)


def test_api_version_comes_from_the_options() -> None:
    with LinkedInApi() as li:
        poll(connector(li.api.url, options={"api_version": "202609"}))
        assert {r.headers["linkedin-version"] for r in li.api.requests} == {"202609"}
        with pytest.raises(FatalRequestError, match="api_version"):
            poll(connector(li.api.url, options={"api_version": "2026-09"}))


def test_an_empty_page_ends_the_listing() -> None:
    with LinkedInApi() as li:
        li.bodies["/rest/posts"] = {"0": fixture("comments_empty.json")}
        assert poll(connector(li.api.url)) == []
        assert li.api.paths() == ["/rest/posts"]


def test_restart_sends_nothing_twice_then_only_new_items() -> None:
    store = MemoryCursorStore()
    with LinkedInApi() as li:
        first = poll(connector(li.api.url, cursors=store))
        assert len(first) == 9
        state = store.load(Platform.LINKEDIN, ORG_ID)
        assert state["since"] == (NOW - timedelta(days=7)).isoformat() and len(state["seen"]) == 9

        assert poll(connector(li.api.url, cursors=store)) == []

        # A citizen's new comment on the hearing post, and our answer to C4 in C4's thread
        page = li.bodies[comments_path(P2)]["0"]
        c4 = page["elements"][0]
        c4["commentsSummary"] = {"selectedComments": [], "totalFirstLevelComments": 1, "aggregatedTotalComments": 1}
        answer = copy.deepcopy(fixture("replies_comment1.json")["elements"][0])
        answer_urn = "urn:li:comment:(urn:li:activity:7262810099415519232,7263520000000000009)"
        answer.update({"commentUrn": answer_urn, "$URN": answer_urn, "id": "7263520000000000009",
                       "object": "urn:li:activity:7262810099415519232", "parentComment": C4})
        answer["message"]["text"] = "Høringsdokumentene ligger på alta.kommune.no/horing."
        li.bodies[comments_path(C4)] = {"0": {"paging": {"start": 0, "count": 50, "links": [], "total": 1},
                                              "elements": [answer]}}
        newcomer = copy.deepcopy(c4)
        newcomer_urn = "urn:li:comment:(urn:li:activity:7262810099415519232,7263530000000000010)"
        newcomer.update({"commentUrn": newcomer_urn, "$URN": newcomer_urn, "id": "7263530000000000010",
                         "actor": "urn:li:person:Hj7kLm2nP5", "commentsSummary": {
                             "selectedComments": [], "totalFirstLevelComments": 0, "aggregatedTotalComments": 0}})
        newcomer["created"] = newcomer["lastModified"] = {"actor": "urn:li:person:Hj7kLm2nP5", "time": 1794830000000}
        page["elements"].append(newcomer)
        page["paging"]["total"] = 2

        new = by_id(poll(connector(li.api.url, cursors=store)))
    assert set(new) == {answer_urn, newcomer_urn}  # c4 itself is not sent again
    assert (new[answer_urn].kind, new[answer_urn].conversation_id, new[answer_urn].from_account) == (
        Kind.REPLY, C4, True)
    assert (new[newcomer_urn].kind, new[newcomer_urn].conversation_id) == (Kind.COMMENT, newcomer_urn)


def test_an_edited_comment_and_post_arrive_as_edited() -> None:
    store = MemoryCursorStore()
    with LinkedInApi() as li:
        poll(connector(li.api.url, cursors=store))
        c2 = li.bodies[comments_path(P1)]["0"]["elements"][1]
        c2["message"]["text"] = "Takk til brøytemannskapene! (Markveien er fortsatt ikke brøytet.)"
        c2["lastModified"]["time"] = c2["created"]["time"] + 3_600_000
        post = li.bodies["/rest/posts"]["0"]["elements"][0]
        post["commentary"] += " Oppdatert kl. 11: Markveien er brøytet."
        post["lastModifiedAt"] += 5 * 3_600_000
        post["lifecycleStateInfo"]["isEditedByAuthor"] = True
        edited = poll(connector(li.api.url, cursors=store))
    messages = by_id(edited)
    assert set(messages) == {C2, P1}
    assert all(m.event is Event.EDITED for m in messages.values())
    assert "fortsatt ikke" in (messages[C2].text or "")


def test_comments_of_a_post_deleted_meanwhile_are_skipped() -> None:
    with LinkedInApi() as li:
        del li.bodies[comments_path(P2)]
        messages = by_id(poll(connector(li.api.url)))
    assert P2 in messages and C4 not in messages and C6 in messages


# -- errors ----------------------------------------------------------------------------------

def test_daily_quota_429_waits_until_midnight_utc_without_retrying() -> None:
    api = FakeApi().json("GET", r"/rest/posts", load("linkedin/error_429_daily_quota.json"), status=429)
    with api, pytest.raises(RateLimited) as info:
        poll(connector(api.url))
    assert len(api.requests) == 1
    assert info.value.retry_after == 12 * 3600 + 60
    assert "TOO_MANY_REQUESTS" in str(info.value) and "throttle" not in str(info.value)


def test_429_with_retry_after_or_without_anything() -> None:
    api = FakeApi().json("GET", r"/rest/posts", {"status": 429}, status=429, headers={"Retry-After": "120"})
    with api, pytest.raises(RateLimited) as info:
        poll(connector(api.url))
    assert info.value.retry_after == 120 and len(api.requests) == 1
    bare = LinkedInPolicy().classify(429, None, {}, "/rest/posts", NOW.timestamp())
    assert isinstance(bare, RateLimited) and bare.retry_after == DEFAULT_RATE_LIMIT_PAUSE


def test_a_short_retry_after_is_waited_for_and_retried() -> None:
    with LinkedInApi() as li:
        original = li.handle
        calls: list[int] = []

        def throttled_once(request: Request) -> Response:
            calls.append(1)
            if len(calls) == 1:
                return 429, {"Retry-After": "5"}, {"status": 429, "code": "TOO_MANY_REQUESTS"}
            return original(request)

        li.api.routes.clear()
        li.api.route("GET", r"/rest/.*", throttled_once)
        sleeps: list[float] = []
        made = connector(li.api.url)
        made.client.sleep = sleeps.append
        assert len(poll(made)) == 9
    assert sleeps == [5.0]


def test_expired_token_is_an_auth_error_and_not_retried() -> None:
    api = FakeApi().json("GET", r"/rest/posts", load("linkedin/error_401_expired_token.json"), status=401)
    with api, pytest.raises(AuthError, match="EXPIRED_ACCESS_TOKEN") as info:
        poll(connector(api.url))
    assert len(api.requests) == 1
    assert "li-test-token" not in str(info.value)


def test_missing_permission_is_fatal_and_names_no_request_values() -> None:
    api = FakeApi().json("GET", r"/rest/posts", load("linkedin/error_403_access_denied.json"), status=403)
    with api, pytest.raises(FatalRequestError) as info:
        poll(connector(api.url))
    assert not isinstance(info.value, AuthError) and len(api.requests) == 1
    assert "ACCESS_DENIED" in str(info.value) and "partnerApiPostsExternal" not in str(info.value)


def test_sunset_version_is_fatal() -> None:
    error = LinkedInPolicy().classify(426, {"status": 426, "code": "NONEXISTENT_VERSION"}, {}, "/rest/posts", 0.0)
    assert isinstance(error, FatalRequestError) and "api_version" in str(error)


def test_malformed_json_is_fatal() -> None:
    api = FakeApi().route("GET", r"/rest/posts", lambda _r: (200, {}, "<html>LinkedIn is down</html>"))
    with api, pytest.raises(FatalRequestError, match="malformed JSON from /rest/posts"):
        poll(connector(api.url))


def test_a_500_storm_is_retried_a_bounded_number_of_times() -> None:
    api = FakeApi().json("GET", r"/rest/posts", {"status": 500, "message": "Internal Server Error"}, status=500)
    with api, pytest.raises(RetriableError, match="HTTP 500"):
        poll(connector(api.url, max_attempts=4))
    assert len(api.requests) == 4


def test_seconds_to_midnight_utc() -> None:
    assert seconds_to_midnight_utc(datetime(2026, 11, 16, 23, 59, tzinfo=UTC).timestamp()) == 60


# -- OAuth 2 ---------------------------------------------------------------------------------

@pytest.fixture()
def secrets(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    monkeypatch.setenv("OAUTHLIB_INSECURE_TRANSPORT", "1")  # the fake token endpoint is plain HTTP
    monkeypatch.setenv("LI_CLIENT_ID", "77abcdefgh")
    monkeypatch.setenv("LI_CLIENT_SECRET", "client-secret")
    refresh = tmp_path / "linkedin_refresh_token"
    refresh.write_text("AQX_old_refresh_token", encoding="utf-8")
    return refresh


def oauth(api_url: str, refresh: Path, access_token: str | None = None) -> OAuth2Credentials:
    return OAuth2Credentials(client_id="env:LI_CLIENT_ID", client_secret="env:LI_CLIENT_SECRET",
                             refresh_token=f"file:{refresh}", access_token=access_token,
                             token_url=f"{api_url}/oauth/v2/accessToken")


def test_a_rejected_refresh_is_an_auth_error(secrets: Path) -> None:
    with LinkedInApi() as li:
        li.api.json("POST", r"/oauth/v2/accessToken", load("linkedin/token_refresh_invalid_grant.json"), status=400)
        made = connector(li.api.url, credentials=oauth(li.api.url, secrets), token=None)
        with pytest.raises(AuthError, match="refresh refused: invalid_grant") as info:
            poll(made)
        assert [(r.method, r.path) for r in li.api.requests] == [("POST", "/oauth/v2/accessToken")]
    assert "AQX_old" not in str(info.value) and "client-secret" not in str(info.value)


def test_refresh_mints_a_token_before_the_first_request_and_keeps_a_new_refresh_token(secrets: Path) -> None:
    with LinkedInApi() as li:
        li.api.json("POST", r"/oauth/v2/accessToken", load("linkedin/token_refresh_ok.json"))
        made = connector(li.api.url, credentials=oauth(li.api.url, secrets), token=None)
        assert len(poll(made)) == 9
        assert isinstance(made.client.session, RefreshingSession)
        gets = [r for r in li.api.requests if r.method == "GET"]
        posts = [r for r in li.api.requests if r.method == "POST"]
    assert len(posts) == 1 and posts[0].headers["content-type"].startswith("application/x-www-form-urlencoded")
    assert {r.headers["authorization"] for r in gets} == {"Bearer AQV_fake_access_token_for_tests"}
    assert secrets.read_text(encoding="utf-8") == "AQX_fake_refresh_token_for_tests"


def test_a_stored_access_token_rejected_with_401_is_refreshed_once(secrets: Path, monkeypatch) -> None:
    monkeypatch.setenv("LI_ACCESS_TOKEN", "AQV_stale")
    with LinkedInApi() as li:
        original = li.handle

        def needs_fresh_token(request: Request) -> Response:
            if request.headers.get("authorization") != "Bearer AQV_fake_access_token_for_tests":
                return 401, {}, load("linkedin/error_401_expired_token.json")
            return original(request)

        li.api.routes.clear()
        li.api.route("GET", r"/rest/.*", needs_fresh_token)
        li.api.json("POST", r"/oauth/v2/accessToken", load("linkedin/token_refresh_ok.json"))
        made = connector(li.api.url, credentials=oauth(li.api.url, secrets, "env:LI_ACCESS_TOKEN"), token=None)
        assert len(poll(made)) == 9
        methods = [r.method for r in li.api.requests]
    assert methods[:3] == ["GET", "POST", "GET"] and methods.count("POST") == 1
