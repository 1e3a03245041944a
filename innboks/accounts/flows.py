"""Connecting an account, step by step, for the Kontoer page and ``innboks accounts connect`` alike.

1. ``start_oauth`` (Facebook, Instagram, LinkedIn, YouTube, X) or ``start_mastodon`` (the instance first:
   its app is registered there once, ``POST /api/v1/apps``, then its OAuth): a fresh ``state`` (and a
   PKCE verifier where the platform takes it) kept in the store for 15 minutes, and the URL to send
   the administrator to. Bluesky has no OAuth here: ``start_bluesky`` opens a session with the handle
   and an app password.
2. ``complete``: the platform's redirect back with ``code`` and ``state``; the code is exchanged (with the
   verifier), and the accounts the person may connect are read (``innboks.accounts.platforms``).
3. ``review`` shows them with the guideline's checks (co-admin, profile) and ``confirm`` stores the
   chosen ones with the assessment (audited), subscribes a Page's webhooks, and tells the other
   processes on ``innboks.control``. Reconnecting an account already connected keeps its history,
   cursors and SLA clocks, which are keyed by the account, not by its credentials.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy.engine import Engine

from innboks.accounts import oauth, platforms
from innboks.accounts.oauth import Client, ConnectError
from innboks.accounts.platforms import Api, Candidate
from innboks.config.accounts import Registry
from innboks.config.apps import base_url_of, oauth_app
from innboks.config.credentials import CredentialError
from innboks.config.settings import Settings
from innboks.config.topics import CONTROL
from innboks.db import accounts as store
from innboks.db.accounts import AccountStoreError, ConnectedAccount, NewConnection
from innboks.db.sealed import Keyring
from innboks.domain.account_checks import (
    AdminResult,
    ProfileCheck,
    admin_check,
    assessment_problems,
    check_profile,
)
from innboks.domain.platform_auth import PLATFORMS, rebase_url
from schemas import AccountEvent, Platform

log = logging.getLogger(__name__)

OAUTH_PLATFORMS = (Platform.FACEBOOK, Platform.INSTAGRAM, Platform.LINKEDIN, Platform.YOUTUBE, Platform.X)
CLIENT_NAME = "Innboks"

Publish = Callable[[str, bytes, bytes], None]


@dataclass
class Connecting:
    """What a connection needs: the store and its key, the settings, the registry, and Kafka (optional)."""

    engine: Engine
    keyring: Keyring
    settings: Settings
    registry: Registry
    publish: Publish | None = None
    clock: Callable[[], datetime] = lambda: datetime.now(UTC)

    def base_url(self, platform: Platform) -> str | None:
        return base_url_of(platform, self.settings)


def callback_uri(base: str, platform: Platform) -> str:
    """Where a platform sends the administrator back to: ``{inbox}/kontoer/koble-til/{platform}/tilbake``."""
    return f"{base.rstrip('/')}/kontoer/koble-til/{platform.value}/tilbake"


def _client(platform: Platform, settings: Settings) -> Client:
    try:
        app = oauth_app(platform, settings)
        return Client(app.client_id, app.client_secret(), PLATFORMS[platform].client_auth)
    except CredentialError as exc:
        raise ConnectError(f"{platform.value} er ikke satt opp for tilkobling: {exc}") from None


# --- 1: start ------------------------------------------------------------------------------------------------

def start_oauth(c: Connecting, platform: Platform, user: str, redirect_uri: str,
                reconnect: str | None = None) -> str:
    """The platform's authorization URL for this administrator (state, and PKCE where taken)."""
    if platform not in OAUTH_PLATFORMS:
        raise ConnectError(f"{platform.value} kobles ikke til med OAuth her")
    auth = PLATFORMS[platform]
    client = _client(platform, c.settings)
    state, verifier = oauth.new_state(), oauth.new_verifier() if auth.pkce else None
    store.create_flow(c.engine, c.keyring, state, platform, user, redirect_uri,
                      {"verifier": verifier, "reconnect": reconnect}, c.clock())
    extra: dict[str, str] = {}
    scopes: tuple[str, ...] | None = None
    if platform in (Platform.FACEBOOK, Platform.INSTAGRAM) and c.settings.meta_login_config_id:
        extra["config_id"] = c.settings.meta_login_config_id  # Facebook Login for Business: the configuration
        scopes = ()  # … says which permissions
    return oauth.authorization_url(auth, client, redirect_uri, state, verifier, c.base_url(platform), extra=extra,
                                   scopes=scopes)


