"""The one Kafka client layer: producers, reading topics to their end, consumer groups.

Outside ``innboks/kafka/`` no code talks to a Kafka client library directly (an import-linter
contract and ``tests/unit/test_import_layers.py`` check it); Faust's own transport is the one
exception. Two libraries stand behind this module, each where it works:

- kafka-python for the synchronous side (the connectors' threads, the commands, tests and
  benchmarks): its producer, and its consumer with manually assigned partitions;
- aiokafka for the asyncio side (the webhook receiver, the worker's control follower), for every
  consumer group (kafka-python's group consumer receives nothing from the embedded broker, Tansu;
  aiokafka's does, and Faust is built on it), and for a synchronous reader that must be fast
  (``PrefetchingTopicTail``, on a thread of its own: the store projection).

Reading a topic "to its end" needs a guard. Tansu reports a partition's end offset as the base
offset of its last record batch + 1, and the clients advance their position record by record as
they hand records out, not batch by batch. A reader can therefore stand at or past the reported end
with the rest of the last batch still to come. The end is reached only when every position is at or
past the end offsets taken at the start *and* a poll came back empty (``reached_end``); on Kafka
that costs one empty poll.

Every producer sends with ``acks=all`` and at most ``INNBOKS_MAX_MESSAGE_BYTES`` per record (the
limit the worker's producer has too, below Kafka's default ``message.max.bytes``). Library errors
leave this module as ``KafkaClientError``.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from types import TracebackType
from typing import Any, NamedTuple, Protocol, Self

import aiokafka
import aiokafka.errors
import kafka
import kafka.errors

from innboks.config.settings import get_settings

Bootstrap = str | Sequence[str]


class Partition(NamedTuple):
    topic: str
    partition: int


@dataclass(frozen=True, slots=True)
class Record:
    topic: str
    partition: int
    offset: int
    key: bytes | None
    value: bytes | None
    timestamp: int  # milliseconds since the epoch, as the broker or producer set it


class KafkaClientError(RuntimeError):
    """A client call failed: no broker answered, a record was not acknowledged, a commit was refused.

    ``reason`` is the library's error class (``KafkaTimeoutError``, ``KafkaConnectionError``, ...);
    the message never holds record contents.
    """

    def __init__(self, what: str, reason: str) -> None:
        super().__init__(f"{what} ({reason})")
        self.reason = reason


class UnknownTopicError(KafkaClientError):
    def __init__(self, topic: str) -> None:
        super().__init__(f"topic {topic} does not exist", "UnknownTopicOrPartition")
        self.topic = topic


@contextmanager
def translated(what: str) -> Iterator[None]:
    """Raise either library's errors as ``KafkaClientError``."""
    try:
        yield
    except (kafka.errors.KafkaError, aiokafka.errors.KafkaError) as exc:
        raise KafkaClientError(what, type(exc).__name__) from exc


def reached_end(ends: Mapping[Partition, int], positions: Mapping[Partition, int], last_poll_empty: bool) -> bool:
    """The Tansu-safe end test: every position at or past its end offset, and nothing more came."""
    return last_poll_empty and all(positions[tp] >= end for tp, end in ends.items())


def latest_by_key(records: Iterable[Record]) -> dict[bytes, bytes]:
    """What a compacted topic holds: the last value per key, a tombstone (``None``) removing it."""
    latest: dict[bytes, bytes] = {}
    for record in records:
        if record.key is None:
            continue
        if record.value is None:
            latest.pop(record.key, None)
        else:
            latest[record.key] = record.value
    return latest


def _servers(bootstrap: Bootstrap) -> str | list[str]:
    return bootstrap if isinstance(bootstrap, str) else list(bootstrap)


def _max_request(max_request_bytes: int | None) -> int:
    return max_request_bytes if max_request_bytes is not None else get_settings().max_message_bytes


# --- producing ---------------------------------------------------------------------------------


class Pending(Protocol):
    """A record sent and not yet known to be acknowledged (kafka-python's future)."""

    is_done: bool

    def failed(self) -> bool: ...


def producer_options(*, client_id: str, linger_ms: int = 0, exact: bool = False,
                     max_request_bytes: int | None = None) -> dict[str, Any]:
    """The kafka-python producer configuration every Innboks producer shares."""
    options: dict[str, Any] = {
        "client_id": client_id, "acks": "all", "retries": 5, "linger_ms": linger_ms,
        "max_request_size": _max_request(max_request_bytes),
    }
    if exact:
        options["batch_size"] = 0  # one record per batch
    return options


class Closing:
    """``with client:`` closes it at the end."""

    def close(self) -> None:
        raise NotImplementedError

    def __enter__(self) -> Self:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()


