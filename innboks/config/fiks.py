"""Settings of ``innboks archive --fiks`` (``INNBOKS_FIKS_*``): Fiks IO, Maskinporten, the archive's account.

Secrets are references, as in the account registry (``innboks/config/credentials.py``):
``env:NAME`` or ``file:/path``. The private keys are PEM files, referenced as ``file:/run/secrets/…``
(or an environment variable holding the PEM). docs/archive.md has the municipality's setup.
"""

from __future__ import annotations

import uuid
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from innboks.config.credentials import SecretReference

FIKS_ARKIV_PROTOCOL = "no.ks.fiks.arkiv.v1"


class FiksSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="INNBOKS_FIKS_", extra="ignore", env_ignore_empty=True)

    api_url: str = Field(default="https://api.fiks.ks.no",
                         description="Fiks IO's REST API (test: https://api.fiks.test.ks.no).")
    amqp_url: str = Field(default="amqps://io.fiks.ks.no:5671",
                          description="Fiks IO's AMQP (test: amqps://io.fiks.test.ks.no:5671).")
    maskinporten_token_url: str = "https://maskinporten.no/token"
    maskinporten_audience: str = "https://maskinporten.no/"
    maskinporten_client_id: str | None = Field(default=None, description="The Maskinporten client (iss).")
    scope: str = "ks:fiks"
    account_id: uuid.UUID | None = Field(default=None, description="Innboks's own Fiks IO account (kontoId).")
    integration_id: uuid.UUID | None = None
    integration_password: SecretReference | None = None
    certificate: Path | None = Field(default=None, description="The virksomhetssertifikat: PEM, chain included.")
    private_key: SecretReference | None = Field(default=None, description="Its private key (PEM).")
    private_key_password: SecretReference | None = None
    account_private_key: SecretReference | None = Field(
        default=None, description="The private key of the account's public key in the catalogue (PEM).")
    account_previous_private_key: SecretReference | None = Field(
        default=None, description="While the account's key is being replaced: the one before.")
    trusted_ca: Path | None = Field(
        default=None, description="PEM of the CAs whose certificates may sign the archive's receipts (unset: any).")
    archive_account_id: uuid.UUID | None = Field(default=None, description="The archive's Fiks IO account.")
    archive_orgnr: str | None = Field(
        default=None, pattern=r"^\d{9}$",
        description="Instead of the account: find it in the catalogue by organisation number and protocol.")
    security_level: int = Field(default=3, ge=3, le=4, description="The catalogue address's sikkerhetsnivå.")
    ttl_seconds: float = Field(default=2 * 24 * 3600, ge=1, description="Time to live of a sent message.")
    receipt_timeout_seconds: float = Field(
        default=600, gt=0, description="No mottatt this long after sending: send again (nothing proves it arrived).")
    retry_base_seconds: float = Field(default=30, gt=0)
    retry_max_seconds: float = Field(default=3600, gt=0)
    max_attempts: int = Field(default=10, ge=1)
    alert_seconds: float = Field(
        default=3600, gt=0, description="A case without kvittering this long fires InnboksArchiveCaseWithoutReceipt.")
    once_wait_seconds: float = Field(default=180, gt=0, description="--once: how long to wait for receipts.")
    metrics_port: int = Field(default=6069, ge=0, le=65535, description="0 turns it off.")

    def missing(self) -> list[str]:
        """The settings ``innboks archive --fiks`` cannot run without, by environment variable name."""
        required = {"ACCOUNT_ID": self.account_id, "INTEGRATION_ID": self.integration_id,
                    "INTEGRATION_PASSWORD": self.integration_password, "MASKINPORTEN_CLIENT_ID":
                    self.maskinporten_client_id, "CERTIFICATE": self.certificate, "PRIVATE_KEY": self.private_key,
                    "ACCOUNT_PRIVATE_KEY": self.account_private_key}
        missing = [f"INNBOKS_FIKS_{name}" for name, value in required.items() if value is None]
        if self.archive_account_id is None and self.archive_orgnr is None:
            missing.append("INNBOKS_FIKS_ARCHIVE_ACCOUNT_ID (or INNBOKS_FIKS_ARCHIVE_ORGNR)")
        return missing
