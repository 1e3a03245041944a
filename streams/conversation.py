"""The conversation agent: triage, routing and the SLA clock of each message in one pass.

``innboks.messages`` (keyed by conversation) and ``innboks.sla-ticks`` in, every downstream topic out:
``innboks.triaged``, ``.moderation``, ``.escalations``, ``.actions`` (triage), ``innboks.cases``
(routing) and ``innboks.sla`` (the clock). The three steps used to be three agents, the last two
reading ``innboks.triaged`` back from the broker; one agent does the same work without a broker hop,
and without decoding each triaged message twice (issue 16: docs/performance.md). Their state is one
value per conversation (``streams/state.py``) and the forwarded cases, keyed by conversation or by the
case of one, so co-partitioned with the input.

The agent takes its input in batches (``streams/batch.py``, issue 30): each record runs through the
steps in order, the batch's outputs are sent together and acknowledged, then each conversation's
state is written once. Each step is guarded on its own, as before: a message triage rejects goes to
the dead letters (stage ``triage``) and goes no further; a step that fails later (``route``, ``sla``)
sends the message to the dead letters with that stage, and the other steps still run.
Per-conversation order is the input's.
"""

from __future__ import annotations

import faust

from innboks.config.topics import SLA_TICKS
from schemas import TriagedMessage
from streams import topics
from streams.app import app
from streams.batch import Batch
from streams.guard import guarded, run_batches
from streams.routing.agents import route
from streams.sla.agents import on_tick, on_triaged, track
from streams.state import CONVERSATIONS, FORWARDED
from streams.triage.agents import triage_event

conversation_input = app.topic(topics.messages.get_topic_name(), SLA_TICKS,
                               key_type=bytes, value_type=bytes, key_serializer="raw", value_serializer="raw")


def new_batch() -> Batch:
    batch = Batch(tables=[FORWARDED], conversations=CONVERSATIONS)
    batch.on_written.append(track)
    return batch


async def on_message(event: faust.EventT, batch: Batch) -> None:
    out: list[TriagedMessage] = []
    if not await guarded("triage", event, lambda e: triage_event(e, batch, out)):
        return
    [triaged] = out
    partition = event.message.partition
    await guarded("route", event, lambda _: route(triaged, batch, partition))
    await guarded("sla", event, lambda _: on_triaged(triaged, batch, partition))


async def on_record(event: faust.EventT, batch: Batch) -> None:
    if event.message.topic == SLA_TICKS:
        await guarded("sla", event, lambda e: on_tick(e, batch))
    else:
        await on_message(event, batch)


@app.agent(conversation_input, name="conversation")
async def conversation_agent(stream: faust.StreamT) -> None:
    await run_batches("conversation", stream, new_batch, on_record)