def normalize_instance(value: str) -> str:
    """``snabelen.no`` or ``https://snabelen.no/`` → ``https://snabelen.no`` (plain HTTP only for loopback)."""
    text = value.strip()
    if not text:
        raise ConnectError("skriv inn instansen kontoen ligger på, for eksempel snabelen.no")
    parts = urlsplit(text if "://" in text else f"https://{text}")
    if parts.scheme not in ("https", "http") or not parts.hostname or parts.path.strip("/") or parts.query:
        raise ConnectError("instansen skrives som vertsnavn, for eksempel snabelen.no")
    if parts.scheme == "http" and parts.hostname not in ("127.0.0.1", "localhost", "::1"):
        raise ConnectError("instansen må bruke https")
    return f"{parts.scheme}://{parts.netloc}".lower()


def _mastodon_server(api: Api, instance: str) -> dict[str, Any]:
    """The instance's OAuth metadata (RFC 8414, Mastodon 4.3 and later), or the fixed paths before that."""
    try:
        metadata = api.get(f"{instance}/.well-known/oauth-authorization-server", "instansens OAuth-oppsett")
    except ConnectError:
        metadata = {}
    metadata = metadata if isinstance(metadata, dict) else {}
    auth = PLATFORMS[Platform.MASTODON]
    return {
        "authorize": metadata.get("authorization_endpoint") or instance + auth.authorize_url,
        "token": metadata.get("token_endpoint") or instance + auth.token_url,
        "revoke": metadata.get("revocation_endpoint") or instance + str(auth.revoke_url),
        "register": metadata.get("app_registration_endpoint") or f"{instance}/api/v1/apps",
        "pkce": "S256" in (metadata.get("code_challenge_methods_supported") or []),
    }


def start_mastodon(c: Connecting, user: str, instance_text: str, redirect_uri: str) -> str:
    """Register Innboks on the instance (once), then its authorization URL."""
    instance = normalize_instance(instance_text)
    api = Api(None)
    try:
        server = _mastodon_server(api, instance)
        client = store.registered_client(c.engine, c.keyring, instance, redirect_uri)
        if client is None:
            auth = PLATFORMS[Platform.MASTODON]
            registered = api.call("POST", server["register"], "registrering av Innboks på instansen", data={
                "client_name": f"{CLIENT_NAME} ({c.settings.municipality})", "redirect_uris": redirect_uri,
                "scopes": " ".join(auth.scopes), "website": c.settings.official_website})
            if not isinstance(registered, dict) or not registered.get("client_id") or not registered.get(
                    "client_secret"):
                raise ConnectError("instansen registrerte ikke Innboks (mangler client_id)")
            client = {"client_id": str(registered["client_id"]), "client_secret": str(registered["client_secret"])}
            store.save_client(c.engine, c.keyring, instance, redirect_uri, client)
    finally:
        api.close()
    state, verifier = oauth.new_state(), oauth.new_verifier() if server["pkce"] else None
    store.create_flow(c.engine, c.keyring, state, Platform.MASTODON, user, redirect_uri,
                      {"verifier": verifier, "instance": instance, "server": server, "client": client}, c.clock())
    auth = PLATFORMS[Platform.MASTODON]
    return oauth.authorization_url(auth, Client(client["client_id"], client["client_secret"]), redirect_uri,
                                   state, verifier, instance=instance, extra={"force_login": "true"},
                                   authorize=server["authorize"])


