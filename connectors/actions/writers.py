"""Writers per registered account, built once and kept, for the executor.

With a ``LiveRegistry`` the accounts connected in Kontoer are found too, and a writer is built anew when
its account's settings or credentials change (a reconnection).
"""

from __future__ import annotations

from connectors.factory import build_writer
from connectors.fleet import account_fingerprint
from connectors.writer import PlatformWriter
from innboks.config.accounts import Registry
from innboks.config.credentials import CredentialError
from innboks.db.accounts import LiveRegistry
from schemas import Platform


class RegistryWriters:
    """``(platform, account) → writer`` for the accounts of the registry; an unknown account is refused."""

    def __init__(self, registry: Registry | LiveRegistry, base_url: str | None = None, token: str | None = None
                 ) -> None:
        self.registry = registry
        self.base_url = base_url
        self.token = token
        self._writers: dict[tuple[Platform, str], tuple[str, PlatformWriter]] = {}

    def __call__(self, platform: Platform, account_id: str) -> PlatformWriter:
        key = (platform, account_id)
        registry = self.registry.current() if isinstance(self.registry, LiveRegistry) else self.registry
        account = registry.find(platform, account_id)
        if account is None and self.token is None:
            raise CredentialError(f"{platform.value} account {account_id} is not in the account registry")
        fingerprint = account_fingerprint(account, self.registry) \
            if account is not None and isinstance(self.registry, LiveRegistry) else ""
        cached = self._writers.get(key)
        if cached is None or cached[0] != fingerprint:
            if cached is not None:
                cached[1].close()
            self._writers[key] = (fingerprint, build_writer(platform, account_id, account, self.base_url, self.token))
        return self._writers[key][1]

    def close(self) -> None:
        for _fingerprint, writer in self._writers.values():
            writer.close()
