"""The OAuth 2 authorization-code grant as the platforms speak it (RFC 6749, PKCE RFC 7636, revocation
RFC 7009), on Authlib's requests client.

The platform table (``innboks.domain.platform_auth``) says where each endpoint is, which scopes to ask
for, whether PKCE is used and how the client authenticates; ``base_url`` replaces scheme and host of
those URLs (the tests' and the demo's stand-ins, or a proxy). Errors become ``ConnectError`` with a
message for the administrator that never contains a token.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import requests
from authlib.common.errors import AuthlibBaseError
from authlib.integrations.requests_client import OAuth2Session

from innboks.domain.platform_auth import PlatformAuth, rebase_url

TIMEOUT = 20.0


class ConnectError(Exception):
    """Connecting failed: a message for the administrator (bokmål), never a secret."""


@dataclass(frozen=True)
class Client:
    """An app at a platform: its id, its secret, and how it authenticates at the token endpoint."""

    client_id: str
    client_secret: str | None
    auth: str = "body"  # body: client_secret_post; basic: client_secret_basic

    @property
    def method(self) -> str:
        if not self.client_secret:
            return "none"
        return "client_secret_basic" if self.auth == "basic" else "client_secret_post"


def new_state() -> str:
    return secrets.token_urlsafe(32)


def new_verifier() -> str:
    """A PKCE code verifier: 64 characters of the unreserved set (RFC 7636 §4.1 asks for 43 to 128)."""
    return secrets.token_urlsafe(48)


def endpoint(url: str, base_url: str | None, instance: str | None = None) -> str:
    """The endpoint's URL: on the account's instance (Mastodon: a path), else rebased if asked."""
    if instance is not None and url.startswith("/"):
        return instance.rstrip("/") + url
    return rebase_url(url, base_url)


def authorization_url(auth: PlatformAuth, client: Client, redirect_uri: str, state: str, verifier: str | None,
                      base_url: str | None = None, instance: str | None = None,
                      extra: Mapping[str, str] | None = None, scopes: tuple[str, ...] | None = None,
                      authorize: str | None = None) -> str:
    """Where the administrator's browser goes to authorize Innboks (with PKCE when ``verifier`` is given);
    ``authorize`` is an endpoint the server announced itself (RFC 8414), else the table's."""
    session = OAuth2Session(client.client_id, code_challenge_method="S256" if verifier else None)
    params: dict[str, Any] = dict(auth.authorize_params)
    params.update(extra or {})
    wanted = auth.scopes if scopes is None else scopes
    if wanted:
        params["scope"] = auth.scope_separator.join(wanted)
    target = authorize or endpoint(auth.authorize_url, base_url, instance)
    url, _ = session.create_authorization_url(target, state=state, code_verifier=verifier, redirect_uri=redirect_uri,
                                              **params)
    session.close()
    return str(url)


def _session(client: Client) -> OAuth2Session:
    return OAuth2Session(client.client_id, client.client_secret, token_endpoint_auth_method=client.method,
                         revocation_endpoint_auth_method=client.method, default_timeout=TIMEOUT)


def exchange_code(token_url: str, client: Client, code: str, redirect_uri: str, verifier: str | None,
                  method: str = "POST") -> dict[str, Any]:
    """The token answer for an authorization code (``access_token``, maybe ``refresh_token`` and lifetimes).

    ``method="GET"`` is Meta's documented form: every parameter, the client secret too, in the query of
    ``GET /oauth/access_token`` (Authlib's client authentication only fills a request body).
    """
    if method == "GET":
        return _exchange_by_get(token_url, client, code, redirect_uri)
    session = _session(client)
    extra: dict[str, Any] = {"code_verifier": verifier} if verifier else {}
    try:
        token = session.fetch_token(token_url, method=method, grant_type="authorization_code", code=code,
                                    redirect_uri=redirect_uri, **extra)
    except AuthlibBaseError as exc:
        raise ConnectError(f"plattformen avviste innloggingskoden ({exc.error})") from None
    except (requests.RequestException, ValueError) as exc:
        raise ConnectError(f"fikk ikke kontakt med plattformens token-tjeneste ({type(exc).__name__})") from None
    finally:
        session.close()
    if not token.get("access_token"):
        raise ConnectError("plattformen svarte uten access_token")
    return dict(token)


def _exchange_by_get(token_url: str, client: Client, code: str, redirect_uri: str) -> dict[str, Any]:
    params = {"client_id": client.client_id, "client_secret": client.client_secret or "", "redirect_uri": redirect_uri,
              "code": code}
    try:
        response = requests.get(token_url, params=params, timeout=TIMEOUT)
        body = response.json()
    except (requests.RequestException, ValueError) as exc:
        raise ConnectError(f"fikk ikke kontakt med plattformens token-tjeneste ({type(exc).__name__})") from None
    if response.status_code >= 400 or not isinstance(body, dict) or not body.get("access_token"):
        error = body.get("error") if isinstance(body, dict) else None
        code_name = (error.get("type") or error.get("code")) if isinstance(error, dict) else error
        raise ConnectError(f"plattformen avviste innloggingskoden ({code_name or response.status_code})")
    return body


def refresh(token_url: str, client: Client, refresh_token: str) -> dict[str, Any]:
    session = _session(client)
    try:
        return dict(session.refresh_token(token_url, refresh_token=refresh_token))
    except AuthlibBaseError as exc:
        raise ConnectError(f"plattformen avviste fornyelsen ({exc.error})") from None
    except (requests.RequestException, ValueError) as exc:
        raise ConnectError(f"fikk ikke kontakt med plattformens token-tjeneste ({type(exc).__name__})") from None
    finally:
        session.close()


def revoke(revoke_url: str, client: Client, token: str, hint: str = "access_token") -> bool:
    """Revoke a token (RFC 7009); whether the platform confirmed it."""
    session = _session(client)
    try:
        response = session.revoke_token(revoke_url, token=token, token_type_hint=hint)
    except (AuthlibBaseError, requests.RequestException):
        return False
    finally:
        session.close()
    return bool(response is not None and response.status_code < 300)
