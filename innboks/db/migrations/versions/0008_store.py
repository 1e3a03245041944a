"""The store maps nothing (#25) and serves the inbox's list in its order (#30).

- The platform's item now comes with its message on ``innboks.messages`` (``NormalizedMessage.raw``),
  so ``pending_raw_payloads`` (raw items read from ``innboks.raw`` before their revision) is dropped.
- ``inquiries.escalate`` (the first or the pending message is escalated), kept by the projection and
  filled here from the messages already stored, and a partial index of the open inquiries in the
  list's order: escalated first, then by due time.
"""

import sqlalchemy as sa
from alembic import op

from innboks.db.schema import OPEN_STATES, Json, UtcDateTime

revision = "0008_store"
down_revision = "0005_archive_receipts"

OPEN = sa.text("state IN (" + ", ".join(f"'{state}'" for state in OPEN_STATES) + ")")


def upgrade() -> None:
    op.drop_table("pending_raw_payloads")
    with op.batch_alter_table("inquiries", schema=None) as batch_op:
        batch_op.add_column(sa.Column("escalate", sa.Boolean(), server_default=sa.false(), nullable=False,
                                      comment="the first or the pending message is escalated (kept by the projection)"))
    op.execute("UPDATE inquiries SET escalate = "
               "coalesce((SELECT escalate FROM messages WHERE messages.id = inquiries.inquiry_id), false) OR "
               "coalesce((SELECT escalate FROM messages WHERE messages.id = inquiries.message_id), false)")
    op.create_index("ix_inquiries_open_order", "inquiries", [sa.text("escalate DESC"), "due_at", "inquiry_id"],
                    unique=False, sqlite_where=OPEN, postgresql_where=OPEN)


def downgrade() -> None:
    op.drop_index("ix_inquiries_open_order", table_name="inquiries")
    with op.batch_alter_table("inquiries", schema=None) as batch_op:
        batch_op.drop_column("escalate")
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
