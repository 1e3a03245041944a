"""The account registry as the worker knows it: the YAML file, loaded at start, plus the accounts
connected in Kontoer, learnt from ``innboks.control`` while running (``streams/control.py``).

``innboks worker`` validates the file before the app starts, so a broken registry is reported in
one line instead of failing here. An account connected in Kontoer gets its name, owning unit and
SLA policy at once (new inquiries of it get the policy; forwarded cases carry the name and unit);
what only the YAML can say (auto-protection, out-of-hours replies) stays with the YAML.
"""

from __future__ import annotations

import threading

from innboks.config.accounts import Account, Registry, registry_or_none
from innboks.config.actions import ActionRules
from innboks.config.settings import get_settings
from innboks.config.sla import SlaConfig
from schemas import AccountEvent, EscalationReason, Kind, Platform
from streams.metrics import METRICS


class WorkerRegistry:
    """The YAML registry with the accounts of ``innboks.control`` over it (the YAML's entries win)."""

    def __init__(self, base: Registry) -> None:
        self.base = base
        self._current = base
        self._connected: dict[str, AccountEvent] = {}
        self._lock = threading.Lock()
        for account in base.accounts:
            _announce(account)

    @property
    def sla(self) -> SlaConfig:
        return self.base.sla

    @property
    def actions(self) -> ActionRules:
        return self.base.actions

    @property
    def accounts(self) -> list[Account]:
        return self._current.accounts

    def find(self, platform: Platform, account_id: str) -> Account | None:
        return self._current.find(platform, account_id)

    def sla_policy_for(self, platform: Platform, account_id: str, kind: Kind) -> str:
        return self._current.sla_policy_for(platform, account_id, kind)

    def apply(self, event: AccountEvent) -> None:
        """An account connected, changed or disconnected in Kontoer."""
        key = f"{event.platform.value}:{event.account_id}"
        with self._lock:
            if event.connected:
                self._connected[key] = event
            else:
                self._connected.pop(key, None)
            yaml_keys = {account.key for account in self.base.accounts}
            policies = self.base.sla.all_policy_configs
            extra = [Account(platform=e.platform, account_id=e.account_id, name=e.name, owning_unit=e.owning_unit,
                             sla_policy=e.sla_policy if e.sla_policy in policies else "standard", enabled=e.active)
                     for k, e in self._connected.items() if k not in yaml_keys]
            self._current = self.base.with_accounts([*self.base.accounts, *extra])
        if event.connected and key not in {account.key for account in self.base.accounts}:
            _announce(self._current.find(event.platform, event.account_id))


def _announce(account: Account | None) -> None:
    if account is None:
        return
    METRICS.account_info.labels(account.platform.value, account.account_id, account.name, account.owning_unit).set(1)
    # Every escalation series exists from the start at 0, so the escalation alerts' increase() sees
    # an account's first escalation (a series that appears at 1 has no increase).
    for reason in EscalationReason:
        METRICS.escalations.labels(account.platform.value, account.account_id, reason.value)


REGISTRY = WorkerRegistry(registry_or_none(get_settings().accounts_file) or Registry())
