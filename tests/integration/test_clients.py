"""The Kafka client layer on the embedded broker: producing, reading to the end, consumer groups."""

import asyncio
import uuid

import pytest

from innboks.config.topics import COMPACTED, TopicSpec
from innboks.kafka.admin import create_topics
from innboks.kafka.broker import EmbeddedBroker
from innboks.kafka.clients import (
    AsyncProducer,
    AsyncTopicTail,
    GroupConsumer,
    Partition,
    PrefetchingTopicTail,
    Producer,
    Record,
    TopicTail,
    UnknownTopicError,
    read_compacted,
    read_to_end,
)

pytestmark = pytest.mark.integration

#: The embedded profile's group timing (Settings.group_timeouts with the embedded broker).
EMBEDDED_GROUP = {"session": 6.0, "heartbeat": 1.0, "rebalance": 4.0}


def new_topic(broker: EmbeddedBroker, partitions: int = 1, config: dict[str, str] | None = None) -> str:
    name = f"test.clients-{uuid.uuid4().hex[:8]}"
    create_topics(broker.bootstrap_servers, partitions, 1, catalogue=(
        TopicSpec(name, "bytes", "a test topic", dict(config or {}), partitions),))
    return name


def values(records: list[Record]) -> list[bytes | None]:
    return [r.value for r in records]


def test_read_to_end_gets_every_record_of_a_batch_whose_end_offset_the_broker_under_reports(broker) -> None:
    topic = new_topic(broker)
    with Producer(broker.bootstrap_servers, client_id="test", linger_ms=200) as producer:
        for i in range(50):
            producer.send(topic, f"v{i}".encode(), key=b"k")
        producer.flush(10)
    with TopicTail(broker.bootstrap_servers, [topic], client_id="test", max_poll_records=5) as tail:
        reported_end = tail.end_offsets()[Partition(topic, 0)]
        read: list[Record] = []
        while True:
            read.extend(tail.poll(0.5))
            if tail.at_end:
                break
    assert reported_end < 50  # Tansu: the last batch's base offset + 1, so the guard matters
    assert values(read) == [f"v{i}".encode() for i in range(50)]
    assert values(read_to_end(broker.bootstrap_servers, [topic], client_id="test")) == values(read)


def test_read_to_end_reads_every_partition_and_stops_on_an_empty_topic(broker) -> None:
    topic = new_topic(broker, partitions=3)
    assert read_to_end(broker.bootstrap_servers, [topic], client_id="test") == []
    with Producer(broker.bootstrap_servers, client_id="test", exact=True) as producer:
        for i in range(9):
            producer.send_and_wait(topic, f"v{i}".encode(), key=f"k{i}".encode())
    records = read_to_end(broker.bootstrap_servers, [topic], client_id="test")
    assert sorted(values(records)) == sorted(f"v{i}".encode() for i in range(9))
    assert {r.partition for r in records} == {0, 1, 2}


def test_a_missing_topic_is_empty_or_an_error_as_asked(broker) -> None:
    missing = f"test.clients-missing-{uuid.uuid4().hex[:8]}"
    with pytest.raises(UnknownTopicError):
        read_to_end(broker.bootstrap_servers, [missing], client_id="test", missing_ok=False)


def test_read_compacted_is_the_latest_value_per_key(broker) -> None:
    topic = new_topic(broker, config=COMPACTED)
    with Producer(broker.bootstrap_servers, client_id="test", exact=True) as producer:
        for key, value in ((b"a", b"1"), (b"b", b"1"), (b"a", b"2"), (b"b", None)):
            producer.send_and_wait(topic, value, key=key)
    assert read_compacted(broker.bootstrap_servers, topic, client_id="test") == {b"a": b"2"}


def test_a_tail_starts_at_the_offsets_it_is_given(broker) -> None:
    topic = new_topic(broker)
    with Producer(broker.bootstrap_servers, client_id="test", exact=True) as producer:
        for i in range(5):
            producer.send_and_wait(topic, f"v{i}".encode())
    with TopicTail(broker.bootstrap_servers, [topic], client_id="test", offsets={Partition(topic, 0): 3}) as tail:
        read = tail.poll(0.5)
        while not tail.at_end:
            read += tail.poll(0.5)
    assert [(r.offset, r.value) for r in read] == [(3, b"v3"), (4, b"v4")]


