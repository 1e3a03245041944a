"""The conversation agent: triage, routing and the SLA clock of each message in one pass.

``innboks.messages`` (keyed by conversation) and ``innboks.sla-ticks`` in, every downstream topic out:
``innboks.triaged``, ``.moderation``, ``.escalations``, ``.actions`` (triage), ``innboks.cases``
(routing) and ``innboks.sla`` (the clock). The three steps used to be three agents, the last two
reading ``innboks.triaged`` back from the broker; one agent does the same work without a broker hop,
and without decoding each triaged message twice (issue 16: docs/performance.md). Their tables are all
keyed by conversation (or by the case of one) and so stay co-partitioned with the input.

Each step is guarded on its own, as before: a message triage rejects goes to the dead letters (stage
``triage``) and goes no further; a step that fails later (``route``, ``sla``) sends the message to the
dead letters with that stage, and the other steps still run. Per-conversation order is the input's.
"""

from __future__ import annotations

import faust

from innboks.config.topics import SLA_TICKS
from schemas import TriagedMessage
from streams import topics
from streams.app import app
from streams.guard import guarded, run_agent
from streams.routing.agents import route
from streams.sla.agents import on_tick, on_triaged
from streams.triage.agents import triage_event

conversation_input = app.topic(topics.messages.get_topic_name(), SLA_TICKS,
                               key_type=bytes, value_type=bytes, key_serializer="raw", value_serializer="raw")


async def on_message(event: faust.EventT) -> None:
    out: list[TriagedMessage] = []
    if not await guarded("triage", event, lambda e: triage_event(e, out)):
        return
    [triaged] = out
    await guarded("route", event, lambda _: route(triaged))
    await guarded("sla", event, lambda _: on_triaged(triaged))


async def on_record(event: faust.EventT) -> None:
    if event.message.topic == SLA_TICKS:
        await guarded("sla", event, on_tick)
    else:
        await on_message(event)


@app.agent(conversation_input, name="conversation")
async def conversation_agent(stream: faust.StreamT) -> None:
    await run_agent("conversation", stream, on_record)
