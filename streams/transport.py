"""A Faust transport for the embedded Tansu broker: ``tansu://host:port``.

Identical to Faust's aiokafka transport except for the fetch long-poll. Faust asks the broker to
hold a fetch for up to 1.5 s; Kafka answers as soon as data arrive, but Tansu holds a fetch over
several partitions for the whole wait, which adds up to 1.5 s per pipeline stage. A short wait
keeps the embedded pipeline as quick as on Kafka (see docs/embedded-broker.md).
"""

from __future__ import annotations

from typing import Any

import aiokafka
from faust.transport.drivers import TRANSPORTS
from faust.transport.drivers import aiokafka as faust_aiokafka

#: Milliseconds the embedded broker may hold a fetch that has no data yet.
EMBEDDED_FETCH_MAX_WAIT_MS = 50


class TansuConsumerThread(faust_aiokafka.AIOKafkaConsumerThread):
    def _create_worker_consumer(self, transport: Any) -> aiokafka.AIOKafkaConsumer:
        consumer = super()._create_worker_consumer(transport)
        consumer._fetch_max_wait_ms = EMBEDDED_FETCH_MAX_WAIT_MS  # read by start(), which comes later
        return consumer


class TansuConsumer(faust_aiokafka.Consumer):
    def _new_consumer_thread(self) -> TansuConsumerThread:
        return TansuConsumerThread(self, loop=self.loop, beacon=self.beacon)


class Transport(faust_aiokafka.Transport):
    Consumer = TansuConsumer


def register() -> None:
    TRANSPORTS.aliases.setdefault("tansu", f"{__name__}:Transport")
