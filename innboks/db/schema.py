"""Tables of the conversation store (SQLAlchemy Core), the one definition Alembic migrates to.

Two kinds of table, kept apart on purpose:

* **projected** tables are a function of the topics (``innboks.messages``, ``innboks.triaged``,
  ``innboks.sla``, ``innboks.cases``, ``innboks.actions``): ``innboks store rebuild`` empties and
  replays them, and a replay yields the same rows (idempotent on event ids and content digests);
* **staff** tables hold what people did in the inbox (users, assignments, triage corrections, the
  audit log, saved replies, retention and legal holds); they are never rebuilt.

Times are stored as tz-aware UTC (``UtcDateTime``) on both SQLite and PostgreSQL.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
from sqlalchemy.engine import Dialect

from innboks.db.fulltext import revision_author_vector, revision_text_vector

metadata = sa.MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)


class UtcDateTime(sa.types.TypeDecorator[datetime]):
    """A timezone-aware UTC datetime on every dialect (SQLite keeps no zone of its own)."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the store; use UTC")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


Json = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")

# --- projected -------------------------------------------------------------------------------

messages = sa.Table(
    "messages",
    metadata,
    sa.Column("id", sa.String(600), primary_key=True, comment="InboxMessage.id"),
    sa.Column("platform", sa.String(32), nullable=False),
    sa.Column("account_id", sa.String(512), nullable=False),
    sa.Column("conversation_key", sa.String(1100), nullable=False),
    sa.Column("conversation_id", sa.String(512), nullable=False),
    sa.Column("parent_id", sa.String(600)),
    sa.Column("kind", sa.String(32), nullable=False),
    sa.Column("event", sa.String(16), nullable=False, comment="the latest revision's event"),
    sa.Column("from_account", sa.Boolean, nullable=False, default=False),
    sa.Column("author_id", sa.String(512)),
    sa.Column("author_name", sa.String(512)),
    sa.Column("text", sa.Text, comment="the latest revision's text (the original is revision 0)"),
    sa.Column("created_at", UtcDateTime, nullable=False),
    sa.Column("permalink", sa.String(2048)),
    sa.Column("revision", sa.Integer, nullable=False, default=0, comment="the latest revision number"),
    sa.Column("first_seen_at", UtcDateTime, nullable=False),
    sa.Column("updated_at", UtcDateTime, nullable=False),
    # The latest triage (innboks.triaged); a staff correction lives in triage_corrections.
    sa.Column("category", sa.String(32)),
    sa.Column("language", sa.String(8)),
    sa.Column("escalate", sa.Boolean, nullable=False, default=False),
    sa.Column("escalation_reasons", Json, nullable=False, default=list),
    sa.Column("moderation", Json, nullable=False, default=list),
    sa.Column("pii", Json, nullable=False, default=list, comment="[{type, start, end}]; never the values"),
    sa.Column("rules", Json, nullable=False, default=list),
    sa.Column("suggested_reply", sa.Text),
    sa.Column("ruleset_version", sa.String(64)),
    sa.Index(None, "conversation_key", "created_at"),
    sa.Index(None, "account_id", "created_at"),
)

message_revisions = sa.Table(
    "message_revisions",
    metadata,
    sa.Column("message_id", sa.String(600), primary_key=True),
    sa.Column("revision", sa.Integer, primary_key=True, comment="0: as first seen; 1, 2, …: later changes"),
    sa.Column("event", sa.String(16), nullable=False),
    sa.Column("text", sa.Text),
    sa.Column("author_name", sa.String(512)),
    sa.Column("content_sha256", sa.String(64), nullable=False, comment="digest of the revision's content"),
    sa.Column("message", Json, nullable=False, comment="the InboxMessage as received"),
    sa.Column("raw_payload", Json, comment="the platform's original item, when known"),
    sa.Column("observed_at", UtcDateTime, nullable=False, comment="InboxMessage.fetched_at"),
    sa.UniqueConstraint("message_id", "content_sha256"),
)

