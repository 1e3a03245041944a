"""Who is asking: staff sign-in (local passwords or OpenID Connect), sessions, roles and CSRF tokens.

- Pages use a signed session cookie (``SameSite=Lax``, ``Secure`` behind https). Sign-in is a
  local user's password (argon2) or an OpenID Connect identity provider (Entra ID, ID-porten,
  Keycloak …) through Authlib; the provider's role claim maps to reader, operator or admin, and an
  optional unit claim limits the accounts a user sees.
- The JSON API also takes HTTP Basic auth for local users (scripts, the product side's checks).
- Repeated wrong passwords (form or Basic) slow further attempts down (``throttle.py``): 429 with
  ``Retry-After``, before any password is checked.
- Every state-changing request signed in by cookie carries the session's CSRF token (form field
  ``csrf_token`` or header ``X-CSRF-Token``). Basic-auth requests need none: a browser never sends
  them cross-site with a JSON body, and the API accepts only JSON.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import math
import secrets
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.engine import Engine
from starlette.requests import Request

from innboks.web.errors import HttpError
from innboks.web.throttle import LoginThrottle
from innboks.web.users import ROLES, User, authenticate, user_by_name

CSRF_HEADER = "x-csrf-token"
#: Successful Basic-auth checks are remembered this long, so a script's calls do not each cost an argon2 hash.
BASIC_CACHE_SECONDS = 60.0


@dataclass(frozen=True)
class OidcConfig:
    issuer: str
    client_id: str
    client_secret: str | None
    scopes: str = "openid profile email"
    provider_name: str = "Entra ID"
    role_claim: str = "roles"
    roles: Mapping[str, str] = field(default_factory=lambda: {role: role for role in ROLES})
    unit_claim: str | None = None

    @property
    def metadata_url(self) -> str:
        return self.issuer.rstrip("/") + "/.well-known/openid-configuration"

    def role_of(self, claims: Mapping[str, Any]) -> str | None:
        """The highest Innboks role the claims grant, or None."""
        value = claims.get(self.role_claim)
        values = value if isinstance(value, list) else [value]
        granted = {self.roles[v] for v in values if isinstance(v, str) and v in self.roles}
        return max(granted, key=ROLES.index) if granted else None

    def units_of(self, claims: Mapping[str, Any]) -> tuple[str, ...]:
        if not self.unit_claim:
            return ()
        value = claims.get(self.unit_claim)
        values = value if isinstance(value, list) else [value]
        return tuple(sorted(v for v in values if isinstance(v, str) and v))


@dataclass(frozen=True)
class AuthConfig:
    secret_key: str
    base_url: str = "http://127.0.0.1:8080"
    local_users: bool = True
    session_hours: float = 10.0
    oidc: OidcConfig | None = None

    @property
    def secure_cookies(self) -> bool:
        return self.base_url.startswith("https://")


class TooManyAttempts(HttpError):
    """Password guessing slowed down (``innboks/web/throttle.py``): try again after ``wait`` seconds."""

    def __init__(self, wait: float) -> None:
        self.minutes = max(1, math.ceil(wait / 60))
        super().__init__(429, f"too many failed sign-ins; try again in {self.minutes} minute(s)",
                         {"Retry-After": str(math.ceil(wait))})


class Authenticator:
    """Finds the user of a request and enforces roles and CSRF tokens."""

    def __init__(self, engine: Engine, config: AuthConfig, throttle: LoginThrottle | None = None) -> None:
        self.engine = engine
        self.config = config
        self.throttle = throttle or LoginThrottle()
        self._basic_cache: dict[bytes, tuple[float, User]] = {}

    def check_password(self, username: str, password: str, address: str | None) -> User | None:
        """The local user with this password, or None; raises ``TooManyAttempts`` while guessing is slowed."""
        wait = self.throttle.wait(username, address)
        if wait > 0:
            raise TooManyAttempts(wait)
        user = authenticate(self.engine, username, password)
        if user is None:
            self.throttle.failed(username, address)
        else:
            self.throttle.succeeded(username)
        return user

    def user(self, request: Request) -> User | None:
        username = request.session.get("user")
        if isinstance(username, str):
            signed_in = float(request.session.get("since", 0))
            if time.time() - signed_in <= self.config.session_hours * 3600:
                user = user_by_name(self.engine, username)  # a disabled user is out at once
                if user is not None:
                    return user
            request.session.clear()
        return self._basic(request)

    def _basic(self, request: Request) -> User | None:
        scheme, _, value = request.headers.get("authorization", "").partition(" ")
        if scheme.lower() != "basic" or not self.config.local_users:
            return None
        try:
            username, _, password = base64.b64decode(value, validate=True).decode("utf-8").partition(":")
        except (binascii.Error, UnicodeDecodeError):
            return None
        digest = hashlib.sha256(f"{username}\0{password}".encode()).digest()
        cached = self._basic_cache.get(digest)
        if cached is not None and time.monotonic() - cached[0] < BASIC_CACHE_SECONDS:
            return cached[1]
        address = request.client.host if request.client else None
        user = self.check_password(username, password, address) if username else None
        if user is not None:
            if len(self._basic_cache) > 1000:
                self._basic_cache.clear()
            self._basic_cache[digest] = (time.monotonic(), user)
        return user

    def require(self, request: Request, role: str = "reader") -> User:
        user = self.user(request)
        if user is None:
            raise HttpError(401, "sign in with your Innboks user")
        request.state.user = user.username
        if not user.may(role):
            raise HttpError(403, f"this needs the {role} role")
        return user

    def check_csrf(self, request: Request, form_token: str | None = None) -> None:
        """Refuse a state change signed in by cookie without the session's CSRF token."""
        if request.session.get("user") is None and request.headers.get("authorization"):
            return  # Basic auth: no ambient credential a cross-site page could use with a JSON body
        expected = request.session.get("csrf")
        given = form_token if form_token is not None else request.headers.get(CSRF_HEADER, "")
        if not isinstance(expected, str) or not hmac.compare_digest(expected, given or ""):
            raise HttpError(403, "the form has expired or did not come from Innboks (CSRF token missing)")

    @staticmethod
    def csrf_token(request: Request) -> str:
        token = request.session.get("csrf")
        if not isinstance(token, str):
            token = request.session["csrf"] = secrets.token_urlsafe(24)
        return token

    @staticmethod
    def sign_in(request: Request, user: User) -> None:
        request.session.clear()  # nothing from before the sign-in carries over
        request.session.update({"user": user.username, "since": time.time(), "csrf": secrets.token_urlsafe(24)})
        request.state.user = user.username
