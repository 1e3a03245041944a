"""A local stand-in for the Facebook Graph API, serving the bundled dataset.

Same paths, parameters and JSON shapes as the real API for what the Facebook connector reads:
``/{version}/{page}/feed``, ``/{version}/{post}/comments``, ``/{version}/{page}/conversations`` (also
with ``user_id``, one person's thread) and ``/{version}/{conversation}/messages``, with cursor paging
whose ``paging.next`` is an absolute ``https://graph.facebook.com`` URL, as the real API returns.
Items are released over a time window so the demo shows messages arriving; a fault can be injected
(one malformed comment) to show the dead-letter path.

It also takes what the Facebook writer sends (``connectors/facebook/writer.py``), with Graph-shaped
answers, and shows the result on the next poll:

- ``POST /{version}/{comment-id}/comments`` (``message``): a reply from the Page, filed under the
  top-level comment as Facebook does; answer ``{"id"}``. ``POST /{version}/{post-id}/comments``
  comments on a post;
- ``POST /{version}/{comment-id}`` with ``is_hidden``: the comment is served with ``is_hidden``
  from then on (``{"success": true}``), which the connector's fingerprint turns into a ``hidden``
  (or, unhidden, ``edited``) event;
- ``POST /{version}/{page-id}/messages`` (Send API): a message from the Page in the person's
  Messenger thread, ``{"recipient_id", "message_id"}``; refused as Meta does (error 10/2018278)
  outside 24 hours after the person's last message (7 days with the ``HUMAN_AGENT`` tag);
- ``DELETE /{version}/{comment-id}``: the comment is no longer served (``{"success": true}``); as with
  the real API, polling cannot see that it is gone.

One simplification: ``since`` on the comments edge counts a comment hidden or unhidden here as new
from that moment, so that the poll after a hide sees it. The real API filters by creation time; a
real deployment learns of hides on older comments from the ``feed`` webhook.
"""

from __future__ import annotations

