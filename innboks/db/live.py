"""What several inbox processes share about conversations as they change: versions, the change
feed and presence.

Production runs more than one inbox process behind a load balancer, so none of this may live in one
process's memory. Every change a reply must not miss (a new message, a reply or hiding requested or
done, an assignment, a note, a close or snooze) raises the conversation's ``version`` and appends a
row to ``changes`` in the same transaction as the change itself. ``claim`` raises it only from the
version the caller last saw (compare-and-set, atomic on SQLite and PostgreSQL alike), which is how
two operators with the same conversation open cannot both answer. ``/api/events`` follows the feed
by its ids; presence (who has a conversation open, who is writing) is a row per user and
conversation that expires unless renewed.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from innboks.db.schema import changes, conversation_versions, presence

#: Changes kept in the feed (older ones are pruned; a page older than this reloads).
KEEP = timedelta(days=1)
#: A presence row not renewed within this is gone (the page renews it every 15 s).
PRESENCE_SECONDS = 40
PRESENCE_STATES = ("viewing", "writing")


class StaleVersion(Exception):
    """The conversation changed since the version the caller saw; ``changes`` says what."""

    def __init__(self, version: int, changed: list[dict[str, Any]]) -> None:
        super().__init__(f"the conversation changed since version {version}")
        self.version = version
        self.changed = changed


@dataclass(frozen=True)
class Change:
    """One change of one conversation, for the feed."""

    key: str
    account_id: str
    kind: str
    actor: str | None = None
    inquiry_id: str | None = None
    details: Mapping[str, Any] | None = None


def version_of(connection: sa.Connection, key: str) -> int:
    """The conversation's version now (0 before its first recorded change)."""
    value = connection.execute(sa.select(conversation_versions.c.version)
                               .where(conversation_versions.c.conversation_key == key)).scalar()
    return int(value or 0)


def versions_of(connection: sa.Connection, keys: Sequence[str]) -> dict[str, int]:
    rows = connection.execute(sa.select(conversation_versions.c.conversation_key, conversation_versions.c.version)
                              .where(conversation_versions.c.conversation_key.in_(list(keys)))).all()
    found = {row.conversation_key: int(row.version) for row in rows}
    return {key: found.get(key, 0) for key in keys}


#: ``connection.info`` key of a batch's buffered changes (``buffered``).
BUFFER = "innboks.live.buffer"


@contextmanager
def buffered(connection: sa.Connection) -> Iterator[list[tuple[Change, bool, datetime]]]:
    """Collect the ``record`` calls of a batch and write them at its end, in a few statements.

    The projection records a change for nearly every record it applies; written one by one that is
    several round trips per record. Buffered, a batch costs one upsert per conversation it touched
    and one multi-row insert into the feed, in the same transaction as its rows. A caller that rolls
    back part of the batch (a savepoint) cuts the buffer back to where it was (``len`` before).
    """
    buffer: list[tuple[Change, bool, datetime]] = []
    connection.info[BUFFER] = buffer
    try:
        yield buffer
        _flush(connection, buffer)
    finally:
        connection.info.pop(BUFFER, None)


def _flush(connection: sa.Connection, buffer: list[tuple[Change, bool, datetime]]) -> None:
    if not buffer:
        return
    raised: dict[str, int] = {}
    for change, bump, _at in buffer:
        if bump:
            raised[change.key] = raised.get(change.key, 0) + 1
    versions: dict[str, int] = {}
    if raised:
        # One multi-row upsert for the whole batch: each conversation raised by its count of changes.
        now = max(at for _change, _bump, at in buffer)
        insert = _insert(connection).values([{"conversation_key": key, "version": count, "updated_at": now}
                                              for key, count in raised.items()])
        upsert = insert.on_conflict_do_update(
            index_elements=[conversation_versions.c.conversation_key],
            set_={"version": conversation_versions.c.version + insert.excluded.version, "updated_at": now},
        ).returning(conversation_versions.c.conversation_key, conversation_versions.c.version)
        for key, last in connection.execute(upsert).all():
            versions[key] = int(last) - raised[key]
    rows = []
    for change, bump, at in buffer:
        version = None
        if bump:
            versions[change.key] += 1
            version = versions[change.key]
        rows.append({"at": at, "conversation_key": change.key, "account_id": change.account_id,
                     "inquiry_id": change.inquiry_id, "kind": change.kind, "actor": change.actor,
                     "version": version, "details": dict(change.details or {})})
    connection.execute(changes.insert(), rows)


def record(connection: sa.Connection, change: Change, *, bump: bool = True, now: datetime | None = None) -> int | None:
    """Append ``change`` to the feed (raising the conversation's version when ``bump``); the new version
    (None while ``buffered``: it is known when the batch is written)."""
    now = now or datetime.now(UTC)
    buffer = connection.info.get(BUFFER)
    if buffer is not None:
        buffer.append((change, bump, now))
        return None
    version: int | None = None
    if bump:
        # One statement (the projection does this for every record): insert at 1, or raise by one.
        insert = _insert(connection).values(conversation_key=change.key, version=1, updated_at=now)
        version = int(connection.execute(insert.on_conflict_do_update(
            index_elements=[conversation_versions.c.conversation_key],
            set_={"version": conversation_versions.c.version + 1, "updated_at": now},
        ).returning(conversation_versions.c.version)).scalar_one())
    _append(connection, change, version, now)
    return version


