"""The connector contract: ``setup`` → ``poll`` → ``flush`` → ``cleanup``.

A connector fetches items newer than its cursors and hands them to a sink as ``RawEvent``s. It
advances its cursors only in ``flush``, after the sink has confirmed delivery. If delivery fails,
the pending cursors are dropped, so the next poll fetches the same items again: at-least-once.

Each delivered item is remembered by id with a fingerprint of the fields that can change (text,
hidden flag, edit time). An item seen again unchanged is dropped. An item seen again with another
fingerprint is sent with ``context["change"]``, and its mapping makes it an ``edited`` or
``hidden`` event. The memory is stored with the cursors, so a restart neither loses nor repeats.

A platform subclass declares ``platform``, ``api_base``, ``policy`` (how the API signals errors and
rate limits), ``fingerprint_keys``, and implements ``fetch`` with ``pages`` and a paginator. There is
one pages loop; a platform changes it only through its hooks: ``get_page`` (how one page is fetched),
``refresh_auth`` (renewing an expired session, after which ``get_page`` repeats the request once) and
``validate_body`` (a successful response whose body is an error).
"""

from __future__ import annotations

import copy
import hashlib
import json
from abc import ABC, abstractmethod
from collections import OrderedDict
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any, ClassVar, Protocol

from connectors.http import ApiClient, ResponsePolicy, with_renewal
from connectors.pagination import Paginator, page_bodies
from innboks.config.credentials import AnyCredentials
from schemas import Platform, RawEvent

Clock = Callable[[], datetime]


def utcnow() -> datetime:
    return datetime.now(UTC)


class Sink(Protocol):
    def send(self, event: RawEvent) -> None: ...

    def flush(self, timeout: float) -> None:
        """Block until everything sent is acknowledged; raise ``DeliveryError`` otherwise."""

    def close(self) -> None: ...


class DeliveryError(RuntimeError):
    """The sink could not confirm delivery; cursors must not advance."""

    error_class = "delivery"


class CursorStore(Protocol):
    def load(self, platform: Platform, account_id: str) -> dict[str, Any]: ...

    def save(self, platform: Platform, account_id: str, state: dict[str, Any]) -> None: ...


class MemoryCursorStore:
    """Cursors kept for the life of the process (tests, ``--once`` runs, the demo).

    They are kept as JSON text, as the Kafka store keeps them, so a cursor that is not JSON fails
    here as it would there, and what ``load`` returns shares nothing with what was saved.
    """

    def __init__(self) -> None:
        self._states: dict[tuple[Platform, str], str] = {}

    def load(self, platform: Platform, account_id: str) -> dict[str, Any]:
        stored = self._states.get((platform, account_id))
        return json.loads(stored) if stored is not None else {}

    def save(self, platform: Platform, account_id: str, state: dict[str, Any]) -> None:
        self._states[(platform, account_id)] = json.dumps(state)


