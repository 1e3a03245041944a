"""A stand-in OAuth 2 authorization server, as the platforms run theirs: the demo's and the tests'.

It speaks the published protocol, not a shortcut of it:

- **authorize** (RFC 6749 §4.1.1): the client and its redirect URI are checked first, and a wrong one
  gets an error page, never a redirect (§4.1.2.1). A valid request shows a consent page; *Tillat*
  redirects with a one-time ``code`` and the ``state``, *Avslå* with ``error=access_denied``. PKCE
  (RFC 7636) is checked with S256 where the request carried a challenge, and required where the
  platform requires it (X);
- **token** (§4.1.3, §6): the code once, within ten minutes, for the same redirect URI and client, the
  verifier where there was a challenge; client authentication as the platform takes it (HTTP Basic,
  or ``client_id``/``client_secret`` in the body); refresh tokens that rotate where the platform rotates
  them (X: the old one is refused afterwards) and that do not outlive their first grant where the
  platform says so (LinkedIn); answers with ``Cache-Control: no-store`` and RFC 6749 error bodies;
- **revoke** (RFC 7009): 200 for any token of the client, known or not.

Every issued token can be asked about (``valid``), expired or revoked by a test (``expire_all``,
``revoke_subject``), so the stand-in APIs built on it refuse what the real ones would.
"""

from __future__ import annotations

import base64
import hashlib
import html
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

CODE_SECONDS = 600.0


@dataclass
class Grant:
    """What a person allowed: a subject (the user), a client, scopes, and when it was first granted."""

    subject: str
    client_id: str
    scopes: tuple[str, ...]
    granted_at: float


@dataclass
class Token:
    value: str
    kind: str  # access | refresh
    grant: Grant
    expires_at: float | None
    revoked: bool = False
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass
class Spec:
    """How one platform's authorization server behaves."""

    name: str
    access_seconds: float | None = 3600.0
    refresh: bool = True
    refresh_seconds: float | None = None
    #: A refresh returns a new refresh token and the old one stops working (X).
    rotates: bool = False
    #: A refreshed refresh token keeps the first grant's end (LinkedIn: 365 days from the first grant).
    refresh_from_grant: bool = False
    pkce_required: bool = False
    #: basic | body | either
    client_auth: str = "either"
    token_methods: tuple[str, ...] = ("POST",)
    #: A refresh token only when the authorization request asked for offline access: a parameter
    #: (Google: ``access_type=offline``) or a scope (X: ``offline.access``).
    refresh_param: tuple[str, str] | None = None
    refresh_scope: str | None = None


def s256(verifier: str) -> str:
    return base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()


def _token_value(prefix: str) -> str:
    return f"{prefix}-{secrets.token_urlsafe(24)}"