#: The states of an inquiry still waiting for our answer (``SlaEvent.state``).
OPEN_STATES = ("opened", "warning", "breached")

inquiries = sa.Table(
    "inquiries",
    metadata,
    sa.Column("inquiry_id", sa.String(600), primary_key=True, comment="SlaEvent.inquiry_id"),
    sa.Column("message_id", sa.String(600), nullable=False, comment="the pending message to answer"),
    sa.Column("conversation_key", sa.String(1100), nullable=False),
    sa.Column("account_id", sa.String(512), nullable=False),
    sa.Column("platform", sa.String(32), nullable=False),
    sa.Column("policy", sa.String(64), nullable=False),
    sa.Column("state", sa.String(16), nullable=False, comment="the latest SlaEvent.state"),
    sa.Column("received_at", UtcDateTime, nullable=False),
    sa.Column("due_at", UtcDateTime, nullable=False),
    sa.Column("answered_at", UtcDateTime),
    sa.Column("answered_by", sa.String(600)),
    sa.Column("response_seconds", sa.Float),
    sa.Column("business_seconds", sa.Float),
    sa.Column("in_time", sa.Boolean),
    sa.Column("resolution", sa.String(32)),
    sa.Column("close_reason", sa.String(32)),
    sa.Column("closed_by", sa.String(128), comment="the staff member who closed it without a reply"),
    sa.Column("snoozed_until", UtcDateTime,
              comment="while snoozed: when it wakes (far future: when the citizen writes)"),
    sa.Column("normal_policy", sa.String(64), comment="the policy it returns to when a crisis ends"),
    sa.Column("updated_at", UtcDateTime, nullable=False, comment="the latest SlaEvent.emitted_at"),
    sa.Column("escalate", sa.Boolean, nullable=False, default=False, server_default=sa.false(),
              comment="the first or the pending message is escalated (kept by the projection)"),
    sa.Index(None, "state", "due_at"),
    sa.Index(None, "account_id", "state", "due_at"),
    sa.Index(None, "conversation_key"),
)

#: The inbox's list (innboks/inbox/queries.py) in its order: open inquiries, escalated first, then by
#: due time. Partial: the open ones are a few thousand among millions; the query names the same states.
sa.Index("ix_inquiries_open_order", inquiries.c.escalate.desc(), inquiries.c.due_at, inquiries.c.inquiry_id,
         sqlite_where=inquiries.c.state.in_(OPEN_STATES), postgresql_where=inquiries.c.state.in_(OPEN_STATES))

sla_events = sa.Table(
    "sla_events",
    metadata,
    sa.Column("event_id", sa.String(700), primary_key=True, comment="SlaEvent.event_id (dedupe key)"),
    sa.Column("inquiry_id", sa.String(600), nullable=False, index=True),
    sa.Column("state", sa.String(16), nullable=False),
    sa.Column("emitted_at", UtcDateTime, nullable=False),
    sa.Column("event", Json, nullable=False),
)

cases = sa.Table(
    "cases",
    metadata,
    sa.Column("case_id", sa.String(64), primary_key=True),
    sa.Column("revision", sa.Integer, primary_key=True),
    sa.Column("inquiry_message_id", sa.String(600), nullable=False, index=True),
    sa.Column("conversation_key", sa.String(1100), nullable=False),
    sa.Column("screened", sa.Boolean, nullable=False, default=False),
    sa.Column("forwarded_at", UtcDateTime, nullable=False),
    sa.Column("case", Json, nullable=False, comment="the CaseForward as sent to the archive"),
)

