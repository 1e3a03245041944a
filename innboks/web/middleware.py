"""Pure ASGI middleware of the staff web: security headers on every response, and one privacy-safe
access-log line per request.

Access log lines name the method, the route's pattern (never the path's ids nor the query string,
which may hold names), the status, the time and the user name of the staff member.
"""

from __future__ import annotations

import logging
import time

from starlette.types import ASGIApp, Message, Receive, Scope, Send

access_log = logging.getLogger("innboks.inbox.access")

SECURITY_HEADERS = [
    (b"content-security-policy",
     b"default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; frame-ancestors 'none'; "
     b"form-action 'self'; base-uri 'none'"),
    (b"x-content-type-options", b"nosniff"),
    # No referrer to other sites (a link to a platform does not carry the inbox's URL), while the
    # inbox's own requests keep their real Origin for innboks/web/csrf.py (no-referrer makes it "null").
    (b"referrer-policy", b"same-origin"),
    (b"x-frame-options", b"DENY"),
    (b"cache-control", b"no-store"),
]


class AccessLogAndHeaders:
    """Pure ASGI middleware: security headers on every response, one privacy-safe log line per request."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def send_with_headers(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                if not scope["path"].startswith("/static/"):
                    message["headers"] = list(message.get("headers", [])) + SECURITY_HEADERS
            await send(message)

        try:
            await self.app(scope, receive, send_with_headers)
        finally:
            route = scope.get("route")
            state = scope.get("state") or {}
            access_log.info("%s %s %s %.1fms user=%s", scope["method"], getattr(route, "path", "-"), status,
                            (time.perf_counter() - started) * 1000, state.get("user", "-"))
