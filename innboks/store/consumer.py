"""The projection consumer: the topics into the store, each batch's offsets written with its rows.

It reads with manually assigned partitions (``PrefetchingTopicTail``: the next batch is fetched
while this one is written) and keeps its position in the store itself (``projection_offsets``), not
in a consumer group: each batch is one database transaction that writes the rows *and* the next
offset per partition, so a crash never loses a record nor applies
one twice (the rows are idempotent besides). A record the store cannot take goes to
``innboks.deadletter`` with the reason (stage ``store``), and the projection moves on.

A batch is written in a few multi-row statements (``innboks.store.batch``). Should the database
refuse it for one record's sake (a value too long for its column), the batch is rolled back and
applied again one record at a time, each in a savepoint, so that only that record is dead-lettered.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from innboks.config import topics
from innboks.config.topics import PROJECTED_TOPICS
from innboks.db import live
from innboks.db.schema import projection_offsets
from innboks.domain.deadletter import dead_letter
from innboks.kafka.clients import Partition, PrefetchingTopicTail, Producer, Record
from innboks.store.batch import decode_batch, write_batch
from innboks.store.projection import InvalidRecord, apply, follow_crisis

if TYPE_CHECKING:
    from innboks.domain.policies import Policy

log = logging.getLogger(__name__)

#: Records per batch (one transaction): larger batches cost fewer round trips per record (docs/performance.md).
BATCH_RECORDS = 5000
STAGE = "store"
#: How often an idle projection looks for topics and partitions that appeared after it started.
REFRESH_SECONDS = 30.0

#: Sends one dead letter (key, value) and waits for it; raises when it cannot.
DeadLetterSink = Callable[[bytes | None, bytes], None]


@dataclass
class ProjectionStats:
    applied: Counter[str] = field(default_factory=Counter)
    rejected: Counter[str] = field(default_factory=Counter)


def kafka_dead_letters(bootstrap_servers: str) -> tuple[DeadLetterSink, Callable[[], None]]:
    """A dead-letter sink on ``innboks.deadletter`` and a function that closes it."""
    producer = Producer(bootstrap_servers, client_id="innboks-store")

    def send(key: bytes | None, value: bytes) -> None:
        producer.send_and_wait(topics.DEADLETTER, value, key=key)

    return send, producer.close


class Projection:
    def __init__(self, engine: Engine, bootstrap_servers: str, dead_letters: DeadLetterSink | None = None,
                 crisis_policy: Policy | None = None, policies: Mapping[str, Policy] | None = None) -> None:
        """``crisis_policy`` and ``policies``: after a crisis, inquiries received during it return to their
        normal policy (``follow_crisis``)."""
        self.engine = engine
        self._crisis_policy = crisis_policy
        self._policies = policies
        self.stats = ProjectionStats()
        self._close_dead_letters: Callable[[], None] = lambda: None
        if dead_letters is None:
            dead_letters, self._close_dead_letters = kafka_dead_letters(bootstrap_servers)
        self._dead_letters = dead_letters
        self._bootstrap = bootstrap_servers
        self._tail = self._open_tail()

    def _open_tail(self) -> PrefetchingTopicTail:
        return PrefetchingTopicTail(self._bootstrap, PROJECTED_TOPICS, client_id="innboks-store",
                                    offsets=self._stored_offsets(), max_poll_records=BATCH_RECORDS)

    def refresh_partitions(self) -> bool:
        """Read the topics and partitions that exist now (created or grown after the start); whether any did."""
        tail = self._open_tail()
        if set(tail.partitions) == set(self._tail.partitions):
            tail.close()
            return False
        self._tail.close()
        self._tail = tail  # it starts from the offsets stored with the rows: nothing is read twice
        log.info("store: now reading %d partitions", len(tail.partitions))
        return True

    def _stored_offsets(self) -> dict[Partition, int]:
        with self.engine.connect() as connection:
            rows = connection.execute(sa.select(projection_offsets)).all()
        return {Partition(row.topic, row.partition): row.next_offset for row in rows}

    def step(self) -> int:
        """Apply one batch in one transaction; the number of records read."""
        records = self._tail.poll(timeout=0.2)
        if not records:
            return 0
        batch, rejected = decode_batch(records)
        # Dead letters go out before the transaction commits: a crash in between sends one again.
        for bad in rejected:
            self._reject(records[bad.index], bad.error.code, bad.error.reason)
        try:
            with self.engine.begin() as connection, live.buffered(connection):
                write_batch(connection, batch)
                self._finish(connection, records)
        except sa.exc.OperationalError:
            raise  # the database is the problem, not a record: the caller retries the batch
        except Exception as exc:  # noqa: BLE001 - a record the database refused, or a bug: find it
            log.warning("store: a batch of %d records failed as a whole (%s); applying them one by one",
                        len(records), type(exc).__name__)
            self._step_one_by_one(records, skip={bad.index for bad in rejected})
            return len(records)
        refused = {bad.index for bad in rejected}
        self.stats.applied.update(record.topic for index, record in enumerate(records) if index not in refused)
        return len(records)

    def _step_one_by_one(self, records: list[Record], skip: set[int]) -> None:
        """The batch again, each record in a savepoint: one the database refuses is dead-lettered alone."""
        with self.engine.begin() as connection, live.buffered(connection) as feed:
            for index, record in enumerate(records):
                if index in skip:
                    continue  # dead-lettered already
                mark = len(feed)
                try:
                    with connection.begin_nested():
                        apply(connection, record.topic, record.value, record.key)
                except InvalidRecord as exc:
                    del feed[mark:]  # what the rolled-back record would have told the inbox
                    self._reject(record, exc.code, exc.reason)
                except (sa.exc.DataError, sa.exc.IntegrityError) as exc:
                    del feed[mark:]
                    log.error("store: the database refused %s[%s]@%s (%s)", record.topic, record.partition,
                              record.offset, type(exc).__name__)
                    self._reject(record, "store_refused", f"the database refused the record ({type(exc).__name__})")
                except sa.exc.DBAPIError:
                    raise  # the database is the problem, not the record: stop and retry the batch
                except Exception as exc:  # noqa: BLE001 - one bad record must not stop the store
                    del feed[mark:]
                    log.error("store: %s on %s[%s]@%s", type(exc).__name__, record.topic, record.partition,
                              record.offset)
                    self._reject(record, "processing_error", f"{type(exc).__name__} in the store projection")
                else:
                    self.stats.applied[record.topic] += 1
            self._finish(connection, records)

    def _finish(self, connection: sa.Connection, records: list[Record]) -> None:
        """What every batch ends with: crisis deadlines, and the next offset of each partition it read."""
        next_offsets: dict[Partition, int] = {}
        for record in records:
            next_offsets[Partition(record.topic, record.partition)] = record.offset + 1
        if self._crisis_policy is not None and any(p.topic in (topics.CONTROL, topics.SLA) for p in next_offsets):
            follow_crisis(connection, self._crisis_policy, self._policies)
        for partition, offset in next_offsets.items():
            self._save_offset(connection, partition, offset)

    def _reject(self, record: Record, code: str, reason: str) -> None:
        self.stats.rejected[record.topic] += 1
        letter = dead_letter(stage=STAGE, reason_code=code, reason=reason, source_topic=record.topic,
                             payload=record.value, key=record.key, partition=record.partition, offset=record.offset,
                             now=datetime.now(UTC))
        try:
            self._dead_letters(letter.key.encode() if letter.key else None, letter.to_json_bytes())
        except Exception as exc:  # noqa: BLE001 - counted and skipped rather than the store stopped
            log.error("store: could not write the dead letter for %s[%s]@%s (%s); record skipped",
                      record.topic, record.partition, record.offset, type(exc).__name__)

    @staticmethod
    def _save_offset(connection: sa.Connection, partition: Partition, next_offset: int) -> None:
        updated = connection.execute(projection_offsets.update().where(
            projection_offsets.c.topic == partition.topic, projection_offsets.c.partition == partition.partition,
        ).values(next_offset=next_offset)).rowcount
        if not updated:
            connection.execute(projection_offsets.insert().values(
                topic=partition.topic, partition=partition.partition, next_offset=next_offset))

    def behind(self) -> int:
        """Records on the topics not yet in the store (as far as the broker's end offsets tell)."""
        ends, positions = self._tail.end_offsets(), self._tail.positions()
        return sum(max(0, ends[partition] - positions[partition]) for partition in ends)

    def run(self, stop: threading.Event, until_end: bool = False) -> None:
        checked = time.monotonic()
        while not stop.is_set():
            try:
                read = self.step()
            except sa.exc.OperationalError as exc:
                # The database refused the batch (busy, or gone for a moment) and rolled it back: read
                # it again from the offsets the store holds.
                log.warning("store: batch rolled back (%s); reading it again", type(exc.orig).__name__)
                stop.wait(1.0)
                self._tail.close()
                self._tail = self._open_tail()
                continue
            if read == 0:
                if until_end and self.behind() == 0:
                    return
                if time.monotonic() - checked > REFRESH_SECONDS:
                    self.refresh_partitions()
                    checked = time.monotonic()
                stop.wait(0.2)

    def catch_up(self, timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.step() == 0 and self.behind() == 0:
                return
        raise TimeoutError("the store did not catch up with the topics")

    def close(self) -> None:
        self._tail.close()
        self._close_dead_letters()
