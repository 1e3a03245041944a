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
