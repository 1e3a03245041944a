"""The account registry (``accounts.yaml``): which accounts are official, who owns them, how to reach them.

The guideline says the communication unit creates the official accounts and is co-admin on all of
them. The registry records, per account: platform and account id, the owning unit, the SLA policy,
the admins, references to its credentials (never the secrets), and platform options. Errors name
the file, the line and the key, and never echo values (a pasted token must not be printed back).
"""

from __future__ import annotations

from datetime import date, datetime, time
from functools import cached_property
from pathlib import Path
from typing import Any, Literal
from zoneinfo import ZoneInfo

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from innboks.config.actions import ActionRules, AutoProtect, OutOfHours
from innboks.config.credentials import Credentials
from innboks.config.files import UnreadableFile, read_text
from innboks.config.sla import SlaConfig
from innboks.config.yamlfile import line_of as _line_of
from innboks.errors import dotted, first_problem
from schemas import Kind, Platform


class RegistryError(ValueError):
    """The registry file is missing, malformed or invalid."""


class CommunicationUnit(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = "Kommunikasjonsenheten"
    #: The unit's own identities per platform (user ids, person URNs), used to check that the unit
    #: is admin of every official account where the platform exposes page roles.
    admins: dict[Platform, list[str]] = Field(default_factory=dict)
    #: Connecting an account in Kontoer where the platform shows that the unit is not admin: refused
    #: (true), or allowed with a warning (false, the default: the guideline says "som hovedregel").
    require_admin: bool = False


class Account(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    platform: Platform
    account_id: str = Field(min_length=1, max_length=300)
    name: str = Field(min_length=1)
    owning_unit: str = Field(min_length=1)
    sla_policy: str = Field(default="standard", pattern=r"^[a-z][a-z0-9_\-]*$")
    #: A different policy for some message kinds, e.g. ``{direct_message: direct-messages}``.
    sla_policy_by_kind: dict[Kind, str] = Field(default_factory=dict)
    admins: list[str] = Field(default_factory=list, description="People responsible (e-mail or name).")
    credentials: Credentials | None = None
    #: When the access token expires, where the platform gives it a lifetime (LinkedIn and Meta user
    #: tokens: 60 days). Exported as a metric; an alert fires a week before.
    token_expires: date | None = None
    options: dict[str, Any] = Field(default_factory=dict)
    #: In a crisis all communication goes via the website and this account (the Facebook page).
    crisis_channel: bool = False
    auto_protect: AutoProtect = Field(default_factory=AutoProtect)
    out_of_hours: OutOfHours = Field(default_factory=OutOfHours)
    enabled: bool = True
    poll_interval_seconds: float = Field(default=60.0, ge=10.0, le=86_400.0)

    @property
    def key(self) -> str:
        return f"{self.platform.value}:{self.account_id}"

    @property
    def token_expires_timestamp(self) -> float | None:
        """Start of the expiry day in Oslo, as Unix time (the token may be gone from that morning)."""
        if self.token_expires is None:
            return None
        return datetime.combine(self.token_expires, time(0), ZoneInfo("Europe/Oslo")).timestamp()


class Registry(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    version: Literal[1] = 1
    communication_unit: CommunicationUnit = Field(default_factory=CommunicationUnit)
    accounts: list[Account] = Field(default_factory=list)
    sla: SlaConfig = Field(default_factory=SlaConfig)
    actions: ActionRules = Field(default_factory=ActionRules)

    @model_validator(mode="after")
    def _unique(self) -> Registry:
        seen: set[str] = set()
        for account in self.accounts:
            if account.key in seen:
                raise ValueError(f"account {account.key} is listed twice")
            seen.add(account.key)
            for policy in (account.sla_policy, *account.sla_policy_by_kind.values()):
                if policy not in self.sla.all_policy_configs:
                    raise ValueError(f"account {account.key} uses unknown SLA policy {policy!r}")
        return self

    def with_accounts(self, accounts: list[Account]) -> Registry:
        """The same registry with these accounts (a copy; its lookup cache starts afresh)."""
        copy = self.model_copy(update={"accounts": accounts})
        copy.__dict__.pop("_by_key", None)
        return copy

    def find(self, platform: Platform, account_id: str) -> Account | None:
        return next((a for a in self.accounts if a.platform is platform and a.account_id == account_id), None)

    def sla_policy_for(self, platform: Platform, account_id: str, kind: Kind) -> str:
        """The policy a new inquiry gets: per kind, else the account's, else ``standard``."""
        account = self._by_key.get(f"{platform.value}:{account_id}")
        if account is None:
            return "standard"
        return account.sla_policy_by_kind.get(kind, account.sla_policy)

    @cached_property
    def _by_key(self) -> dict[str, Account]:
        return {account.key: account for account in self.accounts}


def load_registry(path: Path) -> Registry:
    try:
        text = read_text(path, "the account registry")
    except UnreadableFile as exc:
        raise RegistryError(str(exc)) from None
    try:
        data = yaml.safe_load(text)
        tree = yaml.compose(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f":{mark.line + 1}" if mark else ""
        raise RegistryError(f"{path}{where}: not valid YAML") from None
    try:
        # Strict JSON-like validation: enums and numbers as written in YAML.
        return Registry.model_validate(data if data is not None else {})
    except ValidationError as exc:
        found, problem = first_problem(exc)
        location = tuple(p for p in found if not (isinstance(p, str) and p in _UNION_TAGS))
        line = _line_of(tree, location)
        where = f":{line}" if line else ""
        raise RegistryError(f"{path}{where}: {dotted(location, '(top level)')}: {problem}") from None


#: Tags pydantic adds to locations inside discriminated unions (not keys of the YAML document).
_UNION_TAGS = frozenset({"bearer", "oauth2", "oauth1", "app_password", "stored"})


def registry_or_none(path: Path) -> Registry | None:
    """The registry if the file exists (commands that can run without one use this)."""
    return load_registry(path) if path.exists() else None
