"""connectors/http.py: base-URL rewriting, retries, classification, and the rate-limit pause of every policy."""

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from connectors.errors import AuthError, FatalRequestError, RateLimited, RetriableError
from connectors.http import ApiClient, ResponsePolicy, rebase_url


@pytest.mark.parametrize("url, base, expected", [
    ("https://graph.facebook.com/v24.0/1/feed?after=x", "http://127.0.0.1:8080",
     "http://127.0.0.1:8080/v24.0/1/feed?after=x"),
    ("https://api.x.com/2/users/1/mentions", "http://proxy.local:81/prefix",
     "http://proxy.local:81/prefix/2/users/1/mentions"),
    ("https://graph.facebook.com/v24.0/1", None, "https://graph.facebook.com/v24.0/1"),
])
def test_rebase_url_swaps_scheme_and_host_only(url: str, base: str | None, expected: str) -> None:
    assert rebase_url(url, base) == expected


def test_rebase_url_rejects_a_base_without_host() -> None:
    with pytest.raises(ValueError, match="scheme://host"):
        rebase_url("https://a/b", "localhost")


class Scripted:
    """A local server that answers with a scripted sequence of (status, headers, body)."""

    def __init__(self, script: list[tuple[int, dict[str, str], str]]) -> None:
        self.script = list(script)
        self.hits = 0
        self.auth: list[str | None] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802
                outer.hits += 1
                outer.auth.append(self.headers.get("Authorization"))
                status, headers, body = outer.script.pop(0) if len(outer.script) > 1 else outer.script[0]
                self.send_response(status)
                for k, v in headers.items():
                    self.send_header(k, v)
                self.end_headers()
                self.wfile.write(body.encode())

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def client(server: Scripted, sleeps: list[float], **kwargs) -> ApiClient:
    return ApiClient(base_url=server.url, token="secret-token", sleep=sleeps.append, **kwargs)


def test_retries_5xx_then_succeeds_with_backoff() -> None:
    server = Scripted([(500, {}, ""), (503, {}, ""), (200, {}, '{"data": []}')])
    sleeps: list[float] = []
    try:
        body, _ = client(server, sleeps).get_json("https://graph.facebook.com/v24.0/x")
    finally:
        server.close()
    assert body == {"data": []} and server.hits == 3 and len(sleeps) == 2
    assert all(0 <= s <= 30 for s in sleeps)
    assert server.auth[0] == "Bearer secret-token"


def test_gives_up_after_max_attempts() -> None:
    server = Scripted([(502, {}, "")])
    try:
        with pytest.raises(RetriableError, match="HTTP 502"):
            client(server, [], max_attempts=3).get_json("https://h/x")
    finally:
        server.close()
    assert server.hits == 3


def test_retry_after_is_honoured() -> None:
    server = Scripted([(429, {"Retry-After": "7"}, ""), (200, {}, "{}")])
    sleeps: list[float] = []
    try:
        client(server, sleeps).get_json("https://h/x")
    finally:
        server.close()
    assert sleeps == [7.0]


def test_rate_limit_exhausting_attempts_is_reported_as_such() -> None:
    server = Scripted([(429, {}, "")])
    try:
        with pytest.raises(RateLimited):
            client(server, [], max_attempts=2).get_json("https://h/x")
    finally:
        server.close()


@pytest.mark.parametrize("status, error", [(401, AuthError), (403, FatalRequestError), (404, FatalRequestError)])
def test_client_errors_are_not_retried(status: int, error: type) -> None:
    server = Scripted([(status, {}, "{}")])
    try:
        with pytest.raises(error):
            client(server, []).get_json("https://h/x")
    finally:
        server.close()
    assert server.hits == 1


def test_malformed_json_is_fatal() -> None:
    server = Scripted([(200, {}, "<html>oops")])
    try:
        with pytest.raises(FatalRequestError, match="malformed JSON"):
            client(server, []).get_json("https://h/x")
    finally:
        server.close()


