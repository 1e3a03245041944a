"""A case-handling request forwarded from social media to the archive (``innboks.cases``)."""

from __future__ import annotations

import uuid

from pydantic import BaseModel, ConfigDict, Field

from schemas.base import Contract, UtcDatetime
from schemas.message import InboxMessage
from schemas.triage import Triage

#: Namespace for deterministic case ids: the same inquiry always yields the same case id, so the
#: archive can deduplicate even if Innboks forwards a case twice after a crash.
CASE_NAMESPACE = uuid.UUID("6f1c1d2e-64a1-4c55-9d0e-2b6a4f0d8e11")


def case_id_for(message_id: str) -> str:
    return str(uuid.uuid5(CASE_NAMESPACE, message_id))


class Screening(BaseModel):
    """Whether the forwarded content must be screened (skjermet) from public access, and why."""

    model_config = ConfigDict(strict=True, frozen=True)

    screened: bool
    reasons: list[str] = Field(default_factory=list, description="E.g. 'pii:fodselsnummer'.")
    legal_basis: str | None = Field(default=None, description='E.g. "Offl. § 13 jf. fvl. § 13".')


class CaseForward(Contract):
    """Everything the archive needs to register an incoming case (journalpost) from social media."""

    case_id: str = Field(description="uuid5 of the inquiry id; stable across re-deliveries.")
    inquiry: InboxMessage
    conversation: list[InboxMessage] = Field(
        default_factory=list, description="Earlier messages of the thread, oldest first, the inquiry excluded."
    )
    triage: Triage
    screening: Screening
    suggested_reply: str | None = None
    forwarded_at: UtcDatetime
