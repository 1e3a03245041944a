"""innboks/demo/graph_api.py: the simulated Graph API takes the Facebook writer's replies, hides and
Messenger messages, and the next poll of the real connector shows them."""

from __future__ import annotations

import io
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import requests

from connectors.base import MemoryCursorStore
from connectors.errors import AuthError
from connectors.facebook.client import FacebookConnector
from connectors.facebook.writer import FacebookWriter
from connectors.http import ApiClient
from connectors.sinks import StdoutSink
from connectors.writer import NotSupported, TargetGone
from innboks.demo.dataset import Dataset, build_dataset
from innboks.demo.graph_api import GraphSimulator
from schemas import InboxMessage, Kind

DATA_NOW = datetime(2026, 11, 20, 12, tzinfo=UTC)
TEXT = "Hei! Kronstad brøytes før kl. 10 i dag. Mvh Alta kommune"


class Clock:
    def __init__(self, moment: datetime) -> None:
        self.moment = moment

    def __call__(self) -> datetime:
        return self.moment


@pytest.fixture()
def dataset() -> Dataset:
    return build_dataset(now=DATA_NOW)


@pytest.fixture()
def clock(dataset: Dataset) -> Clock:
    return Clock(max(i.created for i in dataset.items) + timedelta(hours=1))


@pytest.fixture()
def simulator(dataset: Dataset, clock: Clock) -> Iterator[GraphSimulator]:
    sim = GraphSimulator(dataset, now=clock).start()
    yield sim
    sim.stop()


class Poller:
    """The real Facebook connector, polling the simulator with cursors kept between polls."""

    def __init__(self, simulator: GraphSimulator) -> None:
        self.simulator = simulator
        self.cursors = MemoryCursorStore()

    def poll(self) -> list[InboxMessage]:
        out = io.StringIO()
        connector = FacebookConnector(self.simulator.dataset.page_id,
                                      ApiClient(base_url=self.simulator.base_url, token="demo"),
                                      StdoutSink(out, io.StringIO()), cursors=self.cursors,
                                      backfill=timedelta(days=60))
        connector.setup()
        connector.poll()
        connector.flush()
        return [InboxMessage.from_json_bytes(line) for line in out.getvalue().splitlines()]


def writer(simulator: GraphSimulator, clock: Clock, token: str = "demo") -> FacebookWriter:
    client = ApiClient(base_url=simulator.base_url, token=token, policy=FacebookWriter.policy(), sleep=lambda _s: None)
    return FacebookWriter(simulator.dataset.page_id, client, clock=clock)


def citizen_comment(messages: list[InboxMessage]) -> InboxMessage:
    return next(m for m in messages if m.kind is Kind.COMMENT and m.inbound)


def test_a_reply_appears_as_the_pages_comment_in_that_thread(simulator: GraphSimulator, clock: Clock) -> None:
    poller = Poller(simulator)
    first = poller.poll()
    comment = citizen_comment(first)
    new_id = writer(simulator, clock).reply(comment, TEXT)
    [reply] = poller.poll()
    assert (reply.id, reply.kind, reply.conversation_id, reply.parent_id) == (
        f"facebook:{new_id}", Kind.REPLY, comment.conversation_id, comment.native_id)
    assert reply.from_account and reply.text == TEXT and reply.created_at == clock.moment.replace(microsecond=0)
    assert simulator.actions == [("reply", comment.native_id)]
    assert writer(simulator, clock).find_reply(comment, TEXT, clock.moment - timedelta(minutes=1)) == new_id
    assert poller.poll() == []


def test_a_reply_to_a_reply_is_filed_under_the_top_level_comment(simulator: GraphSimulator, clock: Clock) -> None:
    poller = Poller(simulator)
    reply = next(m for m in poller.poll() if m.kind is Kind.REPLY)
    writer(simulator, clock).reply(reply, TEXT)
    [ours] = poller.poll()
    assert ours.conversation_id == reply.conversation_id and ours.parent_id == reply.conversation_id


