"""The inbox's JSON API under ``/api/`` (field names are the contract of ../shared/DESIGN.md).

Every handler signs the user in first (session or HTTP Basic), checks the role, and answers bad
input with a 4xx and ``{"error": "..."}``. Bodies are JSON objects only.
"""

from __future__ import annotations

import json
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from innboks.inbox import commands, saved_replies
from innboks.inbox.actions import approve_action, request_action
from innboks.inbox.context import InboxContext
from innboks.inbox.queries import MAX_LIMIT, STATES, InquiryFilter, action, conversation, crisis, list_inquiries
from innboks.web.errors import HttpError
from innboks.web.users import User
from schemas import ActionEvent, ActionKind, Category, HideReason, ModerationReason

MAX_BODY_BYTES = 64 * 1024


def inquiry_filter(request: Request, user: User) -> InquiryFilter:
    """The list's filters from the query string (shared by the page and the API)."""
    params = request.query_params
    state = params.get("state") or "open"
    if state not in STATES:
        raise HttpError(422, f"state must be one of {', '.join(STATES)}")
    category = params.get("category") or None
    if category is not None and category not in {c.value for c in Category}:
        raise HttpError(422, f"category must be one of {', '.join(c.value for c in Category)}")
    assignee = params.get("assignee") or None
    if params.get("mine"):
        assignee = user.username
    if params.get("unassigned"):
        assignee = ""
    try:
        limit = int(params.get("limit") or 500)
    except ValueError:
        raise HttpError(422, "limit must be a whole number") from None
    if not 1 <= limit <= MAX_LIMIT:
        raise HttpError(422, f"limit must be between 1 and {MAX_LIMIT}")
    return InquiryFilter(state=state, account=params.get("account") or None, category=category, assignee=assignee,
                         limit=limit)


async def json_body(request: Request) -> dict[str, Any]:
    if request.headers.get("content-type", "").split(";")[0].strip().lower() != "application/json":
        raise HttpError(415, "send JSON (Content-Type: application/json)")
    raw = await request.body()
    if len(raw) > MAX_BODY_BYTES:
        raise HttpError(413, f"the body is larger than {MAX_BODY_BYTES} bytes")
    try:
        body = json.loads(raw)
    except (ValueError, RecursionError):
        raise HttpError(400, "the body is not valid JSON") from None
    if not isinstance(body, dict):
        raise HttpError(400, "the body must be a JSON object")
    return body


def triage_correction(body: dict[str, Any]) -> tuple[Category | None, list[ModerationReason]]:
    category, moderation = body.get("category"), body.get("moderation", [])
    categories = {c.value for c in Category}
    if category is not None and category not in categories:
        raise HttpError(422, f"category must be one of {', '.join(sorted(categories))}")
    reasons = {m.value for m in ModerationReason}
    if not isinstance(moderation, list) or any(not isinstance(m, str) or m not in reasons for m in moderation):
        raise HttpError(422, f"moderation is a list of {', '.join(sorted(reasons))}")
    return (Category(category) if category else None), [ModerationReason(m) for m in sorted(set(moderation))]


