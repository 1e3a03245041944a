"""connectors/instagram/client.py: the connector against the recorded Instagram Graph API."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from connectors.base import MemoryCursorStore
from connectors.errors import AuthError, FatalRequestError, RateLimited, RetriableError
from connectors.http import ApiClient
from connectors.instagram.client import COMMENT_FIELDS, MEDIA_FIELDS, InstagramConnector
from connectors.instagram.mapping import map_instagram
from connectors.meta.client import GraphPolicy
from schemas import Event, InboxMessage, Kind, Platform
from tests.fakeapi import FakeApi, Request, Response
from tests.helpers import ListSink
from tests.unit.connectors.instagram.helpers import (
    C1,
    C2,
    C3,
    C4,
    C5,
    CITIZEN_IGSID,
    CONV1,
    IG_USER,
    MEDIA_A,
    MEDIA_B,
    MEDIA_C,
    MEDIA_D,
    R1,
    R2,
    R3,
    R4,
    USERNAME,
    fixture,
)

PAGE_ID = "104857362918274"
TOKEN = "test-token"
NOW = datetime(2026, 11, 16, 12, tzinfo=UTC)
V = "/v24\\.0"


# -- the recorded Graph API ----------------------------------------------------------------------

class Graph:
    """Routes of the Graph API for one account, answering from (mutable) recorded pages."""

    def __init__(self) -> None:
        self.pages: dict[str, Any] = {
            name: fixture(name) for name in (
                "media_page1", "media_page2", "comments_a_page1", "comments_a_page2", "replies_c1_page2",
                "comments_b", "comments_c", "tags", "conversations", "messages_conv1")
        }
        self.api = FakeApi()
        self.api.route("GET", f"{V}/{IG_USER}/media", self.paged("media_page1", "media_page2"))
        self.api.route("GET", f"{V}/{MEDIA_A}/comments", self.paged("comments_a_page1", "comments_a_page2"))
        self.api.route("GET", f"{V}/{MEDIA_B}/comments", self.paged("comments_b"))
        self.api.route("GET", f"{V}/{MEDIA_C}/comments", self.paged("comments_c"))
        self.api.json("GET", f"{V}/{MEDIA_D}/comments", fixture("empty_page"))
        self.api.route("GET", f"{V}/{C1}/replies", self.paged("replies_c1_page2"))
        self.api.route("GET", f"{V}/{IG_USER}/tags", self.paged("tags"))
        self.api.route("GET", f"{V}/{PAGE_ID}/conversations", self.paged("conversations"))
        self.api.route("GET", f"{V}/{CONV1}/messages", self.paged("messages_conv1"))

    def paged(self, first: str, second: str | None = None):  # type: ignore[no-untyped-def]
        def handler(request: Request) -> Response:
            name = second if second and request.query.get("after") else first
            return 200, {}, self.pages[name]
        return handler

    def __enter__(self) -> Graph:
        self.api.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        self.api.__exit__(*exc)



def connector(api: FakeApi, store: MemoryCursorStore | None = None, sink: ListSink | None = None,
              page_id: str | None = PAGE_ID, client: ApiClient | None = None) -> InstagramConnector:
    options: dict[str, Any] = {"username": USERNAME}
    if page_id:
        options["page_id"] = page_id
    conn = InstagramConnector(IG_USER, client or ApiClient(base_url=api.url, token=TOKEN, policy=GraphPolicy()),
                              sink or ListSink(), cursors=store, clock=lambda: NOW, options=options)
    conn.setup()
    return conn


def poll(conn: InstagramConnector) -> list[InboxMessage]:
    sink = conn.sink
    assert isinstance(sink, ListSink)
    start = len(sink.events)
    conn.poll()
    conn.flush()
    return [map_instagram(event) for event in sink.events[start:]]


def by_id(messages: list[InboxMessage]) -> dict[str, InboxMessage]:
    return {m.native_id: m for m in messages}


# -- the connector against the recorded API --------------------------------------------------------

def test_first_poll_reads_every_resource_over_several_pages() -> None:
    with Graph() as graph:
        messages = poll(connector(graph.api))
    found = by_id(messages)
    assert len(messages) == len(found) == 13
    # Posts inside the backfill window only; older media are still read for new comments.
    assert {i for i, m in found.items() if m.kind is Kind.POST} == {MEDIA_A, MEDIA_B}
    assert {i for i, m in found.items() if m.kind is Kind.COMMENT} == {C1, C2, C3, C4}
    assert {i for i, m in found.items() if m.kind is Kind.REPLY} == {R1, R2, R3, R4}
    assert C5 not in found  # before the window, but its new reply R3 is here
    assert (found[R3].conversation_id, found[R3].from_account) == (C5, False)
    assert (found[R1].conversation_id, found[R1].from_account) == (C1, True)
    assert (found[R2].conversation_id, found[R2].from_account) == (C1, False)  # from the replies next page
    assert found[C2].event is Event.HIDDEN
    assert [m.native_id for m in messages if m.kind is Kind.MENTION] == ["17990555000000001"]
    dms = [m for m in messages if m.kind is Kind.DIRECT_MESSAGE]
    assert [(m.conversation_id, m.from_account) for m in dms] == [(CITIZEN_IGSID, True), (CITIZEN_IGSID, False)]


def test_requests_use_the_documented_paths_parameters_and_bearer_token() -> None:
    with Graph() as graph:
        poll(connector(graph.api))
    requests = graph.api.requests
    assert all(r.headers.get("authorization") == f"Bearer {TOKEN}" for r in requests)
    assert all("access_token" not in r.query or r.query.get("after") for r in requests)  # only in next links
    media = [r for r in requests if r.path == f"/v24.0/{IG_USER}/media"]
    assert len(media) == 2 and media[1].query["after"] == "QVFIUm1YWZ0ZXI"
    assert media[0].query == {"fields": MEDIA_FIELDS, "limit": "25",
                              "since": str(int((NOW - timedelta(days=30)).timestamp()))}
    comments = [r for r in requests if r.path == f"/v24.0/{MEDIA_A}/comments"]
    assert comments[0].query == {"fields": COMMENT_FIELDS, "limit": "50"}
    assert "replies{id,text,timestamp,username,from,hidden,parent_id}" in comments[0].query["fields"]
    assert [r.query.get("after") for r in requests if r.path == f"/v24.0/{C1}/replies"] == ["QVFIUr1YWZ0ZXI"]
    assert f"/v24.0/{MEDIA_D}/comments" in graph.api.paths()  # every media of the lookback, even quiet ones
    tags = next(r for r in requests if r.path == f"/v24.0/{IG_USER}/tags")
    assert tags.query["fields"] == "id,caption,timestamp,permalink,media_type,media_product_type,username"
    conversations = next(r for r in requests if r.path == f"/v24.0/{PAGE_ID}/conversations")
    assert conversations.query == {"platform": "instagram", "fields": "id,updated_time,participants", "limit": "25"}
    messages = [r for r in requests if r.path == f"/v24.0/{CONV1}/messages"]
    assert len(messages) == 1 and messages[0].query == {"fields": "id,created_time,from,to,message", "limit": "20"}
    assert not any("/messages" in p for p in graph.api.paths() if CONV1 not in p)  # older thread skipped


def test_without_a_page_id_no_direct_messages_are_requested() -> None:
    with Graph() as graph:
        messages = poll(connector(graph.api, page_id=None))
    assert not any(m.kind is Kind.DIRECT_MESSAGE for m in messages)
    assert not any("conversations" in p or "messages" in p for p in graph.api.paths())


def test_graph_version_option_is_used_in_the_path() -> None:
    api = FakeApi().json("GET", r"/v25\.0/.*", fixture("empty_page"))
    with api:
        conn = InstagramConnector(IG_USER, ApiClient(base_url=api.url, token=TOKEN), ListSink(), clock=lambda: NOW,
                                  options={"graph_version": "v25.0"})
        conn.setup()
        conn.poll()
    assert api.paths() == [f"/v25.0/{IG_USER}/media", f"/v25.0/{IG_USER}/tags"]


def test_an_empty_page_ends_the_listing_even_with_a_next_link() -> None:
    empty_with_next = {"data": [], "paging": {"next": f"https://graph.facebook.com/v24.0/{IG_USER}/media?after=X"}}
    api = FakeApi().json("GET", f"{V}/{IG_USER}/media", empty_with_next).json("GET", f"{V}/{IG_USER}/tags",
                                                                                 fixture("empty_page"))
    with api:
        conn = connector(api, page_id=None)
        assert conn.poll() == 0
        conn.flush()
    assert api.paths() == [f"/v24.0/{IG_USER}/media", f"/v24.0/{IG_USER}/tags"]


def test_second_poll_and_a_restart_send_nothing_again_then_only_new_items() -> None:
    store = MemoryCursorStore()
    with Graph() as graph:
        assert len(poll(connector(graph.api, store))) == 13
        restarted = connector(graph.api, store)
        assert poll(restarted) == []
        new_reply = {"id": "18040000000000015", "text": "Fortsatt ikke brøytet her i Markveien.",
                     "timestamp": "2026-11-16T11:30:00+0000", "username": "kari.nordmann87",
                     "from": {"id": "17841455512345678", "username": "kari.nordmann87"}, "hidden": False,
                     "parent_id": C1}
        graph.pages["replies_c1_page2"]["data"].append(new_reply)
        again = connector(graph.api, store)
        new = poll(again)
    assert [(m.native_id, m.kind, m.conversation_id, m.event) for m in new] == [
        ("18040000000000015", Kind.REPLY, C1, Event.CREATED)]
    state = store.load(Platform.INSTAGRAM, IG_USER)
    assert state["polled_at"] == NOW.isoformat() and state["messages_since"] == "2026-11-16T09:12:44+00:00"


def test_edited_caption_and_hidden_comment_arrive_as_changes() -> None:
    store = MemoryCursorStore()
    with Graph() as graph:
        poll(connector(graph.api, store))
        graph.pages["media_page1"]["data"][1]["caption"] += " Oppdatert: frist forlenget til 17. desember."
        graph.pages["comments_a_page2"]["data"][0]["hidden"] = True
        changed = by_id(poll(connector(graph.api, store)))
    assert set(changed) == {MEDIA_B, C3}
    assert (changed[MEDIA_B].event, changed[C3].event) == (Event.EDITED, Event.HIDDEN)
    assert changed[C3].conversation_id == C3


def test_rate_limit_error_with_business_use_case_header() -> None:
    buc = {IG_USER: [{"type": "instagram", "call_count": 100, "total_cputime": 28, "total_time": 41,
                      "estimated_time_to_regain_access": 7}]}
    api = FakeApi().json("GET", f"{V}/{IG_USER}/media", fixture("error_rate_limited"), status=400,
                         headers={"X-Business-Use-Case-Usage": json.dumps(buc)})
    with api:
        with pytest.raises(RateLimited) as info:
            connector(api).poll()
    assert info.value.retry_after == pytest.approx(420, abs=5)
    assert len(api.requests) == 1


def test_app_usage_header_at_100_percent_pauses_before_the_next_request() -> None:
    sleeps: list[float] = []
    api = FakeApi().json("GET", f"{V}/{IG_USER}/media", fixture("media_page2") | {"data": []},
                         headers={"X-App-Usage": json.dumps({"call_count": 100, "total_cputime": 9, "total_time": 12})})
    api.json("GET", f"{V}/{IG_USER}/tags", fixture("empty_page"))
    with api:
        client = ApiClient(base_url=api.url, token=TOKEN, policy=GraphPolicy(), sleep=sleeps.append)
        connector(api, page_id=None, client=client).poll()
    assert sleeps == [client.max_wait]  # nothing announced a reset: wait the longest allowed pause


def test_expired_token_is_an_auth_error_without_retry() -> None:
    api = FakeApi().json("GET", f"{V}/{IG_USER}/media", fixture("error_token_expired"), status=400)
    with api:
        client = ApiClient(base_url=api.url, token=TOKEN, policy=GraphPolicy(), sleep=lambda s: None)
        with pytest.raises(AuthError) as info:
            connector(api, client=client).poll()
    assert len(api.requests) == 1
    assert "190/463" in str(info.value) and "Session has expired" not in str(info.value)


def test_malformed_json_is_fatal_and_names_only_the_path() -> None:
    api = FakeApi().route("GET", f"{V}/{IG_USER}/media", lambda req: (200, {}, '{"data": [{"id": '))
    with api:
        with pytest.raises(FatalRequestError, match=f"malformed JSON from /v24.0/{IG_USER}/media"):
            connector(api).poll()


def test_a_500_storm_is_retried_a_bounded_number_of_times() -> None:
    api = FakeApi().json("GET", f"{V}/{IG_USER}/media", {"error": {"message": "An unexpected error has occurred.",
                                                                     "type": "OAuthException", "code": 2,
                                                                     "is_transient": True}}, status=500)
    with api:
        client = ApiClient(base_url=api.url, token=TOKEN, policy=GraphPolicy(), sleep=lambda s: None)
        with pytest.raises(RetriableError):
            connector(api, client=client).poll()
    assert len(api.requests) == client.max_attempts == 4


def test_a_rate_limited_poll_advances_no_cursor() -> None:
    store = MemoryCursorStore()
    api = FakeApi().json("GET", f"{V}/{IG_USER}/media", fixture("empty_page"))
    api.json("GET", f"{V}/{IG_USER}/tags", {"error": {"code": 4, "message": "Application request limit reached"}},
             status=403)
    with api:
        conn = connector(api, store)
        with pytest.raises(RateLimited):
            conn.poll()
    assert store.load(Platform.INSTAGRAM, IG_USER) == {}
