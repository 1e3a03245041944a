"""What became of a forwarded case in the archive system (``innboks.archive-receipts``).

``innboks archive --fiks`` sends each revision of a case (``CaseForward``) to the municipality's
archive over Fiks IO and records every step as one event, keyed by the conversation:

- ``pending``: about to be sent (attempt ``attempt``); nothing proves it left yet;
- ``sent``: Fiks IO accepted it (``melding_id``, the Fiks IO message id);
- ``received``: the archive answered ``mottatt``;
- ``archived``: the archive answered ``kvittering`` with its numbers (``saksaar``/``sakssekvensnummer``
  of the case file, ``journalpostnummer`` of the journal entry); ``existing`` when the archive
  recognised a repeat by its external key and registered nothing new;
- ``failed``: an error message (``error.kind``: ``ugyldigforespoersel``, ``ikkefunnet``,
  ``serverfeil``, ``tidsavbrudd``, ``fiks_serverfeil``) or a send that failed; ``retry`` says whether
  it will be sent again (at ``next_attempt_at``).

Consumers apply the events of one revision by ``(attempt, status)``: ``archived`` and a ``failed``
without retry are final (innboks/domain/archive_status.py). ``event_id`` is unique per event (a
receipt's own Fiks IO message id), so a consumer deduplicates on it.
"""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from schemas.base import Contract, UtcDatetime


class ArchiveStatus(StrEnum):
    PENDING = "pending"
    SENT = "sent"
    RECEIVED = "received"
    ARCHIVED = "archived"
    FAILED = "failed"


class ArchiveError(BaseModel):
    """Why an attempt failed; ``message`` is the archive's own text (no message content of ours)."""

    model_config = ConfigDict(strict=True, frozen=True)

    kind: str = Field(description="ugyldigforespoersel, ikkefunnet, serverfeil, tidsavbrudd, fiks_serverfeil, "
                                  "send_error, send_rejected, invalid_arkivmelding, retries_exhausted")
    feil_id: str | None = Field(default=None, description="The archive's feilId, to quote to its vendor.")
    message: str = Field(default="", max_length=1000)


class ArchiveReceipt(Contract):
    """One step of one revision of a case on its way into the archive."""

    event_id: str = Field(min_length=1, max_length=200, description="Unique per event; deduplicate on it.")
    case_id: str
    revision: int = Field(ge=0)
    conversation_key: str
    inquiry_id: str
    status: ArchiveStatus
    attempt: int = Field(ge=1, description="Which sending of this revision the event is about (1, 2, …).")
    message_type: str | None = Field(default=None, description="The Fiks message type sent or received.")
    melding_id: str | None = Field(default=None, description="Fiks IO message id of what Innboks sent.")
    receipt_melding_id: str | None = Field(default=None, description="Fiks IO message id of the receipt.")
    saksaar: int | None = None
    sakssekvensnummer: int | None = None
    journalaar: int | None = None
    journalsekvensnummer: int | None = None
    journalpostnummer: int | None = None
    mappe_system_id: str | None = None
    registrering_system_id: str | None = None
    existing: bool = Field(default=False, description="The archive had it already (opprettetEllerEksisterende).")
    error: ArchiveError | None = None
    retry: bool = Field(default=False, description="On failed: it will be sent again.")
    next_attempt_at: UtcDatetime | None = None
    at: UtcDatetime = Field(description="When Innboks decided to send (pending, sent) or handled the receipt.")

    @property
    def saksnummer(self) -> str | None:
        if self.saksaar is None or self.sakssekvensnummer is None:
            return None
        return f"{self.saksaar}/{self.sakssekvensnummer}"

    @property
    def final(self) -> bool:
        return self.status is ArchiveStatus.ARCHIVED or (self.status is ArchiveStatus.FAILED and not self.retry)
