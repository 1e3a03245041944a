"""The store maps nothing (#25): the waiting room for raw items goes.

The platform's item now comes with its message on ``innboks.messages`` (``NormalizedMessage.raw``),
so ``pending_raw_payloads`` (raw items read from ``innboks.raw`` before their revision) is dropped.
"""

import sqlalchemy as sa
from alembic import op

from innboks.db.schema import Json, UtcDateTime

revision = "0008_store"
down_revision = "0007_accounts"


def upgrade() -> None:
    op.drop_table("pending_raw_payloads")


def downgrade() -> None:
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
