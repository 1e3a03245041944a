"""Building a connector (reading) or a writer (acting) for an account from the registry and the command line."""

from __future__ import annotations

import os
from datetime import datetime

import requests

from connectors.auth import bearer_session, open_session
from connectors.base import Connector, CursorStore, Sink
from connectors.http import ApiClient
from connectors.platforms import CONNECTORS, WRITERS
from connectors.runner import fingerprint_of
from connectors.writer import PlatformWriter
from innboks.config.accounts import Account
from innboks.config.credentials import AnyCredentials, CredentialError, resolve
from schemas import Platform


def token_variable(platform: Platform) -> str:
    return f"INNBOKS_{platform.name}_TOKEN"


def session_for(platform: Platform, account: Account | None, token: str | None) -> requests.Session:
    """``--token`` first, then the registry's credentials, then ``INNBOKS_<PLATFORM>_TOKEN``."""
    if token:
        return bearer_session(token)
    if account is not None and account.credentials is not None:
        return open_session(account.credentials, platform)
    from_env = os.environ.get(token_variable(platform), "").strip()
    if from_env:
        return bearer_session(from_env)
    raise CredentialError(
        f"no credentials for {platform.value}: pass --token, set {token_variable(platform)}, "
        "or add credentials to the account registry"
    )


def build_connector(
    platform: Platform,
    account_id: str,
    sink: Sink,
    cursors: CursorStore | None = None,
    account: Account | None = None,
    base_url: str | None = None,
    token: str | None = None,
    since: datetime | None = None,
) -> Connector:
    connector_class = CONNECTORS.get(platform)
    if connector_class is None:
        raise CredentialError(f"no connector for {platform.value} (available: {', '.join(CONNECTORS)})")
    client = ApiClient(base_url=effective_base_url(account, base_url), session=session_for(platform, account, token),
                       policy=connector_class.policy())
    return connector_class(
        account_id, client, sink, cursors=cursors, since=since,
        options=dict(account.options) if account else {},
        credentials=account.credentials if account and not token else None,
    )


def build_writer(
    platform: Platform,
    account_id: str,
    account: Account | None = None,
    base_url: str | None = None,
    token: str | None = None,
) -> PlatformWriter:
    """The writer that acts for an account: the same credentials, session and ``--base-url`` as its
    connector (``build_connector``), with the platform's write policy."""
    writer_class = WRITERS.get(platform)
    if writer_class is None:
        raise CredentialError(f"no writer for {platform.value} (available: {', '.join(WRITERS)})")
    client = ApiClient(base_url=effective_base_url(account, base_url), session=session_for(platform, account, token),
                       policy=writer_class.policy())
    return writer_class(
        account_id, client,
        options=dict(account.options) if account else {},
        credentials=account.credentials if account and not token else None,
    )


def effective_base_url(account: Account | None, base_url: str | None) -> str | None:
    """``--base-url`` wins; an account may set ``options.base_url`` (a proxy, a recorded API)."""
    if base_url:
        return base_url
    return str(account.options["base_url"]) if account and account.options.get("base_url") else None


def credential_values(credentials: AnyCredentials | None, platform: Platform) -> list[str]:
    """The current secret values (for noticing that an operator replaced a rejected token)."""
    if credentials is None:
        return [os.environ.get(token_variable(platform), "")]
    return [resolve(reference).get_secret_value() for reference in credentials.references().values()]


def credential_watch(account: Account | None, platform: Platform):  # type: ignore[no-untyped-def]
    return fingerprint_of(lambda: credential_values(account.credentials if account else None, platform))
