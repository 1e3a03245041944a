"""Accounts connected in *Kontoer*, their health, and the connections under way, in the store.

Several processes share them (two inbox replicas, the connector runner, the executor, the worker's
control topic is told separately), so they live in the store, not in one process:

- ``connected_accounts``: what an administrator connected, with the credentials sealed
  (``innboks.db.sealed``). The YAML registry keeps working: ``effective_registry`` merges the two, the
  YAML's settings first, and gives every connected account concrete credentials whose references
  point into the store (``store:PLATFORM/ACCOUNT#FIELD``), so the connectors read them like any other.
- ``account_health``: written by the connector runner (poll state, last success, rate-limit headroom,
  a rejected token) and the executor (last action); read by Kontoer, ``GET /api/accounts`` and the inbox.
- ``oauth_flows``: one administrator's connection under way (15 minutes), keyed by a digest of the
  OAuth ``state``; its PKCE verifier and, later, the tokens and the accounts to choose from, sealed.
- ``oauth_clients``: the app registered on each Mastodon instance.

``StoreVault`` serves ``store:`` references (``innboks.config.credentials.SecretBackend``), and renews
an OAuth 2 token pair once for every process: under a row lock it looks whether another process has
already refreshed before it asks the platform (X hands out a new refresh token at every refresh and
refuses the old one).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from innboks.config.accounts import Account, Registry
from innboks.config.credentials import (
    AnyCredentials,
    AppPasswordCredentials,
    BearerCredentials,
    OAuth2Credentials,
    StoredCredentials,
    store_reference,
)
from innboks.config.settings import Settings
from innboks.db.audit import audit
from innboks.db.schema import account_health, connected_accounts, oauth_clients, oauth_flows
from innboks.db.sealed import Keyring
from innboks.domain.platform_auth import PLATFORMS, rebase_url
from schemas import Platform

FLOW_MINUTES = 15
#: A refreshed access token another process wrote is taken if it lives at least this long still.
REFRESH_LEEWAY = timedelta(seconds=60)
SECRET_FIELDS = ("access_token", "refresh_token", "client_id", "identifier", "password", "user_access_token")


class AccountStoreError(ValueError):
    """A connection under way is unknown, expired or someone else's; or an account is not connected."""


@dataclass(frozen=True)
class ConnectedAccount:
    """A connected account as Kontoer shows it: everything but the secrets."""

    platform: Platform
    account_id: str
    name: str
    owning_unit: str
    sla_policy: str
    options: dict[str, Any]
    credential_kind: str
    credentials_version: int
    token_expires_at: datetime | None
    access_expires_at: datetime | None
    scopes: list[str]
    paused: bool
    paused_reason: str | None
    assessment: dict[str, Any] | None
    admin_check: str
    admin_detail: str | None
    profile_check: dict[str, Any] | None
    webhook: dict[str, Any] | None
    connected_by: str
    connected_at: datetime
    updated_at: datetime

    @property
    def key(self) -> str:
        return f"{self.platform.value}:{self.account_id}"


def _connected(row: Any) -> ConnectedAccount:
    return ConnectedAccount(
        platform=Platform(row.platform), account_id=row.account_id, name=row.name, owning_unit=row.owning_unit,
        sla_policy=row.sla_policy, options=dict(row.options or {}), credential_kind=row.credential_kind,
        credentials_version=row.credentials_version, token_expires_at=row.token_expires_at,
        access_expires_at=row.access_expires_at, scopes=list(row.scopes or []), paused=row.paused,
        paused_reason=row.paused_reason, assessment=row.assessment, admin_check=row.admin_check,
        admin_detail=row.admin_detail, profile_check=row.profile_check, webhook=row.webhook,
        connected_by=row.connected_by, connected_at=row.connected_at, updated_at=row.updated_at)


def _where(platform: Platform | str, account_id: str) -> sa.ColumnElement[bool]:
    value = platform.value if isinstance(platform, Platform) else platform
    return sa.and_(connected_accounts.c.platform == value, connected_accounts.c.account_id == account_id)


