"""Records search: every revision of the messages that match the filters, oldest message first.

Filters select *messages*: by account, by the period their ``created_at`` falls in, by words in the
text of any of their revisions (Norwegian, stemming-insensitive: innboks/store/fulltext.py) and by
words of their author's name. Every revision of a selected message is returned, in order, so an
edit, a hiding and a deletion are all there.

Each row is marked for screening: the kinds of personal data triage found in the message or that
are in the revision's text now (types only), its moderation flags, and whether the message is the
inquiry of a case the archive screens (``skjerming``), with the reasons and legal basis.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from innboks.store.fulltext import author_terms, matching_message_ids, text_terms
from innboks.store.schema import cases, message_revisions, messages
from streams.triage.pii import find_pii

#: The fields of the contract (../shared/DESIGN.md, "Records search"), first and in this order.
CONTRACT_FIELDS = ("id", "platform", "account_id", "kind", "event", "revision", "created_at", "author_name", "text",
                   "permalink")
FIELDS = CONTRACT_FIELDS + ("conversation_key", "parent_id", "from_account", "observed_at", "latest_revision",
                            "category", "pii", "moderation", "screened", "screening_reasons", "legal_basis",
                            "raw_payload_kept")
CHUNK = 1000


@dataclass(frozen=True)
class RecordFilter:
    """What to find. ``until`` is exclusive; ``accounts`` empty means every account."""

    accounts: tuple[str, ...] = ()
    since: datetime | None = None
    until: datetime | None = None
    text: str | None = None
    author: str | None = None

    def check(self) -> None:
        """Raises ``SearchQueryError`` (a ValueError) for words that cannot be searched, ``ValueError`` for a
        period that ends before it starts."""
        if self.text is not None:
            text_terms(self.text)
        if self.author is not None:
            author_terms(self.author)
        if self.since is not None and self.until is not None and self.until <= self.since:
            raise ValueError("the period ends before it starts (--until is before --since)")


@dataclass
class RecordRow:
    """One revision of one message, with the marks for screening."""

    id: str
    platform: str
    account_id: str
    kind: str
    event: str
    revision: int
    created_at: datetime
    author_name: str | None
    text: str | None
    permalink: str | None
    conversation_key: str
    parent_id: str | None
    from_account: bool
    observed_at: datetime
    latest_revision: int
    category: str | None
    pii: list[str] = field(default_factory=list)
    moderation: list[str] = field(default_factory=list)
    screened: bool = False
    screening_reasons: list[str] = field(default_factory=list)
    legal_basis: str | None = None
    raw_payload_kept: bool = False
    redacted: dict[str, int] | None = None

    def as_json(self) -> dict[str, Any]:
        row: dict[str, Any] = {}
        for name in FIELDS:
            value = getattr(self, name)
            row[name] = value.isoformat() if isinstance(value, datetime) else value
        if self.redacted is not None:
            row["redacted"] = self.redacted
        return row

    @property
    def flagged(self) -> bool:
        """Marked for screening: personal data, moderation flags or a screened case."""
        return bool(self.pii or self.moderation or self.screened)


def _selection(dialect: str, query: RecordFilter) -> list[sa.ColumnElement[bool]]:
    conditions: list[sa.ColumnElement[bool]] = []
    if query.accounts:
        conditions.append(messages.c.account_id.in_(query.accounts))
    if query.since is not None:
        conditions.append(messages.c.created_at >= query.since)
    if query.until is not None:
        conditions.append(messages.c.created_at < query.until)
    if query.text is not None:
        conditions.append(messages.c.id.in_(matching_message_ids(dialect, text=text_terms(query.text))))
    if query.author is not None:
        conditions.append(messages.c.id.in_(matching_message_ids(dialect, author=author_terms(query.author))))
    return conditions


def _rows_query(dialect: str, query: RecordFilter) -> sa.Select[Any]:
    r, m = message_revisions, messages
    return (
        sa.select(r.c.message_id, r.c.revision, r.c.event, r.c.text, r.c.author_name, r.c.observed_at,
                  r.c.raw_payload.is_not(None).label("raw_kept"), m.c.platform, m.c.account_id, m.c.kind,
                  m.c.created_at, m.c.permalink, m.c.conversation_key, m.c.parent_id, m.c.from_account,
                  m.c.revision.label("latest_revision"), m.c.category, m.c.pii, m.c.moderation,
                  m.c.author_name.label("message_author"))
        .join(m, m.c.id == r.c.message_id)
        .where(*_selection(dialect, query))
        .order_by(m.c.created_at, m.c.id, r.c.revision)
    )


def count(engine: Engine, query: RecordFilter) -> tuple[int, int]:
    """(messages, revisions) that match."""
    with engine.connect() as connection:
        selected = sa.select(messages.c.id).where(*_selection(connection.dialect.name, query)).subquery()
        found = connection.execute(sa.select(sa.func.count()).select_from(selected)).scalar() or 0
        revisions = connection.execute(sa.select(sa.func.count()).select_from(message_revisions).where(
            message_revisions.c.message_id.in_(sa.select(selected.c.id)))).scalar() or 0
    return found, revisions


def search(engine: Engine, query: RecordFilter, limit: int | None = None) -> Iterator[RecordRow]:
    """Every revision of the matching messages (at most ``limit`` rows), streamed."""
    with engine.connect() as connection:
        yield from search_on(connection, query, limit)


def search_on(connection: Connection, query: RecordFilter, limit: int | None = None) -> Iterator[RecordRow]:
    statement = _rows_query(connection.dialect.name, query)
    if limit is not None:
        statement = statement.limit(limit)
    result = connection.execution_options(stream_results=True, yield_per=CHUNK).execute(statement)
    for chunk in result.partitions():
        screening = _screening(connection, {row.message_id for row in chunk})
        for row in chunk:
            yield _record(row, screening.get(row.message_id))


def _screening(connection: Connection, message_ids: set[str]) -> dict[str, tuple[list[str], str | None]]:
    """Reasons and legal basis of the screened cases whose inquiry is one of these messages."""
    found: dict[str, tuple[list[str], str | None]] = {}
    if not message_ids:
        return found
    rows = connection.execute(sa.select(cases.c.inquiry_message_id, cases.c.case)
                              .where(cases.c.inquiry_message_id.in_(message_ids), cases.c.screened.is_(True))
                              .order_by(cases.c.inquiry_message_id, cases.c.revision))
    for row in rows:
        screening = (row.case or {}).get("screening") or {}
        reasons, basis = found.get(row.inquiry_message_id, ([], None))
        reasons = reasons + [r for r in screening.get("reasons") or [] if r not in reasons]
        found[row.inquiry_message_id] = (reasons, screening.get("legal_basis") or basis)
    return found


def _record(row: Any, screening: tuple[list[str], str | None] | None) -> RecordRow:
    pii = {finding["type"] for finding in row.pii or []} | {finding.type.value for finding in find_pii(row.text or "")}
    return RecordRow(
        id=row.message_id, platform=row.platform, account_id=row.account_id, kind=row.kind, event=row.event,
        revision=row.revision, created_at=row.created_at,
        author_name=row.author_name if row.author_name is not None else row.message_author, text=row.text,
        permalink=row.permalink, conversation_key=row.conversation_key, parent_id=row.parent_id,
        from_account=bool(row.from_account), observed_at=row.observed_at, latest_revision=row.latest_revision,
        category=row.category, pii=sorted(pii), moderation=sorted(row.moderation or []),
        screened=screening is not None, screening_reasons=screening[0] if screening else [],
        legal_basis=screening[1] if screening else None, raw_payload_kept=bool(row.raw_kept),
    )
