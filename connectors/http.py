"""The HTTP client connectors share: base-URL override, auth, retries, rate limits, error classes.

``--base-url`` replaces only the scheme and host of every request, including the absolute paging
URLs an API returns, so a recorded or simulated API can stand in for the real one with the same
paths. Every failure is classified in one place, a ``ResponsePolicy`` per platform:

- retriable (5xx, timeouts, connection errors): exponential backoff with full jitter;
- rate limited (429, platform error codes, exhausted rate-limit headers): wait for the announced
  reset if it is near, otherwise give up for this poll with ``RateLimited.retry_after``, which
  ``ResponsePolicy.pause_for`` works out the same way for every platform;
- auth (expired or revoked token): never retried;
- anything else (other 4xx, malformed JSON): fatal for that request, with a clear message.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from typing import Any, ClassVar, TypeVar
from urllib.parse import urlsplit

import requests

from connectors.errors import AuthError, ConnectorError, FatalRequestError, RateLimited, RetriableError, SessionExpired
from connectors.ratelimits import RateLimit, parse_rate_limit, retry_after
from innboks.domain.platform_auth import rebase_url

T = TypeVar("T")


def with_renewal(request: Callable[[], T], refresh_auth: Callable[[], bool]) -> T:
    """Make a request; if the session has expired and ``refresh_auth`` renews it, make it once more
    (a second expiry is an ``AuthError`` like any other). The refused request did nothing."""
    try:
        return request()
    except SessionExpired:
        if not refresh_auth():
            raise
    return request()


class ResponsePolicy:
    """How a platform signals errors and rate limits. Subclasses refine ``classify`` and set
    ``default_pause``; every one of them asks ``pause_for`` how long a rate limit lasts."""

    #: The pause after a rate limit that announces neither ``Retry-After`` nor a reset time (the
    #: platform's window). None: unknown, the poller's interval decides.
    default_pause: ClassVar[float | None] = None

    def limit_scope(self, path: str) -> str:
        """What one rate limit covers. Most platforms limit the app or account as a whole (one
        scope); X limits every endpoint separately (the path)."""
        return "*"

    def rate_limit(self, headers: Any, now: float) -> RateLimit | None:
        return parse_rate_limit(headers, now)

    def pause_for(self, headers: Any, now: float) -> float | None:
        """How long a rate limit lasts: ``Retry-After``, else the time to the announced reset (if it
        is still ahead), else ``default_pause``."""
        seconds = retry_after(headers, now)
        if seconds is not None:
            return seconds
        limit = self.rate_limit(headers, now)
        if limit is not None and limit.reset_at is not None and limit.reset_at > now:
            return limit.reset_at - now
        return self.default_pause

    def classify(self, status: int, body: Any, headers: Any, path: str, now: float) -> ConnectorError:
        """The error for a response that is not a success."""
        if status == 429:
            return RateLimited(f"HTTP 429 (rate limited) from {path}", self.pause_for(headers, now))
        if status == 401:
            return AuthError(f"HTTP 401: token rejected for {path}")
        if status == 403:
            return FatalRequestError(f"HTTP 403: not allowed for {path} (missing permission?)")
        if status >= 500:
            return RetriableError(f"HTTP {status} from {path}", retry_after(headers, now))
        return FatalRequestError(f"HTTP {status} from {path}")


#: Applies credentials to a session: sets headers or ``session.auth`` (OAuth 1.0a, OAuth 2).
SessionFactory = Callable[[], requests.Session]


class ApiClient:
    """GETs JSON with bounded retries; raises classified ``ConnectorError`` subclasses.

    Credentials are applied by the session (bearer header or requests-oauthlib auth), never
    placed in URLs, so they cannot leak into logs or error messages.
    """

    def __init__(
        self,
        base_url: str | None = None,
        token: str | None = None,
        session: requests.Session | None = None,
        policy: ResponsePolicy | None = None,
        timeout: float = 20.0,
        max_attempts: int = 4,
        backoff_base: float = 0.5,
        backoff_cap: float = 30.0,
        max_wait: float = 60.0,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.base_url = base_url
        self.session = session or requests.Session()
        if token:
            self.session.headers["Authorization"] = f"Bearer {token}"
        self.policy = policy or ResponsePolicy()
        self.timeout = timeout
        self.max_attempts = max_attempts
        self.backoff_base = backoff_base
        self.backoff_cap = backoff_cap
        self.max_wait = max_wait
        self.sleep = sleep
        self.clock = clock
        #: The latest rate-limit state seen (any endpoint), for the headroom metric.
        self.rate_limit: RateLimit | None = None
        #: Rate-limit state per scope (see ``ResponsePolicy.limit_scope``).
        self._limits: dict[str, RateLimit] = {}
        self.requests = 0

    def get_json(self, url: str, params: dict[str, Any] | None = None,
                 headers: dict[str, str] | None = None) -> tuple[Any, dict[str, str]]:
        """GET ``url`` (rebased) and return the JSON body (object or array) and the headers."""
        return self.request_json("GET", url, params=params, headers=headers)

    def post_json(self, url: str, body: Any, headers: dict[str, str] | None = None) -> tuple[Any, dict[str, str]]:
        """POST a JSON body (e.g. a session login) with the same retries and error classes."""
        return self.request_json("POST", url, json_body=body, headers=headers)

    def request_json(self, method: str, url: str, params: dict[str, Any] | None = None, json_body: Any = None,
                     headers: dict[str, str] | None = None, *, retry: bool = True,
                     allow_empty: bool = False) -> tuple[Any, dict[str, str]]:
        """Send one request; the JSON body (object or array) and the headers of the answer.

        ``retry=False`` sends it once: a write that creates something (a reply) must not be repeated
        after a timeout or a 5xx, which may have come after it was carried out; the caller looks
        before trying again. ``allow_empty=True`` accepts a success without a body (``204 No
        Content`` of a deletion or a moderation call) as ``{}``.
        """
        target = rebase_url(url, self.base_url)
        path = urlsplit(target).path
        error: ConnectorError | None = None
        attempts = self.max_attempts if retry else 1
        for attempt in range(1, attempts + 1):
            self._wait_for_rate_limit(path)
            self.requests += 1
            try:
                response = self.session.request(method, target, params=params, json=json_body, headers=headers,
                                                timeout=self.timeout)
            except (requests.ConnectionError, requests.Timeout) as exc:
                error = RetriableError(f"{type(exc).__name__} for {path}")
            else:
                now = self.clock()
                if (limit := self.policy.rate_limit(response.headers, now)) is not None:
                    self.rate_limit = self._limits[self.policy.limit_scope(path)] = limit
                body = _json_or_none(response)
                if response.ok and isinstance(body, (dict, list)):
                    return body, dict(response.headers)
                if response.ok and allow_empty and not response.content.strip():
                    return {}, dict(response.headers)
                if response.ok:
                    raise FatalRequestError(f"malformed JSON from {path}")
                error = self.policy.classify(response.status_code, body, response.headers, path, now)
                if not isinstance(error, RetriableError):
                    raise error
            if attempt == attempts:
                break
            delay = self._backoff(attempt, error.retry_after if isinstance(error, RetriableError) else None)
            if delay > self.max_wait:
                break  # a long wait is the runner's business: it polls other accounts meanwhile
            self.sleep(delay)
            self._limits.pop(self.policy.limit_scope(path), None)  # waited out: not again for the same reset
        assert error is not None
        raise error

    def _wait_for_rate_limit(self, path: str) -> None:
        """Before a request: if the limit covering this path is used up, wait for its reset (or give up)."""
        scope = self.policy.limit_scope(path)
        limit = self._limits.get(scope)
        if limit is None or not limit.exhausted:
            return
        wait = max(0.0, (limit.reset_at or 0.0) - self.clock()) if limit.reset_at else self.max_wait
        if wait > self.max_wait:
            raise RateLimited(f"rate limit used up before {path}", wait)
        if wait > 0:
            self.sleep(wait)
        self._limits.pop(scope, None)

    def _backoff(self, attempt: int, retry_after: float | None) -> float:
        if retry_after is not None:
            return retry_after
        # Full jitter spreads the retries of many accounts so they do not hit the API together.
        return random.uniform(0, min(self.backoff_cap, self.backoff_base * 2 ** (attempt - 1)))

    def close(self) -> None:
        self.session.close()


def _json_or_none(response: requests.Response) -> Any:
    try:
        return response.json()
    except (ValueError, RecursionError):  # not JSON, or nested deeper than the parser follows
        return None
