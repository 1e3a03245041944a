"""The demo's account registry: Alta kommune's Facebook page, with the opt-in actions switched on.

Written to the demo's work directory for the worker (``INNBOKS_ACCOUNTS_FILE``), so the demo shows
auto-protection (a comment with a fødselsnummer hidden with a reply) and out-of-hours
acknowledgements of direct messages, and used by the inbox and the action executor.
"""

from __future__ import annotations

from pathlib import Path

import yaml

from innboks.config.accounts import Account, Registry
from innboks.config.actions import AutoProtect, OutOfHours
from schemas import Platform


def demo_registry(page_id: str) -> Registry:
    return Registry(accounts=[Account(
        platform=Platform.FACEBOOK, account_id=page_id, name="Alta kommune", owning_unit="Kommunikasjonsavdelingen",
        crisis_channel=True, auto_protect=AutoProtect(enabled=True), out_of_hours=OutOfHours(enabled=True))])


def write_registry(registry: Registry, path: Path) -> Path:
    path.write_text(yaml.safe_dump(registry.model_dump(mode="json", exclude_defaults=True), allow_unicode=True,
                                   sort_keys=False), encoding="utf-8")
    return path
