"""The inbox web app (Starlette): pages for staff, the JSON API, sign-in, security headers, access log.

Access log lines name the method, the route's pattern (never the path's ids nor the query string,
which may hold names), the status, the time and the user name of the staff member.
"""

from __future__ import annotations

import logging
import time
from pathlib import Path
from typing import Any

from sqlalchemy.engine import Engine
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.sessions import SessionMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from innboks.config.accounts import Registry
from innboks.inbox import api, pages
from innboks.inbox.commands import Publisher
from innboks.inbox.context import InboxContext, NoPublisher
from innboks.inbox.saved_replies import ReplyVariables
from innboks.records import page as records_page
from innboks.web.auth import AuthConfig, Authenticator
from innboks.web.errors import HttpError

access_log = logging.getLogger("innboks.inbox.access")

SECURITY_HEADERS = [
    (b"content-security-policy",
     b"default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; frame-ancestors 'none'; "
     b"form-action 'self'; base-uri 'none'"),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
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


def create_app(engine: Engine, registry: Registry, auth: AuthConfig, publisher: Publisher | None = None,
               reply_variables: ReplyVariables | None = None) -> Starlette:
    inbox = InboxContext(engine, registry, Authenticator(engine, auth), publisher or NoPublisher())
    if reply_variables is not None:
        inbox.reply_variables = reply_variables

    async def healthz(request: Request) -> Response:
        return JSONResponse({"status": "ok"})

    async def errors(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, HttpError)
        if request.url.path.startswith("/api/"):
            headers = dict(exc.headers)
            if exc.status == 401:
                headers["WWW-Authenticate"] = 'Basic realm="Innboks", charset="UTF-8"'
            return JSONResponse({"error": exc.message}, status_code=exc.status, headers=headers)
        if exc.status == 401:
            return RedirectResponse("/logg-inn", status_code=303)
        return pages.render(request, inbox, "error.html", status=exc.status, user=None, status_code=exc.status,
                            message=exc.message)

    async def not_found(request: Request, exc: Any) -> Response:
        return await errors(request, HttpError(404, "not found"))

    app = Starlette(
        routes=[Route("/healthz", healthz), *api.routes(inbox), *pages.routes(inbox), *records_page.routes(inbox),
                Mount("/static", StaticFiles(directory=Path(__file__).with_name("static")), name="static")],
        middleware=[
            Middleware(AccessLogAndHeaders),
            Middleware(SessionMiddleware, secret_key=auth.secret_key, session_cookie="innboks_session",
                       max_age=int(auth.session_hours * 3600), same_site="lax", https_only=auth.secure_cookies),
        ],
        exception_handlers={HttpError: errors, 404: not_found},
    )
    app.state.inbox = inbox
    return app
