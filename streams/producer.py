"""A batch's records through Faust's producer in one go (issue 30).

Faust's ``Topic.send`` costs about 60-75 µs of worker CPU per record here (a ``FutureMessage``, the
sensors, a callback and a future per record, aiokafka's per-record ``send``), and a table write about
130 µs (the same send for its changelog record, a RocksDB put for the value and another for the
persisted offset when the send completes). Measured in the worker's own Faust configuration on the
embedded broker (docs/performance.md, "The runtime's cost per record"). Records handed to aiokafka as
whole record batches, one per topic partition, cost about 7 µs each.

So the agents collect what a batch of input records produces and ``publish`` sends it here: grouped
by topic partition (in order within each), each group appended to one aiokafka record batch of Faust's
own producer, and all of them awaited. The producer is Faust's, so its commit still flushes it before
input offsets are committed (at least once); per-key order is kept because a key always maps to one
partition and a partition's records go out in the order they were added.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from aiokafka.partitioner import murmur2

from streams.app import app

log = logging.getLogger(__name__)

#: Room for a record's framing in a request besides its key and value (aiokafka adds at most this).
RECORD_OVERHEAD = 128
#: Seconds between attempts to send a batch's records again after the broker refused them.
RETRY_PAUSE = 1.0


class RecordTooLarge(ValueError):
    """A record larger than the producer may send (``INNBOKS_MAX_MESSAGE_BYTES``)."""


@dataclass(frozen=True, slots=True)
class OutRecord:
    topic: str
    key: bytes | None
    value: bytes
    #: None: the partition of the key, as Faust's producer would choose it.
    partition: int | None = None


#: The largest record the producer may send (Faust's setting, read once: it never changes).
MAX_RECORD_BYTES: int = app.conf.producer_max_request_size


def check_size(topic: str, key: bytes | None, value: bytes) -> None:
    """Raise ``RecordTooLarge`` for a record the broker would refuse (checked when a step adds it, so the
    input record that made it is dead-lettered as a plain ``send`` failing there would have been)."""
    size = len(value) + (len(key) if key else 0) + RECORD_OVERHEAD
    if size > MAX_RECORD_BYTES:
        raise RecordTooLarge(f"a record of {size} bytes for {topic} (at most {MAX_RECORD_BYTES})")


def _producer() -> Any:
    """Faust's aiokafka producer (Faust's driver creates it at start and keeps it for the app's life)."""
    return app.producer._ensure_producer()  # type: ignore[attr-defined]


_known_topics: set[str] = set()
#: murmur2 of recent keys: a message's outputs share its key (the hash is pure Python, 5-8 µs).
_hashes: dict[bytes, int] = {}
HASHES_KEPT = 50_000


async def _partition(producer: Any, record: OutRecord) -> int:
    """The record's partition, as Faust's producer would choose it (Kafka's default partitioner:
    murmur2 of the key over the topic's partitions), or by ``key_partition`` where another
    partitioner is configured."""
    if record.partition is not None:
        return record.partition
    topic, key = record.topic, record.key or b""
    if topic not in _known_topics:
        await producer.partitions_for(topic)  # the topic's metadata, once
        _known_topics.add(topic)
    conf: Any = app.conf  # Faust types the partitioner as a method of Settings
    if conf.producer_partitioner is not None or not key:
        return int(app.producer.key_partition(topic, key).partition)
    hashed = _hashes.get(key)
    if hashed is None:
        if len(_hashes) >= HASHES_KEPT:
            _hashes.clear()
        hashed = _hashes[key] = murmur2(key) & 0x7FFFFFFF
    partitions = list(producer.client.cluster.partitions_for_topic(topic))  # as aiokafka's own ``_partition``
    return int(partitions[hashed % len(partitions)])


async def publish(records: Sequence[OutRecord]) -> dict[tuple[str, int], list[int]]:
    """Send the records and wait until the broker acknowledged every one; returns each record's
    offset, by topic partition, in the order given.

    A group the broker refuses (after aiokafka's own retries) is sent again until it is taken: the
    input records are acknowledged only after this returns, so giving up would lose them.
    """
    if not records:
        return {}
    producer = _producer()
    groups: dict[tuple[str, int], list[OutRecord]] = {}
    for record in records:
        groups.setdefault((record.topic, await _partition(producer, record)), []).append(record)
    started = time.monotonic()
    submitted: list[list[tuple[Any, int]] | Exception] = []
    for tp, group in groups.items():
        try:
            submitted.append(await _submit(producer, tp, group))
        except Exception as exc:  # noqa: BLE001 - sent again below
            submitted.append(exc)
    offsets: dict[tuple[str, int], list[int]] = {}
    for (tp, group), sent in zip(groups.items(), submitted, strict=True):
        while True:
            try:
                if isinstance(sent, Exception):
                    raise sent
                offsets[tp] = await _offsets(sent)
                break
            except Exception as exc:  # noqa: BLE001 - logged and retried: never lose acknowledged input
                log.error("could not send %d record(s) to %s[%d] (%s); trying again", len(group), tp[0], tp[1],
                          type(exc).__name__)
                await asyncio.sleep(RETRY_PAUSE)
                try:
                    sent = await _submit(producer, tp, group)
                except Exception as again:  # noqa: BLE001 - tried again in the loop
                    sent = again
    _count(groups, time.monotonic() - started)
    return offsets


async def _submit(producer: Any, tp: tuple[str, int], records: list[OutRecord]) -> list[tuple[Any, int]]:
    """Hand one topic partition's records to the producer as one record batch (or, past the batch
    size, several in a row); returns each batch's future and how many records it holds."""
    topic, partition = tp
    sent: list[tuple[Any, int]] = []
    batch, count = producer.create_batch(), 0
    for record in records:
        if batch.append(key=record.key, value=record.value, timestamp=None) is None:
            # aiokafka takes the next batch for a partition once the previous one has been drained.
            sent.append((await producer.send_batch(batch, topic, partition=partition), count))
            batch, count = producer.create_batch(), 0
            batch.append(key=record.key, value=record.value, timestamp=None)
        count += 1
    sent.append((await producer.send_batch(batch, topic, partition=partition), count))
    return sent


async def _offsets(sent: list[tuple[Any, int]]) -> list[int]:
    offsets: list[int] = []
    for future, count in sent:
        base = (await future).offset
        offsets.extend(range(base, base + count))
    return offsets


def _count(groups: dict[tuple[str, int], list[OutRecord]], seconds: float) -> None:
    """Faust's monitor counts what ``Topic.send`` sends; these records are counted the same way (the
    worker's ``innboks_worker_messages_sent`` and send latency, streams/sensors.py)."""
    monitor = app.monitor
    for (topic, _), group in groups.items():
        monitor.messages_sent += len(group)
        monitor.messages_sent_by_topic[topic] += len(group)
    monitor.send_latency.append(seconds)

