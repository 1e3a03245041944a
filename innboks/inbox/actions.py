"""Asking for actions from the inbox: a reply, a hiding, an unhiding, a deletion; approving a reply.

The inbox does not call the platforms itself: it checks the guideline's rules (a reply with personal
data is refused: the reply check), writes a
``requested`` (or ``approved``) event to ``innboks.actions`` and audits it; the executor carries it
out and the outcome comes back through the store. A reply to a case-handling inquiry forwards it:
without a text of its own, the suggested forward text is sent.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from innboks.config import topics
from innboks.config.accounts import Registry
from innboks.db.audit import audit
from innboks.db.control import crisis
from innboks.db.facts import FactsSource
from innboks.db.schema import actions, message_revisions, messages, triage_corrections
from innboks.domain.action_rules import hide_reason_allowed, needs_approval
from innboks.domain.capabilities import CAPABILITIES
from innboks.domain.reply_check import check_reply
from innboks.inbox.replies import message_context, refuse_if_blocked
from innboks.web.context import Publisher
from innboks.web.errors import HttpError, NotFound
from innboks.web.users import User
from schemas import ActionEvent, ActionKind, ActionOutcome, Category, HideReason, InboxMessage


def _target(connection: sa.Connection, message_id: str, user: User,
            units_of_accounts: Mapping[str, str]) -> tuple[InboxMessage, Any]:
    row = connection.execute(sa.select(messages).where(messages.c.id == message_id)).first()
    if row is None or not user.sees(row.account_id, units_of_accounts):
        raise NotFound("no such message")
    snapshot = connection.execute(
        sa.select(message_revisions.c.message).where(message_revisions.c.message_id == message_id)
        .order_by(message_revisions.c.revision.desc()).limit(1)).scalar_one()
    return InboxMessage.model_validate(snapshot, strict=False), row


def _category(connection: sa.Connection, row: Any) -> str | None:
    corrected = connection.execute(
        sa.select(triage_corrections.c.category).where(triage_corrections.c.message_id == row.id,
                                                       triage_corrections.c.category.is_not(None))
        .order_by(triage_corrections.c.id.desc()).limit(1)).scalar()
    return corrected or row.category


def request_action(engine: Engine, publisher: Publisher, registry: Registry, kind: ActionKind, message_id: str,
                   user: User, units_of_accounts: Mapping[str, str], text: str | None = None,
                   reason: HideReason | None = None, facts: FactsSource | None = None) -> ActionEvent:
    """Check the guideline, publish the ``requested`` event, audit it; the event as published.

    A reply that holds personal data is refused (the reply check, with ``facts``: the registry in force).
    """
    with engine.connect() as connection:
        target, row = _target(connection, message_id, user, units_of_accounts)
        capabilities = CAPABILITIES[target.platform]
        if kind not in capabilities.supports:
            raise HttpError(422, f"{target.platform.value} cannot {kind.value}: {capabilities.why_not(kind)}")
        if row.from_account and kind is not ActionKind.DELETE:
            raise HttpError(422, "our own messages are not answered or hidden from here")
        forward = kind is ActionKind.REPLY and _category(connection, row) == Category.CASE_HANDLING.value
        escalated = bool(connection.execute(
            sa.select(sa.func.count()).select_from(messages)
            .where(messages.c.conversation_key == row.conversation_key, messages.c.escalate.is_(True))).scalar())
    account = registry.find(target.platform, target.account_id)
    if kind is ActionKind.REPLY:
        text = (text or "").strip() or (row.suggested_reply if forward else None)
        if not text:
            raise HttpError(422, "write the reply's text (only case-handling inquiries have a default)")
        if (too_long := capabilities.too_long(target.kind, text, account.options if account else None)) is not None:
            raise HttpError(422, too_long)
        if facts is not None:
            current, _source = facts.current(engine)
            context = message_context(engine, registry, current, message_id, user, units_of_accounts)
            refuse_if_blocked(check_reply(text, context))
    elif not hide_reason_allowed(kind, reason.value if reason else None):
        raise HttpError(422, f"{kind.value} needs a reason: {', '.join(r.value for r in HideReason)}")
    state = crisis(engine)
    approval = needs_approval(kind, registry.actions.approval, escalated=escalated,
                              crisis_active=bool(state and state["active"]),
                              crisis_channel=bool(account and account.crisis_channel))
    event = ActionEvent(action_id=str(uuid.uuid4()), outcome=ActionOutcome.REQUESTED, kind=kind, target=target,
                        text=text if kind is ActionKind.REPLY else None,
                        reason=reason if kind in (ActionKind.HIDE, ActionKind.DELETE) else None, forward=forward,
                        requested_by=user.username, needs_approval=approval, at=datetime.now(UTC))
    publisher.send(topics.ACTIONS, event.to_json_bytes(), key=event.key.encode())
    with engine.begin() as connection:
        audit(connection, user.username, f"request_{kind.value}", message_id,
              {"action_id": event.action_id, "reason": reason.value if reason else None, "forward": forward,
               "needs_approval": approval, "conversation_key": event.key})
    return event


def approve_action(engine: Engine, publisher: Publisher, action_id: str, user: User,
                   units_of_accounts: Mapping[str, str]) -> ActionEvent:
    """A second operator approves a reply that needs it; the ``approved`` event as published."""
    with engine.connect() as connection:
        row = connection.execute(sa.select(actions).where(actions.c.action_id == action_id)).first()
        if row is None or not user.sees(row.account_id, units_of_accounts):
            raise NotFound("no such action")
        if not row.needs_approval or row.outcome != ActionOutcome.REQUESTED.value:
            raise HttpError(409, f"this action is {row.outcome} and waits for no approval")
        if row.requested_by == user.username:
            raise HttpError(403, "a second operator must approve: not the one who asked")
        target, _row = _target(connection, row.message_id, user, units_of_accounts)
    event = ActionEvent(action_id=action_id, outcome=ActionOutcome.APPROVED, kind=ActionKind(row.kind),
                        target=target, text=row.text, reason=HideReason(row.reason) if row.reason else None,
                        forward=row.forward, requested_by=row.requested_by, needs_approval=True,
                        approved_by=user.username, at=datetime.now(UTC))
    publisher.send(topics.ACTIONS, event.to_json_bytes(), key=event.key.encode())
    with engine.begin() as connection:
        audit(connection, user.username, "approve", row.message_id, {"action_id": action_id})
    return event
