"""What the store knows of the control topic: whether crisis mode is on, since when, why and by whom."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from innboks.db.schema import control_state
from schemas import CRISIS_KEY


def crisis(engine: Engine) -> dict[str, Any] | None:
    """Crisis mode as the control topic last said, or None if it was never switched."""
    with engine.connect() as connection:
        row = connection.execute(sa.select(control_state).where(control_state.c.key == CRISIS_KEY)).first()
    if row is None:
        return None
    return {"active": row.active, "reason": row.reason, "set_by": row.set_by, "at": row.at.isoformat()}
