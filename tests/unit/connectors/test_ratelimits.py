"""connectors/ratelimits.py: rate-limit headers in every dialect, and Retry-After."""

import json

import pytest

from connectors.ratelimits import parse_rate_limit, retry_after_seconds

NOW = 1_800_000_000.0


def test_x_headers_epoch_reset() -> None:
    limit = parse_rate_limit({"x-rate-limit-limit": "300", "x-rate-limit-remaining": "30",
                              "x-rate-limit-reset": str(int(NOW) + 600)}, NOW)
    assert limit.remaining_ratio == pytest.approx(0.1) and limit.reset_at == NOW + 600


def test_mastodon_headers_iso_reset() -> None:
    limit = parse_rate_limit({"X-RateLimit-Limit": "300", "X-RateLimit-Remaining": "0",
                              "X-RateLimit-Reset": "2027-01-15T08:05:00.000Z"}, NOW)
    assert limit.exhausted and limit.reset_at == 1800000300.0


def test_ietf_draft_headers_delta_reset() -> None:
    limit = parse_rate_limit({"RateLimit-Limit": "3000", "RateLimit-Remaining": "1500", "RateLimit-Reset": "30"}, NOW)
    assert limit.remaining_ratio == 0.5 and limit.reset_at == NOW + 30


def test_meta_usage_headers() -> None:
    app = parse_rate_limit({"X-App-Usage": json.dumps({"call_count": 12, "total_cputime": 40, "total_time": 85})}, NOW)
    assert app.remaining_ratio == pytest.approx(0.15)
    buc = {"1234": [{"type": "pages", "call_count": 100, "total_cputime": 10, "total_time": 10,
                     "estimated_time_to_regain_access": 7}]}
    limit = parse_rate_limit({"X-Business-Use-Case-Usage": json.dumps(buc)}, NOW)
    assert limit.exhausted and limit.reset_at == NOW + 420


def test_no_rate_limit_headers() -> None:
    assert parse_rate_limit({"Content-Type": "application/json"}, NOW) is None
    assert parse_rate_limit({"X-App-Usage": "not json"}, NOW) is None


def test_retry_after_seconds_or_http_date() -> None:
    assert retry_after_seconds("120", NOW) == 120
    assert retry_after_seconds("Fri, 15 Jan 2027 08:05:00 GMT", NOW) == 300
    assert retry_after_seconds("soon", NOW) is None