def routes(inbox: InboxContext) -> list[Route]:
    auth = inbox.auth

    async def inquiries(request: Request) -> Response:
        user = auth.require(request)
        rows, total = await inbox.run(list_inquiries, inbox.engine, user, inbox.units, inbox.policies,
                                      inquiry_filter(request, user))
        return JSONResponse(rows, headers={"X-Total-Count": str(total)})

    async def get_conversation(request: Request) -> Response:
        user = auth.require(request)
        return JSONResponse(await inbox.run(conversation, inbox.engine, request.path_params["key"], user,
                                            inbox.units))

    async def assign(request: Request) -> Response:
        user = auth.require(request, "operator")
        auth.check_csrf(request)
        body = await json_body(request)
        assignee = body.get("assignee")
        if not isinstance(assignee, str) or len(assignee) > 256:
            raise HttpError(422, 'assignee must be a name or unit (or "" to unassign)')
        inquiry_id = request.path_params["inquiry_id"]
        key = await inbox.run(commands.assign, inbox.engine, inquiry_id, assignee.strip(), user, inbox.units)
        return JSONResponse({"inquiry_id": inquiry_id, "conversation_key": key, "assignee": assignee.strip() or None,
                             "assigned_by": user.username})

    async def correct(request: Request) -> Response:
        user = auth.require(request, "operator")
        auth.check_csrf(request)
        category, moderation = triage_correction(await json_body(request))
        message_id = request.path_params["message_id"]
        await inbox.run(commands.correct_triage, inbox.engine, message_id, category, moderation, user, inbox.units)
        return JSONResponse({"message_id": message_id, "category": category.value if category else None,
                             "moderation": [m.value for m in moderation], "corrected_by": user.username})

    async def get_crisis(request: Request) -> Response:
        auth.require(request)
        state = await inbox.run(crisis, inbox.engine)
        return JSONResponse(state or {"active": False, "reason": None, "set_by": None, "at": None})

    async def set_crisis(request: Request) -> Response:
        user = auth.require(request, "admin")
        auth.check_csrf(request)
        body = await json_body(request)
        active, reason = body.get("active"), body.get("reason")
        if not isinstance(active, bool):
            raise HttpError(422, "active must be true or false")
        if not isinstance(reason, str) or not reason.strip() or len(reason) > 500:
            raise HttpError(422, "reason must say why (1 to 500 characters, shown to operators)")
        event = await inbox.run(commands.switch_crisis, inbox.engine, inbox.publisher, active, reason.strip(), user)
        return JSONResponse(event.model_dump(mode="json"), status_code=202)

    def act(kind: ActionKind) -> Any:
        async def handler(request: Request) -> Response:
            user = auth.require(request, "operator")
            auth.check_csrf(request)
            # Unhiding needs nothing more: its body may be empty.
            body = await json_body(request) if await request.body() or kind is not ActionKind.UNHIDE else {}
            text, reason = body.get("text"), body.get("reason")
            if text is not None and not isinstance(text, str):
                raise HttpError(422, "text must be a string")
            if kind in (ActionKind.HIDE, ActionKind.DELETE) and reason not in {r.value for r in HideReason}:
                raise HttpError(422, f"reason must be one of {', '.join(r.value for r in HideReason)}")
            event = await inbox.run(request_action, inbox.engine, inbox.publisher, inbox.registry, kind,
                                    request.path_params["message_id"], user, inbox.units, text,
                                    HideReason(reason) if reason else None)
            return JSONResponse(_accepted(event), status_code=202)

        return handler

    async def approve(request: Request) -> Response:
        user = auth.require(request, "operator")
        auth.check_csrf(request)
        event = await inbox.run(approve_action, inbox.engine, inbox.publisher, request.path_params["action_id"],
                                user, inbox.units)
        return JSONResponse(_accepted(event), status_code=202)

    async def get_action(request: Request) -> Response:
        user = auth.require(request)
        return JSONResponse(await inbox.run(action, inbox.engine, request.path_params["action_id"], user,
                                            inbox.units))

    async def list_saved(request: Request) -> Response:
        auth.require(request)
        replies = await inbox.run(saved_replies.list_replies, inbox.engine)
        account = request.query_params.get("account")
        if account:
            name = inbox.names.get(account, account)
            for reply in replies:
                reply["text"] = inbox.reply_variables.fill(reply["body"], name)
        return JSONResponse(replies)

    async def create_saved(request: Request) -> Response:
        user = auth.require(request, "admin")
        auth.check_csrf(request)
        fields = saved_replies.validated(await json_body(request))
        reply_id = await inbox.run(saved_replies.save_reply, inbox.engine, fields, user)
        return JSONResponse({"id": reply_id, **fields}, status_code=201)

    async def update_saved(request: Request) -> Response:
        user = auth.require(request, "admin")
        auth.check_csrf(request)
        fields = saved_replies.validated(await json_body(request))
        reply_id = await inbox.run(saved_replies.save_reply, inbox.engine, fields, user,
                                   _int_id(request.path_params["reply_id"]))
        return JSONResponse({"id": reply_id, **fields})

    async def delete_saved(request: Request) -> Response:
        user = auth.require(request, "admin")
        auth.check_csrf(request)
        await inbox.run(saved_replies.delete_reply, inbox.engine, _int_id(request.path_params["reply_id"]), user)
        return Response(status_code=204)

    async def me(request: Request) -> Response:
        user = auth.require(request)
        return JSONResponse({"username": user.username, "role": user.role, "units": list(user.units),
                             "display_name": user.display_name})

    return [
        Route("/api/me", me),
        Route("/api/inquiries", inquiries),
        Route("/api/inquiries/{inquiry_id:path}/assign", assign, methods=["POST"]),
        Route("/api/conversations/{key:path}", get_conversation),
        Route("/api/messages/{message_id:path}/triage", correct, methods=["POST"]),
        Route("/api/messages/{message_id:path}/reply", act(ActionKind.REPLY), methods=["POST"]),
        Route("/api/messages/{message_id:path}/hide", act(ActionKind.HIDE), methods=["POST"]),
        Route("/api/messages/{message_id:path}/unhide", act(ActionKind.UNHIDE), methods=["POST"]),
        Route("/api/messages/{message_id:path}/delete", act(ActionKind.DELETE), methods=["POST"]),
        Route("/api/actions/{action_id}/approve", approve, methods=["POST"]),
        Route("/api/actions/{action_id}", get_action),
        Route("/api/saved-replies", list_saved, methods=["GET"]),
        Route("/api/saved-replies", create_saved, methods=["POST"]),
        Route("/api/saved-replies/{reply_id}", update_saved, methods=["PUT"]),
        Route("/api/saved-replies/{reply_id}", delete_saved, methods=["DELETE"]),
        Route("/api/crisis", get_crisis, methods=["GET"]),
        Route("/api/crisis", set_crisis, methods=["POST"]),
    ]


def _accepted(event: ActionEvent) -> dict[str, Any]:
    return {"action_id": event.action_id, "kind": event.kind.value, "outcome": event.outcome.value,
            "message_id": event.target.id, "needs_approval": event.needs_approval, "forward": event.forward,
            "approved_by": event.approved_by}


def _int_id(value: str) -> int:
    try:
        return int(value)
    except ValueError:
        raise HttpError(404, "no such saved reply") from None
