"""Which messages get triaged, and the ``TriagedMessage`` that results."""

from __future__ import annotations

from datetime import datetime

from schemas import Event, InboxMessage, TriagedMessage
from streams.triage.classifier import Classifier


def needs_triage(message: InboxMessage) -> bool:
    """Citizens' new or edited messages with text; our own messages and removals pass through."""
    return message.inbound and message.event in (Event.CREATED, Event.EDITED) and bool(message.text)


def triage_message(message: InboxMessage, classifier: Classifier, now: datetime) -> TriagedMessage:
    triage = classifier.triage(message.text or "") if needs_triage(message) else None
    return TriagedMessage(
        message=message, triage=triage, triaged_at=now, ruleset_version=classifier.rules.version if triage else None
    )
