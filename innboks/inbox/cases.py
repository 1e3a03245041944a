"""Forwarded cases and their place in the archive system, read from the store (``GET /api/cases``).

The ``archive`` object (DESIGN.md): ``status`` (``pending``, ``sent``, ``received``, ``archived``,
``failed``), ``saksnummer``, ``journalpostnummer``, ``detail`` (what staff read: "Arkivert som sak
2026/123, journalpost 4" or the archive's error), ``updated_at``: the case's revision 0 as the
store projects ``innboks.archive-receipts`` (innboks/store/receipts.py). A case with no event yet is
``pending``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from innboks.db.schema import case_archive, cases
from innboks.domain.archive_status import archive_detail, saksnummer
from innboks.web.users import User

MAX_CASES = 1000


def archive_object(row: Any | None) -> dict[str, Any]:
    if row is None:
        return {"status": "pending", "saksnummer": None, "journalpostnummer": None,
                "detail": archive_detail("pending", None, None, None, None, False), "updated_at": None}
    number = saksnummer(row.saksaar, row.sakssekvensnummer)
    return {"status": row.status, "saksnummer": number, "journalpostnummer": row.journalpostnummer,
            "detail": archive_detail(row.status, number, row.journalpostnummer, row.error_kind, row.error_message,
                                     row.retry),
            "updated_at": row.updated_at.isoformat()}


def archive_rows(connection: Connection, case_ids: Iterable[str]) -> dict[tuple[str, int], Any]:
    """Every revision's place in the archive, for ``case_ids``."""
    ids = list(set(case_ids))
    if not ids:
        return {}
    rows = connection.execute(sa.select(case_archive).where(case_archive.c.case_id.in_(ids))).all()
    return {(row.case_id, row.revision): row for row in rows}


def saksnummer_by_inquiry(connection: Connection, inquiry_ids: Iterable[str]) -> dict[str, str]:
    """The saksnummer the archive gave each inquiry's case, where it has."""
    ids = list(set(inquiry_ids))
    if not ids:
        return {}
    rows = connection.execute(
        sa.select(cases.c.inquiry_message_id, case_archive.c.saksaar, case_archive.c.sakssekvensnummer)
        .join(case_archive, sa.and_(case_archive.c.case_id == cases.c.case_id, case_archive.c.revision == 0))
        .where(cases.c.revision == 0, cases.c.inquiry_message_id.in_(ids), case_archive.c.status == "archived")).all()
    return {row.inquiry_message_id: number for row in rows
            if (number := saksnummer(row.saksaar, row.sakssekvensnummer))}


def list_cases(engine: Engine, user: User, units_of_accounts: Mapping[str, str],
               limit: int = MAX_CASES) -> tuple[list[dict[str, Any]], int]:
    """Forwarded cases the user may see, newest first, each with its ``archive`` object."""
    with engine.connect() as connection:
        rows = connection.execute(sa.select(cases.c.case_id, cases.c.conversation_key, cases.c.inquiry_message_id,
                                            cases.c.forwarded_at, cases.c.screened, cases.c.case)
                                  .where(cases.c.revision == 0)
                                  .order_by(cases.c.forwarded_at.desc(), cases.c.case_id)).all()
        visible = [row for row in rows if user.sees(row.case["inquiry"]["account_id"], units_of_accounts)]
        archive = archive_rows(connection, [row.case_id for row in visible[:limit]])
    revisions: dict[str, list[dict[str, Any]]] = {}
    for (case_id, revision), row in sorted(archive.items()):
        revisions.setdefault(case_id, []).append({"revision": revision, **archive_object(row)})
    return [{
        "case_id": row.case_id, "conversation_key": row.conversation_key, "inquiry_id": row.inquiry_message_id,
        "forwarded_at": row.forwarded_at.isoformat(), "screened": row.screened,
        "archive": archive_object(archive.get((row.case_id, 0))),
        # Beyond the contract: the platform and account, and each revision's own place in the archive.
        "platform": row.case["inquiry"]["platform"], "account_id": row.case["inquiry"]["account_id"],
        "revisions": revisions.get(row.case_id, []),
    } for row in visible[:limit]], len(visible)
