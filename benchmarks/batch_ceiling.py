"""The worker's own steps on a plain batch loop instead of Faust: a ceiling, not a runtime (issue 16).

The worker's steps run unchanged (``streams.normalize.agents`` and ``streams.conversation``, each
under ``streams.guard.one_record``: the in-flight marker, the guard, triage, routing, the SLA clock,
metrics). Below them Faust is replaced by the plainest batch loop over the same client layer as
the same-logic loop: a consumer group polls a batch, the steps run on each record in order and
their records are collected, each table's keys written in the batch go once to a changelog topic
(on the input record's partition), everything is sent and acknowledged, then the batch's offsets
are committed (at least once). Two stages in one process, as in the worker: ``innboks.raw`` →
normalize → ``innboks.messages``, and ``innboks.messages`` → every downstream topic.

Tables are dictionaries in memory, which is what makes this a ceiling rather than a runtime: there
is no recovery, no rebalancing, no standby and no local store, all of which a real batch runtime
would add. It prints its rate against the same-logic loop on the same broker, the burst latency
from the broker's timestamps, and its CPU time per message, to be set beside ``pipeline``'s.
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
    """Where the collecting topics put their records: the batch of the stage that is running."""

    records: list[OutRecord] = field(default_factory=list)


class _CollectingTopic:
    """Stands in for a Faust topic: ``send`` adds the record to the current batch."""

    def __init__(self, name: str, sink: _Sink) -> None:
        self.name, self._sink = name, sink

    async def send(self, *, key: bytes | None, value: bytes) -> None:
        self._sink.records.append((self.name, None, key, value))


class _BatchTable(dict[bytes, bytes]):
    """Stands in for a Faust table: a dictionary that remembers the keys written since the last batch."""

    def __init__(self, name: str) -> None:
        super().__init__()
        self.name = name.encode()
        self.written: set[bytes] = set()

    def __setitem__(self, key: bytes, value: bytes) -> None:
        super().__setitem__(key, value)
        self.written.add(key)

    def changelog(self, partition: int) -> list[OutRecord]:
        records = [(CHANGELOG, partition, self.name + b":" + key, self[key]) for key in self.written]
        self.written.clear()
        return records


Handler = Callable[[_Event], Awaitable[None]]


@contextmanager
def _installed(sink: _Sink, data_dir: Path) -> Iterator[tuple[Handler, Handler, list[_BatchTable]]]:
    """Put the batch loop below the worker's steps (their topics and tables swapped for collectors)
    and yield the normalize and conversation handlers; everything is put back afterwards."""
    from streams import conversation, guard
    from streams import topics as faust_topics
    from streams.control import CRISIS
    from streams.normalize import agents as normalize_agents
    from streams.poison import InFlight
    from streams.routing import agents as routing
    from streams.sla import agents as sla
    from streams.triage import agents as triage

    handles = {name: handle for name, handle in vars(faust_topics).items() if hasattr(handle, "get_topic_name")}
    table_slots = [(triage, "activity"), (routing, "histories"), (routing, "forwarded"), (routing, "posts"),
                   (sla, "clocks")]
    saved_tables = [getattr(module, name) for module, name in table_slots]
    tables = [_BatchTable(name) for _, name in table_slots]
    for name, handle in handles.items():
        setattr(faust_topics, name, _CollectingTopic(handle.get_topic_name(), sink))
    for (module, name), table in zip(table_slots, tables, strict=True):
        setattr(module, name, table)
    for agent in ("normalize", "conversation"):
        guard._IN_FLIGHT[agent] = InFlight(data_dir / "in-flight" / f"{agent}.marker")
    CRISIS.loaded.set()

    async def normalize(event: _Event) -> None:
        await guard.one_record("normalize", event, normalize_agents._guarded_normalize)  # type: ignore[arg-type]

    async def converse(event: _Event) -> None:
        await guard.one_record("conversation", event, conversation.on_record)  # type: ignore[arg-type]

    try:
        yield normalize, converse, tables
    finally:
        for name, handle in handles.items():
            setattr(faust_topics, name, handle)
        for (module, name), table in zip(table_slots, saved_tables, strict=True):
            setattr(module, name, table)
        for agent in ("normalize", "conversation"):
            guard._IN_FLIGHT.pop(agent, None)


async def _stage(bootstrap: str, inputs: list[str], handle: Handler, sink: _Sink, tables: list[_BatchTable],
                 producer: AsyncProducer, stop: asyncio.Event) -> None:
    """Poll a batch, run the step on each record, send its records and changelogs, commit."""
    consumer = GroupConsumer(bootstrap, inputs, group=f"innboks-ceiling-{uuid.uuid4().hex[:8]}",
                             client_id="innboks-bench")
    await consumer.start()
    try:
        while not stop.is_set():
            batches = await consumer.poll(0.05)
            out: list[OutRecord] = []
            polled: list[Record] = []
            for (topic, partition), records in batches.items():
                for record in records:
                    sink.records = out  # no step suspends mid-record, so the other stage cannot interleave
                    await handle(_Event(record.key, record.value,
                                        _Message(topic, partition, record.offset, record.timestamp / 1000)))
                for table in tables:
                    out.extend(table.changelog(partition))
                polled.extend(records)
            if polled:
                await producer.send_records(out)
                await consumer.commit(polled)
    finally:
        await consumer.stop()


async def _ceiling(bootstrap: str, workdir: Path, now: str) -> tuple[float, float, float, float]:
    """Run both stages, send a burst, wait for every ``opened``: (msg/s, CPU ms/msg, p50 ms, p99 ms)."""
    events = raw_comments("9", N, now)
    sink = _Sink()
    with _installed(sink, workdir / "data") as (normalize, converse, tables):
        return await _burst(bootstrap, sink, normalize, converse, tables, events)


async def _burst(bootstrap: str, sink: _Sink, normalize: Handler, converse: Handler, tables: list[_BatchTable],
                 events: list[RawEvent]) -> tuple[float, float, float, float]:
    expected = {f"facebook:{e.payload['id']}" for e in events}
    producer = AsyncProducer(bootstrap, client_id="innboks-bench")
    tail = AsyncTopicTail(bootstrap, [topics.SLA], client_id="innboks-bench", fetch_max_wait_ms=50)
    await producer.start()
    await tail.start()
    stop = asyncio.Event()
    stages = [
        asyncio.create_task(_stage(bootstrap, [topics.RAW], normalize, sink, [], producer, stop)),
        asyncio.create_task(_stage(bootstrap, [topics.MESSAGES, topics.SLA_TICKS], converse, sink, tables,
                                   producer, stop)),
    ]

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
        await asyncio.gather(*stages)
        await tail.stop()
        await producer.stop()
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
    print(f"{'batch loop / same-logic loop':<48} {rate / baseline:>10.2f}    (the pipeline's target is >= 0.5)")
    print(f"{'latency raw -> sla opened p50 / p99':<48} {p50:>10,.0f} / {p99:,.0f} ms  (under a {N:,}-message burst)")