class Started:
    """``async with client:`` starts it inside the running loop and stops it at the end."""

    async def start(self) -> None:
        raise NotImplementedError

    async def stop(self) -> None:
        raise NotImplementedError

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                        tb: TracebackType | None) -> None:
        await self.stop()


class Producer(Closing):
    """A thread-safe producer (kafka-python).

    ``exact`` sends one record per batch, for topics that are read back to their end (cursors,
    control): Tansu's end offsets are then exact. ``linger_ms`` batches the rest.
    """

    def __init__(self, bootstrap: Bootstrap, *, client_id: str, linger_ms: int = 0, exact: bool = False,
                 max_request_bytes: int | None = None) -> None:
        options = producer_options(client_id=client_id, linger_ms=linger_ms, exact=exact,
                                   max_request_bytes=max_request_bytes)
        with translated(f"no broker answers at {bootstrap}"):
            self._producer = kafka.KafkaProducer(bootstrap_servers=_servers(bootstrap), **options)

    def send(self, topic: str, value: bytes | None, *, key: bytes | None = None) -> Pending:
        with translated(f"not sent to {topic}"):
            future: Pending = self._producer.send(topic, key=key, value=value)
        return future

    def send_and_wait(self, topic: str, value: bytes | None, *, key: bytes | None = None,
                      timeout: float = 30.0) -> None:
        with translated(f"not acknowledged by {topic}"):
            self._producer.send(topic, key=key, value=value).get(timeout=timeout)

    def flush(self, timeout: float | None = None) -> None:
        """Wait until every record sent is acknowledged or failed (``Pending`` tells which)."""
        with translated("not flushed"):
            self._producer.flush(timeout=timeout)

    def close(self, timeout: float = 5.0) -> None:
        self._producer.close(timeout=timeout)


class AsyncProducer(Started):
    """The asyncio producer (aiokafka); ``start`` it inside the running event loop."""

    def __init__(self, bootstrap: Bootstrap, *, client_id: str, max_request_bytes: int | None = None) -> None:
        self._bootstrap = _servers(bootstrap)
        self._client_id = client_id
        self._max_request = _max_request(max_request_bytes)
        self._producer: aiokafka.AIOKafkaProducer | None = None

    async def start(self) -> None:
        producer = aiokafka.AIOKafkaProducer(bootstrap_servers=self._bootstrap, client_id=self._client_id,
                                             acks="all", max_request_size=self._max_request)
        with translated(f"no broker answers at {self._bootstrap}"):
            await producer.start()
        self._producer = producer

    async def stop(self) -> None:
        producer, self._producer = self._producer, None
        if producer is not None:
            await producer.stop()

    async def send_all(self, topic: str, items: Iterable[tuple[bytes | None, bytes]]) -> None:
        """Send ``(key, value)`` pairs and return once all are acknowledged; raise if any is not."""
        await self.send_records(((topic, None, key, value) for key, value in items), f"not acknowledged by {topic}")

    async def send_records(self, items: Iterable[tuple[str, int | None, bytes | None, bytes]],
                           what: str = "records not acknowledged") -> None:
        """Send ``(topic, partition, key, value)`` records (partition None: by key) and return once all
        are acknowledged; raise if any is not. Records to one partition keep their order."""
        if self._producer is None:
            raise RuntimeError("AsyncProducer not started")
        with translated(what):
            futures = [await self._producer.send(topic, key=key, value=value, partition=partition)
                       for topic, partition, key, value in items]
            for future in futures:
                await future


# --- reading without a consumer group ----------------------------------------------------------


def _record(raw: Any) -> Record:
    return Record(raw.topic, raw.partition, raw.offset, raw.key, raw.value, raw.timestamp)


def _partitions_of(consumer: Any, topics: list[str], missing_ok: bool) -> list[Partition]:
    """Every partition of ``topics`` in the consumer's metadata (kafka-python's or aiokafka's), in order;
    a topic without any raises ``UnknownTopicError`` unless ``missing_ok``."""
    partitions: list[Partition] = []
    for topic in topics:
        numbers = sorted(consumer.partitions_for_topic(topic) or [])
        if not numbers and not missing_ok:
            raise UnknownTopicError(topic)
        partitions.extend(Partition(topic, p) for p in numbers)
    return partitions


