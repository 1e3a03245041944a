"""Records search: every revision of the messages that match the filters, oldest message first.

Filters select *messages*: by account, by the period their ``created_at`` falls in, by words in the
text of any of their revisions (Norwegian, stemming-insensitive: innboks/db/fulltext.py) and by
words of their author's name (with both, in the same revision). Every revision of a selected
message is returned, in order, so an edit, a hiding and a deletion are all there. With
``whole_threads`` the other messages of the threads found come too, for context (``matched`` false).

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

from innboks.db.fulltext import author_terms, matching_message_ids, text_terms
from innboks.db.schema import cases, message_revisions, messages
from innboks.domain.permalinks import safe_permalink
from innboks.domain.pii import find_pii

#: The fields of the contract (../shared/DESIGN.md, "Records search"), first and in this order.
CONTRACT_FIELDS = ("id", "platform", "account_id", "kind", "event", "revision", "created_at", "author_name", "text",
                   "permalink")
FIELDS = CONTRACT_FIELDS + ("conversation_key", "parent_id", "from_account", "observed_at", "latest_revision",
                            "category", "pii", "moderation", "screened", "screening_reasons", "legal_basis",
                            "raw_payload_kept", "matched")
CHUNK = 1000
#: PostgreSQL's memory for one search's bitmaps and sorts: with the default (4 MB), combining two
#: common words' index matches over millions of revisions turns the bitmap lossy, and rechecking every
#: row of a lossy page (the text stemmed again) takes seconds.
WORK_MEM = "64MB"


@dataclass(frozen=True)
class RecordFilter:
    """What to find. ``until`` is exclusive; ``accounts`` empty means every account."""

    accounts: tuple[str, ...] = ()
    since: datetime | None = None
    until: datetime | None = None
    text: str | None = None
    author: str | None = None
    #: Also every other message of the threads found (marked ``matched`` false), for the context.
    whole_threads: bool = False

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
    matched: bool = True
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


#: Words with at most about this many matching revisions are looked up in their index first, and counted
#: exactly (see ``_word_matches``); more are common enough to be found fast in time order.
FEW_MATCHES = 10_000


def _selection(dialect: str, query: RecordFilter, table: sa.FromClause = messages,
               few: bool = False) -> list[sa.ColumnElement[bool]]:
    conditions: list[sa.ColumnElement[bool]] = []
    if query.accounts:
        conditions.append(table.c.account_id.in_(query.accounts))
    if query.since is not None:
        conditions.append(table.c.created_at >= query.since)
    if query.until is not None:
        conditions.append(table.c.created_at < query.until)
    if query.text is not None or query.author is not None:
        # One revision matches both the words and the author: both indexes answer together.
        ids = matching_message_ids(dialect, text=text_terms(query.text) if query.text is not None else None,
                                   author=author_terms(query.author) if query.author is not None else None)
        if few and dialect == "postgresql":
            # Looked up first: otherwise a LIMIT may lead the planner to walk every message in time order
            # and test each one, when it overestimates how many match (a rare word or reference number).
            found = ids.cte("word_matches").prefix_with("MATERIALIZED")
            conditions.append(table.c.id.in_(sa.select(found.c.message_id)))
        else:
            conditions.append(table.c.id.in_(ids))
    return conditions


def _selected(dialect: str, query: RecordFilter,
              few: bool = False) -> tuple[list[sa.ColumnElement[bool]], sa.ColumnElement[bool]]:
    """The conditions on ``messages`` and whether a row's message matched by itself."""
    conditions = _selection(dialect, query, few=few)
    if not query.whole_threads:
        return conditions, sa.true()
    found = messages.alias("found")
    threads = sa.select(found.c.conversation_key).where(*_selection(dialect, query, found))
    matched = messages.c.id.in_(sa.select(found.c.id).where(*_selection(dialect, query, found)))
    return [messages.c.conversation_key.in_(threads)], matched


def _rows_query(dialect: str, query: RecordFilter, few: bool = False) -> sa.Select[Any]:
    r, m = message_revisions, messages
    conditions, matched = _selected(dialect, query, few)
    return (
        sa.select(r.c.message_id, r.c.revision, r.c.event, r.c.text, r.c.author_name, r.c.observed_at,
                  r.c.raw_payload.is_not(None).label("raw_kept"), m.c.platform, m.c.account_id, m.c.kind,
                  m.c.created_at, m.c.permalink, m.c.conversation_key, m.c.parent_id, m.c.from_account,
                  m.c.revision.label("latest_revision"), m.c.category, m.c.pii, m.c.moderation,
                  m.c.author_name.label("message_author"), matched.label("matched"))
        .join(m, m.c.id == r.c.message_id)
        .where(*conditions)
        .order_by(m.c.created_at, m.c.id, r.c.revision)
    )


