"""Connector state in Kafka: cursors on ``innboks.connector-state``, health on ``innboks.connector-events``.

The cursor topic is compacted and keyed ``platform:account_id``: the latest value of a key is the
account's cursor. It is read once when a connector starts, and written after every poll whose
items Kafka has acknowledged. A restarted connector, on this machine or another, continues where
the last one stopped.
"""

from __future__ import annotations

import threading
from typing import Any

from kafka import KafkaConsumer, KafkaProducer, TopicPartition
from kafka.errors import KafkaError

from connectors.base import DeliveryError, utcnow
from innboks.config.topics import CONNECTOR_EVENTS, CONNECTOR_STATE
from schemas import ConnectorCursor, ConnectorEvent, Platform


def cursor_key(platform: Platform, account_id: str) -> str:
    return f"{platform.value}:{account_id}"


def read_compacted(bootstrap: str | list[str], topic: str, idle_ms: int = 500) -> dict[bytes, bytes]:
    """The latest value per key of a topic, read from the beginning to the end.

    "The end" is where a poll comes back empty after the reported end offsets were reached: some
    brokers (Tansu) under-report end offsets, and a cursor must not be missed.
    """
    consumer = KafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False, client_id="innboks-state")
    latest: dict[bytes, bytes] = {}
    try:
        partitions = [TopicPartition(topic, p) for p in sorted(consumer.partitions_for_topic(topic) or [])]
        if not partitions:
            return latest
        consumer.assign(partitions)
        consumer.seek_to_beginning()
        ends = consumer.end_offsets(partitions)
        while True:
            batches = consumer.poll(timeout_ms=idle_ms)
            for records in batches.values():
                for record in records:
                    if record.key is None:
                        continue
                    if record.value is None:
                        latest.pop(record.key, None)  # tombstone
                    else:
                        latest[record.key] = record.value
            reached = all(consumer.position(tp) >= ends.get(tp, 0) for tp in partitions)
            if reached and not batches:
                return latest
    finally:
        consumer.close()


def state_producer(bootstrap: str | list[str]) -> KafkaProducer:
    # One record per batch: writes are rare, and exact end offsets keep reads complete everywhere.
    return KafkaProducer(bootstrap_servers=bootstrap, acks="all", retries=5, batch_size=0,
                         client_id="innboks-connector-state")


class KafkaCursorStore:
    def __init__(self, bootstrap: str | list[str], producer: KafkaProducer | None = None,
                 topic: str = CONNECTOR_STATE) -> None:
        self.bootstrap = bootstrap
        self.topic = topic
        self.producer = producer or state_producer(bootstrap)
        self._cache: dict[str, dict[str, Any]] | None = None
        self._lock = threading.Lock()

    def _states(self) -> dict[str, dict[str, Any]]:
        with self._lock:
            if self._cache is None:
                self._cache = {}
                for key, value in read_compacted(self.bootstrap, self.topic).items():
                    cursor = ConnectorCursor.model_validate_json(value)
                    self._cache[key.decode()] = dict(cursor.state)
            return self._cache

    def load(self, platform: Platform, account_id: str) -> dict[str, Any]:
        return dict(self._states().get(cursor_key(platform, account_id), {}))

    def save(self, platform: Platform, account_id: str, state: dict[str, Any]) -> None:
        key = cursor_key(platform, account_id)
        cursor = ConnectorCursor(platform=platform, account_id=account_id, state=state, updated_at=utcnow())
        try:
            self.producer.send(self.topic, key=key.encode(), value=cursor.to_json_bytes()).get(timeout=30)
        except KafkaError as exc:
            raise DeliveryError(f"cursor for {key} not acknowledged: {type(exc).__name__}") from exc
        self._states()[key] = dict(state)


class ConnectorEvents:
    """Publishes connector health changes; a failure to publish is counted, never fatal."""

    def __init__(self, producer: KafkaProducer | None, topic: str = CONNECTOR_EVENTS) -> None:
        self.producer = producer
        self.topic = topic
        self.failed = 0

    def emit(self, event: ConnectorEvent) -> None:
        if self.producer is None:
            return
        key = cursor_key(event.platform, event.account_id).encode()
        try:
            self.producer.send(self.topic, key=key, value=event.to_json_bytes()).get(timeout=30)
        except KafkaError:
            self.failed += 1