@pytest.mark.parametrize("body, fatal", [
    ('{"data": [' + ",".join(['{"id": "1", "message": "' + "x" * 1000 + '"}'] * 1000) + "]}", False),  # 1 MB page
    ('{"data": [{"id": "1", "message": "' + "x" * 1_000_000, True),  # cut off mid-way
    ('[' * 5000 + ']' * 5000, True),  # nested deeper than a parser should follow
])
def test_a_1_mb_page_is_read_and_a_broken_one_is_one_clear_error(body: str, fatal: bool) -> None:
    server = Scripted([(200, {}, body)])
    try:
        if fatal:
            with pytest.raises(FatalRequestError, match="malformed JSON"):
                client(server, []).get_json("https://h/x")
        else:
            page, _ = client(server, []).get_json("https://h/x")
            assert len(page["data"]) == 1000
    finally:
        server.close()


def test_token_never_appears_in_error_messages() -> None:
    server = Scripted([(401, {}, "{}")])
    try:
        with pytest.raises(AuthError) as info:
            client(server, []).get_json("https://h/x?fields=id")
    finally:
        server.close()
    assert "secret-token" not in str(info.value)


class PerEndpoint(ResponsePolicy):
    def limit_scope(self, path: str) -> str:
        return path


@pytest.mark.parametrize("policy, sleeps_after_other_endpoint", [(ResponsePolicy(), [12.0]), (PerEndpoint(), [])])
def test_exhausted_rate_limit_waits_for_the_reset_of_its_scope(policy, sleeps_after_other_endpoint) -> None:
    now = 1_800_000_000.0
    server = Scripted([(200, {"x-rate-limit-limit": "75", "x-rate-limit-remaining": "0",
                              "x-rate-limit-reset": str(int(now + 12))}, "{}")])
    sleeps: list[float] = []
    api = ApiClient(base_url=server.url, sleep=sleeps.append, clock=lambda: now, policy=policy)
    try:
        api.get_json("https://api.x.com/2/users/1/mentions")
        assert api.rate_limit is not None and api.rate_limit.exhausted
        api.get_json("https://api.x.com/2/dm_events")  # account-wide by default; per endpoint when the policy says
        assert sleeps == sleeps_after_other_endpoint
    finally:
        server.close()


def test_a_waited_out_429_is_not_waited_for_twice() -> None:
    now = 1_800_000_000.0
    headers = {"x-rate-limit-limit": "75", "x-rate-limit-remaining": "0", "x-rate-limit-reset": str(int(now + 5))}
    server = Scripted([(429, headers, "{}"), (200, {}, "{}")])
    sleeps: list[float] = []
    try:
        ApiClient(base_url=server.url, sleep=sleeps.append, clock=lambda: now).get_json("https://api.x.com/2/a")
    finally:
        server.close()
    assert sleeps == [5.0] and server.hits == 2


def test_a_far_reset_is_left_to_the_runner() -> None:
    now = 1_800_000_000.0
    server = Scripted([(200, {"x-rate-limit-limit": "75", "x-rate-limit-remaining": "0",
                              "x-rate-limit-reset": str(int(now + 900))}, "{}")])
    api = ApiClient(base_url=server.url, sleep=lambda s: None, clock=lambda: now, max_wait=60)
    try:
        api.get_json("https://api.x.com/2/a")
        with pytest.raises(RateLimited) as info:
            api.get_json("https://api.x.com/2/a")
    finally:
        server.close()
    assert info.value.retry_after == 900
    assert server.hits == 1  # the second request was not sent


def test_500_storm_ends_in_one_retriable_error_after_bounded_attempts() -> None:
    server = Scripted([(500, {}, "")])
    sleeps: list[float] = []
    try:
        with pytest.raises(RetriableError):
            client(server, sleeps, max_attempts=5).get_json("https://h/x")
    finally:
        server.close()
    assert server.hits == 5 and len(sleeps) == 4
    assert all(s <= 0.5 * 2 ** i for i, s in enumerate(sleeps))  # exponential cap, full jitter


