"""How connector failures are classified: one place decides what is retried and what is fatal."""

from __future__ import annotations


class ConnectorError(RuntimeError):
    """Base class; ``error_class`` is a bounded label for metrics."""

    error_class = "error"


class RetriableError(ConnectorError):
    """Worth retrying after a pause (5xx, timeouts, connection errors, rate limits)."""

    error_class = "retriable"

    def __init__(self, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class RateLimited(RetriableError):
    error_class = "rate_limited"


class AuthError(ConnectorError):
    """The token is expired, revoked or lacks permission: retrying will not help."""

    error_class = "auth"


class SessionExpired(AuthError):
    """The access token of a renewable session ran out (Bluesky's ``ExpiredToken``).

    ``Connector.get_page`` renews the session once (``refresh_auth``) and repeats the request;
    where there is no session to renew, it stays an ``AuthError``.
    """


class FatalRequestError(ConnectorError):
    """A 4xx or malformed response for this request: report it, do not retry."""

    error_class = "fatal"


class PaginationLoop(ConnectorError):
    """The API handed back a cursor it had already given: stop instead of looping forever."""

    error_class = "pagination_loop"


class MappingError(ValueError):
    """A platform item cannot be mapped to an InboxMessage; ``code`` is a bounded reason class."""

    def __init__(self, code: str, reason: str) -> None:
        super().__init__(reason)
        self.code = code
        self.reason = reason


class IgnoredItem(Exception):
    """A platform item that is not a message (a like, a read receipt): dropped, only counted."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason
