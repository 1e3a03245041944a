"""Every account of the registry with its health, as Kontoer, ``GET /api/accounts`` and the inbox's
notices show it: one query module, so the three agree.

The status (``active|token_expiring|token_invalid|paused|not_connected``) is the domain's rule
(``innboks.domain.platform_auth.account_status``) over what the store knows: the credentials (the
YAML's or the ones connected in Kontoer), a pause, the token's end, and a refusal the connector
runner or the executor recorded.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.engine import Engine

from innboks.config.accounts import Account, Registry
from innboks.config.credentials import StoredCredentials
from innboks.db.accounts import ConnectedAccount, health_by_key, list_connected
from innboks.domain.platform_auth import Status, account_status, reconnect_path, warning_step
from schemas import Platform

OSLO = ZoneInfo("Europe/Oslo")


@dataclass(frozen=True)
class AccountOverview:
    account: Account
    stored: ConnectedAccount | None
    health: dict[str, Any] | None
    status: Status
    status_detail: str
    token_expires_at: datetime | None
    #: 14, 7 or 1 when that warning is reached (None: none yet).
    warning: int | None

    @property
    def platform(self) -> Platform:
        return self.account.platform

    @property
    def account_id(self) -> str:
        return self.account.account_id

    @property
    def reconnect_url(self) -> str:
        return reconnect_url(self.platform, self.account_id)

    def health_value(self, name: str) -> Any:
        return self.health.get(name) if self.health else None


def reconnect_url(platform: Platform, account_id: str) -> str:
    return reconnect_path(platform, account_id)


def _yaml_expiry(account: Account) -> datetime | None:
    if account.token_expires is None:
        return None
    return datetime.combine(account.token_expires, time(0), OSLO).astimezone(UTC)


DETAILS: dict[str, str] = {
    "active": "i drift",
    "token_expiring": "tokenet må fornyes snart: koble til på nytt",
    "token_invalid": "satt på pause: plattformen avviste tokenet (utløpt eller trukket tilbake); koble til på nytt",
    "paused": "satt på pause",
    "not_connected": "ikke koblet til: ingen innloggingsdata",
}


def overview(engine: Engine, registry: Registry, now: datetime | None = None) -> list[AccountOverview]:
    """Every account of the (effective) registry, with its status and health."""
    now = now or datetime.now(UTC)
    connected = {account.key: account for account in list_connected(engine)}
    health = health_by_key(engine)
    rows = []
    for account in registry.accounts:
        stored, state = connected.get(account.key), health.get(account.key)
        expires = stored.token_expires_at if stored is not None else _yaml_expiry(account)
        rejected = bool(state and state.get("token_rejected_at"))
        has_credentials = account.credentials is not None and not isinstance(account.credentials, StoredCredentials)
        paused = stored.paused if stored is not None else False
        status = account_status(has_credentials=has_credentials, enabled=account.enabled, paused=paused,
                                token_rejected=rejected, token_expires_at=expires, now=now)
        detail = DETAILS[status]
        if status == "paused" and stored is not None and stored.paused_reason:
            detail = f"satt på pause: {stored.paused_reason}"
        elif status == "token_invalid" and state and state.get("detail"):
            detail = f"{detail} ({state['detail']})"
        rows.append(AccountOverview(account, stored, state, status, detail, expires,
                                    warning_step(expires, now) if status in ("active", "token_expiring") else None))
    return rows


def notices(engine: Engine, registry: Registry, now: datetime | None = None) -> list[AccountOverview]:
    """The accounts staff should hear about: refused or expired tokens, and tokens near their end."""
    return [row for row in overview(engine, registry, now)
            if row.status == "token_invalid" or row.warning is not None]
