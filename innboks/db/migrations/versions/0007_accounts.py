"""Accounts (#28): accounts connected in Kontoer with sealed credentials, their health, OAuth flows under
way, and the apps registered on Mastodon instances. Staff tables: never rebuilt from the topics."""

import sqlalchemy as sa
from alembic import op

from innboks.db.schema import Json, UtcDateTime

revision = "0007_accounts"
down_revision = "0006_workplace"


def upgrade() -> None:
    op.create_table(
        "account_health",
        sa.Column("platform", sa.String(length=32), nullable=False),
        sa.Column("account_id", sa.String(length=512), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False,
                  comment="the poller's: ok, rate_limited, failing, token_invalid"),
        sa.Column("detail", sa.String(length=500), nullable=True, comment="paths and codes, never tokens or text"),
        sa.Column("last_poll_at", UtcDateTime(), nullable=True),
        sa.Column("last_success_at", UtcDateTime(), nullable=True, comment="the last successful poll"),
        sa.Column("last_action_at", UtcDateTime(), nullable=True, comment="the last action done on the platform"),
        sa.Column("last_action_failure", sa.String(length=32), nullable=True),
        sa.Column("last_action_failure_at", UtcDateTime(), nullable=True),
        sa.Column("rate_limit_remaining", sa.Float(), nullable=True, comment="share of the rate limit left (1 = all)"),
        sa.Column("token_rejected_at", UtcDateTime(), nullable=True,
                  comment="set when the platform refused the credentials"),
        sa.Column("credentials_version", sa.Integer(), nullable=True, comment="the version the rejection was for"),
        sa.Column("updated_at", UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("platform", "account_id", name=op.f("pk_account_health")),
        comment="written by the connector runner and the executor, read by Kontoer and the inbox"
    )
    op.create_table(
        "connected_accounts",
        sa.Column("platform", sa.String(length=32), nullable=False),
        sa.Column("account_id", sa.String(length=512), nullable=False),
        sa.Column("name", sa.String(length=512), nullable=False),
        sa.Column("owning_unit", sa.String(length=256), nullable=False),
        sa.Column("sla_policy", sa.String(length=64), nullable=False),
        sa.Column("options", Json, nullable=False, comment="the registry's options (instance, PDS, page)"),
        sa.Column("credential_kind", sa.String(length=16), nullable=False, comment="bearer, oauth2, app_password"),
        sa.Column("credentials", sa.Text(), nullable=False,
                  comment="sealed JSON (Fernet, INNBOKS_SECRET_KEY): tokens; never shown, never logged"),
        sa.Column("credentials_version", sa.Integer(), nullable=False, comment="+1 at every (re)connect"),
        sa.Column("token_expires_at", UtcDateTime(), nullable=True,
                  comment="when an administrator must connect it again"),
        sa.Column("access_expires_at", UtcDateTime(), nullable=True,
                  comment="the current access token's end (refreshed by itself)"),
        sa.Column("scopes", Json, nullable=False),
        sa.Column("paused", sa.Boolean(), nullable=False),
        sa.Column("paused_reason", sa.String(length=500), nullable=True),
        sa.Column("assessment", Json, nullable=True,
                  comment="the guideline's assessment: purpose, audience, privacy, resources"),
        sa.Column("admin_check", sa.String(length=16), nullable=False, comment="ok, missing, unknown"),
        sa.Column("admin_detail", sa.String(length=500), nullable=True),
        sa.Column("profile_check", Json, nullable=True),
        sa.Column("webhook", Json, nullable=True,
                  comment="the app's subscription to the account's webhooks, where there are any"),
        sa.Column("connected_by", sa.String(length=128), nullable=False),
        sa.Column("connected_at", UtcDateTime(), nullable=False),
        sa.Column("updated_at", UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("platform", "account_id", name=op.f("pk_connected_accounts")),
        comment="accounts connected in Kontoer (innboks/db/accounts.py); the YAML registry may name them too"
    )
    op.create_table(
        "oauth_clients",
        sa.Column("instance", sa.String(length=512), nullable=False, comment="a Mastodon instance, scheme and host"),
        sa.Column("redirect_uri", sa.String(length=2048), nullable=False),
        sa.Column("sealed", sa.Text(), nullable=False, comment="sealed JSON: client_id, client_secret"),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("instance", "redirect_uri", name=op.f("pk_oauth_clients")),
        comment="the app registered on each Mastodon instance (POST /api/v1/apps), reused"
    )
    op.create_table(
        "oauth_flows",
        sa.Column("id", sa.String(length=64), nullable=False,
                  comment="SHA-256 of the OAuth state (the state is not kept)"),
        sa.Column("platform", sa.String(length=32), nullable=False),
        sa.Column("stage", sa.String(length=16), nullable=False, comment="authorizing, choosing, done"),
        sa.Column("created_by", sa.String(length=128), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("redirect_uri", sa.String(length=2048), nullable=False),
        sa.Column("sealed", sa.Text(), nullable=False,
                  comment="sealed JSON: PKCE verifier, then tokens and candidates"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_oauth_flows")),
        comment="connections under way: one administrator's, for 15 minutes"
    )


def downgrade() -> None:
    op.drop_table("oauth_flows")
    op.drop_table("oauth_clients")
    op.drop_table("connected_accounts")
    op.drop_table("account_health")