class Connector(ABC):
    """Base of every platform connector."""

    platform: ClassVar[Platform]
    #: Scheme and host of the real API; ``--base-url`` replaces them.
    api_base: ClassVar[str]
    policy: ClassVar[type[ResponsePolicy]] = ResponsePolicy
    #: Payload keys whose change makes an already delivered item an edit (or a hide).
    fingerprint_keys: ClassVar[tuple[str, ...]] = ("text", "message")
    #: How many delivered items are remembered (with the cursors) to drop repeats.
    seen_capacity: ClassVar[int] = 5_000

    def __init__(
        self,
        account_id: str,
        client: ApiClient,
        sink: Sink,
        cursors: CursorStore | None = None,
        clock: Clock = utcnow,
        backfill: timedelta = timedelta(days=7),
        since: datetime | None = None,
        options: dict[str, Any] | None = None,
        credentials: AnyCredentials | None = None,
    ) -> None:
        self.account_id = account_id
        self.client = client
        self.sink = sink
        self.cursors = cursors or MemoryCursorStore()
        self.clock = clock
        self.backfill = backfill
        self.since = since
        #: Per-account settings from the registry (``options:``), e.g. a Mastodon instance.
        self.options = dict(options or {})
        #: The account's credentials, for connectors that open their own session (Bluesky).
        self.credentials = credentials
        self.state: dict[str, Any] = {}
        self.pending: dict[str, Any] = {}
        self._seen: OrderedDict[str, str] = OrderedDict()
        self._unflushed: dict[str, str] = {}

    # -- lifecycle ---------------------------------------------------------------------------
    def setup(self) -> None:
        self.state = self.cursors.load(self.platform, self.account_id)
        self.pending = copy.deepcopy(self.state)
        seen = self.state.get("seen", {})
        self._seen = OrderedDict(seen.items() if isinstance(seen, dict) else ((i, "") for i in seen))

    def poll(self) -> int:
        """Fetch new and changed items and send them to the sink; returns how many were sent."""
        sent = 0
        for event in self.fetch():
            native_id = self.native_id(event)
            fingerprint = self.fingerprint(event)
            if native_id:
                previous = self._unflushed.get(native_id, self._seen.get(native_id))
                if previous == fingerprint:
                    continue
                if previous is not None:
                    event = event.model_copy(update={"context": {**event.context, "change": "changed"}})
                self._unflushed[native_id] = fingerprint
            self.sink.send(event)
            sent += 1
        return sent

    def flush(self, timeout: float = 30.0) -> None:
        """Confirm delivery, then advance the cursors. On failure nothing advances."""
        try:
            self.sink.flush(timeout)
        except Exception:
            self.pending = copy.deepcopy(self.state)
            self._unflushed.clear()
            raise
        for native_id, fingerprint in self._unflushed.items():
            self._seen.pop(native_id, None)
            self._seen[native_id] = fingerprint
        while len(self._seen) > self.seen_capacity:
            self._seen.popitem(last=False)
        self._unflushed.clear()
        self.pending["seen"] = dict(self._seen)
        if self.pending != self.state:
            self.cursors.save(self.platform, self.account_id, self.pending)
            self.state = copy.deepcopy(self.pending)

    def cleanup(self) -> None:
        self.client.close()

    # -- for subclasses ----------------------------------------------------------------------
    @abstractmethod
    def fetch(self) -> Iterator[RawEvent]:
        """Yield raw events newer than the cursors, updating ``self.pending`` as it goes."""

    def native_id(self, event: RawEvent) -> str:
        value = event.payload.get("id")
        return str(value) if value is not None else ""

    def fingerprint(self, event: RawEvent) -> str:
        """A short digest of the fields that can change after an item was first delivered."""
        values = self.fingerprint_values(event)
        if not values:
            return ""
        return hashlib.sha1(json.dumps(values, sort_keys=True, default=str).encode()).hexdigest()[:12]

    def fingerprint_values(self, event: RawEvent) -> dict[str, Any]:
        """The values ``fingerprint`` digests: the payload's ``fingerprint_keys`` that are present."""
        return {key: event.payload.get(key) for key in self.fingerprint_keys if key in event.payload}

    def url(self, path: str) -> str:
        return f"{self.api_base}{path}"

    def window_start(self) -> datetime:
        """How far back a first poll (no stored cursor) reaches: ``--since`` or the backfill."""
        return self.since or (self.clock() - self.backfill)

    # -- the pages loop and its hooks -----------------------------------------------------------
    def pages(self, url: str, params: dict[str, Any], paginator: Paginator,
              headers: dict[str, str] | None = None) -> Iterator[Any]:
        """Every page (JSON body) of a listing, following the paginator until it ends.

        Platforms do not override this loop; they override ``get_page``, ``refresh_auth`` or
        ``validate_body``.
        """
        def fetch(page_url: str, page_params: dict[str, Any] | None) -> tuple[Any, dict[str, str]]:
            body, response_headers = self.get_page(page_url, page_params, headers)
            self.validate_body(page_url, body)
            return body, response_headers

        return page_bodies(fetch, url, params, paginator)

    def get_page(self, url: str, params: dict[str, Any] | None,
                 headers: dict[str, str] | None = None) -> tuple[Any, dict[str, str]]:
        """GET one page: the JSON body and the response headers (once more after a renewed session)."""
        return with_renewal(lambda: self.client.get_json(url, params, headers), self.refresh_auth)

    def refresh_auth(self) -> bool:
        """Renew an expired session; True if it was renewed. By default there is nothing to renew:
        bearer tokens cannot be, and OAuth 2 sessions renew themselves (``connectors.auth``)."""
        return False

    def validate_body(self, url: str, body: Any) -> None:
        """Raise a ``ConnectorError`` if a successful response's body is an error. By default every
        JSON body is a page."""
        return None

    def raw(self, resource: str, payload: dict[str, Any], **context: Any) -> RawEvent:
        return RawEvent(
            platform=self.platform,
            account_id=self.account_id,
            resource=resource,
            payload=payload,
            context={k: v for k, v in context.items() if v is not None},
            fetched_at=self.clock(),
        )
