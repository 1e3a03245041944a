"""The worker's own steps on a plain batch loop instead of Faust: a ceiling, not a runtime (issues 16, 30).

The worker's steps run unchanged (``streams.normalize.agents`` and ``streams.conversation``, each
record under ``streams.guard.one_record``: the in-flight marker, the guard, triage, routing, the SLA
clock, metrics), and so does the worker's batch (``streams.batch.Batch``: outputs sent and
acknowledged, then each key's state once to its changelog). Below them Faust's consumer, producer
and tables are replaced by the plainest loop over the same client layer as the same-logic loop: a
consumer group polls a batch, the steps run on each record in order, the batch is finished, then
the batch's offsets are committed (at least once). Two stages in one process, as in the worker:
``innboks.raw`` → normalize → ``innboks.messages``, and ``innboks.messages`` → every downstream topic.

Tables are dictionaries in memory, which is what makes this a ceiling rather than a runtime: there
is no recovery, no rebalancing, no standby and no local store, all of which a real batch runtime
would add. Since the worker itself runs in batches (issue 30), what is left between the two is
Faust's per-record consumption (about 75 µs of CPU per input record here) and its tables' local
store. It prints its rate against the same-logic loop on the same broker, the burst latency from
the broker's timestamps, and its CPU time per message, to be set beside ``pipeline``'s.
"""

from __future__ import annotations

import asyncio
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson

from benchmarks.pipeline import (
    BASELINE_IN,
    BASELINE_OUT,
    PARTITIONS,
    TEXT,
    N,
    first_times,
    percentile,
    produce_raw,
    raw_comments,
    same_logic_rate,
)
from innboks.config import topics
from innboks.config.topics import TopicSpec
from innboks.kafka.admin import create_topics
from innboks.kafka.broker import EmbeddedBroker
from innboks.kafka.clients import AsyncProducer, AsyncTopicTail, GroupConsumer, Record
from schemas import RawEvent
from tests.helpers import facebook_comment_raw

CHANGELOG = "bench.ceiling-changelog"
#: (topic, partition or None for "by key", key, value)
OutRecord = tuple[str, int | None, bytes | None, bytes]


@dataclass(frozen=True, slots=True)
class _Message:
    topic: str
    partition: int
    offset: int
    timestamp: float  # seconds, as Faust's


@dataclass(frozen=True, slots=True)
class _Event:
    """What the steps read of a Faust event."""

    key: bytes | None
    value: bytes | None
    message: _Message


@dataclass
class _Sink:
    """The dead letters (the one output the steps still send through a Faust topic)."""

    records: list[OutRecord] = field(default_factory=list)


class _CollectingTopic:
    """Stands in for a Faust topic: ``send`` adds the record to the sink."""

    def __init__(self, name: str, sink: _Sink) -> None:
        self.name, self._sink = name, sink

    async def send(self, *, key: bytes | None, value: bytes) -> None:
        self._sink.records.append((self.name, None, key, value))


class _Store:
    def __init__(self, table: dict[bytes, bytes]) -> None:
        self._table = table

    def get(self, key: bytes) -> bytes | None:
        return self._table.get(key)

    def apply_changelog_batch(self, events: Any, to_key: Any, to_value: Any) -> None:
        for event in events:
            self._table[event.key] = event.value


class _Changelog:
    def get_topic_name(self) -> str:
        return CHANGELOG


class _DictTable(dict[bytes, bytes]):
    """Stands in for a Faust table below ``streams.tables.BatchedTable``: a dictionary whose
    changelog goes to one benchmark topic (no local store, no recovery)."""

    def __init__(self) -> None:
        super().__init__()
        self.changelog_topic = _Changelog()
        self.data = _Store(self)


Handler = Callable[[_Event, Any], Awaitable[None]]


