"""How each platform authorizes Innboks, and how long what it hands out lives (pure data).

One table, read by the connect flow (``innboks/accounts/``: where to send the administrator, what to
ask for, whether PKCE is used) and by the connectors' token refresh (``connectors/auth.py``: the token
endpoint and how the client authenticates). The lifetimes and refresh rules are the platforms' own,
with the page that documents each (docs/accounts.md lists them); ``reconnect_by`` turns a token
answer into the date by which an administrator must connect the account again.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Literal
from urllib.parse import quote, urlsplit, urlunsplit

from schemas import Platform

#: Days before a token must be renewed when administrators are warned (banner, metric, alerts).
WARNING_DAYS = (14, 7, 1)
#: A token within this many days of its end is ``token_expiring``.
EXPIRING_WITHIN = timedelta(days=WARNING_DAYS[0])

Flow = Literal["oauth2", "mastodon", "app_password"]
ClientAuth = Literal["body", "basic"]


@dataclass(frozen=True)
class TokenLifetime:
    """What a platform documents about the life of its tokens."""

    #: The access token's life; None: it does not expire by time.
    access: timedelta | None
    #: The refresh token's (or, for Meta, the Page token's) life; None: no fixed end.
    refresh: timedelta | None
    #: A refresh hands out a new refresh token and the old one stops working (X).
    refresh_rotates: bool = False
    #: A refresh restarts the refresh token's life (False: it keeps counting from the first grant: LinkedIn).
    refresh_extends: bool = False
    #: When the platform ends a token before its time, in its own words (shown in docs and Kontoer).
    ends_early: tuple[str, ...] = ()
    #: The pages that say so.
    sources: tuple[str, ...] = ()


@dataclass(frozen=True)
class PlatformAuth:
    platform: Platform
    flow: Flow
    #: Authorization endpoint (OAuth 2), or the instance path (Mastodon: ``/oauth/authorize``).
    authorize_url: str = ""
    token_url: str = ""
    revoke_url: str | None = None
    scopes: tuple[str, ...] = ()
    scope_separator: str = " "
    #: PKCE (RFC 7636, S256) sent with the authorization request.
    pkce: bool = False
    client_auth: ClientAuth = "body"
    #: Extra parameters of the authorization request (Google: offline access and a fresh consent).
    authorize_params: Mapping[str, str] = field(default_factory=dict)
    lifetime: TokenLifetime = TokenLifetime(None, None)
    #: Another platform's flow connects this one (Instagram professional accounts: Facebook Login).
    via: Platform | None = None
    #: Whether the platform tells who administers an account (the guideline's co-admin check).
    exposes_roles: bool = False
    #: Which profile fields the API shows (the guideline's "run by the municipality" check).
    profile_fields: tuple[str, ...] = ()
    #: Why PKCE is not used where it is not.
    pkce_note: str = ""


META_VERSION = "v24.0"
META_LIFETIME = TokenLifetime(
    access=timedelta(days=60),  # the long-lived user token the Page tokens are read with
    refresh=None,  # a Page token from a long-lived user token has no expiry date
    ends_early=("the person loses the Page task or changes password", "the app is removed or its access revoked",
                "data access expires (90 days; debug_token's data_access_expires_at)"),
    sources=("https://developers.facebook.com/docs/facebook-login/guides/access-tokens/get-long-lived",
             "https://developers.facebook.com/docs/facebook-login/auth-vs-data",
             "https://developers.facebook.com/docs/facebook-login/guides/access-tokens/debugging"),
)
META_SCOPES = ("pages_show_list", "pages_read_engagement", "pages_read_user_content", "pages_manage_metadata",
               "pages_manage_engagement", "pages_messaging", "business_management", "instagram_basic",
               "instagram_manage_comments", "instagram_manage_messages")
META_PKCE_NOTE = ("Meta documents PKCE only for its OpenID Connect login, marked as still in testing; the "
                  "confidential client with its app secret and state is used")

PLATFORMS: dict[Platform, PlatformAuth] = {
    Platform.FACEBOOK: PlatformAuth(
        Platform.FACEBOOK, "oauth2",
        authorize_url=f"https://www.facebook.com/{META_VERSION}/dialog/oauth",
        token_url=f"https://graph.facebook.com/{META_VERSION}/oauth/access_token",
        revoke_url=f"https://graph.facebook.com/{META_VERSION}/me/permissions",
        scopes=META_SCOPES, scope_separator=",", lifetime=META_LIFETIME, exposes_roles=True,
        profile_fields=("name", "about", "website"), pkce_note=META_PKCE_NOTE),
    Platform.INSTAGRAM: PlatformAuth(
        Platform.INSTAGRAM, "oauth2",
        authorize_url=f"https://www.facebook.com/{META_VERSION}/dialog/oauth",
        token_url=f"https://graph.facebook.com/{META_VERSION}/oauth/access_token",
        revoke_url=f"https://graph.facebook.com/{META_VERSION}/me/permissions",
        scopes=META_SCOPES, scope_separator=",", lifetime=META_LIFETIME, via=Platform.FACEBOOK,
        exposes_roles=True, profile_fields=("name", "biography", "website"), pkce_note=META_PKCE_NOTE),
    Platform.LINKEDIN: PlatformAuth(
        Platform.LINKEDIN, "oauth2",
        authorize_url="https://www.linkedin.com/oauth/v2/authorization",
        token_url="https://www.linkedin.com/oauth/v2/accessToken",
        revoke_url="https://www.linkedin.com/oauth/v2/revoke",
        scopes=("r_organization_social", "r_organization_social_feed", "w_organization_social_feed",
                "rw_organization_admin"),
        lifetime=TokenLifetime(
            access=timedelta(days=60), refresh=timedelta(days=365), refresh_extends=False,
            ends_early=("the member revokes the app", "LinkedIn revokes tokens for technical or policy reasons"),
            sources=("https://learn.microsoft.com/en-us/linkedin/shared/authentication/programmatic-refresh-tokens",
                     "https://learn.microsoft.com/en-us/linkedin/shared/authentication/"
                     "authorization-code-flow")),
        exposes_roles=True, profile_fields=("localizedName", "localizedDescription", "localizedWebsite"),
        pkce_note="LinkedIn offers PKCE only to native apps through a separate product; the web flow uses the "
                  "client secret and state"),
    Platform.YOUTUBE: PlatformAuth(
        Platform.YOUTUBE, "oauth2",
        authorize_url="https://accounts.google.com/o/oauth2/v2/auth",
        token_url="https://oauth2.googleapis.com/token",
        revoke_url="https://oauth2.googleapis.com/revoke",
        scopes=("https://www.googleapis.com/auth/youtube.force-ssl",), pkce=True,
        authorize_params={"access_type": "offline", "prompt": "consent", "include_granted_scopes": "true"},
        lifetime=TokenLifetime(
            access=timedelta(hours=1), refresh=None,
            ends_early=("revoked at myaccount.google.com/permissions", "unused for six months",
                        "more than 100 refresh tokens for one Google Account and client",
                        "7 days while the OAuth consent screen is in Testing with external users"),
            sources=("https://developers.google.com/identity/protocols/oauth2#expiration",
                     "https://developers.google.com/identity/protocols/oauth2/web-server")),
        profile_fields=("title", "description")),
    Platform.X: PlatformAuth(
        Platform.X, "oauth2",
        authorize_url="https://x.com/i/oauth2/authorize",
        token_url="https://api.x.com/2/oauth2/token",
        revoke_url="https://api.x.com/2/oauth2/revoke",
        scopes=("tweet.read", "tweet.write", "users.read", "dm.read", "dm.write", "tweet.moderate.write",
                "offline.access"),
        pkce=True, client_auth="basic",
        lifetime=TokenLifetime(
            access=timedelta(hours=2), refresh=None, refresh_rotates=True,
            ends_early=("the app's access is revoked under Settings → Security and account access",
                        "a refresh token is used twice (each refresh replaces it)"),
            sources=("https://docs.x.com/fundamentals/authentication/oauth-2-0/authorization-code",
                     "https://docs.x.com/fundamentals/authentication/oauth-2-0/user-access-token")),
        profile_fields=("name", "description", "url")),
    Platform.MASTODON: PlatformAuth(
        Platform.MASTODON, "mastodon",
        authorize_url="/oauth/authorize", token_url="/oauth/token", revoke_url="/oauth/revoke",
        scopes=("read:accounts", "read:notifications", "read:statuses", "write:statuses"),
        pkce=True,  # when the instance advertises S256 (Mastodon 4.3 and later)
        lifetime=TokenLifetime(
            access=None, refresh=None,
            ends_early=("revoked under Preferences → Account → Authorized apps", "the application is deleted",
                        "the account's password is reset"),
            sources=("https://docs.joinmastodon.org/methods/oauth/", "https://docs.joinmastodon.org/methods/apps/",
                     "https://docs.joinmastodon.org/entities/Application/")),
        profile_fields=("display_name", "note", "fields")),
    Platform.BLUESKY: PlatformAuth(
        Platform.BLUESKY, "app_password",
        token_url="https://bsky.social/xrpc/com.atproto.server.createSession",
        lifetime=TokenLifetime(
            access=timedelta(minutes=120), refresh=timedelta(days=90),
            ends_early=("the app password is revoked under Settings → Privacy and security → App passwords",),
            sources=("https://docs.bsky.app/docs/api/com-atproto-server-create-session",
                     "https://github.com/bluesky-social/atproto/blob/main/packages/pds/src/account-manager/"
                     "helpers/auth.ts")),
        profile_fields=("displayName", "description")),
}


def auth_of(platform: Platform) -> PlatformAuth:
    return PLATFORMS[platform]


def rebase_url(url: str, base_url: str | None) -> str:
    """Replace scheme and host (and port) of ``url`` with those of ``base_url``, keeping the path under
    ``base_url``'s own path (proxies, recorded APIs, the demo's and the tests' stand-ins)."""
    if not base_url:
        return url
    base = urlsplit(base_url)
    if not base.scheme or not base.netloc:
        raise ValueError(f"base URL must look like scheme://host[:port], got {base_url!r}")
    parts = urlsplit(url)
    prefix = base.path.rstrip("/")
    return urlunsplit((base.scheme, base.netloc, prefix + parts.path, parts.query, parts.fragment))