class TopicTail(Closing):
    """Every partition of some topics, read in order without a consumer group (kafka-python).

    Starts at the beginning, or at ``offsets`` where given (a reader that keeps its own offsets).
    A topic that does not exist is not read; with ``missing_ok=False`` it raises ``UnknownTopicError``.
    ``at_end`` answers for the end offsets taken when the tail was opened.
    """

    def __init__(self, bootstrap: Bootstrap, topics: Iterable[str], *, client_id: str,
                 offsets: Mapping[Partition, int] | None = None, missing_ok: bool = True,
                 max_poll_records: int = 500) -> None:
        with translated(f"no broker answers at {bootstrap}"):
            self._consumer = kafka.KafkaConsumer(
                bootstrap_servers=_servers(bootstrap), client_id=client_id, group_id=None,
                enable_auto_commit=False, auto_offset_reset="earliest", max_poll_records=max_poll_records,
            )
        topics = list(topics)
        try:
            with translated(f"cannot read {', '.join(topics)}"):
                self.partitions = self._assign(topics, offsets or {}, missing_ok)
                self._ends = self.end_offsets()
        except BaseException:
            self._consumer.close()
            raise
        self._last_poll_empty = False

    def _assign(self, topics: list[str], offsets: Mapping[Partition, int], missing_ok: bool) -> list[Partition]:
        partitions = _partitions_of(self._consumer, topics, missing_ok)
        self._consumer.assign([kafka.TopicPartition(*tp) for tp in partitions])
        for tp in partitions:
            if tp in offsets:
                self._consumer.seek(kafka.TopicPartition(*tp), offsets[tp])
            else:
                self._consumer.seek_to_beginning(kafka.TopicPartition(*tp))
        return partitions

    def poll(self, timeout: float) -> list[Record]:
        """The next records (any partition), waiting up to ``timeout`` seconds for some."""
        with translated("poll failed"):
            batches = self._consumer.poll(timeout_ms=int(timeout * 1000))
        records = [_record(raw) for raws in batches.values() for raw in raws]
        self._last_poll_empty = not records
        return records

    def positions(self) -> dict[Partition, int]:
        with translated("no position"):
            return {tp: self._consumer.position(kafka.TopicPartition(*tp)) for tp in self.partitions}

    def end_offsets(self) -> dict[Partition, int]:
        """The partitions' end offsets now (Tansu: see the module docstring)."""
        if not self.partitions:
            return {}
        with translated("no end offsets"):
            ends = self._consumer.end_offsets([kafka.TopicPartition(*tp) for tp in self.partitions])
        return {Partition(tp.topic, tp.partition): offset for tp, offset in ends.items()}

    @property
    def at_end(self) -> bool:
        return reached_end(self._ends, self.positions(), self._last_poll_empty)

    def close(self) -> None:
        self._consumer.close()