@contextmanager
def _installed(sink: _Sink, producer: AsyncProducer, data_dir: Path) -> Iterator[tuple[Handler, Handler]]:
    """Put the batch loop below the worker's steps (Faust's producer, topics and tables swapped for the
    plain client and dictionaries) and yield the normalize and conversation handlers; everything is
    put back afterwards."""
    from streams import batch as batching
    from streams import conversation, guard, state
    from streams import topics as faust_topics
    from streams.control import CRISIS
    from streams.normalize import agents as normalize_agents
    from streams.poison import InFlight
    from streams.routing import agents as routing

    async def publish(records: Any) -> dict[tuple[str, int], list[int]]:
        await producer.send_records([(r.topic, r.partition, r.key, r.value) for r in records])
        return {(CHANGELOG, p): list(range(len(records))) for p in range(PARTITIONS)}  # a dictionary needs none

    handles = {name: handle for name, handle in vars(faust_topics).items() if hasattr(handle, "get_topic_name")}
    saved = (batching.publish, state.CONVERSATIONS.table, state.FORWARDED.table, routing.posts)
    for name, handle in handles.items():
        setattr(faust_topics, name, _CollectingTopic(handle.get_topic_name(), sink))
    batching.publish = publish  # type: ignore[assignment]
    state.CONVERSATIONS.table, state.FORWARDED.table = _DictTable(), _DictTable()
    routing.posts = _DictTable()  # type: ignore[assignment]
    for agent in ("normalize", "conversation"):
        guard._IN_FLIGHT[agent] = InFlight(data_dir / "in-flight" / f"{agent}.marker")
    CRISIS.loaded.set()

    async def normalize(event: _Event, batch: Any) -> None:
        await guard.one_record("normalize", event,  # type: ignore[arg-type]
                               lambda e: normalize_agents._guarded_normalize(e, batch))

    async def converse(event: _Event, batch: Any) -> None:
        await guard.one_record("conversation", event,  # type: ignore[arg-type]
                               lambda e: conversation.on_record(e, batch))

    try:
        yield normalize, converse
    finally:
        for name, handle in handles.items():
            setattr(faust_topics, name, handle)
        batching.publish, state.CONVERSATIONS.table, state.FORWARDED.table, routing.posts = saved  # type: ignore[assignment]
        for agent in ("normalize", "conversation"):
            guard._IN_FLIGHT.pop(agent, None)


async def _stage(bootstrap: str, inputs: list[str], handle: Handler, new_batch: Callable[[], Any], sink: _Sink,
                 producer: AsyncProducer, stop: asyncio.Event) -> None:
    """Poll a batch, run the steps on each record, finish the batch as the worker does, commit."""
    consumer = GroupConsumer(bootstrap, inputs, group=f"innboks-ceiling-{uuid.uuid4().hex[:8]}",
                             client_id="innboks-bench")
    await consumer.start()
    try:
        while not stop.is_set():
            batches = await consumer.poll(0.05)
            polled: list[Record] = []
            batch = new_batch()
            for (topic, partition), records in batches.items():
                for record in records:
                    await handle(_Event(record.key, record.value,
                                        _Message(topic, partition, record.offset, record.timestamp / 1000)), batch)
                polled.extend(records)
            if polled:
                await batch.finish()
                letters, sink.records = sink.records, []
                await producer.send_records(letters)
                await consumer.commit(polled)
    finally:
        await consumer.stop()


async def _ceiling(bootstrap: str, workdir: Path, now: str) -> tuple[float, float, float, float]:
    """Run both stages, send a burst, wait for every ``opened``: (msg/s, CPU ms/msg, p50 ms, p99 ms)."""
    from streams.batch import Batch
    from streams.conversation import new_batch

    events = raw_comments("9", N, now)
    sink = _Sink()
    producer = AsyncProducer(bootstrap, client_id="innboks-bench")
    await producer.start()
    try:
        with _installed(sink, producer, workdir / "data") as (normalize, converse):
            return await _burst(bootstrap, sink, producer, [(topics.RAW, normalize, Batch),
                                                            (topics.MESSAGES, converse, new_batch)], events)
    finally:
        await producer.stop()