@dataclass
class NewConnection:
    """What the connect flow hands over for one account (the secrets are sealed on the way in)."""

    platform: Platform
    account_id: str
    name: str
    owning_unit: str
    credential_kind: str
    secrets: dict[str, str]
    sla_policy: str = "standard"
    options: dict[str, Any] = field(default_factory=dict)
    token_expires_at: datetime | None = None
    access_expires_at: datetime | None = None
    scopes: list[str] = field(default_factory=list)
    assessment: dict[str, Any] | None = None
    admin_check: str = "unknown"
    admin_detail: str | None = None
    profile_check: dict[str, Any] | None = None
    webhook: dict[str, Any] | None = None


def save_connection(engine: Engine, keyring: Keyring, new: NewConnection, actor: str,
                    now: datetime | None = None) -> tuple[ConnectedAccount, bool]:
    """Store a connected account, or new credentials for one already connected (reconnecting): its
    unit, policy and assessment stay unless new ones are given, its history, cursors and SLA clocks are
    keyed by the account and untouched, and a pause or a rejected token is cleared. Audited, without
    secrets. Returns the account and whether it was a reconnection."""
    now = now or datetime.now(UTC)
    c = new
    secrets = {k: v for k, v in c.secrets.items() if v}
    values: dict[str, Any] = {
        "name": c.name, "options": c.options, "credential_kind": c.credential_kind,
        "credentials": keyring.seal(secrets), "token_expires_at": c.token_expires_at,
        "access_expires_at": c.access_expires_at, "scopes": c.scopes, "paused": False, "paused_reason": None,
        "admin_check": c.admin_check, "admin_detail": c.admin_detail, "profile_check": c.profile_check,
        "webhook": c.webhook, "connected_by": actor, "connected_at": now, "updated_at": now,
    }
    with engine.begin() as connection:
        current = connection.execute(sa.select(connected_accounts).where(_where(c.platform, c.account_id))).first()
        if current is None:
            if c.assessment is None:
                raise AccountStoreError("a new account needs the guideline's assessment")
            connection.execute(connected_accounts.insert().values(
                platform=c.platform.value, account_id=c.account_id, owning_unit=c.owning_unit,
                sla_policy=c.sla_policy, assessment=c.assessment, credentials_version=1, **values))
        else:
            connection.execute(connected_accounts.update().where(_where(c.platform, c.account_id)).values(
                owning_unit=c.owning_unit or current.owning_unit, sla_policy=c.sla_policy or current.sla_policy,
                assessment=c.assessment or current.assessment,
                credentials_version=current.credentials_version + 1, **values))
        connection.execute(account_health.update().where(sa.and_(
            account_health.c.platform == c.platform.value, account_health.c.account_id == c.account_id)).values(
            token_rejected_at=None, state="ok", detail="koblet til på nytt", updated_at=now))
        audit(connection, actor, "account_reconnected" if current else "account_connected", f"{c.platform.value}:"
              f"{c.account_id}", {"platform": c.platform.value, "account_id": c.account_id,
                                  "credential_kind": c.credential_kind, "admin_check": c.admin_check,
                                  "profile_check": (c.profile_check or {}).get("status"),
                                  "assessment": sorted((c.assessment or {}).keys()) if c.assessment else None,
                                  "owning_unit": c.owning_unit, "token_expires_at":
                                      c.token_expires_at.isoformat() if c.token_expires_at else None})
        row = connection.execute(sa.select(connected_accounts).where(_where(c.platform, c.account_id))).one()
    return _connected(row), current is not None


def list_connected(engine: Engine) -> list[ConnectedAccount]:
    with engine.connect() as connection:
        rows = connection.execute(sa.select(connected_accounts).order_by(connected_accounts.c.platform,
                                                                         connected_accounts.c.name)).all()
    return [_connected(row) for row in rows]


def get_connected(engine: Engine, platform: Platform, account_id: str) -> ConnectedAccount | None:
    with engine.connect() as connection:
        row = connection.execute(sa.select(connected_accounts).where(_where(platform, account_id))).first()
    return _connected(row) if row is not None else None


def connected_version(engine: Engine) -> tuple[int, int, str | None]:
    """A cheap fingerprint of the connected accounts: processes reload them when it changes.

    The sum of the credentials' versions changes with every new token even when two writes share a
    timestamp (the clock's resolution), which ``updated_at`` alone did not guarantee.
    """
    with engine.connect() as connection:
        count, versions, latest = connection.execute(sa.select(
            sa.func.count(), sa.func.coalesce(sa.func.sum(connected_accounts.c.credentials_version), 0),
            sa.func.max(connected_accounts.c.updated_at))).one()
    stamp = latest.isoformat() if isinstance(latest, datetime) else (str(latest) if latest else None)
    return int(count or 0), int(versions or 0), stamp


