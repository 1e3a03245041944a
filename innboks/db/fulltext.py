"""Norwegian full-text search over message revisions, on PostgreSQL and on SQLite alike.

* **PostgreSQL**: GIN indexes on ``to_tsvector('norwegian', text)`` (Snowball's Norwegian stemmer and
  stop words, which cover bokmål and nynorsk endings) and on ``to_tsvector('simple', author_name)``;
  nothing to maintain, the database keeps the indexes.
* **SQLite**: an FTS5 table (``message_search``) that holds each revision's words as the same
  Snowball stems (PyStemmer, the C build of the algorithm PostgreSQL ships) and its author's name in
  lower case. SQLite cannot call a Python tokenizer, so the projection writes a revision's stems when
  it stores the revision (``index_revision``) and whoever deletes revisions removes them
  (``unindex_messages``; ``clear_index`` for a rebuild).

A query is a list of words; every word must match (AND), in any of its forms ("byggesøknad" finds
"byggesøknaden", "byggesøknader", "byggesøknadene"); a word ending in ``*`` matches as a prefix
("bygg*" finds "byggesøknad" and "byggetillatelse"). Common words (the Snowball stop list: "og",
"i", "ikkje" …) are left out on both databases. Author words always match as prefixes, without
stemming ("kari nord" finds "Kari Nordmann").
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import sqlalchemy as sa
import Stemmer
from sqlalchemy.engine import Connection
from sqlalchemy.sql.elements import ColumnElement

#: SQLite's FTS5 table (and the prefix of its shadow tables); not in the declared metadata.
SEARCH_TABLE = "message_search"
#: ``CREATE VIRTUAL TABLE`` of migration 0002 (rowid: FTS5's own; a revision is (message_id, revision)).
CREATE_SEARCH_TABLE = (
    f"CREATE VIRTUAL TABLE {SEARCH_TABLE} USING fts5(words, author, message_id UNINDEXED, revision UNINDEXED, "
    "tokenize = 'unicode61 remove_diacritics 0')"
)

#: PostgreSQL keeps 10 × this many most common words of each indexed expression (default 100): with
#: more, a rare word's estimate is close to its count, and the search can tell rare words from common
#: ones before it plans (innboks/records/search.py). Migration 0002 sets it.
POSTGRES_INDEX_STATISTICS = [
    "ALTER INDEX ix_message_revisions_text_fts ALTER COLUMN 1 SET STATISTICS 1000",
    "ALTER INDEX ix_message_revisions_author_fts ALTER COLUMN 1 SET STATISTICS 1000",
]

#: The Snowball Norwegian stop list (bokmål and nynorsk), as PostgreSQL's ``norwegian`` configuration has it.
STOPWORDS = frozenset("""
og i jeg det at en et den til er som på de med han av ikke ikkje der så var meg seg men ett har om vi min mitt ha
hadde hun nå over da ved fra du ut sin dem oss opp man kan hans hvor eller hva skal selv sjøl her alle vil bli ble
blei blitt kunne inn når være kom noen noe ville dere deres kun ja etter ned skulle denne for deg si sine sitt mot
å meget hvorfor dette disse uten hvordan ingen din ditt blir samme hvilken hvilke sånn inni mellom vår hver hvem
vors hvis både bare enn fordi før mange også slik vært båe begge siden dykk dykkar dei deira deires deim di då eg
ein eit eitt elles honom hjå ho hoe henne hennar hennes hoss hossen ingi inkje korleis korso kva kvar kvarhelst
kven kvi kvifor me medan mi mine mykje no nokon noka nokor noko nokre sia sidan so somt somme um upp vere vore
verte vort varte vart
""".split())

_WORD = re.compile(r"[^\W_]+")
_STEMMER = Stemmer.Stemmer("norwegian")


class SearchQueryError(ValueError):
    """Search words that cannot be searched for (one line for the user)."""


@dataclass(frozen=True)
class Term:
    word: str
    prefix: bool = False


def words(text: str | None) -> list[str]:
    """The words of ``text`` in lower case (letters and digits; everything else separates)."""
    return _WORD.findall(text.lower()) if text else []


@lru_cache(maxsize=200_000)
def stem(word: str) -> str:
    """A lower-case word's Snowball stem; words with digits stay as they are (as PostgreSQL's parser has it)."""
    return _STEMMER.stemWord(word) if word.isalpha() else word


def stems(text: str | None) -> str:
    """What SQLite's index holds for a text: its words' stems, space-separated."""
    return " ".join(stem(word) for word in words(text))


def text_terms(query: str) -> list[Term]:
    """The words of a ``--text`` query, stop words left out; raises ``SearchQueryError`` if none is left."""
    terms = []
    for match in re.finditer(r"[^\W_]+(\*?)", query.lower()):
        word = match.group(0).rstrip("*")
        if word in STOPWORDS and not match.group(1):
            continue
        terms.append(Term(word, bool(match.group(1))))
    if not terms:
        raise SearchQueryError("the text has no word to search for (only common words such as 'og', 'i', 'ikkje')")
    return terms


def author_terms(query: str) -> list[Term]:
    terms = [Term(word, True) for word in words(query)]
    if not terms:
        raise SearchQueryError("the author name has no letters or digits to search for")
    return terms


# --- the conditions, per dialect ---------------------------------------------------------------

_NORWEGIAN: ColumnElement[str] = sa.literal_column("'norwegian'")
_SIMPLE: ColumnElement[str] = sa.literal_column("'simple'")
_EMPTY: ColumnElement[str] = sa.literal_column("''")


def revision_text_vector(text: ColumnElement[str]) -> ColumnElement[object]:
    """``to_tsvector('norwegian', coalesce(text, ''))``: exactly the indexed expression."""
    return sa.func.to_tsvector(_NORWEGIAN, sa.func.coalesce(text, _EMPTY))


def revision_author_vector(author_name: ColumnElement[str]) -> ColumnElement[object]:
    """``to_tsvector('simple', coalesce(author_name, ''))``: exactly the indexed expression."""
    return sa.func.to_tsvector(_SIMPLE, sa.func.coalesce(author_name, _EMPTY))


def _tsquery(terms: Iterable[Term]) -> str:
    # The words are letters and digits only (see _WORD), so quoting needs no escapes.
    return " & ".join(f"'{term.word}'" + (":*" if term.prefix else "") for term in terms)


def _fts5_query(column: str, terms: Iterable[Term], stemmed: bool) -> str:
    parts = []
    for term in terms:
        word = stem(term.word) if stemmed else term.word
        parts.append(f'{column} : "{word}"' + (" *" if term.prefix else ""))
    return " AND ".join(parts)


def matching_message_ids(dialect: str, *, text: list[Term] | None = None,
                         author: list[Term] | None = None) -> sa.Select[tuple[str]]:
    """``SELECT message_id`` of the revisions whose text matches every text term and whose author matches
    every author term (the caller ties it to ``messages.id``)."""
    from innboks.db.schema import message_revisions as revisions

    if dialect == "postgresql":
        query = sa.select(revisions.c.message_id)
        if text:
            query = query.where(revision_text_vector(revisions.c.text).op("@@")(
                sa.func.to_tsquery(_NORWEGIAN, _tsquery(text))))
        if author:
            query = query.where(revision_author_vector(revisions.c.author_name).op("@@")(
                sa.func.to_tsquery(_SIMPLE, _tsquery(author))))
        return query
    parts = []
    if text:
        parts.append(_fts5_query("words", text, stemmed=True))
    if author:
        parts.append(_fts5_query("author", author, stemmed=False))
    search = sa.table(SEARCH_TABLE, sa.column("message_id"))
    return sa.select(search.c.message_id).where(sa.literal_column(SEARCH_TABLE).op("MATCH")(" AND ".join(parts)))


# --- SQLite's index ----------------------------------------------------------------------------

_INSERT = sa.text(f"INSERT INTO {SEARCH_TABLE} (words, author, message_id, revision) "
                  "VALUES (:words, :author, :message_id, :revision)")


def index_revision(connection: Connection, message_id: str, revision: int, text: str | None,
                   author_name: str | None) -> None:
    """Index one new revision (SQLite; PostgreSQL indexes by itself)."""
    if connection.dialect.name != "sqlite":
        return
    connection.execute(_INSERT, {"words": stems(text), "author": " ".join(words(author_name)),
                                 "message_id": message_id, "revision": revision})


def index_revisions(connection: Connection, revisions: Sequence[Mapping[str, Any]]) -> None:
    """Index new revisions (rows of ``message_revisions``) in one statement (SQLite; PostgreSQL indexes by itself)."""
    if connection.dialect.name != "sqlite" or not revisions:
        return
    connection.execute(_INSERT, [{"words": stems(row["text"]), "author": " ".join(words(row["author_name"])),
                                  "message_id": row["message_id"], "revision": row["revision"]} for row in revisions])


def unindex_messages(connection: Connection, message_ids: sa.Select[tuple[str]]) -> None:
    """Remove every revision of the selected messages from SQLite's index (before they are deleted)."""
    if connection.dialect.name != "sqlite":
        return
    search = sa.table(SEARCH_TABLE, sa.column("message_id"))
    connection.execute(sa.delete(search).where(search.c.message_id.in_(message_ids)))


def clear_index(connection: Connection) -> None:
    """Empty SQLite's index (with the projected tables, before a rebuild)."""
    if connection.dialect.name == "sqlite":
        connection.execute(sa.text(f"DELETE FROM {SEARCH_TABLE}"))
