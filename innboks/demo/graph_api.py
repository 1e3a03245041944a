"""A local stand-in for the Facebook Graph API, serving the bundled dataset.

Same paths, parameters and JSON shapes as the real API for what the Facebook connector reads:
``/{version}/{page}/feed``, ``/{version}/{post}/comments``, ``/{version}/{page}/conversations`` and
``/{version}/{conversation}/messages``, with cursor paging whose ``paging.next`` is an absolute
``https://graph.facebook.com`` URL, as the real API returns. Items are released over a time
window so the demo shows messages arriving; a fault can be injected (one malformed comment) to
show the dead-letter path.
"""

from __future__ import annotations

import base64
import json
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

from innboks.demo.dataset import Dataset, Item

GRAPH_HOST = "https://graph.facebook.com"
MALFORMED_ID = "1365859083088_999000000000001"


def _cursor(index: int) -> str:
    return base64.urlsafe_b64encode(f"idx:{index}".encode()).decode().rstrip("=")


def _index(cursor: str) -> int:
    padded = cursor + "=" * (-len(cursor) % 4)
    return int(base64.urlsafe_b64decode(padded).decode().split(":", 1)[1])


class GraphSimulator:
    """Serves a ``Dataset`` over HTTP on a loopback port until ``stop()``."""

    def __init__(
        self,
        dataset: Dataset,
        release_seconds: float = 0.0,
        inject_fault: bool = False,
        clock: Callable[[], float] = time.monotonic,
        host: str = "127.0.0.1",
        port: int = 0,
    ) -> None:
        self.dataset = dataset
        self.clock = clock
        self.started = clock()
        items = list(dataset.items)
        if inject_fault:
            items.insert(len(items) // 2, _malformed_comment(dataset))
        step = release_seconds / max(1, len(items))
        self.schedule: list[tuple[float, Item]] = [(i * step, item) for i, item in enumerate(items)]
        self.requests = 0
        self._server = ThreadingHTTPServer((host, port), self._handler())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05},
                                        name="graph-simulator", daemon=True)

    @property
    def base_url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    @property
    def total(self) -> int:
        return len(self.schedule)

    def released(self) -> list[Item]:
        elapsed = self.clock() - self.started
        return [item for at, item in self.schedule if at <= elapsed]

    def start(self) -> GraphSimulator:
        self.started = self.clock()
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    # -- request handling -------------------------------------------------------------------
    def handle(self, path: str, query: dict[str, str], authorized: bool) -> tuple[int, dict[str, Any]]:
        self.requests += 1
        if not authorized:
            return 400, _graph_error("An access token is required to request this resource.", "OAuthException", 104)
        parts = [p for p in path.split("/") if p]
        if len(parts) != 3 or not parts[0].startswith("v"):
            return 400, _unsupported(path)
        version, node, edge = parts
        items = self.released()
        page = self.dataset.page_id
        if node == page and edge == "feed":
            listing = sorted((i for i in items if i.resource == "post"), key=lambda i: i.created, reverse=True)
            listing = _since(listing, query)
            return 200, self._page(path, query, [self._post(i, items) for i in listing])
        if edge == "comments" and any(i.resource == "post" and i.payload["id"] == node for i in items):
            listing = [i for i in items if i.resource == "comment" and i.post_id == node]
            listing = _since(sorted(listing, key=lambda i: i.created), query)
            if query.get("order") == "reverse_chronological":
                listing.reverse()
            return 200, self._page(path, query, [dict(i.payload) for i in listing])
        if node == page and edge == "conversations":
            threads: dict[str, datetime] = {}
            for item in items:
                if item.resource == "conversation_message" and item.conversation_id:
                    threads[item.conversation_id] = max(item.created, threads.get(item.conversation_id, item.created))
            newest_first = sorted(threads.items(), key=lambda t: t[1], reverse=True)
            page_participant = {"name": self.dataset.page_name, "id": page}
            data = [{"id": cid, "updated_time": updated.strftime("%Y-%m-%dT%H:%M:%S+0000"),
                     "participants": {"data": [self.dataset.participants.get(cid, {}), page_participant]}}
                    for cid, updated in newest_first]
            return 200, self._page(path, query, data)
        if edge == "messages" and node.startswith("t_"):
            listing = [i for i in items if i.resource == "conversation_message" and i.conversation_id == node]
            listing.sort(key=lambda i: i.created, reverse=True)
            return 200, self._page(path, query, [dict(i.payload) for i in listing])
        return 400, _unsupported(path)

    def _post(self, item: Item, released: list[Item]) -> dict[str, Any]:
        comments = [i.created for i in released if i.resource == "comment" and i.post_id == item.payload["id"]]
        updated = max([item.created, *comments])
        return {**item.payload, "updated_time": updated.strftime("%Y-%m-%dT%H:%M:%S+0000")}

    def _page(self, path: str, query: dict[str, str], data: list[dict[str, Any]]) -> dict[str, Any]:
        limit = max(1, min(100, int(query.get("limit", "25") or 25)))
        start = _index(query["after"]) if query.get("after") else 0
        chunk = data[start:start + limit]
        body: dict[str, Any] = {"data": chunk}
        if chunk:
            body["paging"] = {"cursors": {"before": _cursor(start), "after": _cursor(start + len(chunk))}}
            if start + len(chunk) < len(data):
                next_query = {k: v for k, v in query.items() if k != "after"} | {"after": _cursor(start + len(chunk))}
                body["paging"]["next"] = f"{GRAPH_HOST}{path}?{urlencode(next_query)}"
        return body

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        simulator = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 - http.server API
                url = urlsplit(self.path)
                query = {k: v[-1] for k, v in parse_qs(url.query).items()}
                authorized = bool(query.get("access_token")) or self.headers.get("Authorization", "").startswith(
                    ("Bearer ", "OAuth ")
                )
                status, body = simulator.handle(url.path, query, authorized)
                payload = json.dumps(body, ensure_ascii=False).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json; charset=UTF-8")
                self.send_header("Content-Length", str(len(payload)))
                self.send_header("X-App-Usage", json.dumps({"call_count": 1, "total_time": 1, "total_cputime": 1}))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, format: str, *args: Any) -> None:  # silence per-request logging
                return

        return Handler


