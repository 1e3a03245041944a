"""``GET /api/events``: Server-Sent Events from the store's change feed, for the pages to update live.

Events are ``inquiry`` (an SLA state, an assignment, a close or snooze), ``conversation`` (a new
message or revision, an action's step, a note) and ``presence`` (who opened, is writing in or left
a conversation); each names its ``conversation_key`` and, where there is one, ``inquiry_id``, and
carries the conversation's ``version`` after a change that raised it. The SSE ``id`` is the feed's
position, so a reconnecting browser (``Last-Event-ID``) misses nothing the feed still holds.

Several inbox processes run behind a load balancer, so the events come from what they share: the
``changes`` table every writer appends to in its own transaction (``innboks.db.live``). One poller
per process reads it and hands each change to that process's open streams, filtered by what each
user may see.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
from collections.abc import AsyncIterator
from typing import Any

from sqlalchemy.engine import Engine
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response, StreamingResponse
from starlette.routing import Route

from innboks.db import live
from innboks.inbox.versions import describe
from innboks.web.access import requires
from innboks.web.context import staff

log = logging.getLogger(__name__)

#: How often the feed is read while someone listens (the freshness benchmark measures the result).
POLL_SECONDS = 0.2
HEARTBEAT_SECONDS = 15.0
#: A stream ends after this; the browser reconnects at once with Last-Event-ID (bounds shutdown too).
STREAM_SECONDS = 300.0
PRUNE_SECONDS = 600.0
INQUIRY_KINDS = frozenset({"sla", "assignment", "close", "snooze"})


def event_type(change: dict[str, Any]) -> str:
    if change["kind"] == "presence":
        return "presence"
    return "inquiry" if change["kind"] in INQUIRY_KINDS else "conversation"


def sse(change: dict[str, Any]) -> str:
    data = {**change, "version": str(change["version"]) if change.get("version") is not None else None,
            "summary": describe(change)}
    return f"id: {change['id']}\nevent: {event_type(change)}\ndata: {json.dumps(data, ensure_ascii=False)}\n\n"


class ChangeFeed:
    """One poller of the store's change feed per process, fanning out to the process's open streams."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.position: int | None = None
        self._queues: set[asyncio.Queue[dict[str, Any]]] = set()
        self._task: asyncio.Task[None] | None = None
        self._pruned = 0.0

    async def subscribe(self) -> tuple[asyncio.Queue[dict[str, Any]], int]:
        """A queue of the changes after the returned position."""
        if self._task is None or self._task.done():
            # Nobody was listening: start from the feed's end, not where the last listener left it.
            self.position = await run_in_threadpool(self._end)
            self._task = asyncio.create_task(self._poll(), name="innboks-change-feed")
        queue: asyncio.Queue[dict[str, Any]] = asyncio.Queue(maxsize=10_000)
        self._queues.add(queue)
        return queue, self.position or 0

    def unsubscribe(self, queue: asyncio.Queue[dict[str, Any]]) -> None:
        self._queues.discard(queue)

    def backlog(self, after: int, upto: int) -> list[dict[str, Any]]:
        with self.engine.connect() as connection:
            return [c for c in live.feed(connection, after, limit=5000) if c["id"] <= upto]

    def _end(self) -> int:
        with self.engine.connect() as connection:
            return live.feed_end(connection)

    def _read(self, after: int) -> list[dict[str, Any]]:
        with self.engine.connect() as connection:
            return live.feed(connection, after)

    def _prune(self) -> None:
        with self.engine.begin() as connection:
            live.prune(connection)

    async def _poll(self) -> None:
        while self._queues:
            try:
                changes = await run_in_threadpool(self._read, self.position or 0)
                for change in changes:
                    self.position = change["id"]
                    for queue in list(self._queues):
                        with contextlib.suppress(asyncio.QueueFull):  # a stream that stopped reading
                            queue.put_nowait(change)
                if time.monotonic() - self._pruned > PRUNE_SECONDS:
                    self._pruned = time.monotonic()
                    await run_in_threadpool(self._prune)
            except Exception as exc:  # noqa: BLE001 - the database away for a moment: keep polling
                log.warning("change feed: %s; reading again", type(exc).__name__)
                await asyncio.sleep(1.0)
            await asyncio.sleep(POLL_SECONDS)
        self._task = None


def change_feed(request: Request) -> ChangeFeed:
    feed: ChangeFeed | None = getattr(request.app.state, "change_feed", None)
    if feed is None:
        feed = request.app.state.change_feed = ChangeFeed(staff(request).engine)
    return feed


def _since(request: Request) -> int | None:
    value = request.headers.get("last-event-id") or request.query_params.get("since")
    try:
        return int(value) if value else None
    except ValueError:
        return None


@requires()
async def events(request: Request) -> Response:
    """The live events; with ``?once=1`` only those after ``since`` (or Last-Event-ID) until now, then the end
    (for scripts that poll, and for tests)."""
    app, user, feed = staff(request), request.user, change_feed(request)
    since = _since(request)

    def visible(change: dict[str, Any]) -> bool:
        return bool(change["account_id"]) and user.sees(change["account_id"], app.units)

    if request.query_params.get("once"):
        changes = await run_in_threadpool(feed.backlog, since or 0, 2**62)
        body = "".join(sse(change) for change in changes if visible(change))
        return Response(body, media_type="text/event-stream")
    queue, position = await feed.subscribe()

    async def stream() -> AsyncIterator[str]:
        try:
            yield f"retry: 2000\nid: {position if since is None else max(since, 0)}\n\n"
            if since is not None and since < position:
                for change in await run_in_threadpool(feed.backlog, since, position):
                    if visible(change):
                        yield sse(change)
            ends = time.monotonic() + STREAM_SECONDS
            while time.monotonic() < ends:
                try:
                    change = await asyncio.wait_for(queue.get(), HEARTBEAT_SECONDS)
                except TimeoutError:
                    yield ": keep-alive\n\n"
                    continue
                if visible(change):
                    yield sse(change)
        finally:
            feed.unsubscribe(queue)

    return StreamingResponse(stream(), media_type="text/event-stream",
                             headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"})


routes = [Route("/api/events", events)]
