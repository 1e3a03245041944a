"""One error type for the inbox: a status and a message safe to show (no personal data)."""

from __future__ import annotations


class HttpError(Exception):
    def __init__(self, status: int, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = headers or {}


class NotFound(HttpError):
    def __init__(self, message: str) -> None:
        super().__init__(404, message)
