"""The view model of Kontoer and ``GET /api/accounts`` (field names: DESIGN.md, "Accounts")."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from innboks.db.account_overview import AccountOverview
from innboks.domain.account_checks import ASSESSMENT_FIELDS


def _iso(value: Any) -> str | None:
    return value.isoformat() if isinstance(value, datetime) else None


def assessment_of(row: AccountOverview) -> dict[str, Any] | None:
    stored = row.stored.assessment if row.stored is not None else None
    if not stored:
        return None
    answers = {key: stored.get(key) for key in ASSESSMENT_FIELDS}
    return {**answers, "recorded_by": stored.get("by"), "recorded_at": stored.get("at")}


def account_json(row: AccountOverview, in_registry: bool) -> dict[str, Any]:
    """One account; ``in_registry``: the YAML registry lists it (else it was only connected in Kontoer)."""
    account, stored, health = row.account, row.stored, row.health or {}
    failure = health.get("last_action_failure")
    return {
        "platform": account.platform.value,
        "account_id": account.account_id,
        "name": account.name,
        "owning_unit": account.owning_unit,
        "sla_policy": account.sla_policy,
        "status": row.status,
        "status_detail": row.status_detail,
        "token_expires_at": _iso(row.token_expires_at),
        "warning_days": row.warning,
        "last_success_at": _iso(health.get("last_success_at")),
        "last_poll_at": _iso(health.get("last_poll_at")),
        "poll_state": health.get("state"),
        "poll_detail": health.get("detail"),
        "last_action_at": _iso(health.get("last_action_at")),
        "last_action_failure": {"failure": failure, "at": _iso(health.get("last_action_failure_at"))}
        if failure else None,
        "rate_limit_remaining": health.get("rate_limit_remaining"),
        "webhook": stored.webhook if stored is not None else None,
        "admin_check": stored.admin_check if stored is not None else "unknown",
        "admin_detail": stored.admin_detail if stored is not None else None,
        "assessment": assessment_of(row),
        "profile_check": stored.profile_check if stored is not None else None,
        "source": ("registry+kontoer" if stored is not None and in_registry else
                   "kontoer" if stored is not None else "registry"),
        "credentials": (stored.credential_kind if stored is not None else
                        (account.credentials.type if account.credentials is not None else None)),
        "connected_by": stored.connected_by if stored is not None else None,
        "connected_at": _iso(stored.connected_at) if stored is not None else None,
        "reconnect_url": row.reconnect_url,
    }
