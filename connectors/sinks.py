"""Where connectors put what they fetch: Kafka (``innboks.raw``) or standard output.

Each sink maps every item once (``connectors.mapping.mapped``) and passes the outcome on.
"""

from __future__ import annotations

import sys
from typing import TextIO

from connectors.base import DeliveryError
from connectors.mapping import mapped
from innboks.config.topics import RAW
from innboks.kafka.clients import Bootstrap, KafkaClientError, Pending, Producer
from schemas import RawEvent


def raw_producer(bootstrap: Bootstrap) -> Producer:
    """The connectors' producer for ``innboks.raw`` (batched: the worker reads it in a group)."""
    return Producer(bootstrap, client_id="innboks-connector", linger_ms=5)


class KafkaSink:
    """Produces raw events to ``innboks.raw`` with their mapping, keyed by conversation (``RawEvent.key``);
    ``flush`` confirms every send or raises."""

    def __init__(self, bootstrap_servers: Bootstrap, topic: str = RAW, producer: Producer | None = None):
        self.topic = topic
        self.owns_producer = producer is None
        self.producer = producer or raw_producer(bootstrap_servers)
        self._futures: list[Pending] = []

    def send(self, event: RawEvent) -> None:
        event = mapped(event)
        try:
            future = self.producer.send(self.topic, event.to_json_bytes(), key=event.key.encode())
        except KafkaClientError as exc:  # refused before sending (too large, no metadata)
            raise DeliveryError(f"raw event not sent: {exc.reason}") from exc
        self._futures.append(future)

    def flush(self, timeout: float) -> None:
        futures, self._futures = self._futures, []
        try:
            self.producer.flush(timeout=timeout)
        except KafkaClientError as exc:
            raise DeliveryError(f"raw events not acknowledged: {exc.reason}") from exc
        failed = [f for f in futures if not f.is_done or f.failed()]
        if failed:
            raise DeliveryError(f"{len(failed)} of {len(futures)} raw events not acknowledged by the broker")

    def close(self) -> None:
        if self.owns_producer:
            self.producer.close(timeout=5)


class StdoutSink:
    """Prints normalised ``InboxMessage`` JSON lines; unmappable items are reported on stderr."""

    def __init__(self, out: TextIO = sys.stdout, err: TextIO = sys.stderr) -> None:
        self.out = out
        self.err = err
        self.skipped = 0

    def send(self, event: RawEvent) -> None:
        event = mapped(event)
        if event.rejected is not None:
            self.skipped += 1
            native_id = event.payload.get("id", "?")
            self.err.write(f"skipped {event.platform.value} {event.resource} {native_id}: {event.rejected.reason}\n")
        elif event.message is not None:
            self.out.write(event.message.model_dump_json() + "\n")
        # else: not a message (a like, a read receipt): nothing to print

    def flush(self, timeout: float) -> None:
        self.out.flush()

    def close(self) -> None:
        self.out.flush()

