"""Connector state in Kafka: cursors on ``innboks.connector-state``, health on ``innboks.connector-events``.

The cursor topic is compacted and keyed ``platform:account_id``: the latest value of a key is the
account's cursor. It is read once when a connector starts, and written after every poll whose
items Kafka has acknowledged. A restarted connector, on this machine or another, continues where
the last one stopped.
"""

from __future__ import annotations

import threading
from typing import Any

from connectors.base import DeliveryError, utcnow
from innboks.config.topics import CONNECTOR_EVENTS, CONNECTOR_STATE
from innboks.kafka.clients import Bootstrap, KafkaClientError, Producer, read_compacted
from schemas import ConnectorCursor, ConnectorEvent, Platform


def cursor_key(platform: Platform, account_id: str) -> str:
    return f"{platform.value}:{account_id}"


def state_producer(bootstrap: Bootstrap) -> Producer:
    # One record per batch: writes are rare, and exact end offsets keep reads complete everywhere.
    return Producer(bootstrap, client_id="innboks-connector-state", exact=True)


class KafkaCursorStore:
    def __init__(self, bootstrap: Bootstrap, producer: Producer | None = None,
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
                for key, value in read_compacted(self.bootstrap, self.topic, client_id="innboks-state").items():
                    cursor = ConnectorCursor.model_validate_json(value)
                    self._cache[key.decode()] = dict(cursor.state)
            return self._cache

    def load(self, platform: Platform, account_id: str) -> dict[str, Any]:
        return dict(self._states().get(cursor_key(platform, account_id), {}))

    def save(self, platform: Platform, account_id: str, state: dict[str, Any]) -> None:
        key = cursor_key(platform, account_id)
        cursor = ConnectorCursor(platform=platform, account_id=account_id, state=state, updated_at=utcnow())
        try:
            self.producer.send_and_wait(self.topic, cursor.to_json_bytes(), key=key.encode(), timeout=30)
        except KafkaClientError as exc:
            raise DeliveryError(f"cursor for {key} not acknowledged: {exc.reason}") from exc
        self._states()[key] = dict(state)


class ConnectorEvents:
    """Publishes connector health changes; a failure to publish is counted, never fatal."""

    def __init__(self, producer: Producer | None, topic: str = CONNECTOR_EVENTS) -> None:
        self.producer = producer
        self.topic = topic
        self.failed = 0

    def emit(self, event: ConnectorEvent) -> None:
        if self.producer is None:
            return
        key = cursor_key(event.platform, event.account_id).encode()
        try:
            self.producer.send_and_wait(self.topic, event.to_json_bytes(), key=key, timeout=30)
        except KafkaClientError:
            self.failed += 1
