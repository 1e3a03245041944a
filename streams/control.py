"""Following ``innboks.control`` in every worker: crisis mode is known everywhere, at once.

Each worker reads the (one-partition, compacted) control topic with its own consumer, outside the
consumer group, because every worker needs every switch. Triage waits until the topic has been
read to its end once, so a worker started during a crisis never triages a message as if there
were none.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field
from datetime import datetime

from pydantic import ValidationError

from innboks.config.settings import get_settings
from innboks.config.topics import CONTROL
from schemas import CRISIS_KEY, ControlEvent
from streams.app import app
from streams.metrics import METRICS

log = logging.getLogger(__name__)


@dataclass
class CrisisState:
    active: bool = False
    reason: str | None = None
    since: datetime | None = None
    loaded: asyncio.Event = field(default_factory=asyncio.Event)

    def apply(self, event: ControlEvent) -> None:
        changed = event.active != self.active
        self.active, self.reason, self.since = event.active, event.reason, event.at
        METRICS.crisis_mode.set(1 if event.active else 0)
        if changed:
            log.warning("crisis mode %s", "ON" if event.active else "off")


CRISIS = CrisisState()


def apply_record(state: CrisisState, key: bytes | None, value: bytes | None) -> None:
    if key != CRISIS_KEY.encode() or value is None:
        return
    try:
        state.apply(ControlEvent.from_json_bytes(value))
    except ValidationError:
        log.error("ignoring an invalid record on %s", CONTROL)


@app.task
async def follow_control_topic() -> None:
    from aiokafka import AIOKafkaConsumer, TopicPartition

    settings = get_settings()
    consumer = AIOKafkaConsumer(bootstrap_servers=settings.bootstrap_list or ["localhost:9092"],
                                enable_auto_commit=False, fetch_max_wait_ms=200, client_id="innboks-control")
    await consumer.start()
    try:
        partitions = [TopicPartition(CONTROL, p) for p in sorted(consumer.partitions_for_topic(CONTROL) or {0})]
        consumer.assign(partitions)
        await consumer.seek_to_beginning(*partitions)
        ends = await consumer.end_offsets(partitions)
        while True:
            batches = await consumer.getmany(timeout_ms=1000)
            for records in batches.values():
                for record in records:
                    apply_record(CRISIS, record.key, record.value)
            if not CRISIS.loaded.is_set():
                positions = [await consumer.position(tp) for tp in partitions]
                if all(position >= ends.get(tp, 0) for position, tp in zip(positions, partitions, strict=True)):
                    CRISIS.loaded.set()
    finally:
        CRISIS.loaded.set()  # never leave triage waiting on a stopped follower
        await consumer.stop()
