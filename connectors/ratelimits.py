"""Reading rate-limit state from response headers, whatever dialect the platform speaks.

- ``Retry-After``: seconds or an HTTP date (RFC 9110);
- ``x-rate-limit-limit/remaining/reset`` (X API, reset in epoch seconds);
- ``X-RateLimit-Limit/Remaining/Reset`` (Mastodon, reset as an ISO 8601 timestamp; others epoch);
- ``RateLimit-Limit/Remaining/Reset`` (Bluesky and the IETF draft; reset epoch or delta seconds);
- ``X-App-Usage`` / ``X-Page-Usage`` / ``X-Business-Use-Case-Usage`` (Meta: percentages used).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from email.utils import parsedate_to_datetime
from typing import Any

from connectors.headers import header, lowered

#: Header families carrying limit / remaining / reset, by prefix (compared lower-case).
_TRIAD_PREFIXES = ("x-rate-limit-", "x-ratelimit-", "ratelimit-")
_META_USAGE = ("x-app-usage", "x-page-usage", "x-ad-account-usage")
_META_BUC = "x-business-use-case-usage"


@dataclass(frozen=True)
class RateLimit:
    """How much of a rate limit is left, and when it resets (epoch seconds)."""

    remaining_ratio: float | None = None
    reset_at: float | None = None

    @property
    def exhausted(self) -> bool:
        return self.remaining_ratio is not None and self.remaining_ratio <= 0.0


def retry_after_seconds(value: str | None, now: float) -> float | None:
    """``Retry-After`` as seconds from now: a number of seconds, or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        return max(0.0, parsedate_to_datetime(value).timestamp() - now)
    except (TypeError, ValueError):
        return None


def retry_after(headers: Any, now: float) -> float | None:
    """The ``Retry-After`` header of a response as seconds from now, or None."""
    return retry_after_seconds(header(headers, "retry-after"), now)


def _reset_epoch(value: str, now: float) -> float | None:
    """A reset value as epoch seconds: epoch seconds, seconds from now, or an ISO 8601 time."""
    try:
        number = float(value)
    except ValueError:
        try:
            return datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp()
        except ValueError:
            return None
    return number if number > 1_000_000_000 else now + max(0.0, number)


def parse_rate_limit(headers: Any, now: float) -> RateLimit | None:
    """The tightest rate-limit state announced by the headers, or None if there is none."""
    h = lowered(headers)
    ratios: list[float] = []
    resets: list[float] = []
    for prefix in _TRIAD_PREFIXES:
        limit, remaining, reset = (h.get(prefix + part) for part in ("limit", "remaining", "reset"))
        if remaining is not None:
            try:
                rem = float(remaining)
                lim = float(limit) if limit is not None else None
            except ValueError:
                continue
            ratios.append(max(0.0, min(1.0, rem / lim)) if lim else (0.0 if rem <= 0 else 1.0))
            if reset is not None and (epoch := _reset_epoch(reset, now)) is not None:
                resets.append(epoch)
    for name in _META_USAGE:
        usage = _json(h.get(name))
        if isinstance(usage, dict):
            ratios.append(1.0 - _max_percent(usage) / 100.0)
    buc = _json(h.get(_META_BUC))
    if isinstance(buc, dict):
        for entries in buc.values():
            for entry in entries if isinstance(entries, list) else []:
                if isinstance(entry, dict):
                    ratios.append(1.0 - _max_percent(entry) / 100.0)
                    minutes = entry.get("estimated_time_to_regain_access")
                    if isinstance(minutes, (int, float)) and minutes > 0:
                        resets.append(now + 60.0 * minutes)
    if not ratios and not resets:
        return None
    return RateLimit(
        remaining_ratio=max(0.0, min(ratios)) if ratios else None,
        reset_at=max(resets) if resets else None,
    )


def _json(value: str | None) -> Any:
    if not value:
        return None
    try:
        return json.loads(value)
    except (ValueError, RecursionError):
        return None


_USAGE_KEYS = ("call_count", "total_time", "total_cputime", "acc_id_util_pct")


def _max_percent(usage: dict[str, Any]) -> float:
    values = [float(v) for k, v in usage.items() if k in _USAGE_KEYS and isinstance(v, (int, float))]
    return min(100.0, max(values, default=0.0))