def start_bluesky(c: Connecting, user: str, handle: str, app_password: str) -> str:
    """A session with the handle and an app password; the connection under way, at the review step."""
    handle = handle.strip().removeprefix("@")
    if not handle or not app_password.strip():
        raise ConnectError("skriv inn både brukernavn (handle) og app-passord")
    api = Api(c.base_url(Platform.BLUESKY))
    try:
        candidates = platforms.bluesky_candidates(api, handle, app_password.strip())
    finally:
        api.close()
    state = oauth.new_state()
    ident = store.create_flow(c.engine, c.keyring, state, Platform.BLUESKY, user, "", {}, c.clock())
    store.advance_flow(c.engine, c.keyring, ident, "authorizing", "choosing",
                       {"candidates": [candidate.to_json() for candidate in candidates]})
    return ident


# --- 2: back from the platform -----------------------------------------------------------------------------

def complete(c: Connecting, platform: Platform, user: str | None, state: str, code: str | None,
             error: str | None = None) -> str:
    """Exchange the code for tokens and read the accounts to choose from; the flow's id."""
    ident = store.flow_id(state)
    try:
        flow = store.load_flow(c.engine, c.keyring, ident, user, "authorizing", c.clock())
    except AccountStoreError as exc:
        raise ConnectError(str(exc)) from None
    if flow.platform is not platform:
        raise ConnectError("svaret kom fra en annen plattform enn tilkoblingen ble startet for")
    if error or not code:
        store.finish_flow(c.engine, ident)
        raise ConnectError(f"plattformen ga ikke tilgang ({error or 'ingen kode'})")
    now = c.clock()
    verifier = flow.data.get("verifier")
    if platform is Platform.MASTODON:
        client = Client(flow.data["client"]["client_id"], flow.data["client"]["client_secret"])
        token = oauth.exchange_code(flow.data["server"]["token"], client, code, flow.redirect_uri, verifier)
        api = Api(None)
        try:
            candidates = platforms.mastodon_candidates(api, token, flow.data["instance"])
        finally:
            api.close()
    else:
        auth = PLATFORMS[platform]
        client = _client(platform, c.settings)
        base = c.base_url(platform)
        meta = platform in (Platform.FACEBOOK, Platform.INSTAGRAM)
        token = oauth.exchange_code(rebase_url(auth.token_url, base), client, code, flow.redirect_uri, verifier,
                                    method="GET" if meta else "POST")
        api = Api(base)
        try:
            if meta:
                candidates = platforms.meta_candidates(api, token, client.client_id, str(client.client_secret), now)
            elif platform is Platform.LINKEDIN:
                candidates = platforms.linkedin_candidates(api, token, client.client_id, now)
            elif platform is Platform.YOUTUBE:
                candidates = platforms.youtube_candidates(api, token, client.client_id, now)
            else:
                candidates = platforms.x_candidates(api, token, client.client_id, now)
        finally:
            api.close()
    if base := c.base_url(platform):
        for candidate in candidates:  # a stand-in or proxy: the connector reads through it too
            candidate.options.setdefault("base_url", base)
    store.advance_flow(c.engine, c.keyring, ident, "authorizing", "choosing",
                       {"candidates": [candidate.to_json() for candidate in candidates],
                        "reconnect": flow.data.get("reconnect"), "instance": flow.data.get("instance")})
    return ident


# --- 3: review and confirm -------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Choice:
    candidate: Candidate
    admin: AdminResult
    profile: ProfileCheck
    #: connected (in Kontoer already), registry (in the YAML only), or new.
    known: str
    owning_unit: str
    preselected: bool


@dataclass(frozen=True)
class Review:
    flow_id: str
    platform: Platform
    choices: list[Choice]
    refuse_without_admin: bool


