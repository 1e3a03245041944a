"""connectors/mastodon/client.py: the connector against a stand-in instance: listings, cursors, errors, the instance."""

from __future__ import annotations

import copy
import re
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode

import pytest

from connectors.base import DeliveryError, MemoryCursorStore
from connectors.errors import AuthError, FatalRequestError, RateLimited, RetriableError
from connectors.http import ApiClient
from connectors.mastodon.client import MastodonConnector, MastodonPolicy
from connectors.mastodon.mapping import map_mastodon
from schemas import Event, InboxMessage, Kind, Platform
from tests.fakeapi import FakeApi, Request, Response, load
from tests.helpers import ListSink
from tests.unit.connectors.mastodon.helpers import (
    ACCOUNT,
    CONVERSATIONS,
    INGRID,
    INGRID_DM,
    KARI,
    KARI_MENTION,
    NOTIFICATIONS,
    NOW,
    OLA,
    OLA_DM,
    OUR_POST,
    OUR_REPLY_KARI,
    OUR_REPLY_OLA,
    PER_MENTION,
    STATUSES,
)

INSTANCE = "https://snabelen.no"
TOKEN = "mastodon-test-token"


# -- a stand-in instance -------------------------------------------------------------------------

def _key(value: str) -> tuple[int, str]:
    return len(value), value


