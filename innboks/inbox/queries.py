"""What the inbox shows and changes, over the store's tables."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from innboks.inbox.users import User, audit
from innboks.store.schema import assignments, cases, inquiries, message_revisions, messages, triage_corrections
from streams.sla.policies import Policy

STATES = ("open", "overdue", "answered", "all")
OPEN_STATES = ("opened", "warning", "breached")


class NotFound(LookupError):
    pass


def list_inquiries(engine: Engine, user: User, accounts_of_units: Mapping[str, str | None],
                   policies: Mapping[str, Policy], state: str = "open", account: str | None = None,
                   assignee: str | None = None, now: datetime | None = None, limit: int = 500) -> list[dict[str, Any]]:
    now = now or datetime.now(UTC)
    query = (
        sa.select(inquiries, messages.c.text, messages.c.author_name, messages.c.category, messages.c.escalate,
                  messages.c.moderation, messages.c.suggested_reply, messages.c.permalink, messages.c.pii,
                  messages.c.kind, assignments.c.assignee)
        .select_from(inquiries.outerjoin(messages, messages.c.id == inquiries.c.message_id)
                     .outerjoin(assignments, assignments.c.conversation_key == inquiries.c.conversation_key))
        .order_by(inquiries.c.due_at.asc(), inquiries.c.inquiry_id.asc()).limit(limit)
    )
    if state in ("open", "overdue"):
        query = query.where(inquiries.c.state.in_(OPEN_STATES))
        if state == "overdue":
            query = query.where(inquiries.c.due_at < now)
    elif state == "answered":
        query = query.where(inquiries.c.state.in_(("answered", "closed")))
    if account:
        query = query.where(inquiries.c.account_id == account)
    if assignee == "":
        query = query.where(assignments.c.assignee.is_(None))
    elif assignee:
        query = query.where(assignments.c.assignee == assignee)
    if user.units:
        visible = [acc for acc, unit in accounts_of_units.items() if unit in user.units]
        query = query.where(inquiries.c.account_id.in_(visible))
    with engine.connect() as connection:
        rows = connection.execute(query).all()
    return [_inquiry(row, policies.get(row.policy), now) for row in rows]


def _inquiry(row: Any, policy: Policy | None, now: datetime) -> dict[str, Any]:
    left = None
    if policy is not None and row.state in OPEN_STATES:
        left = (policy.calendar.business_seconds_between(now, row.due_at) if row.due_at > now
                else -policy.calendar.business_seconds_between(row.due_at, now))
    return {
        "inquiry_id": row.inquiry_id, "message_id": row.message_id, "conversation_key": row.conversation_key,
        "platform": row.platform, "account_id": row.account_id, "state": row.state,
        "received_at": row.received_at.isoformat(), "due_at": row.due_at.isoformat(),
        "category": row.category, "escalate": bool(row.escalate), "moderation": list(row.moderation or []),
        "text": row.text, "author_name": row.author_name, "suggested_reply": row.suggested_reply,
        "permalink": row.permalink, "assignee": row.assignee, "policy": row.policy,
        "overdue": row.state in OPEN_STATES and row.due_at < now, "business_seconds_left": left,
        "personal_data": bool(row.pii), "kind": row.kind,
    }


def conversation(engine: Engine, key: str, user: User, accounts_of_units: Mapping[str, str | None]) -> dict[str, Any]:
    with engine.connect() as connection:
        rows = connection.execute(sa.select(messages).where(messages.c.conversation_key == key)
                                  .order_by(messages.c.created_at, messages.c.id)).all()
        if not rows or (user.units and accounts_of_units.get(rows[0].account_id) not in user.units):
            raise NotFound(f"no conversation {key!r}")
        ids = [row.id for row in rows]
        revisions = connection.execute(sa.select(message_revisions).where(message_revisions.c.message_id.in_(ids))
                                       .order_by(message_revisions.c.message_id, message_revisions.c.revision)).all()
        case_rows = connection.execute(sa.select(cases.c.case_id, cases.c.revision, cases.c.forwarded_at,
                                                 cases.c.screened, cases.c.inquiry_message_id)
                                       .where(cases.c.conversation_key == key)).all()
        inquiry_rows = connection.execute(sa.select(inquiries.c.inquiry_id, inquiries.c.state, inquiries.c.due_at)
                                          .where(inquiries.c.conversation_key == key)
                                          .order_by(inquiries.c.received_at)).all()
        assigned = connection.execute(sa.select(assignments).where(assignments.c.conversation_key == key)).first()
        corrections = connection.execute(sa.select(triage_corrections).where(triage_corrections.c.message_id.in_(ids))
                                         .order_by(triage_corrections.c.id)).all()
    by_message: dict[str, list[dict[str, Any]]] = {}
    for rev in revisions:
        by_message.setdefault(rev.message_id, []).append({
            "revision": rev.revision, "event": rev.event, "text": rev.text, "author_name": rev.author_name,
            "observed_at": rev.observed_at.isoformat()})
    corrected = {c.message_id: {"category": c.category, "moderation": c.moderation, "corrected_by": c.corrected_by,
                                "corrected_at": c.corrected_at.isoformat()} for c in corrections}
    return {
        "conversation_key": key, "platform": rows[0].platform, "account_id": rows[0].account_id,
        "assignee": assigned.assignee if assigned else None,
        "messages": [{
            "id": row.id, "kind": row.kind, "event": row.event, "from_account": row.from_account,
            "author_name": row.author_name, "text": row.text, "created_at": row.created_at.isoformat(),
            "permalink": row.permalink, "parent_id": row.parent_id, "category": row.category,
            "language": row.language, "escalate": row.escalate, "escalation_reasons": row.escalation_reasons,
            "moderation": row.moderation, "personal_data": bool(row.pii),
            "pii_types": sorted({p["type"] for p in row.pii or []}), "rules": row.rules,
            "suggested_reply": row.suggested_reply, "revisions": by_message.get(row.id, []),
            "correction": corrected.get(row.id),
        } for row in rows],
        "inquiries": [{"inquiry_id": i.inquiry_id, "state": i.state, "due_at": i.due_at.isoformat()}
                      for i in inquiry_rows],
        "cases": [{"case_id": c.case_id, "revision": c.revision, "forwarded_at": c.forwarded_at.isoformat(),
                   "screened": c.screened, "message_id": c.inquiry_message_id} for c in case_rows],
    }


def assign(engine: Engine, inquiry_id: str, assignee: str, user: User) -> str:
    now = datetime.now(UTC)
    with engine.begin() as connection:
        key = connection.execute(sa.select(inquiries.c.conversation_key)
                                 .where(inquiries.c.inquiry_id == inquiry_id)).scalar()
        if key is None:
            raise NotFound(f"no inquiry {inquiry_id!r}")
        connection.execute(assignments.delete().where(assignments.c.conversation_key == key))
        if assignee:
            connection.execute(assignments.insert().values(conversation_key=key, assignee=assignee,
                                                           assigned_by=user.username, assigned_at=now))
        audit(connection, user.username, "assign", key, {"inquiry_id": inquiry_id, "assignee": assignee or None})
    return key


def correct_triage(engine: Engine, message_id: str, category: str | None, moderation: list[str], user: User) -> None:
    with engine.begin() as connection:
        if connection.execute(sa.select(messages.c.id).where(messages.c.id == message_id)).first() is None:
            raise NotFound(f"no message {message_id!r}")
        connection.execute(triage_corrections.insert().values(
            message_id=message_id, category=category, moderation=moderation, corrected_by=user.username,
            corrected_at=datetime.now(UTC)))
        audit(connection, user.username, "correct_triage", message_id, {"category": category, "moderation": moderation})
