"""The audit log: who did what, when (append-only; the database refuses UPDATE and DELETE)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa

from innboks.db.schema import audit_log


def audit(connection: sa.Connection, actor: str, action: str, target: str | None, details: dict[str, Any]) -> None:
    """Append one entry, in the caller's transaction. Ids and enums only, never message text."""
    connection.execute(audit_log.insert().values(at=datetime.now(UTC), actor=actor, action=action, target=target,
                                                 details=details))
