"""Staff sessions kept in the store (#24), so signing out ends a session and a user's sessions can be
revoked in every inbox process at once (innboks/web/sessions.py)."""

import sqlalchemy as sa
from alembic import op

from innboks.db.schema import UtcDateTime

revision = "0004_sessions"
down_revision = "0003_facts"


def upgrade() -> None:
    op.create_table(
        "staff_sessions",
        sa.Column("id_sha256", sa.String(length=64), nullable=False, comment="SHA-256 of the session id in the cookie"),
        sa.Column("username", sa.String(length=128), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("expires_at", UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id_sha256", name=op.f("pk_staff_sessions")),
        comment="signed-in sessions of the staff web (innboks/web/sessions.py): sign-out deletes one, revoke all",
    )
    op.create_index(op.f("ix_staff_sessions_username"), "staff_sessions", ["username"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_staff_sessions_username"), table_name="staff_sessions")
    op.drop_table("staff_sessions")
