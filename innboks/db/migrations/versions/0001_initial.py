"""The first schema of the conversation store: projected tables, staff tables, the append-only audit log.

Generated with ``alembic revision --autogenerate`` from innboks/db/schema.py and then fixed in
place: a later change to schema.py gets its own revision, never an edit of this one.
"""

import sqlalchemy as sa
from alembic import op

from innboks.db.schema import Json, UtcDateTime

revision = "0001"
down_revision = None

#: UPDATE and DELETE on the audit log are refused by the database itself.
APPEND_ONLY = {
    "sqlite": [
        "CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log "
        "BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END",
        "CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log "
        "BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END",
    ],
    "postgresql": [
        "CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ "
        "BEGIN RAISE EXCEPTION 'audit_log is append-only'; END $$",
        "CREATE TRIGGER audit_log_no_change BEFORE UPDATE OR DELETE OR TRUNCATE ON audit_log "
        "FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only()",
    ],
}


def upgrade() -> None:
    op.create_table(
        "actions",
        sa.Column("action_id", sa.String(length=100), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False, comment="reply, hide, unhide, delete"),
        sa.Column("message_id", sa.String(length=600), nullable=False, comment="the target message"),
        sa.Column("conversation_key", sa.String(length=1100), nullable=False),
        sa.Column("platform", sa.String(length=32), nullable=False),
        sa.Column("account_id", sa.String(length=512), nullable=False),
        sa.Column("text", sa.Text(), nullable=True),
        sa.Column("reason", sa.String(length=32), nullable=True),
        sa.Column("forward", sa.Boolean(), nullable=False),
        sa.Column("requested_by", sa.String(length=256), nullable=False),
        sa.Column("automatic", sa.Boolean(), nullable=False),
        sa.Column("acknowledgement", sa.Boolean(), nullable=False),
        sa.Column("needs_approval", sa.Boolean(), nullable=False),
        sa.Column("approved_by", sa.String(length=256), nullable=True),
        sa.Column(
            "outcome", sa.String(length=16), nullable=False, comment="requested, approved, executing, done, failed"
        ),
        sa.Column("failure", sa.String(length=32), nullable=True),
        sa.Column("detail", sa.String(length=500), nullable=True),
        sa.Column(
            "platform_id", sa.String(length=600), nullable=True, comment="the platform's id of our reply, on done"
        ),
        sa.Column("requested_at", UtcDateTime(), nullable=False),
        sa.Column("updated_at", UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("action_id", name=op.f("pk_actions")),
    )
    with op.batch_alter_table("actions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_actions_conversation_key"), ["conversation_key"], unique=False)
        batch_op.create_index(batch_op.f("ix_actions_message_id"), ["message_id"], unique=False)

    op.create_table(
        "assignments",
        sa.Column("conversation_key", sa.String(length=1100), nullable=False),
        sa.Column("assignee", sa.String(length=256), nullable=False, comment="a username or a unit"),
        sa.Column("assigned_by", sa.String(length=128), nullable=False),
        sa.Column("assigned_at", UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("conversation_key", name=op.f("pk_assignments")),
    )
    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("at", UtcDateTime(), nullable=False),
        sa.Column("actor", sa.String(length=128), nullable=False, comment="a username, or 'system:<component>'"),
        sa.Column(
            "action", sa.String(length=64), nullable=False, comment="e.g. assign, correct_triage, crisis_on, sign_in"
        ),
        sa.Column("target", sa.String(length=1100), nullable=True),
        sa.Column("details", Json, nullable=False, comment="ids and enums; no message text"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_log")),
        comment="append-only: UPDATE and DELETE are refused by triggers (see the migration)",
    )
    op.create_table(
        "cases",
        sa.Column("case_id", sa.String(length=64), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("inquiry_message_id", sa.String(length=600), nullable=False),
        sa.Column("conversation_key", sa.String(length=1100), nullable=False),
        sa.Column("screened", sa.Boolean(), nullable=False),
        sa.Column("forwarded_at", UtcDateTime(), nullable=False),
        sa.Column("case", Json, nullable=False, comment="the CaseForward as sent to the archive"),
        sa.PrimaryKeyConstraint("case_id", "revision", name=op.f("pk_cases")),
    )
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_cases_inquiry_message_id"), ["inquiry_message_id"], unique=False)

    op.create_table(
        "control_state",
        sa.Column("key", sa.String(length=64), nullable=False, comment="innboks.control key, e.g. crisis"),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("reason", sa.String(length=500), nullable=False),
        sa.Column("set_by", sa.String(length=256), nullable=True),
        sa.Column("at", UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_control_state")),
    )
    op.create_table(
        "inquiries",
        sa.Column("inquiry_id", sa.String(length=600), nullable=False, comment="SlaEvent.inquiry_id"),
        sa.Column("message_id", sa.String(length=600), nullable=False, comment="the pending message to answer"),
        sa.Column("conversation_key", sa.String(length=1100), nullable=False),
        sa.Column("account_id", sa.String(length=512), nullable=False),
        sa.Column("platform", sa.String(length=32), nullable=False),
        sa.Column("policy", sa.String(length=64), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False, comment="the latest SlaEvent.state"),
        sa.Column("received_at", UtcDateTime(), nullable=False),
        sa.Column("due_at", UtcDateTime(), nullable=False),
        sa.Column("answered_at", UtcDateTime(), nullable=True),
        sa.Column("answered_by", sa.String(length=600), nullable=True),
        sa.Column("response_seconds", sa.Float(), nullable=True),
        sa.Column("business_seconds", sa.Float(), nullable=True),
        sa.Column("in_time", sa.Boolean(), nullable=True),
        sa.Column("resolution", sa.String(length=32), nullable=True),
        sa.Column("close_reason", sa.String(length=32), nullable=True),
        sa.Column("updated_at", UtcDateTime(), nullable=False, comment="the latest SlaEvent.emitted_at"),
        sa.PrimaryKeyConstraint("inquiry_id", name=op.f("pk_inquiries")),
    )
    with op.batch_alter_table("inquiries", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_inquiries_account_id_state_due_at"), ["account_id", "state", "due_at"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_inquiries_conversation_key"), ["conversation_key"], unique=False)
        batch_op.create_index(batch_op.f("ix_inquiries_state_due_at"), ["state", "due_at"], unique=False)

    op.create_table(
        "legal_holds",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("account_id", sa.String(length=512), nullable=True, comment="NULL: every account"),
        sa.Column("conversation_key", sa.String(length=1100), nullable=True, comment="NULL: the whole account"),
        sa.Column("reason", sa.String(length=500), nullable=False),
        sa.Column("placed_by", sa.String(length=128), nullable=False),
        sa.Column("placed_at", UtcDateTime(), nullable=False),
        sa.Column("released_by", sa.String(length=128), nullable=True),
        sa.Column("released_at", UtcDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_legal_holds")),
    )
    op.create_table(
        "message_revisions",
        sa.Column("message_id", sa.String(length=600), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False, comment="0: as first seen; 1, 2, …: later changes"),
        sa.Column("event", sa.String(length=16), nullable=False),
        sa.Column("text", sa.Text(), nullable=True),
        sa.Column("author_name", sa.String(length=512), nullable=True),
        sa.Column("content_sha256", sa.String(length=64), nullable=False, comment="digest of the revision's content"),
        sa.Column("message", Json, nullable=False, comment="the InboxMessage as received"),
        sa.Column("raw_payload", Json, nullable=True, comment="the platform's original item, when known"),
        sa.Column("observed_at", UtcDateTime(), nullable=False, comment="InboxMessage.fetched_at"),
        sa.PrimaryKeyConstraint("message_id", "revision", name=op.f("pk_message_revisions")),
        sa.UniqueConstraint(
            "message_id", "content_sha256", name=op.f("uq_message_revisions_message_id_content_sha256")
        ),
    )
    op.create_table(
        "messages",
        sa.Column("id", sa.String(length=600), nullable=False, comment="InboxMessage.id"),
        sa.Column("platform", sa.String(length=32), nullable=False),
        sa.Column("account_id", sa.String(length=512), nullable=False),
        sa.Column("conversation_key", sa.String(length=1100), nullable=False),
        sa.Column("conversation_id", sa.String(length=512), nullable=False),
        sa.Column("parent_id", sa.String(length=600), nullable=True),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("event", sa.String(length=16), nullable=False, comment="the latest revision's event"),
        sa.Column("from_account", sa.Boolean(), nullable=False),
        sa.Column("author_id", sa.String(length=512), nullable=True),
        sa.Column("author_name", sa.String(length=512), nullable=True),
        sa.Column("text", sa.Text(), nullable=True, comment="the latest revision's text (the original is revision 0)"),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("permalink", sa.String(length=2048), nullable=True),
        sa.Column("revision", sa.Integer(), nullable=False, comment="the latest revision number"),
        sa.Column("first_seen_at", UtcDateTime(), nullable=False),
        sa.Column("updated_at", UtcDateTime(), nullable=False),
        sa.Column("category", sa.String(length=32), nullable=True),
        sa.Column("language", sa.String(length=8), nullable=True),
        sa.Column("escalate", sa.Boolean(), nullable=False),
        sa.Column("escalation_reasons", Json, nullable=False),
        sa.Column("moderation", Json, nullable=False),
        sa.Column("pii", Json, nullable=False, comment="[{type, start, end}]; never the values"),
        sa.Column("rules", Json, nullable=False),
        sa.Column("suggested_reply", sa.Text(), nullable=True),
        sa.Column("ruleset_version", sa.String(length=64), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_messages")),
    )
    with op.batch_alter_table("messages", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_messages_account_id_created_at"), ["account_id", "created_at"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_messages_conversation_key_created_at"), ["conversation_key", "created_at"], unique=False
        )

    op.create_table(
        "projection_offsets",
        sa.Column("topic", sa.String(length=255), nullable=False),
        sa.Column("partition", sa.Integer(), nullable=False),
        sa.Column(
            "next_offset", sa.BigInteger(), nullable=False, comment="written in the same transaction as the rows"
        ),
        sa.PrimaryKeyConstraint("topic", "partition", name=op.f("pk_projection_offsets")),
    )
    op.create_table(
        "retention_rules",
        sa.Column("account_id", sa.String(length=512), nullable=False),
        sa.Column("keep_days", sa.Integer(), nullable=True, comment="NULL: keep for ever (the default)"),
        sa.Column("updated_by", sa.String(length=128), nullable=False),
        sa.Column("updated_at", UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("account_id", name=op.f("pk_retention_rules")),
    )
    op.create_table(
        "saved_replies",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("language", sa.String(length=8), nullable=False, comment="nb, nn, en"),
        sa.Column("body", sa.Text(), nullable=False, comment="with {account_name}, {case_email}, … variables"),
        sa.Column("updated_by", sa.String(length=128), nullable=False),
        sa.Column("updated_at", UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_saved_replies")),
    )
    op.create_table(
        "sla_events",
        sa.Column("event_id", sa.String(length=700), nullable=False, comment="SlaEvent.event_id (dedupe key)"),
        sa.Column("inquiry_id", sa.String(length=600), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("emitted_at", UtcDateTime(), nullable=False),
        sa.Column("event", Json, nullable=False),
        sa.PrimaryKeyConstraint("event_id", name=op.f("pk_sla_events")),
    )
    with op.batch_alter_table("sla_events", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_sla_events_inquiry_id"), ["inquiry_id"], unique=False)

    op.create_table(
        "triage_corrections",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("message_id", sa.String(length=600), nullable=False),
        sa.Column("category", sa.String(length=32), nullable=True),
        sa.Column("moderation", Json, nullable=False),
        sa.Column("corrected_by", sa.String(length=128), nullable=False),
        sa.Column("corrected_at", UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_triage_corrections")),
    )
    with op.batch_alter_table("triage_corrections", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_triage_corrections_message_id"), ["message_id"], unique=False)

    op.create_table(
        "users",
        sa.Column("username", sa.String(length=128), nullable=False),
        sa.Column("display_name", sa.String(length=256), nullable=True),
        sa.Column("role", sa.String(length=16), nullable=False, comment="reader, operator, admin"),
        sa.Column("units", Json, nullable=False, comment="units whose accounts the user sees; [] = all"),
        sa.Column(
            "password_hash",
            sa.String(length=256),
            nullable=True,
            comment="local users only (argon2/bcrypt); NULL for OIDC users",
        ),
        sa.Column("oidc_subject", sa.String(length=256), nullable=True),
        sa.Column("disabled", sa.Boolean(), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("username", name=op.f("pk_users")),
        sa.UniqueConstraint("oidc_subject", name=op.f("uq_users_oidc_subject")),
    )

    for statement in APPEND_ONLY[op.get_bind().dialect.name]:
        op.execute(statement)


def downgrade() -> None:
    op.drop_table("users")
    with op.batch_alter_table("triage_corrections", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_triage_corrections_message_id"))

    op.drop_table("triage_corrections")
    with op.batch_alter_table("sla_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_sla_events_inquiry_id"))

    op.drop_table("sla_events")
    op.drop_table("saved_replies")
    op.drop_table("retention_rules")
    op.drop_table("projection_offsets")
    with op.batch_alter_table("messages", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_messages_conversation_key_created_at"))
        batch_op.drop_index(batch_op.f("ix_messages_account_id_created_at"))

    op.drop_table("messages")
    op.drop_table("message_revisions")
    op.drop_table("legal_holds")
    with op.batch_alter_table("inquiries", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_inquiries_state_due_at"))
        batch_op.drop_index(batch_op.f("ix_inquiries_conversation_key"))
        batch_op.drop_index(batch_op.f("ix_inquiries_account_id_state_due_at"))

    op.drop_table("inquiries")
    op.drop_table("control_state")
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_cases_inquiry_message_id"))

    op.drop_table("cases")
    op.drop_table("audit_log")
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION audit_log_append_only()")
    op.drop_table("assignments")
    with op.batch_alter_table("actions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_actions_message_id"))
        batch_op.drop_index(batch_op.f("ix_actions_conversation_key"))

    op.drop_table("actions")
