"""The workplace's API (DESIGN.md, "The inbox as a workplace"): close without reply, snooze, internal
notes, bulk actions and presence. Every endpoint is ``@requires(role)``; bodies are JSON objects."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from innboks.db import live
from innboks.inbox import commands, workflow
from innboks.inbox.actions import request_action
from innboks.inbox.api import json_body
from innboks.inbox.versions import parse_version
from innboks.web.access import requires
from innboks.web.context import staff
from innboks.web.errors import HttpError
from schemas import ActionKind, CloseReason, HideReason

MAX_BULK = 200


def close_reason(value: Any) -> CloseReason:
    if value not in {r.value for r in CloseReason}:
        raise HttpError(422, f"reason must be one of {', '.join(r.value for r in CloseReason)}")
    return CloseReason(value)


def snooze_until(body: dict[str, Any]) -> datetime | None:
    value = body.get("until")
    if value is None:
        return None
    try:
        until = datetime.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        until = None
    if until is None or until.tzinfo is None:
        raise HttpError(422, "until must be an ISO 8601 time with its offset (or null: until the citizen writes)")
    return until


@requires("operator")
async def close(request: Request) -> Response:
    app, body = staff(request), await json_body(request)
    inquiry_id = request.path_params["inquiry_id"]
    _command, version = await app.run(workflow.close, app.engine, app.publisher, inquiry_id,
                                      close_reason(body.get("reason")), request.user, app.units, parse_version(body))
    return JSONResponse({"inquiry_id": inquiry_id, "reason": body["reason"], "state": "closing",
                         "closed_by": request.user.username, "version": str(version)}, status_code=202)


@requires("operator")
async def snooze(request: Request) -> Response:
    app, body = staff(request), await json_body(request)
    inquiry_id, until = request.path_params["inquiry_id"], snooze_until(body)
    _command, version = await app.run(workflow.snooze, app.engine, app.publisher, inquiry_id, until, request.user,
                                      app.units, parse_version(body))
    return JSONResponse({"inquiry_id": inquiry_id, "until": until.isoformat() if until else None,
                         "state": "snoozing", "version": str(version)}, status_code=202)


@requires("operator")
async def add_note(request: Request) -> Response:
    app, body = staff(request), await json_body(request)
    text = body.get("text")
    if not isinstance(text, str):
        raise HttpError(422, "text must be the note's text")
    note = await app.run(workflow.add_note, app.engine, request.path_params["key"], text, request.user, app.units)
    return JSONResponse(note, status_code=201)


@requires()
async def presence(request: Request) -> Response:
    """``{"state": "viewing|writing|left"}``: renew the user's presence; answers who else is there."""
    app, body = staff(request), await json_body(request)
    state = body.get("state")
    if state not in (*live.PRESENCE_STATES, "left"):
        raise HttpError(422, "state must be viewing, writing or left")
    key = request.path_params["key"]
    others = await app.run(workflow.presence, app.engine, key, request.user, app.units,
                           None if state == "left" else state)
    return JSONResponse({"conversation_key": key, "presence": others})


@requires("operator")
async def bulk(request: Request) -> Response:
    """``{"action": "assign|close|hide", "inquiry_ids": [...], "assignee"?, "reason"?}``: each inquiry on its own;
    the answer lists each one's status (202/200, or the 4xx and why)."""
    app, body = staff(request), await json_body(request)
    action, ids = body.get("action"), body.get("inquiry_ids")
    if action not in ("assign", "close", "hide"):
        raise HttpError(422, "action must be assign, close or hide")
    if not isinstance(ids, list) or not ids or len(ids) > MAX_BULK or not all(isinstance(i, str) for i in ids):
        raise HttpError(422, f"inquiry_ids must list 1 to {MAX_BULK} inquiry ids")
    assignee = body.get("assignee")
    if action == "assign":
        if not isinstance(assignee, str) or len(assignee) > 256:
            raise HttpError(422, 'assignee must be a name or unit (or "" to unassign)')
    elif action == "close":
        reason = close_reason(body.get("reason"))
    elif body.get("reason") not in {r.value for r in HideReason}:
        raise HttpError(422, f"reason must be one of {', '.join(r.value for r in HideReason)}")
    results = []
    for inquiry_id in dict.fromkeys(ids):
        try:
            if action == "assign":
                await app.run(commands.assign, app.engine, inquiry_id, str(assignee).strip(), request.user,
                              app.units)
                status = 200
            elif action == "close":
                await app.run(workflow.close, app.engine, app.publisher, inquiry_id, reason, request.user, app.units)
                status = 202
            else:
                message_id = await app.run(workflow.pending_message, app.engine, inquiry_id, request.user, app.units)
                await app.run(request_action, app.engine, app.publisher, app.registry, ActionKind.HIDE, message_id,
                              request.user, app.units, None, HideReason(body["reason"]))
                status = 202
            results.append({"inquiry_id": inquiry_id, "status": status})
        except HttpError as error:
            if error.status >= 500:
                raise
            results.append({"inquiry_id": inquiry_id, "status": error.status, "error": error.message})
    done = sum(1 for r in results if r["status"] < 300)
    return JSONResponse({"action": action, "done": done, "refused": len(results) - done, "results": results})


routes = [
    Route("/api/inquiries/bulk", bulk, methods=["POST"]),
    Route("/api/inquiries/{inquiry_id:path}/close", close, methods=["POST"]),
    Route("/api/inquiries/{inquiry_id:path}/snooze", snooze, methods=["POST"]),
    Route("/api/conversations/{key:path}/notes", add_note, methods=["POST"]),
    Route("/api/conversations/{key:path}/presence", presence, methods=["POST"]),
]
