"""Publishing from the inbox to Kafka (crisis switches, actions): one producer, acknowledged by all replicas."""

from __future__ import annotations

from innboks.kafka.clients import KafkaClientError, Producer
from innboks.web.errors import HttpError


class KafkaPublisher:
    def __init__(self, bootstrap_servers: str) -> None:
        self.bootstrap_servers = bootstrap_servers
        self._producer: Producer | None = None

    def send(self, topic: str, value: bytes, *, key: bytes | None) -> None:
        try:
            if self._producer is None:
                self._producer = Producer(self.bootstrap_servers, client_id="innboks-inbox", exact=True)
            self._producer.send_and_wait(topic, value, key=key)
        except KafkaClientError as exc:
            raise HttpError(503, f"Kafka did not acknowledge ({exc.reason}); nothing was changed") from None

    def close(self) -> None:
        if self._producer is not None:
            self._producer.close()
