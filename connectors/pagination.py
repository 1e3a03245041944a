"""Pagination as objects: each knows how to find the next page and refuses to loop."""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any

from connectors.errors import PaginationLoop


class Paginator(ABC):
    """Yields the next request (URL and params) from a response; detects repeated cursors."""

    def __init__(self) -> None:
        self._seen: set[str] = set()

    def advance(self, body: dict[str, Any], headers: dict[str, str]) -> str | None:
        """The next page's token/URL, or None at the end. Raises PaginationLoop on a repeat."""
        token = self.next_token(body, headers)
        if token is None:
            return None
        if token in self._seen:
            raise PaginationLoop(f"{type(self).__name__}: the API returned the same cursor twice")
        self._seen.add(token)
        return token

    @abstractmethod
    def next_token(self, body: dict[str, Any], headers: dict[str, str]) -> str | None: ...


class GraphPaginator(Paginator):
    """Graph API cursor paging: follow ``paging.next`` (an absolute URL) until it is absent.

    An empty ``data`` page ends the listing even if a ``next`` link is present, as the Graph API
    sometimes returns one on the last page.
    """

    def next_token(self, body: dict[str, Any], headers: dict[str, str]) -> str | None:
        if not body.get("data"):
            return None
        paging = body.get("paging") or {}
        next_url = paging.get("next") if isinstance(paging, dict) else None
        return next_url if isinstance(next_url, str) and next_url else None
