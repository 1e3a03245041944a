"""What staff change from the inbox, each attributed and audited in the same transaction.

Assignments and triage corrections are staff data in the store. Switching crisis mode is an event on
``innboks.control`` (the worker acts on it; the store learns it back through the projection).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from innboks.config import topics
from innboks.db.audit import audit
from innboks.db.schema import assignments, inquiries, messages, triage_corrections
from innboks.web.context import Publisher
from innboks.web.errors import HttpError, NotFound
from innboks.web.users import User
from schemas import CRISIS_KEY, Category, ControlEvent, ModerationReason


def _visible(connection: sa.Connection, table: sa.Table, where: sa.ColumnElement[bool], user: User,
             units_of_accounts: Mapping[str, str], what: str) -> sa.Row[tuple[str, str]]:
    row = connection.execute(sa.select(table.c.conversation_key, table.c.account_id).where(where)).first()
    if row is None or not user.sees(row.account_id, units_of_accounts):
        raise NotFound(f"no such {what}")
    return row


def assign(engine: Engine, inquiry_id: str, assignee: str, user: User,
           units_of_accounts: Mapping[str, str]) -> str:
    """Assign the inquiry's conversation to a person or unit ("" unassigns); its conversation key."""
    with engine.begin() as connection:
        key = _visible(connection, inquiries, inquiries.c.inquiry_id == inquiry_id, user, units_of_accounts,
                       "inquiry").conversation_key
        connection.execute(assignments.delete().where(assignments.c.conversation_key == key))
        if assignee:
            connection.execute(assignments.insert().values(conversation_key=key, assignee=assignee,
                                                           assigned_by=user.username, assigned_at=datetime.now(UTC)))
        audit(connection, user.username, "assign", key, {"inquiry_id": inquiry_id, "assignee": assignee or None})
    return key


def correct_triage(engine: Engine, message_id: str, category: Category | None, moderation: list[ModerationReason],
                   user: User, units_of_accounts: Mapping[str, str]) -> None:
    """Store a staff correction of a message's triage (labelled data for ``innboks triage export-corrections``)."""
    with engine.begin() as connection:
        row = _visible(connection, messages, messages.c.id == message_id, user, units_of_accounts, "message")
        if connection.execute(sa.select(messages.c.from_account).where(messages.c.id == message_id)).scalar():
            raise HttpError(422, "our own messages are not triaged")
        values = {"category": category.value if category else None, "moderation": [m.value for m in moderation]}
        connection.execute(triage_corrections.insert().values(
            message_id=message_id, corrected_by=user.username, corrected_at=datetime.now(UTC), **values))
        audit(connection, user.username, "correct_triage", message_id,
              {"conversation_key": row.conversation_key, **values})


def switch_crisis(engine: Engine, publisher: Publisher, active: bool, reason: str, user: User) -> ControlEvent:
    """Crisis mode on or off through ``innboks.control``; audited once the broker has the event."""
    event = ControlEvent(active=active, reason=reason, set_by=user.username, at=datetime.now(UTC))
    publisher.send(topics.CONTROL, event.to_json_bytes(), key=CRISIS_KEY.encode())
    with engine.begin() as connection:
        audit(connection, user.username, "crisis_on" if active else "crisis_off", CRISIS_KEY, {"reason": reason})
    return event
