"""The inbox web app (Starlette): pages for staff in bokmål and the JSON API of DESIGN.md.

Sign-in: local users with HTTP Basic (pages and API). POSTs take JSON only, which a cross-site form
cannot send without a CORS preflight that is never granted: that is the CSRF protection. Access
log lines name the method, the route, the status and the user, never query strings or text.
"""

from __future__ import annotations

import base64
import binascii
import json
import logging
import time
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape
from sqlalchemy.engine import Engine
from starlette.applications import Starlette
from starlette.middleware.base import BaseHTTPMiddleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Route

from innboks.config.accounts import Registry
from innboks.inbox.queries import STATES, NotFound, assign, conversation, correct_triage, list_inquiries
from innboks.inbox.users import User, authenticate
from schemas import Category, ModerationReason
from streams.sla.policies import built_policies

log = logging.getLogger("innboks.inbox.access")
TEMPLATES = Environment(loader=FileSystemLoader(Path(__file__).with_name("templates")),
                        autoescape=select_autoescape(["html"]))
CHALLENGE = {"WWW-Authenticate": 'Basic realm="Innboks", charset="UTF-8"'}


class ApiError(Exception):
    def __init__(self, status: int, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status, self.message, self.headers = status, message, headers


def create_app(engine: Engine, registry: Registry) -> Starlette:
    policies = built_policies(registry.sla)
    units = {account.account_id: account.owning_unit for account in registry.accounts}
    names = {account.account_id: account.name for account in registry.accounts}

    def user_of(request: Request) -> User:
        header = request.headers.get("authorization", "")
        scheme, _, value = header.partition(" ")
        if scheme.lower() == "basic":
            try:
                username, _, password = base64.b64decode(value).decode("utf-8").partition(":")
            except (binascii.Error, UnicodeDecodeError):
                username = password = ""
            user = authenticate(engine, username, password) if username else None
            if user is not None:
                request.state.user = user.username
                return user
        raise ApiError(401, "sign in with your Innboks user", CHALLENGE)

    async def body_of(request: Request) -> dict[str, Any]:
        if request.headers.get("content-type", "").split(";")[0].strip() != "application/json":
            raise ApiError(415, "send JSON (Content-Type: application/json)")
        try:
            body = json.loads(await request.body())
        except ValueError:
            raise ApiError(400, "the body is not valid JSON") from None
        if not isinstance(body, dict):
            raise ApiError(400, "the body must be a JSON object")
        return body

    def need(user: User, role: str) -> None:
        if not user.may(role):
            raise ApiError(403, f"this needs the {role} role")

    def inquiries_for(request: Request, user: User) -> list[dict[str, Any]]:
        state = request.query_params.get("state", "open")
        if state not in STATES:
            raise ApiError(422, f"state must be one of {', '.join(STATES)}")
        assignee = request.query_params.get("assignee")
        if request.query_params.get("mine"):
            assignee = user.username
        if request.query_params.get("unassigned"):
            assignee = ""
        rows = list_inquiries(engine, user, units, policies, state=state,
                              account=request.query_params.get("account") or None, assignee=assignee)
        category = request.query_params.get("category")
        return [row for row in rows if not category or row["category"] == category]

    async def api_inquiries(request: Request) -> Response:
        return JSONResponse(inquiries_for(request, user_of(request)))

    async def api_conversation(request: Request) -> Response:
        user = user_of(request)
        try:
            return JSONResponse(conversation(engine, request.path_params["key"], user, units))
        except NotFound as exc:
            raise ApiError(404, str(exc)) from None

    async def api_assign(request: Request) -> Response:
        user = user_of(request)
        need(user, "operator")
        body = await body_of(request)
        assignee = body.get("assignee")
        if not isinstance(assignee, str) or len(assignee) > 256:
            raise ApiError(422, "assignee must be a name (or \"\" to unassign)")
        try:
            key = assign(engine, request.path_params["inquiry_id"], assignee.strip(), user)
        except NotFound as exc:
            raise ApiError(404, str(exc)) from None
        return JSONResponse({"inquiry_id": request.path_params["inquiry_id"], "conversation_key": key,
                             "assignee": assignee.strip() or None})

    async def api_triage(request: Request) -> Response:
        user = user_of(request)
        need(user, "operator")
        body = await body_of(request)
        category, moderation = body.get("category"), body.get("moderation", [])
        if category is not None and category not in {c.value for c in Category}:
            raise ApiError(422, f"category must be one of {', '.join(c.value for c in Category)}")
        allowed = {m.value for m in ModerationReason}
        if not isinstance(moderation, list) or any(m not in allowed for m in moderation):
            raise ApiError(422, f"moderation is a list of {', '.join(sorted(allowed))}")
        try:
            correct_triage(engine, request.path_params["message_id"], category, sorted(set(moderation)), user)
        except NotFound as exc:
            raise ApiError(404, str(exc)) from None
        return JSONResponse({"message_id": request.path_params["message_id"], "category": category,
                             "moderation": sorted(set(moderation)), "corrected_by": user.username})

    async def page_inbox(request: Request) -> Response:
        user = user_of(request)
        rows = inquiries_for(request, user)
        html = TEMPLATES.get_template("inbox.html").render(
            rows=rows, names=names, user=user, query=dict(request.query_params), states=STATES,
            accounts=sorted(names.items(), key=lambda item: item[1]), categories=[c.value for c in Category],
            duration=_duration)
        return HTMLResponse(html)

    async def page_conversation(request: Request) -> Response:
        user = user_of(request)
        try:
            thread = conversation(engine, request.path_params["key"], user, units)
        except NotFound as exc:
            raise ApiError(404, str(exc)) from None
        html = TEMPLATES.get_template("conversation.html").render(
            thread=thread, names=names, user=user, categories=[c.value for c in Category],
            reasons=[m.value for m in ModerationReason])
        return HTMLResponse(html)

    async def healthz(request: Request) -> Response:
        return JSONResponse({"status": "ok"})

    async def errors(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, ApiError)
        if request.url.path.startswith("/api/") or exc.status != 401:
            return JSONResponse({"error": exc.message}, status_code=exc.status, headers=exc.headers)
        return HTMLResponse("<p>Logg inn med Innboks-brukeren din.</p>", status_code=401, headers=exc.headers)

    app = Starlette(routes=[
        Route("/", page_inbox),
        Route("/samtale/{key:path}", page_conversation),
        Route("/healthz", healthz),
        Route("/api/inquiries", api_inquiries),
        Route("/api/conversations/{key:path}", api_conversation),
        Route("/api/inquiries/{inquiry_id:path}/assign", api_assign, methods=["POST"]),
        Route("/api/messages/{message_id:path}/triage", api_triage, methods=["POST"]),
    ], exception_handlers={ApiError: errors})

    async def access_log(request: Request, call_next: Any) -> Response:
        started = time.perf_counter()
        response: Response = await call_next(request)
        route = request.scope.get("route")
        log.info("%s %s %s %.1fms user=%s", request.method, getattr(route, "path", "?"), response.status_code,
                 (time.perf_counter() - started) * 1000, getattr(request.state, "user", "-"))
        return response

    app.add_middleware(BaseHTTPMiddleware, dispatch=access_log)
    return app


def _duration(seconds: float | None) -> str:
    if seconds is None:
        return ""
    sign, seconds = ("-" if seconds < 0 else ""), abs(seconds)
    hours, minutes = int(seconds // 3600), int(seconds % 3600 // 60)
    return f"{sign}{hours} t {minutes} min" if hours else f"{sign}{minutes} min"
