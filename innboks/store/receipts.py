"""Projecting ``innboks.archive-receipts`` into the store: what became of each case in the archive.

Kept apart from ``projection.py`` (one hook there dispatches the topic here). Every event is stored
once (``archive_events``, by ``event_id``); ``case_archive`` holds the latest word per case revision
by the rule the Fiks sender acts on (innboks/domain/archive_status.py), so a late or repeated
receipt never moves a case back.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from innboks.db.schema import archive_events, case_archive
from innboks.domain.archive_status import Position, supersedes
from schemas import ArchiveReceipt


def apply_archive_receipt_json(connection: Connection, value: bytes) -> None:
    """The projection's hook (raises pydantic's ``ValidationError`` for a record that is not an ArchiveReceipt)."""
    apply_archive_receipt(connection, ArchiveReceipt.model_validate_json(value))


def apply_archive_receipt(connection: Connection, event: ArchiveReceipt) -> None:
    if connection.execute(sa.select(archive_events.c.event_id).where(
            archive_events.c.event_id == event.event_id)).first():
        return
    connection.execute(archive_events.insert().values(
        event_id=event.event_id, case_id=event.case_id, revision=event.revision, status=event.status.value,
        at=event.at, event=event.model_dump(mode="json")))
    current = connection.execute(sa.select(case_archive.c.status, case_archive.c.attempt, case_archive.c.final).where(
        case_archive.c.case_id == event.case_id, case_archive.c.revision == event.revision)).first()
    new = Position(event.status.value, event.attempt, event.final)
    if current is not None and not supersedes(new, Position(current.status, current.attempt, current.final)):
        return
    row = {"conversation_key": event.conversation_key, "status": event.status.value, "attempt": event.attempt,
           "final": event.final, "error_kind": event.error.kind if event.error else None,
           "error_message": event.error.message if event.error else None, "retry": event.retry,
           "next_attempt_at": event.next_attempt_at, "updated_at": event.at}
    if event.status.value == "archived":
        row.update(saksaar=event.saksaar, sakssekvensnummer=event.sakssekvensnummer, journalaar=event.journalaar,
                   journalsekvensnummer=event.journalsekvensnummer, journalpostnummer=event.journalpostnummer)
    if current is None:
        connection.execute(case_archive.insert().values(case_id=event.case_id, revision=event.revision, **row))
    else:
        connection.execute(case_archive.update().where(case_archive.c.case_id == event.case_id,
                                                       case_archive.c.revision == event.revision).values(**row))
