"""Response-time events of one inquiry (``innboks.sla``) and the SLA timer's ticks."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from schemas.base import Contract, UtcDatetime
from schemas.enums import CloseReason, ModerationReason, Platform, Resolution, SlaState


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
    closed_because: CloseReason | None = Field(
        default=None, description="On closed by staff without a reply (resolution closed_without_reply): why.")
    closed_by: str | None = Field(default=None, description="On closed or snoozed by staff: the user name.")
    snoozed_until: UtcDatetime | None = Field(
        default=None, description="On snoozed: when it wakes; null: when the citizen writes again.")
    normal_policy: str | None = Field(
        default=None, description="Opened during a crisis: the policy it returns to when the crisis ends.")
    emitted_at: UtcDatetime


class SlaTick(Contract):
    """Internal (``innboks.sla-ticks``): the timer asks the clock's owner to check one conversation, or
    the inbox asks it to close or snooze an inquiry.

    Faust tables can only change inside an event, so the timer does not touch the table: it sends a
    tick keyed by the conversation to a topic co-partitioned with ``innboks.triaged``, and the SLA
    agent that owns the partition emits the warning or breach and records it in the same step.
    """

    conversation_key: str
    reason: Literal["due", "crisis", "close", "snooze"] = "due"
    scheduled_for: UtcDatetime | None = Field(default=None, description="The alarm time that fired.")
    sent_at: UtcDatetime
    #: Staff commands from the inbox (``close``, ``snooze``), carried to the clock's owner the same way.
    inquiry_id: str | None = Field(default=None, description="close, snooze: the inquiry meant.")
    close_reason: CloseReason | None = Field(default=None, description="close: why no reply is needed.")
    until: UtcDatetime | None = Field(default=None, description="snooze: when it wakes (null: the citizen writes).")
    requested_by: str | None = Field(default=None, description="close, snooze: the staff member.")
