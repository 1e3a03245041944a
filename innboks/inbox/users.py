"""Local users of the inbox: argon2-hashed passwords, a role, and the units whose accounts they see."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import UTC, datetime

import sqlalchemy as sa
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy.engine import Engine

from innboks.store.schema import audit_log, users

ROLES = ("reader", "operator", "admin")
_HASHER = PasswordHasher()


@dataclass(frozen=True)
class User:
    username: str
    role: str
    units: tuple[str, ...]

    def may(self, role: str) -> bool:
        return ROLES.index(self.role) >= ROLES.index(role)


def add_user(engine: Engine, username: str, role: str, password: str, units: tuple[str, ...] = (),
             actor: str = "system:cli") -> None:
    if role not in ROLES:
        raise ValueError(f"role must be one of {', '.join(ROLES)}")
    now = datetime.now(UTC)
    with engine.begin() as connection:
        connection.execute(users.delete().where(users.c.username == username))
        connection.execute(users.insert().values(username=username, role=role, units=list(units),
                                                 password_hash=_HASHER.hash(password), created_at=now))
        audit(connection, actor, "user_set", username, {"role": role, "units": list(units)})


def authenticate(engine: Engine, username: str, password: str) -> User | None:
    with engine.connect() as connection:
        row = connection.execute(sa.select(users).where(users.c.username == username)).first()
    if row is None or row.disabled or not row.password_hash:
        _HASHER.hash(password)  # the same work whether or not the user exists
        return None
    try:
        _HASHER.verify(row.password_hash, password)
    except (VerificationError, InvalidHashError):
        return None
    return User(row.username, row.role, tuple(row.units or ()))


def generated_password() -> str:
    return secrets.token_urlsafe(12)


def audit(connection: sa.Connection, actor: str, action: str, target: str | None, details: dict) -> None:  # type: ignore[type-arg]
    """Append to the audit log (ids and enums only, never message text)."""
    connection.execute(audit_log.insert().values(at=datetime.now(UTC), actor=actor, action=action, target=target,
                                                 details=details))
