"""Credentials for platform APIs: where secrets come from, and how a session uses them.

Secrets are never written in the account registry. It holds references: ``env:NAME`` (an
environment variable) or ``file:/path`` (a secret file, e.g. a mounted Kubernetes or Docker secret).
Three kinds of credentials cover the platforms:

- ``bearer``: a long-lived token (Facebook/Instagram Page token, Mastodon, Bluesky app session,
  X app-only) sent as ``Authorization: Bearer``;
- ``oauth2``: OAuth 2.0 with a refresh token (LinkedIn, YouTube/Google, X user context). The
  session refreshes the access token before it expires (Authlib's ``OAuth2Session``), and
  a refreshed refresh token is written back to its file when the reference is a file;
- ``oauth1``: OAuth 1.0a user context (X direct messages), signed per request (requests-oauthlib).

Accounts connected in Kontoer have references into the store (``store:``): their refresh is done once
for every process that uses the account (the connector runner, the executor), under the account's row
lock (``innboks.db.accounts.StoreVault.refresh``), because X hands out a new refresh token at every
refresh and refuses the old one. The token endpoint and how the client authenticates come from the
platform table (``innboks/domain/platform_auth.py``) unless the registry names them.

Loaded secrets are ``SecretStr``: they print as ``**********`` and never reach logs.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import requests
from authlib.common.errors import AuthlibBaseError
from authlib.integrations.requests_client import OAuth2Session as AuthlibSession
from requests_oauthlib import OAuth1

from connectors.errors import AuthError
from innboks.config.credentials import (
    AnyCredentials,
    AppPasswordCredentials,
    BearerCredentials,
    CredentialError,
    OAuth1Credentials,
    OAuth2Credentials,
    StoredCredentials,
    resolve,
    secret_backend,
)
from innboks.config.settings import get_settings
from innboks.domain.platform_auth import PLATFORMS, rebase_url
from schemas import Platform

#: Renews a token pair once for all processes: ``(stale access token, grant) → token answer``.
Coordinator = Callable[[str | None, Callable[[str], Mapping[str, Any]]], Mapping[str, Any]]


def token_url_of(credentials: OAuth2Credentials, platform: Platform | None) -> str:
    """The registry's token endpoint, else the platform's (rebased like its API, INNBOKS_PLATFORM_BASE_URLS)."""
    if credentials.token_url:
        return credentials.token_url
    if platform is None or not PLATFORMS[platform].token_url.startswith("https://"):
        raise CredentialError("credentials.token_url is not set and the platform has no fixed token endpoint")
    return rebase_url(PLATFORMS[platform].token_url, get_settings().platform_base_urls.get(platform.value))


def _coordinator(credentials: OAuth2Credentials) -> Coordinator | None:
    kind, _, target = credentials.refresh_token.partition(":")
    backend = secret_backend()
    if kind != "store" or backend is None:
        return None
    return lambda stale, grant: backend.refresh(target, stale, grant)


def open_session(credentials: AnyCredentials, platform: Platform | None = None) -> requests.Session:
    """A requests session that authenticates with these credentials."""
    if isinstance(credentials, BearerCredentials):
        return bearer_session(resolve(credentials.token).get_secret_value())
    if isinstance(credentials, StoredCredentials):
        raise CredentialError("the account is to be connected in Kontoer (credentials type stored), and is not")
    if isinstance(credentials, OAuth2Credentials):
        return RefreshingSession(
            client_id=resolve(credentials.client_id).get_secret_value(),
            client_secret=resolve(credentials.client_secret).get_secret_value() if credentials.client_secret else None,
            refresh_token=resolve(credentials.refresh_token).get_secret_value(),
            token_url=token_url_of(credentials, platform),
            client_auth=credentials.client_auth,
            access_token=resolve(credentials.access_token).get_secret_value() if credentials.access_token else None,
            on_rotate=lambda new: _store_refresh_token(credentials, new),
            coordinator=_coordinator(credentials),
        )
    if isinstance(credentials, OAuth1Credentials):
        session = requests.Session()
        session.auth = OAuth1(
            resolve(credentials.consumer_key).get_secret_value(),
            client_secret=resolve(credentials.consumer_secret).get_secret_value(),
            resource_owner_key=resolve(credentials.access_token).get_secret_value(),
            resource_owner_secret=resolve(credentials.access_token_secret).get_secret_value(),
        )
        return session
    assert isinstance(credentials, AppPasswordCredentials)
    return requests.Session()  # the connector opens the session (Bluesky)


def _store_refresh_token(credentials: OAuth2Credentials, new: str) -> None:
    """Platforms that rotate refresh tokens (X, LinkedIn) invalidate the old one: keep the new."""
    kind, _, target = credentials.refresh_token.partition(":")
    if kind == "file":
        path = Path(target)
        temporary = path.with_name(f".{path.name}.new")
        temporary.write_text(new, encoding="utf-8")
        os.chmod(temporary, 0o600)
        os.replace(temporary, path)


class RefreshingSession(requests.Session):
    """A bearer-token session that renews its access token with the refresh-token grant.

    It refreshes before the first request when no access token is known, shortly before the
    token expires, and once after a 401. The grant itself is Authlib's ``OAuth2Session.refresh_token``.
    A refused refresh is an ``AuthError`` (never retried). An unreachable token endpoint is a
    ``RetriableError``.
    """

    #: Refresh this many seconds before the announced expiry.
    leeway = 60.0

    def __init__(self, client_id: str, client_secret: str | None, refresh_token: str, token_url: str,
                 client_auth: str = "body", access_token: str | None = None,
                 on_rotate: Callable[[str], None] | None = None, clock: Callable[[], float] = time.time,
                 coordinator: Coordinator | None = None) -> None:
        super().__init__()
        self._coordinator = coordinator
        self._access = access_token
        self._client_id = client_id
        self._client_secret = client_secret
        self._refresh_token = refresh_token
        self._token_url = token_url
        self._client_auth = client_auth
        self._on_rotate = on_rotate
        self._clock = clock
        self._expires_at: float | None = None
        self.refreshes = 0
        if access_token:
            self.headers["Authorization"] = f"Bearer {access_token}"

    def request(self, method: str, url: str, *args: Any, **kwargs: Any) -> requests.Response:  # type: ignore[override]
        if "Authorization" not in self.headers or (
            self._expires_at is not None and self._clock() >= self._expires_at - self.leeway
        ):
            self.refresh()
        response = super().request(method, url, *args, **kwargs)
        if response.status_code == 401:
            self.refresh()
            response = super().request(method, url, *args, **kwargs)
        return response

    def refresh(self) -> None:
        if self._coordinator is not None:
            token = self._coordinator(self._access, self._grant)  # the store keeps a rotated refresh token
        else:
            token = self._grant(self._refresh_token)
        self.refreshes += 1
        self._access = str(token["access_token"])
        self.headers["Authorization"] = f"Bearer {self._access}"
        expires_in = token.get("expires_in")
        self._expires_at = self._clock() + float(expires_in) if isinstance(expires_in, (int, float)) else None
        rotated = token.get("refresh_token")
        if rotated and rotated != self._refresh_token:
            self._refresh_token = str(rotated)
            if self._on_rotate is not None and self._coordinator is None:
                self._on_rotate(self._refresh_token)

    def _grant(self, refresh_token: str) -> Mapping[str, Any]:
        """The refresh-token grant at the token endpoint (Authlib, as the connect flow: loopback HTTP is
        allowed for stand-ins, RFC 8252, anything else must be HTTPS)."""
        from connectors.errors import RetriableError

        if not self._client_secret:
            method = "none"
        else:
            method = "client_secret_basic" if self._client_auth == "basic" else "client_secret_post"
        oauth = AuthlibSession(self._client_id, self._client_secret, token_endpoint_auth_method=method)
        try:
            return dict(oauth.refresh_token(self._token_url, refresh_token=refresh_token, timeout=20))
        except (requests.ConnectionError, requests.Timeout) as exc:
            raise RetriableError(f"OAuth 2 token endpoint unreachable: {type(exc).__name__}") from None
        except (AuthlibBaseError, ValueError, KeyError) as exc:
            reason = getattr(exc, "error", None) or type(exc).__name__  # the RFC 6749 error code, e.g. invalid_grant
            raise AuthError(f"OAuth 2 token refresh refused: {reason}") from None
        finally:
            oauth.close()


def bearer_session(token: str) -> requests.Session:
    """A session for a token given directly (``innboks poll --token``)."""
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {token}"
    return session


