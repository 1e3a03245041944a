"""Paginators: every paging dialect, loop detection, and the end of a listing."""

import pytest

from connectors.errors import PaginationLoop
from connectors.pagination import (
    GraphPaginator,
    LinkHeaderPaginator,
    NextPage,
    OffsetPaginator,
    TokenPaginator,
    parse_link_header,
)

URL = "https://api.example/list"


def test_graph_follows_paging_next_and_detects_a_loop() -> None:
    paginator = GraphPaginator()
    page = {"data": [{"id": "1"}], "paging": {"next": "https://graph.facebook.com/v24.0/x?after=A"}}
    assert paginator.advance(URL, {}, page, {}) == NextPage("https://graph.facebook.com/v24.0/x?after=A")
    with pytest.raises(PaginationLoop):
        paginator.advance(URL, {}, page, {})


def test_graph_stops_on_empty_page_or_missing_next() -> None:
    assert GraphPaginator().advance(URL, {}, {"data": [], "paging": {"next": "https://x"}}, {}) is None
    assert GraphPaginator().advance(URL, {}, {"data": [{"id": 1}]}, {}) is None
    assert GraphPaginator().advance(URL, {}, {"data": [{"id": 1}], "paging": {"next": None}}, {}) is None


def test_token_paginator_sends_the_token_back_as_a_parameter() -> None:
    paginator = TokenPaginator(("meta", "next_token"), "pagination_token")
    page = paginator.advance(URL, {"max_results": 100}, {"data": [{}], "meta": {"next_token": "T1"}}, {})
    assert page == NextPage(URL, {"max_results": 100, "pagination_token": "T1"})
    assert paginator.advance(URL, {}, {"data": [{}], "meta": {"result_count": 1}}, {}) is None
    with pytest.raises(PaginationLoop):
        paginator.advance(URL, {"max_results": 100}, {"data": [{}], "meta": {"next_token": "T1"}}, {})


def test_token_paginator_can_require_items() -> None:
    paginator = TokenPaginator(("cursor",), "cursor", items_key="notifications")
    assert paginator.advance(URL, {}, {"notifications": [], "cursor": "c"}, {}) is None


def test_link_header_paging() -> None:
    header = ('<https://mastodon.social/api/v1/notifications?max_id=109>; rel="next", '
              '<https://mastodon.social/api/v1/notifications?min_id=120>; rel="prev"')
    assert parse_link_header(header) == {
        "next": "https://mastodon.social/api/v1/notifications?max_id=109",
        "prev": "https://mastodon.social/api/v1/notifications?min_id=120",
    }
    paginator = LinkHeaderPaginator()
    assert paginator.advance(URL, {}, [{"id": "1"}], {"Link": header}).url.endswith("max_id=109")
    assert LinkHeaderPaginator().advance(URL, {}, [], {"Link": header}) is None
    assert LinkHeaderPaginator().advance(URL, {}, [{"id": "1"}], {}) is None


def test_offset_paging_uses_total_or_a_short_page() -> None:
    paginator = OffsetPaginator()
    body = {"elements": [{}] * 10, "paging": {"start": 0, "count": 10, "total": 25}}
    assert paginator.advance(URL, {"count": 10}, body, {}) == NextPage(URL, {"count": 10, "start": 10})
    last = {"elements": [{}] * 5, "paging": {"start": 20, "count": 10, "total": 25}}
    assert paginator.advance(URL, {}, last, {}) is None
    short = {"elements": [{}] * 3, "paging": {"start": 0, "count": 10}}
    assert OffsetPaginator().advance(URL, {}, short, {}) is None
