"""Staff corrections of triage as a labelled corpus (the format of docs/triage-labelling.md).

Each corrected message becomes one line: the category and moderation as staff last corrected them;
language, personal-data kinds and escalation reasons as triage decided (staff did not dispute them).
The lines hold message text: the export is personal data and is handled like the store itself.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from innboks.db.schema import messages, triage_corrections

#: Escalation reasons that come from the situation, not from the text: never a text label.
NOT_TEXT_REASONS = {"crisis", "spike"}


def corrections_corpus(engine: Engine, since: datetime | None = None) -> Iterator[dict[str, Any]]:
    """One labelled line per corrected message (its latest correction), oldest correction first."""
    latest = (sa.select(triage_corrections.c.message_id, sa.func.max(triage_corrections.c.id).label("id"))
              .group_by(triage_corrections.c.message_id).subquery())
    query = (sa.select(triage_corrections, messages.c.text, messages.c.platform, messages.c.category.label("triaged"),
                       messages.c.language, messages.c.pii, messages.c.escalation_reasons)
             .join(latest, latest.c.id == triage_corrections.c.id)
             .join(messages, messages.c.id == triage_corrections.c.message_id)
             .order_by(triage_corrections.c.id))
    if since is not None:
        query = query.where(triage_corrections.c.corrected_at >= since)
    with engine.connect() as connection:
        for row in connection.execute(query):
            category = row.category or row.triaged
            if not row.text or not category:
                continue  # nothing to learn from: no text (deleted before it was seen) or no category at all
            yield {
                "id": row.message_id, "text": row.text, "category": category, "language": row.language or "und",
                "pii": sorted({finding["type"] for finding in row.pii or []}),
                "moderation": sorted(row.moderation or []),
                "escalate": sorted(set(row.escalation_reasons or []) - NOT_TEXT_REASONS),
                "platform": row.platform, "corrected_by": row.corrected_by,
                "corrected_at": row.corrected_at.isoformat(),
            }