def _checks(c: Connecting, candidate: Candidate) -> tuple[AdminResult, ProfileCheck]:
    unit = c.registry.communication_unit
    admins = set(candidate.admins) if candidate.admins is not None else None
    ids = unit.admins.get(candidate.platform, [])
    if candidate.platform is Platform.INSTAGRAM and not ids:
        ids = unit.admins.get(Platform.FACEBOOK, [])  # an Instagram account's admins are its Page's people
    result = admin_check(ids, admins,
                         PLATFORMS[candidate.platform].exposes_roles, unit.name)
    return result, check_profile(candidate.profile, c.settings.municipality, c.settings.official_website)


def review(c: Connecting, ident: str, user: str | None) -> Review:
    try:
        flow = store.load_flow(c.engine, c.keyring, ident, user, "choosing", c.clock())
    except AccountStoreError as exc:
        raise ConnectError(str(exc)) from None
    connected = {account.key for account in store.list_connected(c.engine)}
    in_registry = {account.key: account for account in c.registry.accounts}
    wanted = flow.data.get("reconnect")
    choices = []
    for data in flow.data.get("candidates", []):
        candidate = Candidate.from_json(data)
        admin, profile = _checks(c, candidate)
        known = "connected" if candidate.key in connected else "registry" if candidate.key in in_registry else "new"
        unit = in_registry[candidate.key].owning_unit if candidate.key in in_registry else \
            c.registry.communication_unit.name
        # Reconnecting: that account; else the flow's platform's accounts not connected yet.
        preselected = candidate.account_id == wanted if wanted else (
            candidate.platform is flow.platform and known != "connected")
        choices.append(Choice(candidate, admin, profile, known, unit, preselected))
    return Review(ident, flow.platform, choices, c.registry.communication_unit.require_admin)


@dataclass(frozen=True)
class Confirmed:
    accounts: list[ConnectedAccount]
    reconnected: list[str]
    warnings: list[str]


def confirm(c: Connecting, ident: str, user: str | None, actor: str, selected: Sequence[str],
            assessment: Mapping[str, str], owning_unit: str | None = None, sla_policy: str | None = None
            ) -> Confirmed:
    """Store the chosen accounts (refusing or warning on the guideline's checks) and tell the others."""
    current = review(c, ident, user)
    chosen = [choice for choice in current.choices if choice.candidate.key in set(selected)]
    if not chosen:
        raise ConnectError("velg minst én konto")
    policy = (sla_policy or "").strip() or None
    if policy is not None and policy not in c.registry.sla.all_policy_configs:
        raise ConnectError(f"ukjent SLA-policy {policy!r}")
    answers = {key: str(value).strip() for key, value in assessment.items() if isinstance(value, str)}
    warnings: list[str] = []
    for choice in chosen:
        if choice.known != "connected" and (problems := assessment_problems(answers)):
            raise ConnectError("vurderingen før en konto tas i bruk mangler: " + "; ".join(problems))
        if choice.admin.check == "missing":
            if current.refuse_without_admin:
                raise ConnectError(f"{choice.candidate.name}: {choice.admin.reason}")
            warnings.append(f"{choice.candidate.name}: {choice.admin.reason}")
        if choice.profile.status == "warn":
            warnings.append(f"{choice.candidate.name}: " + "; ".join(choice.profile.findings))
    now = c.clock()
    stored: list[ConnectedAccount] = []
    reconnected: list[str] = []
    for choice in chosen:
        candidate = choice.candidate
        webhook = None
        if candidate.platform in (Platform.FACEBOOK, Platform.INSTAGRAM):
            api = Api(c.base_url(candidate.platform))
            try:
                page = candidate.account_id if candidate.platform is Platform.FACEBOOK else \
                    str(candidate.options.get("page_id"))
                webhook = platforms.subscribe_webhooks(api, page, candidate.secrets["access_token"], now)
            finally:
                api.close()
            if not webhook["subscribed"]:
                warnings.append(f"{candidate.name}: abonnementet på webhooks feilet ({webhook['detail']}); "
                                "kontoen leses likevel ved polling")
        new = NewConnection(
            platform=candidate.platform, account_id=candidate.account_id, name=candidate.name,
            owning_unit=(owning_unit or "").strip() or choice.owning_unit, credential_kind=candidate.credential_kind,
            secrets=candidate.secrets, sla_policy=policy or "standard", options=candidate.options,
            token_expires_at=candidate.token_expires_at, access_expires_at=candidate.access_expires_at,
            scopes=candidate.scopes, assessment={**answers, "by": actor, "at": now.isoformat()}
            if choice.known != "connected" or not assessment_problems(answers) else None,
            admin_check=choice.admin.check, admin_detail=choice.admin.reason,
            profile_check=choice.profile.as_json(), webhook=webhook)
        try:
            account, again = store.save_connection(c.engine, c.keyring, new, actor, now)
        except AccountStoreError as exc:
            raise ConnectError(str(exc)) from None
        stored.append(account)
        if again:
            reconnected.append(account.key)
        warnings += announce(c, account, actor)
    store.finish_flow(c.engine, ident)
    return Confirmed(stored, reconnected, warnings)