# -- pause_for: one answer to "how long does this rate limit last", for every platform ----------------

NOW = 1_800_000_000.0


class Windowed(ResponsePolicy):
    default_pause = 120.0


def test_pause_for_prefers_retry_after_then_the_reset_then_the_default() -> None:
    policy = Windowed()
    reset = {"x-rate-limit-limit": "450", "x-rate-limit-remaining": "0", "x-rate-limit-reset": str(int(NOW + 600))}
    assert policy.pause_for({"Retry-After": "7", **reset}, NOW) == 7.0
    assert policy.pause_for(reset, NOW) == 600.0
    assert policy.pause_for({}, NOW) == 120.0
    past = {**reset, "x-rate-limit-reset": str(int(NOW - 5))}
    assert policy.pause_for(past, NOW) == 120.0  # a reset already behind us says nothing
    assert ResponsePolicy().pause_for({}, NOW) is None  # no default: the poller's interval decides


def test_a_plain_429_and_a_5xx_take_their_pauses_from_the_headers() -> None:
    policy = Windowed()
    limited = policy.classify(429, None, {}, "/a", NOW)
    assert isinstance(limited, RateLimited) and limited.retry_after == 120.0
    unavailable = policy.classify(503, None, {"Retry-After": "3"}, "/a", NOW)
    assert type(unavailable) is RetriableError and unavailable.retry_after == 3.0
    assert policy.classify(503, None, {"x-rate-limit-remaining": "0", "x-rate-limit-reset": str(int(NOW + 600))},
                           "/a", NOW).retry_after is None  # a reset is a rate limit's business, not a 5xx's


def _policies() -> list[tuple[type[ResponsePolicy], float, object, int]]:
    """Every platform policy with its default pause and a rate-limit body of its own dialect."""
    from connectors.bluesky.client import BlueskyPolicy
    from connectors.linkedin.client import LinkedInPolicy
    from connectors.mastodon.client import MastodonPolicy
    from connectors.meta.client import GraphPolicy
    from connectors.x.client import XPolicy
    from connectors.youtube.client import YouTubePolicy

    return [
        (GraphPolicy, 300.0, {"error": {"code": 32, "message": "Page request limit reached"}}, 400),
        (BlueskyPolicy, 300.0, {"error": "RateLimitExceeded", "message": "Rate Limit Exceeded"}, 429),
        (XPolicy, 900.0, {"title": "Too Many Requests", "type": "about:blank", "status": 429}, 429),
        (MastodonPolicy, 300.0, {"error": "Too many requests"}, 429),
        (LinkedInPolicy, 300.0, {"status": 429, "message": "Too many requests"}, 429),
        (YouTubePolicy, 30.0, {"error": {"code": 403, "errors": [{"reason": "rateLimitExceeded"}]}}, 403),
    ]


@pytest.mark.parametrize("policy, default, body, status", _policies())
def test_every_platform_policy_pauses_by_pause_for(policy: type[ResponsePolicy], default: float, body: object,
                                                   status: int) -> None:
    assert policy.default_pause == default
    reset = {"RateLimit-Limit": "3000", "RateLimit-Remaining": "0", "RateLimit-Reset": str(int(NOW + 240))}
    for headers, pause in [({"Retry-After": "42", **reset}, 42.0), (reset, 240.0), ({}, default)]:
        error = policy().classify(status, body, headers, "/p", NOW)
        assert isinstance(error, RateLimited) and error.retry_after == pause, (policy.__name__, headers)
        plain = policy().classify(429, None, headers, "/p", NOW)  # a bare 429 without the platform's body
        assert isinstance(plain, RateLimited) and plain.retry_after == pause, (policy.__name__, headers)