actions = sa.Table(
    "actions",
    metadata,
    sa.Column("action_id", sa.String(100), primary_key=True),
    sa.Column("kind", sa.String(16), nullable=False, comment="reply, hide, unhide, delete"),
    sa.Column("message_id", sa.String(600), nullable=False, index=True, comment="the target message"),
    sa.Column("conversation_key", sa.String(1100), nullable=False, index=True),
    sa.Column("platform", sa.String(32), nullable=False),
    sa.Column("account_id", sa.String(512), nullable=False),
    sa.Column("text", sa.Text),
    sa.Column("reason", sa.String(32)),
    sa.Column("forward", sa.Boolean, nullable=False, default=False),
    sa.Column("requested_by", sa.String(256), nullable=False),
    sa.Column("automatic", sa.Boolean, nullable=False, default=False),
    sa.Column("acknowledgement", sa.Boolean, nullable=False, default=False),
    sa.Column("needs_approval", sa.Boolean, nullable=False, default=False),
    sa.Column("approved_by", sa.String(256)),
    sa.Column("outcome", sa.String(16), nullable=False, comment="requested, approved, executing, done, failed"),
    sa.Column("failure", sa.String(32)),
    sa.Column("detail", sa.String(500)),
    sa.Column("platform_id", sa.String(600), comment="the platform's id of our reply, on done"),
    sa.Column("requested_at", UtcDateTime, nullable=False),
    sa.Column("updated_at", UtcDateTime, nullable=False),
)

archive_events = sa.Table(
    "archive_events",
    metadata,
    sa.Column("event_id", sa.String(200), primary_key=True, comment="ArchiveReceipt.event_id (dedupe key)"),
    sa.Column("case_id", sa.String(64), nullable=False),
    sa.Column("revision", sa.Integer, nullable=False),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("at", UtcDateTime, nullable=False),
    sa.Column("event", Json, nullable=False, comment="the ArchiveReceipt as published"),
    sa.Index(None, "case_id", "revision"),
    comment="innboks.archive-receipts, one row per event (innboks/store/receipts.py)",
)

case_archive = sa.Table(
    "case_archive",
    metadata,
    sa.Column("case_id", sa.String(64), primary_key=True),
    sa.Column("revision", sa.Integer, primary_key=True),
    sa.Column("conversation_key", sa.String(1100), nullable=False, index=True),
    sa.Column("status", sa.String(16), nullable=False, comment="pending, sent, received, archived, failed"),
    sa.Column("attempt", sa.Integer, nullable=False),
    sa.Column("final", sa.Boolean, nullable=False, default=False),
    sa.Column("saksaar", sa.Integer),
    sa.Column("sakssekvensnummer", sa.Integer),
    sa.Column("journalaar", sa.Integer),
    sa.Column("journalsekvensnummer", sa.Integer),
    sa.Column("journalpostnummer", sa.Integer),
    sa.Column("error_kind", sa.String(40)),
    sa.Column("error_message", sa.String(1000), comment="the archive's own error text"),
    sa.Column("retry", sa.Boolean, nullable=False, default=False),
    sa.Column("next_attempt_at", UtcDateTime),
    sa.Column("updated_at", UtcDateTime, nullable=False, comment="the latest event's at"),
    comment="where each case revision stands in the archive system: the latest word of innboks.archive-receipts",
)

control_state = sa.Table(
    "control_state",
    metadata,
    sa.Column("key", sa.String(64), primary_key=True, comment="innboks.control key, e.g. crisis"),
    sa.Column("active", sa.Boolean, nullable=False),
    sa.Column("reason", sa.String(500), nullable=False),
    sa.Column("set_by", sa.String(256)),
    sa.Column("at", UtcDateTime, nullable=False),
)

facts_versions = sa.Table(
    "facts_versions",
    metadata,
    sa.Column("digest", sa.String(64), primary_key=True, comment="SHA-256 of the document"),
    sa.Column("at", UtcDateTime, primary_key=True, comment="when it was saved"),
    sa.Column("document", sa.Text, nullable=False, comment="the facts registry as YAML (innboks.control key facts)"),
    sa.Column("set_by", sa.String(256)),
    comment="the facts registry as saved on the Fakta page; the newest is in force",
)

projection_offsets = sa.Table(
    "projection_offsets",
    metadata,
    sa.Column("topic", sa.String(255), primary_key=True),
    sa.Column("partition", sa.Integer, primary_key=True),
    sa.Column("next_offset", sa.BigInteger, nullable=False, comment="written in the same transaction as the rows"),
)

