"""Working the queue: closing an inquiry without a reply, snoozing it, internal notes, bulk actions.

Close and snooze change the SLA clock, which the stream worker owns: the inbox records the request
(version-checked, audited), then sends a command keyed by the conversation to
``innboks.sla-ticks``, the topic the clock's owner already reads for its timer. The clock emits
``closed`` or ``snoozed`` on ``innboks.sla``, so the reports and the inbox agree with the clock.
Notes are staff data: kept in the store, never sent to a platform.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from innboks.config import topics
from innboks.db.audit import audit
from innboks.db.live import Change, present, record, set_presence
from innboks.db.schema import OPEN_STATES, inquiries, messages, notes
from innboks.inbox.versions import claim_or_record
from innboks.web.context import Publisher
from innboks.web.errors import HttpError, NotFound
from innboks.web.users import User
from schemas import CloseReason, SlaTick

MAX_NOTE = 4000
#: How far ahead a snooze may reach.
MAX_SNOOZE = timedelta(days=90)


def _open_inquiry(connection: sa.Connection, inquiry_id: str, user: User,
                  units_of_accounts: Mapping[str, str]) -> Any:
    row = connection.execute(sa.select(inquiries.c.inquiry_id, inquiries.c.conversation_key,
                                       inquiries.c.account_id, inquiries.c.state)
                             .where(inquiries.c.inquiry_id == inquiry_id)).first()
    if row is None or not user.sees(row.account_id, units_of_accounts):
        raise NotFound("no such inquiry")
    if row.state not in (*OPEN_STATES, "snoozed"):
        raise HttpError(409, f"this inquiry is {row.state}: nothing to close or snooze")
    return row


def close(engine: Engine, publisher: Publisher, inquiry_id: str, reason: CloseReason, user: User,
          units_of_accounts: Mapping[str, str], version: int | None = None) -> tuple[SlaTick, int | None]:
    """Ask the clock to close the inquiry without a reply; the command sent and the conversation's new version."""
    with engine.begin() as connection:
        row = _open_inquiry(connection, inquiry_id, user, units_of_accounts)
        new_version = claim_or_record(connection, Change(row.conversation_key, row.account_id, "close", user.username,
                                                         inquiry_id, {"reason": reason.value}), version)
        audit(connection, user.username, "close", inquiry_id,
              {"conversation_key": row.conversation_key, "reason": reason.value})
    command = SlaTick(conversation_key=row.conversation_key, reason="close", sent_at=datetime.now(UTC),
                      inquiry_id=inquiry_id, close_reason=reason, requested_by=user.username)
    publisher.send(topics.SLA_TICKS, command.to_json_bytes(), key=row.conversation_key.encode())
    return command, new_version


def snooze(engine: Engine, publisher: Publisher, inquiry_id: str, until: datetime | None, user: User,
           units_of_accounts: Mapping[str, str], version: int | None = None) -> tuple[SlaTick, int | None]:
    """Ask the clock to snooze the inquiry until ``until`` (None: until the citizen writes again)."""
    now = datetime.now(UTC)
    if until is not None and not now < until <= now + MAX_SNOOZE:
        raise HttpError(422, "until must be in the future, at most 90 days ahead")
    with engine.begin() as connection:
        row = _open_inquiry(connection, inquiry_id, user, units_of_accounts)
        details = {"until": until.isoformat() if until else None}
        new_version = claim_or_record(connection, Change(row.conversation_key, row.account_id, "snooze", user.username,
                                                         inquiry_id, details), version)
        audit(connection, user.username, "snooze", inquiry_id, {"conversation_key": row.conversation_key, **details})
    command = SlaTick(conversation_key=row.conversation_key, reason="snooze", sent_at=now, inquiry_id=inquiry_id,
                      until=until, requested_by=user.username)
    publisher.send(topics.SLA_TICKS, command.to_json_bytes(), key=row.conversation_key.encode())
    return command, new_version


def add_note(engine: Engine, key: str, text: str, user: User,
             units_of_accounts: Mapping[str, str]) -> dict[str, Any]:
    """An internal note in a conversation (audited without its text; never sent anywhere)."""
    text = text.strip()
    if not text or len(text) > MAX_NOTE:
        raise HttpError(422, f"text must be 1 to {MAX_NOTE} characters")
    now = datetime.now(UTC)
    with engine.begin() as connection:
        account = connection.execute(sa.select(messages.c.account_id)
                                     .where(messages.c.conversation_key == key).limit(1)).scalar()
        if account is None or not user.sees(account, units_of_accounts):
            raise NotFound("no such conversation")
        inserted = connection.execute(notes.insert().values(conversation_key=key, account_id=account, text=text,
                                                            author=user.username, created_at=now))
        note_id = inserted.inserted_primary_key[0]  # type: ignore[index]
        version = record(connection, Change(key, account, "note", user.username, None, {"note_id": note_id}))
        audit(connection, user.username, "add_note", key, {"note_id": note_id})
    return {"id": note_id, "conversation_key": key, "text": text, "author": user.username,
            "created_at": now.isoformat(), "internal": True, "version": str(version)}


def pending_message(engine: Engine, inquiry_id: str, user: User, units_of_accounts: Mapping[str, str]) -> str:
    """The message an inquiry waits on (what a bulk hide hides)."""
    with engine.connect() as connection:
        row = connection.execute(sa.select(inquiries.c.message_id, inquiries.c.account_id)
                                 .where(inquiries.c.inquiry_id == inquiry_id)).first()
    if row is None or not user.sees(row.account_id, units_of_accounts):
        raise NotFound("no such inquiry")
    return str(row.message_id)


def presence(engine: Engine, key: str, user: User, units_of_accounts: Mapping[str, str],
             state: str | None) -> list[dict[str, str]]:
    """Renew (or end, ``state`` None) the user's presence in a conversation; who else has it open."""
    with engine.begin() as connection:
        account = connection.execute(sa.select(messages.c.account_id)
                                     .where(messages.c.conversation_key == key).limit(1)).scalar()
        if account is None or not user.sees(account, units_of_accounts):
            raise NotFound("no such conversation")
        set_presence(connection, key, account, user.username, state)
        return [p for p in present(connection, key) if p["username"] != user.username]
