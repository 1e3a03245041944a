"""connectors/facebook/client.py: the connector against the Graph API simulator and recorded responses."""

import io
import json
from datetime import timedelta

import pytest

from connectors.base import DeliveryError, MemoryCursorStore
from connectors.errors import AuthError, RateLimited
from connectors.facebook.client import FacebookConnector
from connectors.facebook.mapping import map_facebook
from connectors.http import ApiClient
from connectors.sinks import StdoutSink
from innboks.demo.dataset import build_dataset
from innboks.demo.graph_api import MALFORMED_ID, GraphSimulator
from schemas import Event, Kind, Platform
from tests.fakeapi import FakeApi
from tests.helpers import PAGE_ID, ListSink
from tests.unit.connectors.facebook.helpers import NOW


@pytest.fixture()
def simulator():
    sim = GraphSimulator(build_dataset(), inject_fault=True).start()
    yield sim
    sim.stop()


def poll_once(simulator: GraphSimulator, cursors=None, page_size: int | None = None):
    out, err = io.StringIO(), io.StringIO()
    dataset = simulator.dataset
    connector = FacebookConnector(dataset.page_id, ApiClient(base_url=simulator.base_url, token="t"),
                                  StdoutSink(out, err), cursors=cursors, backfill=timedelta(days=30))
    if page_size:
        connector.comment_page_size = connector.feed_page_size = page_size
    connector.setup()
    sent = connector.poll()
    connector.flush()
    return connector, sent, [json.loads(line) for line in out.getvalue().splitlines()], err.getvalue()


def test_connector_fetches_every_item_following_absolute_paging_links(simulator: GraphSimulator) -> None:
    connector, sent, messages, err = poll_once(simulator, page_size=3)
    bundled = len(simulator.dataset.items)
    assert len(messages) == bundled
    assert sent == bundled + 1  # plus the injected malformed comment
    assert MALFORMED_ID in err and "created_time" in err
    assert len({m["id"] for m in messages}) == bundled
    kinds = {m["kind"] for m in messages}
    assert kinds == {"post", "comment", "reply", "direct_message"}
    # paging.next points at graph.facebook.com; following it on the --base-url host needed many requests
    assert simulator.requests > 20


def test_second_poll_fetches_nothing_new(simulator: GraphSimulator) -> None:
    connector, _, _, _ = poll_once(simulator)
    assert connector.poll() == 0


def test_cursors_survive_a_new_connector_instance(simulator: GraphSimulator) -> None:
    store = MemoryCursorStore()
    poll_once(simulator, cursors=store)
    state = store.load(Platform.FACEBOOK, simulator.dataset.page_id)
    assert state["comments_since"] and state["messages_since"]
    _, sent, messages, _ = poll_once(simulator, cursors=store)
    assert sent == 0 and messages == []  # nothing is delivered twice, not even the malformed item


class FailingSink:
    def __init__(self) -> None:
        self.sent = 0

    def send(self, event) -> None:
        self.sent += 1

    def flush(self, timeout: float) -> None:
        raise DeliveryError("broker down")


def test_cursors_do_not_advance_when_delivery_fails(simulator: GraphSimulator) -> None:
    store = MemoryCursorStore()
    sink = FailingSink()
    connector = FacebookConnector(simulator.dataset.page_id, ApiClient(base_url=simulator.base_url, token="t"),
                                  sink, cursors=store, backfill=timedelta(days=30))
    connector.setup()
    first = connector.poll()
    with pytest.raises(DeliveryError):
        connector.flush()
    assert store.load(Platform.FACEBOOK, simulator.dataset.page_id) == {}
    assert connector.poll() == first  # the same items are offered again  # the same items are offered again


def test_missing_token_is_rejected_by_the_simulated_api(simulator: GraphSimulator) -> None:
    from connectors.errors import FatalRequestError

    client = ApiClient(base_url=simulator.base_url)
    with pytest.raises(FatalRequestError, match="HTTP 400"):
        client.get_json(f"https://graph.facebook.com/v24.0/{simulator.dataset.page_id}/feed")



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
