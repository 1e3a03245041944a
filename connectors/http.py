"""The HTTP client connectors share: base-URL override, timeouts, retries, error classification.

``--base-url`` replaces only the scheme and host of every request, including the absolute paging
URLs an API returns, so a recorded or simulated API can stand in for the real one with the same
paths.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import requests

from connectors.errors import AuthError, FatalRequestError, RateLimited, RetriableError


def rebase_url(url: str, base_url: str | None) -> str:
    """Replace scheme and host (and port) of ``url`` with those of ``base_url``; keep the path."""
    if not base_url:
        return url
    base = urlsplit(base_url)
    if not base.scheme or not base.netloc:
        raise ValueError(f"base URL must look like scheme://host[:port], got {base_url!r}")
    parts = urlsplit(url)
    prefix = base.path.rstrip("/")
    return urlunsplit((base.scheme, base.netloc, prefix + parts.path, parts.query, parts.fragment))


#: Classifies a response that was not a success; returns the exception to raise.
ErrorClassifier = Callable[[requests.Response, Any], Exception]


def default_classifier(response: requests.Response, body: Any) -> Exception:
    status = response.status_code
    retry_after = _retry_after_seconds(response.headers.get("Retry-After"))
    if status == 429:
        return RateLimited(f"HTTP 429 from {urlsplit(response.url).path}", retry_after)
    if status in (401, 403):
        return AuthError(f"HTTP {status}: token rejected for {urlsplit(response.url).path}")
    if status >= 500:
        return RetriableError(f"HTTP {status} from {urlsplit(response.url).path}", retry_after)
    return FatalRequestError(f"HTTP {status} from {urlsplit(response.url).path}")


def _retry_after_seconds(value: str | None) -> float | None:
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        return None


class ApiClient:
    """GETs JSON with bounded retries; raises classified ``ConnectorError`` subclasses.

    The token is sent as a bearer header, never in the URL, so it cannot leak into logs.
    """

    def __init__(
        self,
        base_url: str | None = None,
        token: str | None = None,
        session: requests.Session | None = None,
        classifier: ErrorClassifier = default_classifier,
        timeout: float = 20.0,
        max_attempts: int = 4,
        backoff_base: float = 0.5,
        backoff_cap: float = 30.0,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.base_url = base_url
        self.session = session or requests.Session()
        if token:
            self.session.headers["Authorization"] = f"Bearer {token}"
        self.classifier = classifier
        self.timeout = timeout
        self.max_attempts = max_attempts
        self.backoff_base = backoff_base
        self.backoff_cap = backoff_cap
        self.sleep = sleep

    def get_json(self, url: str, params: dict[str, Any] | None = None) -> tuple[dict[str, Any], dict[str, str]]:
        """GET ``url`` (rebased) and return the JSON object body and the response headers."""
        target = rebase_url(url, self.base_url)
        last: Exception | None = None
        for attempt in range(1, self.max_attempts + 1):
            try:
                response = self.session.get(target, params=params, timeout=self.timeout)
            except (requests.ConnectionError, requests.Timeout) as exc:
                last = RetriableError(f"{type(exc).__name__} for {urlsplit(target).path}")
            else:
                body = _json_or_none(response)
                if response.ok and isinstance(body, dict):
                    return body, dict(response.headers)
                if response.ok:
                    raise FatalRequestError(f"malformed JSON from {urlsplit(target).path}")
                last = self.classifier(response, body)
                if not isinstance(last, RetriableError):
                    raise last
            if attempt < self.max_attempts:
                self.sleep(self._backoff(attempt, getattr(last, "retry_after", None)))
        assert last is not None
        raise last

    def _backoff(self, attempt: int, retry_after: float | None) -> float:
        if retry_after is not None:
            return min(retry_after, self.backoff_cap * 4)
        # Full jitter: spreads retries of many accounts so they do not hit the API together.
        return random.uniform(0, min(self.backoff_cap, self.backoff_base * 2 ** (attempt - 1)))


def _json_or_none(response: requests.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        return None
