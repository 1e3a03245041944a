"""connectors/sinks.py: the polling sinks key each item by its mapping and map it once."""

from __future__ import annotations

import io

from connectors.sinks import KafkaSink, StdoutSink
from schemas import InboxMessage, RawEvent
from tests.helpers import PAGE_ID, facebook_comment_raw


class Future:
    is_done = True

    def failed(self) -> bool:
        return False


class FakeProducer:
    def __init__(self) -> None:
        self.sent: list[tuple[str, bytes, bytes]] = []

    def send(self, topic: str, value: bytes, key: bytes | None = None) -> Future:
        self.sent.append((topic, key, value))
        return Future()

    def flush(self, timeout: float) -> None:
        pass


def test_kafka_sink_keys_by_the_mapping_and_maps_each_item_once(mapped: list[str], unmappable: RawEvent) -> None:
    producer = FakeProducer()
    sink = KafkaSink("unused:9092", producer=producer)  # type: ignore[arg-type]
    sink.send(facebook_comment_raw("c1", "Når åpner biblioteket?", mapped=False))
    sink.send(facebook_comment_raw("c2", "Klokka ti.", author=PAGE_ID, parent="c1", mapped=False))
    sink.send(unmappable)
    sink.flush(1.0)
    assert mapped == ["c1", "c2", "c9"]
    assert [key for _, key, _ in producer.sent] == [f"facebook:{PAGE_ID}:c1".encode()] * 2 + [
        f"facebook:{PAGE_ID}:comment".encode()]
    assert [RawEvent.model_validate_json(value).payload["id"] for _, _, value in producer.sent] == ["c1", "c2", "c9"]


def test_stdout_sink_maps_each_item_once(mapped: list[str], unmappable: RawEvent) -> None:
    out, err = io.StringIO(), io.StringIO()
    sink = StdoutSink(out, err)
    sink.send(facebook_comment_raw("c1", "Hei", mapped=False))
    sink.send(unmappable)
    assert mapped == ["c1", "c9"]
    assert InboxMessage.model_validate_json(out.getvalue()).id == "facebook:c1"
    assert sink.skipped == 1 and "c9" in err.getvalue()