def set_paused(engine: Engine, platform: Platform, account_id: str, paused: bool, reason: str | None,
               actor: str) -> None:
    with engine.begin() as connection:
        changed = connection.execute(connected_accounts.update().where(_where(platform, account_id)).values(
            paused=paused, paused_reason=(reason or None) if paused else None, updated_at=datetime.now(UTC)))
        if not changed.rowcount:
            raise AccountStoreError(f"{platform.value} {account_id} is not connected in Kontoer")
        audit(connection, actor, "account_paused" if paused else "account_resumed", f"{platform.value}:{account_id}",
              {"platform": platform.value, "account_id": account_id})


def disconnect(engine: Engine, platform: Platform, account_id: str, actor: str) -> None:
    """Forget an account's credentials (its history stays in the store)."""
    with engine.begin() as connection:
        changed = connection.execute(connected_accounts.delete().where(_where(platform, account_id)))
        if not changed.rowcount:
            raise AccountStoreError(f"{platform.value} {account_id} is not connected in Kontoer")
        audit(connection, actor, "account_disconnected", f"{platform.value}:{account_id}",
              {"platform": platform.value, "account_id": account_id})


def read_secrets(engine: Engine, keyring: Keyring, platform: Platform, account_id: str) -> dict[str, Any]:
    with engine.connect() as connection:
        sealed = connection.execute(sa.select(connected_accounts.c.credentials)
                                    .where(_where(platform, account_id))).scalar()
    if sealed is None:
        raise AccountStoreError(f"{platform.value} {account_id} is not connected in Kontoer")
    return keyring.open(sealed)


def reseal_all(engine: Engine, keyring: Keyring) -> int:
    """Seal every stored secret again with the first key (rotation); how many values were resealed."""
    count = 0
    with engine.begin() as connection:
        for table, keys in ((connected_accounts, ("platform", "account_id")), (oauth_clients, ("instance",
                                                                                               "redirect_uri")),
                            (oauth_flows, ("id",))):
            column = table.c.credentials if table is connected_accounts else table.c.sealed
            for row in connection.execute(sa.select(column, *(table.c[k] for k in keys))).all():
                where = sa.and_(*(table.c[k] == getattr(row, k) for k in keys))
                connection.execute(table.update().where(where).values({column.name: keyring.reseal(row[0])}))
                count += 1
        audit(connection, "system:cli", "accounts_rekeyed", None, {"values": count})
    return count


# --- the registry the processes run with ------------------------------------------------------------

def concrete_credentials(account: ConnectedAccount, settings: Settings) -> AnyCredentials:
    """Credentials whose references point into the store, of the kind that was connected."""
    def ref(name: str) -> str:
        return store_reference(account.platform.value, account.account_id, name)

    if account.credential_kind == "app_password":
        return AppPasswordCredentials(identifier=ref("identifier"), password=ref("password"))
    if account.credential_kind == "oauth2":
        auth = PLATFORMS[account.platform]
        secret = {Platform.LINKEDIN: settings.linkedin_client_secret, Platform.YOUTUBE: settings.google_client_secret,
                  Platform.X: settings.x_client_secret}.get(account.platform)
        return OAuth2Credentials(
            client_id=ref("client_id"), client_secret=secret, refresh_token=ref("refresh_token"),
            access_token=ref("access_token"), client_auth=auth.client_auth,
            token_url=rebase_url(auth.token_url, settings.platform_base_urls.get(account.platform.value)))
    return BearerCredentials(token=ref("access_token"))