def claim(connection: sa.Connection, change: Change, seen: int, now: datetime | None = None) -> int:
    """Record ``change`` only if the conversation is still at version ``seen``; the new version.

    Raises ``StaleVersion`` with what changed since when it is not: then nothing is recorded, and
    the caller must not act (nothing is sent). One ``UPDATE … WHERE version = seen`` decides, so of
    two claims from the same version exactly one wins, on SQLite and PostgreSQL alike.
    """
    now = now or datetime.now(UTC)
    _ensure(connection, change.key, now)
    won = connection.execute(conversation_versions.update()
                             .where(conversation_versions.c.conversation_key == change.key,
                                    conversation_versions.c.version == seen)
                             .values(version=seen + 1, updated_at=now)).rowcount
    if not won:
        raise StaleVersion(seen, changed_since(connection, change.key, seen))
    _append(connection, change, seen + 1, now)
    return seen + 1


def _insert(connection: sa.Connection) -> Any:
    """An INSERT into ``conversation_versions`` that can say what to do ON CONFLICT (both dialects have it)."""
    return (postgresql.insert if connection.dialect.name == "postgresql" else sqlite.insert)(conversation_versions)


def _ensure(connection: sa.Connection, key: str, now: datetime) -> None:
    """The conversation's version row, at 0 if it had none (one statement: safe when two writers race)."""
    connection.execute(_insert(connection).values(conversation_key=key, version=0, updated_at=now)
                       .on_conflict_do_nothing())


def changed_since(connection: sa.Connection, key: str, seen: int) -> list[dict[str, Any]]:
    """The version changes of a conversation after version ``seen``, oldest first."""
    rows = connection.execute(sa.select(changes).where(changes.c.conversation_key == key,
                                                       changes.c.version > seen)
                              .order_by(changes.c.id)).all()
    return [change_of(row) for row in rows]


def _append(connection: sa.Connection, change: Change, version: int | None, now: datetime) -> None:
    connection.execute(changes.insert().values(
        at=now, conversation_key=change.key, account_id=change.account_id, inquiry_id=change.inquiry_id,
        kind=change.kind, actor=change.actor, version=version, details=dict(change.details or {})))


def change_of(row: Any) -> dict[str, Any]:
    return {"id": row.id, "at": row.at.isoformat(), "conversation_key": row.conversation_key,
            "account_id": row.account_id, "inquiry_id": row.inquiry_id, "kind": row.kind, "actor": row.actor,
            "version": row.version, **dict(row.details or {})}


def feed(connection: sa.Connection, after: int, limit: int = 500) -> list[dict[str, Any]]:
    """The feed after position ``after``, oldest first."""
    rows = connection.execute(sa.select(changes).where(changes.c.id > after).order_by(changes.c.id)
                              .limit(limit)).all()
    return [change_of(row) for row in rows]


def feed_end(connection: sa.Connection) -> int:
    """The feed's newest position (0 when empty)."""
    return int(connection.execute(sa.select(sa.func.max(changes.c.id))).scalar() or 0)


def prune(connection: sa.Connection, now: datetime | None = None) -> int:
    """Drop feed rows older than ``KEEP`` and presence that expired; how many feed rows went."""
    now = now or datetime.now(UTC)
    gone = connection.execute(changes.delete().where(changes.c.at < now - KEEP)).rowcount
    connection.execute(presence.delete().where(presence.c.expires_at < now - timedelta(minutes=10)))
    return int(gone or 0)


def set_presence(connection: sa.Connection, key: str, account_id: str, username: str, state: str | None,
                 now: datetime | None = None) -> bool:
    """Renew (or with ``state`` None end) a user's presence in a conversation; whether others should hear.

    A renewal in the same state is silent; a new state, a return after expiry or leaving is a
    ``presence`` change in the feed (not a version change: nobody's reply is stale for it).
    """
    now = now or datetime.now(UTC)
    current = connection.execute(sa.select(presence.c.state, presence.c.expires_at).where(
        presence.c.conversation_key == key, presence.c.username == username)).first()
    live = current is not None and current.expires_at >= now
    if state is None:
        connection.execute(presence.delete().where(presence.c.conversation_key == key,
                                                   presence.c.username == username))
        changed = live
    else:
        expires = now + timedelta(seconds=PRESENCE_SECONDS)
        if current is None:
            connection.execute(presence.insert().values(conversation_key=key, username=username,
                                                        account_id=account_id, state=state, expires_at=expires))
        else:
            connection.execute(presence.update().where(presence.c.conversation_key == key,
                                                       presence.c.username == username)
                               .values(state=state, expires_at=expires))
        changed = not live or current is None or current.state != state
    if changed:
        _append(connection, Change(key, account_id, "presence", username, details={"state": state or "left"}),
                None, now)
    return changed


def present(connection: sa.Connection, key: str, now: datetime | None = None) -> list[dict[str, str]]:
    """Who has the conversation open now, and whether they are writing."""
    now = now or datetime.now(UTC)
    rows = connection.execute(sa.select(presence.c.username, presence.c.state)
                              .where(presence.c.conversation_key == key, presence.c.expires_at >= now)
                              .order_by(presence.c.username)).all()
    return [{"username": row.username, "state": row.state} for row in rows]