def _word_matches(connection: Connection, query: RecordFilter, cap: int) -> int | None:
    """About how many revisions match the words (past ``cap`` it may stop counting); None without words.

    SQLite counts in its FTS index, which stops early. PostgreSQL would have to read a common word's
    whole posting list to count even a few of its matches, so its planner's estimate (from the
    statistics of the indexed expressions) is taken instead; it is close for common words and errs
    high for rare ones, which is the safe side here.
    """
    if query.text is None and query.author is None:
        return None
    candidates = matching_message_ids(
        connection.dialect.name, text=text_terms(query.text) if query.text is not None else None,
        author=author_terms(query.author) if query.author is not None else None)
    if connection.dialect.name == "postgresql":
        sql = candidates.compile(dialect=connection.dialect, compile_kwargs={"literal_binds": True})
        plan = connection.execute(sa.text(f"EXPLAIN (FORMAT JSON) {sql}")).scalar_one()
        return int(plan[0]["Plan"]["Plan Rows"])
    return _count(connection, candidates.limit(cap + 1))


def count(engine: Engine, query: RecordFilter, cap: int | None = None,
          seconds: float | None = None) -> tuple[int | None, int | None]:
    """(messages, revisions) that match.

    With ``cap``, counting may stop past it (a number above ``cap`` means "more than ``cap``"), so a
    common word costs no more than a rare one: words with few matches (``_word_matches``) are counted
    exactly, which is cheap; words with many, when nothing else narrows the search, are "more than
    ``cap``" at once; otherwise counting stops past ``cap``. (Capping a rare word's count would let
    PostgreSQL plan a scan for many matches it cannot find.) With ``seconds`` (PostgreSQL), a count that
    takes longer is given up: None, "many".
    """
    with engine.begin() as connection:
        dialect = connection.dialect.name
        _tune(connection)
        matches = _word_matches(connection, query, FEW_MATCHES)
        few = matches is not None and matches <= FEW_MATCHES
        if cap is not None and matches is not None:
            if few:
                cap = None
            elif not (query.accounts or query.since or query.until):
                return cap + 1, cap + 1
        rows = (sa.select(message_revisions.c.message_id)
                .join(messages, messages.c.id == message_revisions.c.message_id)
                .where(*_selected(dialect, query, few)[0]))
        if cap is not None:
            rows = rows.limit(cap + 1)
        found = rows.subquery()
        both = sa.select(sa.func.count(sa.distinct(found.c.message_id)), sa.func.count())
        if seconds is not None and dialect == "postgresql":
            connection.execute(sa.text(f"SET LOCAL statement_timeout = {int(seconds * 1000)}"))
        try:
            with connection.begin_nested():
                counted = connection.execute(both.select_from(found)).one()
        except sa.exc.OperationalError:
            if seconds is None or dialect != "postgresql":
                raise
            return None, None
        return int(counted[0]), int(counted[1])


def _count(connection: Connection, query: sa.Select[Any]) -> int:
    return connection.execute(sa.select(sa.func.count()).select_from(query.subquery())).scalar() or 0


def first_page(engine: Engine, query: RecordFilter, size: int, cap: int,
               seconds: float | None = None) -> tuple[list[RecordRow], tuple[int | None, int | None]]:
    """The first ``size`` rows and the (messages, revisions) count, as the Innsyn page shows them: when
    everything fits on the page the rows are the count; otherwise ``count`` (capped, and given up
    after ``seconds``)."""
    rows = list(search(engine, query, limit=size + 1))
    if len(rows) <= size:
        return rows, (len({row.id for row in rows}), len(rows))
    return rows[:size], count(engine, query, cap, seconds)


def search(engine: Engine, query: RecordFilter, limit: int | None = None) -> Iterator[RecordRow]:
    """Every revision of the matching messages (at most ``limit`` rows), streamed."""
    with engine.connect() as connection:
        yield from search_on(connection, query, limit)


def _tune(connection: Connection) -> None:
    if connection.dialect.name == "postgresql":
        connection.execute(sa.text(f"SET LOCAL work_mem = '{WORK_MEM}'"))


def search_on(connection: Connection, query: RecordFilter, limit: int | None = None) -> Iterator[RecordRow]:
    _tune(connection)
    matches = _word_matches(connection, query, FEW_MATCHES)
    statement = _rows_query(connection.dialect.name, query, few=matches is not None and matches <= FEW_MATCHES)
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
        permalink=safe_permalink(row.platform, row.permalink), conversation_key=row.conversation_key,
        parent_id=row.parent_id,
        from_account=bool(row.from_account), observed_at=row.observed_at, latest_revision=row.latest_revision,
        category=row.category, pii=sorted(pii), moderation=sorted(row.moderation or []),
        screened=screening is not None, screening_reasons=screening[0] if screening else [],
        legal_basis=screening[1] if screening else None, raw_payload_kept=bool(row.raw_kept),
        matched=bool(row.matched),
    )
