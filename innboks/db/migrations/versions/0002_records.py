"""Records (#15): raw items waiting for their revision, the period index, Norwegian full-text search.

PostgreSQL gets GIN indexes on the revisions' ``to_tsvector('norwegian', text)`` and
``to_tsvector('simple', author_name)``; SQLite an FTS5 table of the revisions' Snowball stems
(``message_search``), filled here from the revisions already stored.
"""

import sqlalchemy as sa
from alembic import op

from innboks.db.fulltext import CREATE_SEARCH_TABLE, POSTGRES_INDEX_STATISTICS, SEARCH_TABLE, stems, words
from innboks.db.schema import Json, UtcDateTime

revision = "0002_records"
down_revision = "0001"


def upgrade() -> None:
    op.create_table(
        "pending_raw_payloads",
        sa.Column("message_id", sa.String(length=600), nullable=False),
        sa.Column("content_sha256", sa.String(length=64), nullable=False,
                  comment="the revision the raw item became"),
        sa.Column("account_id", sa.String(length=512), nullable=False),
        sa.Column("raw_payload", Json, nullable=False, comment="the RawEvent from innboks.raw"),
        sa.Column("received_at", UtcDateTime(), nullable=False, comment="RawEvent.fetched_at"),
        sa.PrimaryKeyConstraint("message_id", "content_sha256", name=op.f("pk_pending_raw_payloads")),
        comment="raw items whose revision is not stored yet (innboks/store/raw_payloads.py)",
    )
    with op.batch_alter_table("messages", schema=None) as batch_op:
        batch_op.create_index("ix_messages_created_at", ["created_at"], unique=False)

    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        op.create_index("ix_message_revisions_text_fts", "message_revisions",
                        [sa.text("to_tsvector('norwegian', coalesce(text, ''))")], postgresql_using="gin")
        op.create_index("ix_message_revisions_author_fts", "message_revisions",
                        [sa.text("to_tsvector('simple', coalesce(author_name, ''))")], postgresql_using="gin")
        for statement in POSTGRES_INDEX_STATISTICS:
            op.execute(statement)
    elif bind.dialect.name == "sqlite":
        op.execute(CREATE_SEARCH_TABLE)
        insert = sa.text(f"INSERT INTO {SEARCH_TABLE} (words, author, message_id, revision) "
                         "VALUES (:words, :author, :message_id, :revision)")
        rows = bind.execute(sa.text("SELECT message_id, revision, text, author_name FROM message_revisions")).all()
        for start in range(0, len(rows), 5000):
            bind.execute(insert, [{"words": stems(row.text), "author": " ".join(words(row.author_name)),
                                   "message_id": row.message_id, "revision": row.revision}
                                  for row in rows[start:start + 5000]])


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        op.drop_index("ix_message_revisions_author_fts", table_name="message_revisions")
        op.drop_index("ix_message_revisions_text_fts", table_name="message_revisions")
    elif bind.dialect.name == "sqlite":
        op.execute(f"DROP TABLE {SEARCH_TABLE}")
    with op.batch_alter_table("messages", schema=None) as batch_op:
        batch_op.drop_index("ix_messages_created_at")
    op.drop_table("pending_raw_payloads")
