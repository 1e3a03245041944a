"""One error type for the inbox: a status and a message safe to show (no personal data)."""

from __future__ import annotations

from typing import Any


class HttpError(Exception):
    def __init__(self, status: int, message: str, headers: dict[str, str] | None = None,
                 extra: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = headers or {}
        #: More fields for the API's JSON answer (e.g. what changed, on a 409).
        self.extra = extra or {}


class NotFound(HttpError):
    def __init__(self, message: str) -> None:
        super().__init__(404, message)
