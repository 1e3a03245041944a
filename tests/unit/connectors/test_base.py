"""The connector contract (``connectors/base.py``): the one pages loop and its hooks."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest

from connectors.base import Connector, DeliveryError, MemoryCursorStore
from connectors.errors import AuthError, FatalRequestError, SessionExpired
from connectors.http import ApiClient
from connectors.pagination import TokenPaginator
from schemas import Platform, RawEvent

LISTING = "https://api.example/list"


class ScriptedClient(ApiClient):
    """Answers GETs from a script: a (body, headers) pair or an exception, one per request."""

    def __init__(self, *script: tuple[Any, dict[str, str]] | Exception) -> None:
        super().__init__()
        self.script = list(script)
        self.calls: list[tuple[str, dict[str, Any] | None]] = []

    def get_json(self, url: str, params: dict[str, Any] | None = None,
                 headers: dict[str, str] | None = None) -> tuple[Any, dict[str, str]]:
        self.calls.append((url, params))
        answer = self.script.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer


class NullSink:
    def send(self, event: RawEvent) -> None: ...

    def flush(self, timeout: float) -> None: ...

    def close(self) -> None: ...


class Listing(Connector):
    platform = Platform.MASTODON
    api_base = "https://api.example"

    def __init__(self, client: ApiClient) -> None:
        super().__init__("1", client, NullSink(), clock=lambda: datetime(2026, 11, 16, tzinfo=UTC))
        self.refreshes = 0
        self.renewable = False
        self.validated: list[tuple[str, Any]] = []

    def fetch(self) -> Iterator[RawEvent]:
        return iter(())

    def read(self) -> list[Any]:
        return list(self.pages(LISTING, {"limit": 2}, TokenPaginator(("next",), "cursor", "items")))


class Renewing(Listing):
    def refresh_auth(self) -> bool:
        self.refreshes += 1
        return self.renewable


class Validating(Listing):
    def validate_body(self, url: str, body: Any) -> None:
        self.validated.append((url, body))
        if "errors" in body:
            raise FatalRequestError("errors-only body")


def page(number: int, next_token: str | None = None) -> tuple[dict[str, Any], dict[str, str]]:
    return {"items": [{"id": number}], **({"next": next_token} if next_token else {})}, {}


def test_pages_fetches_every_page_through_get_page_and_the_paginator() -> None:
    client = ScriptedClient(page(1, "b"), page(2))
    assert Listing(client).read() == [page(1, "b")[0], page(2)[0]]
    assert client.calls == [(LISTING, {"limit": 2}), (LISTING, {"limit": 2, "cursor": "b"})]


def test_validate_body_sees_every_page_and_its_error_stops_the_listing_before_the_page_is_used() -> None:
    client = ScriptedClient(page(1, "b"), ({"errors": [{"type": "x"}]}, {}), page(3))
    connector = Validating(client)
    yielded: list[Any] = []
    with pytest.raises(FatalRequestError, match="errors-only"):
        for body in connector.pages(LISTING, {}, TokenPaginator(("next",), "cursor")):
            yielded.append(body)
    assert yielded == [page(1, "b")[0]]
    assert [url for url, _ in connector.validated] == [LISTING, LISTING]
    assert len(client.calls) == 2  # nothing is requested after the bad page


def test_an_expired_session_is_renewed_once_and_the_page_requested_again() -> None:
    client = ScriptedClient(SessionExpired("expired"), page(1))
    connector = Renewing(client)
    connector.renewable = True
    assert connector.read() == [page(1)[0]]
    assert connector.refreshes == 1 and len(client.calls) == 2
    assert client.calls[0] == client.calls[1]


def test_a_session_that_expires_again_after_renewal_is_an_auth_error() -> None:
    client = ScriptedClient(SessionExpired("expired"), SessionExpired("still expired"), page(1))
    connector = Renewing(client)
    connector.renewable = True
    with pytest.raises(AuthError, match="still expired"):
        connector.read()
    assert connector.refreshes == 1 and len(client.calls) == 2  # renewed once, never in a loop


def test_without_a_session_to_renew_an_expiry_is_an_auth_error_without_a_second_request() -> None:
    renewing = Renewing(ScriptedClient(SessionExpired("expired"), page(1)))
    with pytest.raises(SessionExpired):
        renewing.read()
    assert renewing.refreshes == 1 and len(renewing.client.calls) == 1  # type: ignore[attr-defined]
    default = Listing(ScriptedClient(SessionExpired("expired"), page(1)))
    with pytest.raises(SessionExpired):
        default.read()
    assert len(default.client.calls) == 1  # type: ignore[attr-defined]


def test_other_auth_errors_are_not_renewed() -> None:
    connector = Renewing(ScriptedClient(AuthError("revoked"), page(1)))
    connector.renewable = True
    with pytest.raises(AuthError, match="revoked"):
        connector.read()
    assert connector.refreshes == 0


def test_no_platform_overrides_the_pages_loop() -> None:
    from connectors.platforms import CONNECTORS

    assert {platform.value: cls.pages for platform, cls in CONNECTORS.items()} == {
        platform.value: Connector.pages for platform in CONNECTORS}


# -- cursors: copies without a JSON round trip ------------------------------------------------------

def test_memory_cursor_store_shares_nothing_with_its_callers_and_refuses_what_is_not_json() -> None:
    store = MemoryCursorStore()
    state = {"since": "2026-11-16T00:00:00+00:00", "seen": {"a": "f1"}}
    store.save(Platform.MASTODON, "1", state)
    state["seen"]["b"] = "f2"
    loaded = store.load(Platform.MASTODON, "1")
    assert loaded == {"since": "2026-11-16T00:00:00+00:00", "seen": {"a": "f1"}}
    loaded["seen"]["c"] = "f3"
    assert store.load(Platform.MASTODON, "1")["seen"] == {"a": "f1"}
    assert store.load(Platform.MASTODON, "2") == {}
    with pytest.raises(TypeError):  # the Kafka store could not keep it as it is either
        store.save(Platform.MASTODON, "1", {"since": datetime(2026, 11, 16, tzinfo=UTC)})


class FailingSink(NullSink):
    def flush(self, timeout: float) -> None:
        raise DeliveryError("not acknowledged")


def test_pending_cursors_are_a_copy_that_a_failed_delivery_throws_away() -> None:
    store = MemoryCursorStore()
    store.save(Platform.MASTODON, "1", {"since": {"feed": "a"}})
    connector = Listing(ScriptedClient())
    connector.cursors = store
    connector.setup()
    connector.pending["since"]["feed"] = "b"  # a nested change in a poll
    assert connector.state == {"since": {"feed": "a"}}
    connector.sink = FailingSink()
    with pytest.raises(DeliveryError):
        connector.flush()
    assert connector.pending == {"since": {"feed": "a"}}
    connector.pending["since"]["feed"] = "c"
    assert connector.state == {"since": {"feed": "a"}}
    connector.sink = NullSink()
    connector.flush()
    assert store.load(Platform.MASTODON, "1") == connector.state == {"since": {"feed": "c"}, "seen": {}}
    connector.pending["since"]["feed"] = "d"
    assert connector.state["since"] == {"feed": "c"}  # what was saved is not changed by the next poll