# Records search (innboks/records): the period alone, and PostgreSQL's full-text indexes (the
# expressions are those innboks/db/fulltext.py queries with). SQLite's full-text index is an FTS5
# table that migration 0002 creates beside the declared tables (see ``include_name``).
sa.Index("ix_messages_created_at", messages.c.created_at)
sa.Index("ix_message_revisions_text_fts", revision_text_vector(message_revisions.c.text),
         postgresql_using="gin", _table=message_revisions).ddl_if(dialect="postgresql")
sa.Index("ix_message_revisions_author_fts", revision_author_vector(message_revisions.c.author_name),
         postgresql_using="gin", _table=message_revisions).ddl_if(dialect="postgresql")

PROJECTED = (messages, message_revisions, inquiries, sla_events, cases, actions, control_state, facts_versions,
             projection_offsets, archive_events, case_archive)

# --- staff -----------------------------------------------------------------------------------

users = sa.Table(
    "users",
    metadata,
    sa.Column("username", sa.String(128), primary_key=True),
    sa.Column("display_name", sa.String(256)),
    sa.Column("role", sa.String(16), nullable=False, comment="reader, operator, admin"),
    sa.Column("units", Json, nullable=False, default=list, comment="units whose accounts the user sees; [] = all"),
    sa.Column("password_hash", sa.String(256), comment="local users only (argon2/bcrypt); NULL for OIDC users"),
    sa.Column("oidc_subject", sa.String(256), unique=True),
    sa.Column("disabled", sa.Boolean, nullable=False, default=False),
    sa.Column("created_at", UtcDateTime, nullable=False),
)

assignments = sa.Table(
    "assignments",
    metadata,
    sa.Column("conversation_key", sa.String(1100), primary_key=True),
    sa.Column("assignee", sa.String(256), nullable=False, comment="a username or a unit"),
    sa.Column("assigned_by", sa.String(128), nullable=False),
    sa.Column("assigned_at", UtcDateTime, nullable=False),
)

triage_corrections = sa.Table(
    "triage_corrections",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("message_id", sa.String(600), nullable=False, index=True),
    sa.Column("category", sa.String(32)),
    sa.Column("moderation", Json, nullable=False, default=list),
    sa.Column("corrected_by", sa.String(128), nullable=False),
    sa.Column("corrected_at", UtcDateTime, nullable=False),
)

audit_log = sa.Table(
    "audit_log",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("at", UtcDateTime, nullable=False),
    sa.Column("actor", sa.String(128), nullable=False, comment="a username, or 'system:<component>'"),
    sa.Column("action", sa.String(64), nullable=False, comment="e.g. assign, correct_triage, crisis_on, sign_in"),
    sa.Column("target", sa.String(1100)),
    sa.Column("details", Json, nullable=False, default=dict, comment="ids and enums; no message text"),
    comment="append-only: UPDATE and DELETE are refused by triggers (see the migration)",
)

saved_replies = sa.Table(
    "saved_replies",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("title", sa.String(200), nullable=False),
    sa.Column("language", sa.String(8), nullable=False, comment="nb, nn, en"),
    sa.Column("body", sa.Text, nullable=False, comment="with {account_name}, {case_email}, … variables"),
    sa.Column("updated_by", sa.String(128), nullable=False),
    sa.Column("updated_at", UtcDateTime, nullable=False),
)

retention_rules = sa.Table(
    "retention_rules",
    metadata,
    sa.Column("account_id", sa.String(512), primary_key=True),
    sa.Column("keep_days", sa.Integer, comment="NULL: keep for ever (the default)"),
    sa.Column("updated_by", sa.String(128), nullable=False),
    sa.Column("updated_at", UtcDateTime, nullable=False),
)

legal_holds = sa.Table(
    "legal_holds",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("account_id", sa.String(512), comment="NULL: every account"),
    sa.Column("conversation_key", sa.String(1100), comment="NULL: the whole account"),
    sa.Column("reason", sa.String(500), nullable=False),
    sa.Column("placed_by", sa.String(128), nullable=False),
    sa.Column("placed_at", UtcDateTime, nullable=False),
    sa.Column("released_by", sa.String(128)),
    sa.Column("released_at", UtcDateTime),
)

