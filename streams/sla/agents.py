"""The SLA agent: inquiry clocks per conversation, from ``innboks.triaged`` to ``innboks.sla``.

The clock table is keyed by conversation key, co-partitioned with its input, and backed by a
changelog topic, so a replaced worker resumes every open clock.
"""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime

import faust

from innboks.settings import get_settings
from schemas import SlaState, TriagedMessage
from streams import topics
from streams.app import app
from streams.codec import decode, encode, read_table
from streams.control import CRISIS
from streams.guard import guarded
from streams.metrics import METRICS
from streams.sla.inquiries import ConversationClock, apply_message
from streams.sla.policies import CRISIS as CRISIS_POLICY_NAME
from streams.sla.policies import DEFAULT_POLICIES, STANDARD

clocks = app.Table(
    "sla-clocks", key_type=bytes, value_type=bytes,
    partitions=get_settings().topic_partitions,
)


async def _track(event: faust.EventT) -> None:
    triaged = decode(TriagedMessage, event.value)
    message = triaged.message
    key = message.key.encode()
    clock = read_table(clocks, key, ConversationClock)
    policy = CRISIS_POLICY_NAME if CRISIS.active else STANDARD
    updated, emitted = apply_message(clock, message, policy, DEFAULT_POLICIES, datetime.now(UTC))
    if updated != clock:
        clocks[key] = encode(updated)
    for sla_event in emitted:
        await topics.sla.send(key=key, value=encode(sla_event))
        METRICS.sla_events.labels(sla_event.platform.value, sla_event.state.value).inc()
        if sla_event.state is SlaState.ANSWERED and sla_event.response_seconds is not None:
            METRICS.first_response.labels(sla_event.platform.value, sla_event.policy).observe(
                sla_event.response_seconds
            )


@app.agent(topics.triaged, name="sla")
async def sla_agent(stream: faust.StreamT) -> None:
    async for event in stream.events():
        await guarded("sla", event, _track)


@app.timer(interval=5.0)
async def refresh_open_inquiries() -> None:
    """Recount open inquiries on this worker's partitions for the gauge."""
    counts: Counter[tuple[str, str]] = Counter()
    for value in clocks.values():
        clock = ConversationClock.model_validate_json(value)
        if clock.open is not None:
            counts[(clock.open.platform.value, clock.open.account_id)] += 1
    METRICS.open_inquiries.update(counts)
