"""The inbox's JSON API under ``/api/`` (field names are the contract of ../shared/DESIGN.md).

Every endpoint is ``@requires(role)``: the user signed in (session or HTTP Basic), the role and a
state change's CSRF token checked before it runs. Bad input gets a 4xx and ``{"error": "..."}``.
Bodies are JSON objects only.
"""

from __future__ import annotations

import json
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from innboks.db.control import crisis
from innboks.inbox import commands, replies, saved_replies
from innboks.inbox.actions import approve_action, request_action
from innboks.inbox.cases import MAX_CASES, list_cases
from innboks.inbox.queries import MAX_LIMIT, STATES, InquiryFilter, action, conversation, list_inquiries
from innboks.inbox.versions import parse_version
from innboks.web.access import requires
from innboks.web.context import staff
from innboks.web.errors import HttpError
from innboks.web.responses import FastJSONResponse
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
    words = (params.get("q") or "").strip() or None
    if words is not None and len(words) > 200:
        raise HttpError(422, "q: at most 200 characters")
    return InquiryFilter(state=state, account=params.get("account") or None, category=category, assignee=assignee,
                         limit=limit, escalated=bool(params.get("escalated")), words=words,
                         author=params.get("author") or None)


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


@requires()
async def inquiries(request: Request) -> Response:
    app = staff(request)
    rows, total = await app.run(list_inquiries, app.engine, request.user, app.units, app.policies,
                                inquiry_filter(request, request.user))
    return FastJSONResponse(rows, headers={"X-Total-Count": str(total)})


@requires()
async def get_conversation(request: Request) -> Response:
    app = staff(request)
    return FastJSONResponse(await app.run(conversation, app.engine, request.path_params["key"], request.user,
                                          app.units))


@requires("operator")
async def assign(request: Request) -> Response:
    app, user = staff(request), request.user
    body = await json_body(request)
    assignee = body.get("assignee")
    if not isinstance(assignee, str) or len(assignee) > 256:
        raise HttpError(422, 'assignee must be a name or unit (or "" to unassign)')
    inquiry_id = request.path_params["inquiry_id"]
    try:
        key, version = await app.run(commands.assign, app.engine, inquiry_id, assignee.strip(), user, app.units,
                                     parse_version(body), body.get("takeover") is True)
    except commands.TakeOver as taken:
        raise HttpError(409, taken.message, body={"assignee": taken.assignee, "takeover_needed": True}) from None
    return JSONResponse({"inquiry_id": inquiry_id, "conversation_key": key, "assignee": assignee.strip() or None,
                         "assigned_by": user.username, "version": str(version)})


@requires("operator")
async def correct(request: Request) -> Response:
    app, user = staff(request), request.user
    category, moderation = triage_correction(await json_body(request))
    message_id = request.path_params["message_id"]
    await app.run(commands.correct_triage, app.engine, message_id, category, moderation, user, app.units)
    return JSONResponse({"message_id": message_id, "category": category.value if category else None,
                         "moderation": [m.value for m in moderation], "corrected_by": user.username})


@requires()
async def get_crisis(request: Request) -> Response:
    app = staff(request)
    state = await app.run(crisis, app.engine)
    return JSONResponse(state or {"active": False, "reason": None, "set_by": None, "at": None})


@requires("admin")
async def set_crisis(request: Request) -> Response:
    app = staff(request)
    body = await json_body(request)
    active, reason = body.get("active"), body.get("reason")
    if not isinstance(active, bool):
        raise HttpError(422, "active must be true or false")
    if not isinstance(reason, str) or not reason.strip() or len(reason) > 500:
        raise HttpError(422, "reason must say why (1 to 500 characters, shown to operators)")
    event = await app.run(commands.switch_crisis, app.engine, app.publisher, active, reason.strip(), request.user)
    return JSONResponse(event.model_dump(mode="json"), status_code=202)


async def _act(request: Request, kind: ActionKind) -> Response:
    app = staff(request)
    # Unhiding needs nothing more: its body may be empty.
    body = await json_body(request) if await request.body() or kind is not ActionKind.UNHIDE else {}
    text, reason = body.get("text"), body.get("reason")
    if text is not None and not isinstance(text, str):
        raise HttpError(422, "text must be a string")
    if kind in (ActionKind.HIDE, ActionKind.DELETE) and reason not in {r.value for r in HideReason}:
        raise HttpError(422, f"reason must be one of {', '.join(r.value for r in HideReason)}")
    event, version = await app.run(request_action, app.engine, app.publisher, app.registry, kind,
                                   request.path_params["message_id"], request.user, app.units, text,
                                   HideReason(reason) if reason else None, app.facts, parse_version(body))
    return JSONResponse({**_accepted(event), "version": str(version)}, status_code=202)


@requires("operator")
async def reply(request: Request) -> Response:
    return await _act(request, ActionKind.REPLY)


@requires("operator")
async def hide(request: Request) -> Response:
    return await _act(request, ActionKind.HIDE)


@requires("operator")
async def unhide(request: Request) -> Response:
    return await _act(request, ActionKind.UNHIDE)


@requires("operator")
async def delete(request: Request) -> Response:
    return await _act(request, ActionKind.DELETE)


