"""The SLA clock, the last step of the conversation agent (``streams/conversation.py``): inquiry
clocks per conversation, from the triaged messages to ``innboks.sla``.

The clock is a part of the conversation's state (``streams/state.py``), keyed by conversation key,
co-partitioned with the agent's input (``innboks.messages``), and backed by a changelog topic, so a
replaced worker resumes every open clock.

Warnings and breaches: Faust tables change only inside an event, so the timer never writes the
table. It watches an in-memory index of the open inquiries (``schedule``) and, when an alarm comes,
sends a tick keyed by the conversation to ``innboks.sla-ticks``, which has the same partitions as
``innboks.messages``. The agent consumes both topics; for a tick it runs ``tick`` on the clock, so
the event it emits and the flag that stops it from being emitted again are one state write (sent
after the event has been acknowledged, ``streams/batch.py``).
"""

from __future__ import annotations

import logging
import time
from datetime import UTC, datetime
from typing import Literal

import faust

from innboks.config import topics as catalogue
from innboks.domain.codec import decode, encode
from innboks.domain.policies import built_policies
from schemas import InboxMessage, Kind, SlaEvent, SlaState, SlaTick, Triage, TriagedMessage
from streams.accounts import REGISTRY
from streams.actions.automatic import acknowledgement_texts
from streams.app import app
from streams.batch import Batch
from streams.classifier import CLASSIFIER
from streams.control import CRISIS
from streams.metrics import METRICS
from streams.producer import OutRecord, publish
from streams.sla.process import ConversationClock, apply_message, switch_policy, tick
from streams.sla.schedule import InquiryIndex
from streams.state import ConversationState, clock_part, conversations

log = logging.getLogger(__name__)

SLA = REGISTRY.sla
POLICIES = built_policies(SLA)
#: Our out-of-hours acknowledgements do not answer an inquiry (docs/actions.md).
ACKNOWLEDGEMENTS = acknowledgement_texts(REGISTRY.accounts, CLASSIFIER.reply_text)

#: How often the timer looks for alarms; warnings and breaches go out within this plus one hop.
ALARM_INTERVAL = 0.2
#: How often the index is rebuilt from the table besides after every recovery.
REBUILD_INTERVAL = 60.0

INDEX = InquiryIndex()
METRICS.open_inquiries.set_source(INDEX.summary)


def policy_for(message: InboxMessage, triage: Triage | None) -> str | None:
    """The policy a new inquiry from this message gets, or None when it opens no clock."""
    if message.from_account or message.kind is Kind.POST:
        return None
    if not SLA.opens_clock(triage.category if triage is not None else None):
        return None
    if CRISIS.active:
        return SLA.crisis_policy
    return REGISTRY.sla_policy_for(message.platform, message.account_id, message.kind)


def _in_crisis(clock: ConversationClock) -> ConversationClock:
    return switch_policy(clock, POLICIES[SLA.crisis_policy]) if CRISIS.active else clock


async def on_triaged(triaged: TriagedMessage, batch: Batch, partition: int) -> None:
    """Advance the conversation's clock with a triaged message."""
    message = triaged.message
    key = message.key.encode()
    state = batch.conversation(key, partition)
    _advance(state, key, batch, apply_message(_in_crisis(state.clock), message, policy_for(message, triaged.triage),
                                              POLICIES, datetime.now(UTC), triaged.triage, ACKNOWLEDGEMENTS))


async def on_tick(event: faust.EventT, batch: Batch) -> None:
    """A tick from the timer (``innboks.sla-ticks``): emit the warning or breach that has fallen due."""
    request = decode(SlaTick, event.value)
    key = request.conversation_key.encode()
    state = batch.conversation(key, event.message.partition)
    _advance(state, key, batch, tick(_in_crisis(state.clock), request.conversation_key, datetime.now(UTC)))


def _advance(state: ConversationState, key: bytes, batch: Batch,
             result: tuple[ConversationClock, list[SlaEvent]]) -> None:
    """The new clock into the state (written after its events are acknowledged), the events out; the
    timer's index follows once the batch is written, changed or not (a tick with nothing due still
    clears its retry)."""
    updated, emitted = result
    state.clock = updated  # a step that changes nothing returns the same clock, and nothing is written
    batch.watch(key)
    for sla_event in emitted:
        batch.send(catalogue.SLA, key, encode(sla_event))
        _count(sla_event)


def track(key: bytes, state: ConversationState) -> None:
    """The index follows a written (or re-read) clock (``Batch.on_written``)."""
    INDEX.track(key, state.clock, hash(state.part("clock")))


def _count(sla_event: SlaEvent) -> None:
    platform = sla_event.platform.value
    METRICS.sla_events.labels(platform, sla_event.state.value).inc()
    if sla_event.state is SlaState.ANSWERED:
        for in_time in ("true", "false"):  # both series exist, so the in-time ratio can be 0 (not missing)
            METRICS.answered.labels(platform, sla_event.account_id, sla_event.policy, in_time).inc(
                1 if (in_time == "true") == bool(sla_event.in_time) else 0)
        if sla_event.response_seconds is not None:
            METRICS.first_response.labels(platform, sla_event.policy).observe(sla_event.response_seconds)
        if sla_event.business_seconds is not None:
            METRICS.first_response_business.labels(platform, sla_event.policy).observe(sla_event.business_seconds)
    elif sla_event.state is SlaState.CLOSED and sla_event.resolution is not None:
        METRICS.inquiries_closed.labels(platform, sla_event.resolution.value).inc()


@app.timer(interval=ALARM_INTERVAL)
async def fire_alarms() -> None:
    """Send a tick for every inquiry whose warning or due time has come (or, in a crisis, not yet switched)."""
    now = time.time()
    due = INDEX.due_keys(now, SLA.crisis_policy if CRISIS.active else None)
    sent_at = datetime.fromtimestamp(now, UTC)
    reason: Literal["crisis", "due"] = "crisis" if CRISIS.active else "due"
    await publish([OutRecord(catalogue.SLA_TICKS, key, encode(SlaTick(conversation_key=key.decode(), sent_at=sent_at,
                                                                       reason=reason)))
                   for key in due])


@conversations.on_recover
async def _rebuild_after_recovery() -> None:
    _rebuild()


@app.timer(interval=REBUILD_INTERVAL)
async def rebuild_index() -> None:
    _rebuild()


def _rebuild() -> None:
    started = time.perf_counter()
    INDEX.rebuild((key, clock_part(value)) for key, value in conversations.items())
    log.info("SLA index: %d open inquiries on this worker (rebuilt in %.0f ms)",
             len(INDEX), (time.perf_counter() - started) * 1000)