def _since(items: list[Item], query: dict[str, str]) -> list[Item]:
    if not query.get("since"):
        return items
    since = datetime.fromtimestamp(int(query["since"]), UTC)
    return [i for i in items if i.created >= since]


def _graph_error(message: str, kind: str, code: int, subcode: int | None = None) -> dict[str, Any]:
    error: dict[str, Any] = {"message": message, "type": kind, "code": code, "fbtrace_id": "AdemoTrace"}
    if subcode is not None:
        error["error_subcode"] = subcode
    return {"error": error}


def _unsupported(path: str) -> dict[str, Any]:
    return _graph_error(
        f"Unsupported get request. Object with ID '{path}' does not exist, cannot be loaded due to missing "
        "permissions, or does not support this operation.", "GraphMethodException", 100, 33,
    )


def _malformed_comment(dataset: Dataset) -> Item:
    """A comment whose timestamp the API garbled: it must end on the dead-letter topic."""
    post = next(i for i in dataset.items if i.resource == "post" and dataset.from_page(i))
    # Newest of all, so that the post's comment cursor (since=latest seen) does not skip it.
    created = max(i.created for i in dataset.items) + timedelta(seconds=1)
    payload = {"id": MALFORMED_ID, "message": "Når åpner skøytebanen?", "created_time": "i går",
               "from": {"name": "Ola Testesen", "id": "100000000000001"}}
    return Item("comment", payload, created, {"fault": "malformed created_time"}, post_id=post.payload["id"])
