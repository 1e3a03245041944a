"""Mastodon mapping and the connector against a local stand-in for an instance (snabelen.no)."""

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
from connectors.errors import AuthError, FatalRequestError, IgnoredItem, MappingError, RateLimited, RetriableError
from connectors.http import ApiClient
from connectors.mastodon.client import MastodonConnector, MastodonPolicy
from connectors.mastodon.mapping import html_to_text, map_mastodon
from schemas import Event, InboxMessage, Kind, Platform, RawEvent
from tests.fakeapi import FakeApi, Request, Response, load

ACCOUNT = "109307649335010765"  # @altakommune@snabelen.no
KARI, OLA, INGRID, PER = "109318822041559214", "109512003877120456", "110087452219804733", "111402775129035510"
INSTANCE = "https://snabelen.no"
NOW = datetime(2026, 11, 16, 13, 10, tzinfo=UTC)  # the first poll reaches back to 2026-11-09T13:10Z
TOKEN = "mastodon-test-token"

NOTIFICATIONS = load("mastodon/notifications.json")
STATUSES = load("mastodon/statuses.json")
CONVERSATIONS = load("mastodon/conversations.json")
OUR_POST, OUR_REPLY_KARI, OUR_REPLY_OLA = STATUSES[2], STATUSES[1], STATUSES[0]
OLA_DM, KARI_MENTION, PER_MENTION = (n["status"] for n in NOTIFICATIONS[:3])
INGRID_DM = CONVERSATIONS[0]["last_status"]


def raw(resource: str, status: dict[str, Any], **context: Any) -> RawEvent:
    return RawEvent(platform=Platform.MASTODON, account_id=ACCOUNT, resource=resource, payload=status,
                    context=context, fetched_at=NOW)


def shape(message: InboxMessage) -> tuple[Kind, str, str | None, bool, Event]:
    return message.kind, message.conversation_id, message.parent_id, message.from_account, message.event


# -- mapping ---------------------------------------------------------------------------------------

def test_a_citizens_mention_is_keyed_by_the_citizen() -> None:
    msg = map_mastodon(raw("notification", KARI_MENTION, notification_id="48213377"))
    assert shape(msg) == (Kind.MENTION, KARI, OUR_POST["id"], False, Event.CREATED)
    assert msg.id == f"mastodon:{KARI_MENTION['id']}"
    assert msg.platform is Platform.MASTODON and msg.account_id == ACCOUNT
    assert (msg.author_id, msg.author_name) == (KARI, "Kari Nordmann")
    assert msg.created_at == datetime(2026, 11, 16, 8, 14, 3, 220000, tzinfo=UTC)
    assert msg.permalink == f"https://snabelen.no/@kari_nordmann/{KARI_MENTION['id']}"
    # the leading @altakommune is dropped; the rest is the citizen's text
    assert msg.text == ("Hei! Markveien ved Bossekop er fortsatt ikke brøytet, og bussen kom seg ikke opp bakken "
                        "i morges. Når kommer brøytebilen?")


def test_a_direct_status_has_the_same_key_from_notifications_and_conversations() -> None:
    from_notification = map_mastodon(raw("notification", OLA_DM))
    from_conversation = map_mastodon(raw("conversation", OLA_DM, conversation_id="2187403"))
    assert from_notification == from_conversation
    assert shape(from_notification) == (Kind.DIRECT_MESSAGE, OLA, None, False, Event.CREATED)
    assert from_notification.author_name == "Ola Hansen"
    assert from_notification.permalink == "https://mastodon.social/@olahansen/115562987021947122"
    assert from_notification.text == ("Hei, jeg har fått faktura på eiendomsskatt for 2026 & mener at takseringen "
                                      "av boligen er feil.\n\nHvordan klager jeg?\nMvh Ola")


def test_our_replies_join_the_conversation_of_the_citizen_they_answer() -> None:
    public = map_mastodon(raw("status", OUR_REPLY_KARI))
    assert shape(public) == (Kind.REPLY, KARI, KARI_MENTION["id"], True, Event.CREATED)
    assert (public.text or "").startswith("@kari_nordmann Takk for beskjed!")  # only our own mention is dropped
    direct = map_mastodon(raw("status", OUR_REPLY_OLA))
    assert shape(direct) == (Kind.DIRECT_MESSAGE, OLA, OLA_DM["id"], True, Event.CREATED)
    assert (direct.text or "").endswith("Skjema finner du på https://www.alta.kommune.no/eiendomsskatt/klage")


def test_our_standalone_status_is_a_post() -> None:
    msg = map_mastodon(raw("status", OUR_POST))
    assert shape(msg) == (Kind.POST, OUR_POST["id"], None, True, Event.CREATED)
    assert msg.author_name == "Alta kommune"
    assert msg.text == ("Brøytemelding mandag 16. november: Det har kommet over 30 cm snø i natt. Vi brøyter "
                        "hovedveier og bussruter først, deretter boligfelt.\n\n"
                        "Følg med på https://www.alta.kommune.no/broyting #brøyting")


def test_a_reply_in_our_own_thread_is_a_post() -> None:
    thread = {**OUR_POST, "id": "117624512000000000", "in_reply_to_id": OUR_POST["id"],
              "in_reply_to_account_id": ACCOUNT}
    msg = map_mastodon(raw("status", thread))
    assert shape(msg) == (Kind.POST, "117624512000000000", OUR_POST["id"], True, Event.CREATED)


