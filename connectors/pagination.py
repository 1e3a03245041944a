"""Pagination as objects: each knows how to find the next page and refuses to loop.

A paginator looks at one response (JSON body and headers) and returns the request for the next
page, or None at the end. The same next page twice means the API is looping: ``PaginationLoop``.
"""

from __future__ import annotations

import re
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from connectors.errors import PaginationLoop
from connectors.fields import dig, items, nonempty, obj
from connectors.headers import header


@dataclass(frozen=True)
class NextPage:
    """The next request: an absolute URL (rebased by the client) and query parameters."""

    url: str
    params: dict[str, Any] = field(default_factory=dict)

    def identity(self) -> str:
        return self.url + "?" + "&".join(f"{k}={v}" for k, v in sorted(self.params.items()))


#: GET one page: ``(url, params)`` → the JSON body and the response headers.
FetchPage = Callable[[str, dict[str, Any] | None], tuple[Any, dict[str, str]]]


def page_bodies(fetch: FetchPage, url: str, params: dict[str, Any], paginator: Paginator,
                max_pages: int | None = None) -> Iterator[Any]:
    """Every page (JSON body) of a listing, following the paginator until it ends (or ``max_pages``)."""
    page: NextPage | None = NextPage(url, dict(params))
    fetched = 0
    while page is not None and (max_pages is None or fetched < max_pages):
        body, headers = fetch(page.url, page.params or None)
        fetched += 1
        yield body
        page = paginator.advance(page.url, page.params, body, headers)


class Paginator(ABC):
    """Finds the next page; one instance per listing, because it remembers the pages it handed out."""

    def __init__(self) -> None:
        self._seen: set[str] = set()

    def advance(self, url: str, params: dict[str, Any], body: Any, headers: dict[str, str]) -> NextPage | None:
        """The next page after the response to ``url``/``params``, or None at the end."""
        page = self.next_page(url, params, body, headers)
        if page is None:
            return None
        identity = page.identity()
        if identity in self._seen:
            raise PaginationLoop(f"{type(self).__name__}: the API returned the same cursor twice")
        self._seen.add(identity)
        return page

    @abstractmethod
    def next_page(self, url: str, params: dict[str, Any], body: Any, headers: dict[str, str]) -> NextPage | None: ...


class SinglePage(Paginator):
    """Listings that are not paged."""

    def next_page(self, url: str, params: dict[str, Any], body: Any, headers: dict[str, str]) -> NextPage | None:
        return None


class NextUrlPaginator(Paginator):
    """Follow an absolute next-page URL found at a path in the body (Graph API: ``paging.next``).

    An empty page ends the listing even if a next link is present, as the Graph API sometimes
    returns one on the last page.
    """

    def __init__(self, path: tuple[str, ...] = ("paging", "next"), items_key: str = "data") -> None:
        super().__init__()
        self.path = path
        self.items_key = items_key

    def next_page(self, url: str, params: dict[str, Any], body: Any, headers: dict[str, str]) -> NextPage | None:
        if not items(body, self.items_key):
            return None
        target = nonempty(dig(body, self.path))
        return NextPage(target) if target else None


#: Graph API paging (Facebook, Instagram).
GraphPaginator = NextUrlPaginator


class TokenPaginator(Paginator):
    """A continuation token in the body, sent back as a query parameter.

    X API v2: ``meta.next_token`` → ``pagination_token``; YouTube: ``nextPageToken`` →
    ``pageToken``; Bluesky: ``cursor`` → ``cursor``.
    """

    def __init__(self, token_path: tuple[str, ...], param: str, items_key: str | None = None) -> None:
        super().__init__()
        self.token_path = token_path
        self.param = param
        self.items_key = items_key

    def next_page(self, url: str, params: dict[str, Any], body: Any, headers: dict[str, str]) -> NextPage | None:
        if self.items_key is not None and not items(body, self.items_key):
            return None
        token = nonempty(dig(body, self.token_path))
        return NextPage(url, {**params, self.param: token}) if token else None


_LINK = re.compile(r'<([^>]+)>\s*;\s*rel="?([^";]+)"?')


def parse_link_header(value: str | None) -> dict[str, str]:
    """RFC 8288 ``Link`` header to ``{rel: url}``."""
    links: dict[str, str] = {}
    for url, rels in _LINK.findall(value or ""):
        for rel in rels.split():
            links[rel] = url
    return links


class LinkHeaderPaginator(Paginator):
    """Follow ``Link: <url>; rel="next"`` (Mastodon). An empty page ends the listing."""

    def __init__(self, rel: str = "next") -> None:
        super().__init__()
        self.rel = rel

    def next_page(self, url: str, params: dict[str, Any], body: Any, headers: dict[str, str]) -> NextPage | None:
        if isinstance(body, list) and not body:
            return None
        target = parse_link_header(header(headers, "link")).get(self.rel)
        return NextPage(target) if target else None


class OffsetPaginator(Paginator):
    """``start``/``count`` paging with the total in the body (LinkedIn Rest.li: ``paging``)."""

    def __init__(self, items_key: str = "elements", paging_key: str = "paging") -> None:
        super().__init__()
        self.items_key = items_key
        self.paging_key = paging_key

    def next_page(self, url: str, params: dict[str, Any], body: Any, headers: dict[str, str]) -> NextPage | None:
        page = items(body, self.items_key)
        if not page:
            return None
        paging = obj(dig(body, (self.paging_key,)))
        start = int(paging.get("start", params.get("start", 0)) or 0)
        count = int(paging.get("count", params.get("count", len(page))) or len(page))
        total = paging.get("total")
        next_start = start + len(page)
        if isinstance(total, int) and next_start >= total:
            return None
        if total is None and len(page) < count:
            return None
        return NextPage(url, {**params, "start": next_start, "count": count})