def effective_registry(registry: Registry, connected: list[ConnectedAccount], settings: Settings) -> Registry:
    """The YAML registry with the accounts connected in Kontoer: an account in both keeps the YAML's
    settings and gets the stored credentials where the YAML has none or says ``type: stored``; an
    account only in the store is added as connected; a paused one is not polled (``enabled: false``)."""
    by_key = {account.key: account for account in connected}
    accounts: list[Account] = []
    for account in registry.accounts:
        stored = by_key.pop(account.key, None)
        if stored is None:
            if isinstance(account.credentials, StoredCredentials):
                account = account.model_copy(update={"credentials": None})
            accounts.append(account)
            continue
        update: dict[str, Any] = {"enabled": account.enabled and not stored.paused}
        if account.credentials is None or isinstance(account.credentials, StoredCredentials):
            update["credentials"] = concrete_credentials(stored, settings)
            update["options"] = {**stored.options, **account.options}
        accounts.append(account.model_copy(update=update))
    policies = registry.sla.all_policy_configs
    for stored in by_key.values():
        accounts.append(Account(
            platform=stored.platform, account_id=stored.account_id, name=stored.name,
            owning_unit=stored.owning_unit, sla_policy=stored.sla_policy if stored.sla_policy in policies
            else "standard", credentials=concrete_credentials(stored, settings), options=stored.options,
            enabled=not stored.paused))
    return registry.with_accounts(accounts)


# --- health ---------------------------------------------------------------------------------------------

def _upsert_health(connection: Connection, platform: str, account_id: str, values: dict[str, Any]) -> None:
    where = sa.and_(account_health.c.platform == platform, account_health.c.account_id == account_id)
    if connection.execute(account_health.update().where(where).values(**values)).rowcount == 0:
        connection.execute(account_health.insert().values(platform=platform, account_id=account_id,
                                                          **{"state": "ok", **values}))


def record_poll(engine: Engine, platform: Platform, account_id: str, state: str, detail: str | None,
                succeeded: bool, rate_limit_remaining: float | None, credentials_version: int | None = None,
                now: datetime | None = None) -> None:
    """One poll's outcome; a refused token is remembered until the account is connected again."""
    now = now or datetime.now(UTC)
    values: dict[str, Any] = {"state": state, "detail": (detail or "")[:500] or None, "last_poll_at": now,
                              "updated_at": now}
    if succeeded:
        values.update(last_success_at=now, token_rejected_at=None)
    if rate_limit_remaining is not None:
        values["rate_limit_remaining"] = rate_limit_remaining
    if state == "token_invalid":
        values.update(token_rejected_at=now, credentials_version=credentials_version)
    with engine.begin() as connection:
        _upsert_health(connection, platform.value, account_id, values)


def record_action(engine: Engine, platform: Platform, account_id: str, done: bool, failure: str | None,
                  now: datetime | None = None) -> None:
    """An action's outcome; ``token_expired`` marks the token refused, as a poll would."""
    now = now or datetime.now(UTC)
    values: dict[str, Any] = {"updated_at": now}
    if done:
        values["last_action_at"] = now
    else:
        values.update(last_action_failure=failure, last_action_failure_at=now)
        if failure == "token_expired":
            values.update(token_rejected_at=now, state="token_invalid",
                          detail="plattformen avviste tokenet da en handling skulle utføres")
    with engine.begin() as connection:
        _upsert_health(connection, platform.value, account_id, values)


def health_by_key(engine: Engine) -> dict[str, dict[str, Any]]:
    with engine.connect() as connection:
        rows = connection.execute(sa.select(account_health)).mappings().all()
    return {f"{row['platform']}:{row['account_id']}": dict(row) for row in rows}


# --- connections under way -------------------------------------------------------------------------------

def flow_id(state: str) -> str:
    return hashlib.sha256(state.encode()).hexdigest()


def create_flow(engine: Engine, keyring: Keyring, state: str, platform: Platform, user: str, redirect_uri: str,
                data: dict[str, Any], now: datetime | None = None) -> str:
    now = now or datetime.now(UTC)
    with engine.begin() as connection:
        connection.execute(oauth_flows.delete().where(oauth_flows.c.created_at < now - timedelta(minutes=FLOW_MINUTES)))
        connection.execute(oauth_flows.insert().values(
            id=flow_id(state), platform=platform.value, stage="authorizing", created_by=user, created_at=now,
            redirect_uri=redirect_uri, sealed=keyring.seal(data)))
    return flow_id(state)


@dataclass(frozen=True)
class Flow:
    id: str
    platform: Platform
    stage: str
    created_by: str
    redirect_uri: str
    data: dict[str, Any]