staff_sessions = sa.Table(
    "staff_sessions",
    metadata,
    sa.Column("id_sha256", sa.String(64), primary_key=True, comment="SHA-256 of the session id in the cookie"),
    sa.Column("username", sa.String(128), nullable=False, index=True),
    sa.Column("created_at", UtcDateTime, nullable=False),
    sa.Column("expires_at", UtcDateTime, nullable=False),
    comment="signed-in sessions of the staff web (innboks/web/sessions.py): sign-out deletes one, revoke all",
)

notes = sa.Table(
    "notes",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("conversation_key", sa.String(1100), nullable=False, index=True),
    sa.Column("account_id", sa.String(512), nullable=False),
    sa.Column("text", sa.Text, nullable=False, comment="internal: never sent to the platform"),
    sa.Column("author", sa.String(128), nullable=False),
    sa.Column("created_at", UtcDateTime, nullable=False),
    comment="internal notes of staff in a conversation (never sent; marked internal in exports)",
)

# --- accounts (Kontoer; docs/accounts.md) ---------------------------------------------------------

connected_accounts = sa.Table(
    "connected_accounts",
    metadata,
    sa.Column("platform", sa.String(32), primary_key=True),
    sa.Column("account_id", sa.String(512), primary_key=True),
    sa.Column("name", sa.String(512), nullable=False),
    sa.Column("owning_unit", sa.String(256), nullable=False),
    sa.Column("sla_policy", sa.String(64), nullable=False, default="standard"),
    sa.Column("options", Json, nullable=False, default=dict, comment="the registry's options (instance, PDS, page)"),
    sa.Column("credential_kind", sa.String(16), nullable=False, comment="bearer, oauth2, app_password"),
    sa.Column("credentials", sa.Text, nullable=False,
              comment="sealed JSON (Fernet, INNBOKS_SECRET_KEY): tokens; never shown, never logged"),
    sa.Column("credentials_version", sa.Integer, nullable=False, default=1, comment="+1 at every (re)connect"),
    sa.Column("token_expires_at", UtcDateTime, comment="when an administrator must connect it again"),
    sa.Column("access_expires_at", UtcDateTime, comment="the current access token's end (refreshed by itself)"),
    sa.Column("scopes", Json, nullable=False, default=list),
    sa.Column("paused", sa.Boolean, nullable=False, default=False),
    sa.Column("paused_reason", sa.String(500)),
    sa.Column("assessment", Json, comment="the guideline's assessment: purpose, audience, privacy, resources"),
    sa.Column("admin_check", sa.String(16), nullable=False, default="unknown", comment="ok, missing, unknown"),
    sa.Column("admin_detail", sa.String(500)),
    sa.Column("profile_check", Json),
    sa.Column("webhook", Json, comment="the app's subscription to the account's webhooks, where there are any"),
    sa.Column("connected_by", sa.String(128), nullable=False),
    sa.Column("connected_at", UtcDateTime, nullable=False),
    sa.Column("updated_at", UtcDateTime, nullable=False),
    comment="accounts connected in Kontoer (innboks/db/accounts.py); the YAML registry may name them too",
)

account_health = sa.Table(
    "account_health",
    metadata,
    sa.Column("platform", sa.String(32), primary_key=True),
    sa.Column("account_id", sa.String(512), primary_key=True),
    sa.Column("state", sa.String(16), nullable=False, comment="the poller's: ok, rate_limited, failing, token_invalid"),
    sa.Column("detail", sa.String(500), comment="paths and codes, never tokens or text"),
    sa.Column("last_poll_at", UtcDateTime),
    sa.Column("last_success_at", UtcDateTime, comment="the last successful poll"),
    sa.Column("last_action_at", UtcDateTime, comment="the last action done on the platform"),
    sa.Column("last_action_failure", sa.String(32)),
    sa.Column("last_action_failure_at", UtcDateTime),
    sa.Column("rate_limit_remaining", sa.Float, comment="share of the rate limit left (1 = all)"),
    sa.Column("token_rejected_at", UtcDateTime, comment="set when the platform refused the credentials"),
    sa.Column("credentials_version", sa.Integer, comment="the version the rejection was for"),
    sa.Column("updated_at", UtcDateTime, nullable=False),
    comment="written by the connector runner and the executor, read by Kontoer and the inbox",
)

