"""Applying one event of the topics to the store's projected tables (idempotent).

A replay or a re-delivery yields the same rows: messages keep one row per revision, told apart by a
digest of their content; SLA events are deduplicated on ``event_id`` and applied in state order, so
a late ``opened`` never reopens an answered inquiry; cases are keyed by ``(case_id, revision)``.
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from innboks.config import topics
from innboks.store.schema import cases, inquiries, message_revisions, messages, sla_events
from schemas import CaseForward, InboxMessage, SlaEvent, TriagedMessage

#: How far an inquiry has come; an event never moves it back.
STATE_RANK = {"opened": 0, "warning": 1, "breached": 2, "answered": 3, "closed": 4}
PROJECTED_TOPICS = (topics.MESSAGES, topics.TRIAGED, topics.SLA, topics.CASES)


def apply(connection: Connection, topic: str, value: bytes) -> None:
    """Apply one record of a projected topic; raises pydantic's ValidationError on a bad one."""
    if topic == topics.MESSAGES:
        apply_message(connection, InboxMessage.model_validate_json(value))
    elif topic == topics.TRIAGED:
        triaged = TriagedMessage.model_validate_json(value)
        apply_message(connection, triaged.message)
        apply_triage(connection, triaged)
    elif topic == topics.SLA:
        apply_sla(connection, SlaEvent.model_validate_json(value))
    elif topic == topics.CASES:
        apply_case(connection, CaseForward.model_validate_json(value))


def content_digest(message: InboxMessage) -> str:
    content = [message.event.value, message.text, message.author_name, message.permalink, message.parent_id]
    return hashlib.sha256(json.dumps(content, ensure_ascii=False).encode()).hexdigest()


def apply_message(connection: Connection, message: InboxMessage) -> None:
    digest = content_digest(message)
    seen = connection.execute(
        sa.select(message_revisions.c.revision).where(
            message_revisions.c.message_id == message.id, message_revisions.c.content_sha256 == digest)
    ).first()
    if seen is not None:
        return
    latest = connection.execute(
        sa.select(sa.func.max(message_revisions.c.revision)).where(message_revisions.c.message_id == message.id)
    ).scalar()
    revision = 0 if latest is None else latest + 1
    connection.execute(message_revisions.insert().values(
        message_id=message.id, revision=revision, event=message.event.value, text=message.text,
        author_name=message.author_name, content_sha256=digest, message=message.model_dump(mode="json"),
        observed_at=message.fetched_at,
    ))
    row: dict[str, Any] = {
        "platform": message.platform.value, "account_id": message.account_id, "conversation_key": message.key,
        "conversation_id": message.conversation_id, "parent_id": message.parent_id, "kind": message.kind.value,
        "event": message.event.value, "from_account": message.from_account, "author_id": message.author_id,
        "author_name": message.author_name, "created_at": message.created_at, "permalink": message.permalink,
        "revision": revision, "updated_at": message.fetched_at,
    }
    if message.text is not None or revision == 0:
        row["text"] = message.text  # a deletion without text keeps the last text seen
    if revision == 0:
        connection.execute(messages.insert().values(id=message.id, first_seen_at=message.fetched_at, **row))
    else:
        connection.execute(messages.update().where(messages.c.id == message.id).values(**row))


def apply_triage(connection: Connection, triaged: TriagedMessage) -> None:
    triage = triaged.triage
    if triage is None:
        return
    connection.execute(messages.update().where(messages.c.id == triaged.message.id).values(
        category=triage.category.value, language=triage.language.value, escalate=triage.escalate,
        escalation_reasons=[r.value for r in triage.escalation_reasons],
        moderation=[m.value for m in triage.moderation],
        pii=[{"type": p.type.value, "start": p.start, "end": p.end} for p in triage.pii],
        rules=list(triage.rules), suggested_reply=triage.suggested_reply, ruleset_version=triaged.ruleset_version,
    ))


def apply_sla(connection: Connection, event: SlaEvent) -> None:
    if connection.execute(sa.select(sla_events.c.event_id).where(sla_events.c.event_id == event.event_id)).first():
        return
    connection.execute(sla_events.insert().values(
        event_id=event.event_id, inquiry_id=event.inquiry_id, state=event.state.value,
        emitted_at=event.emitted_at, event=event.model_dump(mode="json"),
    ))
    current = connection.execute(
        sa.select(inquiries.c.state, inquiries.c.updated_at).where(inquiries.c.inquiry_id == event.inquiry_id)
    ).first()
    row: dict[str, Any] = {
        "message_id": event.inquiry_id, "conversation_key": event.conversation_key, "account_id": event.account_id,
        "platform": event.platform.value, "policy": event.policy, "state": event.state.value,
        "received_at": event.received_at, "due_at": event.due_at, "updated_at": event.emitted_at,
    }
    if event.state.value in ("answered", "closed"):
        row.update(answered_at=event.answered_at, answered_by=event.answered_by,
                   response_seconds=event.response_seconds, business_seconds=event.business_seconds,
                   in_time=event.in_time, resolution=event.resolution.value if event.resolution else None,
                   close_reason=event.close_reason.value if event.close_reason else None)
    if current is None:
        connection.execute(inquiries.insert().values(inquiry_id=event.inquiry_id, **row))
        return
    if STATE_RANK[event.state.value] < STATE_RANK[current.state]:
        # A late lower state (e.g. a re-sent 'opened'): only a newer deadline may be taken over
        # (crisis mode switches the policy of open inquiries).
        return
    connection.execute(inquiries.update().where(inquiries.c.inquiry_id == event.inquiry_id).values(**row))


def apply_case(connection: Connection, case: CaseForward) -> None:
    exists = connection.execute(sa.select(cases.c.case_id).where(
        cases.c.case_id == case.case_id, cases.c.revision == case.revision)).first()
    if exists:
        return
    connection.execute(cases.insert().values(
        case_id=case.case_id, revision=case.revision, inquiry_message_id=case.inquiry.id,
        conversation_key=case.inquiry.key, screened=case.screening.screened, forwarded_at=case.forwarded_at,
        case=case.model_dump(mode="json"),
    ))


def utcnow() -> datetime:
    return datetime.now(UTC)