def load_flow(engine: Engine, keyring: Keyring, ident: str, user: str | None, stage: str,
              now: datetime | None = None) -> Flow:
    """A connection under way at ``stage``, started by ``user`` (None: anyone, for the command line)
    within the last 15 minutes."""
    now = now or datetime.now(UTC)
    with engine.connect() as connection:
        row = connection.execute(sa.select(oauth_flows).where(oauth_flows.c.id == ident)).first()
    if row is None or row.created_at < now - timedelta(minutes=FLOW_MINUTES):
        raise AccountStoreError("tilkoblingen er ukjent eller utløpt (over 15 minutter): start på nytt")
    if user is not None and row.created_by != user:
        raise AccountStoreError("tilkoblingen ble startet av en annen bruker")
    if row.stage != stage:
        raise AccountStoreError("tilkoblingen er allerede brukt: start på nytt")
    return Flow(row.id, Platform(row.platform), row.stage, row.created_by, row.redirect_uri, keyring.open(row.sealed))


def advance_flow(engine: Engine, keyring: Keyring, ident: str, from_stage: str, to_stage: str,
                 data: dict[str, Any]) -> None:
    """Move a flow on, once: a second callback with the same state finds it gone from ``from_stage``."""
    with engine.begin() as connection:
        changed = connection.execute(oauth_flows.update().where(sa.and_(
            oauth_flows.c.id == ident, oauth_flows.c.stage == from_stage)).values(stage=to_stage,
                                                                                  sealed=keyring.seal(data)))
    if not changed.rowcount:
        raise AccountStoreError("tilkoblingen er allerede brukt: start på nytt")


def finish_flow(engine: Engine, ident: str) -> None:
    with engine.begin() as connection:
        connection.execute(oauth_flows.delete().where(oauth_flows.c.id == ident))


def registered_client(engine: Engine, keyring: Keyring, instance: str, redirect_uri: str) -> dict[str, Any] | None:
    with engine.connect() as connection:
        sealed = connection.execute(sa.select(oauth_clients.c.sealed).where(sa.and_(
            oauth_clients.c.instance == instance, oauth_clients.c.redirect_uri == redirect_uri))).scalar()
    return keyring.open(sealed) if sealed else None


def instance_clients(engine: Engine, keyring: Keyring, instance: str) -> list[dict[str, Any]]:
    with engine.connect() as connection:
        sealed = connection.execute(sa.select(oauth_clients.c.sealed).where(oauth_clients.c.instance == instance)
                                    ).scalars().all()
    return [keyring.open(value) for value in sealed]


def save_client(engine: Engine, keyring: Keyring, instance: str, redirect_uri: str, client: dict[str, Any]) -> None:
    with engine.begin() as connection:
        connection.execute(oauth_clients.delete().where(sa.and_(oauth_clients.c.instance == instance,
                                                                oauth_clients.c.redirect_uri == redirect_uri)))
        connection.execute(oauth_clients.insert().values(instance=instance, redirect_uri=redirect_uri,
                                                         sealed=keyring.seal(client), created_at=datetime.now(UTC)))


# --- store: references -----------------------------------------------------------------------------------

def _target(target: str) -> tuple[Platform, str, str]:
    path, _, name = target.partition("#")
    platform, _, account_id = path.partition("/")
    try:
        return Platform(platform), account_id, name
    except ValueError:
        raise AccountStoreError(f"not a stored credential: {platform!r}") from None