@pytest.mark.parametrize("tail_class", [TopicTail, PrefetchingTopicTail])
def test_both_tails_read_from_given_offsets_every_partition_to_the_end(broker, tail_class) -> None:
    """``PrefetchingTopicTail`` (aiokafka on its own thread; the store projection) reads as ``TopicTail``."""
    topic, missing = new_topic(broker, partitions=2), f"test.clients-missing-{uuid.uuid4().hex[:8]}"
    with Producer(broker.bootstrap_servers, client_id="test", linger_ms=50) as producer:
        for i in range(40):
            producer.send(topic, f"v{i}".encode(), key=f"k{i % 4}".encode())
        producer.flush(10)
    whole = read_to_end(broker.bootstrap_servers, [topic], client_id="test")
    start = {Partition(topic, 0): 2}  # partition 1 from its beginning
    with tail_class(broker.bootstrap_servers, [topic, missing], client_id="test", offsets=start,
                    max_poll_records=7) as tail:
        assert tail.partitions == [Partition(topic, 0), Partition(topic, 1)]  # the missing topic is not read
        read: list[Record] = []
        while True:
            batch = tail.poll(0.5)
            assert len(batch) <= 7
            read.extend(batch)
            if tail.at_end:
                break
        ends = tail.end_offsets()  # Tansu under-reports them (the module docstring): at or past them
        assert all(position >= ends[partition] for partition, position in tail.positions().items())
    expected = [(r.partition, r.offset, r.value) for r in whole if r.partition == 1 or r.offset >= 2]
    assert sorted((r.partition, r.offset, r.value) for r in read) == sorted(expected)
    with pytest.raises(UnknownTopicError):
        tail_class(broker.bootstrap_servers, [missing], client_id="test", missing_ok=False)


def test_asyncio_producer_and_tail(broker) -> None:
    topic = new_topic(broker, partitions=2)

    async def main() -> list[Record]:
        producer = AsyncProducer(broker.bootstrap_servers, client_id="test")
        await producer.start()
        try:
            await producer.send_all(topic, [(f"k{i}".encode(), f"v{i}".encode()) for i in range(6)])
        finally:
            await producer.stop()
        read: list[Record] = []
        async with AsyncTopicTail(broker.bootstrap_servers, [topic], client_id="test") as tail:
            while True:
                read.extend(await tail.poll(0.5))
                if await tail.at_end():
                    return read

    assert sorted(values(asyncio.run(main()))) == sorted(f"v{i}".encode() for i in range(6))


def test_send_records_writes_several_topics_each_partition_given_in_order(broker) -> None:
    first, second = new_topic(broker, partitions=2), new_topic(broker, partitions=3)
    records = [(first, 1, b"a", b"1"), (second, None, b"b", b"2"), (first, 1, b"c", b"3"), (second, 2, None, b"4")]

    async def main() -> None:
        producer = AsyncProducer(broker.bootstrap_servers, client_id="test")
        await producer.start()
        try:
            await producer.send_records(records)
        finally:
            await producer.stop()

    asyncio.run(main())
    read = read_to_end(broker.bootstrap_servers, [first, second], client_id="test")
    assert [(r.partition, r.key, r.value) for r in read if r.topic == first] == [(1, b"a", b"1"), (1, b"c", b"3")]
    assert sorted(r.value for r in read if r.topic == second) == [b"2", b"4"]
    assert [r.partition for r in read if r.value == b"4"] == [2]


def test_a_group_consumer_gets_again_only_what_it_did_not_commit(broker) -> None:
    topic = new_topic(broker, partitions=2)
    group = f"test-group-{uuid.uuid4().hex[:8]}"
    with Producer(broker.bootstrap_servers, client_id="test") as producer:
        for i in range(10):
            producer.send(topic, f"v{i}".encode(), key=f"k{i}".encode())
        producer.flush(10)

    async def consume(commit_partitions: set[int]) -> list[Record]:
        """Read to the end in batches, committing only the records of ``commit_partitions``."""
        read: list[Record] = []
        async with GroupConsumer(broker.bootstrap_servers, [topic], group=group, client_id="test",
                                 max_poll_records=3, timeouts=EMBEDDED_GROUP) as consumer:
            for _ in range(240):
                batch = await consumer.poll(0.5)
                for partition, records in batch.items():
                    read.extend(records)
                    if partition.partition in commit_partitions:
                        await consumer.commit(records)
                if await consumer.caught_up():
                    assert consumer.assignment() == {Partition(topic, 0), Partition(topic, 1)}
                    return read
        raise AssertionError("the group consumer never caught up")

    first = asyncio.run(consume(commit_partitions={0}))
    assert sorted(values(first)) == sorted(f"v{i}".encode() for i in range(10))
    again = asyncio.run(consume(commit_partitions={0, 1}))
    assert again and sorted(values(again)) == sorted(r.value for r in first if r.partition == 1)
