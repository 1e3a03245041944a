"""A case-handling request forwarded from social media to the archive (``innboks.cases``)."""

from __future__ import annotations

import uuid

from pydantic import BaseModel, ConfigDict, Field

from schemas.base import Contract, UtcDatetime
from schemas.enums import Event
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


class CaseChange(BaseModel):
    """A later change to the inquiry on the platform: edited, hidden or deleted."""

    model_config = ConfigDict(strict=True, frozen=True)

    event: Event = Field(description="edited, hidden or deleted")
    message: InboxMessage = Field(description="The inquiry as the platform reports it now (an edit's new text).")
    observed_at: UtcDatetime = Field(description="When Innboks saw the change.")


class CaseForward(Contract):
    """Everything the archive needs to register an incoming case (journalpost) from social media.

    Revision 0 is the case as forwarded. A later edit, hiding or deletion of the inquiry on the
    platform is sent as the same case with the next ``revision`` and the ``change``; the archive
    appends it and keeps what it already has (docs/archive.md).
    """

    case_id: str = Field(description="uuid5 of the inquiry id; stable across re-deliveries.")
    revision: int = Field(default=0, ge=0, description="0: the case; 1, 2, …: later changes, in order.")
    inquiry: InboxMessage = Field(description="The inquiry as first received (revision 0's, also on changes).")
    post: InboxMessage | None = Field(
        default=None, description="The post the inquiry comments on, when Innboks has seen it."
    )
    conversation: list[InboxMessage] = Field(
        default_factory=list,
        description="Earlier messages of the thread (citizens' and our replies), oldest first, the inquiry excluded.",
    )
    account_name: str | None = Field(default=None, description="The official account's name (account registry).")
    owning_unit: str | None = Field(default=None, description="The unit that owns the account (account registry).")
    triage: Triage
    screening: Screening
    suggested_reply: str | None = Field(
        default=None, description="The reply that tells the citizen where the case goes (for the operator to post)."
    )
    change: CaseChange | None = Field(default=None, description="On revisions > 0: what changed.")
    forwarded_at: UtcDatetime = Field(description="When Innboks forwarded this revision.")