def test_our_direct_status_to_one_citizen_opens_that_citizens_conversation() -> None:
    opener = {**OUR_REPLY_OLA, "in_reply_to_id": None, "in_reply_to_account_id": None}
    assert shape(map_mastodon(raw("status", opener))) == (Kind.DIRECT_MESSAGE, OLA, None, True, Event.CREATED)
    to_two = {**opener, "mentions": [*opener["mentions"], {"id": KARI, "username": "kari_nordmann",
                                                           "url": "https://snabelen.no/@kari_nordmann",
                                                           "acct": "kari_nordmann"}]}
    assert shape(map_mastodon(raw("status", to_two))) == (Kind.POST, opener["id"], None, True, Event.CREATED)


def test_a_public_mention_from_another_citizen_keeps_mentions_that_are_not_leading() -> None:
    msg = map_mastodon(raw("notification", PER_MENTION))
    assert shape(msg) == (Kind.MENTION, PER, None, False, Event.CREATED)
    assert msg.text == ("Noen som vet om tømmekalenderen til @altakommune endres i jula? "
                        "https://www.alta.kommune.no/renovasjon/tommekalender #alta")


def test_a_changed_status_is_an_edit() -> None:
    edited = copy.deepcopy(INGRID_DM)
    edited["edited_at"] = "2026-11-16T11:02:15.000Z"
    msg = map_mastodon(raw("conversation", edited, change="changed"))
    assert shape(msg) == (Kind.DIRECT_MESSAGE, INGRID, None, False, Event.EDITED)


def test_content_warning_comes_before_the_text_and_media_only_statuses_have_no_text() -> None:
    warned = {**KARI_MENTION, "spoiler_text": "Klage", "sensitive": True}
    assert (map_mastodon(raw("notification", warned)).text or "").startswith("Klage\n\nHei! Markveien")
    assert map_mastodon(raw("notification", {**KARI_MENTION, "content": ""})).text is None


@pytest.mark.parametrize("html, text", [
    ("<p>Første linje<br>andre linje<br />tredje</p><p>Nytt avsnitt</p>",
     "Første linje\nandre linje\ntredje\n\nNytt avsnitt"),
    ("<p>&quot;Veg&quot; &amp; &lt;bru&gt; &#39;nå&#39; &aelig;&oslash;&aring; &#x1F44D;</p>",
     "\"Veg\" & <bru> 'nå' æøå 👍"),
    ('<p><a href="https://www.alta.kommune.no/a/b/c" rel="nofollow noopener" target="_blank">'
     '<span class="invisible">https://www.</span><span class="ellipsis">alta.kommune.no/a/</span>'
     '<span class="invisible">b/c</span></a></p>', "https://www.alta.kommune.no/a/b/c"),
    ("<p>a\nb</p><blockquote><p>sitat</p></blockquote><ul><li>en</li><li>to</li></ul>",
     "a b\n\nsitat\n\nen\nto"),
])
def test_html_to_text(html: str, text: str) -> None:
    assert html_to_text(html) == text


def test_only_leading_mentions_of_our_own_account_are_dropped() -> None:
    ours = [{"id": ACCOUNT, "username": "altakommune", "url": "https://snabelen.no/@altakommune",
             "acct": "altakommune"}]
    remote_form = ('<p><span class="h-card"><a href="https://snabelen.no/users/altakommune" class="u-url mention">'
                   '@<span>altakommune@snabelen.no</span></a></span> Hei</p>')
    assert html_to_text(remote_form, ours, ACCOUNT) == "Hei"
    other_first = ('<p><span class="h-card"><a href="https://snabelen.no/@kari_nordmann" class="u-url mention">'
                   '@<span>kari_nordmann</span></a></span> <span class="h-card"><a href="https://snabelen.no/'
                   '@altakommune" class="u-url mention">@<span>altakommune</span></a></span> Hei</p>')
    assert html_to_text(other_first, ours, ACCOUNT) == "@kari_nordmann @altakommune Hei"
    assert html_to_text(remote_form) == "@altakommune@snabelen.no Hei"  # no account given: nothing dropped


@pytest.mark.parametrize("resource, change, code", [
    ("notification", {"id": None}, "schema_violation"),
    ("notification", {"account": None}, "schema_violation"),
    ("status", {"created_at": "i går"}, "schema_violation"),
    ("status", {"created_at": "2026-11-16T09:30:18"}, "schema_violation"),
    ("favourite", {}, "unsupported_resource"),
])
def test_unmappable_items_raise_with_a_reason_code(resource: str, change: dict[str, Any], code: str) -> None:
    with pytest.raises(MappingError) as info:
        map_mastodon(raw(resource, {**KARI_MENTION, **change}))
    assert info.value.code == code


def test_a_boost_is_not_a_message() -> None:
    with pytest.raises(IgnoredItem):
        map_mastodon(raw("status", {**OUR_POST, "reblog": KARI_MENTION}))


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


class ListSink:
    def __init__(self) -> None:
        self.events: list[RawEvent] = []

    def send(self, event: RawEvent) -> None:
        self.events.append(event)

    def flush(self, timeout: float) -> None:
        pass

    def close(self) -> None:
        pass


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
