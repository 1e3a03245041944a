"""The platform's original item of each revision: ``innboks.raw`` into ``message_revisions.raw_payload``.

The projection reads ``innboks.raw`` beside the normalised topics. A raw item is mapped with the
same pure mapping the worker's normalize stage uses (``connectors.mapping``), which names the
message and gives the content digest of the revision the item became. If that revision is stored,
the item fills its ``raw_payload`` (only when still empty: the first item seen for a revision is
kept, nothing is overwritten); if not yet (the topics are read in no particular order), the item
waits in ``pending_raw_payloads`` until the revision arrives and takes it.

What is kept is the ``RawEvent`` as on the topic: the platform's JSON (``payload``) untouched, with
the connector's ``context``, ``resource``, ``source`` and ``fetched_at``. Items that are not messages
(likes, read receipts) and items the mapping rejects are skipped here: the normalize stage already
counts them or sends them to ``innboks.deadletter``.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from pydantic import ValidationError
from sqlalchemy.engine import Connection

from connectors.errors import IgnoredItem, MappingError
from connectors.mapping import normalize
from innboks.db.schema import message_revisions, pending_raw_payloads
from schemas import InboxMessage, RawEvent


def mapped_raw(value: bytes) -> tuple[InboxMessage, dict[str, Any]] | None:
    """The message a raw record becomes and the record as JSON, or None if it is not a message."""
    try:
        raw = RawEvent.model_validate_json(value)
        return normalize(raw), raw.model_dump(mode="json")
    except (ValidationError, MappingError, IgnoredItem):
        return None


def attach_raw(connection: Connection, message: InboxMessage, digest: str, raw: dict[str, Any]) -> None:
    """Give the revision with this digest its raw item, or keep the item until the revision comes."""
    revision = connection.execute(
        sa.select(message_revisions.c.revision, message_revisions.c.raw_payload.is_(None).label("empty"))
        .where(message_revisions.c.message_id == message.id, message_revisions.c.content_sha256 == digest)
    ).first()
    if revision is not None:
        if revision.empty:
            connection.execute(message_revisions.update().where(
                message_revisions.c.message_id == message.id, message_revisions.c.revision == revision.revision,
            ).values(raw_payload=raw))
        return
    pending = connection.execute(sa.select(pending_raw_payloads.c.message_id).where(
        pending_raw_payloads.c.message_id == message.id, pending_raw_payloads.c.content_sha256 == digest)).first()
    if pending is None:
        connection.execute(pending_raw_payloads.insert().values(
            message_id=message.id, content_sha256=digest, account_id=message.account_id, raw_payload=raw,
            received_at=message.fetched_at))


def take_pending_raw(connection: Connection, message_id: str, digest: str) -> dict[str, Any] | None:
    """The raw item waiting for a new revision (removed from the waiting room), or None."""
    where = (pending_raw_payloads.c.message_id == message_id, pending_raw_payloads.c.content_sha256 == digest)
    raw = connection.execute(sa.select(pending_raw_payloads.c.raw_payload).where(*where)).scalar()
    if raw is not None:
        connection.execute(pending_raw_payloads.delete().where(*where))
    return raw
