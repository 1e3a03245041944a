"""Publishing from the inbox to Kafka (crisis switches, actions): one small producer, acks from all replicas."""

from __future__ import annotations

from kafka import KafkaProducer
from kafka.errors import KafkaError

from innboks.inbox.errors import HttpError


class KafkaPublisher:
    def __init__(self, bootstrap_servers: str) -> None:
        self.bootstrap_servers = bootstrap_servers
        self._producer: KafkaProducer | None = None

    def send(self, topic: str, key: bytes | None, value: bytes) -> None:
        try:
            if self._producer is None:
                self._producer = KafkaProducer(bootstrap_servers=self.bootstrap_servers, acks="all",
                                               client_id="innboks-inbox", max_request_size=1_000_000)
            self._producer.send(topic, key=key, value=value).get(timeout=30)
        except KafkaError as exc:
            raise HttpError(503, f"Kafka did not acknowledge ({type(exc).__name__}); nothing was changed") from None

    def close(self) -> None:
        if self._producer is not None:
            self._producer.close(timeout=5)
