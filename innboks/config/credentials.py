"""Credential references of the account registry: where secrets come from (pure data).

Secrets are never written in the account registry. It holds references: ``env:NAME`` (an
environment variable), ``file:/path`` (a secret file, e.g. a mounted Kubernetes or Docker secret) or
``store:PLATFORM/ACCOUNT#FIELD`` (a credential an administrator connected in *Kontoer*, kept
encrypted in the conversation store; readable only by a process that opened the store with
``INNBOKS_SECRET_KEY``, which installs the store as a ``SecretBackend``). Five kinds of credentials
cover the platforms: ``bearer`` (a long-lived token), ``oauth2`` (with a refresh token), ``oauth1`` (X
direct messages), ``app_password`` (Bluesky) and ``stored`` (whatever was connected in Kontoer; the
store says which). How a session uses them is ``connectors.auth``. Loaded secrets are ``SecretStr``:
they print as ``**********`` and never reach logs.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Annotated, Any, Literal, Protocol

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, SecretStr

from innboks.config.files import UnreadableFile, read_text

REFERENCE_KINDS = ("env", "file", "store")


def _check_reference(value: str) -> str:
    kind, _, target = value.partition(":")
    if kind not in REFERENCE_KINDS or not target:
        raise ValueError("secret references look like 'env:NAME', 'file:/path' or 'store:PLATFORM/ACCOUNT#FIELD' "
                         "(secrets are never inline)")
    return value


SecretReference = Annotated[str, AfterValidator(_check_reference),
                            Field(description="'env:NAME', 'file:/path' or 'store:PLATFORM/ACCOUNT#FIELD'")]


class CredentialError(ValueError):
    """A referenced secret is missing or empty."""


class SecretBackend(Protocol):
    """Where ``store:`` references are read and written: the conversation store (``innboks.db.vault``)."""

    def read(self, target: str) -> str | None: ...

    def write(self, target: str, value: str) -> None: ...

    def refresh(self, target: str, stale_access_token: str | None,
                grant: Callable[[str], Mapping[str, Any]]) -> Mapping[str, Any]:
        """Renew an OAuth 2 token pair once for all processes (``target`` names the refresh token)."""
        ...


_backend: SecretBackend | None = None


def install_secret_backend(backend: SecretBackend | None) -> None:
    """Let ``store:`` references resolve in this process (the process opened the store with its key)."""
    global _backend
    _backend = backend


def secret_backend() -> SecretBackend | None:
    return _backend


def store_reference(platform: str, account_id: str, name: str) -> str:
    return f"store:{platform}/{account_id}#{name}"


def resolve(reference: str) -> SecretStr:
    kind, _, target = reference.partition(":")
    if kind == "store":
        if _backend is None:
            raise CredentialError("store: credentials need the conversation store and INNBOKS_SECRET_KEY "
                                  "(INNBOKS_STORE_URL)")
        stored = _backend.read(target)
        if not stored:
            raise CredentialError(f"no stored credential {target.partition('#')[2] or target} for this account "
                                  "(connect it in Kontoer)")
        return SecretStr(stored)
    if kind == "env":
        value = os.environ.get(target, "")
        if not value:
            raise CredentialError(f"environment variable {target} is not set")
        return SecretStr(value.strip())
    path = Path(target)
    try:
        value = read_text(path, "the secret file").strip()
    except UnreadableFile as exc:
        raise CredentialError(str(exc)) from None
    if not value:
        raise CredentialError(f"secret file {path} is empty")
    return SecretStr(value)


class _Credentials(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    @classmethod
    def secret_fields(cls) -> tuple[str, ...]:
        return ()

    def references(self) -> dict[str, str]:
        return {name: getattr(self, name) for name in self.secret_fields() if getattr(self, name)}


class BearerCredentials(_Credentials):
    type: Literal["bearer"] = "bearer"
    token: SecretReference

    @classmethod
    def secret_fields(cls) -> tuple[str, ...]:
        return ("token",)



class OAuth2Credentials(_Credentials):
    type: Literal["oauth2"] = "oauth2"
    client_id: SecretReference
    client_secret: SecretReference | None = None
    refresh_token: SecretReference
    access_token: SecretReference | None = None
    token_url: str | None = Field(default=None, description="The platform's token endpoint (default: the "
                                  "platform's, innboks/domain/platform_auth.py).")
    #: Send client credentials in the body (Google, LinkedIn) or as HTTP Basic auth (X).
    client_auth: Literal["body", "basic"] = "body"

    @classmethod
    def secret_fields(cls) -> tuple[str, ...]:
        return ("client_id", "client_secret", "refresh_token", "access_token")




class OAuth1Credentials(_Credentials):
    type: Literal["oauth1"] = "oauth1"
    consumer_key: SecretReference
    consumer_secret: SecretReference
    access_token: SecretReference
    access_token_secret: SecretReference

    @classmethod
    def secret_fields(cls) -> tuple[str, ...]:
        return ("consumer_key", "consumer_secret", "access_token", "access_token_secret")



class AppPasswordCredentials(_Credentials):
    """An account identifier and an app password; the connector opens the session (Bluesky)."""

    type: Literal["app_password"] = "app_password"
    identifier: SecretReference
    password: SecretReference

    @classmethod
    def secret_fields(cls) -> tuple[str, ...]:
        return ("identifier", "password")



class StoredCredentials(_Credentials):
    """Connected in *Kontoer*: the store keeps them encrypted and says what they are. At start-up the
    registry's entry gets concrete credentials whose references point into the store (``store:``)."""

    type: Literal["stored"] = "stored"


AnyCredentials = (BearerCredentials | OAuth2Credentials | OAuth1Credentials | AppPasswordCredentials
                  | StoredCredentials)
Credentials = Annotated[AnyCredentials, Field(discriminator="type")]


def check_references(credentials: AnyCredentials) -> list[str]:
    """Problems with the referenced secrets (missing variables, unreadable files), without values."""
    problems = []
    for name, reference in credentials.references().items():
        try:
            resolve(reference)
        except CredentialError as exc:
            problems.append(f"{name}: {exc}")
    return problems