def reconnect_path(platform: Platform, account_id: str) -> str:
    """Where an administrator connects an account again (Kontoer's button; the executor's token failures)."""
    return f"/kontoer/koble-til/{platform.value}?konto={quote(account_id, safe='')}"


def seconds(value: object) -> float | None:
    """A positive lifetime in seconds from a token answer (``expires_in``), else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)) and value > 0:
        return float(value)
    if isinstance(value, str) and value.strip().isdigit() and int(value) > 0:
        return float(value)
    return None


def reconnect_by(platform: Platform, issued_at: datetime, expires_in: object = None,
                 refresh_expires_in: object = None, data_access_expires_at: datetime | None = None,
                 has_refresh_token: bool = False) -> datetime | None:
    """When an administrator must connect the account again, or None when nothing ends by time.

    A platform that refreshes by itself ends when its refresh token does (LinkedIn: 365 days from the
    first grant, or what ``refresh_token_expires_in`` says); without a refresh token, when the access
    token does (LinkedIn without programmatic refresh: 60 days). Meta's Page tokens have no expiry date
    but lose data access (``data_access_expires_at``), which is treated as the date to reconnect by.
    """
    auth = PLATFORMS[platform]
    if auth.flow == "app_password":
        return None  # the connector logs in again with the app password
    if data_access_expires_at is not None:
        return data_access_expires_at
    if has_refresh_token:
        refresh = seconds(refresh_expires_in)
        if refresh is not None:
            return issued_at + timedelta(seconds=refresh)
        if auth.lifetime.refresh is not None and not auth.lifetime.refresh_extends:
            return issued_at + auth.lifetime.refresh
        return None
    access = seconds(expires_in)
    if access is not None:
        return issued_at + timedelta(seconds=access)
    return None


Status = Literal["active", "token_expiring", "token_invalid", "paused", "not_connected"]
STATUSES: tuple[Status, ...] = ("active", "token_expiring", "token_invalid", "paused", "not_connected")


def account_status(*, has_credentials: bool, enabled: bool, paused: bool, token_rejected: bool,
                   token_expires_at: datetime | None, now: datetime) -> Status:
    """An account's status in Kontoer and ``GET /api/accounts`` (DESIGN.md, "Accounts").

    ``not_connected``: no credentials at all. ``paused``: switched off (the registry's ``enabled: false``
    or paused in Kontoer). ``token_invalid``: the platform refused the credentials, or the token's end has
    passed. ``token_expiring``: it ends within 14 days. Otherwise ``active``.
    """
    if not has_credentials:
        return "not_connected"
    if paused or not enabled:
        return "paused"
    if token_rejected or (token_expires_at is not None and token_expires_at <= now):
        return "token_invalid"
    if token_expires_at is not None and token_expires_at - now <= EXPIRING_WITHIN:
        return "token_expiring"
    return "active"


def warning_step(token_expires_at: datetime | None, now: datetime) -> int | None:
    """The warning a token has reached: 14, 7 or 1 (days left at most), or None."""
    if token_expires_at is None:
        return None
    left = token_expires_at - now
    reached = [days for days in WARNING_DAYS if left <= timedelta(days=days)]
    return min(reached) if reached else None
