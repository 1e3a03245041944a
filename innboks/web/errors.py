"""One error type for the inbox: a status and a message safe to show (no personal data)."""

from __future__ import annotations

from typing import Any


class HttpError(Exception):
    """``body`` adds fields to the API's ``{"error": …}`` answer (the reply check's warnings)."""

    def __init__(self, status: int, message: str, headers: dict[str, str] | None = None,
                 body: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = headers or {}
        self.body = body or {}


class NotFound(HttpError):
    def __init__(self, message: str) -> None:
        super().__init__(404, message)
