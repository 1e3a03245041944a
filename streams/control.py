"""Following ``innboks.control`` in every worker: crisis mode, and the accounts connected in Kontoer,
are known everywhere, at once.

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
from innboks.kafka.clients import AsyncTopicTail
from schemas import ACCOUNT_KEY_PREFIX, CRISIS_KEY, AccountEvent, ControlEvent
from streams.accounts import REGISTRY
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
    if value is None:
        return
    try:
        if key == CRISIS_KEY.encode():
            state.apply(ControlEvent.from_json_bytes(value))
        elif key is not None and key.startswith(ACCOUNT_KEY_PREFIX.encode()):
            REGISTRY.apply(AccountEvent.from_json_bytes(value))  # connected in Kontoer: known at once
    except ValidationError:
        log.error("ignoring an invalid record on %s", CONTROL)


@app.task
async def follow_control_topic() -> None:
    settings = get_settings()
    tail = AsyncTopicTail(settings.bootstrap_list or ["localhost:9092"], [CONTROL], client_id="innboks-control",
                          fetch_max_wait_ms=200)
    await tail.start()
    try:
        while True:
            # Short polls until loaded: the end is known only after a poll that comes back empty.
            for record in await tail.poll(1.0 if CRISIS.loaded.is_set() else 0.2):
                apply_record(CRISIS, record.key, record.value)
            if not CRISIS.loaded.is_set() and await tail.at_end():
                CRISIS.loaded.set()
    finally:
        CRISIS.loaded.set()  # never leave triage waiting on a stopped follower
        await tail.stop()
