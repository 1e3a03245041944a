"""Which archive event of a case's revision wins: one rule for the Fiks sender's state and the store.

Events of one revision (``ArchiveReceipt``) may arrive late or twice: a ``mottatt`` of the first
sending after the second was sent, a receipt redelivered after a crash. The latest word is the one
with the highest ``(attempt, rank)``; ``archived`` and a ``failed`` without retry are final: nothing
replaces ``archived``, and a final failure only a later attempt (an operator's ``--retry-failed``).
Keeping the rule here means the inbox shows what the sender acts on.
"""

from __future__ import annotations

from dataclasses import dataclass

RANK = {"pending": 0, "sent": 1, "received": 2, "failed": 3, "archived": 4}


@dataclass(frozen=True)
class Position:
    """Where a revision stands: the status, the attempt it is about, and whether it is final."""

    status: str
    attempt: int
    final: bool


def supersedes(new: Position, current: Position | None) -> bool:
    """Whether ``new`` replaces ``current`` as the revision's status."""
    if current is None:
        return True
    if current.final:
        return current.status != "archived" and new.attempt > current.attempt
    if new.final:
        return True
    return (new.attempt, RANK[new.status]) >= (current.attempt, RANK[current.status])


def saksnummer(saksaar: int | None, sakssekvensnummer: int | None) -> str | None:
    """The case number as archives show it: ``2026/123``."""
    if saksaar is None or sakssekvensnummer is None:
        return None
    return f"{saksaar}/{sakssekvensnummer}"


#: The sentence a suggested reply gets once the archive gave the case its number, by written standard.
SAKSNUMMER_SENTENCE = {
    "nb": "Saken din er registrert hos oss med saksnummer {saksnummer}. "
          "Oppgi gjerne saksnummeret når du kontakter oss.",
    "nn": "Saka di er registrert hos oss med saksnummer {saksnummer}. "
          "Oppgi gjerne saksnummeret når du kontaktar oss.",
    "en": "Your case has been registered with case number {saksnummer}. Please quote it when you contact us.",
}


def reply_with_saksnummer(reply: str | None, saksnummer: str | None, language: str | None) -> str | None:
    """A suggested reply that names the case's saksnummer (bokmål unless the citizen wrote nynorsk or English)."""
    if not reply or not saksnummer or saksnummer in reply:
        return reply
    sentence = SAKSNUMMER_SENTENCE.get(language or "nb", SAKSNUMMER_SENTENCE["nb"])
    return f"{reply.rstrip()} {sentence.format(saksnummer=saksnummer)}"


#: What staff read about a case's place in the archive (the page and the API's ``detail``).
def archive_detail(status: str, saksnummer: str | None, journalpostnummer: int | None, error_kind: str | None,
                   error_message: str | None, retry: bool) -> str:
    if status == "archived":
        return f"Arkivert som sak {saksnummer}, journalpost {journalpostnummer}"
    if status == "failed":
        reason = f"{error_kind}: {error_message}" if error_message else (error_kind or "ukjent feil")
        return (f"Feil fra arkivet, sendes på nytt ({reason})" if retry
                else f"Arkivet avviste saken ({reason})")
    return {"pending": "Ikke sendt til arkivet ennå", "sent": "Sendt til arkivet, venter på mottak",
            "received": "Mottatt av arkivet, venter på kvittering"}.get(status, status)
