"""Staff users: roles, the units whose accounts they see, local passwords (argon2) and OIDC identities."""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime

import sqlalchemy as sa
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy.engine import Engine

from innboks.db.audit import audit
from innboks.db.schema import staff_sessions, users

ROLES = ("reader", "operator", "admin")
_HASHER = PasswordHasher()
#: Verified against when a user does not exist, so both answers take the same time.
_DUMMY_HASH = _HASHER.hash(secrets.token_urlsafe(16))


@dataclass(frozen=True)
class User:
    username: str
    role: str
    units: tuple[str, ...] = ()
    display_name: str | None = None

    def may(self, role: str) -> bool:
        return ROLES.index(self.role) >= ROLES.index(role)

    def sees(self, account_id: str, units_of_accounts: Mapping[str, str]) -> bool:
        """Whether the user may see an account: no unit limit, or the account's owning unit is theirs."""
        return not self.units or units_of_accounts.get(account_id) in self.units


def add_user(engine: Engine, username: str, role: str, password: str, units: tuple[str, ...] = (),
             actor: str = "system:cli", display_name: str | None = None) -> None:
    """Create or replace a local user; replacing one (a new password) ends their sessions."""
    if role not in ROLES:
        raise ValueError(f"role must be one of {', '.join(ROLES)}")
    with engine.begin() as connection:
        connection.execute(users.delete().where(users.c.username == username))
        connection.execute(staff_sessions.delete().where(staff_sessions.c.username == username))
        connection.execute(users.insert().values(username=username, role=role, units=list(units),
                                                 display_name=display_name, password_hash=_HASHER.hash(password),
                                                 created_at=datetime.now(UTC)))
        audit(connection, actor, "user_set", username, {"role": role, "units": list(units)})


def authenticate(engine: Engine, username: str, password: str) -> User | None:
    """The local user with this password, or None (unknown, disabled, OIDC-only or wrong password)."""
    with engine.connect() as connection:
        row = connection.execute(sa.select(users).where(users.c.username == username)).first()
    if row is None or row.disabled or not row.password_hash:
        try:
            _HASHER.verify(_DUMMY_HASH, password)
        except VerificationError:
            pass
        return None
    try:
        _HASHER.verify(row.password_hash, password)
    except (VerificationError, InvalidHashError):
        return None
    return User(row.username, row.role, tuple(row.units or ()), row.display_name)


def oidc_user(engine: Engine, subject: str, username: str, display_name: str | None, role: str,
              units: tuple[str, ...]) -> User | None:
    """Record an OIDC sign-in (role and units as the identity provider says now); None if disabled here."""
    now = datetime.now(UTC)
    with engine.begin() as connection:
        row = connection.execute(sa.select(users).where(users.c.oidc_subject == subject)).first()
        if row is not None and row.disabled:
            return None
        if row is None:
            taken = connection.execute(sa.select(users.c.username).where(users.c.username == username)).first()
            if taken is not None:
                username = f"{username}#{subject[:8]}"  # a local user of that name exists: keep both apart
            connection.execute(users.insert().values(username=username, role=role, units=list(units),
                                                     display_name=display_name, oidc_subject=subject, created_at=now))
        else:
            username = row.username
            connection.execute(users.update().where(users.c.oidc_subject == subject).values(
                role=role, units=list(units), display_name=display_name))
    return User(username, role, units, display_name)


def local_user(engine: Engine, username: str) -> tuple[User, str] | None:
    """An enabled local user and their password hash (what a remembered password check is valid for), or None."""
    with engine.connect() as connection:
        row = connection.execute(sa.select(users).where(users.c.username == username)).first()
    if row is None or row.disabled or not row.password_hash:
        return None
    return User(row.username, row.role, tuple(row.units or ()), row.display_name), row.password_hash


def user_by_name(engine: Engine, username: str) -> User | None:
    with engine.connect() as connection:
        row = connection.execute(sa.select(users).where(users.c.username == username)).first()
    if row is None or row.disabled:
        return None
    return User(row.username, row.role, tuple(row.units or ()), row.display_name)


def generated_password() -> str:
    return secrets.token_urlsafe(12)
