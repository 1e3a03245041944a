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
from innboks.db.live import Change
from innboks.db.schema import assignments, inquiries, messages, triage_corrections
from innboks.inbox.versions import claim_or_record
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


class TakeOver(HttpError):
    """409: the inquiry is someone else's; taking it over must be asked for (``takeover``)."""

    def __init__(self, assignee: str) -> None:
        super().__init__(409, f"this inquiry is assigned to {assignee}: take it over only if you mean to")
        self.assignee = assignee


def assign(engine: Engine, inquiry_id: str, assignee: str, user: User, units_of_accounts: Mapping[str, str],
           version: int | None = None, takeover: bool = False) -> tuple[str, int | None]:
    """Assign the inquiry's conversation to a person or unit ("" unassigns); its key and new version.

    Taking an inquiry from a colleague (assigned to someone else, now to me) needs ``takeover``, and
    is audited as such; with ``version``, the conversation must not have changed since (409).
    """
    with engine.begin() as connection:
        row = _visible(connection, inquiries, inquiries.c.inquiry_id == inquiry_id, user, units_of_accounts,
                       "inquiry")
        key = row.conversation_key
        current = connection.execute(sa.select(assignments.c.assignee)
                                     .where(assignments.c.conversation_key == key)).scalar()
        taking = bool(current) and current not in (user.username, assignee) and assignee == user.username
        new_version = claim_or_record(connection, Change(key, row.account_id, "assignment", user.username, inquiry_id,
                                                         {"assignee": assignee or None, "previous": current}),
                                      version)
        if taking and not takeover:
            raise TakeOver(str(current))  # the transaction, and so the claim, is rolled back
        connection.execute(assignments.delete().where(assignments.c.conversation_key == key))
        if assignee:
            connection.execute(assignments.insert().values(conversation_key=key, assignee=assignee,
                                                           assigned_by=user.username, assigned_at=datetime.now(UTC)))
        audit(connection, user.username, "take_over" if taking else "assign", key,
              {"inquiry_id": inquiry_id, "assignee": assignee or None, "previous": current})
    return key, new_version


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
