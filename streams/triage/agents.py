"""Triage, the first step of the conversation agent (``streams/conversation.py``): a message of
``innboks.messages`` → ``innboks.triaged`` (+ moderation, escalations, automatic actions).

The activity window (spike detection) is a part of the conversation's state (``streams/state.py``)."""

from __future__ import annotations

from datetime import UTC, datetime

import faust

from innboks.config import topics
from innboks.config.accounts import Account
from innboks.domain.calendar import Calendar
from innboks.domain.codec import decode, encode
from innboks.domain.policies import built_policies
from schemas import Event, InboxMessage, Kind, TriagedMessage
from streams.accounts import REGISTRY
from streams.actions.automatic import automatic_actions
from streams.batch import Batch
from streams.classifier import CLASSIFIER
from streams.control import CRISIS
from streams.metrics import METRICS
from streams.triage.context import off_channel_in_crisis, record_activity, with_context
from streams.triage.process import triage_message

_POLICIES = built_policies(REGISTRY.sla)


def _direct_message_calendar(account: Account | None) -> Calendar | None:
    """The calendar that says when the account is open for direct messages (its SLA policy's)."""
    if account is None:
        return None
    policy = REGISTRY.sla_policy_for(account.platform, account.account_id, Kind.DIRECT_MESSAGE)
    return _POLICIES[policy].calendar


async def triage_event(event: faust.EventT, batch: Batch, out: list[TriagedMessage]) -> None:
    """Triage the event's message into the batch's outputs; the triaged message is appended to
    ``out`` for the steps that follow (routing and the SLA clock)."""
    await CRISIS.loaded.wait()  # never triage before the crisis switch is known
    message = decode(InboxMessage, event.value)
    key = message.key.encode()
    triaged = triage_message(message, CLASSIFIER, datetime.now(UTC))
    if triaged.triage is not None:
        spike = False
        if message.event is Event.CREATED:
            state = batch.conversation(key, event.message.partition)
            state.activity, spike = record_activity(state.activity, message, CLASSIFIER.rules.spike)
        in_context = with_context(triaged.triage, crisis=CRISIS.active, spike=spike)
        if in_context is not triaged.triage:
            triaged = triaged.model_copy(update={"triage": in_context})
    elif CRISIS.active and message.event is Event.CREATED and (flag := off_channel_in_crisis(message)):
        triaged = triaged.model_copy(update={"triage": flag})
    value = encode(triaged)
    batch.send(topics.TRIAGED, key, value)
    out.append(triaged)
    triage = triaged.triage
    if triage is None:
        return
    if message.inbound:
        METRICS.triaged.labels(message.platform.value, triage.category.value).inc()
    for finding in triage.pii:
        METRICS.pii.labels(finding.type.value).inc()
    for reason in triage.moderation:
        METRICS.moderation_flags.labels(reason.value).inc()
    for escalation in triage.escalation_reasons:
        METRICS.escalations.labels(message.platform.value, message.account_id, escalation.value).inc()
    if triage.moderation:
        batch.send(topics.MODERATION, key, value)
    if triage.escalate:
        batch.send(topics.ESCALATIONS, key, value)
    account = REGISTRY.find(message.platform, message.account_id)
    for action in automatic_actions(triaged, account, _direct_message_calendar(account), CLASSIFIER.reply_text,
                                    datetime.now(UTC)):
        batch.send(topics.ACTIONS, key, encode(action))
        METRICS.automatic_actions.labels(message.platform.value, action.kind.value,
                                         "acknowledgement" if action.acknowledgement else "auto_protect").inc()

