"""The normalize agent: ``innboks.raw`` → ``innboks.messages`` (invalid → ``innboks.deadletter``), in batches
(``streams/batch.py``)."""

from __future__ import annotations

import faust

from innboks.config.topics import MESSAGES
from innboks.domain.codec import encode
from schemas import Event
from streams import topics
from streams.app import app
from streams.batch import Batch
from streams.guard import guarded, run_batches
from streams.metrics import METRICS
from streams.normalize.process import NotAMessage, normalize_raw


async def _normalize(event: faust.EventT, batch: Batch) -> None:
    try:
        message = normalize_raw(event.value)
    except NotAMessage as ignored:
        METRICS.ignored.labels(ignored.platform, ignored.resource).inc()
        return
    METRICS.messages.labels(message.platform.value, message.kind.value, message.event.value).inc()
    if message.from_account and message.event is Event.CREATED:
        METRICS.own_activity.observe(message.platform.value, message.account_id, message.created_at.timestamp())
    batch.send(MESSAGES, message.key.encode(), encode(message))


async def _guarded_normalize(event: faust.EventT, batch: Batch) -> None:
    await guarded("normalize", event, lambda e: _normalize(e, batch))


@app.agent(topics.raw, name="normalize")
async def normalize_agent(stream: faust.StreamT) -> None:
    await run_batches("normalize", stream, Batch, _guarded_normalize)
