"""Facebook beyond the demo data: Graph errors, Messenger threads, and webhook deliveries."""

from datetime import UTC, datetime, timedelta

import pytest

from connectors.base import MemoryCursorStore
from connectors.errors import AuthError, IgnoredItem, MappingError, RateLimited
from connectors.facebook.client import FacebookConnector
from connectors.facebook.mapping import map_facebook
from connectors.http import ApiClient
from schemas import Event, Kind, Platform, RawEvent
from tests.fakeapi import FakeApi
from tests.helpers import PAGE_ID

NOW = datetime(2026, 11, 17, 12, tzinfo=UTC)


class ListSink:
    def __init__(self) -> None:
        self.events: list[RawEvent] = []

    def send(self, event: RawEvent) -> None:
        self.events.append(event)

    def flush(self, timeout: float) -> None:
        pass

    def close(self) -> None:
        pass


def connector(api: FakeApi, sink: ListSink, cursors: MemoryCursorStore | None = None) -> FacebookConnector:
    client = ApiClient(base_url=api.url, token="page-token", policy=FacebookConnector.policy(), sleep=lambda s: None)
    return FacebookConnector(PAGE_ID, client, sink, cursors=cursors, clock=lambda: NOW, backfill=timedelta(days=3))


def empty_page_api() -> FakeApi:
    api = FakeApi()
    api.json("GET", rf"/v24.0/{PAGE_ID}/feed", {"data": []})
    return api


def messenger_api() -> FakeApi:
    api = FakeApi()
    api.json("GET", rf"/v24.0/{PAGE_ID}/feed", {"data": []})
    api.json("GET", rf"/v24.0/{PAGE_ID}/conversations", {"data": [{
        "id": "t_100", "updated_time": "2026-11-17T09:00:00+0000",
        "participants": {"data": [{"name": "Kari Nordmann", "email": "4242@facebook.com", "id": "4242"},
                                  {"name": "Alta kommune", "email": f"{PAGE_ID}@facebook.com", "id": PAGE_ID}]},
    }]})
    api.json("GET", r"/v24.0/t_100/messages", {"data": [
        {"id": "m_2", "created_time": "2026-11-17T09:00:00+0000", "message": "Hei Kari, vi ser på det.",
         "from": {"name": "Alta kommune", "id": PAGE_ID}, "to": {"data": [{"id": "4242"}]}},
        {"id": "m_1", "created_time": "2026-11-17T08:30:00+0000", "message": "Hei, når tømmes søpla i Saga?",
         "from": {"name": "Kari Nordmann", "id": "4242"}, "to": {"data": [{"id": PAGE_ID}]}},
    ]})
    return api


def test_messenger_thread_is_keyed_by_the_citizen_and_our_reply_answers_it() -> None:
    sink = ListSink()
    with messenger_api() as api:
        c = connector(api, sink)
        c.setup()
        c.poll()
    messages = [map_facebook(e) for e in sink.events]
    assert {(m.id, m.conversation_id, m.from_account) for m in messages} == {
        ("facebook:m_1", "4242", False), ("facebook:m_2", "4242", True)}
    assert {m.kind for m in messages} == {Kind.DIRECT_MESSAGE}
    params = next(r for r in api.requests if r.path.endswith("/conversations")).query
    assert params["platform"] == "messenger" and "participants" in params["fields"]


def graph_error(code: int, subcode: int | None = None) -> dict:
    error = {"message": "x", "type": "OAuthException", "code": code, "fbtrace_id": "A"}
    return {"error": {**error, **({"error_subcode": subcode} if subcode else {})}}


def test_expired_page_token_is_an_auth_error_without_retry() -> None:
    api = FakeApi().json("GET", rf"/v24.0/{PAGE_ID}/feed", graph_error(190, 463), status=400)
    with api:
        c = connector(api, ListSink())
        c.setup()
        with pytest.raises(AuthError, match="Graph error 190/463"):
            c.poll()
    assert len(api.requests) == 1


def test_page_rate_limit_pauses_with_the_estimated_regain_time() -> None:
    usage = '{"104857362918274": [{"type": "pages", "call_count": 100, "total_cputime": 20, "total_time": 30, ' \
            '"estimated_time_to_regain_access": 12}]}'
    api = FakeApi().json("GET", rf"/v24.0/{PAGE_ID}/feed", graph_error(32), status=400,
                         headers={"X-Business-Use-Case-Usage": usage})
    with api:
        c = connector(api, ListSink())
        c.setup()
        with pytest.raises(RateLimited) as info:
            c.poll()
    assert info.value.retry_after == pytest.approx(720, abs=5)
    assert c.client.rate_limit is not None and c.client.rate_limit.exhausted


def test_the_page_token_is_sent_as_a_bearer_header_never_in_the_url() -> None:
    with empty_page_api() as api:
        c = connector(api, ListSink())
        c.setup()
        api.json("GET", rf"/v24.0/{PAGE_ID}/conversations", {"data": []})
        c.poll()
    assert all(r.headers["authorization"] == "Bearer page-token" for r in api.requests)
    assert all("access_token" not in r.query for r in api.requests)


