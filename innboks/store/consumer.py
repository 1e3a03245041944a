"""The projection consumer: the topics into the store, each batch's offsets written with its rows.

It reads with manually assigned partitions and keeps its position in the store itself
(``projection_offsets``), not in a consumer group: each batch is one database transaction that
writes the rows *and* the next offset per partition, so a crash never loses a record nor applies
one twice (the rows are idempotent besides). A record the store cannot take goes to
``innboks.deadletter`` with the reason (stage ``store``), and the projection moves on.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

import sqlalchemy as sa
from kafka import KafkaConsumer, KafkaProducer, TopicPartition
from sqlalchemy.engine import Engine

from innboks.config import topics
from innboks.store.projection import PROJECTED_TOPICS, InvalidRecord, apply
from innboks.store.schema import projection_offsets
from streams.deadletter import dead_letter

log = logging.getLogger(__name__)

BATCH_RECORDS = 1000
STAGE = "store"

#: Sends one dead letter (key, value) and waits for it; raises when it cannot.
DeadLetterSink = Callable[[bytes | None, bytes], None]


@dataclass
class ProjectionStats:
    applied: Counter[str] = field(default_factory=Counter)
    rejected: Counter[str] = field(default_factory=Counter)


def kafka_dead_letters(bootstrap_servers: str) -> tuple[DeadLetterSink, Callable[[], None]]:
    """A dead-letter sink on ``innboks.deadletter`` and a function that closes it."""
    producer = KafkaProducer(bootstrap_servers=bootstrap_servers, client_id="innboks-store", acks="all",
                             max_request_size=1_000_000)

    def send(key: bytes | None, value: bytes) -> None:
        producer.send(topics.DEADLETTER, key=key, value=value).get(timeout=30)

    return send, lambda: producer.close(timeout=5)


class Projection:
    def __init__(self, engine: Engine, bootstrap_servers: str, dead_letters: DeadLetterSink | None = None) -> None:
        self.engine = engine
        self.stats = ProjectionStats()
        self._close_dead_letters: Callable[[], None] = lambda: None
        if dead_letters is None:
            dead_letters, self._close_dead_letters = kafka_dead_letters(bootstrap_servers)
        self._dead_letters = dead_letters
        self._consumer = KafkaConsumer(
            bootstrap_servers=bootstrap_servers, client_id="innboks-store", enable_auto_commit=False,
            auto_offset_reset="earliest", consumer_timeout_ms=200, max_poll_records=BATCH_RECORDS,
            fetch_max_bytes=16 * 1024 * 1024,
        )
        self._partitions = [TopicPartition(topic, p) for topic in PROJECTED_TOPICS
                            for p in sorted(self._consumer.partitions_for_topic(topic) or [])]
        self._consumer.assign(self._partitions)
        self._seek_to_stored()

    def _seek_to_stored(self) -> None:
        """Read on from the offsets the store holds (at start, and after a batch that was rolled back)."""
        stored = self._stored_offsets()
        for tp in self._partitions:
            if (tp.topic, tp.partition) in stored:
                self._consumer.seek(tp, stored[(tp.topic, tp.partition)])
            else:
                self._consumer.seek_to_beginning(tp)

    def _stored_offsets(self) -> dict[tuple[str, int], int]:
        with self.engine.connect() as connection:
            rows = connection.execute(sa.select(projection_offsets)).all()
        return {(row.topic, row.partition): row.next_offset for row in rows}

    def step(self) -> int:
        """Apply one batch in one transaction; the number of records read."""
        batches = self._consumer.poll(timeout_ms=200, max_records=BATCH_RECORDS)
        if not batches:
            return 0
        count = 0
        with self.engine.begin() as connection:
            for tp, records in batches.items():
                for record in records:
                    count += 1
                    try:
                        with connection.begin_nested():
                            apply(connection, tp.topic, record.value, record.key)
                    except InvalidRecord as exc:
                        self._reject(tp, record.offset, record.key, record.value, exc.code, exc.reason)
                    except sa.exc.DBAPIError:
                        raise  # the database is the problem, not the record: stop and retry the batch
                    except Exception as exc:  # noqa: BLE001 - one bad record must not stop the store
                        log.error("store: %s on %s[%s]@%s", type(exc).__name__, tp.topic, tp.partition, record.offset)
                        self._reject(tp, record.offset, record.key, record.value, "processing_error",
                                     f"{type(exc).__name__} in the store projection")
                    else:
                        self.stats.applied[tp.topic] += 1
                self._save_offset(connection, tp, records[-1].offset + 1)
        return count

    def _reject(self, tp: TopicPartition, offset: int, key: bytes | None, value: bytes | None, code: str,
                reason: str) -> None:
        self.stats.rejected[tp.topic] += 1
        letter = dead_letter(stage=STAGE, reason_code=code, reason=reason, source_topic=tp.topic, payload=value,
                             key=key, partition=tp.partition, offset=offset, now=datetime.now(UTC))
        try:
            self._dead_letters(letter.key.encode() if letter.key else None, letter.to_json_bytes())
        except Exception as exc:  # noqa: BLE001 - counted and skipped rather than the store stopped
            log.error("store: could not write the dead letter for %s[%s]@%s (%s); record skipped",
                      tp.topic, tp.partition, offset, type(exc).__name__)

    @staticmethod
    def _save_offset(connection: sa.Connection, tp: TopicPartition, next_offset: int) -> None:
        updated = connection.execute(projection_offsets.update().where(
            projection_offsets.c.topic == tp.topic, projection_offsets.c.partition == tp.partition,
        ).values(next_offset=next_offset)).rowcount
        if not updated:
            connection.execute(projection_offsets.insert().values(
                topic=tp.topic, partition=tp.partition, next_offset=next_offset))

    def behind(self) -> int:
        """Records on the topics not yet in the store."""
        ends = self._consumer.end_offsets(self._partitions)
        return sum(max(0, ends[tp] - self._consumer.position(tp)) for tp in self._partitions)

    def run(self, stop: threading.Event, until_end: bool = False) -> None:
        while not stop.is_set():
            try:
                read = self.step()
            except sa.exc.OperationalError as exc:
                # A busy database (SQLite: another writer committed between the batch's first read and its
                # first write) rolled the batch back: read it again from the stored offsets.
                log.warning("store: batch rolled back (%s); reading it again", type(exc.orig).__name__)
                stop.wait(1.0)
                self._seek_to_stored()
                continue
            if read == 0:
                if until_end and self.behind() == 0:
                    return
                stop.wait(0.2)

    def catch_up(self, timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.step() == 0 and self.behind() == 0:
                return
        raise TimeoutError("the store did not catch up with the topics")

    def close(self) -> None:
        self._consumer.close()
        self._close_dead_letters()
