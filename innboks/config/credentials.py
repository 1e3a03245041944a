"""Credential references of the account registry: where secrets come from (pure data).

Secrets are never written in the account registry. It holds references: ``env:NAME`` (an
environment variable) or ``file:/path`` (a secret file, e.g. a mounted Kubernetes or Docker secret).
Four kinds of credentials cover the platforms: ``bearer`` (a long-lived token), ``oauth2`` (with a
refresh token), ``oauth1`` (X direct messages) and ``app_password`` (Bluesky). How a session uses
them is ``connectors.auth``. Loaded secrets are ``SecretStr``: they print as ``**********`` and never
reach logs.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, SecretStr

from innboks.config.files import UnreadableFile, read_text


def _check_reference(value: str) -> str:
    kind, _, target = value.partition(":")
    if kind not in ("env", "file") or not target:
        raise ValueError("secret references look like 'env:NAME' or 'file:/path' (secrets are never inline)")
    return value


SecretReference = Annotated[str, AfterValidator(_check_reference), Field(description="'env:NAME' or 'file:/path'")]


class CredentialError(ValueError):
    """A referenced secret is missing or empty."""


def resolve(reference: str) -> SecretStr:
    kind, _, target = reference.partition(":")
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
    token_url: str = Field(description="The platform's token endpoint.")
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



AnyCredentials = BearerCredentials | OAuth2Credentials | OAuth1Credentials | AppPasswordCredentials
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