async def _burst(bootstrap: str, sink: _Sink, producer: AsyncProducer,
                 stages: list[tuple[str, Handler, Callable[[], Any]]],
                 events: list[RawEvent]) -> tuple[float, float, float, float]:
    expected = {f"facebook:{e.payload['id']}" for e in events}
    tail = AsyncTopicTail(bootstrap, [topics.SLA], client_id="innboks-bench", fetch_max_wait_ms=50)
    await tail.start()
    stop = asyncio.Event()
    tasks = [asyncio.create_task(_stage(bootstrap, [topic] + ([topics.SLA_TICKS] if topic == topics.MESSAGES else []),
                                        handle, new_batch, sink, producer, stop))
             for topic, handle, new_batch in stages]

    async def opened(ids: set[str], seconds: float) -> None:
        seen: set[str] = set()
        deadline = time.perf_counter() + seconds
        while not ids <= seen:
            if time.perf_counter() > deadline:
                raise TimeoutError(f"only {len(seen & ids):,} of {len(ids):,} opened after {seconds:.0f} s")
            for record in await tail.poll(0.2):
                if record.value and b'"opened"' in record.value:
                    seen.add(orjson.loads(record.value)["inquiry_id"])

    try:
        # A probe first, as for the worker: both groups joined and positioned before the burst.
        await asyncio.to_thread(produce_raw, bootstrap, topics.RAW, [facebook_comment_raw("0_probe", TEXT)])
        await opened({"facebook:0_probe"}, 120)
        cpu_started = time.thread_time()  # this thread: both stages (and the tail); not the burst's producer
        await asyncio.to_thread(produce_raw, bootstrap, topics.RAW, events)
        await opened(expected, 180)
        cpu = time.thread_time() - cpu_started
    finally:
        stop.set()
        await asyncio.gather(*tasks)
        await tail.stop()
    raw = await asyncio.to_thread(first_times, bootstrap, topics.RAW, "payload.id")
    opened_at = await asyncio.to_thread(first_times, bootstrap, topics.SLA, "inquiry_id", "opened")
    ids = [e.payload["id"] for e in events]
    latencies = [opened_at[f"facebook:{i}"] - raw[i] for i in ids]
    drained = (max(opened_at[f"facebook:{i}"] for i in ids) - min(raw[i] for i in ids)) / 1000
    return N / drained, cpu * 1000 / N, percentile(latencies, 50), percentile(latencies, 99)


def run() -> None:
    workdir = Path(tempfile.mkdtemp(prefix="innboks-ceiling-"))
    with EmbeddedBroker(log_path=workdir / "tansu.log") as broker:
        bootstrap = broker.bootstrap_servers
        create_topics(bootstrap, PARTITIONS, 1)
        create_topics(bootstrap, PARTITIONS, 1, catalogue=tuple(
            TopicSpec(name, "bytes", "benchmark", {}, PARTITIONS) for name in (BASELINE_IN, BASELINE_OUT, CHANGELOG)))
        now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S+0000")
        produce_raw(bootstrap, BASELINE_IN, raw_comments("7", N, now))
        baseline, baseline_cpu = same_logic_rate(bootstrap, N)
        rate, cpu_ms, p50, p99 = asyncio.run(_ceiling(bootstrap, workdir, now))
    print(f"{'same-logic loop (normalize+triage+encode)':<48} {baseline:>10,.0f} msg/s  "
          f"({baseline_cpu:.3f} CPU ms/msg)")
    print(f"{'worker steps on a batch loop (raw -> sla opened)':<48} {rate:>10,.0f} msg/s  "
          f"({cpu_ms:.3f} CPU ms/msg; tables in memory, no recovery)")
    print(f"{'batch loop / same-logic loop':<48} {rate / baseline:>10.2f}    (for the record)")
    print(f"{'latency raw -> sla opened p50 / p99':<48} {p50:>10,.0f} / {p99:,.0f} ms  (under a {N:,}-message burst)")
