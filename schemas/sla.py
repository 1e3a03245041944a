"""Response-time events of one inquiry (``innboks.sla``) and the SLA timer's ticks."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from schemas.base import Contract, UtcDatetime
from schemas.enums import ModerationReason, Platform, Resolution, SlaState


class SlaEvent(Contract):
    """A change in the life of one inquiry's response-time clock."""

    event_id: str = Field(description="Deterministic: '{inquiry_id}:{state}'. Consumers deduplicate on it.")
    inquiry_id: str = Field(description="InboxMessage.id of the message that opened the clock.")
    conversation_key: str
    account_id: str
    platform: Platform
    policy: str = Field(description="The SLA policy the clock runs on (crisis mode switches open inquiries).")
    received_at: UtcDatetime
    due_at: UtcDatetime
    state: SlaState
    answered_at: UtcDatetime | None = None
    answered_by: str | None = Field(default=None, description="InboxMessage.id of our reply.")
    response_seconds: float | None = Field(default=None, ge=0, description="Wall-clock seconds to the answer.")
    business_seconds: float | None = Field(
        default=None, ge=0, description="Seconds to the answer counted on the policy's business-hours calendar."
    )
    in_time: bool | None = Field(default=None, description="On answered: whether the answer came by due_at.")
    resolution: Resolution | None = Field(
        default=None, description="On answered and closed: how the clock stopped."
    )
    close_reason: ModerationReason | None = Field(
        default=None, description="On closed by hiding or deleting: the moderation reason that allowed it."
    )
    emitted_at: UtcDatetime


class SlaTick(Contract):
    """Internal (``innboks.sla-ticks``): the timer asks the clock's owner to check one conversation.

    Faust tables can only change inside an event, so the timer does not touch the table: it sends a
    tick keyed by the conversation to a topic co-partitioned with ``innboks.triaged``, and the SLA
    agent that owns the partition emits the warning or breach and records it in the same step.
    """

    conversation_key: str
    reason: Literal["due", "crisis"] = "due"
    scheduled_for: UtcDatetime | None = Field(default=None, description="The alarm time that fired.")
    sent_at: UtcDatetime
