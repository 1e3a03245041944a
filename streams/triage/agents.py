"""Triage, the first step of the conversation agent (``streams/conversation.py``): a message of
``innboks.messages`` → ``innboks.triaged`` (+ moderation, escalations, automatic actions)."""

from __future__ import annotations

from datetime import UTC, datetime

import faust

from innboks.config.accounts import Account
from innboks.config.settings import get_settings
from innboks.domain.calendar import Calendar
from innboks.domain.codec import decode, encode, read_table
from innboks.domain.policies import built_policies
from schemas import Event, InboxMessage, Kind, TriagedMessage
from streams import topics
from streams.accounts import REGISTRY
from streams.actions.automatic import automatic_actions
from streams.app import app, table_options
from streams.classifier import CLASSIFIER
from streams.control import CRISIS
from streams.metrics import METRICS
from streams.triage.context import ActivityWindow, off_channel_in_crisis, record_activity, with_context
from streams.triage.process import triage_message

_POLICIES = built_policies(REGISTRY.sla)


def _direct_message_calendar(account: Account | None) -> Calendar | None:
    """The calendar that says when the account is open for direct messages (its SLA policy's)."""
    if account is None:
        return None
    policy = REGISTRY.sla_policy_for(account.platform, account.account_id, Kind.DIRECT_MESSAGE)
    return _POLICIES[policy].calendar


activity = app.Table("conversation-activity", key_type=bytes, value_type=bytes,
                     partitions=get_settings().topic_partitions, options=table_options())


async def triage_event(event: faust.EventT, out: list[TriagedMessage]) -> None:
    """Triage the event's message and send the results; the triaged message is appended to ``out``
    for the steps that follow (routing and the SLA clock)."""
    await CRISIS.loaded.wait()  # never triage before the crisis switch is known
    message = decode(InboxMessage, event.value)
    key = message.key.encode()
    triaged = triage_message(message, CLASSIFIER, datetime.now(UTC))
    if triaged.triage is not None:
        spike = False
        if message.event is Event.CREATED:
            window, spike = record_activity(read_table(activity, key, ActivityWindow), message,
                                            CLASSIFIER.rules.spike)
            activity[key] = encode(window)
        triaged = triaged.model_copy(update={"triage": with_context(triaged.triage, crisis=CRISIS.active,
                                                                     spike=spike)})
    elif CRISIS.active and message.event is Event.CREATED and (flag := off_channel_in_crisis(message)):
        triaged = triaged.model_copy(update={"triage": flag})
    value = encode(triaged)
    await topics.triaged.send(key=key, value=value)
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
        await topics.moderation.send(key=key, value=value)
    if triage.escalate:
        await topics.escalations.send(key=key, value=value)
    account = REGISTRY.find(message.platform, message.account_id)
    for action in automatic_actions(triaged, account, _direct_message_calendar(account), CLASSIFIER.reply_text,
                                    datetime.now(UTC)):
        await topics.actions.send(key=key, value=encode(action))
        METRICS.automatic_actions.labels(message.platform.value, action.kind.value,
                                         "acknowledgement" if action.acknowledgement else "auto_protect").inc()

