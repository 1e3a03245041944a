"""Archive receipts (#26): what became of each forwarded case in the archive system.

``archive_events`` keeps every event of ``innboks.archive-receipts`` once (by ``event_id``);
``case_archive`` the latest word per case revision (innboks/store/receipts.py).
"""

import sqlalchemy as sa
from alembic import op

from innboks.db.schema import Json, UtcDateTime

revision = "0005_archive_receipts"
down_revision = "0004_sessions"


def upgrade() -> None:
    op.create_table(
        "archive_events",
        sa.Column("event_id", sa.String(length=200), nullable=False, comment="ArchiveReceipt.event_id (dedupe key)"),
        sa.Column("case_id", sa.String(length=64), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("at", UtcDateTime(), nullable=False),
        sa.Column("event", Json, nullable=False, comment="the ArchiveReceipt as published"),
        sa.PrimaryKeyConstraint("event_id", name=op.f("pk_archive_events")),
        comment="innboks.archive-receipts, one row per event (innboks/store/receipts.py)",
    )
    op.create_index(op.f("ix_archive_events_case_id_revision"), "archive_events", ["case_id", "revision"],
                    unique=False)
    op.create_table(
        "case_archive",
        sa.Column("case_id", sa.String(length=64), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("conversation_key", sa.String(length=1100), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False, comment="pending, sent, received, archived, failed"),
        sa.Column("attempt", sa.Integer(), nullable=False),
        sa.Column("final", sa.Boolean(), nullable=False),
        sa.Column("saksaar", sa.Integer(), nullable=True),
        sa.Column("sakssekvensnummer", sa.Integer(), nullable=True),
        sa.Column("journalaar", sa.Integer(), nullable=True),
        sa.Column("journalsekvensnummer", sa.Integer(), nullable=True),
        sa.Column("journalpostnummer", sa.Integer(), nullable=True),
        sa.Column("error_kind", sa.String(length=40), nullable=True),
        sa.Column("error_message", sa.String(length=1000), nullable=True, comment="the archive's own error text"),
        sa.Column("retry", sa.Boolean(), nullable=False),
        sa.Column("next_attempt_at", UtcDateTime(), nullable=True),
        sa.Column("updated_at", UtcDateTime(), nullable=False, comment="the latest event's at"),
        sa.PrimaryKeyConstraint("case_id", "revision", name=op.f("pk_case_archive")),
        comment="where each case revision stands in the archive system: the latest word of innboks.archive-receipts",
    )
    op.create_index(op.f("ix_case_archive_conversation_key"), "case_archive", ["conversation_key"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_case_archive_conversation_key"), table_name="case_archive")
    op.drop_table("case_archive")
    op.drop_index(op.f("ix_archive_events_case_id_revision"), table_name="archive_events")
    op.drop_table("archive_events")
