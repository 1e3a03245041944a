"""The normalize agent: ``innboks.raw`` → ``innboks.messages`` (invalid → ``innboks.deadletter``)."""

from __future__ import annotations

import faust

from innboks.domain.codec import encode
from schemas import Event
from streams import topics
from streams.app import app
from streams.guard import guarded, run_agent
from streams.metrics import METRICS
from streams.normalize.process import NotAMessage, normalize_raw


async def _normalize(event: faust.EventT) -> None:
    try:
        message = normalize_raw(event.value)
    except NotAMessage as ignored:
        METRICS.ignored.labels(ignored.platform, ignored.resource).inc()
        return
    METRICS.messages.labels(message.platform.value, message.kind.value, message.event.value).inc()
    if message.from_account and message.event is Event.CREATED:
        METRICS.own_activity.observe(message.platform.value, message.account_id, message.created_at.timestamp())
    await topics.messages.send(key=message.key.encode(), value=encode(message))


async def _guarded_normalize(event: faust.EventT) -> None:
    await guarded("normalize", event, _normalize)


@app.agent(topics.raw, name="normalize")
async def normalize_agent(stream: faust.StreamT) -> None:
    await run_agent("normalize", stream, _guarded_normalize)
