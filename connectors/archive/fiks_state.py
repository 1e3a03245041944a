"""What the Fiks sender knows about each revision of each case: a projection of ``innboks.archive-receipts``.

The topic is the sender's memory: at start it reads the topic to its end, and every step it takes or
every receipt it handles is an event there first. From this state follow the decisions (pure
functions, so the rules are tested without a broker):

- ``next_step``: send (never sent, or ``pending``: nothing proves it left; ``sent`` without
  ``mottatt`` for ``receipt_timeout``; a retryable failure whose time has come), wait, or done;
- ``receipt_status``: what a received Fiks message means for the revision it answers;
- ``backoff``: exponential, capped, with jitter.
"""

from __future__ import annotations

import random
import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from connectors.archive import fiks_arkiv
from innboks.domain.archive_status import Position, supersedes
from schemas import ArchiveReceipt, ArchiveStatus

#: The namespace of ``klientMeldingId``: the same for every sending of one revision (Fiks IO's rule).
KLIENT_MELDING_NAMESPACE = uuid.UUID("b0f3d9a4-6c2e-4f57-9a63-0f7e1c5d2a88")

Key = tuple[str, int]


def klient_melding_id(case_id: str, revision: int) -> uuid.UUID:
    return uuid.uuid5(KLIENT_MELDING_NAMESPACE, f"{case_id}/{revision}")


def korrelasjons_id(case_id: str, revision: int) -> str:
    """``klientKorrelasjonsId``: carried back in every answer by the KS clients' ``SvarSender``."""
    return f"{case_id}/{revision}"


def parse_korrelasjons_id(value: str | None) -> Key | None:
    if not value or "/" not in value:
        return None
    case_id, _, revision = value.rpartition("/")
    try:
        uuid.UUID(case_id)
    except ValueError:
        return None
    return (case_id, int(revision)) if revision.isdigit() else None


@dataclass
class Revision:
    case_id: str
    revision: int
    conversation_key: str
    inquiry_id: str
    status: str = "pending"
    attempt: int = 0
    final: bool = False
    first_at: datetime | None = None
    sent_at: datetime | None = None
    next_attempt_at: datetime | None = None
    archived_at: datetime | None = None
    saksnummer: str | None = None
    journalpostnummer: int | None = None
    error_kind: str | None = None

    @property
    def key(self) -> Key:
        return (self.case_id, self.revision)

    @property
    def position(self) -> Position:
        return Position(self.status, self.attempt, self.final)


@dataclass
class ArchiveState:
    revisions: dict[Key, Revision] = field(default_factory=dict)
    seen: set[str] = field(default_factory=set)
    #: Fiks IO message id of each sending -> (revision, attempt).
    sendings: dict[str, tuple[Key, int]] = field(default_factory=dict)

    def apply(self, event: ArchiveReceipt) -> bool:
        """Take one event into the state; False if it was seen before (by ``event_id``)."""
        if event.event_id in self.seen:
            return False
        self.seen.add(event.event_id)
        key = (event.case_id, event.revision)
        revision = self.revisions.get(key)
        if revision is None:
            revision = self.revisions[key] = Revision(event.case_id, event.revision, event.conversation_key,
                                                      event.inquiry_id, status=event.status.value, attempt=0)
            revision.first_at = event.at
        if event.melding_id and event.status is ArchiveStatus.SENT:
            self.sendings[event.melding_id] = (key, event.attempt)
        new = Position(event.status.value, event.attempt, event.final)
        if revision.attempt and not supersedes(new, revision.position):
            return True
        revision.status, revision.attempt, revision.final = event.status.value, event.attempt, event.final
        if event.status in (ArchiveStatus.PENDING, ArchiveStatus.SENT):
            revision.sent_at = event.at
        revision.next_attempt_at = event.next_attempt_at if event.retry else None
        revision.error_kind = event.error.kind if event.error else None
        if event.status is ArchiveStatus.ARCHIVED:
            revision.archived_at = event.at
            revision.saksnummer = event.saksnummer
            revision.journalpostnummer = event.journalpostnummer
        return True

    def get(self, key: Key) -> Revision | None:
        return self.revisions.get(key)

    def match(self, korrelasjon: str | None, svar_til: str | None) -> tuple[Revision, int] | None:
        """The revision (and attempt) a received message answers: by its Fiks IO message id if Innboks
        recorded that sending, else by the correlation id every KS client carries back."""
        if svar_til and svar_til in self.sendings:
            key, attempt = self.sendings[svar_til]
            return self.revisions[key], attempt
        key_from_korrelasjon = parse_korrelasjons_id(korrelasjon)
        if key_from_korrelasjon and key_from_korrelasjon in self.revisions:
            revision = self.revisions[key_from_korrelasjon]
            return revision, max(revision.attempt, 1)
        return None

    def oldest_unconfirmed_seconds(self, now: datetime) -> float:
        """Age of the oldest revision sent (or about to be) without kvittering and not failed for good."""
        ages = [(now - r.first_at).total_seconds() for r in self.revisions.values()
                if not r.final and r.first_at is not None]
        return max(ages, default=0.0)

    def counts(self) -> Counter[str]:
        return Counter(r.status if r.final or r.status != "failed" else "retrying" for r in self.revisions.values())


def next_step(revision: Revision | None, now: datetime, receipt_timeout: timedelta) -> str:
    """``send``, ``wait`` or ``done`` for one revision (``None``: never sent)."""
    if revision is None:
        return "send"
    if revision.final:
        return "done"
    if revision.status == "pending":
        return "send"
    if revision.status == "sent":
        assert revision.sent_at is not None
        return "send" if now - revision.sent_at >= receipt_timeout else "wait"
    if revision.status == "failed":
        return "send" if revision.next_attempt_at is None or now >= revision.next_attempt_at else "wait"
    return "wait"  # received: the archive has it; wait for its kvittering


def backoff(attempt: int, base: float, cap: float, rng: random.Random | None = None) -> timedelta:
    """Before sending attempt ``attempt + 1``: base · 2^(attempt-1), at most ``cap``, ±10 % jitter."""
    seconds = min(cap, base * 2 ** max(0, attempt - 1))
    return timedelta(seconds=seconds * (rng or random).uniform(0.9, 1.1))


#: A received message type -> (status, error kind or None, retry).
RECEIPTS: dict[str, tuple[ArchiveStatus, str | None, bool]] = {
    fiks_arkiv.OPPRETT_MOTTATT: (ArchiveStatus.RECEIVED, None, False),
    fiks_arkiv.OPPRETT_KVITTERING: (ArchiveStatus.ARCHIVED, None, False),
    fiks_arkiv.UGYLDIG: (ArchiveStatus.FAILED, "ugyldigforespoersel", False),
    fiks_arkiv.IKKEFUNNET: (ArchiveStatus.FAILED, "ikkefunnet", False),
    fiks_arkiv.SERVERFEIL: (ArchiveStatus.FAILED, "serverfeil", True),
    fiks_arkiv.FIKS_TIDSAVBRUDD: (ArchiveStatus.FAILED, "tidsavbrudd", True),
    fiks_arkiv.FIKS_SERVERFEIL: (ArchiveStatus.FAILED, "fiks_serverfeil", True),
}
#: Metric label of each received message type.
OUTCOMES = {fiks_arkiv.OPPRETT_MOTTATT: "mottatt", fiks_arkiv.OPPRETT_KVITTERING: "kvittering",
            **{message_type: kind for message_type, (_, kind, _) in RECEIPTS.items() if kind}}
