"""The routing agent: case-handling requests on ``innboks.triaged`` → ``innboks.cases``, once each.

Two tables, both keyed so they live on the conversation's partition: the recent messages of each
conversation (context for the archive) and the case ids already forwarded (so a message processed
twice after a crash is still forwarded once).
"""

from __future__ import annotations

from datetime import UTC, datetime

import faust

from innboks.settings import get_settings
from schemas import TriagedMessage
from streams import topics
from streams.app import app
from streams.codec import decode, encode, read_table
from streams.guard import guarded
from streams.metrics import METRICS
from streams.routing.forward import ConversationHistory, build_case, should_forward

_settings = get_settings()

histories = app.Table(
    "conversation-history", key_type=bytes, value_type=bytes,
    partitions=_settings.topic_partitions,
)
forwarded = app.Table(
    "forwarded-cases", key_type=bytes, value_type=bytes,
    partitions=_settings.topic_partitions,
)


async def _route(event: faust.EventT) -> None:
    triaged = decode(TriagedMessage, event.value)
    message = triaged.message
    key = message.key.encode()
    history = read_table(histories, key, ConversationHistory)
    if should_forward(triaged):
        case = build_case(triaged, history, _settings.screening_legal_basis, datetime.now(UTC))
        case_key = case.case_id.encode()
        if forwarded.get(case_key) is None:
            await topics.cases.send(key=key, value=encode(case))
            forwarded[case_key] = case.forwarded_at.isoformat().encode()
            METRICS.cases_forwarded.labels(message.platform.value).inc()
    histories[key] = encode(history.with_message(message))


@app.agent(topics.triaged, name="route")
async def route_agent(stream: faust.StreamT) -> None:
    async for event in stream.events():
        await guarded("route", event, _route)