def announce(c: Connecting, account: ConnectedAccount, actor: str, connected: bool = True) -> list[str]:
    """Tell the other processes on ``innboks.control`` (a warning when Kafka cannot be reached)."""
    if c.publish is None:
        return ["Kafka er ikke satt opp: arbeiderne får vite om kontoen når de starter på nytt"]
    event = AccountEvent(platform=account.platform, account_id=account.account_id, name=account.name,
                         owning_unit=account.owning_unit, sla_policy=account.sla_policy,
                         active=connected and not account.paused, connected=connected,
                         credentials_version=account.credentials_version, set_by=actor, at=c.clock())
    try:
        c.publish(CONTROL, event.key.encode(), event.to_json_bytes())
    except Exception as exc:  # noqa: BLE001 - the account is stored; the runner reads it from the store anyway
        log.warning("could not publish %s to %s: %s", event.key, CONTROL, type(exc).__name__)
        return [f"kunne ikke sende kontoen til {CONTROL} ({type(exc).__name__}); arbeiderne får vite om den "
                "når de starter på nytt"]
    return []


def set_paused(c: Connecting, platform: Platform, account_id: str, paused: bool, reason: str | None,
               actor: str) -> list[str]:
    try:
        store.set_paused(c.engine, platform, account_id, paused, reason, actor)
    except AccountStoreError as exc:
        raise ConnectError(str(exc)) from None
    account = store.get_connected(c.engine, platform, account_id)
    assert account is not None
    return announce(c, account, actor)


def disconnect(c: Connecting, platform: Platform, account_id: str, actor: str) -> list[str]:
    """Forget the account's credentials, revoking them at the platform where that touches only this
    account (Meta's revocation removes the app for the person, and with it their other Pages)."""
    account = store.get_connected(c.engine, platform, account_id)
    if account is None:
        raise ConnectError(f"{platform.value} {account_id} er ikke koblet til i Kontoer")
    warnings = []
    auth = PLATFORMS[platform]
    secrets = store.read_secrets(c.engine, c.keyring, platform, account_id)
    if auth.revoke_url and platform in (Platform.LINKEDIN, Platform.YOUTUBE, Platform.X, Platform.MASTODON):
        token = secrets.get("refresh_token") or secrets.get("access_token")
        try:
            if platform is Platform.MASTODON:
                instance = str(account.options.get("instance_url"))
                registered = next(iter(store.instance_clients(c.engine, c.keyring, instance)), None)
                client = Client(registered["client_id"], registered["client_secret"]) if registered else None
                url = instance + auth.revoke_url
            else:
                client, url = _client(platform, c.settings), rebase_url(auth.revoke_url, c.base_url(platform))
            if client is None or not token or not oauth.revoke(url, client, str(token),
                                                               "refresh_token" if secrets.get("refresh_token")
                                                               else "access_token"):
                warnings.append("plattformen bekreftet ikke at tilgangen ble trukket tilbake")
        except ConnectError as exc:
            warnings.append(str(exc))
    store.disconnect(c.engine, platform, account_id, actor)
    return warnings + announce(c, account, actor, connected=False)

