"""The batch path to Faust's producer: partitions as Kafka's default partitioner, order per partition,
offsets per record, oversized records refused where a step adds them, refused groups sent again."""

from __future__ import annotations

import asyncio
import random
from unittest.mock import patch

import pytest
from aiokafka.partitioner import DefaultPartitioner

from streams import producer as batch_producer
from streams.producer import MAX_RECORD_BYTES, OutRecord, RecordTooLarge, check_size, publish


class _Cluster:
    def __init__(self, partitions: int) -> None:
        self.partitions = partitions

    def partitions_for_topic(self, topic: str) -> set[int]:
        return set(range(self.partitions))


class _Client:
    def __init__(self, partitions: int) -> None:
        self.cluster = _Cluster(partitions)


class _Batch:
    def __init__(self, room: int) -> None:
        self.records: list[tuple[bytes | None, bytes]] = []
        self.room = room

    def append(self, *, key: bytes | None, value: bytes, timestamp: None) -> object | None:
        if len(self.records) >= self.room:
            return None
        self.records.append((key, value))
        return object()


class _Metadata:
    def __init__(self, offset: int) -> None:
        self.offset = offset


class _Producer:
    """aiokafka's producer as the batch path uses it: batches of ``room`` records, offsets per partition."""

    def __init__(self, partitions: int = 6, room: int = 3, failures: int = 0) -> None:
        self.client = _Client(partitions)
        self.room = room
        self.failures = failures
        self.log: dict[tuple[str, int], list[tuple[bytes | None, bytes]]] = {}

    async def partitions_for(self, topic: str) -> set[int]:
        return self.client.cluster.partitions_for_topic(topic)

    def create_batch(self) -> _Batch:
        return _Batch(self.room)

    async def send_batch(self, batch: _Batch, topic: str, *, partition: int) -> asyncio.Future[_Metadata]:
        future: asyncio.Future[_Metadata] = asyncio.get_running_loop().create_future()
        if self.failures:
            self.failures -= 1
            future.set_exception(RuntimeError("broker said no"))
            return future
        log = self.log.setdefault((topic, partition), [])
        future.set_result(_Metadata(len(log)))
        log.extend(batch.records)
        return future


@pytest.fixture()
def fake_producer():
    def install(**kwargs: int) -> _Producer:
        fake = _Producer(**kwargs)
        patcher = patch.object(batch_producer, "_producer", lambda: fake)
        patcher.start()
        installed.append(patcher)
        return fake

    installed: list = []
    yield install
    for patcher in installed:
        patcher.stop()


@pytest.mark.parametrize("partitions", [1, 3, 6, 24])
def test_a_key_goes_where_kafkas_default_partitioner_sends_it(fake_producer, partitions: int) -> None:
    fake = fake_producer(partitions=partitions)
    rng = random.Random(partitions)
    keys = [f"facebook:{rng.randrange(10**12)}:{rng.randrange(10**9)}".encode() for _ in range(500)]
    every = list(range(partitions))
    for key in keys:
        chosen = asyncio.run(batch_producer._partition(fake, OutRecord("innboks.sla", key, b"{}")))
        assert chosen == DefaultPartitioner()(key, every, every)


def test_records_keep_their_order_per_partition_and_get_their_offsets(fake_producer) -> None:
    fake = fake_producer(partitions=2, room=3)
    records = [OutRecord(topic, f"k{i % 5}".encode(), f"{topic}-{i}".encode())
               for i in range(40) for topic in ("innboks.triaged", "innboks.sla")]
    records.append(OutRecord("innboks-conversations-changelog", b"k1", b"state", partition=1))
    offsets = asyncio.run(publish(records))
    for (topic, partition), sent in fake.log.items():
        expected = [(r.key, r.value) for r in records if r.topic == topic and
                    (r.partition if r.partition is not None else
                     DefaultPartitioner()(r.key, [0, 1], [0, 1])) == partition]
        assert sent == expected  # in the order given, across several record batches
        assert offsets[(topic, partition)] == list(range(len(expected)))


def test_a_group_the_broker_refuses_is_sent_again(fake_producer) -> None:
    fake = fake_producer(partitions=1, failures=1)
    with patch.object(batch_producer, "RETRY_PAUSE", 0.0):
        offsets = asyncio.run(publish([OutRecord("innboks.sla", b"k", b"v")]))
    assert fake.log == {("innboks.sla", 0): [(b"k", b"v")]} and offsets == {("innboks.sla", 0): [0]}


def test_an_oversized_record_is_refused_when_it_is_added() -> None:
    check_size("innboks.cases", b"k", b"x" * (MAX_RECORD_BYTES - 200))
    with pytest.raises(RecordTooLarge):
        check_size("innboks.cases", b"k", b"x" * MAX_RECORD_BYTES)
