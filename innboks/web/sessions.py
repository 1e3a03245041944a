"""Signed-in sessions of the staff web, kept in the store so that they can be ended.

The session cookie (signed by Starlette's ``SessionMiddleware``) carries a random session id; the
store keeps only its SHA-256, the user and when it expires. Every request looks the id up together
with the user, so

- signing out deletes the session: a saved copy of the cookie is refused afterwards;
- ``innboks users revoke NAME`` (and ``users disable``) deletes all of a user's sessions;
- a disabled user is out at the next request;

in every inbox process at once (production runs several behind one load balancer), since the store
is what they share. A stolen database row is no session: the cookie's id is not stored.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from innboks.db.schema import staff_sessions, users
from innboks.web.users import User


def _digest(session_id: str) -> str:
    return hashlib.sha256(session_id.encode()).hexdigest()


def start_session(engine: Engine, username: str, hours: float) -> str:
    """A new session for ``username``, valid ``hours``; the id for the cookie. Expired sessions go."""
    session_id = secrets.token_urlsafe(32)
    now = datetime.now(UTC)
    with engine.begin() as connection:
        connection.execute(staff_sessions.delete().where(staff_sessions.c.expires_at <= now))
        connection.execute(staff_sessions.insert().values(id_sha256=_digest(session_id), username=username,
                                                          created_at=now, expires_at=now + timedelta(hours=hours)))
    return session_id


def session_user(engine: Engine, session_id: str) -> User | None:
    """The user of a live session (not expired, not ended, user not disabled), or None."""
    query = (sa.select(users.c.username, users.c.role, users.c.units, users.c.display_name)
             .select_from(staff_sessions.join(users, users.c.username == staff_sessions.c.username))
             .where(staff_sessions.c.id_sha256 == _digest(session_id),
                    staff_sessions.c.expires_at > datetime.now(UTC), users.c.disabled.is_(False)))
    with engine.connect() as connection:
        row = connection.execute(query).first()
    return User(row.username, row.role, tuple(row.units or ()), row.display_name) if row is not None else None


def end_session(engine: Engine, session_id: str) -> None:
    with engine.begin() as connection:
        connection.execute(staff_sessions.delete().where(staff_sessions.c.id_sha256 == _digest(session_id)))


def revoke_sessions(connection: Connection, username: str) -> int:
    """End every session of ``username`` (in the caller's transaction); how many there were."""
    return connection.execute(staff_sessions.delete().where(staff_sessions.c.username == username)).rowcount or 0
