"""Faust transports for Innboks: ``innboks-kafka://`` (Kafka) and ``innboks-tansu://`` (embedded).

Both are Faust's aiokafka transport with one fix. ``innboks-tansu`` adds a short fetch wait.

Seek with the flow stopped. When a worker takes over partitions, Faust 0.15's recovery resumes the
stream partitions while the flow is already active, and only then seeks them to the committed
offsets. Records fetched in between advance Faust's read offset. After the seek, those same records
come again and are dropped as already read, but their first delivery never reached the agents. The
result is that messages are skipped until the next restart. This was observed on the embedded
broker when a killed worker was replaced, with up to 25% of the new input skipped. Here
``perform_seek`` stops the flow first (ending the in-flight drain loop), seeks, and restores the
flow, so the read offsets come from the committed offsets and nothing is marked read that was not
delivered.

Short fetch wait (embedded only). Faust asks the broker to hold a fetch for up to 1.5 s. Kafka
answers as soon as data arrive, but Tansu holds a fetch over several partitions for the whole wait.
That adds up to 1.5 s per pipeline stage, so the embedded transport asks for 50 ms.

Exact end offsets (embedded only). Tansu reports a partition's end offset as the base offset of its
last record batch + 1. Faust recovers a table by reading its changelog up to that offset, so with
batches of several records the newest entries of a table were lost when a worker was replaced. The
embedded profile therefore used to send one record per batch, which made every record its own
produce request (one request in flight per broker: about 20 % of the worker's time went to socket
writes, issue 16). Now ``highwaters`` (what recovery reads to) finds the real end instead: it reads
the last batch, which starts at the reported end - 1, and takes its last offset + 1. The producer
batches as on Kafka.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping
from typing import Any

import aiokafka
from faust.transport.drivers import TRANSPORTS
from faust.transport.drivers import aiokafka as faust_aiokafka
from faust.transport.drivers.aiokafka import server_list

log = logging.getLogger(__name__)

#: Milliseconds the embedded broker may hold a fetch that has no data yet.
EMBEDDED_FETCH_MAX_WAIT_MS = 50

KAFKA_SCHEME = "innboks-kafka"
TANSU_SCHEME = "innboks-tansu"


class Consumer(faust_aiokafka.Consumer):
    async def perform_seek(self) -> None:
        """Seek stream partitions to their committed offsets with the flow stopped."""
        resume = self.flow_active
        self.stop_flow()
        await asyncio.sleep(0)  # let an in-flight drain loop see the stopped flow and leave
        await self.wait_for_stopped_flow()
        try:
            await super().perform_seek()
        finally:
            if resume:
                self.resume_flow()


class Transport(faust_aiokafka.Transport):
    Consumer = Consumer


class TansuConsumerThread(faust_aiokafka.AIOKafkaConsumerThread):
    def _create_worker_consumer(self, transport: Any) -> aiokafka.AIOKafkaConsumer:
        consumer = super()._create_worker_consumer(transport)
        consumer._fetch_max_wait_ms = EMBEDDED_FETCH_MAX_WAIT_MS  # read by start(), which comes later
        return consumer

    async def _highwaters(self, partitions: list[Any]) -> Mapping[Any, int]:
        reported = await super()._highwaters(partitions)
        transport: Any = self.transport
        return await exact_ends(server_list(transport.url, transport.default_port), reported)


#: Seconds to wait for the last batch of every partition when finding the exact end offsets.
EXACT_END_TIMEOUT = 10.0


async def exact_ends(bootstrap: Any, reported: Mapping[Any, int]) -> dict[Any, int]:
    """The real end offsets, from Tansu's (the base offset of the last batch + 1): each partition's
    last batch is read, and its last offset + 1 is the end. Partitions that are empty stay as they are."""
    ends = dict(reported)
    #: aiokafka's partitions, for the callers' (Faust's TP, or any (topic, partition) pair).
    pending = {aiokafka.TopicPartition(tp[0], tp[1]): tp for tp, end in ends.items() if end}
    if not pending:
        return ends
    reader = aiokafka.AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False, group_id=None,
                                       fetch_max_wait_ms=EMBEDDED_FETCH_MAX_WAIT_MS)
    await reader.start()
    try:
        reader.assign(list(pending))
        reader.pause(*pending)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + EXACT_END_TIMEOUT
        for tp, key in list(pending.items()):
            # One partition per fetch: Tansu answers one fetch of many partitions, each far into a
            # long log, much more slowly than the same fetches one by one (30 partitions of 15,000
            # batches: 3.7-5.6 s in one fetch, 1.0-1.3 s one by one; docs/performance.md).
            reader.seek(tp, ends[key] - 1)
            reader.resume(tp)
            while loop.time() < deadline:
                records = (await reader.getmany(tp, timeout_ms=200)).get(tp)
                if records:
                    ends[key] = max(ends[key], records[-1].offset + 1)
                    del pending[tp]
                    break
            reader.pause(tp)
    finally:
        await reader.stop()
    if pending:
        log.warning("the exact end of %d changelog partition(s) was not found within %.0f s; their newest "
                    "records may be missing from a table recovered now", len(pending), EXACT_END_TIMEOUT)
    return ends


class TansuConsumer(Consumer):
    def _new_consumer_thread(self) -> TansuConsumerThread:
        return TansuConsumerThread(self, loop=self.loop, beacon=self.beacon)


class TansuTransport(Transport):
    Consumer = TansuConsumer


def register() -> None:
    TRANSPORTS.aliases.setdefault(KAFKA_SCHEME, f"{__name__}:Transport")
    TRANSPORTS.aliases.setdefault(TANSU_SCHEME, f"{__name__}:TansuTransport")
