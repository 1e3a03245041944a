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

It is also Meta's authorization server for connecting Pages in Kontoer (``innboks.demo.authorization``):
``/{version}/dialog/oauth`` (the consent page of Facebook Login for Business), ``/{version}/oauth/access_token``
(the code, and ``fb_exchange_token`` for a 60-day user token), ``/{version}/me/accounts`` (the Pages the
person manages, each with its Page token, tasks, profile and linked Instagram professional account),
``/debug_token``, ``/{page}/roles``, ``/{page}/subscribed_apps`` and ``DELETE /me/permissions`` (the
person removes the app: every token of theirs is refused from then on with error 190, as Meta does).
More Pages than the first can be served (``extra_pages``), each read with its own ``feed``. A token the
stand-in issued is checked (revoked or expired: 190); any other token is accepted, as before.

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

from innboks.demo.authorization import AuthorizationServer, Spec
from innboks.demo.dataset import Dataset, Item

GRAPH_HOST = "https://graph.facebook.com"
MALFORMED_ID = "1365859083088_999000000000001"
GRAPH_TIME = "%Y-%m-%dT%H:%M:%S+0000"
#: The long-lived user token's life, and how long data access lasts (Meta's documented numbers).
LONG_LIVED_SECONDS = 60 * 86400
DATA_ACCESS_SECONDS = 90 * 86400
PAGE_TASKS = ["ADVERTISE", "ANALYZE", "CREATE_CONTENT", "MESSAGING", "MODERATE", "MANAGE"]
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
        extra_pages: tuple[Dataset, ...] = (),
    ) -> None:
        self.dataset = dataset
        #: Every Page served: the first is released over time, the others are there from the start.
        self.pages: dict[str, Dataset] = {dataset.page_id: dataset, **{d.page_id: d for d in extra_pages}}
        self.extra_items: list[Item] = [item for d in extra_pages for item in d.items]
        self.post_page: dict[str, str] = {str(i.payload["id"]): d.page_id for d in self.pages.values()
                                          for i in d.items if i.resource == "post"}
        self.thread_page: dict[str, str] = {cid: d.page_id for d in self.pages.values() for cid in d.participants}
        #: Meta's authorization server: short user tokens from the code, then 60-day ones.
        self.auth = AuthorizationServer(Spec("Facebook", access_seconds=2 * 3600, refresh=False, client_auth="body",
                                             token_methods=("GET", "POST")))
        #: Who manages which Pages (the person a consent signs in as: ``auth.subject``).
        self.managers: dict[str, list[str]] = {self.auth.subject: list(self.pages)}
        #: The people with tasks on each Page (``/{page}/roles``); the communication unit's is ``"4200"``.
        self.roles: dict[str, list[dict[str, Any]]] = {
            page: [{"id": "4200", "name": "Kommunikasjonsenheten", "tasks": PAGE_TASKS}] for page in self.pages}
        #: Page → Instagram professional account linked to it.
        self.instagram: dict[str, dict[str, Any]] = {dataset.page_id: {
            "id": "17841400000000001", "username": "altakommune", "name": "Alta kommune",
            "biography": "Offisiell Instagram-konto for Alta kommune.", "website": "https://www.alta.kommune.no"}}
        #: Page → the webhook fields the app is subscribed to.
        self.subscriptions: dict[str, list[str]] = {}
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
            return [i for i in self.released() + self.extra_items + self.written
                    if i.payload.get("id") not in self.deleted]

    def handle(self, path: str, query: dict[str, str], authorized: bool) -> tuple[int, dict[str, Any]]:
        self.requests += 1
        if not authorized:
            return 400, _graph_error("An access token is required to request this resource.", "OAuthException", 104)
        parts = [p for p in path.split("/") if p]
        if len(parts) != 3 or not parts[0].startswith("v"):
            return 400, _unsupported(path)
        version, node, edge = parts
        items = self.visible()
        if node in self.pages and edge == "feed":
            listing = sorted((i for i in items if i.resource == "post" and self.post_page.get(str(i.payload["id"]),
                                                                                             node) == node),
                             key=lambda i: i.created, reverse=True)
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
        if node in self.pages and edge == "conversations":
            page, site = node, self.pages[node]
            threads: dict[str, datetime] = {}
            for item in items:
                if item.resource == "conversation_message" and item.conversation_id and \
                        self.thread_page.get(item.conversation_id) == page:
                    threads[item.conversation_id] = max(item.created, threads.get(item.conversation_id, item.created))
            newest_first = sorted(threads.items(), key=lambda t: t[1], reverse=True)
            if query.get("user_id"):
                newest_first = [t for t in newest_first
                                if site.participants.get(t[0], {}).get("id") == query["user_id"]]
            page_participant = {"name": site.page_name, "id": page}
            data = [{"id": cid, "updated_time": updated.strftime(GRAPH_TIME),
                     "participants": {"data": [site.participants.get(cid, {}), page_participant]}}
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
        if edge == "messages" and node in self.pages:
            return self._send_message(params, items, self.pages[node])
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
        site = self.pages.get(self.post_page.get(str(post_id), self.dataset.page_id), self.dataset)
        object_id = str(post_id).split("_")[-1]
        new_id = f"{object_id}_{990000000000000 + next(self._ids)}"
        payload: dict[str, Any] = {
            "id": new_id, "message": message, "created_time": now.strftime(GRAPH_TIME),
            "from": {"name": site.page_name, "id": site.page_id},
            "permalink_url": f"https://www.facebook.com/{site.page_id}/posts/{object_id}?comment_id={new_id}",
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

    def _send_message(self, params: dict[str, Any], items: list[Item], site: Dataset) -> tuple[int, dict[str, Any]]:
        recipient = _object(params.get("recipient")).get("id")
        text = _object(params.get("message")).get("text")
        if not isinstance(text, str) or not text.strip():
            return 400, _graph_error("(#100) The parameter message is required", "OAuthException", 100)
        thread = next((cid for cid, person in site.participants.items() if person.get("id") == recipient), None)
        if thread is None:
            return 400, _graph_error("(#100) No matching user found", "OAuthException", 100, 2018001)
        last = max((i.created for i in items if i.resource == "conversation_message" and i.conversation_id == thread
                    and not site.from_page(i)), default=None)
        now = self.now()
        window = HUMAN_AGENT_WINDOW if (params.get("messaging_type") == "MESSAGE_TAG"
                                        and params.get("tag") == "HUMAN_AGENT") else STANDARD_WINDOW
        if last is None or now - last > window:
            return 400, _graph_error("(#10) This message is sent outside of allowed window. Learn more about the new "
                                     "policy here: https://developers.facebook.com/docs/messenger-platform/policy-overview",
                                     "OAuthException", 10, 2018278)
        message_id = f"m_innboksdemo{next(self._ids):010d}"
        payload = {"id": message_id, "message": text, "created_time": now.strftime(GRAPH_TIME),
                   "from": {"name": site.page_name, "id": site.page_id},
                   "to": {"data": [site.participants[thread]]}}
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

    # -- Meta's authorization server and the Pages a person manages ----------------------------------------
    def register_app(self, app_id: str, app_secret: str, redirect_uris: set[str] | None = None) -> None:
        """The Meta app administrators connect Pages through (its id is the OAuth ``client_id``)."""
        self.auth.register_client(app_id, app_secret, redirect_uris)

    def rejected(self, token: str | None) -> tuple[int, dict[str, Any]] | None:
        """Meta's answer to a token it issued that is revoked or expired (error 190), else None."""
        if not self.auth.known(token) or self.auth.valid(token) is not None:
            return None
        expired = self.auth.tokens[str(token)].expires_at is not None and not self.auth.tokens[str(token)].revoked
        message = ("Error validating access token: Session has expired." if expired else
                   "Error validating access token: The user has not authorized application.")
        return 400, _graph_error(message, "OAuthException", 190, 463 if expired else 458)

    def handle_account(self, method: str, path: str, params: dict[str, Any],
                       headers: dict[str, str]) -> tuple[int, dict[str, str], Any] | None:
        """Meta's OAuth and the account listings; None for any other path."""
        parts = [p for p in path.split("/") if p]
        rest = parts[1:] if parts and parts[0].startswith("v") else parts
        no_store = {"Cache-Control": "no-store"}
        if rest == ["dialog", "oauth"]:
            return self.auth.authorize(params, path) if method == "GET" else self.auth.decide(params)
        if rest == ["oauth", "access_token"]:
            if params.get("grant_type") == "fb_exchange_token":
                return (*self._long_lived(params),)
            if "code" in params:
                params.setdefault("grant_type", "authorization_code")
            status, body = self.auth.token(method, headers, {k: str(v) for k, v in params.items()})
            return status, no_store, body
        if rest == ["debug_token"]:
            return (*self._debug(params),)
        token = _token_of(params, headers)
        if rest == ["me", "accounts"]:
            return (*self._my_pages(token, str(params.get("fields", ""))),)
        if rest == ["me", "permissions"] and method == "DELETE":
            user = self.auth.valid(token)
            if user is None:
                return 400, {}, _graph_error("Invalid OAuth access token.", "OAuthException", 190)
            self.auth.revoke_subject(user.grant.subject)
            return 200, {}, {"success": True}
        if len(rest) == 2 and rest[0] in self.pages and rest[1] in ("roles", "subscribed_apps"):
            if (refused := self.rejected(token)) is not None:
                return refused[0], {}, refused[1]
            if token is None:
                return 400, {}, _graph_error("An access token is required to request this resource.",
                                             "OAuthException", 104)
            if rest[1] == "roles":
                return 200, {}, {"data": self.roles.get(rest[0], [])}
            if method == "POST":
                fields = str(params.get("subscribed_fields", "")).split(",")
                self.subscriptions[rest[0]] = [f for f in fields if f]
                return 200, {}, {"success": True}
            return 200, {}, {"data": [{"name": "Innboks", "subscribed_fields": self.subscriptions.get(rest[0], [])}]}
        return None

    def _long_lived(self, params: dict[str, Any]) -> tuple[int, dict[str, str], Any]:
        client = self.auth.clients.get(str(params.get("client_id", "")))
        if client is None or client[0] != params.get("client_secret"):
            return 400, {}, _graph_error("Error validating client secret.", "OAuthException", 1)
        short = self.auth.valid(str(params.get("fb_exchange_token", "")))
        if short is None:
            return 400, {}, _graph_error("Error validating access token.", "OAuthException", 190)
        value = self.auth.issue(short.grant.subject, short.grant.client_id, seconds=LONG_LIVED_SECONDS)
        self.auth.tokens[value].grant = short.grant
        return 200, {"Cache-Control": "no-store"}, {"access_token": value, "token_type": "bearer",
                                                    "expires_in": LONG_LIVED_SECONDS - 56}

    def _my_pages(self, token: str | None, fields: str) -> tuple[int, dict[str, str], Any]:
        user = self.auth.valid(token)
        if user is None or user.extra.get("page_id"):
            return 400, {}, _graph_error("Invalid OAuth access token - Cannot parse access token", "OAuthException",
                                         190)
        wanted = set(_top_level_fields(fields)) or {"id", "name", "access_token", "tasks"}
        data = []
        for page_id in self.managers.get(user.grant.subject, []):
            site = self.pages[page_id]
            page_token = self.auth.issue(user.grant.subject, user.grant.client_id, "access", page_id=page_id)
            self.auth.tokens[page_token].grant = user.grant
            entry: dict[str, Any] = {"id": page_id, "name": site.page_name, "access_token": page_token,
                                     "tasks": next((r["tasks"] for r in self.roles.get(page_id, [])), PAGE_TASKS),
                                     "category": "Government organization", **site.profile}
            if page_id in self.instagram:
                entry["instagram_business_account"] = dict(self.instagram[page_id])
            data.append({k: v for k, v in entry.items() if k in wanted or k == "id"})
        return 200, {}, {"data": data, "paging": {"cursors": {"before": _cursor(0), "after": _cursor(len(data))}}}

    def _debug(self, params: dict[str, Any]) -> tuple[int, dict[str, str], Any]:
        app_id, _, secret = str(params.get("access_token", "")).partition("|")
        client = self.auth.clients.get(app_id)
        if client is None or client[0] != secret:
            return 400, {}, _graph_error("Invalid OAuth access token signature.", "OAuthException", 190)
        token = self.auth.tokens.get(str(params.get("input_token", "")))
        if token is None:
            return 200, {}, {"data": {"is_valid": False, "error": {"code": 190, "message": "Invalid token"}}}
        page_id = token.extra.get("page_id")
        data = {"app_id": app_id, "type": "PAGE" if page_id else "USER", "application": "Innboks",
                "is_valid": self.auth.valid(token.value) is not None,
                "expires_at": 0 if token.expires_at is None else int(token.expires_at),
                "data_access_expires_at": int(token.grant.granted_at + DATA_ACCESS_SECONDS),
                "scopes": list(token.grant.scopes), "user_id": token.grant.subject}
        if page_id:
            data["profile_id"] = page_id
        return 200, {}, {"data": data}

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        simulator = self

        class Handler(BaseHTTPRequestHandler):
            def _authorized(self, query: dict[str, Any]) -> bool:
                return bool(query.get("access_token")) or self.headers.get("Authorization", "").startswith(
                    ("Bearer ", "OAuth ")
                )

            def _headers(self) -> dict[str, str]:
                return {k.lower(): v for k, v in self.headers.items()}

            def do_GET(self) -> None:  # noqa: N802 - http.server API
                url = urlsplit(self.path)
                query = {k: v[-1] for k, v in parse_qs(url.query).items()}
                if (answer := simulator.handle_account("GET", url.path, dict(query), self._headers())) is not None:
                    self._send(*answer)
                elif (refused := simulator.rejected(_token_of(query, self._headers()))) is not None:
                    self._answer(*refused)
                else:
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
                if (answer := simulator.handle_account(method, url.path, params, self._headers())) is not None:
                    self._send(*answer)
                elif (refused := simulator.rejected(_token_of(params, self._headers()))) is not None:
                    self._answer(*refused)
                else:
                    self._answer(*simulator.handle_write(method, url.path, params, self._authorized(params)))

            def _answer(self, status: int, body: dict[str, Any]) -> None:
                self._send(status, {"X-App-Usage": json.dumps({"call_count": 1, "total_time": 1,
                                                               "total_cputime": 1})}, body)

            def _send(self, status: int, headers: dict[str, str], body: Any) -> None:
                payload = body if isinstance(body, bytes) else json.dumps(body, ensure_ascii=False).encode()
                self.send_response(status)
                if not any(k.lower() == "content-type" for k in headers):
                    self.send_header("Content-Type", "application/json; charset=UTF-8")
                for key, value in headers.items():
                    self.send_header(key, value)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, format: str, *args: Any) -> None:  # silence per-request logging
                return

        return Handler


def _token_of(params: dict[str, Any], headers: dict[str, str]) -> str | None:
    value = headers.get("authorization", "")
    if value.lower().startswith(("bearer ", "oauth ")):
        return value.split(" ", 1)[1].strip()
    token = params.get("access_token")
    return str(token) if token else None


def _top_level_fields(fields: str) -> list[str]:
    """``id,name,instagram_business_account{id,username}`` → ``[id, name, instagram_business_account]``."""
    names, depth, current = [], 0, ""
    for char in fields:
        if char == "{":
            depth += 1
        elif char == "}":
            depth -= 1
        elif char == "," and depth == 0:
            names.append(current.strip())
            current = ""
            continue
        if depth == 0 and char not in "{}":
            current += char
    if current.strip():
        names.append(current.strip())
    return names


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
