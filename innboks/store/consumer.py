"""The projection consumer: the topics into the store, offsets committed with the rows.

It reads with manually assigned partitions (no consumer group: the store is the only reader that
needs these offsets, and Tansu's group protocol is not needed). Each batch is one database
transaction that writes the rows *and* the next offset per partition (``projection_offsets``), so a
crash never loses a record nor applies one twice; the rows are idempotent besides.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import Counter
from dataclasses import dataclass, field

import sqlalchemy as sa
from kafka import KafkaConsumer, TopicPartition
from pydantic import ValidationError
from sqlalchemy.engine import Engine

from innboks.store.projection import PROJECTED_TOPICS, apply
from innboks.store.schema import projection_offsets

log = logging.getLogger(__name__)

BATCH_RECORDS = 500


@dataclass
class ProjectionStats:
    applied: Counter[str] = field(default_factory=Counter)
    skipped: Counter[str] = field(default_factory=Counter)


class Projection:
    def __init__(self, engine: Engine, bootstrap_servers: str) -> None:
        self.engine = engine
        self.stats = ProjectionStats()
        self._consumer = KafkaConsumer(
            bootstrap_servers=bootstrap_servers, client_id="innboks-store", enable_auto_commit=False,
            auto_offset_reset="earliest", consumer_timeout_ms=200, max_poll_records=BATCH_RECORDS,
        )
        self._partitions = [TopicPartition(topic, p) for topic in PROJECTED_TOPICS
                            for p in sorted(self._consumer.partitions_for_topic(topic) or [])]
        self._consumer.assign(self._partitions)
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
                            apply(connection, tp.topic, record.value or b"")
                        self.stats.applied[tp.topic] += 1
                    except (ValidationError, ValueError, TypeError, KeyError) as exc:
                        self.stats.skipped[tp.topic] += 1
                        log.warning("store: skipped %s[%s]@%s (%s)", tp.topic, tp.partition, record.offset,
                                    type(exc).__name__)
                self._save_offset(connection, tp, records[-1].offset + 1)
        return count

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
            if self.step() == 0:
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
