"""Runtime configuration from the environment (``INNBOKS_*``, plus ``KAFKA_BOOTSTRAP_SERVERS``)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import AliasChoices, Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from innboks.config.credentials import SecretReference


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="INNBOKS_", extra="ignore")

    kafka_bootstrap_servers: str | None = Field(
        default=None,
        validation_alias=AliasChoices("KAFKA_BOOTSTRAP_SERVERS", "INNBOKS_KAFKA_BOOTSTRAP_SERVERS"),
        description="Comma-separated host:port list. Unset: the embedded Tansu broker is used.",
    )
    app_id: str = Field(default="innboks", description="Faust app id, also the consumer group id.")
    topic_partitions: int = Field(default=6, ge=1, le=1000)
    topic_replication: int = Field(default=1, ge=1, le=10)
    create_topics: bool = Field(default=True, description="Create missing topics when the worker starts.")
    table_store: str = Field(default="rocksdb://", description="Faust table store: rocksdb:// or memory://.")
    data_dir: Path = Field(default=Path("innboks-data"), description="Local table state (RocksDB).")
    table_standby_replicas: int = Field(
        default=1, ge=0, le=10,
        description="Workers that keep a warm copy of each table partition (Faust standbys; 0: none).",
    )
    metrics_host: str = "0.0.0.0"
    metrics_port: int = Field(default=6066, ge=1, le=65535)
    log_level: str = Field(default="info", pattern="^(crit|error|warn|info|debug)$")
    # Consumer-group timing. None picks the profile default: the embedded broker finishes a group
    # join after half the session timeout, so it gets a short session; Kafka keeps Faust's defaults.
    broker_session_timeout: float | None = Field(default=None, gt=0)
    broker_heartbeat_interval: float | None = Field(default=None, gt=0)
    broker_rebalance_timeout: float | None = Field(default=None, gt=0)
    embedded_broker: bool = Field(
        default=False, description="Set by Innboks itself when it started the embedded broker."
    )
    accounts_file: Path = Field(default=Path("accounts.yaml"), description="The account registry.")
    # The largest record the producers send. Keep it at or below the brokers' message.max.bytes
    # (Apache Kafka's default: 1048588) and the topics' max.message.bytes; see docs/operations.md.
    max_message_bytes: int = Field(default=1_000_000, ge=64 * 1024, le=100 * 1024 * 1024)
    deadletter_payload_bytes: int = Field(
        default=64 * 1024, ge=1024, description="Raw bytes kept in a dead letter; the rest is cut.",
    )
    connector_metrics_port: int = Field(default=6067, ge=0, le=65535, description="0 turns it off.")
    actions_metrics_port: int = Field(default=6068, ge=0, le=65535, description="0 turns it off.")
    # Meta webhooks (innboks webhook): the app secret signs deliveries; the verify token answers
    # the subscription handshake. Either the value or a file holding it.
    meta_app_secret: SecretStr | None = None
    meta_app_secret_file: Path | None = None
    meta_verify_token: SecretStr | None = None
    meta_verify_token_file: Path | None = None
    webhook_port: int = Field(default=8080, ge=1, le=65535)
    store_url: str = Field(
        default="sqlite:///innboks.db", description="The conversation store: sqlite:///FILE or postgresql://…"
    )
    # The web inbox (innboks inbox; docs/inbox.md).
    inbox_url: str = Field(
        default="http://127.0.0.1:8080",
        description="The inbox's public address: OIDC redirects and the links in alerts point here.",
    )
    inbox_secret_key: SecretStr | None = Field(
        default=None, description="Signs session cookies; unset: a random key per process (sign in again after "
        "a restart, and one replica only).",
    )
    inbox_secret_key_file: Path | None = None
    inbox_local_users: bool = Field(default=True, description="Allow sign-in with local users' passwords.")
    inbox_session_hours: float = Field(default=10.0, gt=0, le=24 * 30, description="How long a sign-in lasts.")
    # OpenID Connect sign-in (Entra ID, ID-porten, Keycloak …): on when an issuer is set.
    oidc_issuer: str | None = Field(default=None, description="Issuer URL; its /.well-known/openid-configuration "
                                    "is read at start.")
    oidc_client_id: str | None = None
    oidc_client_secret: SecretStr | None = None
    oidc_client_secret_file: Path | None = None
    oidc_scopes: str = "openid profile email"
    oidc_provider_name: str = Field(default="Entra ID", description="Shown on the sign-in button.")
    oidc_role_claim: str = Field(default="roles", description="The ID-token claim that lists the user's roles.")
    oidc_roles: dict[str, str] = Field(
        default={"Innboks.Admin": "admin", "Innboks.Operator": "operator", "Innboks.Reader": "reader",
                 "admin": "admin", "operator": "operator", "reader": "reader"},
        description="Claim value → Innboks role (JSON); a user with none of them is refused.",
    )
    oidc_unit_claim: str | None = Field(
        default=None, description="A claim listing the units whose accounts the user sees (unset: all)."
    )
    # Connecting accounts in Kontoer (docs/accounts.md). The key that encrypts connected accounts'
    # credentials in the store: a secret reference (env:NAME or file:/path) to one key per line; the
    # first encrypts, every one decrypts (rotation: put the new key first, run innboks accounts rekey).
    secret_key: SecretReference | None = None
    # The platforms' apps that accounts are connected through (Mastodon registers its own per instance;
    # Bluesky needs none). Client ids are not secret; client secrets are secret references.
    meta_app_id: str | None = Field(default=None, description="The Meta app (Facebook Login for Business): "
                                    "its secret is INNBOKS_META_APP_SECRET(_FILE), as for webhooks.")
    meta_login_config_id: str | None = Field(default=None, description="Facebook Login for Business "
                                             "configuration id (config_id); unset: the scopes are asked for.")
    linkedin_client_id: str | None = None
    linkedin_client_secret: SecretReference | None = None
    google_client_id: str | None = None
    google_client_secret: SecretReference | None = None
    x_client_id: str | None = None
    x_client_secret: SecretReference | None = None
    platform_base_urls: dict[str, str] = Field(
        default_factory=dict, description="Platform → URL replacing scheme and host of its OAuth and API URLs "
        "(proxies, stand-ins; JSON), as --base-url does for one command.")
    accounts_callback_port: int = Field(default=8765, ge=1, le=65535,
                                        description="innboks accounts connect: the local port of the redirect.")
    official_website: str = Field(default="https://www.alta.kommune.no",
                                  description="The municipality's official site: profiles should link to it.")
    triage_rules: Path | None = Field(
        default=None, description="A deployment's own triage rules file instead of the packaged rules.yaml."
    )
    facts: Path | None = Field(
        default=None, description="The facts registry (YAML) suggested replies point to and the reply check "
        "knows the municipality's own numbers from; unset: the packaged Alta kommune facts.",
    )
    # Where case-handling inquiries are sent (used in suggested replies).
    municipality: str = "Alta kommune"
    case_email: str = "postmottak@alta.kommune.no"
    case_web_form: str = "https://www.alta.kommune.no/skjema"
    case_postal_address: str = "Alta kommune, Postboks 1403, 9506 Alta"
    screening_legal_basis: str = "Offl. § 13 jf. fvl. § 13"

    @field_validator("kafka_bootstrap_servers")
    @classmethod
    def _strip(cls, value: str | None) -> str | None:
        value = (value or "").strip()
        return value or None

    @property
    def store_configured(self) -> bool:
        """Whether INNBOKS_STORE_URL was set: connectors and the executor then share accounts and health
        through the store (a default they would create in the working directory is not used)."""
        return "store_url" in self.model_fields_set

    @property
    def bootstrap_list(self) -> list[str]:
        return [part.strip() for part in (self.kafka_bootstrap_servers or "").split(",") if part.strip()]

    def group_timeouts(self) -> dict[str, float]:
        """Session, heartbeat and rebalance timeouts (seconds) for the broker in use."""
        if self.embedded_broker:
            defaults = {"session": 6.0, "heartbeat": 1.0, "rebalance": 4.0}
        else:
            defaults = {"session": 30.0, "heartbeat": 3.0, "rebalance": 60.0}
        return {
            "session": self.broker_session_timeout or defaults["session"],
            "heartbeat": self.broker_heartbeat_interval or defaults["heartbeat"],
            "rebalance": self.broker_rebalance_timeout or defaults["rebalance"],
        }


class SettingsError(ValueError):
    """A setting from the environment that is not valid: one line naming the variable (never its value)."""


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    try:
        return Settings()
    except ValidationError as exc:
        first = exc.errors(include_input=False, include_url=False)[0]
        name = str(first["loc"][0]) if first["loc"] else "?"
        variable = name if name.isupper() else f"INNBOKS_{name.upper()}"
        more = f" (and {exc.error_count() - 1} more)" if exc.error_count() > 1 else ""
        raise SettingsError(f"{variable}: {first['msg']}{more}") from None
