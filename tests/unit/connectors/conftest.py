"""Fixtures the connector tests share."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime

import pytest

from connectors import mapping
from schemas import InboxMessage, Platform, RawEvent
from tests.helpers import PAGE_ID


@pytest.fixture
def mapped(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """The ids of the raw items the Facebook mapping was called for, in order."""
    calls: list[str] = []
    original: Callable[[RawEvent], InboxMessage] = mapping.MAPPERS[Platform.FACEBOOK]

    def counting(raw: RawEvent) -> InboxMessage:
        calls.append(str(raw.payload.get("id")))
        return original(raw)

    monkeypatch.setitem(mapping.MAPPERS, Platform.FACEBOOK, counting)
    yield calls


@pytest.fixture
def unmappable() -> RawEvent:
    """A Facebook comment without the time its mapping needs (id ``c9``)."""
    return RawEvent(platform=Platform.FACEBOOK, account_id=PAGE_ID, resource="comment", payload={"id": "c9"},
                    context={}, fetched_at=datetime(2026, 11, 16, 12, tzinfo=UTC))
