"""Writers per registered account, built once and kept, for the executor."""

from __future__ import annotations

from connectors.factory import build_writer
from connectors.writer import PlatformWriter
from innboks.config.accounts import Registry
from innboks.config.credentials import CredentialError
from schemas import Platform


class RegistryWriters:
    """``(platform, account) → writer`` for the accounts of the registry; an unknown account is refused."""

    def __init__(self, registry: Registry, base_url: str | None = None, token: str | None = None) -> None:
        self.registry = registry
        self.base_url = base_url
        self.token = token
        self._writers: dict[tuple[Platform, str], PlatformWriter] = {}

    def __call__(self, platform: Platform, account_id: str) -> PlatformWriter:
        key = (platform, account_id)
        if key not in self._writers:
            account = self.registry.find(platform, account_id)
            if account is None and self.token is None:
                raise CredentialError(f"{platform.value} account {account_id} is not in the account registry")
            self._writers[key] = build_writer(platform, account_id, account, self.base_url, self.token)
        return self._writers[key]

    def close(self) -> None:
        for writer in self._writers.values():
            writer.close()
