"""The store serves the inbox's list in its order (#30).

``inquiries.escalate`` (the first or the pending message is escalated), kept by the projection and
filled here from the messages already stored, and a partial index of the open inquiries in the
list's order: escalated first, then by due time.
"""

import sqlalchemy as sa
from alembic import op

from innboks.db.schema import OPEN_STATES

revision = "0009_inquiry_order"
down_revision = "0008_store"

OPEN = sa.text("state IN (" + ", ".join(f"'{state}'" for state in OPEN_STATES) + ")")


def upgrade() -> None:
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
