"""The embedded transport's exact end offsets (streams/transport.py), on the embedded broker.

Tansu reports a partition's end as the base offset of its last record batch + 1. Faust recovers a
table up to that end, so the worker's transport reads the last batch to find the real one; without
it, a table recovered from a changelog written in batches loses its newest entries.
"""

import asyncio
import uuid

import pytest

from innboks.config.topics import TopicSpec
from innboks.kafka.admin import create_topics
from innboks.kafka.clients import Partition, Producer, TopicTail
from streams.transport import exact_ends

pytestmark = pytest.mark.integration


def test_the_end_of_a_partition_written_in_batches_is_its_last_offset_plus_one(broker) -> None:
    topic = f"test.transport-{uuid.uuid4().hex[:8]}"
    create_topics(broker.bootstrap_servers, 3, 1, catalogue=(TopicSpec(topic, "bytes", "a test topic", {}, 3),))
    with Producer(broker.bootstrap_servers, client_id="innboks-tests", linger_ms=200) as producer:
        for round_ in range(2):  # two batches per partition: the end lies in the second
            for i in range(50):
                producer.send(topic, f"{round_}-{i}".encode(), key=None if i % 2 else b"k")
            producer.flush(10)
    with TopicTail(broker.bootstrap_servers, [topic], client_id="innboks-tests") as tail:
        reported = tail.end_offsets()
        counted: dict[Partition, int] = {}
        while not tail.at_end:
            for record in tail.poll(0.5):
                counted[Partition(record.topic, record.partition)] = record.offset + 1
    assert sum(counted.values()) == 100
    assert any(reported[tp] < end for tp, end in counted.items()), "the broker reported exact ends: nothing to test"
    exact = asyncio.run(exact_ends(broker.bootstrap_servers, reported))
    assert {tp: exact[tp] for tp in counted} == counted
    assert all(exact[tp] == 0 for tp in reported if tp not in counted)  # empty partitions stay at 0


def test_an_end_not_found_in_time_is_kept_as_reported_and_logged(broker, monkeypatch, caplog) -> None:
    written, empty = (f"test.transport-{uuid.uuid4().hex[:8]}" for _ in range(2))
    create_topics(broker.bootstrap_servers, 1, 1, catalogue=tuple(
        TopicSpec(topic, "bytes", "a test topic", {}, 1) for topic in (written, empty)))
    with Producer(broker.bootstrap_servers, client_id="innboks-tests") as producer:
        for i in range(4):
            producer.send(written, f"{i}".encode())
        producer.flush(10)
    monkeypatch.setattr("streams.transport.EXACT_END_TIMEOUT", 1.0)
    # An end reported beyond an empty partition: there is no last batch to read there.
    reported = {Partition(written, 0): 4, Partition(empty, 0): 7}
    with caplog.at_level("WARNING", logger="streams.transport"):
        exact = asyncio.run(exact_ends(broker.bootstrap_servers, reported))
    assert exact == {Partition(written, 0): 4, Partition(empty, 0): 7}
    assert "exact end of 1 changelog partition(s) was not found" in caplog.text