import base64
import itertools
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
GRAPH_TIME = "%Y-%m-%dT%H:%M:%S+0000"
#: Meta's standard messaging window, and the Human Agent window.
STANDARD_WINDOW = timedelta(hours=24)
HUMAN_AGENT_WINDOW = timedelta(days=7)


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
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.dataset = dataset
        self.clock = clock
        #: Wall-clock time of what the Page writes (``created_time``) and of the messaging window.
        self.now = now
        self.started = clock()
        items = list(dataset.items)
        if inject_fault:
            items.insert(len(items) // 2, _malformed_comment(dataset))
        step = release_seconds / max(1, len(items))
        self.schedule: list[tuple[float, Item]] = [(i * step, item) for i, item in enumerate(items)]
        self.requests = 0
        #: What the Page wrote through the API (replies, messages), served with the dataset from then on.
        self.written: list[Item] = []
        #: Comment id → is_hidden, for comments hidden or unhidden through the API.
        self.hidden: dict[str, bool] = {}
        #: Comment id → when it was hidden or unhidden (see the module docstring on ``since``).
        self.changed: dict[str, datetime] = {}
        #: Comments deleted through the API: no longer served.
        self.deleted: set[str] = set()
        #: ``(action, object id)`` of every write accepted: ids only, never text.
        self.actions: list[tuple[str, str]] = []
        self._ids = itertools.count(1)
        self._lock = threading.Lock()
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
    def visible(self) -> list[Item]:
        """What the API serves now: the released dataset and what the Page wrote through the API, less
        what it deleted."""
        with self._lock:
            return [i for i in self.released() + self.written if i.payload.get("id") not in self.deleted]

    def handle(self, path: str, query: dict[str, str], authorized: bool) -> tuple[int, dict[str, Any]]:
        self.requests += 1
        if not authorized:
            return 400, _graph_error("An access token is required to request this resource.", "OAuthException", 104)
        parts = [p for p in path.split("/") if p]
        if len(parts) != 3 or not parts[0].startswith("v"):
            return 400, _unsupported(path)
        version, node, edge = parts
        items = self.visible()
        page = self.dataset.page_id
        if node == page and edge == "feed":
            listing = sorted((i for i in items if i.resource == "post"), key=lambda i: i.created, reverse=True)
            listing = _since(listing, query)
            return 200, self._page(path, query, [self._post(i, items) for i in listing])
        if edge == "comments" and any(i.resource == "post" and i.payload["id"] == node for i in items):
            listing = [i for i in items if i.resource == "comment" and i.post_id == node]
            listing = _since(sorted(listing, key=lambda i: i.created), query, self._touched)
            if query.get("order") == "reverse_chronological":
                listing.reverse()
            return 200, self._page(path, query, [self._comment(i) for i in listing])
        if edge == "comments" and (parent := self._find(items, "comment", node)) is not None:
            listing = [i for i in items if i.resource == "comment" and _parent(i) == parent.payload["id"]]
            listing = _since(sorted(listing, key=lambda i: i.created), query, self._touched)
            if query.get("order") == "reverse_chronological":
                listing.reverse()
            return 200, self._page(path, query, [self._comment(i) for i in listing])
        if node == page and edge == "conversations":
            threads: dict[str, datetime] = {}
            for item in items:
                if item.resource == "conversation_message" and item.conversation_id:
                    threads[item.conversation_id] = max(item.created, threads.get(item.conversation_id, item.created))
            newest_first = sorted(threads.items(), key=lambda t: t[1], reverse=True)
            if query.get("user_id"):
                newest_first = [t for t in newest_first
                                if self.dataset.participants.get(t[0], {}).get("id") == query["user_id"]]
            page_participant = {"name": self.dataset.page_name, "id": page}
            data = [{"id": cid, "updated_time": updated.strftime(GRAPH_TIME),
                     "participants": {"data": [self.dataset.participants.get(cid, {}), page_participant]}}
                    for cid, updated in newest_first]
            return 200, self._page(path, query, data)
        if edge == "messages" and node.startswith("t_"):
            listing = [i for i in items if i.resource == "conversation_message" and i.conversation_id == node]
            listing.sort(key=lambda i: i.created, reverse=True)
            return 200, self._page(path, query, [dict(i.payload) for i in listing])
        return 400, _unsupported(path)

    def handle_write(self, method: str, path: str, params: dict[str, Any],
                     authorized: bool) -> tuple[int, dict[str, Any]]:
        """A ``POST`` (reply, hide/unhide, Send API) or ``DELETE``; ``params`` merges query and body."""
        self.requests += 1
        if not authorized:
            return 400, _graph_error("An access token is required to request this resource.", "OAuthException", 104)
        parts = [p for p in path.split("/") if p]
        if len(parts) not in (2, 3) or not parts[0].startswith("v"):
            return 400, _unsupported(path, method.lower())
        node, edge = parts[1], (parts[2] if len(parts) == 3 else None)
        items = self.visible()
        if method == "DELETE" and edge is None:
            return self._delete(node, items)
        if method != "POST":
            return 400, _unsupported(path, method.lower())
        if edge == "messages" and node == self.dataset.page_id:
            return self._send_message(params, items)
        if edge == "comments":
            return self._reply(node, params, items)
        if edge is None and "is_hidden" in params:
            return self._set_hidden(node, params["is_hidden"], items)
        return 400, _unsupported(path, "post")

    def _reply(self, node: str, params: dict[str, Any], items: list[Item]) -> tuple[int, dict[str, Any]]:
        message = params.get("message")
        if not isinstance(message, str) or not message.strip():
            return 400, _graph_error("(#100) The parameter message is required", "OAuthException", 100)
        comment = self._find(items, "comment", node)
        post = self._find(items, "post", node)
        if comment is None and post is None:
            return 400, _unsupported(f"/{node}/comments", "post")
        now = self.now()
        post_id = post.payload["id"] if post is not None else comment.post_id if comment is not None else None
        object_id = str(post_id).split("_")[-1]
        new_id = f"{object_id}_{990000000000000 + next(self._ids)}"
        payload: dict[str, Any] = {
            "id": new_id, "message": message, "created_time": now.strftime(GRAPH_TIME),
            "from": {"name": self.dataset.page_name, "id": self.dataset.page_id},
            "permalink_url": f"https://www.facebook.com/{self.dataset.page_id}/posts/{object_id}?comment_id={new_id}",
        }
        if comment is not None:  # Facebook files a reply to a reply under the top-level comment
            payload["parent"] = {"id": _parent(comment) or comment.payload["id"]}
        with self._lock:
            self.written.append(Item("comment", payload, now, {"from_account": True, "written": True},
                                     post_id=post_id))
            self.actions.append(("reply", node))
        return 200, {"id": new_id}

    def _set_hidden(self, node: str, value: Any, items: list[Item]) -> tuple[int, dict[str, Any]]:
        if self._find(items, "comment", node) is None:
            return 400, _unsupported(f"/{node}", "post")
        hidden = value is True or (isinstance(value, str) and value.lower() == "true")
        with self._lock:
            self.hidden[node] = hidden
            self.changed[node] = self.now()
            self.actions.append(("hide" if hidden else "unhide", node))
        return 200, {"success": True}

    def _delete(self, node: str, items: list[Item]) -> tuple[int, dict[str, Any]]:
        if self._find(items, "comment", node) is None:
            return 400, _unsupported(f"/{node}", "delete")
        with self._lock:
            self.deleted.add(node)
            self.actions.append(("delete", node))
        return 200, {"success": True}

    def _send_message(self, params: dict[str, Any], items: list[Item]) -> tuple[int, dict[str, Any]]:
        recipient = _object(params.get("recipient")).get("id")
        text = _object(params.get("message")).get("text")
        if not isinstance(text, str) or not text.strip():
            return 400, _graph_error("(#100) The parameter message is required", "OAuthException", 100)
        thread = next((cid for cid, person in self.dataset.participants.items() if person.get("id") == recipient),
                      None)
        if thread is None:
            return 400, _graph_error("(#100) No matching user found", "OAuthException", 100, 2018001)
        last = max((i.created for i in items if i.resource == "conversation_message" and i.conversation_id == thread
                    and not self.dataset.from_page(i)), default=None)
        now = self.now()
        window = HUMAN_AGENT_WINDOW if (params.get("messaging_type") == "MESSAGE_TAG"
                                        and params.get("tag") == "HUMAN_AGENT") else STANDARD_WINDOW
        if last is None or now - last > window:
            return 400, _graph_error("(#10) This message is sent outside of allowed window. Learn more about the new "
                                     "policy here: https://developers.facebook.com/docs/messenger-platform/policy-overview",
                                     "OAuthException", 10, 2018278)
        message_id = f"m_innboksdemo{next(self._ids):010d}"
        payload = {"id": message_id, "message": text, "created_time": now.strftime(GRAPH_TIME),
                   "from": {"name": self.dataset.page_name, "id": self.dataset.page_id},
                   "to": {"data": [self.dataset.participants[thread]]}}
        with self._lock:
            self.written.append(Item("conversation_message", payload, now, {"from_account": True, "written": True},
                                     conversation_id=thread))
            self.actions.append(("message", thread))
        return 200, {"recipient_id": recipient, "message_id": message_id}

    @staticmethod
    def _find(items: list[Item], resource: str, native_id: str) -> Item | None:
        return next((i for i in items if i.resource == resource and i.payload.get("id") == native_id), None)

    def _touched(self, item: Item) -> datetime:
        """When a comment last changed here: created, or hidden/unhidden through the API."""
        changed = self.changed.get(str(item.payload.get("id")))
        return max(item.created, changed) if changed else item.created

    def _comment(self, item: Item) -> dict[str, Any]:
        payload = dict(item.payload)
        hidden = self.hidden.get(str(payload.get("id")))
        if hidden is not None:
            payload["is_hidden"] = hidden
        return payload

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
            def _authorized(self, query: dict[str, Any]) -> bool:
                return bool(query.get("access_token")) or self.headers.get("Authorization", "").startswith(
                    ("Bearer ", "OAuth ")
                )

            def do_GET(self) -> None:  # noqa: N802 - http.server API
                url = urlsplit(self.path)
                query = {k: v[-1] for k, v in parse_qs(url.query).items()}
                self._answer(*simulator.handle(url.path, query, self._authorized(query)))

            def do_POST(self) -> None:  # noqa: N802
                self._write("POST")

            def do_DELETE(self) -> None:  # noqa: N802
                self._write("DELETE")

            def _write(self, method: str) -> None:
                url = urlsplit(self.path)
                params: dict[str, Any] = {k: v[-1] for k, v in parse_qs(url.query).items()}
                params.update(_form_or_json(self.rfile.read(int(self.headers.get("Content-Length") or 0)),
                                            self.headers.get("Content-Type", "")))
                self._answer(*simulator.handle_write(method, url.path, params, self._authorized(params)))

            def _answer(self, status: int, body: dict[str, Any]) -> None:
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


def _since(items: list[Item], query: dict[str, str],
           moment: Callable[[Item], datetime] = lambda i: i.created) -> list[Item]:
    if not query.get("since"):
        return items
    since = datetime.fromtimestamp(int(query["since"]), UTC)
    return [i for i in items if moment(i) >= since]


def _parent(item: Item) -> str | None:
    parent = item.payload.get("parent")
    return parent.get("id") if isinstance(parent, dict) and isinstance(parent.get("id"), str) else None


def _object(value: Any) -> dict[str, Any]:
    """A JSON object parameter (the Send API's ``recipient``/``message``), sent as an object or as JSON text."""
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            return {}
    return value if isinstance(value, dict) else {}


def _form_or_json(body: bytes, content_type: str) -> dict[str, Any]:
    """Graph takes parameters as JSON or as a form; either becomes one dict."""
    if not body:
        return {}
    if "json" in content_type:
        try:
            parsed = json.loads(body)
        except ValueError:
            return {}
        return parsed if isinstance(parsed, dict) else {}
    return {k: v[-1] for k, v in parse_qs(body.decode("utf-8", "replace")).items()}


def _graph_error(message: str, kind: str, code: int, subcode: int | None = None) -> dict[str, Any]:
    error: dict[str, Any] = {"message": message, "type": kind, "code": code, "fbtrace_id": "AdemoTrace"}
    if subcode is not None:
        error["error_subcode"] = subcode
    return {"error": error}


def _unsupported(path: str, method: str = "get") -> dict[str, Any]:
    return _graph_error(
        f"Unsupported {method} request. Object with ID '{path}' does not exist, cannot be loaded due to missing "
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
