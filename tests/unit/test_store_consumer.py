"""innboks/store/consumer.py without a broker: a batch, its offsets, its dead letters, and a record the
database refuses (PostgreSQL: a name longer than its column), which alone is dead-lettered."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import sqlalchemy as sa

from innboks.config import topics
from innboks.db.engine import open_store
from innboks.db.schema import message_revisions, messages, projection_offsets
from innboks.kafka.clients import Partition, Record
from innboks.store.consumer import Projection
from schemas import InboxMessage, Kind, Platform
from tests.conftest import MIGRATED_TEMPLATE
from tests.helpers import PAGE_ID


class Tail:
    """Stands in for ``PrefetchingTopicTail``: hands out the records it was given, one poll's worth at a time."""

    partitions = [Partition(topics.MESSAGES, 0)]

    def __init__(self, polls: list[list[Record]]) -> None:
        self.polls = polls
        self.end = sum(len(poll) for poll in polls)
        self.position = 0

    def poll(self, timeout: float) -> list[Record]:
        records = self.polls.pop(0) if self.polls else []
        self.position += len(records)
        return records

    def positions(self) -> dict[Partition, int]:
        return {self.partitions[0]: self.position}

    def end_offsets(self) -> dict[Partition, int]:
        return {self.partitions[0]: self.end}

    def close(self) -> None:
        pass


class OfflineProjection(Projection):
    polls: list[list[Record]] = []

    def _open_tail(self) -> Tail:
        return Tail(self.polls)


def message(n: int, author: str = "Kari") -> bytes:
    at = datetime(2026, 11, 16, 9, n, tzinfo=UTC)
    return InboxMessage(id=f"facebook:m{n}", platform=Platform.FACEBOOK, account_id=PAGE_ID, kind=Kind.COMMENT,
                        conversation_id=f"c{n}", author_name=author, text="Hei", created_at=at,
                        fetched_at=at).to_json_bytes()


def records(*values: bytes) -> list[Record]:
    return [Record(topics.MESSAGES, 0, offset, None, value, 0) for offset, value in enumerate(values)]


def run(url: str, polls: list[list[Record]]) -> tuple[list[dict], sa.Engine]:
    letters: list[dict] = []
    engine = open_store(url)
    OfflineProjection.polls = polls
    projection = OfflineProjection(engine, "unused:9092", dead_letters=lambda key, value: letters.append(
        json.loads(value)))
    projection.catch_up(timeout=60)
    projection.close()
    return letters, engine


def test_a_batch_is_written_with_its_offsets_and_its_bad_records_dead_lettered(store_url) -> None:
    letters, engine = run(store_url, [records(message(1), b"{not json", message(2))])
    with engine.connect() as connection:
        stored = connection.execute(sa.select(messages.c.id).order_by(messages.c.id)).scalars().all()
        offset = connection.execute(sa.select(projection_offsets.c.next_offset)).scalar()
    engine.dispose()
    assert stored == ["facebook:m1", "facebook:m2"] and offset == 3
    assert [(d["reason_code"], d["source_offset"]) for d in letters] == [("schema_violation", 1)]


def test_a_record_the_database_refuses_is_dead_lettered_alone(postgres) -> None:
    url = postgres.create_database("store_refused", template=MIGRATED_TEMPLATE)
    letters, engine = run(url, [records(message(1), message(2, author="K" * 600), message(3))])
    with engine.connect() as connection:
        stored = connection.execute(sa.select(message_revisions.c.message_id).order_by("message_id")).scalars().all()
        offset = connection.execute(sa.select(projection_offsets.c.next_offset)).scalar()
    engine.dispose()
    assert stored == ["facebook:m1", "facebook:m3"] and offset == 3
    assert [(d["reason_code"], d["source_offset"]) for d in letters] == [("store_refused", 1)]
    assert "KKKK" not in letters[0]["reason"]
