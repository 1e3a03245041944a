"""The connector contract: ``setup`` → ``poll`` → ``flush`` → ``cleanup``.

A connector fetches items newer than its cursors, hands them to a sink as ``RawEvent``s, and
advances its cursors only in ``flush``, after the sink has confirmed delivery. If delivery fails
the pending cursors are dropped, so the next poll fetches the same items again: at-least-once,
with duplicates removed downstream by message id.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections import OrderedDict
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any, ClassVar, Protocol

from connectors.http import ApiClient
from connectors.pagination import Paginator
from schemas import Platform, RawEvent

Clock = Callable[[], datetime]


def utcnow() -> datetime:
    return datetime.now(UTC)


class Sink(Protocol):
    def send(self, event: RawEvent) -> None: ...

    def flush(self, timeout: float) -> None:
        """Block until everything sent is acknowledged; raise ``DeliveryError`` otherwise."""


class DeliveryError(RuntimeError):
    """The sink could not confirm delivery; cursors must not advance."""


class CursorStore(Protocol):
    def load(self, platform: Platform, account_id: str) -> dict[str, Any]: ...

    def save(self, platform: Platform, account_id: str, state: dict[str, Any]) -> None: ...


class MemoryCursorStore:
    """Cursors kept for the life of the process (tests, ``--once`` runs, the demo)."""

    def __init__(self) -> None:
        self._states: dict[tuple[Platform, str], dict[str, Any]] = {}

    def load(self, platform: Platform, account_id: str) -> dict[str, Any]:
        return dict(self._states.get((platform, account_id), {}))

    def save(self, platform: Platform, account_id: str, state: dict[str, Any]) -> None:
        self._states[(platform, account_id)] = dict(state)


class Connector(ABC):
    """Base of every platform connector. Subclasses declare endpoints and implement ``fetch``."""

    platform: ClassVar[Platform]
    #: How many recently delivered ids are remembered (and stored with the cursors) to drop items
    #: fetched again: inclusive ``since`` cursors, posts re-listed for their comments, restarts.
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
    ) -> None:
        self.account_id = account_id
        self.client = client
        self.sink = sink
        self.cursors = cursors or MemoryCursorStore()
        self.clock = clock
        self.backfill = backfill
        self.since = since
        self.state: dict[str, Any] = {}
        self.pending: dict[str, Any] = {}
        self._seen: OrderedDict[str, None] = OrderedDict()
        self._unflushed: list[str] = []

    # -- lifecycle ---------------------------------------------------------------------------
    def setup(self) -> None:
        self.state = self.cursors.load(self.platform, self.account_id)
        self.pending = dict(self.state)
        self._seen = OrderedDict.fromkeys(self.state.get("seen", []))

    def poll(self) -> int:
        """Fetch new items and send them to the sink; returns how many were sent."""
        sent = 0
        for event in self.fetch():
            native_id = str(event.payload.get("id", ""))
            if native_id and native_id in self._seen:
                continue
            self.sink.send(event)
            if native_id:
                self._unflushed.append(native_id)
            sent += 1
        return sent

    def flush(self, timeout: float = 30.0) -> None:
        """Confirm delivery, then advance the cursors. On failure nothing advances."""
        try:
            self.sink.flush(timeout)
        except Exception:
            self.pending = dict(self.state)
            self._unflushed.clear()
            raise
        for native_id in self._unflushed:
            self._remember(native_id)
        self._unflushed.clear()
        self.pending["seen"] = list(self._seen)
        if self.pending != self.state:
            self.cursors.save(self.platform, self.account_id, self.pending)
            self.state = dict(self.pending)

    def cleanup(self) -> None:
        self.client.session.close()

    # -- for subclasses ----------------------------------------------------------------------
    @abstractmethod
    def fetch(self) -> Iterator[RawEvent]:
        """Yield raw events newer than the cursors, updating ``self.pending`` as it goes."""

    def window_start(self) -> datetime:
        """How far back a first poll (no stored cursor) reaches: ``--since`` or the backfill."""
        return self.since or (self.clock() - self.backfill)

    def pages(self, url: str, params: dict[str, Any], paginator: Paginator) -> Iterator[dict[str, Any]]:
        """Items of every page of a listing, following the paginator until it ends."""
        next_url: str | None = url
        next_params: dict[str, Any] | None = params
        while next_url:
            body, headers = self.client.get_json(next_url, next_params)
            data = body.get("data")
            if isinstance(data, list):
                yield from (item for item in data if isinstance(item, dict))
            next_url, next_params = paginator.advance(body, headers), None

    def raw(self, resource: str, payload: dict[str, Any], **context: Any) -> RawEvent:
        return RawEvent(
            platform=self.platform,
            account_id=self.account_id,
            resource=resource,
            payload=payload,
            context=context,
            fetched_at=self.clock(),
        )

    def _remember(self, native_id: str) -> None:
        self._seen[native_id] = None
        while len(self._seen) > self.seen_capacity:
            self._seen.popitem(last=False)