class AuthorizationServer:
    """The OAuth 2 state of one platform: clients, pending consents, codes and tokens."""

    def __init__(self, spec: Spec, clock: Callable[[], float] = time.time) -> None:
        self.spec = spec
        self.clock = clock
        self.clients: dict[str, tuple[str, set[str] | None]] = {}
        self._pending: dict[str, dict[str, Any]] = {}
        self._codes: dict[str, dict[str, Any]] = {}
        self.tokens: dict[str, Token] = {}
        #: Who the next consent signs in as (the person at the platform) and what they may see.
        self.subject = "person-1"
        self.lock = threading.Lock()
        self.requests: list[str] = []

    # -- set-up ----------------------------------------------------------------------------------------
    def register_client(self, client_id: str, secret: str, redirect_uris: set[str] | None = None) -> None:
        """A client; ``redirect_uris`` None allows any loopback redirect (RFC 8252 §7.3), as for native apps."""
        self.clients[client_id] = (secret, redirect_uris)

    def issue(self, subject: str, client_id: str, kind: str = "access", seconds: float | None = None,
              **extra: Any) -> str:
        """A token issued outside a flow (a Page token read with a user token, the demo's first page)."""
        grant = Grant(subject, client_id, (), self.clock())
        value = _token_value(kind)
        with self.lock:
            self.tokens[value] = Token(value, kind, grant, self.clock() + seconds if seconds else None, extra=extra)
        return value

    # -- checks for the resource servers ------------------------------------------------------------------
    def valid(self, value: str | None) -> Token | None:
        token = self.tokens.get(value or "")
        if token is None or token.revoked or (token.expires_at is not None and token.expires_at <= self.clock()):
            return None
        return token

    def known(self, value: str | None) -> bool:
        return (value or "") in self.tokens

    def revoke_subject(self, subject: str) -> int:
        """Revoke every token of a person (they removed the app, or changed their password)."""
        with self.lock:
            hit = [t for t in self.tokens.values() if t.grant.subject == subject and not t.revoked]
            for token in hit:
                token.revoked = True
        return len(hit)

    def expire_subject(self, subject: str) -> int:
        """End every token of a person now (their token's lifetime ran out)."""
        with self.lock:
            hit = [t for t in self.tokens.values() if t.grant.subject == subject and not t.revoked]
            for token in hit:
                token.expires_at = self.clock() - 1
        return len(hit)

    def expire_all(self, kind: str | None = None) -> None:
        with self.lock:
            for token in self.tokens.values():
                if kind is None or token.kind == kind:
                    token.expires_at = self.clock() - 1

    # -- authorize ------------------------------------------------------------------------------------------
    def authorize(self, query: dict[str, str], form_action: str) -> tuple[int, dict[str, str], bytes]:
        """GET: a consent page (or an error page for a client or redirect URI that is not registered)."""
        self.requests.append("authorize")
        client = self.clients.get(query.get("client_id", ""))
        redirect_uri = query.get("redirect_uri", "")
        if client is None or not self._redirect_allowed(client[1], redirect_uri):
            return _page(400, "Ugyldig forespørsel", "Ukjent klient eller redirect_uri som ikke er registrert.")
        state = query.get("state")
        if query.get("response_type") != "code":
            return _redirect(redirect_uri, error="unsupported_response_type", state=state)
        challenge, method = query.get("code_challenge"), query.get("code_challenge_method", "plain")
        if challenge and method != "S256":
            return _redirect(redirect_uri, error="invalid_request", error_description="only S256", state=state)
        if self.spec.pkce_required and not challenge:
            return _redirect(redirect_uri, error="invalid_request", error_description="code_challenge required",
                             state=state)
        request_id = secrets.token_urlsafe(12)
        scopes = tuple(query.get("scope", "").replace(",", " ").split())
        with self.lock:
            self._pending[request_id] = {"client_id": query["client_id"], "redirect_uri": redirect_uri,
                                         "state": state, "challenge": challenge, "scopes": scopes,
                                         "offline": self._offline(query, scopes)}
        body = (f"<p>{html.escape(query['client_id'])} ber om tilgang til kontoen din hos {self.spec.name}: "
                f"{html.escape(' '.join(scopes)) or '(standard)'}.</p>"
                f"<form method=\"post\" action=\"{html.escape(form_action)}\" id=\"consent\">"
                f"<input type=\"hidden\" name=\"request\" value=\"{request_id}\">"
                "<button name=\"decision\" value=\"allow\" id=\"allow\">Tillat</button> "
                "<button name=\"decision\" value=\"deny\" id=\"deny\">Avslå</button></form>")
        return _page(200, f"{self.spec.name}: gi tilgang", body)

    def decide(self, form: dict[str, str]) -> tuple[int, dict[str, str], bytes]:
        """POST from the consent page: a code (allow) or ``access_denied`` (deny), back to the client."""
        with self.lock:
            pending = self._pending.pop(form.get("request", ""), None)
        if pending is None:
            return _page(400, "Ugyldig forespørsel", "Forespørselen er ukjent eller allerede brukt.")
        if form.get("decision") != "allow":
            return _redirect(pending["redirect_uri"], error="access_denied", state=pending["state"])
        code = secrets.token_urlsafe(24)
        with self.lock:
            self._codes[code] = {**pending, "subject": self.subject, "at": self.clock()}
        return _redirect(pending["redirect_uri"], code=code, state=pending["state"])

    def _offline(self, query: dict[str, str], scopes: tuple[str, ...]) -> bool:
        if self.spec.refresh_param is not None:
            key, value = self.spec.refresh_param
            return query.get(key) == value
        if self.spec.refresh_scope is not None:
            return self.spec.refresh_scope in scopes
        return True

    def _redirect_allowed(self, allowed: set[str] | None, redirect_uri: str) -> bool:
        if allowed is not None:
            return redirect_uri in allowed
        host = urlsplit(redirect_uri).hostname
        return host in ("127.0.0.1", "localhost", "::1")

    # -- token ------------------------------------------------------------------------------------------------
    def token(self, method: str, headers: dict[str, str], params: dict[str, str]) -> tuple[int, dict[str, Any]]:
        self.requests.append(f"token:{params.get('grant_type')}")
        if method not in self.spec.token_methods:
            return 405, {"error": "invalid_request", "error_description": f"use {self.spec.token_methods[0]}"}
        client_id = self._client_authenticated(headers, params)
        if client_id is None:
            return 401, {"error": "invalid_client"}
        grant_type = params.get("grant_type")
        if grant_type == "authorization_code":
            return self._code_grant(client_id, params)
        if grant_type == "refresh_token" and self.spec.refresh:
            return self._refresh_grant(client_id, params)
        return 400, {"error": "unsupported_grant_type"}

    def _client_authenticated(self, headers: dict[str, str], params: dict[str, str]) -> str | None:
        basic = headers.get("authorization", "")
        candidates = []
        if basic.lower().startswith("basic ") and self.spec.client_auth in ("basic", "either"):
            try:
                client_id, _, secret = base64.b64decode(basic[6:]).decode().partition(":")
                candidates.append((client_id, secret))
            except ValueError:
                return None
        if params.get("client_secret") and self.spec.client_auth in ("body", "either"):
            candidates.append((params.get("client_id", ""), params["client_secret"]))
        for client_id, secret in candidates:
            known = self.clients.get(client_id)
            if known is not None and secrets.compare_digest(known[0], secret):
                return client_id
        return None

    def _code_grant(self, client_id: str, params: dict[str, str]) -> tuple[int, dict[str, Any]]:
        with self.lock:
            code = self._codes.pop(params.get("code", ""), None)
        if code is None or code["client_id"] != client_id or self.clock() - code["at"] > CODE_SECONDS:
            return 400, {"error": "invalid_grant", "error_description": "unknown, used or expired code"}
        if params.get("redirect_uri") != code["redirect_uri"]:
            return 400, {"error": "invalid_grant", "error_description": "redirect_uri does not match"}
        if code["challenge"] and s256(params.get("code_verifier", "")) != code["challenge"]:
            return 400, {"error": "invalid_grant", "error_description": "code_verifier does not match"}
        grant = Grant(code["subject"], client_id, code["scopes"], self.clock())
        return 200, self._pair(grant, offline=code["offline"])

    def _refresh_grant(self, client_id: str, params: dict[str, str]) -> tuple[int, dict[str, Any]]:
        with self.lock:
            token = self.tokens.get(params.get("refresh_token", ""))
            if token is None or token.kind != "refresh" or token.grant.client_id != client_id or token.revoked or (
                    token.expires_at is not None and token.expires_at <= self.clock()):
                return 400, {"error": "invalid_grant", "error_description": "refresh token invalid or revoked"}
            if self.spec.rotates:
                token.revoked = True
        return 200, self._pair(token.grant, keep_refresh=None if self.spec.rotates else token)

    def _pair(self, grant: Grant, keep_refresh: Token | None = None, offline: bool = True) -> dict[str, Any]:
        now = self.clock()
        access = _token_value("access")
        expires = now + self.spec.access_seconds if self.spec.access_seconds else None
        answer: dict[str, Any] = {"access_token": access, "token_type": "bearer", "scope": " ".join(grant.scopes)}
        with self.lock:
            self.tokens[access] = Token(access, "access", grant, expires)
            if self.spec.access_seconds:
                answer["expires_in"] = int(self.spec.access_seconds)
            if self.spec.refresh and offline:
                if keep_refresh is not None:
                    refresh = keep_refresh.value
                else:
                    refresh = _token_value("refresh")
                    end = (grant.granted_at if self.spec.refresh_from_grant else now) + self.spec.refresh_seconds \
                        if self.spec.refresh_seconds else None
                    self.tokens[refresh] = Token(refresh, "refresh", grant, end)
                answer["refresh_token"] = refresh
                end = self.tokens[refresh].expires_at
                if end is not None:
                    answer["refresh_token_expires_in"] = max(0, int(end - now))
        return answer

    # -- revoke ---------------------------------------------------------------------------------------------------
    def revoke(self, headers: dict[str, str], params: dict[str, str]) -> tuple[int, dict[str, Any]]:
        self.requests.append("revoke")
        client_id = self._client_authenticated(headers, params)
        if client_id is None:
            return 401, {"error": "invalid_client"}
        token = self.tokens.get(params.get("token", ""))
        if token is not None and token.grant.client_id == client_id:
            with self.lock:
                for other in self.tokens.values():  # revoking a refresh token ends its grant's access tokens
                    if other.grant is token.grant or other is token:
                        other.revoked = True
        return 200, {}


def _page(status: int, title: str, body: str) -> tuple[int, dict[str, str], bytes]:
    text = (f"<!doctype html><html lang=\"nb\"><head><meta charset=\"utf-8\"><title>{html.escape(title)}</title>"
            f"</head><body><h1>{html.escape(title)}</h1>{body}</body></html>")
    return status, {"Content-Type": "text/html; charset=utf-8"}, text.encode()


def _redirect(uri: str, **params: str | None) -> tuple[int, dict[str, str], bytes]:
    query = urlencode({k: v for k, v in params.items() if v is not None})
    separator = "&" if urlsplit(uri).query else "?"
    return 302, {"Location": f"{uri}{separator}{query}", "Cache-Control": "no-store"}, b""


def form_params(body: bytes, query: str = "") -> dict[str, str]:
    params = {k: v[-1] for k, v in parse_qs(query).items()}
    params.update({k: v[-1] for k, v in parse_qs(body.decode("utf-8", "replace")).items()})
    return params
