"""The facts registry as edited on the inbox's Fakta page (#29): every saved version, the newest in force."""

import sqlalchemy as sa
from alembic import op

from innboks.db.schema import UtcDateTime

revision = "0003_facts"
down_revision = "0002_records"


def upgrade() -> None:
    op.create_table(
        "facts_versions",
        sa.Column("digest", sa.String(length=64), nullable=False, comment="SHA-256 of the document"),
        sa.Column("at", UtcDateTime(), nullable=False, comment="when it was saved"),
        sa.Column("document", sa.Text(), nullable=False,
                  comment="the facts registry as YAML (innboks.control key facts)"),
        sa.Column("set_by", sa.String(length=256), nullable=True),
        sa.PrimaryKeyConstraint("digest", "at", name=op.f("pk_facts_versions")),
        comment="the facts registry as saved on the Fakta page; the newest is in force",
    )


def downgrade() -> None:
    op.drop_table("facts_versions")
