"""The account registry as the worker knows it: loaded once at start (a change needs a restart).

``innboks worker`` validates the file before the app starts, so a broken registry is reported in
one line instead of failing here.
"""

from __future__ import annotations

from innboks.config.accounts import Registry, registry_or_none
from innboks.config.settings import get_settings
from schemas import EscalationReason
from streams.metrics import METRICS

REGISTRY: Registry = registry_or_none(get_settings().accounts_file) or Registry()

for _account in REGISTRY.accounts:
    METRICS.account_info.labels(_account.platform.value, _account.account_id, _account.name,
                                _account.owning_unit).set(1)
    # Every escalation series exists from the start at 0, so the escalation alerts' increase() sees
    # an account's first escalation (a series that appears at 1 has no increase).
    for _reason in EscalationReason:
        METRICS.escalations.labels(_account.platform.value, _account.account_id, _reason.value)
