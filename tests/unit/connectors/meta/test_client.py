"""connectors/meta/client.py: the Graph API's error codes and rate-limit pauses (Facebook and Instagram)."""

import json

import pytest

from connectors.errors import AuthError, FatalRequestError, RateLimited, RetriableError
from connectors.meta.client import GraphPolicy

NOW = 1_800_000_000.0


def graph_error(code: int, subcode: int | None = None, **extra: object) -> dict:
    error = {"message": "(#x) something", "type": "OAuthException", "code": code, "fbtrace_id": "A1"}
    if subcode:
        error["error_subcode"] = subcode
    return {"error": {**error, **extra}}


@pytest.mark.parametrize("status, body, expected", [
    (400, graph_error(190, 463), AuthError),        # token expired
    (400, graph_error(190, 460), AuthError),        # password changed
    (400, graph_error(4), RateLimited),             # app rate limit
    (403, graph_error(17), RateLimited),            # user rate limit
    (400, graph_error(32), RateLimited),            # page rate limit
    (400, graph_error(613), RateLimited),
    (400, graph_error(80001), RateLimited),         # Business Use Case limit
    (500, graph_error(2), RetriableError),          # service temporarily unavailable
    (400, graph_error(1, is_transient=True), RetriableError),
    (403, graph_error(10), FatalRequestError),      # permission
    (400, graph_error(100, 33), FatalRequestError), # unsupported request, not a token problem
])
def test_graph_error_codes(status: int, body: dict, expected: type) -> None:
    error = GraphPolicy().classify(status, body, {}, "/v24.0/1/feed", NOW)
    assert type(error) is expected
    assert "(#x) something" not in str(error)


def test_graph_rate_limit_pause_comes_from_usage_headers() -> None:
    buc = {"1": [{"type": "pages", "call_count": 100, "total_cputime": 1, "total_time": 1,
                  "estimated_time_to_regain_access": 3}]}
    error = GraphPolicy().classify(400, graph_error(80001), {"X-Business-Use-Case-Usage": json.dumps(buc)},
                                   "/v24.0/1/feed", NOW)
    assert isinstance(error, RateLimited) and error.retry_after == 180