class StoreVault:
    """``store:`` references, read from and written to ``connected_accounts`` (a ``SecretBackend``)."""

    def __init__(self, engine: Engine, keyring: Keyring, clock: Callable[[], datetime] = lambda: datetime.now(UTC)
                 ) -> None:
        self.engine = engine
        self.keyring = keyring
        self.clock = clock

    def read(self, target: str) -> str | None:
        platform, account_id, name = _target(target)
        try:
            value = read_secrets(self.engine, self.keyring, platform, account_id).get(name)
        except AccountStoreError:
            return None
        return str(value) if value else None

    def write(self, target: str, value: str) -> None:
        platform, account_id, name = _target(target)
        with self.engine.begin() as connection:
            row = self._locked(connection, platform, account_id)
            secrets = self.keyring.open(row.credentials)
            secrets[name] = value
            connection.execute(connected_accounts.update().where(_where(platform, account_id)).values(
                credentials=self.keyring.seal(secrets)))

    def refresh(self, target: str, stale_access_token: str | None,
                grant: Callable[[str], Mapping[str, Any]]) -> Mapping[str, Any]:
        """Under the account's row lock: the pair another process refreshed meanwhile, or a new one."""
        platform, account_id, _ = _target(target)
        now = self.clock()
        with self.engine.begin() as connection:
            row = self._locked(connection, platform, account_id)
            secrets = self.keyring.open(row.credentials)
            current = secrets.get("access_token")
            if current and current != stale_access_token and (
                    row.access_expires_at is None or row.access_expires_at > now + REFRESH_LEEWAY):
                left = (row.access_expires_at - now).total_seconds() if row.access_expires_at else None
                return {"access_token": current, "expires_in": left, "refresh_token": secrets.get("refresh_token")}
            token = dict(grant(str(secrets.get("refresh_token") or "")))
            secrets["access_token"] = str(token["access_token"])
            if token.get("refresh_token"):
                secrets["refresh_token"] = str(token["refresh_token"])
            expires_in = token.get("expires_in")
            access_expires_at = (now + timedelta(seconds=float(expires_in))
                                 if isinstance(expires_in, (int, float)) and not isinstance(expires_in, bool)
                                 else None)
            connection.execute(connected_accounts.update().where(_where(platform, account_id)).values(
                credentials=self.keyring.seal(secrets), access_expires_at=access_expires_at))
        return token

    @staticmethod
    def _locked(connection: Connection, platform: Platform, account_id: str) -> Any:
        query = sa.select(connected_accounts).where(_where(platform, account_id))
        if connection.dialect.name == "postgresql":
            query = query.with_for_update()  # SQLite: every transaction already holds the write lock
        row = connection.execute(query).first()
        if row is None:
            raise AccountStoreError(f"{platform.value} {account_id} is not connected in Kontoer")
        return row


def install_store_credentials(engine: Engine, settings: Settings) -> Keyring | None:
    """Let this process read ``store:`` credentials, when ``INNBOKS_SECRET_KEY`` is set; the keyring."""
    from innboks.config.credentials import install_secret_backend

    if settings.secret_key is None:
        return None
    keyring = Keyring.from_reference(settings.secret_key)
    install_secret_backend(StoreVault(engine, keyring))
    return keyring


class LiveRegistry:
    """The registry a long-running process works with: the YAML's, with the accounts connected in Kontoer
    merged in, looked up again in the store when they change (checked at most every ``recheck`` seconds).

    This is how a newly connected account reaches a running connector runner and executor without a
    restart; the stream worker, which does not read the store, learns of it on ``innboks.control``.
    """

    def __init__(self, base: Registry, engine: Engine | None, settings: Settings, recheck: float = 5.0,
                 clock: Callable[[], float] | None = None) -> None:
        import time

        self.base = base
        self.engine = engine
        self.settings = settings
        self.recheck = recheck
        self.clock = clock or time.monotonic
        self._registry = base
        self._versions: dict[str, int] = {}
        self._expiries: dict[str, datetime | None] = {}
        self._seen: tuple[int, int, str | None] | None = None
        self._checked = float("-inf")

    def current(self) -> Registry:
        now = self.clock()
        if self.engine is not None and now - self._checked >= self.recheck:
            self._checked = now
            seen = connected_version(self.engine)
            if seen != self._seen:
                self._seen = seen
                connected = list_connected(self.engine)
                self._versions = {account.key: account.credentials_version for account in connected}
                self._expiries = {account.key: account.token_expires_at for account in connected}
                self._registry = effective_registry(self.base, connected, self.settings)
        return self._registry

    def credentials_version(self, key: str) -> int | None:
        """The version of an account's credentials connected in Kontoer (None: not connected there)."""
        self.current()
        return self._versions.get(key)

    def token_expires_at(self, account: Account) -> datetime | None:
        """When an administrator must connect the account again: as connected in Kontoer, else the YAML's."""
        self.current()
        if account.key in self._expiries:
            return self._expiries[account.key]
        stamp = account.token_expires_timestamp
        return datetime.fromtimestamp(stamp, UTC) if stamp is not None else None
