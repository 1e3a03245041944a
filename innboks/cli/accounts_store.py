"""The store link of the long-running commands: the accounts connected in Kontoer and their health.

With ``INNBOKS_STORE_URL`` set, the connector runner, the executor and ``innboks poll`` read the accounts
connected in Kontoer (and, with ``INNBOKS_SECRET_KEY``, their sealed credentials) from the store, look
again every few seconds, and record each account's health there. Without it they run on the YAML
registry alone, as before.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from innboks.config.accounts import Registry, RegistryError, load_registry, registry_or_none
from innboks.config.settings import Settings
from innboks.db.accounts import LiveRegistry, install_store_credentials
from innboks.db.sealed import Keyring, SealError
from innboks.errors import CliError


@dataclass
class StoreLink:
    engine: sa.Engine | None
    keyring: Keyring | None
    live: LiveRegistry


def yaml_registry(settings: Settings, required: bool) -> Registry:
    try:
        registry = load_registry(settings.accounts_file) if required else registry_or_none(settings.accounts_file)
    except RegistryError as exc:
        raise CliError(str(exc)) from None
    return registry or Registry()


def keyring_of(engine: sa.Engine, settings: Settings) -> Keyring | None:
    try:
        return install_store_credentials(engine, settings)
    except SealError as exc:
        raise CliError(str(exc)) from None


def store_link(settings: Settings, store_url: str | None = None) -> StoreLink:
    """The registry to run with, and the store when one is configured (``INNBOKS_STORE_URL`` or ``--store``)."""
    from innboks.cli.store import open_engine

    if store_url is None and not settings.store_configured:
        return StoreLink(None, None, LiveRegistry(yaml_registry(settings, required=True), None, settings))
    engine = open_engine(store_url or settings.store_url)
    keyring = keyring_of(engine, settings)
    return StoreLink(engine, keyring, LiveRegistry(yaml_registry(settings, required=False), engine, settings))
