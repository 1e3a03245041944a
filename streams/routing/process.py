"""Deciding whether a message is forwarded as a case, and building the ``CaseForward``."""

from __future__ import annotations

import hashlib
from datetime import datetime

from pydantic import BaseModel, ConfigDict

from schemas import (
    CaseChange,
    CaseForward,
    Category,
    EscalationReason,
    Event,
    InboxMessage,
    Kind,
    Screening,
    Triage,
    TriagedMessage,
)
from schemas.case import case_id_for

#: Messages of a conversation kept as context for a forwarded case.
HISTORY_LIMIT = 50

#: Escalation reasons that make a case confidential even without personal data in the text.
CONFIDENTIAL_REASONS = (EscalationReason.CHILD_WELFARE, EscalationReason.SELF_HARM)


class ConversationHistory(BaseModel):
    """The recent messages of one conversation, oldest first (value of the history table)."""

    model_config = ConfigDict(frozen=True)

    messages: tuple[InboxMessage, ...] = ()
    #: The first moderation reason triage gave a message of the history (to judge a later removal).
    flagged: dict[str, str] = {}

    def with_message(self, message: InboxMessage, triage: Triage | None = None) -> ConversationHistory:
        """Add (or, for an edit, replace) a message, keeping the newest ``HISTORY_LIMIT``.

        A hidden or deleted message leaves the history."""
        kept = [m for m in self.messages if m.id != message.id]
        if message.event in (Event.CREATED, Event.EDITED):
            kept.append(message)
        kept.sort(key=lambda m: m.created_at)
        kept = kept[-HISTORY_LIMIT:]
        flagged = dict(self.flagged)
        if triage is not None and triage.moderation:
            flagged[message.id] = triage.moderation[0].value
        ids = {m.id for m in kept}
        return ConversationHistory(messages=tuple(kept), flagged={k: v for k, v in flagged.items() if k in ids})

    def removal_reason(self, message: InboxMessage) -> str | None:
        """For a hidden or deleted message still in the history: its moderation reason, or ``none``."""
        if message.event not in (Event.HIDDEN, Event.DELETED) or all(m.id != message.id for m in self.messages):
            return None
        return self.flagged.get(message.id, "none")


def should_forward(triaged: TriagedMessage) -> bool:
    triage, message = triaged.triage, triaged.message
    return (
        triage is not None
        and triage.category is Category.CASE_HANDLING
        and message.inbound
        and message.event is Event.CREATED
    )


def screening_for(triage: Triage, legal_basis: str) -> Screening:
    reasons = sorted({f"pii:{finding.type.value}" for finding in triage.pii})
    reasons += [f"confidential:{r.value}" for r in triage.escalation_reasons if r in CONFIDENTIAL_REASONS]
    return Screening(screened=bool(reasons), reasons=reasons, legal_basis=legal_basis if reasons else None)


def build_case(
    triaged: TriagedMessage,
    history: ConversationHistory,
    legal_basis: str,
    now: datetime,
    *,
    post: InboxMessage | None = None,
    account_name: str | None = None,
    owning_unit: str | None = None,
    case_id: str | None = None,
) -> CaseForward:
    """The case for a triaged inquiry (``case_id``: its ``case_id_for``, where the caller has it)."""
    inquiry, triage = triaged.message, triaged.triage
    assert triage is not None, "only triaged messages are forwarded"
    context = [m for m in history.messages if m.id != inquiry.id and m.created_at <= inquiry.created_at]
    return CaseForward(
        case_id=case_id or case_id_for(inquiry.id),
        inquiry=inquiry,
        post=post,
        conversation=context,
        account_name=account_name,
        owning_unit=owning_unit,
        triage=triage,
        screening=screening_for(triage, legal_basis),
        suggested_reply=triage.suggested_reply,
        forwarded_at=now,
    )


def post_id_of(message: InboxMessage, history: ConversationHistory) -> str | None:
    """The id of the post a comment (or a reply in its thread) belongs to, where the platform says."""
    root = message if message.kind is Kind.COMMENT else next(
        (m for m in history.messages if m.kind is Kind.COMMENT), None)
    if root is None or not root.parent_id:
        return None
    return f"{message.platform.value}:{root.parent_id}"


class ForwardedCase(BaseModel):
    """Value of the forwarded-cases table: the case as forwarded and the changes sent since."""

    model_config = ConfigDict(frozen=True)

    case: CaseForward
    changes: tuple[str, ...] = ()


def forwarded_value(case: bytes) -> bytes:
    """The stored ``ForwardedCase`` of a case just forwarded, from the case as sent (not encoded twice)."""
    return b'{"case":' + case + b',"changes":[]}'


CHANGES = (Event.EDITED, Event.HIDDEN, Event.DELETED)


def change_key(message: InboxMessage) -> str:
    """Identifies one change, so a redelivered change is sent once (an edit by its new text)."""
    text = hashlib.sha256((message.text or "").encode()).hexdigest()[:16] if message.event is Event.EDITED else ""
    return f"{message.event.value}:{text}"


def case_update(forwarded: ForwardedCase, message: InboxMessage, now: datetime) -> ForwardedCase | None:
    """The forwarded case with the next revision for this change, or None if it was already sent."""
    key = change_key(message)
    if message.event not in CHANGES or key in forwarded.changes:
        return None
    revision = forwarded.case.model_copy(update={
        "revision": len(forwarded.changes) + 1,
        "change": CaseChange(event=message.event, message=message, observed_at=now),
        "forwarded_at": now,
    })
    return ForwardedCase(case=revision, changes=(*forwarded.changes, key))
