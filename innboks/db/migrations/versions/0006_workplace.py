"""The inbox as a workplace (#27): conversation versions, the change feed, presence, internal notes,
and an inquiry's snooze, closer and normal policy (for after a crisis)."""

import sqlalchemy as sa
from alembic import op

from innboks.db.schema import Json, UtcDateTime

revision = "0006_workplace"
down_revision = "0005_archive_receipts"


def upgrade() -> None:
    with op.batch_alter_table("inquiries", schema=None) as batch_op:
        batch_op.add_column(sa.Column("closed_by", sa.String(length=128), nullable=True,
                                      comment="the staff member who closed it without a reply"))
        batch_op.add_column(sa.Column("snoozed_until", UtcDateTime(), nullable=True,
                                      comment="while snoozed: when it wakes (far future: when the citizen writes)"))
        batch_op.add_column(sa.Column("normal_policy", sa.String(length=64), nullable=True,
                                      comment="the policy it returns to when a crisis ends"))
    op.create_table(
        "notes",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("conversation_key", sa.String(length=1100), nullable=False),
        sa.Column("account_id", sa.String(length=512), nullable=False),
        sa.Column("text", sa.Text(), nullable=False, comment="internal: never sent to the platform"),
        sa.Column("author", sa.String(length=128), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notes")),
        comment="internal notes of staff in a conversation (never sent; marked internal in exports)",
    )
    op.create_index(op.f("ix_notes_conversation_key"), "notes", ["conversation_key"], unique=False)
    op.create_table(
        "conversation_versions",
        sa.Column("conversation_key", sa.String(length=1100), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False, comment="raised by every change a reply must not miss"),
        sa.Column("updated_at", UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("conversation_key", name=op.f("pk_conversation_versions")),
    )
    op.create_table(
        "changes",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False,
                  comment="the feed's position (never reused)"),
        sa.Column("at", UtcDateTime(), nullable=False),
        sa.Column("conversation_key", sa.String(length=1100), nullable=False),
        sa.Column("account_id", sa.String(length=512), nullable=False),
        sa.Column("inquiry_id", sa.String(length=600), nullable=True),
        sa.Column("kind", sa.String(length=32), nullable=False,
                  comment="message, action, sla, assignment, note, presence, …"),
        sa.Column("actor", sa.String(length=256), nullable=True,
                  comment="who made it (a username, 'citizen', 'account' or 'system')"),
        sa.Column("version", sa.Integer(), nullable=True,
                  comment="the conversation's version after it (NULL: not a version change)"),
        sa.Column("details", Json, nullable=False, comment="ids and enums; no message text"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_changes")),
        comment="the change feed /api/events and the version check read (pruned after a day)",
        sqlite_autoincrement=True,
    )
    op.create_index(op.f("ix_changes_conversation_key_id"), "changes", ["conversation_key", "id"], unique=False)
    op.create_table(
        "presence",
        sa.Column("conversation_key", sa.String(length=1100), nullable=False),
        sa.Column("username", sa.String(length=128), nullable=False),
        sa.Column("account_id", sa.String(length=512), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False, comment="viewing or writing"),
        sa.Column("expires_at", UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("conversation_key", "username", name=op.f("pk_presence")),
    )


def downgrade() -> None:
    op.drop_table("presence")
    op.drop_index(op.f("ix_changes_conversation_key_id"), table_name="changes")
    op.drop_table("changes")
    op.drop_table("conversation_versions")
    op.drop_index(op.f("ix_notes_conversation_key"), table_name="notes")
    op.drop_table("notes")
    with op.batch_alter_table("inquiries", schema=None) as batch_op:
        batch_op.drop_column("normal_policy")
        batch_op.drop_column("snoozed_until")
        batch_op.drop_column("closed_by")