oauth_flows = sa.Table(
    "oauth_flows",
    metadata,
    sa.Column("id", sa.String(64), primary_key=True, comment="SHA-256 of the OAuth state (the state is not kept)"),
    sa.Column("platform", sa.String(32), nullable=False),
    sa.Column("stage", sa.String(16), nullable=False, comment="authorizing, choosing, done"),
    sa.Column("created_by", sa.String(128), nullable=False),
    sa.Column("created_at", UtcDateTime, nullable=False),
    sa.Column("redirect_uri", sa.String(2048), nullable=False),
    sa.Column("sealed", sa.Text, nullable=False, comment="sealed JSON: PKCE verifier, then tokens and candidates"),
    comment="connections under way: one administrator's, for 15 minutes",
)

oauth_clients = sa.Table(
    "oauth_clients",
    metadata,
    sa.Column("instance", sa.String(512), primary_key=True, comment="a Mastodon instance, scheme and host"),
    sa.Column("redirect_uri", sa.String(2048), primary_key=True),
    sa.Column("sealed", sa.Text, nullable=False, comment="sealed JSON: client_id, client_secret"),
    sa.Column("created_at", UtcDateTime, nullable=False),
    comment="the app registered on each Mastodon instance (POST /api/v1/apps), reused",
)

STAFF = (users, assignments, triage_corrections, audit_log, saved_replies, retention_rules, legal_holds,
         staff_sessions, notes, connected_accounts, account_health, oauth_flows, oauth_clients)

# --- live: what several inbox processes share (innboks/db/live.py) ---------------------------

conversation_versions = sa.Table(
    "conversation_versions",
    metadata,
    sa.Column("conversation_key", sa.String(1100), primary_key=True),
    sa.Column("version", sa.Integer, nullable=False, comment="raised by every change a reply must not miss"),
    sa.Column("updated_at", UtcDateTime, nullable=False),
)

changes = sa.Table(
    "changes",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True, comment="the feed's position (never reused)"),
    sa.Column("at", UtcDateTime, nullable=False),
    sa.Column("conversation_key", sa.String(1100), nullable=False),
    sa.Column("account_id", sa.String(512), nullable=False),
    sa.Column("inquiry_id", sa.String(600)),
    sa.Column("kind", sa.String(32), nullable=False, comment="message, action, sla, assignment, note, presence, …"),
    sa.Column("actor", sa.String(256), comment="who made it (a username, 'citizen', 'account' or 'system')"),
    sa.Column("version", sa.Integer, comment="the conversation's version after it (NULL: not a version change)"),
    sa.Column("details", Json, nullable=False, default=dict, comment="ids and enums; no message text"),
    sa.Index(None, "conversation_key", "id"),
    sqlite_autoincrement=True,
    comment="the change feed /api/events and the version check read (pruned after a day)",
)

presence = sa.Table(
    "presence",
    metadata,
    sa.Column("conversation_key", sa.String(1100), primary_key=True),
    sa.Column("username", sa.String(128), primary_key=True),
    sa.Column("account_id", sa.String(512), nullable=False),
    sa.Column("state", sa.String(16), nullable=False, comment="viewing or writing"),
    sa.Column("expires_at", UtcDateTime, nullable=False),
)

LIVE = (conversation_versions, changes, presence)


def include_name(name: str | None, type_: str, parent_names: Any) -> bool:
    """For Alembic's comparison: SQLite's FTS5 search table and its shadow tables are not declared here."""
    return not (type_ == "table" and name is not None and name.startswith("message_search"))
