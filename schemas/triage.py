"""The triage decision for one message, and the event that carries it downstream."""

from __future__ import annotations

from typing import Self

from pydantic import BaseModel, ConfigDict, Field, model_validator

from schemas.base import Contract, UtcDatetime
from schemas.enums import Category, EscalationReason, Language, ModerationReason, PiiType
from schemas.message import InboxMessage


class PiiFinding(BaseModel):
    """Where personal data was found: character offsets into the message text (``text[start:end]``)."""

    model_config = ConfigDict(strict=True, frozen=True)

    type: PiiType
    start: int = Field(ge=0)
    end: int = Field(ge=0)

    @model_validator(mode="after")
    def _ordered(self) -> Self:
        if self.end <= self.start:
            raise ValueError("end must be greater than start")
        return self


class Triage(BaseModel):
    """What a message is and who must act on it."""

    model_config = ConfigDict(strict=True, frozen=True)

    category: Category
    language: Language
    pii: list[PiiFinding] = Field(default_factory=list)
    moderation: list[ModerationReason] = Field(default_factory=list)
    escalate: bool = False
    escalation_reasons: list[EscalationReason] = Field(default_factory=list)
    rules: list[str] = Field(default_factory=list, description="Ids of the rules that fired.")
    suggested_reply: str | None = Field(default=None, description="In the message's language (bokmål or nynorsk).")

    @model_validator(mode="after")
    def _escalation_consistent(self) -> Self:
        if self.escalate != bool(self.escalation_reasons):
            raise ValueError("escalate must be true exactly when escalation_reasons is non-empty")
        return self


class TriagedMessage(Contract):
    """A message with its triage, on ``innboks.triaged``.

    ``triage`` is None for messages that are not triaged: our own account's messages and
    edit/delete/hide events, which still matter downstream (they answer inquiries, update cases).
    """

    message: InboxMessage
    triage: Triage | None = None
    triaged_at: UtcDatetime
    ruleset_version: str | None = None