def test_hide_and_unhide_show_on_the_next_poll(simulator: GraphSimulator, clock: Clock) -> None:
    poller = Poller(simulator)
    comment = citizen_comment(poller.poll())
    writer(simulator, clock).hide(comment)
    [hidden] = poller.poll()
    assert (hidden.id, hidden.event.value) == (comment.id, "hidden")
    assert poller.poll() == []  # served again while it is the newest change, but unchanged
    clock.moment += timedelta(minutes=1)
    writer(simulator, clock).unhide(comment)
    [shown] = poller.poll()
    assert (shown.id, shown.event.value) == (comment.id, "edited")
    assert simulator.actions == [("hide", comment.native_id), ("unhide", comment.native_id)]


def latest_dm(dataset: Dataset) -> tuple[str, str, datetime]:
    """(conversation, PSID, time) of the citizen message written last in the bundled Messenger threads."""
    item = max((i for i in dataset.items if i.resource == "conversation_message" and not dataset.from_page(i)),
               key=lambda i: i.created)
    assert item.conversation_id is not None
    return item.conversation_id, dataset.participants[item.conversation_id]["id"], item.created


def test_messenger_reply_within_the_window(simulator: GraphSimulator, clock: Clock) -> None:
    conversation, psid, last = latest_dm(simulator.dataset)
    clock.moment = last + timedelta(hours=2)
    poller = Poller(simulator)
    dm = next(m for m in poller.poll() if m.kind is Kind.DIRECT_MESSAGE and m.author_id == psid
              and m.created_at == last)
    message_id = writer(simulator, clock).reply(dm, TEXT)
    [ours] = poller.poll()
    assert (ours.id, ours.kind, ours.conversation_id, ours.from_account) == (
        f"facebook:{message_id}", Kind.DIRECT_MESSAGE, psid, True)
    assert simulator.actions == [("message", conversation)]
    assert writer(simulator, clock).find_reply(dm, TEXT, clock.moment - timedelta(minutes=1)) == message_id


def test_messenger_refuses_outside_the_window(simulator: GraphSimulator, clock: Clock) -> None:
    _, psid, last = latest_dm(simulator.dataset)
    dm = next(m for m in Poller(simulator).poll() if m.kind is Kind.DIRECT_MESSAGE and m.author_id == psid
              and m.created_at == last)
    clock.moment = last + timedelta(hours=30)
    with pytest.raises(NotSupported, match="30 hours ago"):  # the writer's own check
        writer(simulator, clock).reply(dm, TEXT)
    late = Clock(last + timedelta(hours=1))  # the writer thinks the window is open; the API says no
    with pytest.raises(NotSupported, match="messaging window"):
        writer(simulator, late).reply(dm, TEXT)
    assert simulator.actions == []


def test_unknown_comment_and_missing_token(simulator: GraphSimulator, clock: Clock) -> None:
    comment = citizen_comment(Poller(simulator).poll())
    gone = comment.model_copy(update={"id": "facebook:1_404", "conversation_id": "1_404"})
    with pytest.raises(TargetGone):
        writer(simulator, clock).reply(gone, TEXT)
    with pytest.raises(TargetGone):
        writer(simulator, clock).hide(gone)
    anonymous = writer(simulator, clock, token="")
    anonymous.client.session.headers.pop("Authorization", None)
    with pytest.raises(AuthError):
        anonymous.reply(comment, TEXT)


def test_form_encoded_parameters_are_accepted_as_graph_does(simulator: GraphSimulator, dataset: Dataset) -> None:
    comment = next(i for i in dataset.items if i.resource == "comment" and "parent" not in i.payload)
    answer: Any = requests.post(f"{simulator.base_url}/v24.0/{comment.payload['id']}/comments",
                                data={"message": TEXT, "access_token": "demo"}, timeout=5).json()
    assert set(answer) == {"id"}
    answer = requests.post(f"{simulator.base_url}/v24.0/{comment.payload['id']}",
                           params={"is_hidden": "true", "access_token": "demo"}, timeout=5).json()
    assert answer == {"success": True}
    assert simulator.hidden == {comment.payload["id"]: True}


def test_a_deleted_comment_is_no_longer_served(simulator: GraphSimulator, clock: Clock) -> None:
    comment = citizen_comment(Poller(simulator).poll())
    writer(simulator, clock).delete(comment)
    assert simulator.actions == [("delete", comment.native_id)]
    with pytest.raises(TargetGone):
        writer(simulator, clock).hide(comment)
    assert comment.native_id not in {m.native_id for m in Poller(simulator).poll()}
