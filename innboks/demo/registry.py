"""The demo's account registry: Alta kommune's Facebook page, with the opt-in actions switched on.

Written to the demo's work directory for the worker (``INNBOKS_ACCOUNTS_FILE``), so the demo shows
auto-protection (a comment with a fødselsnummer hidden with a reply) and out-of-hours
acknowledgements of direct messages, and used by the inbox and the action executor. Its credentials
are ``type: stored``: the Page is connected in Kontoer (``innboks.demo.platforms.connect_demo_page``),
as the registry of a municipality that connects its accounts there would say.
"""

from __future__ import annotations

from pathlib import Path

import yaml

from innboks.config.accounts import Account, CommunicationUnit, Registry
from innboks.config.actions import AutoProtect, OutOfHours
from innboks.config.credentials import StoredCredentials
from schemas import Platform


def demo_registry(page_id: str) -> Registry:
    return Registry(accounts=[Account(
        platform=Platform.FACEBOOK, account_id=page_id, name="Alta kommune", owning_unit="Kommunikasjonsavdelingen",
        credentials=StoredCredentials(), crisis_channel=True, auto_protect=AutoProtect(enabled=True),
        out_of_hours=OutOfHours(enabled=True))],
        communication_unit=CommunicationUnit(name="Kommunikasjonsavdelingen", admins={Platform.FACEBOOK: ["4200"]}))


def write_registry(registry: Registry, path: Path) -> Path:
    data = registry.model_dump(mode="json", exclude_defaults=True)
    for entry, account in zip(data.get("accounts", []), registry.accounts, strict=True):
        if account.credentials is not None:  # the type tag is a default, and must be written
            entry["credentials"] = account.credentials.model_dump(mode="json")
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path