def test_a_hidden_then_edited_comment_is_sent_again_with_its_new_state() -> None:
    comment = {"id": "9_1", "message": "Hei", "created_time": "2026-11-17T08:00:00+0000", "from": {"id": "4242"}}
    state = {"comment": dict(comment)}
    api = FakeApi()
    api.json("GET", rf"/v24.0/{PAGE_ID}/feed", {"data": [{"id": f"{PAGE_ID}_9", "created_time":
                                                          "2026-11-17T07:00:00+0000", "from": {"id": PAGE_ID}}]})
    api.route("GET", rf"/v24.0/{PAGE_ID}_9/comments", lambda req: (200, {}, {"data": [state["comment"]]}))
    api.json("GET", rf"/v24.0/{PAGE_ID}/conversations", {"data": []})
    store, sink = MemoryCursorStore(), ListSink()
    with api:
        c = connector(api, sink, store)
        c.setup()
        c.poll()
        c.flush()
        assert c.poll() == 0  # unchanged: nothing sent
        state["comment"] = {**comment, "is_hidden": True}
        assert c.poll() == 1
        c.flush()
        state["comment"] = {**comment, "message": "Hei igjen", "is_hidden": False}
        assert c.poll() == 1
    events = [map_facebook(e).event for e in sink.events if e.resource == "comment"]
    assert events == [Event.CREATED, Event.HIDDEN, Event.EDITED]


# -- webhooks ------------------------------------------------------------------------------

def webhook(resource: str, value: dict) -> RawEvent:
    return RawEvent(platform=Platform.FACEBOOK, account_id=PAGE_ID, resource=resource, payload=value,
                    fetched_at=NOW, source="webhook")


def feed(**value: object) -> RawEvent:
    base = {"from": {"id": "4242", "name": "Kari Nordmann"}, "post_id": f"{PAGE_ID}_9",
            "created_time": 1763370000, "item": "comment", "verb": "add"}
    return webhook("webhook:feed", {**base, **value})


@pytest.mark.parametrize("verb, event", [
    ("add", Event.CREATED), ("edited", Event.EDITED), ("remove", Event.DELETED), ("hide", Event.HIDDEN),
    ("unhide", Event.EDITED),
])
def test_feed_webhook_comment_verbs(verb: str, event: Event) -> None:
    msg = map_facebook(feed(comment_id="9_1", parent_id=f"{PAGE_ID}_9", message="Hei", verb=verb))
    assert (msg.id, msg.kind, msg.conversation_id, msg.parent_id, msg.event) == (
        "facebook:9_1", Kind.COMMENT, "9_1", f"{PAGE_ID}_9", event)
    assert msg.created_at == datetime.fromtimestamp(1763370000, UTC)


def test_feed_webhook_reply_and_our_reply_share_the_thread() -> None:
    citizen = map_facebook(feed(comment_id="9_2", parent_id="9_1", message="Og når?"))
    ours = map_facebook(feed(comment_id="9_3", parent_id="9_1", message="Svar", **{"from": {"id": PAGE_ID}}))
    assert citizen.kind is Kind.REPLY and citizen.conversation_id == ours.conversation_id == "9_1"
    assert ours.from_account and not citizen.from_account


def test_feed_webhook_visitor_post() -> None:
    msg = map_facebook(feed(item="status", message="Hei kommunen!"))
    assert (msg.kind, msg.conversation_id, msg.id) == (Kind.POST, f"{PAGE_ID}_9", f"facebook:{PAGE_ID}_9")


@pytest.mark.parametrize("value", [{"item": "reaction", "verb": "add"}, {"item": "like", "verb": "add"},
                                   {"item": "comment", "verb": "block"}])
def test_feed_webhook_reactions_are_ignored(value: dict) -> None:
    with pytest.raises(IgnoredItem):
        map_facebook(feed(**value))


def test_feed_webhook_without_comment_id_is_a_mapping_error() -> None:
    with pytest.raises(MappingError):
        map_facebook(feed(message="Hei"))


def test_messenger_webhook_citizen_message_and_our_echo() -> None:
    inbound = map_facebook(webhook("webhook:messages", {
        "sender": {"id": "4242"}, "recipient": {"id": PAGE_ID}, "timestamp": 1763370000123,
        "message": {"mid": "m_1", "text": "Hei"}}))
    echo = map_facebook(webhook("webhook:messages", {
        "sender": {"id": PAGE_ID}, "recipient": {"id": "4242"}, "timestamp": 1763370060000,
        "message": {"mid": "m_2", "text": "Hei Kari", "is_echo": True}}))
    assert (inbound.conversation_id, inbound.from_account, inbound.kind) == ("4242", False, Kind.DIRECT_MESSAGE)
    assert (echo.conversation_id, echo.from_account) == ("4242", True)
    assert inbound.created_at == datetime.fromtimestamp(1763370000.123, UTC)


def test_messenger_read_receipts_are_ignored() -> None:
    with pytest.raises(IgnoredItem):
        map_facebook(webhook("webhook:messages", {"sender": {"id": "4242"}, "recipient": {"id": PAGE_ID},
                                                  "timestamp": 1, "read": {"watermark": 1}}))


def test_a_500_storm_ends_in_a_retriable_error_after_bounded_attempts() -> None:
    from connectors.errors import RetriableError

    api = FakeApi().json("GET", rf"/v24.0/{PAGE_ID}/feed", {"error": {"message": "x", "code": 2}}, status=500)
    with api:
        c = connector(api, ListSink())
        c.setup()
        with pytest.raises(RetriableError):
            c.poll()
    assert len(api.requests) == c.client.max_attempts


def test_malformed_json_is_fatal_for_the_request_and_nothing_is_sent() -> None:
    from connectors.errors import FatalRequestError

    sink = ListSink()
    api = FakeApi().route("GET", rf"/v24.0/{PAGE_ID}/feed", lambda req: (200, {}, "<html>Bad gateway</html>"))
    with api:
        c = connector(api, sink)
        c.setup()
        with pytest.raises(FatalRequestError, match="malformed JSON"):
            c.poll()
    assert sink.events == [] and len(api.requests) == 1
