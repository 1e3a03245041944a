"""The key of a raw item on ``innboks.raw`` comes from its mapping, and each item is mapped once.

Both producers of ``innboks.raw`` are covered: the polling sink (``connectors.sinks``) and the
webhook receiver's publisher (``connectors.webhook.meta``).
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any

import pytest

from connectors import mapping
from connectors.mapping import normalize, raw_key
from connectors.sinks import KafkaSink, StdoutSink
from connectors.webhook.meta import KafkaPublisher
from schemas import InboxMessage, Platform, RawEvent
from tests.helpers import PAGE_ID, facebook_comment_raw


@pytest.fixture
def mapped(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """The ids of the raw items the Facebook mapping was called for, in order."""
    calls: list[str] = []
    original: Callable[[RawEvent], InboxMessage] = mapping.MAPPERS[Platform.FACEBOOK]

    def counting(raw: RawEvent) -> InboxMessage:
        calls.append(str(raw.payload.get("id")))
        return original(raw)

    monkeypatch.setitem(mapping.MAPPERS, Platform.FACEBOOK, counting)
    yield calls


def unmappable() -> RawEvent:
    return RawEvent(platform=Platform.FACEBOOK, account_id=PAGE_ID, resource="comment", payload={"id": "c9"},
                    context={}, fetched_at=datetime(2026, 11, 16, 12, tzinfo=UTC))


class Future:
    is_done = True

    def failed(self) -> bool:
        return False


class FakeProducer:
    def __init__(self) -> None:
        self.sent: list[tuple[str, bytes, bytes]] = []

    def send(self, topic: str, key: bytes, value: bytes) -> Future:
        self.sent.append((topic, key, value))
        return Future()

    def flush(self, timeout: float) -> None:
        pass


def test_raw_key_is_the_conversation_key_else_platform_account_resource() -> None:
    reply = facebook_comment_raw("c2", "Takk!", parent="c1")
    assert raw_key(reply) == normalize(reply).key == f"facebook:{PAGE_ID}:c1"
    assert raw_key(unmappable()) == f"facebook:{PAGE_ID}:comment"


def test_kafka_sink_keys_by_the_mapping_and_maps_each_item_once(mapped: list[str]) -> None:
    producer = FakeProducer()
    sink = KafkaSink("unused:9092", producer=producer)  # type: ignore[arg-type]
    sink.send(facebook_comment_raw("c1", "Når åpner biblioteket?"))
    sink.send(facebook_comment_raw("c2", "Klokka ti.", author=PAGE_ID, parent="c1"))
    sink.send(unmappable())
    sink.flush(1.0)
    assert mapped == ["c1", "c2", "c9"]
    assert [key for _, key, _ in producer.sent] == [f"facebook:{PAGE_ID}:c1".encode()] * 2 + [
        f"facebook:{PAGE_ID}:comment".encode()]
    assert [RawEvent.model_validate_json(value).payload["id"] for _, _, value in producer.sent] == ["c1", "c2", "c9"]


def test_stdout_sink_maps_each_item_once(mapped: list[str]) -> None:
    out, err = io.StringIO(), io.StringIO()
    sink = StdoutSink(out, err)
    sink.send(facebook_comment_raw("c1", "Hei"))
    sink.send(unmappable())
    assert mapped == ["c1", "c9"]
    assert InboxMessage.model_validate_json(out.getvalue()).id == "facebook:c1"
    assert sink.skipped == 1 and "c9" in err.getvalue()


class AsyncProducer:
    def __init__(self) -> None:
        self.sent: list[tuple[str, bytes]] = []

    async def send(self, topic: str, key: bytes, value: bytes) -> Any:
        self.sent.append((topic, key))

        async def acknowledged() -> None:
            return None

        return acknowledged()


@pytest.mark.asyncio
async def test_webhook_publisher_keys_like_the_sink_and_maps_each_item_once(mapped: list[str]) -> None:
    publisher = KafkaPublisher("unused:9092")
    publisher.producer = AsyncProducer()
    events = [facebook_comment_raw("c1", "Hei"), unmappable()]
    await publisher(events)
    assert mapped == ["c1", "c9"]
    assert publisher.producer.sent == [("innboks.raw", raw_key(events[0]).encode()),
                                       ("innboks.raw", f"facebook:{PAGE_ID}:comment".encode())]