class PrefetchingTopicTail(Closing):
    """``TopicTail``'s interface, read with aiokafka on a thread of its own.

    For a reader that works on each batch before it asks for the next (the store projection):
    aiokafka fetches the next records while the caller writes the last ones away, and parses them
    in C, where kafka-python spends 96 µs of CPU per record in Python (aiokafka 7 µs; 60,000 store
    records, docs/performance.md). Calls block the caller's thread like ``TopicTail``'s.
    """

    def __init__(self, bootstrap: Bootstrap, topics: Iterable[str], *, client_id: str,
                 offsets: Mapping[Partition, int] | None = None, missing_ok: bool = True,
                 max_poll_records: int = 500, timeout: float = 60.0) -> None:
        self._max_records = max_poll_records
        self._timeout = timeout
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name=f"{client_id}-fetch", daemon=True)
        self._thread.start()
        self._consumer: Any = None
        self._last_poll_empty = False
        try:
            self.partitions = self._call(self._start(bootstrap, list(topics), client_id, offsets or {}, missing_ok))
            self._ends = self.end_offsets()
        except BaseException:
            self.close()
            raise

    def _call(self, coroutine: Any, timeout: float | None = None) -> Any:
        return asyncio.run_coroutine_threadsafe(coroutine, self._loop).result(timeout or self._timeout)

    async def _start(self, bootstrap: Bootstrap, topics: list[str], client_id: str,
                     offsets: Mapping[Partition, int], missing_ok: bool) -> list[Partition]:
        self._consumer = aiokafka.AIOKafkaConsumer(
            bootstrap_servers=_servers(bootstrap), client_id=client_id, group_id=None, enable_auto_commit=False,
            auto_offset_reset="earliest", fetch_max_wait_ms=200)
        with translated(f"no broker answers at {bootstrap}"):
            await self._consumer.start()
        with translated(f"cannot read {', '.join(topics)}"):
            await self._consumer.topics()  # the metadata of every topic, so that missing ones are known
            partitions = _partitions_of(self._consumer, topics, missing_ok)
            self._consumer.assign([aiokafka.TopicPartition(*tp) for tp in partitions])
            for tp in partitions:
                if tp in offsets:
                    self._consumer.seek(aiokafka.TopicPartition(*tp), offsets[tp])
                else:
                    await self._consumer.seek_to_beginning(aiokafka.TopicPartition(*tp))
        return partitions

    def poll(self, timeout: float) -> list[Record]:
        """The next records (any partition), waiting up to ``timeout`` seconds for some."""
        if not self.partitions:
            time.sleep(timeout)
            self._last_poll_empty = True
            return []

        async def getmany() -> list[Record]:
            with translated("poll failed"):
                batches = await self._consumer.getmany(timeout_ms=int(timeout * 1000), max_records=self._max_records)
            return [_record(raw) for raws in batches.values() for raw in raws]

        records: list[Record] = self._call(getmany(), timeout + self._timeout)
        self._last_poll_empty = not records
        return records

    def positions(self) -> dict[Partition, int]:
        async def positions() -> dict[Partition, int]:
            with translated("no position"):
                return {tp: await self._consumer.position(aiokafka.TopicPartition(*tp)) for tp in self.partitions}

        return dict(self._call(positions()))

    def end_offsets(self) -> dict[Partition, int]:
        """The partitions' end offsets now (Tansu: see the module docstring)."""
        if not self.partitions:
            return {}

        async def ends() -> dict[Partition, int]:
            with translated("no end offsets"):
                found = await self._consumer.end_offsets([aiokafka.TopicPartition(*tp) for tp in self.partitions])
            return {Partition(tp.topic, tp.partition): offset for tp, offset in found.items()}

        return dict(self._call(ends()))

    @property
    def at_end(self) -> bool:
        return reached_end(self._ends, self.positions(), self._last_poll_empty)

    def close(self) -> None:
        consumer, self._consumer = self._consumer, None
        if consumer is not None and self._loop.is_running():
            try:
                self._call(consumer.stop(), 10.0)
            except Exception:  # noqa: BLE001 - closing: nothing more to do with it
                pass
        if self._loop.is_running():
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(timeout=10)
        if not self._loop.is_running():
            self._loop.close()


def read_to_end(bootstrap: Bootstrap, topics: Iterable[str], *, client_id: str, missing_ok: bool = True,
                poll_timeout: float = 0.5, idle_timeout: float | None = None) -> list[Record]:
    """Every record of the topics, from the beginning to their end now.

    ``idle_timeout`` gives up (returning what was read) after that many seconds without a record
    while the end is not reached; ``None`` waits for the end.
    """
    with TopicTail(bootstrap, topics, client_id=client_id, missing_ok=missing_ok) as tail:
        records: list[Record] = []
        last_record = time.monotonic()
        while True:
            batch = tail.poll(poll_timeout)
            records.extend(batch)
            if tail.at_end:
                return records
            if batch:
                last_record = time.monotonic()
            elif idle_timeout is not None and time.monotonic() - last_record >= idle_timeout:
                return records


def read_compacted(bootstrap: Bootstrap, topic: str, *, client_id: str) -> dict[bytes, bytes]:
    """The latest value per key of a (compacted) topic, read to its end."""
    return latest_by_key(read_to_end(bootstrap, [topic], client_id=client_id))


class AsyncTopicTail(Started):
    """``TopicTail`` for asyncio (aiokafka): every partition of some topics from the beginning.

    A topic the broker reports no partitions for is read from its partition 0 (``innboks.control``,
    which the workers follow, has that one partition).
    """

    def __init__(self, bootstrap: Bootstrap, topics: Iterable[str], *, client_id: str,
                 fetch_max_wait_ms: int = 500) -> None:
        self._topics = list(topics)
        self._options: dict[str, Any] = {
            "bootstrap_servers": _servers(bootstrap), "client_id": client_id, "enable_auto_commit": False,
            "fetch_max_wait_ms": fetch_max_wait_ms,
        }
        self._consumer: Any = None  # aiokafka clients are made inside the running event loop
        self.partitions: list[Partition] = []
        self._ends: dict[Partition, int] = {}
        self._last_poll_empty = False

    async def start(self) -> None:
        self._consumer = aiokafka.AIOKafkaConsumer(**self._options)
        with translated("cannot start the reader"):
            await self._consumer.start()
            self.partitions = [Partition(topic, p) for topic in self._topics
                               for p in sorted(self._consumer.partitions_for_topic(topic) or {0})]
            assigned = [aiokafka.TopicPartition(*tp) for tp in self.partitions]
            self._consumer.assign(assigned)
            await self._consumer.seek_to_beginning(*assigned)
            ends = await self._consumer.end_offsets(assigned)
        self._ends = {Partition(tp.topic, tp.partition): offset for tp, offset in ends.items()}

    async def stop(self) -> None:
        consumer, self._consumer = self._consumer, None
        if consumer is not None:
            await consumer.stop()

    async def poll(self, timeout: float) -> list[Record]:
        with translated("poll failed"):
            batches = await self._consumer.getmany(timeout_ms=int(timeout * 1000))
        records = [_record(raw) for raws in batches.values() for raw in raws]
        self._last_poll_empty = not records
        return records

    async def at_end(self) -> bool:
        with translated("no position"):
            positions = {tp: await self._consumer.position(aiokafka.TopicPartition(*tp)) for tp in self.partitions}
        return reached_end(self._ends, positions, self._last_poll_empty)


