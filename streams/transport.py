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
"""

from __future__ import annotations

import asyncio
from typing import Any

import aiokafka
from faust.transport.drivers import TRANSPORTS
from faust.transport.drivers import aiokafka as faust_aiokafka

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


class TansuConsumer(Consumer):
    def _new_consumer_thread(self) -> TansuConsumerThread:
        return TansuConsumerThread(self, loop=self.loop, beacon=self.beacon)


class TansuTransport(Transport):
    Consumer = TansuConsumer


def register() -> None:
    TRANSPORTS.aliases.setdefault(KAFKA_SCHEME, f"{__name__}:Transport")
    TRANSPORTS.aliases.setdefault(TANSU_SCHEME, f"{__name__}:TansuTransport")
