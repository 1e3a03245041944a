"""Operational switches and the account registry on the compacted ``innboks.control`` topic."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from schemas.base import Contract, UtcDatetime
from schemas.enums import Platform

#: Key of the crisis switch on ``innboks.control``.
CRISIS_KEY = "crisis"
#: Key of the facts registry as edited on the inbox's admin page, on ``innboks.control``.
FACTS_KEY = "facts"
#: The largest facts document carried (the registry's own limit).
MAX_FACTS_CHARS = 256 * 1024


class ControlEvent(Contract):
    """Crisis mode on or off (key ``crisis``); the latest value per key is the current state.

    When the chief executive has set up crisis staff, all communication goes via the website and
    the Facebook page: while crisis mode is on, every inbound message is escalated (reason
    ``crisis``), new inquiries get the ``crisis`` SLA policy, and replies from other official
    accounts are flagged.
    """

    kind: Literal["crisis"] = "crisis"
    active: bool
    reason: str = Field(min_length=1, max_length=500, description="Why (shown to operators; no personal data).")
    set_by: str | None = Field(default=None, description="Who switched it (user name or system).")
    at: UtcDatetime


#: Keys of the account registry's entries on ``innboks.control``: ``account:{platform}:{account_id}``.
ACCOUNT_KEY_PREFIX = "account:"


class AccountEvent(Contract):
    """An account connected, reconnected, paused, resumed or disconnected in Kontoer (key
    ``account:{platform}:{account_id}``); the latest value per key is the account's registry entry.

    The credentials are never here (they stay sealed in the store); this tells the processes that do
    not read the store (the stream worker) the account's name, unit and SLA policy at once, and wakes
    the ones that do (the connector runner, the executor).
    """

    kind: Literal["account"] = "account"
    platform: Platform
    account_id: str = Field(min_length=1, max_length=512)
    name: str = Field(min_length=1, max_length=512)
    owning_unit: str = Field(min_length=1, max_length=256)
    sla_policy: str = Field(default="standard", max_length=64)
    #: Connected and not paused: the account is read and acted for.
    active: bool
    #: False once disconnected (its credentials are gone; the history stays).
    connected: bool = True
    credentials_version: int = Field(default=1, ge=0)
    set_by: str | None = Field(default=None, description="Who did it (user name or system).")
    at: UtcDatetime

    @property
    def key(self) -> str:
        return f"{ACCOUNT_KEY_PREFIX}{self.platform.value}:{self.account_id}"


class FactsEvent(Contract):
    """The facts registry as an administrator saved it on the inbox's *Fakta* page (key ``facts``).

    The latest one replaces the ``INNBOKS_FACTS`` file for everyone who reads the control topic:
    the worker's suggested replies, the action executor's personal-data guard and the inbox. The
    document is the YAML text, validated before it was published.
    """

    kind: Literal["facts"] = "facts"
    document: str = Field(min_length=1, max_length=MAX_FACTS_CHARS, description="The registry as YAML text.")
    digest: str = Field(pattern=r"^[0-9a-f]{64}$", description="SHA-256 of the document (its version).")
    set_by: str | None = Field(default=None, description="Who saved it (user name).")
    at: UtcDatetime
