"""Who is asking: staff sign-in (local passwords or OpenID Connect), sessions and roles.

- Pages use a session: a signed cookie (``SameSite=Lax``, ``HttpOnly``, ``Secure`` behind https)
  carrying a random id of a session kept in the store (``sessions.py``), so signing out ends it and
  revoking a user ends all of theirs. Sign-in is a local user's password (argon2) or an OpenID
  Connect identity provider (Entra ID, ID-porten, Keycloak …) through Authlib; the provider's role
  claim maps to reader, operator or admin, and an optional unit claim limits the accounts a user sees.
- The JSON API also takes HTTP Basic auth for local users: for scripts, never a browser's ambient
  credential (``innboks/web/pages.py`` never asks a browser for it; ``csrf.py`` refuses
  cross-site changes whatever the credential).
- Repeated wrong passwords (form or Basic) slow further attempts from that address down
  (``throttle.py``): 429 with ``Retry-After``, before any password is checked.
- CSRF tokens (``csrf_token``) are made here and checked, for every state change, by
  ``innboks/web/csrf.py``.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import math
import secrets
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.engine import Engine
from starlette.requests import Request

from innboks.web.errors import HttpError
from innboks.web.sessions import end_session, session_user, start_session
from innboks.web.throttle import LoginThrottle
from innboks.web.users import ROLES, User, authenticate, local_user

#: A verified Basic-auth password is remembered this long, so a script's calls do not each cost an
#: argon2 hash. Only the hash check is remembered: the user is read on every request (disabled: out
#: at once) and the memory holds only while the stored password hash is the one verified.
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
    """Finds the user of a request (session or HTTP Basic), signs users in and out."""

    def __init__(self, engine: Engine, config: AuthConfig, throttle: LoginThrottle | None = None) -> None:
        self.engine = engine
        self.config = config
        self.throttle = throttle or LoginThrottle()
        self._basic_cache: dict[bytes, tuple[float, str]] = {}

    def check_password(self, username: str, password: str, address: str | None) -> User | None:
        """The local user with this password, or None; raises ``TooManyAttempts`` while guessing from
        this address is slowed down (the same user from another address is not)."""
        wait = self.throttle.wait(username, address)
        if wait > 0:
            raise TooManyAttempts(wait)
        user = authenticate(self.engine, username, password)
        if user is None:
            self.throttle.failed(username, address)
        else:
            self.throttle.succeeded(username, address)
        return user

    def user(self, request: Request) -> User | None:
        session_id = request.session.get("sid")
        if isinstance(session_id, str):
            user = session_user(self.engine, session_id)  # ended, expired or disabled: None
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
        if not username:
            return None
        digest = hashlib.sha256(f"{username}\0{password}".encode()).digest()
        cached = self._basic_cache.get(digest)
        if cached is not None and time.monotonic() - cached[0] < BASIC_CACHE_SECONDS:
            current = local_user(self.engine, username)
            if current is not None and current[1] == cached[1]:
                return current[0]
            self._basic_cache.pop(digest, None)
        address = request.client.host if request.client else None
        user = self.check_password(username, password, address)
        if user is not None:
            current = local_user(self.engine, username)
            if current is not None:
                if len(self._basic_cache) > 1000:
                    self._basic_cache.clear()
                self._basic_cache[digest] = (time.monotonic(), current[1])
        return user

    @staticmethod
    def csrf_token(request: Request) -> str:
        token = request.session.get("csrf")
        if not isinstance(token, str):
            token = request.session["csrf"] = secrets.token_urlsafe(24)
        return token

    def sign_in(self, request: Request, user: User) -> None:
        """A new session in the store; the cookie carries its id and a fresh CSRF token."""
        request.session.clear()  # nothing from before the sign-in carries over
        session_id = start_session(self.engine, user.username, self.config.session_hours)
        request.session.update({"sid": session_id, "csrf": secrets.token_urlsafe(24)})
        request.state.user = user.username

    def sign_out(self, request: Request) -> None:
        """End the session in the store (a saved copy of the cookie is refused afterwards)."""
        session_id = request.session.get("sid")
        if isinstance(session_id, str):
            end_session(self.engine, session_id)
        request.session.clear()