class Snabelen:
    """Serves the three listings the way Mastodon pages them: ids, ``limit`` and ``Link`` headers.

    ``max_id``/``since_id`` select from the newest down; ``min_id`` selects the items immediately above
    the cursor (returned newest first). ``next`` links carry ``max_id`` of the last item, ``prev`` links
    ``min_id`` of the first; statuses and conversations give ``next`` only after a full page.
    """

    def __init__(self) -> None:
        self.notifications: list[dict[str, Any]] = copy.deepcopy(NOTIFICATIONS)
        self.statuses: list[dict[str, Any]] = copy.deepcopy(STATUSES)
        self.conversations: list[dict[str, Any]] = copy.deepcopy(CONVERSATIONS)
        self.api = FakeApi()
        self.api.route("GET", r"/api/v1/notifications", lambda r: self.page(r, self.notifications, always_next=True))
        self.api.route("GET", rf"/api/v1/accounts/{ACCOUNT}/statuses", lambda r: self.page(r, self.statuses))
        self.api.route("GET", r"/api/v1/conversations",
                       lambda r: self.page(r, self.conversations, cursor=lambda c: c["last_status"]["id"]))

    def page(self, req: Request, listing: list[dict[str, Any]], always_next: bool = False,
             cursor: Callable[[dict[str, Any]], str] = lambda item: item["id"]) -> Response:
        if req.headers.get("authorization") != f"Bearer {TOKEN}":
            return 401, {}, load("mastodon/error_401.json")
        limit = int(req.query.get("limit", "20"))
        max_id, since_id, min_id = (req.query.get(k) for k in ("max_id", "since_id", "min_id"))

        def within(item: dict[str, Any]) -> bool:
            key = _key(cursor(item))
            return ((max_id is None or key < _key(max_id)) and (since_id is None or key > _key(since_id))
                    and (min_id is None or key > _key(min_id)))

        newest_first = sorted(listing, key=lambda item: _key(cursor(item)), reverse=True)
        if min_id is not None:
            page = [i for i in reversed(newest_first) if within(i)][:limit][::-1]
        else:
            page = [i for i in newest_first if within(i)][:limit]
        links = []
        if page and (always_next or len(page) == limit):
            links.append(f'<{self.link(req, max_id=cursor(page[-1]))}>; rel="next"')
        if page:
            links.append(f'<{self.link(req, min_id=cursor(page[0]))}>; rel="prev"')
        reset = datetime.fromtimestamp(time.time() + 240, UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")
        headers = {"X-RateLimit-Limit": "300", "X-RateLimit-Remaining": "287", "X-RateLimit-Reset": reset}
        if links:
            headers["Link"] = ", ".join(links)
        return 200, headers, page

    @staticmethod
    def link(req: Request, **cursor: str) -> str:
        kept = [(k, v) for k, values in req.query_all.items() if k not in ("max_id", "min_id", "since_id")
                for v in values]
        return f"{INSTANCE}{req.path}?{urlencode(sorted([*kept, *cursor.items()]))}"



@pytest.fixture()
def snabelen() -> Iterator[Snabelen]:
    instance = Snabelen()
    with instance.api:
        yield instance


def connector(api: FakeApi, sink: Any = None, cursors: MemoryCursorStore | None = None, page_size: int | None = None,
              **client: Any) -> MastodonConnector:
    instance = MastodonConnector(
        ACCOUNT, ApiClient(base_url=api.url, token=TOKEN, policy=MastodonPolicy(), **client), sink or ListSink(),
        cursors=cursors, clock=lambda: NOW, options={"instance_url": INSTANCE})
    if page_size:
        instance.page_size = page_size
    instance.setup()
    return instance


def poll(instance: MastodonConnector) -> list[InboxMessage]:
    sink = instance.sink
    assert isinstance(sink, ListSink)
    before = len(sink.events)
    instance.poll()
    instance.flush()
    return [map_mastodon(event) for event in sink.events[before:]]


def test_first_poll_reads_the_three_listings_back_to_the_window(snabelen: Snabelen) -> None:
    messages = poll(connector(snabelen.api))
    # oldest first across the listings, so a citizen's message reaches the clock before our answer;
    # the mention of Nov 2 and our post of Nov 6 are older than the window
    assert [m.native_id for m in messages] == [PER_MENTION["id"], OUR_POST["id"], KARI_MENTION["id"], OLA_DM["id"],
                                               OUR_REPLY_KARI["id"], OUR_REPLY_OLA["id"], INGRID_DM["id"]]
    by_id = {m.native_id: m for m in messages}
    assert by_id[INGRID_DM["id"]].kind is Kind.DIRECT_MESSAGE  # only in conversations (a filtered mention)
    assert by_id[OUR_REPLY_OLA["id"]].conversation_id == by_id[OLA_DM["id"]].conversation_id == OLA
    assert by_id[OUR_REPLY_KARI["id"]].conversation_id == by_id[KARI_MENTION["id"]].conversation_id == KARI
    # the request paths and parameters Mastodon documents, and the bearer token on every request
    requests = snabelen.api.requests
    assert [r.path for r in requests] == ["/api/v1/notifications", f"/api/v1/accounts/{ACCOUNT}/statuses",
                                          "/api/v1/conversations"]
    assert requests[0].query_all == {"types[]": ["mention"], "limit": ["40"]}
    assert requests[1].query_all == {"exclude_reblogs": ["true"], "limit": ["40"]}
    assert requests[2].query_all == {"limit": ["40"]}
    assert {r.headers["authorization"] for r in requests} == {f"Bearer {TOKEN}"}


def test_first_poll_follows_link_headers_over_several_pages_and_stops_at_the_window(snabelen: Snabelen) -> None:
    messages = poll(connector(snabelen.api, page_size=2))
    assert len(messages) == 7
    notifications = [r for r in snabelen.api.requests if r.path == "/api/v1/notifications"]
    # page 1, then rel="next" (max_id); page 2 holds the Nov 2 mention, older than the window: stop there
    assert [r.query_all for r in notifications] == [
        {"types[]": ["mention"], "limit": ["2"]},
        {"types[]": ["mention"], "limit": ["2"], "max_id": ["48213377"]},
    ]
    statuses = [r.query.get("max_id") for r in snabelen.api.requests if r.path.endswith("/statuses")]
    assert statuses == [None, OUR_REPLY_KARI["id"]]  # page 2 holds the Nov 6 post: stop
    conversations = [r for r in snabelen.api.requests if r.path == "/api/v1/conversations"]
    assert len(conversations) == 2 and conversations[1].query["max_id"] == OUR_REPLY_OLA["id"]


def test_a_restart_resends_nothing_then_only_new_items_with_min_id(snabelen: Snabelen) -> None:
    store = MemoryCursorStore()
    assert len(poll(connector(snabelen.api, cursors=store))) == 7
    state = store.load(Platform.MASTODON, ACCOUNT)
    assert (state["notifications_min_id"], state["statuses_min_id"], state["conversations_last_status_id"]) == (
        "48213502", OUR_REPLY_OLA["id"], INGRID_DM["id"])

    snabelen.api.requests.clear()
    assert poll(connector(snabelen.api, cursors=store)) == []  # a new instance, the same store
    notifications = [r.query_all for r in snabelen.api.requests if r.path == "/api/v1/notifications"]
    assert notifications == [{"types[]": ["mention"], "limit": ["40"], "min_id": ["48213502"]},
                             {"types[]": ["mention"], "limit": ["40"]}]  # forward from the cursor, then recheck
    statuses = [r.query_all for r in snabelen.api.requests if r.path.endswith("/statuses")]
    assert statuses == [{"exclude_reblogs": ["true"], "limit": ["40"], "min_id": [OUR_REPLY_OLA["id"]]}]

    snabelen.notifications.insert(0, load("mastodon/notifications_new.json")[0])
    snabelen.conversations = load("mastodon/conversations_edited.json")
    messages = poll(connector(snabelen.api, cursors=store))
    assert [(m.native_id, m.kind, m.conversation_id, m.event) for m in messages] == [
        (INGRID_DM["id"], Kind.DIRECT_MESSAGE, INGRID, Event.EDITED),  # edited 11:02, a status of 10:40
        ("117626184006430313", Kind.MENTION, KARI, Event.CREATED),  # Kari's thanks at 12:45
    ]
    assert (messages[0].text or "").endswith("Det gjelder Komsa skole.")
    assert store.load(Platform.MASTODON, ACCOUNT)["notifications_min_id"] == "48214110"


def test_an_edited_mention_is_seen_on_the_recheck_of_the_newest_page(snabelen: Snabelen) -> None:
    store = MemoryCursorStore()
    poll(connector(snabelen.api, cursors=store))
    status = snabelen.notifications[1]["status"]
    assert status["id"] == KARI_MENTION["id"]
    status["content"] = status["content"].replace("Når kommer brøytebilen?", "Når kommer brøytebilen? Det haster!")
    status["edited_at"] = "2026-11-16T08:20:41.000Z"
    messages = poll(connector(snabelen.api, cursors=store))
    assert [(m.native_id, m.event) for m in messages] == [(KARI_MENTION["id"], Event.EDITED)]
    assert (messages[0].text or "").endswith("Det haster!")
    assert poll(connector(snabelen.api, cursors=store)) == []  # the edit is delivered once


def test_min_id_pages_forward_through_a_burst_without_gaps(snabelen: Snabelen) -> None:
    store = MemoryCursorStore()
    poll(connector(snabelen.api, cursors=store, page_size=2))
    template = load("mastodon/notifications_new.json")[0]
    burst = []
    for n in range(5):  # five new mentions between two polls, pages of two
        item = copy.deepcopy(template)
        item["id"] = str(48214110 + n)
        item["status"]["id"] = str(117626184006430313 + n * 65536)
        burst.append(item)
    snabelen.notifications[:0] = burst[::-1]
    snabelen.api.requests.clear()
    messages = poll(connector(snabelen.api, cursors=store, page_size=2))
    assert sorted(m.native_id for m in messages) == sorted(b["status"]["id"] for b in burst)
    forward = [r.query.get("min_id") for r in snabelen.api.requests if r.path == "/api/v1/notifications"]
    # min_id=cursor, then rel="prev" while pages are full, then the recheck of the newest page
    assert forward == ["48213502", "48214111", "48214113", None]


def test_an_empty_listing_is_fine_and_sets_no_cursor(snabelen: Snabelen) -> None:
    snabelen.statuses = load("mastodon/statuses_empty.json")
    snabelen.conversations = []
    store = MemoryCursorStore()
    messages = poll(connector(snabelen.api, cursors=store))
    assert {m.kind for m in messages} == {Kind.MENTION, Kind.DIRECT_MESSAGE}
    state = store.load(Platform.MASTODON, ACCOUNT)
    assert "statuses_min_id" not in state and "conversations_last_status_id" not in state
    assert state["notifications_min_id"] == "48213502"


def test_cursors_do_not_advance_when_delivery_fails(snabelen: Snabelen) -> None:
    class FailingSink(ListSink):
        def flush(self, timeout: float) -> None:
            raise DeliveryError("broker down")

    store = MemoryCursorStore()
    instance = connector(snabelen.api, sink=FailingSink(), cursors=store)
    first = instance.poll()
    with pytest.raises(DeliveryError):
        instance.flush()
    assert store.load(Platform.MASTODON, ACCOUNT) == {}
    assert instance.poll() == first == 7  # the same items are offered again


def test_a_fetch_error_mid_poll_moves_no_cursor(snabelen: Snabelen) -> None:
    snabelen.api.routes.insert(0, ("GET", re.compile(r"/api/v1/conversations\Z"),
                                   lambda _r: (503, {}, {"error": "Service unavailable"})))
    instance = connector(snabelen.api, sleep=lambda _s: None)
    with pytest.raises(RetriableError):
        instance.poll()
    assert "notifications_min_id" not in instance.pending
    assert isinstance(instance.sink, ListSink) and instance.sink.events == []


# -- errors ----------------------------------------------------------------------------------------

def failing(status: int, body: Any, headers: dict[str, str] | None = None) -> FakeApi:
    return FakeApi().json("GET", r"/api/v1/notifications", body, status=status, headers=headers)


def test_rate_limit_429_with_mastodons_headers() -> None:
    reset = datetime.fromtimestamp(time.time() + 240, UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")
    api = failing(429, load("mastodon/error_429.json"),
                  {"X-RateLimit-Limit": "300", "X-RateLimit-Remaining": "0", "X-RateLimit-Reset": reset})
    with api, pytest.raises(RateLimited) as info:
        connector(api, sleep=lambda _s: None).poll()
    assert info.value.retry_after is not None and 200 < info.value.retry_after <= 240
    assert len(api.requests) == 1  # the reset is four minutes away: no waiting inside the poll


def test_a_used_up_limit_stops_before_the_next_request(snabelen: Snabelen) -> None:
    reset = datetime.fromtimestamp(time.time() + 180, UTC).isoformat().replace("+00:00", "Z")
    snabelen.api.routes.insert(0, ("GET", re.compile(r"/api/v1/notifications\Z"), lambda _r: (
        200, {"X-RateLimit-Limit": "300", "X-RateLimit-Remaining": "0", "X-RateLimit-Reset": reset}, [])))
    with pytest.raises(RateLimited) as info:
        connector(snabelen.api).poll()
    assert info.value.retry_after is not None and info.value.retry_after > 170
    assert len(snabelen.api.requests) == 1


def test_a_near_reset_is_waited_for_once_then_the_poll_goes_on(snabelen: Snabelen) -> None:
    reset = datetime.fromtimestamp(time.time() + 5, UTC).isoformat().replace("+00:00", "Z")
    snabelen.api.routes.insert(0, ("GET", re.compile(r"/api/v1/notifications\Z"), lambda _r: (
        200, {"X-RateLimit-Limit": "300", "X-RateLimit-Remaining": "0", "X-RateLimit-Reset": reset}, [])))
    waits: list[float] = []
    instance = connector(snabelen.api, sleep=waits.append)
    instance.poll()
    assert len(waits) == 1 and 0 < waits[0] <= 5
    assert len(snabelen.api.requests) == 3


def test_a_429_without_reset_still_says_when_to_come_back() -> None:
    api = failing(429, load("mastodon/error_429.json"))
    with api, pytest.raises(RateLimited) as info:
        connector(api, sleep=lambda _s: None, max_attempts=1).poll()
    assert info.value.retry_after == 300.0


@pytest.mark.parametrize("status, fixture, fragment", [
    (401, "error_401.json", "invalid, expired or revoked"),
    (403, "error_403_scope.json", "lacks a required scope"),
])
def test_an_invalid_token_is_an_auth_error_and_not_retried(status: int, fixture: str, fragment: str) -> None:
    api = failing(status, load(f"mastodon/{fixture}"))
    with api, pytest.raises(AuthError, match=fragment) as info:
        connector(api, sleep=lambda _s: None).poll()
    assert len(api.requests) == 1
    assert TOKEN not in str(info.value) and "/api/v1/notifications" in str(info.value)


def test_not_found_is_fatal() -> None:
    api = FakeApi().json("GET", r"/api/v1/notifications", [])
    api.json("GET", r"/api/v1/accounts/\d+/statuses", load("mastodon/error_404.json"), status=404)
    with api, pytest.raises(FatalRequestError, match=f"HTTP 404 from /api/v1/accounts/{ACCOUNT}/statuses"):
        connector(api, sleep=lambda _s: None).poll()
    assert len(api.requests) == 2


def test_malformed_json_is_fatal() -> None:
    api = failing(200, "<html><body>Mastodon is down for maintenance</body></html>", {"Content-Type": "text/html"})
    with api, pytest.raises(FatalRequestError, match="malformed JSON from /api/v1/notifications"):
        connector(api).poll()


def test_a_500_storm_is_retried_a_bounded_number_of_times() -> None:
    api = failing(500, {"error": "We're sorry, but something went wrong on our end."})
    with api, pytest.raises(RetriableError, match="HTTP 500"):
        connector(api, sleep=lambda _s: None).poll()
    assert len(api.requests) == 4


# -- the instance ----------------------------------------------------------------------------------

def test_urls_come_from_the_instance_option() -> None:
    def make(options: dict[str, Any], base_url: str | None = None) -> MastodonConnector:
        return MastodonConnector(ACCOUNT, ApiClient(base_url=base_url), ListSink(), options=options)

    assert make({"instance_url": "https://snabelen.no/"}).url("/api/v1/conversations") == (
        "https://snabelen.no/api/v1/conversations")
    assert make({"instance_url": "snabelen.no"}).url("/api/v1/notifications") == (
        "https://snabelen.no/api/v1/notifications")
    assert make({}, "http://127.0.0.1:8080/proxy").url("/api/v1/notifications") == (
        "http://127.0.0.1:8080/api/v1/notifications")  # the client adds its own path prefix when rebasing
    with pytest.raises(FatalRequestError, match="options.instance_url is not set"):
        make({}).poll()
    with pytest.raises(FatalRequestError, match="options.instance_url must look like"):
        make({"instance_url": "https://snabelen.no/@altakommune"}).poll()


def test_without_the_option_the_base_url_host_serves_as_instance(snabelen: Snabelen) -> None:
    client = ApiClient(base_url=snabelen.api.url, token=TOKEN, policy=MastodonConnector.policy())
    instance = MastodonConnector(ACCOUNT, client, ListSink(), clock=lambda: NOW)
    instance.setup()
    assert instance.poll() == 7