# --- consumer groups ---------------------------------------------------------------------------


class GroupConsumer(Started):
    """A consumer group member (aiokafka) that commits only what its caller has made durable.

    The loop is: ``batch = await poll()``, process the batch, ``await commit(records)``. Offsets are
    committed per partition (the last record's offset + 1), never automatically, so a consumer
    killed between processing and committing gets the records again (at least once: make
    processing idempotent). A commit refused after a rebalance raises ``KafkaClientError``; the
    partition's new owner reads those records again.
    """

    def __init__(self, bootstrap: Bootstrap, topics: Iterable[str], *, group: str, client_id: str,
                 max_poll_records: int = 500, timeouts: Mapping[str, float] | None = None) -> None:
        timeouts = timeouts or get_settings().group_timeouts()
        self._topics = list(topics)
        self._options: dict[str, Any] = {
            "bootstrap_servers": _servers(bootstrap), "group_id": group, "client_id": client_id,
            "enable_auto_commit": False, "auto_offset_reset": "earliest", "max_poll_records": max_poll_records,
            "session_timeout_ms": int(timeouts["session"] * 1000),
            "heartbeat_interval_ms": int(timeouts["heartbeat"] * 1000),
            "rebalance_timeout_ms": int(timeouts["rebalance"] * 1000),
        }
        self._consumer: Any = None  # made inside the running event loop
        self._ends: dict[Partition, int] = {}
        self._last_poll_empty = False

    async def start(self) -> None:
        self._consumer = aiokafka.AIOKafkaConsumer(*self._topics, **self._options)
        with translated("cannot join the consumer group"):
            await self._consumer.start()

    async def stop(self) -> None:
        consumer, self._consumer = self._consumer, None
        if consumer is not None:
            await consumer.stop()

    async def poll(self, timeout: float) -> dict[Partition, list[Record]]:
        """The next batch by partition, each partition's records in offset order."""
        with translated("poll failed"):
            batches = await self._consumer.getmany(timeout_ms=int(timeout * 1000))
        self._last_poll_empty = not any(batches.values())
        return {Partition(tp.topic, tp.partition): [_record(raw) for raw in raws]
                for tp, raws in batches.items() if raws}

    async def commit(self, records: Iterable[Record]) -> None:
        """Commit, per partition, the offset after the last of ``records`` (processed and durable)."""
        offsets: dict[aiokafka.TopicPartition, int] = {}
        for record in records:
            tp = aiokafka.TopicPartition(record.topic, record.partition)
            offsets[tp] = max(offsets.get(tp, 0), record.offset + 1)
        if offsets:
            with translated("commit refused"):
                await self._consumer.commit(offsets)

    async def commit_offsets(self, offsets: Mapping[Partition, int]) -> None:
        """Commit the given next offsets (a consumer that holds some records open, e.g. the Fiks sender)."""
        if offsets:
            with translated("commit refused"):
                await self._consumer.commit({aiokafka.TopicPartition(*tp): offset for tp, offset in offsets.items()})

    def assignment(self) -> set[Partition]:
        return {Partition(tp.topic, tp.partition) for tp in self._consumer.assignment()}

    async def caught_up(self) -> bool:
        """True once partitions are assigned and each was read to its end offset seen when first assigned."""
        assigned = self.assignment()
        if not assigned:
            return False
        with translated("no end offsets"):
            missing = [aiokafka.TopicPartition(*tp) for tp in assigned if tp not in self._ends]
            if missing:
                ends = await self._consumer.end_offsets(missing)
                self._ends.update({Partition(tp.topic, tp.partition): offset for tp, offset in ends.items()})
            positions = {tp: await self._consumer.position(aiokafka.TopicPartition(*tp)) for tp in assigned}
        return reached_end({tp: self._ends[tp] for tp in assigned}, positions, self._last_poll_empty)
