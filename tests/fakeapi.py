"""A local HTTP server that plays a platform API from routes and recorded JSON, for connector tests.

    api = FakeApi()
    api.route("GET", r"/2/users/(?P<id>\\d+)/mentions", lambda req: (200, {}, load("x/mentions_page1.json")))
    with api:
        ... ApiClient(base_url=api.url) ...
    assert api.requests[0].query["max_results"] == "100"

A handler gets a ``Request`` (method, path, query, headers, match groups, and the body of a POST, PUT or
DELETE) and returns ``(status, headers, body)``; a body that is not ``str``/``bytes`` is sent as JSON
(``b""`` sends none, as a ``204 No Content`` does). Unmatched paths get 404.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

FIXTURES = Path(__file__).parent / "fixtures"

Response = tuple[int, dict[str, str], Any]


@dataclass
class Request:
    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    groups: dict[str, str] = field(default_factory=dict)
    query_all: dict[str, list[str]] = field(default_factory=dict)
    body: bytes = b""

    def json(self) -> Any:
        """The request body as JSON (POST, PUT and DELETE keep their bodies)."""
        return json.loads(self.body) if self.body else None


def load(relative: str) -> Any:
    """A fixture file under tests/fixtures/ (JSON is parsed, anything else returned as text)."""
    path = FIXTURES / relative
    text = path.read_text(encoding="utf-8")
    return json.loads(text) if path.suffix == ".json" else text


class FakeApi:
    def __init__(self) -> None:
        self.routes: list[tuple[str, re.Pattern[str], Callable[[Request], Response]]] = []
        self.requests: list[Request] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def _serve(self, method: str, body: bytes = b"") -> None:
                url = urlsplit(self.path)
                query_all = parse_qs(url.query, keep_blank_values=True)
                request = Request(method, url.path, {k: v[-1] for k, v in query_all.items()},
                                  {k.lower(): v for k, v in self.headers.items()}, query_all=query_all, body=body)
                outer.requests.append(request)
                status, headers, body = outer.dispatch(request)
                payload = body if isinstance(body, bytes) else (
                    body.encode() if isinstance(body, str) else json.dumps(body).encode())
                self.send_response(status)
                if not any(k.lower() == "content-type" for k in headers):
                    self.send_header("Content-Type", "application/json")
                for key, value in headers.items():
                    self.send_header(key, value)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def do_GET(self) -> None:  # noqa: N802 - http.server API
                self._serve("GET")

            def _with_body(self, method: str) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                self._serve(method, self.rfile.read(length))

            def do_POST(self) -> None:  # noqa: N802
                self._with_body("POST")

            def do_PUT(self) -> None:  # noqa: N802
                self._with_body("PUT")

            def do_DELETE(self) -> None:  # noqa: N802
                self._with_body("DELETE")

            def log_message(self, *args: Any) -> None:
                return

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"

    def route(self, method: str, pattern: str, handler: Callable[[Request], Response]) -> FakeApi:
        self.routes.append((method, re.compile(pattern + r"\Z"), handler))
        return self

    def json(self, method: str, pattern: str, body: Any, status: int = 200,
             headers: dict[str, str] | None = None) -> FakeApi:
        """A route that always answers the same JSON."""
        return self.route(method, pattern, lambda _req: (status, dict(headers or {}), body))

    def sequence(self, method: str, pattern: str, responses: list[Response]) -> FakeApi:
        """A route that answers from a list, repeating the last answer once the list is used up."""
        remaining = list(responses)

        def handler(_req: Request) -> Response:
            return remaining.pop(0) if len(remaining) > 1 else remaining[0]

        return self.route(method, pattern, handler)

    def dispatch(self, request: Request) -> Response:
        for method, pattern, handler in self.routes:
            match = pattern.match(request.path)
            if method == request.method and match:
                request.groups = match.groupdict()
                return handler(request)
        return 404, {}, {"error": f"no route for {request.method} {request.path}"}

    def paths(self) -> list[str]:
        return [r.path for r in self.requests]

    def __enter__(self) -> FakeApi:
        threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()
