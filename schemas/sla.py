"""Response-time events of one inquiry (``innboks.sla``)."""

from __future__ import annotations

from pydantic import Field

from schemas.base import Contract, UtcDatetime
from schemas.enums import Platform, SlaState


class SlaEvent(Contract):
    """A change in the life of one inquiry's response-time clock."""

    event_id: str = Field(description="Deterministic: '{inquiry_id}:{state}'. Consumers deduplicate on it.")
    inquiry_id: str = Field(description="InboxMessage.id of the message that opened the clock.")
    conversation_key: str
    account_id: str
    platform: Platform
    policy: str
    received_at: UtcDatetime
    due_at: UtcDatetime
    state: SlaState
    answered_at: UtcDatetime | None = None
    answered_by: str | None = Field(default=None, description="InboxMessage.id of our reply.")
    response_seconds: float | None = Field(default=None, ge=0, description="Wall-clock seconds to the answer.")
    business_seconds: float | None = Field(
        default=None, ge=0, description="Seconds to the answer counted on the policy's business-hours calendar."
    )
    emitted_at: UtcDatetime
