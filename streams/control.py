"""Following ``innboks.control`` in every worker: crisis mode, the facts registry and the accounts
connected in Kontoer are known everywhere, at once.

Each worker reads the (one-partition, compacted) control topic with its own consumer, outside the
consumer group, because every worker needs every switch. Triage waits until the topic has been
read to its end once, so a worker started during a crisis never triages a message as if there
were none.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from pydantic import ValidationError

from innboks.config.facts import Facts, FactsError, parse_facts
from innboks.config.settings import get_settings
from innboks.config.topics import CONTROL
from innboks.kafka.clients import AsyncTopicTail
from schemas import ACCOUNT_KEY_PREFIX, CRISIS_KEY, FACTS_KEY, AccountEvent, ControlEvent, FactsEvent
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


@dataclass
class FactsState:
    """The facts registry as last saved on the inbox's Fakta page (None: the ``INNBOKS_FACTS`` file's),
    and who wants to know when it changes (the classifier)."""

    facts: Facts | None = None
    digest: str | None = None
    listeners: list[Callable[[Facts], None]] = field(default_factory=list)

    def apply(self, event: FactsEvent) -> None:
        if event.digest == self.digest:
            return
        try:
            facts = parse_facts(event.document, "innboks.control facts")
        except FactsError as exc:
            log.error("ignoring a facts registry on %s that does not validate: %s", CONTROL, exc)
            return
        self.facts, self.digest = facts, event.digest
        for listener in self.listeners:
            listener(facts)
        log.info("facts registry %s… in force (saved by the Fakta page)", event.digest[:12])


FACTS = FactsState()


def apply_record(state: CrisisState, key: bytes | None, value: bytes | None, facts: FactsState = FACTS) -> None:
    if value is None:
        return
    try:
        if key == CRISIS_KEY.encode():
            state.apply(ControlEvent.from_json_bytes(value))
        elif key is not None and key.startswith(ACCOUNT_KEY_PREFIX.encode()):
            REGISTRY.apply(AccountEvent.from_json_bytes(value))  # connected in Kontoer: known at once
        elif key == FACTS_KEY.encode():
            facts.apply(FactsEvent.from_json_bytes(value))
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