@requires("operator")
async def approve(request: Request) -> Response:
    """Approve a reply as written, or with ``{"text"}`` edited; ``{"reject": "comment"}`` rejects it."""
    app = staff(request)
    body = await json_body(request) if await request.body() else {}
    text, reject = body.get("text"), body.get("reject")
    if text is not None and (not isinstance(text, str) or not text.strip()):
        raise HttpError(422, "text, when given, is the reply as approved")
    if reject is not None and (not isinstance(reject, str) or not reject.strip() or len(reject) > 400):
        raise HttpError(422, "reject says why (1 to 400 characters), for the one who asked")
    event = await app.run(approve_action, app.engine, app.publisher, request.path_params["action_id"],
                          request.user, app.units, text, reject.strip() if reject else None)
    return JSONResponse(_accepted(event), status_code=202)


@requires()
async def get_action(request: Request) -> Response:
    app = staff(request)
    return JSONResponse(await app.run(action, app.engine, request.path_params["action_id"], request.user, app.units))


@requires()
async def check_reply_text(request: Request) -> Response:
    """``{"text", "message_id"?}`` → ``{"blocked", "warnings", "language"}`` (the reply check)."""
    app = staff(request)
    body = await json_body(request)
    text, message_id = body.get("text"), body.get("message_id")
    if not isinstance(text, str):
        raise HttpError(422, "text must be a string")
    if len(text) > replies.MAX_CHECK_CHARS:
        raise HttpError(422, f"text: at most {replies.MAX_CHECK_CHARS} characters")
    if message_id is not None and (not isinstance(message_id, str) or not message_id):
        raise HttpError(422, "message_id must be a message's id")
    return JSONResponse(await app.run(replies.check, app.engine, app.registry, app.facts, text, message_id,
                                      request.user, app.units, (app.reply_variables.case_email,)))


@requires()
async def list_saved(request: Request) -> Response:
    app = staff(request)
    replies = await app.run(saved_replies.list_replies, app.engine)
    account, message_id = request.query_params.get("account"), request.query_params.get("message_id")
    if account:
        name = app.names.get(account, account)
        author = await app.run(saved_replies.author_of, app.engine, message_id, request.user, app.units) \
            if message_id else None
        for saved in replies:
            saved["text"] = app.reply_variables.fill(saved["body"], name, author)
    return JSONResponse(replies)


async def _checked_saved_reply(request: Request) -> tuple[dict[str, str], dict[str, Any]]:
    """A saved reply from the body, and the reply check of it as it will read; refused when it is blocked."""
    app = staff(request)
    fields = saved_replies.validated(await json_body(request))
    facts, _source = await app.run(app.facts.current, app.engine)
    result = replies.check_saved_reply(facts, app.reply_variables, fields["body"], fields["language"])
    replies.refuse_if_blocked(result)
    return fields, result.to_json()


@requires("admin")
async def create_saved(request: Request) -> Response:
    app = staff(request)
    fields, checked = await _checked_saved_reply(request)
    reply_id = await app.run(saved_replies.save_reply, app.engine, fields, request.user)
    return JSONResponse({"id": reply_id, **fields, "warnings": checked["warnings"]}, status_code=201)


@requires("admin")
async def update_saved(request: Request) -> Response:
    app = staff(request)
    fields, checked = await _checked_saved_reply(request)
    reply_id = await app.run(saved_replies.save_reply, app.engine, fields, request.user,
                             _int_id(request.path_params["reply_id"]))
    return JSONResponse({"id": reply_id, **fields, "warnings": checked["warnings"]})


@requires("admin")
async def delete_saved(request: Request) -> Response:
    app = staff(request)
    await app.run(saved_replies.delete_reply, app.engine, _int_id(request.path_params["reply_id"]), request.user)
    return Response(status_code=204)


@requires()
async def list_forwarded_cases(request: Request) -> Response:
    """Forwarded cases, newest first, each with its place in the archive system (``archive``)."""
    app = staff(request)
    try:
        limit = int(request.query_params.get("limit") or MAX_CASES)
    except ValueError:
        raise HttpError(422, "limit must be a whole number") from None
    if not 1 <= limit <= MAX_CASES:
        raise HttpError(422, f"limit must be between 1 and {MAX_CASES}")
    rows, total = await app.run(list_cases, app.engine, request.user, app.units, limit)
    return FastJSONResponse(rows, headers={"X-Total-Count": str(total)})


@requires()
async def me(request: Request) -> Response:
    user = request.user
    return JSONResponse({"username": user.username, "role": user.role, "units": list(user.units),
                         "display_name": user.display_name})


routes = [
    Route("/api/me", me),
    Route("/api/inquiries", inquiries),
    Route("/api/cases", list_forwarded_cases),
    Route("/api/inquiries/{inquiry_id:path}/assign", assign, methods=["POST"]),
    Route("/api/conversations/{key:path}", get_conversation),
    Route("/api/messages/{message_id:path}/triage", correct, methods=["POST"]),
    Route("/api/messages/{message_id:path}/reply", reply, methods=["POST"]),
    Route("/api/messages/{message_id:path}/hide", hide, methods=["POST"]),
    Route("/api/messages/{message_id:path}/unhide", unhide, methods=["POST"]),
    Route("/api/messages/{message_id:path}/delete", delete, methods=["POST"]),
    Route("/api/actions/{action_id}/approve", approve, methods=["POST"]),
    Route("/api/actions/{action_id}", get_action),
    Route("/api/replies/check", check_reply_text, methods=["POST"]),
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
            "approved_by": event.approved_by, "failure": event.failure.value if event.failure else None}


def _int_id(value: str) -> int:
    try:
        return int(value)
    except ValueError:
        raise HttpError(404, "no such saved reply") from None
